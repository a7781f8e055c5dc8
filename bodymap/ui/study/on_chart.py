"""A study card on the chart: which views it shows and where it zooms, what it shows while the student
studies (Learn's preview) or answers, and the answer's feedback after it is scored (the session itself
is mode.py's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF

from bodymap.core.chart.frame import VIEWS, View
from bodymap.core.pain import PainArea
from bodymap.core.study import Card, Deck, PointAnswer, Score
from bodymap.core.study.scoring import cm_text

from ..chart.layout import PLACEMENTS
from .images import frame
from .layer import OTHER_TRP, PATTERN, StudyLayer

if TYPE_CHECKING:
    from bodymap.core.study import Study

    from ..chart.view import ChartView

MAX_ZOOM = 6.0  # onto a card's pattern or feedback: more would lose where on the body it is
POINT_MARGIN = 120.0  # scene units (12 % of stature) around a point card's feedback


def scene_rect(view: View, bounds: tuple[float, float, float, float]) -> QRectF:
    """The scene rectangle of body-frame bounds (minx, miny, maxx, maxy) on a view."""
    place = PLACEMENTS[view]
    (x0, y0), (x1, y1) = place.to_scene(bounds[0], bounds[3]), place.to_scene(bounds[2], bounds[1])
    return QRectF(x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0))


class CardOnChart:
    def __init__(
        self,
        chart: ChartView,
        layer: StudyLayer,
        deck: Callable[[], Deck],
        show_views: Callable[[tuple[View, ...]], None],
    ):
        self.chart, self.layer, self.deck, self.show_views = chart, layer, deck, show_views
        self.scene = chart.chart

    def preview(self, card: Card) -> None:
        """Learn: the answer first (the pattern, the trigger point), to study."""
        deck = self.deck()
        self.views_for(card, preview=True)
        if card.muscle is not None:
            t = deck.trigger_point(card)
            if card.kind == "reverse":
                self.layer.show_pain(dict(t.essential))
            else:
                self.layer.show_pattern(dict(t.essential), dict(t.spillover))
            self.layer.show_trp(t.view, *t.point, tip=f"{deck.name(t.muscle)}, {t.name}")

    def ask(self, card: Card) -> None:
        """What the question shows: the pain or pattern to reason from, or the trigger point whose zone
        is asked (where it lies is not the answer)."""
        self.layer.clear()
        deck = self.deck()
        self.views_for(card, preview=False)
        if card.kind in ("reverse", "name") and card.muscle is not None:
            essential, spillover = deck.shown(card)
            if card.kind == "reverse":
                self.layer.show_pain(essential)
            else:
                self.layer.show_pattern(essential, spillover)
        elif card.kind == "zone":
            t = deck.trigger_point(card)
            self.layer.show_trp(t.view, *t.point)

    def views_for(self, card: Card, preview: bool) -> None:
        """Zone and point cards show every view (which view holds the answer is part of it); a shown
        pattern's views otherwise."""
        deck = self.deck()
        if card.kind in ("zone", "point") and not preview:
            views = VIEWS
        elif card.muscle is not None:
            t = deck.trigger_point(card)
            if preview:
                seen = {t.view, *t.essential, *t.spillover}
            else:  # only what the card shows: the views of the trigger point's own would hint at it
                essential, spillover = deck.shown(card)
                seen = {*essential, *spillover}
            views = tuple(v for v in VIEWS if v in seen)
        else:
            self.chart.fit()
            return
        if tuple(self.scene.shown_views) != tuple(views):
            self.show_views(views)  # fits them
        else:
            self.chart.fit()  # undo the zoom of the last card's feedback
        if card.muscle is not None and preview:
            self.zoom_to(frame(deck.trigger_point(card)))
        elif card.muscle is not None and card.kind in ("reverse", "name"):
            rect = QRectF()
            for zones in deck.shown(card):
                for view, g in zones.items():
                    rect = rect.united(scene_rect(view, g.bounds))
            c = rect.center()  # with room around it, as the deck's pictures have
            w, h = max(rect.width() + 90, 260.0), max(rect.height() + 90, 300.0)
            self.zoom_to(QRectF(c.x() - w / 2, c.y() - h / 2, w, h))

    def zoom_to(self, rect: QRectF) -> None:
        """Zoom the fitted chart onto a scene rectangle (a shown pattern, the feedback), so a small
        zone is seen in detail; the student can zoom out (0 fits)."""
        vp = self.chart.viewport().rect()
        if rect.isEmpty() or vp.isEmpty():
            return
        want = 0.92 * min(vp.width() / rect.width(), vp.height() / rect.height())
        factor = min(MAX_ZOOM, want / self.chart.transform().m11())
        if factor > 1.05:
            self.chart.zoom_by(factor)
        self.chart.centerOn(rect.center())

    def feedback(
        self, card: Card, answer: object, score: Score, study: Study | None, drawn: PainArea
    ) -> set[str] | None:
        """The answer on the chart, zoomed onto it (and onto what was `drawn`, given up or not): a
        drawing's hits, misses and extra area with the true pattern; a click's distance to the nearest
        trigger point. Returns the right muscles of a choice card, for the list."""
        deck = self.deck()
        if card.kind == "zone":
            t = deck.trigger_point(card)
            drawing = answer if isinstance(answer, PainArea) else PainArea({})
            if study is not None:
                fb = study.grader.feedback(card, drawing)
                self.layer.show_feedback(fb.hit, fb.missed, fb.extra, dict(t.essential), dict(t.spillover))
            rect = frame(t)
            for view, g in drawn.views.items():
                rect = rect.united(scene_rect(view, g.bounds))
            self.layer.clear("drawing")
            self.layer.show_trp(t.view, *t.point)
            self.zoom_to(rect)
            return None
        if card.kind == "point":
            self._point_feedback(card, answer, score)
            return None
        if card.kind == "name" and card.muscle is not None:
            t = deck.trigger_point(card)
            self.layer.show_trp(t.view, *t.point, tip=deck.name(t.muscle))
        return set(deck.choices(card).accepted)

    def _point_feedback(self, card: Card, answer: object, score: Score) -> None:
        deck = self.deck()
        trps = deck.muscle_trps(card)
        asked = deck.trigger_point(card)
        for o in trps:  # the asked one in red, the muscle's others in grey (the nearest counts)
            colour = PATTERN if o == asked else OTHER_TRP
            self.layer.show_trp(o.view, *o.point, tip=o.name, color=colour)
        rect = QRectF()
        for o in trps:
            rect = rect.united(scene_rect(o.view, (*o.point, *o.point)))
        wanted = {o.view for o in trps}
        if isinstance(answer, PointAnswer):
            wanted.add(answer.view)
            a = (answer.x, answer.y)
            rect = rect.united(scene_rect(answer.view, (*a, *a)))
            here = [o for o in trps if o.view == answer.view]
            if here:
                near = min(here, key=lambda o: (o.point[0] - a[0]) ** 2 + (o.point[1] - a[1]) ** 2)
                cm = score.details.get("distance_cm")
                self.layer.show_distance(answer.view, a, near.point, cm_text(float(cm or 0.0)))
        views = tuple(v for v in VIEWS if v in wanted)
        if tuple(self.scene.shown_views) != views:
            self.show_views(views)
        self.zoom_to(rect.adjusted(-POINT_MARGIN, -POINT_MARGIN, POINT_MARGIN, POINT_MARGIN))
