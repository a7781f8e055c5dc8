"""The charts of a report: the body with a visit's marks and pain drawings, drawn into an image at
print resolution, and the hatches that tell one drawing from another in black and white too."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QTransform

from bodymap.core.records.model import SYMPTOMS

from ...chart import style
from ...chart.marks_layer import MarksLayer
from ...chart.pain_layer import PainLayer
from .style import CHART_DPI, CHART_PX_PER_MM, DRAWING_STYLES

# --- the chart --------------------------------------------------------------------------------------


HATCH_PERIOD = 12.0  # scene units between hatch lines (1.3 mm on a full-width A4 chart; 1000 = stature)
HATCH_WIDTH = 0.22  # line width as a share of the period
HATCH_TINT = 28  # alpha of the light fill under the hatch


class DrawingLayer(PainLayer):
    """A pain layer for one drawing, in its own colour and hatch (the chart's layer draws only one style)."""

    def show(self, areas: dict, index: int, tip: str) -> None:
        color, _pattern = drawing_style(index)
        self.set_pain(areas, drawing_brush(index), style.cosmetic(color, 1.6), self.z - index * 0.01, tip)


def drawing_style(index: int) -> tuple[str, Qt.BrushStyle]:
    """Colour and hatch of a visit's `index`-th drawing: the first six as listed, then other pairings of
    the same colours and hatches, so no two of the first 36 look alike."""
    n = len(DRAWING_STYLES)
    color = DRAWING_STYLES[index % n][0]
    pattern = DRAWING_STYLES[(index + index // n) % n][1]
    return color, pattern


_HATCH_LINES = {
    Qt.BrushStyle.HorPattern: "h",
    Qt.BrushStyle.VerPattern: "v",
    Qt.BrushStyle.BDiagPattern: "b",
    Qt.BrushStyle.FDiagPattern: "f",
    Qt.BrushStyle.CrossPattern: "hv",
    Qt.BrushStyle.DiagCrossPattern: "bf",
}


def paint_hatch(p: QPainter, rect: QRectF, pattern: Qt.BrushStyle, color: QColor, period: float) -> None:
    """Hatch `rect` with lines `period` apart (device units), like Qt's pattern brush of that name but at
    a chosen scale (Qt draws its patterns 8 device pixels apart: 0.7 mm at 300 dpi, too fine to print)."""
    p.save()
    p.setClipRect(rect, Qt.ClipOperation.IntersectClip)
    tint = QColor(color)
    tint.setAlpha(HATCH_TINT)
    p.fillRect(rect, tint)
    pen = QPen(color, period * HATCH_WIDTH)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    p.setPen(pen)
    x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()

    def offsets(lo: float, hi: float):
        n = math.floor(lo / period - 0.5)
        while (n + 0.5) * period <= hi + period:
            yield (n + 0.5) * period
            n += 1

    for kind in _HATCH_LINES.get(pattern, "b"):
        if kind == "h":
            for y in offsets(y0, y1):
                p.drawLine(QPointF(x0, y), QPointF(x1, y))
        elif kind == "v":
            for x in offsets(x0, x1):
                p.drawLine(QPointF(x, y0), QPointF(x, y1))
        elif kind == "b":  # "/": x + y = c
            for c in offsets(x0 + y0, x1 + y1):
                p.drawLine(QPointF(c - y0 + period, y0 - period), QPointF(c - y1 - period, y1 + period))
        else:  # "\\": x - y = c
            for c in offsets(x0 - y1, x1 - y0):
                p.drawLine(QPointF(c + y0 - period, y0 - period), QPointF(c + y1 + period, y1 + period))
    p.restore()


_TILE = 24  # tile pixels per hatch period


def drawing_brush(index: int) -> QBrush:
    """The brush of a visit's `index`-th drawing on the chart: a light tint of its colour with its hatch,
    HATCH_PERIOD scene units apart. A texture, so it scales with the chart (Qt's pattern brushes stay 8
    device pixels apart whatever the scale)."""
    color, pattern = drawing_style(index)
    tile = QImage(2 * _TILE, 2 * _TILE, QImage.Format.Format_ARGB32_Premultiplied)
    tile.fill(Qt.GlobalColor.transparent)
    p = QPainter(tile)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_hatch(p, QRectF(0, 0, 2 * _TILE, 2 * _TILE), pattern, QColor(color), _TILE)
    p.end()
    brush = QBrush(tile)
    brush.setTransform(QTransform.fromScale(HATCH_PERIOD / _TILE, HATCH_PERIOD / _TILE))
    return brush


class Chart:
    """One chart scene (front, back, soles; no region borders) reused for every visit of a report."""

    def __init__(self, body):
        from ...chart.paint import paint_from_body
        from ...chart.scene import ChartScene

        self.scene = ChartScene(paint_from_body(body), body=body)
        self.scene.set_layer_visible("regions", False)
        self.source = self.scene.views_rect()
        self.marks = MarksLayer(self.scene)
        self.layers: list[DrawingLayer] = []

    def legend_room(self, target: QRectF, margin: float) -> QRectF:
        """Where the legend goes when the chart fills `target` on the page: the empty space between the
        head view and the soles, right of the back view, `margin` in from each side."""
        back = self.scene.views_rect(("back",))
        head = self.scene.views_rect(("head",))
        soles = self.scene.views_rect(("plantar",))
        free = QRectF(QPointF(back.right(), head.bottom()), QPointF(self.source.right(), soles.top()))
        k = target.width() / self.source.width()
        on_page = QRectF(
            target.left() + (free.left() - self.source.left()) * k,
            target.top() + (free.top() - self.source.top()) * k,
            free.width() * k,
            free.height() * k,
        )
        return on_page.adjusted(margin, margin, -margin, -margin)

    def show(self, marks, drawings) -> None:
        self.marks.set_marks(marks)
        while len(self.layers) < len(drawings):
            self.layers.append(DrawingLayer(self.scene))
        for i, layer in enumerate(self.layers):
            if i < len(drawings):
                d = drawings[i]
                layer.show(dict(d.areas), i, f"{SYMPTOMS[d.symptom]}")
            else:
                layer.show({}, i, "")

    def image(self, width_mm: float, device_dpi: float) -> QImage:
        """The chart as an image `width_mm` wide on paper: CHART_PX_PER_MM chart pixels per millimetre
        (this fixes the size of the marks, which the scene draws at a constant pixel size), rendered at
        up to CHART_DPI dots per inch."""
        src = self.source
        logical_w = width_mm * CHART_PX_PER_MM
        logical_h = logical_w * src.height() / src.width()
        dpi = min(max(device_dpi, 150.0), CHART_DPI)
        dpr = dpi / 25.4 / CHART_PX_PER_MM
        size = QSize(max(1, round(logical_w * dpr)), max(1, round(logical_h * dpr)))
        img = QImage(size, QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(dpr)
        img.fill(QColor("white"))
        p = QPainter(img)
        p.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.scene.render(p, QRectF(0, 0, logical_w, logical_h), src, Qt.AspectRatioMode.IgnoreAspectRatio)
        p.end()
        return img
