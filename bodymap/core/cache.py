"""A checked on-disk cache for geometry derived from the data files (body charts, atlas zones).

Building the atlas's zones takes most of a second; loading them back takes a few milliseconds. Each
cache file starts with its key: the names, sizes and times of every data file and of the code that
reads them, with the package, shapely and Python versions. A file is used only if its key equals the
current one exactly, so any change to the data or the code rebuilds it. A missing, stale, unreadable
or corrupt cache file is simply rebuilt; the cache never holds anything not derived from the data.
"""

from __future__ import annotations

import os
import struct
import sys
import zlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TypeVar, cast

from bodymap import DATA, __version__
from bodymap.core.files import write_atomic

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
def fingerprint_text(root: Path | None = None) -> str:
    """What the fingerprint covers, as text: every data file and the core code that turns it into
    geometry (a change to either rebuilds), with the versions of shapely and Python. The chart's cache
    compares it whole with the key stored in a cache file."""
    root = root or DATA
    parts = [f"{FORMAT}|{__version__}|{_shapely_version()}|{sys.version_info[:2]}"]
    code = Path(__file__).parent
    for base, pattern in ((root, "*.json"), (code, "*.py")):
        for path in sorted(base.rglob(pattern)):
            # Name, size and modification time: any edit changes them, and reading them is ~10x
            # faster than reading every file at start-up.
            st = path.stat()
            parts.append(f"{path.relative_to(base)}|{st.st_size}|{st.st_mtime_ns}")
    return "\n".join(parts)


def _header(key: str) -> bytes:
    """How every cache file starts: its whole key, then a NUL (then the payload's length and CRC32)."""
    return key.encode() + b"\0"


def read(name: str, key: str) -> bytes | None:
    """What was stored under `name` with exactly this key, or None (missing, stale, cut short or
    damaged: the file holds the payload's length and checksum)."""
    if os.environ.get("BODYMAP_NO_CACHE"):
        return None
    header = _header(key)
    try:
        data = (cache_dir() / name).read_bytes()
    except OSError:
        return None
    if not data.startswith(header) or len(data) < len(header) + 8:
        return None
    length, crc = struct.unpack_from("<II", data, len(header))
    payload = data[len(header) + 8 :]
    return payload if len(payload) == length and zlib.crc32(payload) == crc else None


def write(name: str, key: str, payload: bytes) -> None:
    """Store `payload` under `name` and `key`, atomically: a crash never leaves half a file."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stem, _, suffix = name.partition(".")
        for old in folder.glob(f"{stem}-*.{suffix}"):  # older versions named files by a key hash
            old.unlink(missing_ok=True)
        # Not durable: a file the disk did not finish fails its length and CRC check and is rebuilt,
        # so waiting for the disk would only slow the start that writes it.
        data = _header(key) + struct.pack("<II", len(payload), zlib.crc32(payload)) + payload
        write_atomic(folder / name, data, durable=False)
    except OSError:
        pass  # a read-only home is fine: we just build every time


def fresh(name: str, root: Path | None = None) -> bool:
    """Whether cached(name, ...) would load rather than build: its file holds the current key. (The
    body is checked when it is loaded.) For saying beforehand that a build will take a while."""
    if os.environ.get("BODYMAP_NO_CACHE"):
        return False
    header = _header(fingerprint_text(root))
    try:
        with open(cache_dir() / _pickle_file(name), "rb") as fh:
            return fh.read(len(header)) == header
    except OSError:
        return False


def _pickle_file(name: str) -> str:
    return f"{name}.pickle"


def cached(name: str, build: Callable[[], T], root: Path | None = None, use: bool = True) -> T:
    """The object `build()` makes from the data, loaded from the cache when the data has not changed."""
    if not use or os.environ.get("BODYMAP_NO_CACHE"):
        return build()
    import pickle

    key = fingerprint_text(root)
    payload = read(_pickle_file(name), key)
    if payload is not None:
        try:
            # The key says the payload was built by `build` from this very data and code.
            return cast(T, pickle.loads(payload))
        except Exception:  # noqa: BLE001 - any unreadable cache is rebuilt from the data
            pass
    obj = build()
    write(_pickle_file(name), key, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))
    return obj
