"""Loading and validating the atlas from data/atlas/: a broken file stops with one DataError naming
the file, the muscle and the field. Each muscle is written once in the lateral frame and placed on both
sides; loaded atlases are kept in the checked disk cache (core/cache.py)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, unary_union

from bodymap.core.cache import cached, fresh
from bodymap.core.chart.body import Body, load_body
from bodymap.core.chart.frame import PAIRED_SIDES, VIEWS, Side, View, place
from bodymap.core.chart.spline import catmull_rom
from bodymap.core.data import DataError, JsonObject, Where, data_root, load_json

from .anchors import Places
from .hazards import hazards_at
from .model import (
    AREAS,
    MAX_SAFE_DEPTH_MM,
    TRP_TOLERANCE,
    ZONE_KINDS,
    Atlas,
    Citation,
    Condition,
    Hazard,
    Muscle,
    SafeDepth,
    TriggerPoint,
)


def _text(d: JsonObject, key: str, w: Where, required: bool = True) -> str:
    v = d.get(key, None if required else "")
    if not isinstance(v, str) or (required and not v.strip() and key not in ("uncertainty", "notes")):
        raise w.at(key).error("must be a non-empty text" if v is not None else "missing")
    return v


def _texts(d: JsonObject, key: str, w: Where) -> tuple[str, ...]:
    v = d.get(key)
    if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
        raise w.at(key).error("must be a list of texts" if v is not None else "missing")
    return tuple(v)


def _citations(d: JsonObject, sources: dict[str, JsonObject], w: Where) -> tuple[Citation, ...]:
    refs = d.get("sources")
    if not isinstance(refs, list) or not refs:
        raise w.at("sources").error("needs at least one source")
    out = []
    for i, s in enumerate(refs):
        ref = s.get("ref") if isinstance(s, dict) else None
        if not isinstance(ref, str) or ref not in sources:
            raise w.at(f"sources[{i}]").error(f"unknown source {ref!r} (add it to a file in atlas/sources/)")
        out.append(Citation(ref, sources[ref]["citation"], str(s.get("where", ""))))
    return tuple(out)


def _safe_depth(d: object, sources: dict[str, JsonObject], w: Where) -> SafeDepth | None:
    """`needling.safe_depth`: {"mm", "estimate", "source": {"ref", "where"}, "note"}; absent: none given."""
    if d is None:
        return None
    if not isinstance(d, dict):
        raise w.error("must be an object with mm, estimate, source and note")
    mm = d.get("mm")
    if isinstance(mm, bool) or not isinstance(mm, (int, float)) or not 0 < mm <= MAX_SAFE_DEPTH_MM:
        raise w.at("mm").error(f"must be a number of millimetres above 0 and at most {MAX_SAFE_DEPTH_MM:g}")
    if not isinstance(d.get("estimate"), bool):
        raise w.at("estimate").error("must be true or false")
    source = d.get("source")
    (citation,) = _citations({"sources": [source]}, sources, w.at("source"))
    if not citation.where.strip():
        raise w.at("source.where").error("must say where in the source the depth comes from")
    return SafeDepth(float(mm), d["estimate"], citation, _text(d, "note", w))


# A trigger point written just outside the outline is placed this far inside it (about 0.9 mm).
INSIDE_BY = 0.0005


class _Loader:
    def __init__(self, body: Body, root: Path | None):
        self.body, self.root = body, root
        self.places = Places(body)
        self._inside: dict[View, BaseGeometry] = {}  # each view's outline shrunk by INSIDE_BY

    def json(self, rel: str) -> Any:
        return load_json(rel, self.root)

    def sources(self) -> dict[str, JsonObject]:
        folder = (self.root or data_root()) / "atlas" / "sources"
        out: dict[str, JsonObject] = {}
        for path in sorted(folder.glob("*.json")):
            rel = f"atlas/sources/{path.name}"
            for key, entry in self.json(rel).items():
                if key in out:
                    raise DataError(rel, "is defined twice (also in another sources file)", key)
                if not isinstance(entry, dict) or not isinstance(entry.get("citation"), str):
                    raise DataError(rel, "needs a citation text", key, "citation")
                out[key] = entry
        return out

    def outline(self, spec: object, w: Where) -> dict[Side, dict[View, BaseGeometry]]:
        if not isinstance(spec, list):
            raise w.error("must be a list of {view, points}")
        lateral: dict[View, BaseGeometry] = {}
        for i, o in enumerate(spec):
            wo = w.at(f"[{i}]")
            view = o.get("view") if isinstance(o, dict) else None
            if view not in VIEWS:
                raise wo.at("view").error(f"must be one of {', '.join(VIEWS)}, got {view!r}")
            pts = o.get("points")
            if not isinstance(pts, list) or len(pts) < 3:
                raise wo.at("points").error("needs at least 3 anchors")
            uv = np.array([self.places.anchor(a, view, wo.at(f"points[{j}]")) for j, a in enumerate(pts)])
            poly = Polygon(catmull_rom(uv, closed=True, samples=6)).buffer(0)
            lateral[view] = unary_union([lateral.get(view, Polygon()), poly])
        out: dict[Side, dict[View, BaseGeometry]] = {}
        for side in PAIRED_SIDES:
            out[side] = {}
            for view, g in lateral.items():
                placed = (
                    place(g, view, side)
                    .intersection(self.body[view].outline)
                    .intersection(self.places.half(view, side))
                )
                if placed.is_empty:
                    raise w.error(f"lies outside the body on the {view} view")
                out[side][view] = placed
        return out

    def _on_body(self, view: View, pt: tuple[float, float]) -> tuple[float, float]:
        """A trigger point is in a muscle, so on the body: one written just outside the outline (within
        TRP_TOLERANCE: the chart is a drawing) is moved to the nearest point just inside it, where a
        mark can be placed on it exactly."""
        outline = self.body[view].outline
        if outline.covers(Point(pt)):
            return pt
        inside = self._inside.get(view)
        if inside is None:
            inside = self._inside[view] = outline.buffer(-INSIDE_BY)
        near = nearest_points(inside, Point(pt))[0]
        return float(near.x), float(near.y)

    def hazards(self, sources: dict[str, JsonObject]) -> dict[str, Hazard]:
        rel = "atlas/hazards.json"
        out: dict[str, Hazard] = {}
        for h in self.json(rel).get("hazards", []):
            hid = h.get("id") if isinstance(h, dict) else None
            w = Where(rel, hid)
            if not isinstance(hid, str) or hid in out:
                raise w.at("id").error("missing or repeated")
            pairing = h.get("pairing", "paired")
            if pairing not in ("paired", "midline"):
                raise w.at("pairing").error("must be paired or midline")
            zones = {
                s: self.places.zone(h.get("zone"), "midline" if pairing == "midline" else s, w.at("zone"))
                for s in PAIRED_SIDES
            }
            out[hid] = Hazard(
                hid,
                _text(h, "name", w),
                _text(h, "at_risk", w),
                _texts(h, "structures", w),
                _text(h, "advice", w),
                pairing,
                _citations(h, sources, w),
                zones,
            )
        return out

    def muscle(
        self, path: Path, sources: dict[str, JsonObject], hazards: dict[str, Hazard], conditions: set[str]
    ) -> Muscle:
        rel = f"atlas/muscles/{path.name}"
        d = self.json(rel)
        mid = d.get("id") if isinstance(d, dict) else None
        w = Where(rel, path.stem)  # the file name is the muscle's id
        if mid != path.stem:
            raise w.at("id").error(f"must equal the file name {path.stem!r}, got {mid!r}")
        area = d.get("area")
        if area not in AREAS:
            raise w.at("area").error(f"must be one of {', '.join(AREAS)}, got {area!r}")
        for c in _texts(d, "conditions", w):
            if c not in conditions:
                raise w.at("conditions").error(f"unknown condition {c!r}")
        needling = d.get("needling")
        if not isinstance(needling, dict):
            raise w.at("needling").error("missing or not an object")
        for h in needling.get("hazards", []):
            if h not in hazards:
                raise w.at("needling.hazards").error(f"unknown hazard {h!r}")
        safe_depth = _safe_depth(needling.get("safe_depth"), sources, w.at("needling.safe_depth"))
        outlines = self.outline(d.get("outline"), w.at("outline"))
        raw_trps = d.get("trigger_points")
        if not isinstance(raw_trps, list) or not raw_trps:
            raise w.at("trigger_points").error("needs at least one trigger point")
        trps: dict[Side, list[TriggerPoint]] = {s: [] for s in PAIRED_SIDES}
        seen: set[str] = set()
        for i, t in enumerate(raw_trps):
            tid = t.get("id") if isinstance(t, dict) else None
            wt = Where(rel, f"{mid} {tid}" if tid else mid, f"trigger_points[{i}]")
            if not isinstance(tid, str) or tid in seen:
                raise wt.at("id").error("missing or repeated trigger point id")
            seen.add(tid)
            view = t.get("view")
            if view not in VIEWS:
                raise wt.at("view").error(f"must be one of {', '.join(VIEWS)}, got {view!r}")
            if not t.get("essential"):
                raise wt.at("essential").error("every trigger point needs an essential zone")
            for side in PAIRED_SIDES:
                pt = self.places.point(t.get("at"), view, side, wt.at("at"))
                if not shapely.dwithin(self.body[view].outline, Point(pt), TRP_TOLERANCE):
                    raise wt.at("at").error(f"lies outside the body on the {view} view at {pt}")
                pt = self._on_body(view, pt)
                zones = {k: self.places.zone(t.get(k, []), side, wt.at(k)) for k in ZONE_KINDS}
                under = tuple(h.id for h in hazards_at(hazards.values(), view, *pt))
                trps[side].append(
                    TriggerPoint(
                        mid,
                        tid,
                        _text(t, "name", wt),
                        side,
                        view,
                        pt,
                        str(t.get("notes", "")),
                        zones["essential"],
                        zones["spillover"],
                        under,
                    )
                )
        return Muscle(
            mid,
            _text(d, "name", w),
            _texts(d, "synonyms", w),
            area,
            _text(d, "attachments", w),
            _text(d, "action", w),
            _text(d, "innervation", w),
            _text(d, "palpation", w),
            _text(d, "position", w),
            _text(d, "symptoms", w),
            _texts(d, "conditions", w),
            _texts(d, "perpetuating_factors", w),
            needling,
            _citations(d, sources, w),
            _text(d, "uncertainty", w, required=False),
            outlines,
            {s: tuple(v) for s, v in trps.items()},
            safe_depth,
        )

    def conditions(self, sources: dict[str, JsonObject], muscles: set[str]) -> dict[str, Condition]:
        rel = "atlas/conditions.json"
        out: dict[str, Condition] = {}
        for c in self.json(rel).get("conditions", []):
            cid = c.get("id") if isinstance(c, dict) else None
            w = Where(rel, cid)
            if not isinstance(cid, str) or cid in out:
                raise w.at("id").error("missing or repeated")
            ms = _texts(c, "muscles", w)
            for m in ms:
                if m not in muscles:
                    raise w.at("muscles").error(f"unknown muscle {m!r}")
            out[cid] = Condition(
                cid,
                _text(c, "name", w),
                _texts(c, "synonyms", w),
                _text(c, "description", w),
                _text(c, "red_flags", w),
                ms,
                str(c.get("notes", "")),
                _citations(c, sources, w),
            )
        return out

    def load(self) -> Atlas:
        sources = self.sources()
        hazards = self.hazards(sources)
        folder = (self.root or data_root()) / "atlas" / "muscles"
        files = sorted(folder.glob("*.json"))
        muscle_ids = {p.stem for p in files}
        condition_ids = {
            c["id"]
            for c in self.json("atlas/conditions.json").get("conditions", [])
            if isinstance(c, dict) and "id" in c
        }
        muscles = {p.stem: self.muscle(p, sources, hazards, condition_ids) for p in files}
        conditions = self.conditions(sources, muscle_ids)
        groups_raw = self.json("atlas/groups.json")["groups"]
        for g, members in groups_raw.items():
            for m in members:
                if m not in muscles:
                    raise DataError("atlas/groups.json", f"unknown muscle {m!r}", g)
        groups = {g: tuple(v) for g, v in groups_raw.items()}
        return Atlas(muscles, hazards, conditions, sources, groups)


def build_atlas(body: Body | None = None, root: Path | None = None) -> Atlas:
    """Load and validate the atlas from data/atlas (or from `root`/atlas)."""
    return _Loader(body or load_body(), root).load()


def atlas_needs_building() -> bool:
    """Whether load_atlas() will build the atlas from the data (seconds: the first start, or after an
    update) rather than load it (milliseconds)."""
    return load_atlas.cache_info().currsize == 0 and not fresh("atlas")


@lru_cache(maxsize=1)
def load_atlas() -> Atlas:
    """The atlas, built once per process (from the checked disk cache when the data is unchanged)."""
    return cached("atlas", build_atlas)
