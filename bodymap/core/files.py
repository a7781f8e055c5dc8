"""Writing files so that they appear complete or not at all (exports, reports, the cache)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | os.PathLike[str], *, durable: bool = True) -> Iterator[Path]:
    """A new, empty file beside `path`, readable by its owner only, for the block to write. When the
    block ends it takes the place of `path` in one step; when the block raises (or is cancelled) it is
    removed and `path` stays as it was. A crash mid-write leaves at most a hidden `.NAME.*.part` file.

    `durable` waits until the data is on the disk before the file takes `path`'s place, so a power
    cut cannot leave an empty file where an older good one was (exports and reports); a cache that
    checks what it reads can skip the wait.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)  # 0600
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if durable:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` through replacing(): the file is complete or not there at all."""
    with replacing(path, durable=durable) as tmp:
        tmp.write_bytes(data)
