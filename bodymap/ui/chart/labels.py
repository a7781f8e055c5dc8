"""The title and the R / L letters of each view, placed once for both the chart scene and the first
frame, so the two show them in the same places."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtGui import QColor, QFont, QFontMetricsF

from bodymap.core.chart.frame import View, x_sign

from . import style
from .layout import PLACEMENTS


@dataclass(frozen=True)
class Label:
    text: str
    font: QFont  # point size in scene units: it scales with the zoom like the body
    color: QColor
    x: float  # scene position of the text's top-left corner
    y: float
    width: float
    height: float
    ascent: float  # from the top to the baseline
    tip: str = ""


def _centred(text: str, size: float, color: QColor, cx: float, y: float, tip: str = "") -> Label:
    """A label centred on scene x `cx`, its top at scene y `y`."""
    font = QFont()
    font.setPointSizeF(size)
    font.setBold(True)
    metrics = QFontMetricsF(font)
    w = metrics.horizontalAdvance(text)
    return Label(text, font, color, cx - w / 2, y, w, metrics.height(), metrics.ascent(), tip)


def view_labels(view: View) -> list[Label]:
    """The view's title above the head (the soles: above the toes), and R / L on the patient's sides
    at the height of the head (the soles: beside each heel)."""
    place = PLACEMENTS[view]
    soles = view == "plantar"
    tx, ty = place.to_scene(0.0, 0.185 if soles else 1.06)
    title = _centred(place.title, 22, style.TITLE_COLOR, tx, ty)
    labels = [replace(title, y=ty - title.height)]  # its bottom on the line above the head
    for side, letter in (("right", "R"), ("left", "L")):
        sx, sy = place.to_scene(x_sign(view, side) * (0.06 if soles else 0.2), 0.17 if soles else 0.93)
        labels.append(_centred(letter, 13 if soles else 26, style.SIDE_COLOR, sx, sy, f"Patient's {side}"))
    return labels
