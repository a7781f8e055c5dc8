"""Draw layers in one fixed z-order, and the pens and brushes of the chart, defined in one place."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen


class Layer(IntEnum):
    """Back to front (docs/design.md, layers): outline < regions < referral zones < hazards < muscles < TrPs <
    patient marks < hover / preview; titles and R / L on top. Each is one layer of each view
    (ChartScene.layer); the lower-case name is the layer's name."""

    OUTLINE = 0
    REGIONS = 10
    LINES = 15
    LANDMARKS = 18
    ZONES = 20  # the atlas overlay: zones, hazards and muscle outlines, painted by one item per view
    STUDY = 22  # study mode: the progress heat map, a card's pattern or pain area (ui/study/layer.py)
    HAZARDS = 30
    MUSCLES = 40
    TRPS = 50
    PREVIOUS = 54  # the previous visit's drawing and marks, faint
    PAIN = 56  # a pain drawing (the visit's or the lookup's)
    UNEXPLAINED = 57  # what no lookup candidate explains
    ANSWER = 58  # study mode: the student's drawing or click, the feedback, the trigger points shown
    MARKS = 60
    POINT = 65  # where the Point tool was last clicked
    HOVER = 70
    LABELS = 80


def cosmetic(color: str | QColor, width: float = 1.0, style=Qt.PenStyle.SolidLine) -> QPen:
    """A pen whose width is in screen pixels whatever the zoom, so lines stay crisp."""
    pen = QPen(QColor(color), width, style)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    return pen


SKIN = QBrush(QColor("#f3ebe3"))
OUTLINE_PEN = cosmetic("#4a4440", 1.6)
REGION_PEN = cosmetic("#cbbfb4", 0.7)
LINE_PEN = cosmetic("#a89a8e", 0.9)
LANDMARK_BRUSH = QBrush(QColor("#6d5f8c"))
LANDMARK_PEN = cosmetic("#ffffff", 0.8)
HOVER_BRUSH = QBrush(QColor(70, 130, 200, 70))
HOVER_PEN = cosmetic("#2f6db5", 1.4)
TITLE_COLOR = QColor("#3a3a3a")
SIDE_COLOR = QColor("#b03a2e")
