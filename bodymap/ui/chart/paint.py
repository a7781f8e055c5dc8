"""What the chart paints, as Qt painter paths, cached on disk so the window builds its chart without
building any geometry (the geometry core loads right after, for hover, the atlas and the lookup).

The cache is checked with the chart's key (cache_key.py): a change to the data, the core or the chart
code, or another Qt, rebuilds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QDataStream, QIODevice
from PySide6.QtGui import QPainterPath

from bodymap.core import cache
from bodymap.core.chart.frame import VIEWS

from .cache_key import chart_key
from .layout import PLACEMENTS

if TYPE_CHECKING:
    from bodymap.core.chart.body import Body

CACHE_FILE = "chart.paths"


@dataclass
class ViewPaint:
    outline: QPainterPath
    regions: QPainterPath
    lines: QPainterPath
    landmarks: list[tuple[float, float, str]] = field(default_factory=list)  # scene x, y, label


@dataclass
class ChartPaint:
    views: dict[str, ViewPaint]


def paint_from_body(body: Body) -> ChartPaint:
    from .paths import area_path, line_path

    views = {}
    for view in VIEWS:
        place = PLACEMENTS[view]
        bv = body[view]
        regions = QPainterPath()
        for r in bv.regions:
            regions.addPath(area_path(r.geometry, place))
        lines = QPainterPath()
        for ln in bv.lines:
            lines.addPath(line_path(ln.coords, place, ln.closed))
        marks = [(*place.to_scene(*m.point), m.label) for m in bv.landmarks]
        views[view] = ViewPaint(area_path(bv.outline, place), regions, lines, marks)
    return ChartPaint(views)


def _write(paint: ChartPaint) -> bytes:
    data = QByteArray()
    s = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    for view in VIEWS:
        vp = paint.views[view]
        s << vp.outline << vp.regions << vp.lines
        s.writeInt32(len(vp.landmarks))
        for x, y, label in vp.landmarks:
            s.writeDouble(x)
            s.writeDouble(y)
            s.writeQString(label)
    return bytes(data)


def _read(payload: bytes) -> ChartPaint | None:
    data = QByteArray(payload)  # held here: the stream reads it through a pointer
    s = QDataStream(data, QIODevice.OpenModeFlag.ReadOnly)
    views = {}
    for view in VIEWS:
        outline, regions, lines = QPainterPath(), QPainterPath(), QPainterPath()
        s >> outline >> regions >> lines
        n = s.readInt32()
        marks = [(s.readDouble(), s.readDouble(), s.readQString()) for _ in range(n)]
        views[view] = ViewPaint(outline, regions, lines, marks)
    if s.status() != QDataStream.Status.Ok:
        return None
    return ChartPaint(views)


def load_chart_paint(build_body) -> ChartPaint:
    """The chart's paths from the cache, or built from the body (and cached) when the data or the code
    changed."""
    payload = cache.read(CACHE_FILE, chart_key())
    paint = _read(payload) if payload is not None else None
    if paint is None:
        paint = paint_from_body(build_body())
        cache.write(CACHE_FILE, chart_key(), _write(paint))
    return paint
