"""A checked on-disk cache for geometry derived from the data files (body charts, atlas zones).

Building the atlas's zones takes most of a second; loading them back takes a few milliseconds. The
cache key is a hash of every data file, the package version and the shapely version, so any change
to the data or the code that reads it rebuilds it. A missing, stale, unreadable or corrupt cache file
is simply rebuilt; the cache never holds anything that is not derived from the shipped data.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

from bodymap import __version__

from .data import data_root

T = TypeVar("T")
FORMAT = 1  # bump when the cached classes change shape


def cache_dir() -> Path:
    """Where derived data is kept: $BODYMAP_CACHE_DIR, else the platform's user cache folder."""
    if os.environ.get("BODYMAP_CACHE_DIR"):
        return Path(os.environ["BODYMAP_CACHE_DIR"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "bodymap"


def _shapely_version() -> str:
    """Which shapely is installed, without importing it or scanning package metadata (both are slow,
    and the window's first paint needs neither): its package file's size and modification time."""
    from importlib.util import find_spec

    spec = find_spec("shapely")
    if spec is None or not spec.origin:  # pragma: no cover
        return "none"
    st = Path(spec.origin).stat()
    return f"{st.st_size}-{st.st_mtime_ns}"


@lru_cache(maxsize=4)
def data_fingerprint(root: Path | None = None) -> str:
    """A fingerprint of every data file and of the core code that turns it into geometry (a change to
    either rebuilds), with the versions of shapely and Python."""
    root = root or data_root()
    h = hashlib.sha256(f"{FORMAT}|{__version__}|{_shapely_version()}|{sys.version_info[:2]}".encode())
    code = Path(__file__).parent
    for base, pattern in ((root, "*.json"), (code, "*.py")):
        for path in sorted(base.rglob(pattern)):
            # Name, size and modification time: any edit changes them, and reading them is ~10x
            # faster than reading every file at start-up.
            st = path.stat()
            h.update(f"{path.relative_to(base)}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:32]


def cached(name: str, build: Callable[[], T], root: Path | None = None, use: bool = True) -> T:
    """The object `build()` makes from the data, loaded from the cache when the data has not changed."""
    if not use or os.environ.get("BODYMAP_NO_CACHE"):
        return build()
    import pickle

    key = data_fingerprint(root)
    path = cache_dir() / f"{name}-{key}.pickle"
    try:
        with open(path, "rb") as fh:
            stored_key, obj = pickle.load(fh)
        if stored_key == key:
            return obj
    except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt from the data
        pass
    obj = build()
    _store(path, key, obj, name)
    return obj


def _store(path: Path, key: str, obj, name: str) -> None:
    import pickle
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{name}-*.pickle"):
            old.unlink(missing_ok=True)  # stale keys
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((key, obj), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a crash never leaves a half-written cache file
    except OSError:
        pass  # a read-only home is fine: we just build every time
