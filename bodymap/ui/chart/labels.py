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
    """The view's title above it, and R / L on the patient's sides: beside the head on the front and
    back views, under each profile on the head view, beside each heel on the soles."""
    place = PLACEMENTS[view]
    title_y, letter_size, letters = {
        "plantar": (0.185, 16, (0.105, 0.07)),
        "head": (1.06, 20, (0.11, 0.795)),
    }.get(view, (1.06, 26, (0.2, 0.93)))
    tx, ty = place.to_scene(0.0, title_y)
    title = _centred(place.title, 22, style.TITLE_COLOR, tx, ty)
    labels = [replace(title, y=ty - title.height)]  # its bottom on the line above the view
    for side, letter in (("right", "R"), ("left", "L")):
        sx, sy = place.to_scene(x_sign(view, side) * letters[0], letters[1])
        labels.append(_centred(letter, letter_size, style.SIDE_COLOR, sx, sy, f"Patient's {side}"))
    return labels
