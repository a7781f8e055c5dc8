"""Study cards, generated from the atlas: four kinds for every trigger point and side, and clinical cases.

- zone:    "Where does this trigger point refer pain?"      the student draws; scored on the essential zone
- point:   "Where is this trigger point?"                   the student clicks; scored by distance
- reverse: "Which muscles could cause this pain?"           a real referral pattern is shown (the
           trigger point's essential zone), or a clinical case (a condition) is described; the student
           picks every muscle that could cause it
- name:    "Whose pattern is this?"                         the pattern is shown; one muscle to pick

Card ids are stable slugs (`zone:upper_trapezius:trp1:right`, `reverse:case:tennis_elbow`): the schedule
and the Anki export key on them, so the same trigger point is the same card after any update.

Which muscles are accepted, and which look-alikes are offered, comes from the lookup's own ranking
(bodymap.core.lookup): a muscle "could cause" a pain area when one of its trigger points on that side
scores at least ACCEPT for it (most of the area lies in its pattern, and the area involves much of its
essential zone). Look-alikes are the next muscles by the same score: patterns that overlap the area but
explain it less well. They are chosen by pattern similarity, never at random, so a name card for the
masseter offers the temporalis and the lateral pterygoid (Kornell & Bjork 2008: interleaving similar
items teaches discrimination).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from shapely.geometry.base import BaseGeometry

from bodymap.core.atlas import Atlas, Muscle, TriggerPoint
from bodymap.core.cache import cached
from bodymap.core.chart.frame import PAIRED_SIDES, Side, View
from bodymap.core.lookup import Lookup

Kind = Literal["zone", "point", "reverse", "name"]
KINDS: tuple[Kind, ...] = ("zone", "point", "reverse", "name")
KIND_NAMES: dict[Kind, str] = {
    "zone": "Draw the zone",
    "point": "Point to the trigger point",
    "reverse": "Reason back",
    "name": "Name the muscle",
}

ACCEPT = 0.5  # lookup score at which a muscle "could cause" a shown pain area
SAME_PATTERN = 0.9  # a muscle whose pattern overlaps the shown one this much (Jaccard) is accepted too
LOOKALIKE_MIN = 0.05  # a look-alike must overlap the shown pattern at least a little
NAME_OPTIONS = 5  # the muscle and four look-alikes
REVERSE_MIN_OPTIONS = 8
REVERSE_EXTRA = 4  # at least this many look-alikes beside the accepted muscles

Pattern = dict[View, BaseGeometry]


class UnknownCard(ValueError):
    """A card id that names no card."""


@dataclass(frozen=True)
class Card:
    id: str
    kind: Kind
    muscle: str | None  # the muscle asked about (None for a clinical case)
    trp: str | None
    side: Side | None
    prompt: str
    area: str  # the body area (atlas AREAS) of the muscle, or of most of the case's muscles
    condition: str | None = None  # for a clinical case

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "muscle": self.muscle,
            "trp": self.trp,
            "side": self.side,
            "prompt": self.prompt,
            "area": self.area,
            "condition": self.condition,
        }


@dataclass(frozen=True)
class Choices:
    """What a reverse or name card accepts and offers (muscle ids, in a fixed order)."""

    accepted: tuple[str, ...]
    options: tuple[str, ...]  # the accepted muscles mixed with look-alikes, sorted by name


def card_id(kind: Kind, trp: TriggerPoint) -> str:
    return f"{kind}:{trp.muscle}:{trp.id}:{trp.side}"


def _prompt(kind: Kind, m: Muscle, t: TriggerPoint) -> str:
    where = f"the patient's {t.side}"
    if kind == "zone":
        return f"Where does {m.name}, {t.name}, refer pain? Draw it ({where})."
    if kind == "point":
        return f"Where is {m.name}, {t.name}? Click it ({where})."
    if kind == "reverse":
        return f"Pain in the shaded area ({where}): pick every muscle that could cause it."
    return f"Whose trigger point refers pain in this pattern ({where})? Pick the muscle."


def _case_prompt(name: str, description: str) -> str:
    first = description.split(". ")[0].rstrip(".")
    return f"{name}: {first}. Pick every muscle commonly involved."


@dataclass
class Deck:
    """Every card of the atlas, with what each reverse and name card accepts and offers."""

    atlas: Atlas
    lookup: Lookup
    cards: tuple[Card, ...] = ()
    _by_id: dict[str, Card] = field(default_factory=dict, repr=False)
    _choices: dict[str, Choices] = field(default_factory=dict, repr=False)
    _trps: dict[str, TriggerPoint] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, atlas: Atlas, lookup: Lookup) -> Deck:
        deck = cls(atlas, lookup)
        cards: list[Card] = []
        for m in atlas.muscles.values():
            for side in PAIRED_SIDES:
                for t in m.trps(side):
                    deck._trps[f"{t.muscle}:{t.id}:{t.side}"] = t
                    for k in KINDS:
                        cards.append(Card(card_id(k, t), k, m.id, t.id, t.side, _prompt(k, m, t), m.area))
        for c in atlas.conditions.values():
            areas = [atlas.muscles[i].area for i in c.muscles if i in atlas.muscles]
            area = max(set(areas), key=areas.count) if areas else "trunk"
            cards.append(
                Card(
                    f"reverse:case:{c.id}",
                    "reverse",
                    None,
                    None,
                    None,
                    _case_prompt(c.name, c.description),
                    area,
                    c.id,
                )
            )
        deck.cards = tuple(cards)
        deck._by_id = {c.id: c for c in cards}
        deck._choices = cached("study-choices", lambda: _all_choices(atlas, lookup))
        return deck

    # -- finding cards ---------------------------------------------------------------------------

    def card(self, card_id: str) -> Card:
        try:
            return self._by_id[card_id]
        except KeyError:
            raise UnknownCard(f"no study card {card_id!r} (see `bodymap study cards` for the ids)") from None

    def __contains__(self, card_id: object) -> bool:
        return card_id in self._by_id

    def select(self, kind: Kind | None = None, muscles: set[str] | None = None) -> list[Card]:
        """Cards of one kind and/or about some muscles (a clinical case belongs to its muscles)."""
        out = []
        for c in self.cards:
            if kind is not None and c.kind != kind:
                continue
            if muscles is not None:
                about = {c.muscle} if c.muscle else set(self.choices(c).accepted)
                if not about & muscles:
                    continue
            out.append(c)
        return out

    # -- what a card holds -----------------------------------------------------------------------

    def trigger_point(self, card: Card) -> TriggerPoint:
        if card.muscle is None:
            raise ValueError(f"card {card.id} is a clinical case, not about one trigger point")
        return self._trps[f"{card.muscle}:{card.trp}:{card.side}"]

    def muscle_trps(self, card: Card) -> tuple[TriggerPoint, ...]:
        """Every trigger point of the card's muscle on the card's side (a point scores on the nearest)."""
        t = self.trigger_point(card)
        return tuple(self.atlas.muscles[t.muscle].trps(t.side))

    def shown(self, card: Card) -> tuple[Pattern, Pattern]:
        """What a reverse or name card shows on the chart: (essential, spillover) areas per view. A
        reverse card shows the pain area alone (the trigger point's essential zone); a name card the
        whole pattern. A clinical case shows nothing."""
        if card.muscle is None or card.kind in ("zone", "point"):
            return {}, {}
        t = self.trigger_point(card)
        if card.kind == "reverse":
            return dict(t.essential), {}
        return dict(t.essential), dict(t.spillover)

    def choices(self, card: Card) -> Choices:
        if card.kind not in ("reverse", "name"):
            raise ValueError(f"card {card.id} is answered on the chart, not by choosing muscles")
        if card.condition:
            return self._case_choices(card.condition)
        return self._choices[f"{card.kind}:{card.muscle}:{card.trp}:{card.side}"]

    def _case_choices(self, condition: str) -> Choices:
        c = self.atlas.conditions[condition]
        accepted = tuple(i for i in c.muscles if i in self.atlas.muscles)
        # Look-alikes: muscles that refer into the same areas as the accepted ones but are not listed
        # for the condition, most often met first.
        seen: dict[str, int] = {}
        for m in accepted:
            for key in (f"name:{m}:{t.id}:right" for t in self.atlas.muscles[m].trps("right")):
                for o in self._choices[key].options:
                    if o not in accepted:
                        seen[o] = seen.get(o, 0) + 1
        extra = sorted(seen, key=lambda o: (-seen[o], o))[: max(REVERSE_EXTRA, len(accepted) // 2)]
        return Choices(accepted, self._by_name((*accepted, *extra)))

    def _by_name(self, ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(ids), key=lambda i: self.atlas.muscles[i].name.lower()))

    def name(self, muscle_id: str) -> str:
        return self.atlas.muscles[muscle_id].name


def _jaccard(a: Pattern, b: Pattern) -> float:
    inter = union = 0.0
    for v in set(a) | set(b):
        ga, gb = a.get(v), b.get(v)
        if ga is None or gb is None:
            union += (ga or gb).area  # type: ignore[union-attr]
            continue
        i = ga.intersection(gb).area
        inter += i
        union += ga.area + gb.area - i
    return inter / union if union > 0 else 0.0


def _pattern(t: TriggerPoint) -> Pattern:
    from shapely import union_all

    out: Pattern = {}
    for v in set(t.essential) | set(t.spillover):
        parts = [g for g in (t.essential.get(v), t.spillover.get(v)) if g is not None]
        out[v] = union_all(parts)
    return out


def _all_choices(atlas: Atlas, lookup: Lookup) -> dict[str, Choices]:
    """Accepted muscles and look-alikes of every reverse and name card (about a second: cached)."""
    out: dict[str, Choices] = {}
    names = {m.id: m.name.lower() for m in atlas.muscles.values()}

    def ordered(ids: list[str]) -> tuple[str, ...]:
        return tuple(sorted(set(ids), key=lambda i: names[i]))

    for t in atlas.trigger_points():
        ranked: list[tuple[str, float, TriggerPoint]] = []
        for c in lookup.rank(dict(t.essential), limit=None).candidates:
            if c.side == t.side:
                ranked.append((c.muscle, c.score, c.trp))
        best: dict[str, tuple[float, TriggerPoint]] = {}
        for mid, score, trp in ranked:
            if mid not in best:
                best[mid] = (score, trp)
        order = sorted(best, key=lambda mid: (-best[mid][0], mid))
        # Reverse: every muscle that could cause the shown area, and the next ones as look-alikes.
        accepted = [mid for mid in order if best[mid][0] >= ACCEPT]
        if t.muscle not in accepted:
            accepted.append(t.muscle)
        rest = [mid for mid in order if mid not in accepted and best[mid][0] >= LOOKALIKE_MIN]
        extra = max(REVERSE_EXTRA, REVERSE_MIN_OPTIONS - len(accepted))
        key = f"{t.muscle}:{t.id}:{t.side}"
        out[f"reverse:{key}"] = Choices(ordered(accepted), ordered(accepted + rest[:extra]))
        # Name: the muscle, and the muscles whose patterns are most like it. A muscle with the same
        # pattern (essential and spillover alike) cannot be told apart from it: accepted too.
        mine = _pattern(t)
        same = [t.muscle]
        alike: list[str] = []
        for mid in order:
            if mid == t.muscle:
                continue
            if best[mid][0] >= 0.9 and _jaccard(mine, _pattern(best[mid][1])) >= SAME_PATTERN:
                same.append(mid)
            elif len(alike) < NAME_OPTIONS - 1:
                alike.append(mid)
        if len(alike) < NAME_OPTIONS - 1:  # a pattern like no other: muscles of the same body area
            area = atlas.muscles[t.muscle].area
            alike += [m.id for m in atlas.muscles.values() if m.area == area and m.id not in same + alike][
                : NAME_OPTIONS - 1 - len(alike)
            ]
        out[f"name:{key}"] = Choices(ordered(same), ordered(same + alike))
    return out
