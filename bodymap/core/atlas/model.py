"""The trigger-point atlas as values: muscles, their trigger points and referral zones, hazards,
conditions, and searching them by name (loading.py builds them from data/atlas/)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

from bodymap.core.chart.frame import PAIRED_SIDES, VIEWS, Side, View
from bodymap.core.data import JsonObject
from bodymap.core.names import NameIndex, normalise

if TYPE_CHECKING:  # the model itself needs no shapely (the window's first paint imports it)
    from shapely.geometry.base import BaseGeometry

AREAS: dict[str, str] = {
    "head_neck": "Head and neck",
    "shoulder_thorax": "Shoulder girdle and thoracic wall",
    "arm_hand": "Arm, forearm and hand",
    "trunk": "Trunk",
    "hip_pelvis": "Hip and pelvis",
    "thigh": "Thigh",
    "leg_foot": "Leg and foot",
}
ZONE_KINDS = ("essential", "spillover")
TRP_TOLERANCE = 0.003  # a trigger point may sit this close outside the outline (drawing precision)

# A referral zone, a muscle's outline or a hazard's zone on one side: its geometry on each view where
# it appears.
Zone: TypeAlias = "dict[View, BaseGeometry]"


@dataclass(frozen=True)
class Citation:
    ref: str
    citation: str
    where: str

    @property
    def short(self) -> str:
        """Author and year, as a warning names its source: "Seol et al. 2014"."""
        authors = self.citation.split(".")[0]
        first = authors.split(",")[0].split(" ")[0]
        year = re.search(r"\b(19|20)\d\d\b", self.citation)
        more = " et al." if "," in authors else ""
        return f"{first}{more} {year.group(0)}" if year else first


@dataclass(frozen=True)
class TriggerPoint:
    """One trigger point of one muscle on one side of the patient, with its referral zones."""

    muscle: str
    id: str
    name: str
    side: Side
    view: View
    point: tuple[float, float]
    notes: str
    essential: Zone = field(repr=False, compare=False)
    spillover: Zone = field(repr=False, compare=False)
    hazards: tuple[str, ...] = ()  # hazards whose zone lies under the trigger point

    @property
    def key(self) -> str:
        return f"{self.muscle}:{self.id}:{self.side}"

    def zone(self, kind: str) -> Zone:
        return self.essential if kind == "essential" else self.spillover


@dataclass(frozen=True)
class SafeDepth:
    """How deep a needle may go in a muscle before it risks what lies beneath (the pleura, a nerve),
    as the cited source measured or advises. `estimate` says when no source gives the number itself;
    `note` says for which position, body build and technique it holds."""

    mm: float
    estimate: bool
    source: Citation
    note: str


MAX_SAFE_DEPTH_MM = 100.0


@dataclass(frozen=True)
class Muscle:
    id: str
    name: str
    synonyms: tuple[str, ...]
    area: str
    attachments: str
    action: str
    innervation: str
    palpation: str
    position: str
    symptoms: str
    conditions: tuple[str, ...]
    perpetuating_factors: tuple[str, ...]
    needling: JsonObject = field(repr=False, compare=False)
    sources: tuple[Citation, ...] = field(repr=False)
    uncertainty: str = field(repr=False, default="")
    outlines: dict[Side, Zone] = field(repr=False, compare=False, default_factory=dict)
    trigger_points: dict[Side, tuple[TriggerPoint, ...]] = field(
        repr=False, compare=False, default_factory=dict
    )
    safe_depth: SafeDepth | None = field(repr=False, compare=False, default=None)

    def trps(self, side: Side | None = None) -> tuple[TriggerPoint, ...]:
        if side is not None:
            return self.trigger_points[side]
        return tuple(t for s in PAIRED_SIDES for t in self.trigger_points[s])

    @property
    def views(self) -> tuple[View, ...]:
        """Views where the muscle, its trigger points or its zones appear."""
        seen = set(self.outlines["right"])
        for t in self.trps("right"):
            seen |= {t.view, *t.essential, *t.spillover}
        return tuple(v for v in VIEWS if v in seen)

    @property
    def hazards_under_trps(self) -> tuple[str, ...]:
        """Hazards that lie under any of the muscle's trigger points."""
        return tuple(sorted({h for t in self.trps("right") for h in t.hazards}))


@dataclass(frozen=True)
class Hazard:
    id: str
    name: str
    at_risk: str
    structures: tuple[str, ...]
    advice: str
    pairing: str
    sources: tuple[Citation, ...] = field(repr=False)
    zones: dict[Side, Zone] = field(repr=False, compare=False, default_factory=dict)


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    synonyms: tuple[str, ...]
    description: str
    red_flags: str
    muscles: tuple[str, ...]
    notes: str
    sources: tuple[Citation, ...] = field(repr=False)


@dataclass
class Atlas:
    muscles: dict[str, Muscle]
    hazards: dict[str, Hazard]
    conditions: dict[str, Condition]
    sources: dict[str, JsonObject]
    groups: dict[str, tuple[str, ...]]

    @cached_property
    def _names(self) -> dict[str, tuple[str, ...]]:
        """Every normalised name, synonym and id -> the muscle ids it names."""
        names: dict[str, set[str]] = {}
        for m in self.muscles.values():
            for n in (m.id, m.name, *m.synonyms):
                names.setdefault(normalise(n), set()).add(m.id)
                # fibularis = peroneus: either word finds the muscle.
                alt = normalise(n).replace("peroneus", "fibularis")
                names.setdefault(alt, set()).add(m.id)
        for g, members in self.groups.items():
            names.setdefault(normalise(g), set()).update(members)
        return {k: tuple(sorted(v)) for k, v in names.items()}

    def find(self, name: str) -> list[Muscle]:
        """The muscles a name, synonym, id or group names exactly (case and punctuation aside)."""
        return [self.muscles[i] for i in self._names.get(normalise(name), ())]

    def search(self, text: str) -> list[Muscle]:
        """Muscles matching typed text, best first: exact names, then names that start with it, then
        names that contain every word of it."""
        q = normalise(text)
        if not q:
            return sorted(self.muscles.values(), key=lambda m: m.name)
        words = q.split()
        scored: dict[str, int] = {}
        for name, ids in self._names.items():
            if name == q:
                score = 3
            elif name.startswith(q) or any(w.startswith(q) for w in name.split()):
                score = 2
            elif all(any(nw.startswith(w) for nw in name.split()) for w in words):
                score = 1
            else:
                continue
            for i in ids:
                scored[i] = max(scored.get(i, 0), score)
        return sorted((self.muscles[i] for i in scored), key=lambda m: (-scored[m.id], m.name))

    def suggest(self, text: str, n: int = 3) -> list[Muscle]:
        """Muscles whose names are close to a mistyped name ("trapz" -> the trapezius muscles)."""
        found = self.search(text)[:n]
        if found:
            return found
        close = difflib.get_close_matches(normalise(text), list(self._names), n=n, cutoff=0.6)
        out: list[Muscle] = []
        for name in close:
            out += [self.muscles[i] for i in self._names[name] if self.muscles[i] not in out]
        return out[:n]

    @cached_property
    def _condition_names(self) -> NameIndex:
        return NameIndex((c.id, (c.name, *c.synonyms)) for c in self.conditions.values())

    def find_condition(self, name: str) -> Condition | None:
        """The condition an id, name or synonym names ("tension headache", "TTH"), or None."""
        found = self._condition_names.find(name)
        return self.conditions[found[0]] if len(found) == 1 else None

    def suggest_conditions(self, name: str, n: int = 3) -> list[Condition]:
        """Conditions whose names are near a mistyped one."""
        return [self.conditions[i] for i in self._condition_names.suggest(name, n)]

    def conditions_of(self, muscle_id: str) -> list[Condition]:
        """Conditions that list the muscle, or that the muscle lists."""
        m = self.muscles[muscle_id]
        return [c for c in self.conditions.values() if muscle_id in c.muscles or c.id in m.conditions]

    def trigger_points(self, side: Side | None = None) -> Iterator[TriggerPoint]:
        for m in self.muscles.values():
            yield from m.trps(side)
