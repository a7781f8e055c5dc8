"""What the chart paints, as Qt painter paths, cached on disk so the first window paints without
building any geometry (the geometry core loads right after, for hover, the atlas and the lookup).

The cache file is checked with the same fingerprint as the geometry cache (data and core code)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QDataStream, QIODevice
from PySide6.QtGui import QPainterPath

from bodymap.core.cache import cache_dir, data_fingerprint
from bodymap.core.frame import VIEWS

from .layout import PLACEMENTS

if TYPE_CHECKING:
    from bodymap.core.body import Body

MAGIC = "bodymap-chart-paint-1"


@dataclass
class ViewPaint:
    outline: QPainterPath
    regions: QPainterPath
    lines: QPainterPath
    landmarks: list[tuple[float, float, str]] = field(default_factory=list)  # scene x, y, label


@dataclass
class ChartPaint:
    views: dict[str, ViewPaint]


def paint_from_body(body: "Body") -> ChartPaint:
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


def _write(paint: ChartPaint, key: str) -> QByteArray:
    data = QByteArray()
    s = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    s.writeQString(MAGIC)
    s.writeQString(key)
    for view in VIEWS:
        vp = paint.views[view]
        s << vp.outline << vp.regions << vp.lines
        s.writeInt32(len(vp.landmarks))
        for x, y, label in vp.landmarks:
            s.writeDouble(x)
            s.writeDouble(y)
            s.writeQString(label)
    return data


def _read(data: QByteArray, key: str) -> ChartPaint | None:
    s = QDataStream(data, QIODevice.OpenModeFlag.ReadOnly)
    if s.readQString() != MAGIC or s.readQString() != key:
        return None
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
    """The chart's paths from the cache, or built from the body (and cached) when the data changed."""
    key = data_fingerprint()
    path = cache_dir() / f"chart-{key}.qds"
    if not os.environ.get("BODYMAP_NO_CACHE"):
        try:
            paint = _read(QByteArray(path.read_bytes()), key)
            if paint is not None:
                return paint
        except OSError:
            pass
    paint = paint_from_body(build_body())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("chart-*.qds"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".chart-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(bytes(_write(paint, key)))
        os.replace(tmp, path)
    except OSError:
        pass
    return paint
