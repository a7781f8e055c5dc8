"""Grading an answer to a card: the right scoring rule for the card's kind, on the atlas's own zones."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from bodymap.core.atlas import TriggerPoint
from bodymap.core.chart.frame import View
from bodymap.core.lookup import LookupInputError
from bodymap.core.pain import PainArea

from .answers import (
    Answer,
    AnswerError,
    Choice,
    PointAnswer,
    choice_from_json,
    drawing_from_geojson,
    point_from_geojson,
)
from .cards import Card, Deck
from .scoring import Pattern, Score, score_choice, score_drawing, score_name, score_point

EXPECTS = {"zone": "a drawing", "point": "a point", "reverse": "a list of muscles", "name": "a muscle"}


@dataclass(frozen=True)
class Feedback:
    """What a drawing got right and wrong, per view, for the coloured overlay."""

    hit: dict[View, BaseGeometry]  # drawn inside the essential zone
    missed: dict[View, BaseGeometry]  # essential zone not drawn
    extra: dict[View, BaseGeometry]  # drawn outside essential and spillover zones


class Grader:
    """Scores answers to the cards of a deck. Build once; the zones' unions are kept."""

    def __init__(self, deck: Deck):
        self.deck = deck
        self._patterns: dict[str, Pattern] = {}

    def pattern(self, t: TriggerPoint) -> Pattern:
        """Essential ∪ spillover per view (prepared: every drawing is intersected with it)."""
        if t.key not in self._patterns:
            out: Pattern = {}
            for v in set(t.essential) | set(t.spillover):
                g = shapely.union_all([z for z in (t.essential.get(v), t.spillover.get(v)) if z is not None])
                shapely.prepare(g)
                out[v] = g
            self._patterns[t.key] = out
        return self._patterns[t.key]

    def clip(self, drawing: PainArea) -> PainArea:
        """The drawing on the body (empty if nothing of it is on the body)."""
        try:
            return PainArea(self.deck.lookup.clip(dict(drawing.views)))
        except LookupInputError:
            return PainArea({})

    def grade(self, card: Card, answer: Answer) -> Score:
        if card.kind == "zone" and isinstance(answer, PainArea):
            t = self.deck.trigger_point(card)
            return score_drawing(self.clip(answer).views, dict(t.essential), self.pattern(t), t.side)
        if card.kind == "point" and isinstance(answer, PointAnswer):
            return score_point(
                answer.view, answer.x, answer.y, self.deck.muscle_trps(card), self.deck.trigger_point(card)
            )
        if card.kind in ("reverse", "name") and isinstance(answer, Choice):
            choices = self.deck.choices(card)
            names = {m: self.deck.name(m) for m in set(choices.options) | set(answer.muscles)}
            rule = score_choice if card.kind == "reverse" else score_name
            return rule(set(answer.muscles), set(choices.accepted), names)
        raise AnswerError(f"card {card.id} asks for {EXPECTS[card.kind]}")

    def feedback(self, card: Card, drawing: PainArea) -> Feedback:
        t = self.deck.trigger_point(card)
        pattern = self.pattern(t)
        d = self.clip(drawing).views
        hit, missed, extra = {}, {}, {}
        for v, e in t.essential.items():
            got = d.get(v)
            h = shapely.intersection(got, e) if got is not None else shapely.Polygon()
            m = shapely.difference(e, got) if got is not None else e
            if not h.is_empty:
                hit[v] = h
            if not m.is_empty:
                missed[v] = m
        for v, got in d.items():
            x = shapely.difference(got, pattern[v]) if v in pattern else got
            if not x.is_empty:
                extra[v] = x
        return Feedback(hit, missed, extra)

    def read_answer(self, card: Card, obj: object) -> Answer:
        """An answer read from JSON, of the kind the card asks for."""
        if card.kind == "zone":
            return drawing_from_geojson(obj)
        if card.kind == "point":
            return point_from_geojson(obj)
        return choice_from_json(obj, self.deck.atlas)
