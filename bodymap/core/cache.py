"""A checked on-disk cache for geometry derived from the data files (body charts, atlas zones).

Building the atlas's zones takes most of a second; loading them back takes a few milliseconds. The
cache key is a hash of every data file, the package version and the shapely version, so any change
to the data or the code that reads it rebuilds it. A missing, stale, unreadable or corrupt cache file
is simply rebuilt; the cache never holds anything that is not derived from the shipped data.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

import shapely

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


@lru_cache(maxsize=4)
def data_fingerprint(root: Path | None = None) -> str:
    """A hash of every data file and of the core code that turns it into geometry (a change to either
    rebuilds), with the versions of shapely and Python."""
    root = root or data_root()
    h = hashlib.sha256(f"{FORMAT}|{__version__}|{shapely.__version__}|{sys.version_info[:2]}".encode())
    code = Path(__file__).parent
    for base, pattern in ((root, "*.json"), (code, "*.py")):
        for path in sorted(base.rglob(pattern)):
            h.update(str(path.relative_to(base)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:32]


def cached(name: str, build: Callable[[], T], root: Path | None = None, use: bool = True) -> T:
    """The object `build()` makes from the data, loaded from the cache when the data has not changed."""
    if not use or os.environ.get("BODYMAP_NO_CACHE"):
        return build()
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
