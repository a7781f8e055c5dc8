"""The report's page, fonts and colours, and the small helpers every part of it uses."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

Progress = Callable[[int, int], bool]

MARGIN_MM = 15.0
PDF_DPI = 300
CHART_DPI = 300  # the charts are images: at most this many dots per inch on paper
CHART_PX_PER_MM = 4.4  # the chart's own pixels per mm on paper: a mark (13 of them across) is 3 mm wide

TEXT = QColor("#1d1d1d")
MUTED = QColor("#5f6368")
RULE = QColor("#9aa0a6")
HEADER_BG = QColor("#eceff2")
ZEBRA = QColor("#f6f7f8")
ALERT = QColor("#9b2c20")  # precautions present, consent missing or withdrawn
ALERT_BG = QColor("#fbeae7")
CLEAR_BG = QColor("#f3f5f4")


# One style per pain drawing of a visit, in order: colour and hatch differ, so overlapping drawings
# (pain and tingling, say) stay apart; the first is the chart's own pain style.
DRAWING_STYLES: tuple[tuple[str, Qt.BrushStyle], ...] = (
    ("#1f3a93", Qt.BrushStyle.BDiagPattern),
    ("#0b7a5a", Qt.BrushStyle.FDiagPattern),
    ("#7d3c98", Qt.BrushStyle.HorPattern),
    ("#a8650a", Qt.BrushStyle.VerPattern),
    ("#127a8a", Qt.BrushStyle.CrossPattern),
    ("#4d4d4d", Qt.BrushStyle.DiagCrossPattern),
)

WRAP = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)


class ReportCancelled(Exception):
    """The report was cancelled from its progress callback; no file was written."""


# --- small helpers ----------------------------------------------------------------------------------


def make_font(points: float, bold: bool = False, italic: bool = False) -> QFont:
    f = QFont()
    f.setStyleHint(QFont.StyleHint.SansSerif)
    f.setPointSizeF(points)
    f.setBold(bold)
    f.setItalic(italic)
    return f


def score_text(v: int | None) -> str:
    return "not recorded" if v is None else f"{v}/10"
