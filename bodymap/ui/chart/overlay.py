"""Atlas overlays on the chart: muscles, trigger points (X), essential zones (solid), spillover
zones (stippled), hazards (hatched), pain drawings, and a legend for teaching sheets."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsSimpleTextItem

from bodymap.core.atlas import Hazard, Muscle
from bodymap.core.chart.frame import Side, View

from . import style
from .layout import PLACEMENTS
from .paths import areas_path
from .scene import ChartScene

# Okabe-Ito colours (distinguishable with colour-vision deficiency); red first, as in the books.
PALETTE = ["#d62728", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#D55E00", "#6a3d9a"]
HAZARD_COLOR = QColor("#b8860b")
TRP_SIZE = 11.0  # screen pixels


def colour(index: int) -> QColor:
    return QColor(PALETTE[index % len(PALETTE)])


def _dashed(color: QColor) -> QPen:
    """A muscle's outline: long dashes with flat ends (round ends on short dashes made the outlines of
    a full atlas a third of its painting time)."""
    pen = style.cosmetic(color, 1.4)
    pen.setDashPattern([6.0, 5.0])
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
    return pen


class XMark(QGraphicsItem):
    """A trigger point: an X of constant screen size with a white halo, so it reads on any zone."""

    def __init__(self, color: QColor, tooltip: str):
        super().__init__()
        self.color = color
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setToolTip(tooltip)
        self.setZValue(style.Layer.TRPS)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:
        s = TRP_SIZE / 2 + 3
        return QRectF(-s, -s, 2 * s, 2 * s)

    def paint(self, painter, option, widget=None) -> None:
        s = TRP_SIZE / 2
        path = QPainterPath(QPointF(-s, -s))
        path.lineTo(s, s)
        path.moveTo(s, -s)
        path.lineTo(-s, s)
        painter.setPen(QPen(QColor("white"), 4.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPath(path)
        painter.setPen(QPen(self.color, 2.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPath(path)


class AreasItem(QGraphicsItem):
    """All overlay areas (zones, hazards, muscle outlines) painted by one item, in order.

    One item with a device-coordinate cache: after the first paint at a zoom level, repaints (hover,
    panning, marks) blit one pixmap instead of redrawing hundreds of translucent stippled paths."""

    def __init__(self, z: float):
        super().__init__()
        self.entries: list[tuple[QPainterPath, QBrush, QPen]] = []
        self._rect = QRectF()
        self.setZValue(z)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_entries(self, entries: list[tuple[QPainterPath, QBrush, QPen]]) -> None:
        self.prepareGeometryChange()
        self.entries = entries
        rect = QRectF()
        for path, _b, _p in entries:
            rect = rect.united(path.boundingRect())
        self._rect = rect.adjusted(-4, -4, 4, 4)
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter, option, widget=None) -> None:
        for path, brush, pen in self.entries:
            painter.setBrush(brush)
            painter.setPen(pen)
            painter.drawPath(path)


@dataclass
class Shown:
    muscle: Muscle
    color: QColor


class AtlasOverlay:
    """Owns the atlas's items on a chart scene. Callers say what to show; the overlay redraws itself.

    Each view's zones and trigger points go into that view's layers (ChartScene.layer), so they show
    exactly when the view does. A view's items are built when it is first shown after a change (a
    muscle chosen on the front view is drawn on the back when the back is shown), not before: building
    every view's paths for a selection that is only looked at on one would double the first frame."""

    def __init__(self, scene: ChartScene):
        self.scene = scene
        self.shown: list[Shown] = []
        self.sides: tuple[Side, ...] = ("right", "left")
        self.opacity = 0.45
        self.show_hazards = False
        self.hazards: list[Hazard] = []
        self.legend_visible = True
        self._areas: dict[View, AreasItem] = {}
        self._trps: dict[View, list[XMark]] = {}
        self._tips: dict[View, list[str]] = {}
        self._built: set[View] = set()
        self._legend_items: list[QGraphicsItem] = []
        scene.viewsChanged.connect(self._build_shown)

    # -- what to show ------------------------------------------------------------------------------

    def set_muscles(self, muscles: list[Muscle]) -> None:
        self.shown = [Shown(m, colour(i)) for i, m in enumerate(muscles)]
        self.redraw()

    def set_sides(self, sides: tuple[Side, ...]) -> None:
        self.sides = sides
        self.redraw()

    def set_opacity(self, opacity: float) -> None:
        self.opacity = max(0.05, min(1.0, opacity))
        self.redraw()

    def set_hazards(self, hazards: list[Hazard], visible: bool) -> None:
        self.hazards, self.show_hazards = hazards, visible
        self.redraw()

    def color_of(self, muscle_id: str) -> QColor | None:
        return next((s.color for s in self.shown if s.muscle.id == muscle_id), None)

    # -- what is drawn (for tests and hover help) ----------------------------------------------------

    @property
    def entries(self) -> list[tuple[QPainterPath, QBrush, QPen]]:
        """The painted areas of the shown views, in paint order per view."""
        return [e for v in self.scene.shown_views if v in self._areas for e in self._areas[v].entries]

    @property
    def area_tips(self) -> list[str]:
        """What each painted area of the shown views is, in the order of `entries`."""
        return [t for v in self.scene.shown_views for t in self._tips.get(v, [])]

    def tips(self, view: View) -> list[str]:
        """What each painted area of `view` is (empty until the view has been shown)."""
        return list(self._tips.get(view, []))

    @property
    def trp_items(self) -> list[XMark]:
        """The trigger points drawn on the shown views."""
        return [x for v in self.scene.shown_views for x in self._trps.get(v, [])]

    def update(self) -> None:
        """Repaint the areas (their screen caches are dropped)."""
        for item in self._areas.values():
            item.update()

    # -- drawing -------------------------------------------------------------------------------------

    def redraw(self) -> None:
        """Forget every view's items; build the shown views' now, the others when they are shown."""
        for view in list(self._built):
            self._clear(view)
        self._built.clear()
        self._build_shown()
        for item in self._legend_items:
            self.scene.removeItem(item)
        self._legend_items.clear()
        if self.shown and self.legend_visible:
            self._legend()

    def _clear(self, view: View) -> None:
        for x in self._trps.pop(view, []):
            self.scene.removeItem(x)
        if view in self._areas:
            self._areas[view].set_entries([])
        self._tips[view] = []

    def _build_shown(self, *_args) -> None:
        for view in self.scene.shown_views:
            if view not in self._built:
                self._build(view)
                self._built.add(view)

    def _build(self, view: View) -> None:
        place = PLACEMENTS[view]
        entries: list[tuple[float, int, QPainterPath, QBrush, QPen, str]] = []

        def area(geoms, brush: QBrush, pen: QPen, z: float, tip: str) -> None:
            # Painted by the view's one cached AreasItem, by layer, then in the order added.
            entries.append((z, len(entries), areas_path(geoms, place), brush, pen, tip))

        if self.show_hazards:
            brush = QBrush(HAZARD_COLOR, Qt.BrushStyle.FDiagPattern)
            pen = style.cosmetic(HAZARD_COLOR, 1.0, Qt.PenStyle.DashLine)
            for h in self.hazards:
                for side in self.sides:
                    if view in h.zones[side]:
                        area(
                            [h.zones[side][view]],
                            brush,
                            pen,
                            style.Layer.HAZARDS,
                            f"Hazard: {h.name} — risk of {h.at_risk}",
                        )
        trps: list[XMark] = []
        sides = " and ".join(self.sides) if len(self.sides) < 2 else "both sides"
        for s in self.shown:
            fill = QColor(s.color)
            fill.setAlphaF(self.opacity)
            stipple = QColor(s.color)
            stipple.setAlphaF(min(1.0, self.opacity + 0.35))
            edge = QColor(s.color)
            edge.setAlphaF(0.8)
            points = [t for side in self.sides for t in s.muscle.trps(side)]
            # One path per muscle and kind of zone: its trigger points' zones overlap, and a translucent
            # fill painted once per zone darkened the overlaps and took most of the painting time.
            spill = [t.spillover[view] for t in points if view in t.spillover]
            ess = [t.essential[view] for t in points if view in t.essential]
            outline = [
                s.muscle.outlines[side][view] for side in self.sides if view in s.muscle.outlines[side]
            ]
            if spill:
                # Stippled without an edge, as the books draw spillover.
                area(
                    spill,
                    QBrush(stipple, Qt.BrushStyle.Dense6Pattern),
                    QPen(Qt.PenStyle.NoPen),
                    style.Layer.ZONES,
                    f"{s.muscle.name} ({sides}): spillover zone",
                )
            if ess:
                area(
                    ess,
                    QBrush(fill),
                    style.cosmetic(edge, 0.8),
                    style.Layer.ZONES + 1,
                    f"{s.muscle.name} ({sides}): essential zone",
                )
            if outline:
                area(
                    outline,
                    QBrush(Qt.BrushStyle.NoBrush),
                    _dashed(s.color),
                    style.Layer.MUSCLES,
                    f"{s.muscle.name} ({sides})",
                )
            for t in points:
                if t.view == view:
                    x = XMark(s.color, f"{s.muscle.name} {t.name} ({t.side})")
                    x.setPos(*place.to_scene(*t.point))
                    x.setParentItem(self.scene.layer(view, "trps"))
                    trps.append(x)
        entries.sort(key=lambda e: (e[0], e[1]))
        if view not in self._areas:
            self._areas[view] = AreasItem(0)
            self._areas[view].setParentItem(self.scene.layer(view, "zones"))
        self._areas[view].set_entries([(path, brush, pen) for _z, _i, path, brush, pen, _t in entries])
        self._tips[view] = [tip for *_rest, tip in entries]
        self._trps[view] = trps

    def _legend(self) -> None:
        """A legend above the figures (teaching sheets): colours, what solid / stippled / ✕ mean, sides."""
        rect = self.scene.views_rect()
        font = QFont()
        font.setPointSizeF(11)
        rows = [(s.color, s.muscle.name) for s in self.shown]
        rows.append((None, "solid: essential zone · stippled: spillover · ✕ trigger point"))
        sides = {("right", "left"): "both sides", ("right",): "patient's right", ("left",): "patient's left"}
        rows.append((None, f"shown on: {sides.get(tuple(self.sides), ', '.join(self.sides))}"))
        x0, y = rect.left() + 16, rect.top() - 22 * len(rows) - 8
        self._legend_rect = QRectF(x0 - 8, y - 8, 10, 22 * len(rows) + 8)
        for color, text in rows:
            if color is not None:
                sw = QGraphicsRectItem(QRectF(x0, y + 3, 18, 12))
                c = QColor(color)
                c.setAlphaF(max(self.opacity, 0.5))
                sw.setBrush(QBrush(c))
                sw.setPen(style.cosmetic(color, 1.0))
                self._add_legend(sw)
            label = QGraphicsSimpleTextItem(text)
            label.setFont(font)
            label.setBrush(QBrush(style.TITLE_COLOR))
            label.setPos(x0 + (26 if color is not None else 0), y)
            self._add_legend(label)
            self._legend_rect = self._legend_rect.united(label.sceneBoundingRect().adjusted(0, 0, 8, 8))
            y += 22

    def _add_legend(self, item: QGraphicsItem) -> None:
        item.setZValue(style.Layer.LABELS)
        self.scene.addItem(item)
        self._legend_items.append(item)

    def picture_rect(self) -> QRectF:
        """The shown views with the legend, for rendering a teaching sheet."""
        rect = self.scene.views_rect()
        legend = getattr(self, "_legend_rect", None)
        return rect.united(legend) if legend is not None and self.shown and self.legend_visible else rect

    def hazards_at(self, view: View, x: float, y: float) -> list[Hazard]:
        """The shown hazards under a body point, on the sides shown (for the status bar on hover)."""
        if not self.show_hazards:
            return []
        from bodymap.core.atlas.hazards import hazards_at

        return hazards_at(self.hazards, view, x, y, self.sides)
