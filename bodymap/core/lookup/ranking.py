"""Where does it hurt? Rank the trigger points whose referral zones explain the pain.

For every trigger point (each side) and a pain area P:
    E = P ∩ essential zone,  S = P ∩ (spillover zone − essential zone)
    explained  = (|E| + ½|S|) / |P|     how much of the pain it explains (essential counts double)
    involved   = |E| / |essential zone| how much of its essential pattern the pain involves
    score      = 0.7 · explained + 0.3 · involved
Involvement is measured on the essential zone (the part nearly every patient has): a large spillover
area must not bury a muscle whose whole essential zone lies in the pain (levator scapulae and the
angle of the neck).
A point is a small disc (POINT_RADIUS). Laterality comes from the geometry itself: zones lie on the
trigger point's side, so pain on the right meets right-side zones, and midline pain meets both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from bodymap.core.atlas import Atlas, Condition, TriggerPoint
from bodymap.core.chart.body import ON_SKIN, Body
from bodymap.core.chart.frame import VIEWS, Side, View, x_sign
from bodymap.core.data import JsonObject
from bodymap.core.geometry import polygon_parts, polygonal
from bodymap.core.pain import STORAGE_GRID, AreaError, PainArea, clean
from bodymap.core.quoting import point_text, quote

POINT_RADIUS = 0.009  # a pointed-at spot: a fingertip, about 1.5 cm across on a 170 cm adult
SPILLOVER_WEIGHT = 0.5
EXPLAINED_WEIGHT = 0.7
MIN_SCORE = 0.01

Areas = Mapping[View, BaseGeometry]  # what a lookup takes: a PainArea, or any mapping of view to area
_Geoms = npt.NDArray[np.object_]  # shapely geometries, for shapely's vectorised functions
_Ints = npt.NDArray[np.int_]


class LookupInputError(ValueError):
    """Bad lookup input (a point outside the body, an empty drawing...)."""


@dataclass(frozen=True)
class Candidate:
    rank: int
    trp: TriggerPoint = field(repr=False)
    muscle_name: str
    score: float
    zone: str  # the zone kind that covers most: essential or spillover
    explained: float  # share of the pain explained (essential + ½ spillover), 0..1
    essential_share: float  # share of the pain inside the essential zone
    spillover_share: float  # share of the pain inside the spillover zone only
    involved: float  # share of the trigger point's essential zone that the pain involves
    reason: str

    @property
    def muscle(self) -> str:
        return self.trp.muscle

    @property
    def side(self) -> Side:
        return self.trp.side

    def as_dict(self) -> JsonObject:
        return {
            "rank": self.rank,
            "muscle": self.trp.muscle,
            "name": self.muscle_name,
            "trp": self.trp.id,
            "trp_name": self.trp.name,
            "side": self.trp.side,
            "view": self.trp.view,
            "score": round(self.score, 4),
            "zone": self.zone,
            "explained": round(self.explained, 4),
            "essential_share": round(self.essential_share, 4),
            "spillover_share": round(self.spillover_share, 4),
            "involved": round(self.involved, 4),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Contribution:
    trp: TriggerPoint = field(repr=False)
    muscle_name: str
    adds: float  # share of the pain this muscle adds to the explanation
    total: float  # share explained by the set so far

    def as_dict(self) -> JsonObject:
        return {
            "muscle": self.trp.muscle,
            "name": self.muscle_name,
            "trp": self.trp.id,
            "side": self.trp.side,
            "adds": round(self.adds, 4),
            "total": round(self.total, 4),
        }


@dataclass(frozen=True)
class Result:
    candidates: tuple[Candidate, ...]
    pain: PainArea = field(repr=False)
    pain_area: float


def _pct(x: float) -> str:
    return f"{round(x * 100):d} %"


def _reason(point: bool, e: float, s: float, involved: float) -> str:
    if point:
        where = "essential" if e >= s else "spillover"
        text = f"the point lies in its {where} zone"
        return text + ("" if where == "essential" else " (some patients)")
    # A share that rounds to 0 % is a sliver along a zone's edge: the reason does not mention it.
    e, s = (v if round(v * 100) > 0 else 0.0 for v in (e, s))
    parts = []
    if e > 0:
        parts.append(f"its essential zone covers {_pct(e)} of the shaded area")
    if s > 0:
        parts.append(f"its spillover zone {'another ' if e > 0 else 'covers '}{_pct(s)}")
    text = "; ".join(parts) if parts else "it touches the shaded area only along an edge"
    return f"{text}; the pain involves {_pct(involved)} of its essential zone" if e > 0 else text


class Lookup:
    """Ranks the atlas's trigger points for a pain location. Build once; query many times."""

    _last: ClassVar[Lookup | None] = None

    @classmethod
    def shared(cls, atlas: Atlas, body: Body) -> Lookup:
        """The lookup of this atlas on this body, built once (~40 ms) and shared by every window of the
        process, since nothing changes a lookup once it is built."""
        last = cls._last
        if last is None or last.atlas is not atlas or last.body is not body:
            last = cls._last = cls(atlas, body)
        return last

    def __init__(self, atlas: Atlas, body: Body):
        self.atlas, self.body = atlas, body
        trps = list(atlas.trigger_points())
        self._trps = trps
        # Ties break by a stable order of trigger point keys (muscle, trp, side), computed once.
        self._tie_order = np.argsort(np.argsort([t.key for t in trps]))
        # One flat array of zone pieces per view, with the trigger point and kind of each piece.
        self._pieces: dict[View, tuple[_Geoms, _Ints, _Ints, STRtree]] = {}
        self._bounds: dict[View, npt.NDArray[np.float64]] = {}
        for view in VIEWS:
            geoms: list[BaseGeometry] = []
            owner: list[int] = []
            kind: list[int] = []
            for i, t in enumerate(trps):
                ess = t.essential.get(view)
                spill = t.spillover.get(view)
                if ess is not None and not ess.is_empty:
                    geoms.append(ess)
                    owner.append(i)
                    kind.append(0)
                if spill is not None and not spill.is_empty:
                    only = spill.difference(ess) if ess is not None else spill
                    if not only.is_empty and only.area > 1e-9:
                        geoms.append(only)
                        owner.append(i)
                        kind.append(1)
            arr = np.array(geoms, dtype=object)
            shapely.prepare(arr)
            self._pieces[view] = (arr, np.array(owner, dtype=int), np.array(kind, dtype=int), STRtree(arr))
            self._bounds[view] = np.asarray(shapely.bounds(arr)).reshape(-1, 4)
        # The outline grown by a grid step: a drawing already on the body is not cut again (pain.clean).
        self._on_body = {view: self.body[view].outline.buffer(STORAGE_GRID) for view in VIEWS}
        shapely.prepare(list(self._on_body.values()))
        # Each trigger point's essential zone area (all views).
        self._essential_area = np.zeros(len(trps))
        for pieces, owners, kinds, _tree in self._pieces.values():
            np.add.at(self._essential_area, owners[kinds == 0], shapely.area(pieces[kinds == 0]))

    # -- input -----------------------------------------------------------------------------------

    def point_pain(self, view: View, x: float, y: float) -> PainArea:
        """A pointed-at spot as a small disc; refused outside the body."""
        outline = self.body[view].outline
        if not self.body[view].contains(x, y, ON_SKIN):
            raise LookupInputError(f"the point {point_text(x, y)} is outside the body on the {view} view")
        return PainArea({view: Point(x, y).buffer(POINT_RADIUS, quad_segs=8).intersection(outline)})

    def landmark_pain(self, landmark: str, side: Side) -> PainArea:
        """A landmark (by id, name or synonym) on the patient's side, on every view where it can be seen.

        Where a view shows the landmark only on the midline (the vertex, C7, the sacrum on the front
        and back views), the right or left side means the spot just to that side of the midline: a disc
        that touches the midline from that side (landmark_note says so). A paired landmark has no
        midline spot."""
        pain: dict[View, BaseGeometry] = {}
        for view, spot in self._landmark_spots(landmark, side).items():
            pain.update(self.point_pain(view, *spot))
        return PainArea(pain)

    def landmark_note(self, landmark: str, side: Side) -> str:
        """What landmark_pain made of the request, in words, when it is not simply the landmark itself."""
        lm = self.landmark_id(landmark)
        if side == "midline" or not self._beside(lm, side):
            return ""
        views = " and ".join(self._beside(lm, side))
        name = self._landmark_name(lm)
        return f"the {name} is on the midline on the {views} view: looked up just to the patient's {side}"

    def _beside(self, landmark_id: str, side: Side) -> list[View]:
        """The views that show a landmark only on the midline, where `side` means just beside it."""
        out = []
        for view in VIEWS:
            sides = {m.side for m in self.body[view].landmarks if m.id == landmark_id}
            if sides and side not in sides and "midline" in sides:
                out.append(view)
        return out

    def _landmark_spots(self, landmark: str, side: Side) -> dict[View, tuple[float, float]]:
        lm = self.landmark_id(landmark)
        beside = self._beside(lm, side) if side != "midline" else []
        spots: dict[View, tuple[float, float]] = {}
        for view in VIEWS:
            found = {m.side: m for m in self.body[view].landmarks if m.id == lm}
            if side in found:
                spots[view] = found[side].point
            elif view in beside:
                spots[view] = (x_sign(view, side) * POINT_RADIUS, found["midline"].point[1])
        if not spots:
            have = ", ".join(sorted(self.body.landmark_sides(lm)))
            raise LookupInputError(f"the {self._landmark_name(lm)} has no {side} side (it has: {have})")
        return spots

    def landmark_id(self, landmark: str) -> str:
        """The id of a landmark named by id, name or synonym, in any case; LookupInputError with a
        suggestion for a near miss."""
        names = self.body.landmark_names
        found = names.find(landmark)
        if len(found) == 1:
            return found[0]
        if found:
            listed = ", ".join(self._landmark_name(i) for i in found)
            raise LookupInputError(f"{quote(landmark)} could be: {listed}; give one of them")
        close = [self._landmark_name(i) for i in names.suggest(landmark)]
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise LookupInputError(f"no landmark called {quote(landmark)}{hint}")

    def _landmark_name(self, landmark_id: str) -> str:
        for ms in self.body.landmark_sides(landmark_id).values():
            return ms[0].name
        return landmark_id

    def condition(self, condition: str) -> Condition:
        """A condition named by id, name or synonym ("tension headache", "TTH"); LookupInputError with a
        suggestion for a near miss."""
        found = self.atlas.find_condition(condition)
        if found is not None:
            return found
        close = [c.name for c in self.atlas.suggest_conditions(condition)]
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise LookupInputError(f"no condition called {quote(condition)}{hint}")

    def clip(self, pain: Areas) -> PainArea:
        """A drawn area cleaned (pain.clean: repaired, clipped to the body, on the grid, within the
        vertex budget) on each view; refused if nothing is left or it cannot be kept."""
        out: dict[View, BaseGeometry] = {}
        for view, g in pain.items():
            if view not in VIEWS:
                raise LookupInputError(f"unknown view {quote(view)}; expected one of {', '.join(VIEWS)}")
            try:
                c = clean(g, self.body[view].outline, self._on_body[view])
            except AreaError as exc:
                raise LookupInputError(f"the drawing on the {view} view: {exc}") from None
            if c is not None:
                out[view] = c
        if not out:
            raise LookupInputError("the drawn area does not touch the body")
        return PainArea(out)

    # -- ranking ---------------------------------------------------------------------------------

    def _overlaps(self, pain: Areas, spot: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Per trigger point: the pain area inside its essential zone and inside its spillover-only zone.

        A pointed spot is measured on SPOT_SAMPLES points spread evenly over it rather than by overlays:
        where fingers, a thumb and a palm meet, a spot crosses a dozen zones, and each overlay costs
        some 50 microseconds whatever its size (a finger's spot: 1.6 -> 0.5 ms). A spot is a rough
        place anyway (1.5 cm across); the share is exact to about 1 %."""
        ess = np.zeros(len(self._trps))
        spill = np.zeros(len(self._trps))
        for view, g in pain.items():
            arr, owner, kind, tree = self._pieces[view]
            idx = tree.query(g, predicate="intersects")
            if not len(idx):
                continue
            # A piece that holds all of the pain overlaps it by the pain's own area: only the pieces
            # it crosses need an intersection (a pointed spot lies wholly inside most of its zones).
            areas = np.full(len(idx), g.area)
            crossed = ~np.isin(idx, tree.query(g, predicate="within"))
            if spot:
                areas[crossed] = _sampled_areas(arr[idx[crossed]], g)
            else:
                areas[crossed] = _overlap_areas(arr[idx[crossed]], self._bounds[view][idx[crossed]], g)
            np.add.at(ess, owner[idx][kind[idx] == 0], areas[kind[idx] == 0])
            np.add.at(spill, owner[idx][kind[idx] == 1], areas[kind[idx] == 1])
        return ess, spill

    def rank(
        self, pain: Areas, limit: int | None = 20, condition: str | None = None, point: bool = False
    ) -> Result:
        """The trigger points ranked for this pain, best first, each with its reason."""
        total = sum(g.area for g in pain.values())
        if total <= 0:
            raise LookupInputError("the pain area is empty")
        ess, spill = self._overlaps(pain, spot=point)
        e_share, s_share = ess / total, spill / total
        explained = e_share + SPILLOVER_WEIGHT * s_share
        involved = np.divide(
            ess, self._essential_area, out=np.zeros_like(ess), where=self._essential_area > 0
        )
        score = EXPLAINED_WEIGHT * explained + (1 - EXPLAINED_WEIGHT) * involved
        allowed = None
        if condition is not None:
            allowed = set(self.condition(condition).muscles)
        order = np.lexsort((self._tie_order, -score))
        out: list[Candidate] = []
        for i in order:
            if score[i] < MIN_SCORE:
                break
            t = self._trps[i]
            if allowed is not None and t.muscle not in allowed:
                continue
            out.append(
                Candidate(
                    len(out) + 1,
                    t,
                    self.atlas.muscles[t.muscle].name,
                    float(score[i]),
                    "essential" if e_share[i] >= s_share[i] else "spillover",
                    float(min(1.0, explained[i])),
                    float(e_share[i]),
                    float(s_share[i]),
                    float(involved[i]),
                    _reason(point, e_share[i], s_share[i], involved[i]),
                )
            )
            if limit is not None and len(out) >= limit:
                break
        return Result(tuple(out), PainArea(pain), total)

    def unexplained(self, pain: Areas, trps: list[TriggerPoint]) -> PainArea:
        """The part of the pain that none of these trigger points refers to (computed on demand:
        the union of many zones is the slow part of a lookup)."""
        out: dict[View, BaseGeometry] = {}
        for view, g in pain.items():
            zones = [z for t in trps for z in (t.essential.get(view), t.spillover.get(view)) if z is not None]
            rest = _minus(g, shapely.union_all(zones, grid_size=OVERLAY_GRID)) if zones else g
            if not rest.is_empty and rest.area > 1e-9:
                out[view] = rest
        return PainArea(out)

    def unexplained_share(self, result: Result) -> tuple[PainArea, float]:
        """What the listed candidates leave unexplained, and its share of the pain."""
        rest = self.unexplained(result.pain, [c.trp for c in result.candidates])
        return rest, sum(g.area for g in rest.values()) / result.pain_area

    def combined(
        self,
        pain: Areas,
        target: float = 0.9,
        max_muscles: int = 6,
        min_gain: float = 0.02,
        condition: str | None = None,
    ) -> list[Contribution]:
        """The smallest set of muscles (greedy set cover) that together explain most of the pain, with
        how much each adds. Essential coverage counts fully, spillover half."""
        total = sum(g.area for g in pain.values())
        pool = [c.trp for c in self.rank(pain, limit=60, condition=condition).candidates]
        # What each candidate covers of the pain, per view: (essential part, spillover part).
        cover = {
            t.key: {v: (_cut(g, t.essential.get(v)), _cut(g, t.spillover.get(v))) for v, g in pain.items()}
            for t in pool
        }
        got_e: dict[View, BaseGeometry] = {v: shapely.Polygon() for v in pain}
        got_s: dict[View, BaseGeometry] = {v: shapely.Polygon() for v in pain}
        chosen: list[Contribution] = []
        used: set[tuple[str, Side]] = set()
        current = 0.0
        while current < target and len(chosen) < max_muscles:
            best: TriggerPoint | None = None
            best_gain = 0.0
            best_state: tuple[dict[View, BaseGeometry], dict[View, BaseGeometry]] | None = None
            for t in pool:
                if (t.muscle, t.side) in used:
                    continue
                new_e = {v: _union(got_e[v], cover[t.key][v][0]) for v in pain}
                new_s = {v: _union(got_s[v], cover[t.key][v][1]) for v in pain}
                value = sum(new_e[v].area + SPILLOVER_WEIGHT * _minus(new_s[v], new_e[v]).area for v in pain)
                gain = value / total - current
                if gain > best_gain + 1e-12:
                    best, best_gain, best_state = t, gain, (new_e, new_s)
            if best is None or best_state is None or best_gain < min_gain:
                break
            got_e, got_s = best_state
            current += best_gain
            used.add((best.muscle, best.side))
            chosen.append(Contribution(best, self.atlas.muscles[best.muscle].name, best_gain, current))
        return chosen

    def for_condition(self, condition: str) -> list[JsonObject]:
        """A condition's muscles in the atlas's order (most important first), with no drawing."""
        c = self.condition(condition)
        return [
            {
                "rank": i + 1,
                "muscle": m,
                "name": self.atlas.muscles[m].name,
                "reason": f"commonly involved in {c.name.lower()}",
            }
            for i, m in enumerate(c.muscles)
        ]


# Snap-rounding for overlays of many zones: robust where plain overlays can fail. Finer than the records'
# STORAGE_GRID (how precisely a drawing is kept), so it never coarsens what it compares.
OVERLAY_GRID = 1e-7


def _cut(pain: BaseGeometry, zone: BaseGeometry | None) -> BaseGeometry:
    if zone is None:
        return shapely.Polygon()
    return polygonal(shapely.intersection(pain, zone, grid_size=OVERLAY_GRID))


SPOT_SAMPLES = 150  # points a pointed spot is measured on (about 1 % of its area each)


def _sampled_areas(pieces: _Geoms, spot: BaseGeometry) -> npt.NDArray[np.float64]:
    """The area each (prepared) zone piece shares with a small spot, from the share of points of an
    even grid over the spot that lie in the piece."""
    x0, y0, x1, y1 = spot.bounds
    step = max(np.sqrt(spot.area / SPOT_SAMPLES), 1e-6)
    gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    xs, ys = gx.ravel(), gy.ravel()
    on = shapely.contains_xy(spot, xs, ys)
    xs, ys = xs[on], ys[on]
    if not len(xs):
        return np.asarray(shapely.area(shapely.intersection(pieces, spot)))
    inside = np.array([np.count_nonzero(shapely.contains_xy(p, xs, ys)) for p in pieces], dtype=float)
    return inside / len(xs) * spot.area


DETAILED = 200  # a pain area with more vertices than this is cut to each zone piece's box first


def _overlap_areas(
    pieces: _Geoms, bounds: npt.NDArray[np.float64], pain: BaseGeometry
) -> npt.NDArray[np.float64]:
    """The area each zone piece shares with the pain.

    A detailed drawing (thousands of vertices) is first cut to each piece's bounding box, which is
    cheap (linear, no overlay), so each overlay sees only the part of the drawing near its piece:
    about three times faster for a drawing of the vertex budget's size.
    """
    if shapely.get_num_coordinates(pain) <= DETAILED:
        return np.asarray(shapely.area(shapely.intersection(pieces, pain)))
    near = np.array([shapely.clip_by_rect(pain, *b) for b in bounds], dtype=object)
    try:
        return np.asarray(shapely.area(shapely.intersection(pieces, near)))
    except shapely.errors.GEOSException:  # a box cut can leave an invalid sliver: the exact way then
        return np.asarray(shapely.area(shapely.intersection(pieces, pain)))


def _union(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    return polygonal(shapely.union(a, b, grid_size=OVERLAY_GRID))


def _minus(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    return polygonal(shapely.difference(a, b, grid_size=OVERLAY_GRID))


def pain_from_geojson(obj: object) -> PainArea:
    """A drawn pain area from GeoJSON (a Feature or FeatureCollection of polygons, each with
    properties.view), not yet cleaned: Lookup.clip does that. LookupInputError names any problem in
    one line."""
    from shapely.geometry import shape

    if not isinstance(obj, dict) or obj.get("type") not in ("Feature", "FeatureCollection"):
        raise LookupInputError("expected a GeoJSON Feature or FeatureCollection")
    feats = obj.get("features") if obj["type"] == "FeatureCollection" else [obj]
    if not isinstance(feats, list) or not feats:
        raise LookupInputError("the GeoJSON has no features")
    parts: dict[View, list[Polygon]] = {}
    for i, f in enumerate(feats):
        if not isinstance(f, dict):
            raise LookupInputError(f"feature {i}: must be a GeoJSON Feature, got {quote(f)}")
        props = f.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            raise LookupInputError(f"feature {i}: properties must be an object, got {quote(props)}")
        view = props.get("view")
        if view not in VIEWS:
            raise LookupInputError(
                f"feature {i}: properties.view must be one of {', '.join(VIEWS)}, got {quote(view)}"
            )
        geometry = f.get("geometry")
        if not isinstance(geometry, dict):
            raise LookupInputError(f"feature {i}: not a valid GeoJSON geometry")
        try:
            g = shapely.force_2d(shape(geometry))
        except Exception:  # noqa: BLE001 - shapely raises many kinds for bad GeoJSON, and echoes it
            raise LookupInputError(f"feature {i}: not a valid GeoJSON geometry") from None
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise LookupInputError(
                f"feature {i}: a pain area must be a Polygon or MultiPolygon, not {g.geom_type}"
            )
        if not g.is_empty:
            parts.setdefault(view, []).extend(polygon_parts(g))
    if not parts:
        raise LookupInputError("the GeoJSON's polygons are all empty")
    # Overlapping polygons of one view make one area: clean() repairs (unions) them, in bounded time.
    return PainArea({v: MultiPolygon(list(gs)) if len(gs) > 1 else gs[0] for v, gs in parts.items()})
