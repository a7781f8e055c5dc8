"""Pictures of one trigger point for the Anki deck and the printed flashcards: the chart around it with
the trigger point marked, with its referral pattern, and bare (under the image-occlusion masks). All
three share one framing: the trigger point and its zones, with room around them, and R / L letters on
the patient's sides, since a cropped chart loses the view's own letters."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem

from bodymap.core.atlas import TriggerPoint
from bodymap.core.chart.body import Body
from bodymap.core.chart.frame import PAIRED_SIDES, VIEWS, x_sign
from bodymap.core.study.deck import NoteImages

from ..chart import style
from ..chart.layout import PLACEMENTS, UNIT
from ..chart.paint import paint_from_body
from ..chart.scene import ChartScene
from ..render import _paint
from .layer import StudyLayer

MARGIN = 45.0  # scene units (4.5 % of stature) around the pattern
MIN_HEIGHT, MIN_WIDTH = 300.0, 260.0
ASPECTS = (0.62, 1.5)  # width / height kept within these, so cards are neither slivers nor banners
BAND = 0.08  # the band of titles and letters along the top, as a share of the picture's height
PNG_QUALITY = 20  # Qt's scale: lower compresses harder (0 is zlib's slowest level, for ~5 % less)
SIDE_SHOWN = 12.0  # scene units: a picture showing less of a side than this does not letter it


def frame(t: TriggerPoint) -> QRectF:
    """The scene rectangle around a trigger point and its zones."""
    rect = QRectF()
    for zones in (t.essential, t.spillover):
        for view, g in zones.items():
            minx, miny, maxx, maxy = g.bounds
            place = PLACEMENTS[view]
            (x0, y0), (x1, y1) = place.to_scene(minx, maxy), place.to_scene(maxx, miny)
            rect = rect.united(QRectF(x0, y0, x1 - x0, y1 - y0))
    px, py = PLACEMENTS[t.view].to_scene(*t.point)
    rect = rect.united(QRectF(px - 1, py - 1, 2, 2))
    rect = rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    w, h = max(rect.width(), MIN_WIDTH), max(rect.height(), MIN_HEIGHT)
    w, h = max(w, h * ASPECTS[0]), max(h, w / ASPECTS[1])
    c = rect.center()
    rect = QRectF(c.x() - w / 2, c.y() - h / 2, w, h)
    return rect.adjusted(0, -rect.height() * BAND, 0, 0)  # room for the band of titles and letters


def _palette(image: QImage) -> QImage:
    """The picture with its 256 commonest colours (a chart is flat colours; anti-aliased edges take the
    nearest): half the size of 24-bit RGB, and Qt's own 8-bit conversion turns the skin yellow."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    px = np.frombuffer(rgb.constBits(), np.uint32).reshape(rgb.height(), rgb.bytesPerLine() // 4)
    values, counts = np.unique(px[:, : rgb.width()], return_counts=True)
    table = [int(v) for v in values[np.argsort(-counts)[:256]]]
    flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
    return rgb.convertToFormat(QImage.Format.Format_Indexed8, table, flags)


class Pictures:
    """Renders the pictures of trigger points with one scene, reused for each."""

    def __init__(self, body: Body, width_px: int = 560):
        self.width_px = width_px
        self.scene = ChartScene(paint_from_body(body), body=body)
        self.scene.set_views(VIEWS)
        self.scene.set_layer_visible("labels", False)  # a crop would cut them: _side_letters says it
        self.layer = StudyLayer(self.scene)
        self._letters: list[QGraphicsItem] = []
        self.folder = Path(tempfile.mkdtemp(prefix="bodymap-pictures-"))

    def _side_letters(self, rect: QRectF) -> None:
        """A white band along the top with, for each view in the picture, its title and R / L on the
        patient's sides that the picture shows (a crop of one foot says only R)."""
        for item in self._letters:
            self.scene.removeItem(item)
        self._letters = []
        font = QFont()
        font.setBold(True)
        font.setPointSizeF(rect.height() * 0.04)
        pad = rect.height() * 0.015
        band = QGraphicsRectItem(QRectF(rect.left(), rect.top(), rect.width(), rect.height() * BAND))
        band.setBrush(QBrush(QColor(255, 255, 255, 235)))
        band.setPen(QPen(Qt.PenStyle.NoPen))
        band.setZValue(style.Layer.LABELS - 1)
        self.scene.addItem(band)
        self._letters.append(band)
        for view in VIEWS:
            place = PLACEMENTS[view]
            half = place.half_width * UNIT
            left, right = max(rect.left(), place.origin_x - half), min(rect.right(), place.origin_x + half)
            top, bottom = max(rect.top(), -place.top * UNIT), min(rect.bottom(), -place.bottom * UNIT)
            if (
                right - left < rect.width() * 0.15 or bottom <= top
            ):  # the head view and the soles share a column
                continue
            sides = [
                s
                for s in PAIRED_SIDES
                if (right - place.origin_x if x_sign(view, s) > 0 else place.origin_x - left) > SIDE_SHOWN
            ]
            for side in (*sides, None):
                text = place.title.split(" (")[0] if side is None else "R" if side == "right" else "L"
                item = QGraphicsSimpleTextItem(text)
                item.setFont(font)
                item.setBrush(QBrush(style.TITLE_COLOR if side is None else style.SIDE_COLOR))
                if side is not None:
                    item.setToolTip(f"Patient's {side}")
                w = item.boundingRect().width()
                if side is None:
                    x = (left + right - w) / 2
                else:
                    x = right - w - pad if x_sign(view, side) > 0 else left + pad
                item.setPos(x, rect.top() + pad * 0.5)
                item.setZValue(style.Layer.LABELS)
                self.scene.addItem(item)
                self._letters.append(item)

    def _image(self, rect: QRectF) -> QImage:
        height_px = max(1, round(self.width_px * rect.height() / rect.width()))
        image = QImage(self.width_px, height_px, QImage.Format.Format_RGB32)
        image.fill(0xFFFFFF)
        painter = QPainter(image)
        _paint(painter, self.scene, QRectF(0, 0, self.width_px, height_px), rect)
        return image

    def image(self, t: TriggerPoint, pattern: bool) -> QImage:
        """One picture of a trigger point, with its pattern or without (the printed flashcards)."""
        rect = frame(t)
        self._side_letters(rect)
        self.show(t, pattern=pattern, mark=True)
        return _palette(self._image(rect))

    def _write(self, rect: QRectF, name: str) -> tuple[Path, float]:
        image = self._image(rect)
        height_px = image.height()
        path = self.folder / name
        if not _palette(image).save(str(path), "PNG", PNG_QUALITY):
            raise OSError(f"could not write {path}")
        return path, height_px / self.width_px

    def show(self, t: TriggerPoint, pattern: bool, mark: bool) -> None:
        self.layer.clear()
        if pattern:
            self.layer.show_pattern(t.essential, t.spillover)
        if mark:
            self.layer.show_trp(t.view, *t.point, scale=self.width_px / 320)

    def render(self, t: TriggerPoint) -> NoteImages:
        rect = frame(t)
        self._side_letters(rect)
        stem = f"{t.muscle}-{t.id}-{t.side}"
        self.show(t, pattern=False, mark=True)
        chart, aspect = self._write(rect, f"{stem}-chart.png")
        self.show(t, pattern=True, mark=True)
        pattern, _ = self._write(rect, f"{stem}-pattern.png")
        self.show(t, pattern=False, mark=False)
        blank, _ = self._write(rect, f"{stem}-blank.png")
        return NoteImages(chart, pattern, blank, aspect, self.masks(t, rect))

    def masks(self, t: TriggerPoint, rect: QRectF) -> tuple[tuple[tuple[float, float], ...], ...]:
        """The essential zone's outlines in 0-1 coordinates of the picture (y down)."""
        out = []
        for view, g in t.essential.items():
            place = PLACEMENTS[view]
            for poly in getattr(g, "geoms", [g]):
                if poly.geom_type != "Polygon" or poly.is_empty:
                    continue
                pts = []
                for x, y in poly.exterior.coords:
                    sx, sy = place.to_scene(x, y)
                    pts.append(((sx - rect.left()) / rect.width(), (sy - rect.top()) / rect.height()))
                out.append(tuple(pts))
        return tuple(out)
