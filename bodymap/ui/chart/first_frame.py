"""The chart's first frame: a recording of the fitted chart, replayed in the window's first paint
before the chart scene, its view and the rest of the window are built.

Start-up is measured to the first painted window (issue 2: within 1.5x a bare PySide6 window), and
building the interactive chart, with the Qt types it needs, costs more than that whole budget. So the
window first shows this plain widget, which replays a QPicture recorded when the chart's cache was
built (paint.py) and kept in the cache; MainWindow.assemble() replaces it right after it has painted.
It takes no input.

This module is on the way to the first paint, so it imports little, and painting must not load Qt's
`Qt` namespace: PySide6 builds its ~90 enum types on first use, ~35 ms. Not only `Qt.X` loads it, but
any call Qt could also take a `Qt` enum in, such as QPainter.setPen / setBrush / fillRect or
QBrush(QColor), whose overloads PySide6 checks; replaying a picture does not."""

from __future__ import annotations

import struct

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPalette, QPicture
from PySide6.QtWidgets import QWidget

from bodymap.core import cache

from .cache_key import chart_key

CACHE_FILE = "first-frame.picture"
HINTS = QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
Recording = tuple[QPicture, QRectF]  # the picture, and the scene rectangle it shows


def record(paint) -> Recording:
    """The fitted chart (all views) drawn into a picture, with the scene rectangle it shows.

    It draws what ChartScene shows at first (outline, regions, orientation lines, titles, R / L), with
    the same pens and labels. Not through QGraphicsScene.render(): that clips every item, and the
    recorded clips made the replay five times slower (46 ms against 9 ms at 1400 x 860)."""
    from PySide6.QtGui import QBrush

    from . import style
    from .labels import view_labels
    from .layout import MARGIN

    picture = QPicture()
    p = QPainter(picture)
    p.setRenderHints(HINTS)  # recorded too: the replay draws smooth lines
    rect = QRectF()
    for view, vp in paint.views.items():
        p.setPen(style.OUTLINE_PEN)
        p.setBrush(style.SKIN)
        p.drawPath(vp.outline)
        p.setBrush(QBrush())  # no fill
        p.setPen(style.REGION_PEN)
        p.drawPath(vp.regions)
        p.setPen(style.LINE_PEN)
        p.drawPath(vp.lines)
        rect = rect.united(vp.outline.boundingRect()).united(vp.lines.boundingRect())
        for label in view_labels(view):
            p.setFont(label.font)
            p.setPen(label.color)
            p.drawText(QPointF(label.x, label.y + label.ascent), label.text)
            rect = rect.united(QRectF(label.x, label.y, label.width, label.height))
    p.end()
    return picture, rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def save(recording: Recording) -> None:
    picture, rect = recording
    cache.write(CACHE_FILE, chart_key(), struct.pack("<4d", *rect.getRect()) + bytes(picture.data()))


def load() -> Recording | None:
    """The cached first frame, or None when there is none for this data and code."""
    payload = cache.read(CACHE_FILE, chart_key())
    if payload is None or len(payload) <= 32:
        return None
    picture = QPicture()
    picture.setData(payload[32:])
    return None if picture.isNull() else (picture, QRectF(*struct.unpack("<4d", payload[:32])))


class FirstFrame(QWidget):
    def __init__(self, recording: Recording | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.recording = recording  # None: a window built for tests, assembled before it shows
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("white"))  # as the chart's background
        self.setPalette(palette)
        self.setAutoFillBackground(True)

    def paintEvent(self, event) -> None:
        if self.recording is None:
            return
        picture, r = self.recording
        scale = min(self.width() / r.width(), self.height() / r.height())  # as the chart fits itself
        p = QPainter(self)
        p.setRenderHints(HINTS)
        p.translate(QPointF(self.width() / 2, self.height() / 2))
        p.scale(scale, scale)
        p.translate(-r.center())
        p.drawPicture(QPointF(0, 0), picture)
        p.end()
