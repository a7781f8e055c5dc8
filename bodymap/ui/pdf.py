"""A PDF page of bodymap's: A4 portrait at a given resolution and margin, named and signed (the visit
report, the aftercare sheet and the flashcards all print on it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

from bodymap import __version__


def a4_writer(path: str | Path, title: str, dpi: int, margin_mm: float) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator(f"bodymap {__version__}")
    writer.setResolution(dpi)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
            QPageLayout.Unit.Millimeter,
        )
    )
    return writer
