"""Figures over pain drawings and marks: pain extent, body-surface share, CHOIR regions, overlap, course
of care.

- Pain extent, chart share: the drawn area (all symptoms together, overlaps counted once) as a share of
  the whole chart (the outlines of every view), as in Barbero et al. 2024.
- Pain extent, body-surface share: each region weighted by its Lund & Browder (1944) share instead of
  its drawn area; see SEGMENTS and docs/records.md for the mapping.
- CHOIR regions covered: the CHOIR Body Map codes (Scherrer et al. 2021) whose area the drawing covers
  by at least MIN_COVER. Laterality is the patient's, from choir.json.
- Overlap between two visits: Jaccard index of their drawn areas, summed over views.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypeAlias

import shapely
from shapely import STRtree, box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from bodymap.core.chart.frame import PAIRED_SIDES, VIEWS, Side, View, x_sign
from bodymap.core.chart.hittest import tester_for
from bodymap.core.pain import PainArea

from .model import Drawing, Mark, Plan, Visit, stored

if TYPE_CHECKING:
    from bodymap.core.chart.body import Body, Region

    from .store import Store

# Drawings, or the area they cover per view (as union_areas() gives it).
Drawn: TypeAlias = "Iterable[Drawing] | Mapping[View, BaseGeometry]"

# Covered means at least this much drawn area in a CHOIR region: about 0.3 cm² on a 170 cm adult, so a
# fingertip-sized spot counts and slivers along a border (from clipping or the storage grid) do not.
MIN_COVER = 1e-5

# Lund & Browder, adult: share of the body surface in percent; paired segments are per side.
SEGMENTS: dict[str, float] = {
    "head": 7.0,
    "neck": 2.0,
    "anterior trunk": 13.0,
    "posterior trunk": 13.0,
    "buttocks": 5.0,
    "genitalia": 1.0,
    "upper arm": 4.0,
    "forearm": 3.0,
    "hand": 2.5,
    "thigh": 9.5,
    "lower leg": 7.0,
    "foot": 3.5,
}
PAIRED_SEGMENTS = frozenset({"upper arm", "forearm", "hand", "thigh", "lower leg", "foot"})

# CHOIR area (regions.json's `choir`) -> Lund & Browder segment.
SEGMENT_OF_AREA: dict[str, str] = {
    "Cranium": "head",
    "Face": "head",
    "Head": "head",
    "Neck": "neck",
    # The head view's profiles name the back of the head and neck by the back figure's codes.
    "Cranium (back)": "head",
    "Head (back)": "head",
    "Neck (back)": "neck",
    "Chest": "anterior trunk",
    "Abdomen": "anterior trunk",
    "Upper Back": "posterior trunk",
    "Middle Back": "posterior trunk",
    "Lower Back": "posterior trunk",
    "Buttocks": "buttocks",
    "Pubic": "genitalia",
    "Shoulder": "upper arm",
    "Bicep": "upper arm",
    "Elbow": "forearm",
    "Forearm": "forearm",
    "Wrist": "forearm",
    "Hand": "hand",
    "Hip": "thigh",
    "Upper Leg": "thigh",
    "Knee": "lower leg",
    "Lower Leg": "lower leg",
    "Ankle": "foot",
    "Foot": "foot",
}


def _body(body: Body | None) -> Body:
    if body is None:
        from bodymap.core.chart.body import load_body

        return load_body()
    return body


def _segment(region: Region) -> tuple[str, Side | None]:
    try:
        seg = SEGMENT_OF_AREA[region.choir_area]
    except KeyError:
        raise ValueError(
            f"region {region.id!r} has CHOIR area {region.choir_area!r}, which no body-surface "
            f"segment covers; add it to SEGMENT_OF_AREA"
        ) from None
    if seg in PAIRED_SEGMENTS:
        if region.side not in PAIRED_SIDES:
            raise ValueError(f"region {region.id!r} is on the midline but {seg!r} is a per-side segment")
        return seg, region.side
    return seg, None


class _RegionIndex:
    """Per-view region index with body-surface densities and CHOIR parts, built once per body."""

    def __init__(self, body: Body):
        self.body = body
        self.area = sum(body[v].outline.area for v in VIEWS)
        seg_area: dict[tuple[str, Side | None], float] = {}
        for v in VIEWS:
            for r in body[v].regions:
                key = _segment(r)
                seg_area[key] = seg_area.get(key, 0.0) + r.geometry.area
        # Share of the body per unit of drawn area in each region: a segment's share is spread over its
        # regions in proportion to their drawn area, over every view the segment appears on.
        self.density: dict[tuple[View, str, Side], float] = {}
        self.trees: dict[View, STRtree] = {}
        self.regions: dict[View, list[Region]] = {}
        self.parts: dict[View, list[list[tuple[int, BaseGeometry]]]] = {}
        for v in VIEWS:
            hits = tester_for(body[v])  # the view's one region index (chart/hittest.py)
            regs = hits.regions
            self.regions[v] = regs
            self.trees[v] = hits.tree
            for r in regs:
                key = _segment(r)
                self.density[(v, r.id, r.side)] = SEGMENTS[key[0]] / 100.0 / seg_area[key]
            self.parts[v] = [self._choir_parts(v, r) for r in regs]

    @staticmethod
    def _choir_parts(view: View, region: Region) -> list[tuple[int, BaseGeometry]]:
        """(CHOIR code, geometry) for a region: itself, or a midline region split at the midline."""
        from bodymap.core.data import load_json

        if region.side != "midline":
            return [(region.choir[0], region.geometry)]
        codes = load_json("body/choir.json")[view][region.choir_area]
        out = []
        for side in PAIRED_SIDES:
            half = box(0, 0, 2, 2) if x_sign(view, side) > 0 else box(-2, 0, 0, 2)
            out.append((codes[side], region.geometry.intersection(half)))
        return out


_indexes: dict[int, _RegionIndex] = {}


def _region_index(body: Body) -> _RegionIndex:
    # Keyed by identity: a Body is not hashable, and there is one per process (load_body()).
    index = _indexes.get(id(body))
    if index is None or index.body is not body:
        index = _indexes[id(body)] = _RegionIndex(body)
    return index


@dataclass(frozen=True)
class Extent:
    area: float  # drawn area in body units² (stature 1.0), all views
    chart_share: float  # area / the whole chart's area (every view's outline), 0-1
    body_share: float  # Lund & Browder weighted share of the body surface, 0-1


def union_areas(drawings: Iterable[Drawing], symptoms: Iterable[str] | None = None) -> PainArea:
    """The drawn area per view, overlaps counted once (deleted drawings left out)."""
    wanted = set(symptoms) if symptoms is not None else None
    parts: dict[View, list[BaseGeometry]] = {}
    for d in drawings:
        if d.deleted_at is not None or (wanted is not None and d.symptom not in wanted):
            continue
        for view, geom in d.areas.items():
            parts.setdefault(view, []).append(geom)
    return PainArea({v: unary_union(gs) for v, gs in parts.items()})


def _as_areas(drawn: Drawn) -> Mapping[View, BaseGeometry]:
    return drawn if isinstance(drawn, Mapping) else union_areas(drawn)


def pain_extent(drawn: Drawn, body: Body | None = None) -> Extent:
    """Pain extent of drawings (or of a {view: area} mapping), as chart share and body-surface share."""
    index = _region_index(_body(body))
    areas = _as_areas(drawn)
    total = sum(g.area for g in areas.values())
    weighted = 0.0
    for view, geom in areas.items():
        if geom.is_empty:
            continue
        regs = index.regions[view]
        for i in index.trees[view].query(geom, predicate="intersects"):
            r = regs[int(i)]
            weighted += index.density[(view, r.id, r.side)] * shapely.intersection(r.geometry, geom).area
    return Extent(total, total / index.area, weighted)


def choir_codes(drawn: Drawn, body: Body | None = None, min_cover: float = MIN_COVER) -> tuple[int, ...]:
    """The CHOIR Body Map codes covered by drawings (or a {view: area} mapping), sorted."""
    index = _region_index(_body(body))
    covered: dict[int, float] = {}
    for view, geom in _as_areas(drawn).items():
        if geom.is_empty:
            continue
        for i in index.trees[view].query(geom, predicate="intersects"):
            for code, part in index.parts[view][int(i)]:
                covered[code] = covered.get(code, 0.0) + shapely.intersection(part, geom).area
    return tuple(sorted(code for code, a in covered.items() if a >= min_cover))


def jaccard(a: Drawn, b: Drawn) -> float | None:
    """Overlap of two sets of drawings (or {view: area} mappings): shared area / combined area, over all
    views. None when neither has anything drawn."""
    areas_a, areas_b = _as_areas(a), _as_areas(b)
    inter = union = 0.0
    for view in VIEWS:
        ga, gb = areas_a.get(view), areas_b.get(view)
        if ga is not None and gb is not None:
            inter += shapely.intersection(ga, gb).area
            union += shapely.union(ga, gb).area
        elif ga is not None:
            union += ga.area
        elif gb is not None:
            union += gb.area
    return None if union == 0 else inter / union


@dataclass(frozen=True)
class CourseRow:
    """One visit in the course of care."""

    number: int  # 1 = the first visit
    visit_id: int
    visited_on: date
    pain_before: int | None
    pain_after: int | None
    extent: Extent | None  # None: nothing drawn at this visit
    overlap: float | None  # Jaccard with the previous visit's drawing; None for the first or if neither drew
    active_trps: int
    latent_trps: int
    needled: int
    choir: tuple[int, ...]


def course_rows(
    visits: Sequence[Visit],
    drawings_of: Mapping[int, list[Drawing]],
    marks_of: Mapping[int, list[Mark]],
    body: Body | None = None,
) -> list[CourseRow]:
    """The course-of-care table from visits in order, and each visit's drawings and marks."""
    out: list[CourseRow] = []
    previous = None
    for n, v in enumerate(visits, 1):
        visit_id = stored(v.id)
        areas = union_areas(drawings_of.get(visit_id, []))
        live = [m for m in marks_of.get(visit_id, []) if m.deleted_at is None]
        out.append(
            CourseRow(
                n,
                visit_id,
                v.visited_on,
                v.pain_before,
                v.pain_after,
                pain_extent(areas, body) if areas else None,
                jaccard(previous, areas) if previous is not None else None,
                sum(m.findings.status == "active" for m in live),
                sum(m.findings.status == "latent" for m in live),
                sum(m.needled for m in live),
                choir_codes(areas, body) if areas else (),
            )
        )
        previous = areas
    return out


def course_of_care(store: Store, patient_id: int, body: Body | None = None) -> list[CourseRow]:
    """Compare a patient's visits: pain before / after, extent, overlap with the last visit, trigger
    points."""
    record = store.record(patient_id)
    live = [vr for vr in record.visits if vr.visit.deleted_at is None]
    return course_rows(
        [vr.visit for vr in live],
        {stored(vr.visit.id): list(vr.drawings) for vr in live},
        {stored(vr.visit.id): list(vr.marks) for vr in live},
        body,
    )


@dataclass(frozen=True)
class Review:
    """The course of care against its plan: visits done of those planned, the goal, and the
    reassessment (the latest visit against the first of the course: pain, extent, active trigger points)."""

    plan: Plan | None  # the plan in force (the latest); None: no course planned
    rows: tuple[CourseRow, ...]  # the visits of the course (those since the plan was made)
    planned: int | None

    @property
    def done(self) -> int:
        return len(self.rows)

    @property
    def due(self) -> bool:
        """The planned visits are done: time to reassess against the first visit."""
        return self.planned is not None and self.done >= self.planned

    @property
    def progress(self) -> str:
        """ "Visit 3 of 6", "Visit 7 (6 planned)", "Visit 2" (no plan), "No visits yet"."""
        if not self.rows:
            return "No visits yet"
        if self.planned is None:
            return f"Visit {self.done}"
        if self.done <= self.planned:
            return f"Visit {self.done} of {self.planned}"
        return f"Visit {self.done} ({self.planned} planned)"

    def comparison(self) -> list[tuple[str, str, str]]:
        """(what, at the first visit, at the latest): pain before treatment, the drawn extent as a share
        of the body surface, active and latent trigger points. Empty until the course has two visits."""
        if len(self.rows) < 2:
            return []
        first, last = self.rows[0], self.rows[-1]

        def pain(r: CourseRow) -> str:
            return "—" if r.pain_before is None else f"{r.pain_before}/10"

        def extent(r: CourseRow) -> str:
            return "not drawn" if r.extent is None else f"{r.extent.body_share * 100:.1f}% of the body"

        return [
            ("Pain before treatment", pain(first), pain(last)),
            ("Pain extent", extent(first), extent(last)),
            ("Active trigger points", str(first.active_trps), str(last.active_trps)),
            ("Latent trigger points", str(first.latent_trps), str(last.latent_trps)),
        ]


def course_review(rows: Sequence[CourseRow], plans: Sequence[Plan]) -> Review:
    """The course since the latest live plan (all visits when none), from the patient's course rows."""
    live = sorted((p for p in plans if p.deleted_at is None), key=lambda p: (p.planned_on, p.id or 0))
    plan = live[-1] if live else None
    course = [r for r in rows if plan is None or r.visited_on >= plan.planned_on]
    return Review(plan, tuple(course), plan.visits if plan else None)
