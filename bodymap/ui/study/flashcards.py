"""Printable flashcards (`bodymap study export --format pdf`): one card per trigger point and side.

A4 pages of six cards (two columns, three rows), each sheet printed as a page of fronts followed by a
page of backs. The backs' columns are swapped, so printing on both sides (flipped on the long edge) puts
each answer behind its question; cut along the grey lines.
- front: "Where does it refer?", the trigger point's name and side, the chart with the trigger point;
- back: the referral pattern (essential solid, spillover stippled), the atlas's note and its sources.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from bodymap.core.atlas import Atlas, TriggerPoint
from bodymap.core.files import replacing

from ..pdf import a4_writer
from .images import Pictures

COLUMNS, ROWS = 2, 3
MARGIN_MM = 8.0
DPI = 300


def write_flashcards(
    atlas: Atlas,
    pictures: Pictures,
    trps: Sequence[TriggerPoint],
    out: Path,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the flashcards of these trigger points to `out` (replaced atomically); the number of cards."""
    with replacing(out) as tmp:
        _write(atlas, pictures, trps, tmp, progress)
    return len(trps)


def _write(
    atlas: Atlas,
    pictures: Pictures,
    trps: Sequence[TriggerPoint],
    path: Path,
    progress: Callable[[int, int], None] | None,
) -> None:
    writer = a4_writer(path, "bodymap flashcards: trigger points and their referral patterns", DPI, MARGIN_MM)
    painter = QPainter(writer)
    try:
        page = QRectF(painter.viewport())
        per_sheet = COLUMNS * ROWS
        done = 0
        for start in range(0, len(trps), per_sheet):
            sheet = trps[start : start + per_sheet]
            if start:
                writer.newPage()
            for i, t in enumerate(sheet):
                _front(painter, _cell(page, i, mirrored=False), atlas, pictures, t)
            writer.newPage()
            for i, t in enumerate(sheet):
                _back(painter, _cell(page, i, mirrored=True), atlas, pictures, t)
                done += 1
                if progress is not None:
                    progress(done, len(trps))
    finally:
        painter.end()


def _cell(page: QRectF, index: int, mirrored: bool) -> QRectF:
    w, h = page.width() / COLUMNS, page.height() / ROWS
    col, row = index % COLUMNS, index // COLUMNS
    if mirrored:
        col = COLUMNS - 1 - col
    return QRectF(page.left() + col * w, page.top() + row * h, w, h)


def _font(painter: QPainter, pt: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(pt)
    f.setBold(bold)
    painter.setFont(f)
    return f


def _frame(painter: QPainter, cell: QRectF) -> QRectF:
    """The cut lines, and the card's inner area."""
    painter.setPen(QPen(QColor("#bbbbbb"), 1.0, Qt.PenStyle.DashLine))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(cell)
    pad = cell.width() * 0.04
    return cell.adjusted(pad, pad, -pad, -pad)


def _text(
    painter: QPainter, rect: QRectF, text: str, pt: float, bold: bool = False, colour: str = "#222"
) -> float:
    """Draw wrapped text at the top of `rect`; the height it took."""
    _font(painter, pt, bold)
    painter.setPen(QColor(colour))
    flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(Qt.TextFlag.TextWordWrap)
    used = painter.boundingRect(rect, flags, text)
    painter.drawText(rect, flags, text)
    return used.height()


def _picture(painter: QPainter, area: QRectF, pictures: Pictures, t: TriggerPoint, pattern: bool) -> None:
    """The trigger point's picture, as large as fits, centred in `area` (rasterised at print resolution:
    vector charts would repeat the whole body's paths on every card)."""
    image = pictures.image(t, pattern)
    scale = min(area.width() / image.width(), area.height() / image.height())
    w, h = image.width() * scale, image.height() * scale
    target = QRectF(area.center().x() - w / 2, area.top() + (area.height() - h) / 2, w, h)
    painter.drawImage(target, image)
    painter.setPen(QPen(QColor("#999999"), 1.0))
    painter.drawRect(target)


def _short(citation: str) -> str:
    """'Simons DG, Travell JG, Simons LS. ... 1999.' -> 'Simons et al. 1999'."""
    authors = citation.split(". ")[0]
    first = authors.split(",")[0].split(" ")[0]
    years = re.findall(r"\b(?:19|20)\d\d\b", citation)
    return f"{first}{' et al.' if ',' in authors else ''} {years[0] if years else ''}".strip()


def _title(atlas: Atlas, t: TriggerPoint) -> str:
    return f"{atlas.muscles[t.muscle].name}, {t.name}"


def _front(painter: QPainter, cell: QRectF, atlas: Atlas, pictures: Pictures, t: TriggerPoint) -> None:
    inner = _frame(painter, cell)
    y = inner.top()
    y += _text(
        painter,
        QRectF(inner.left(), y, inner.width(), inner.height()),
        "Where does it refer?",
        8,
        colour="#666",
    )
    y += _text(
        painter, QRectF(inner.left(), y, inner.width(), inner.height()), _title(atlas, t), 10, bold=True
    )
    y += _text(
        painter,
        QRectF(inner.left(), y, inner.width(), inner.height()),
        f"Patient's {t.side}",
        9,
        True,
        "#b03a2e",
    )
    _picture(painter, QRectF(inner.left(), y + 8, inner.width(), inner.bottom() - y - 8), pictures, t, False)


def _back(painter: QPainter, cell: QRectF, atlas: Atlas, pictures: Pictures, t: TriggerPoint) -> None:
    inner = _frame(painter, cell)
    m = atlas.muscles[t.muscle]
    y = inner.top()
    y += _text(
        painter,
        QRectF(inner.left(), y, inner.width(), inner.height()),
        f"{_title(atlas, t)} ({t.side})",
        8,
        True,
    )
    notes_h = inner.height() * 0.3
    _picture(
        painter,
        QRectF(inner.left(), y + 4, inner.width(), inner.bottom() - y - notes_h - 8),
        pictures,
        t,
        True,
    )
    y = inner.bottom() - notes_h
    y += _text(painter, QRectF(inner.left(), y, inner.width(), notes_h), t.notes, 7)
    source = "Sources: " + "; ".join(_short(c.citation) for c in m.sources)
    _text(
        painter, QRectF(inner.left(), y + 4, inner.width(), inner.bottom() - y - 4), source, 6, colour="#666"
    )
