"""The key of the chart's two caches, its painter paths (paint.py) and its first frame
(first_frame.py): the geometry's fingerprint, the chart code's files and the Qt version, since both
are drawn by that code, with Qt. A change to any of them rebuilds both."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import PySide6

from bodymap.core.cache import fingerprint_text


@lru_cache(maxsize=1)
def chart_key() -> str:
    parts = [fingerprint_text(), f"PySide6 {PySide6.__version__}"]
    for path in sorted(Path(__file__).parent.glob("*.py")):
        st = path.stat()
        parts.append(f"chart/{path.name}|{st.st_size}|{st.st_mtime_ns}")
    return "\n".join(parts)
