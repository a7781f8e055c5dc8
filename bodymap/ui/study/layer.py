"""What study mode draws on the chart: the shown pattern or pain area, the student's drawing and click,
the feedback (hits, missed essential zone, extra area, then the true pattern) and the progress heat map.

Colours are Okabe-Ito (told apart with colour-vision deficiency), and each kind of area has its own
pattern too, so no answer depends on colour alone:
- hit: bluish green, solid;  missed essential zone: vermillion, cross-hatched;  extra: orange, dotted;
- the true pattern afterwards: a dark outline, solid for essential, dotted for spillover.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsSimpleTextItem,
)

from bodymap.core.chart.frame import View

from ..chart import style
from ..chart.layout import PLACEMENTS
from ..chart.overlay import AreasItem, XMark
from ..chart.pain_layer import PAIN
from ..chart.paths import area_path
from ..chart.scene import ChartScene

HIT = QColor("#009E73")
MISSED = QColor("#D55E00")
EXTRA = QColor("#E69F00")
PATTERN = QColor("#d62728")  # the atlas's first colour: red, as in the books
TRUE_EDGE = QColor("#222222")
DRAWING = QColor("#7b3294")  # the student's drawing: purple, apart from the chart's blue hover and pain
CLICK = QColor("#0072B2")
OTHER_TRP = QColor("#555555")  # the muscle's other trigger points, beside the asked one (red)
# Heat map: vermillion (forgotten) -> pale -> blue (remembered); diverging and colour-blind safe.
HEAT_LOW, HEAT_MID, HEAT_HIGH = QColor("#D55E00"), QColor("#f4f1de"), QColor("#0072B2")

LEGEND = (
    (HIT, "drawn in the essential zone"),
    (MISSED, "essential zone you missed"),
    (EXTRA, "drawn outside the pattern"),
)


def _alpha(c: QColor, a: float) -> QColor:
    out = QColor(c)
    out.setAlphaF(a)
    return out


HEAT_FLOOR = 0.7  # retrievability at or below this shows as forgotten; FSRS aims at 0.9 when due


def heat_colour(r: float) -> QColor:
    """Retrievability as a colour: vermillion at HEAT_FLOOR or less, pale halfway, blue at 1. FSRS's
    forgetting curve is flat (a card failed this morning is still about 85 % tonight), so the scale
    spans the range that tells cards apart, not 0-1."""
    x = max(0.0, min(1.0, (r - HEAT_FLOOR) / (1.0 - HEAT_FLOOR)))
    a, b, t = (HEAT_LOW, HEAT_MID, x / 0.5) if x < 0.5 else (HEAT_MID, HEAT_HIGH, (x - 0.5) / 0.5)
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


class StudyLayer:
    """Owns study's items on a chart scene, in named parts that are set and cleared independently.

    Each part's areas are painted by one cached item per view, in that view's layer (ChartScene.layer):
    the heat map and a card's pattern in "study", above the atlas's zones; the student's answer and the
    feedback in "answer", above pain drawings. So they show exactly when their view does, and the
    window can hide every other overlay while a card is open without hiding these."""

    PARTS = ("heat", "shown", "drawing", "feedback", "marks")
    LAYER = {"heat": "study", "shown": "study", "drawing": "answer", "feedback": "answer", "marks": "answer"}

    def __init__(self, scene: ChartScene):
        self.scene = scene
        self._areas: dict[tuple[str, View], AreasItem] = {}
        self._items: dict[str, list[QGraphicsItem]] = {p: [] for p in self.PARTS}
        self._entries: dict[str, dict[View, list]] = {p: {} for p in self.PARTS}
        self._visible = True

    # -- parts -----------------------------------------------------------------------------------

    def clear(self, *parts: str) -> None:
        for part in parts or self.PARTS:
            for item in self._items[part]:
                self.scene.removeItem(item)
            self._items[part] = []
            for view in self._entries[part]:
                self._areas[(part, view)].set_entries([])
            self._entries[part] = {}

    def count(self, part: str) -> int:
        """How many areas and items a part shows (tests)."""
        return sum(len(e) for e in self._entries[part].values()) + len(self._items[part])

    def _areas_item(self, part: str, view: View) -> AreasItem:
        key = (part, view)
        if key not in self._areas:
            item = AreasItem(self.PARTS.index(part))  # z within the layer: the parts' order
            item.setParentItem(self.scene.layer(view, self.LAYER[part]))
            item.setVisible(self._visible)
            self._areas[key] = item
        return self._areas[key]

    def _area(self, part: str, views: dict, brush: QBrush, pen: QPen) -> None:
        for view, g in views.items():
            if g is None or g.is_empty:
                continue
            entries = self._entries[part].setdefault(view, [])
            entries.append((area_path(g, PLACEMENTS[view]), brush, pen))
            self._areas_item(part, view).set_entries(list(entries))

    def _item(self, part: str, view: View, item: QGraphicsItem, z: float = 10.0) -> None:
        item.setZValue(z)
        item.setVisible(self._visible)
        item.setParentItem(self.scene.layer(view, self.LAYER[part]))
        self._items[part].append(item)

    def setVisible(self, visible: bool) -> None:
        self._visible = visible
        for item in self._areas.values():
            item.setVisible(visible)
        for items in self._items.values():
            for item in items:
                item.setVisible(visible)

    def isVisible(self) -> bool:
        return self._visible

    # -- what study shows ------------------------------------------------------------------------

    def show_pattern(self, essential: dict, spillover: dict, part: str = "shown") -> None:
        """A referral pattern as the atlas draws it: essential solid, spillover stippled."""
        edge = _alpha(PATTERN, 0.85)
        self._area(
            part,
            spillover,
            QBrush(_alpha(PATTERN, 0.8), Qt.BrushStyle.Dense6Pattern),
            style.cosmetic(edge, 0.7, Qt.PenStyle.DotLine),
        )
        self._area(part, essential, QBrush(_alpha(PATTERN, 0.5)), style.cosmetic(edge, 1.0))

    def show_pain(self, area: dict) -> None:
        """A patient's pain area (reverse cards): hatched dark blue, as the chart draws pain."""
        self._area("shown", area, QBrush(PAIN, Qt.BrushStyle.BDiagPattern), style.cosmetic(PAIN, 1.8))

    def show_trp(
        self, view: View, x: float, y: float, tip: str = "", color: QColor = PATTERN, scale: float = 1.0
    ) -> None:
        mark = XMark(color, tip)
        mark.setScale(scale)  # a picture's X grows with the picture (it keeps its screen size on the chart)
        mark.setPos(*PLACEMENTS[view].to_scene(x, y))
        self._item("marks", view, mark)

    def show_drawing(self, views: dict) -> None:
        self.clear("drawing")
        self._area(
            "drawing",
            views,
            QBrush(_alpha(DRAWING, 0.35)),
            style.cosmetic(DRAWING, 1.4),
        )

    def show_click(self, view: View, x: float, y: float) -> None:
        self.clear("drawing")
        s = 12.0
        dot = QGraphicsEllipseItem(-s / 2, -s / 2, s, s)
        dot.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        dot.setBrush(QBrush(CLICK))
        dot.setPen(QPen(QColor("white"), 2.0))
        dot.setPos(*PLACEMENTS[view].to_scene(x, y))
        self._item("drawing", view, dot)

    def show_feedback(self, hit: dict, missed: dict, extra: dict, essential: dict, spillover: dict) -> None:
        """Hits, missed essential zone and extra area, then the true pattern's outline on top."""
        self.clear("feedback")
        self._area("feedback", hit, QBrush(_alpha(HIT, 0.6)), style.cosmetic(HIT, 1.0))
        self._area(
            "feedback",
            missed,
            QBrush(_alpha(MISSED, 0.85), Qt.BrushStyle.DiagCrossPattern),
            style.cosmetic(MISSED, 1.0),
        )
        self._area(
            "feedback",
            extra,
            QBrush(_alpha(EXTRA, 0.9), Qt.BrushStyle.Dense4Pattern),
            style.cosmetic(EXTRA, 1.0),
        )
        no_fill = QBrush(Qt.BrushStyle.NoBrush)
        self._area("feedback", spillover, no_fill, style.cosmetic(TRUE_EDGE, 1.2, Qt.PenStyle.DotLine))
        self._area("feedback", essential, no_fill, style.cosmetic(TRUE_EDGE, 2.0))

    def show_distance(self, view: View, a: tuple[float, float], b: tuple[float, float], text: str) -> None:
        """A line from the click to the nearest trigger point, with the distance."""
        place = PLACEMENTS[view]
        line = QGraphicsLineItem(QLineF(QPointF(*place.to_scene(*a)), QPointF(*place.to_scene(*b))))
        line.setPen(style.cosmetic(CLICK, 1.6, Qt.PenStyle.DashLine))
        self._item("feedback", view, line)
        label = QGraphicsSimpleTextItem(text)
        font = QFont()
        font.setPointSizeF(11)
        font.setBold(True)
        label.setFont(font)
        label.setBrush(QBrush(CLICK))
        label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        mid = QPointF(*place.to_scene((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))
        label.setPos(mid + QPointF(6, -6))
        self._item("feedback", view, label)

    def show_heat(self, shapes: list[tuple[View, object, float, str]]) -> None:
        """Studied muscles' outlines filled by retrievability, largest first so small muscles stay
        visible on top (muscles not studied yet are left plain: they are not forgotten)."""
        self.clear("heat")
        for view, g, r, _tip in sorted(shapes, key=lambda s: -getattr(s[1], "area", 0.0)):
            c = heat_colour(r)
            self._area("heat", {view: g}, QBrush(_alpha(c, 0.75)), style.cosmetic(c.darker(130), 0.9))
