"""Regions have anatomical shapes (issue 12): smooth borders, no staircases, no slivers, no detached
tabs; and what `bodymap geometry` writes is valid after rounding. The head view's sides follow the
laterality rule."""

import json

import pytest
from shapely import STRtree
from shapely.geometry import shape

from bodymap.core.chart.frame import VIEWS, x_sign

from .shapes import interior_angles, raggedness, roundness, steps, thin_share

MIN_ANGLE = 20.0  # degrees: a sharper corner is a spike or a sliver's tip
THIN = 0.003  # stature: parts thinner than this (about 5 mm) ...
MAX_THIN_SHARE = 0.10  # ... may be at most this share of a region
MIN_ROUNDNESS = 0.12  # the long narrow bands along the spine are the least round regions
MAX_RAGGEDNESS = 1.35


def one_side(body, view):
    return [r for r in body[view].regions if r.side != "left"]  # the left ones are mirror images


@pytest.mark.parametrize("view", VIEWS)
def test_each_region_is_one_piece(body, view):
    for r in body[view].regions:
        assert r.geometry.geom_type == "Polygon", (r.id, r.side, r.geometry.geom_type)


@pytest.mark.parametrize("view", VIEWS)
def test_no_sharp_corners(body, view):
    for r in one_side(body, view):
        angle, where = min(interior_angles(r.geometry))
        assert angle >= MIN_ANGLE, (r.id, round(angle, 1), where)


@pytest.mark.parametrize("view", VIEWS)
def test_no_staircase(body, view):
    for r in one_side(body, view):
        assert steps(r.geometry) == [], r.id


@pytest.mark.parametrize("view", VIEWS)
def test_no_slivers(body, view):
    for r in one_side(body, view):
        assert thin_share(r.geometry, THIN) <= MAX_THIN_SHARE, r.id
        assert roundness(r.geometry) >= MIN_ROUNDNESS, r.id
        assert raggedness(r.geometry) <= MAX_RAGGEDNESS, r.id


def test_the_checks_catch_a_staircase_and_a_sliver():
    from shapely.geometry import Polygon, box

    stair = Polygon([(0, 0), (0.03, 0), (0.03, 0.01), (0.02, 0.01), (0.02, 0.014), (0.01, 0.014), (0, 0.02)])
    assert steps(stair)
    sliver = Polygon([(0, 0), (0.05, 0.0), (0.05, 0.002)])
    assert min(interior_angles(sliver))[0] < MIN_ANGLE
    assert thin_share(sliver, THIN) > MAX_THIN_SHARE
    assert not steps(box(0, 0, 0.02, 0.03)) and min(interior_angles(box(0, 0, 1, 1)))[0] == 90


def test_fingers_and_toes_are_regions_of_their_own(body):
    fingers = ("thumb", "index", "middle", "ring", "little")
    toes = ("hallux", "second_toe", "third_toe", "fourth_toe", "fifth_toe")
    for side in ("right", "left"):
        for f in fingers:
            assert body["front"].region(f"palmar_{f}", side).side == side
            assert body["back"].region(f"dorsal_{f}", side).side == side
        for t in toes:
            assert body["front"].region(f"dorsal_{t}", side).side == side
            assert body["plantar"].region(f"plantar_{t}", side).side == side
    # In anatomical position (palm forward) the thumb is lateral and the little finger medial, on the
    # palm and on the back of the hand; the big toe is medial on the foot and on the sole.
    for view, prefix in (("front", "palmar"), ("back", "dorsal")):
        u = [abs(body[view].region(f"{prefix}_{f}", "right").geometry.centroid.x) for f in fingers]
        assert u == sorted(u, reverse=True), (view, u)
    for view, prefix in (("front", "dorsal"), ("plantar", "plantar")):
        u = [abs(body[view].region(f"{prefix}_{t}", "right").geometry.centroid.x) for t in toes]
        assert u == sorted(u) if view == "front" else u[0] == min(u), (view, u)


def test_head_view_sides(body):
    """docs/design.md: the patient's right profile on the viewer's left, the left profile on the viewer's
    right, each drawn as it is seen from its side, so the faces turn towards each other across the
    middle. Every region and landmark says so."""
    head = body["head"]
    assert x_sign("head", "right") == -1 and x_sign("head", "left") == 1
    for r in head.regions:
        assert r.side in ("right", "left")
        assert r.geometry.bounds[2] < 0 if r.side == "right" else r.geometry.bounds[0] > 0, r.key
    for m in head.landmarks:
        assert m.side in ("right", "left") and m.point[0] * x_sign("head", m.side) > 0, (m.id, m.side)
    for side in ("right", "left"):
        nose = head.region("head_nose", side).geometry.centroid.x
        ear = head.region("head_ear", side).geometry.centroid.x
        back = head.region("head_occipital", side).geometry.centroid.x
        # Seen from the patient's right, the face is on the viewer's right: towards the middle.
        assert abs(nose) < abs(ear) < abs(back), side
    assert len({r.id for r in head.regions}) >= 30


def test_geometry_cli_writes_valid_polygons_after_rounding(capsys):
    from bodymap.cli import main

    assert main(["geometry"]) == 0
    feats = json.loads(capsys.readouterr().out)["features"]
    areas = [f for f in feats if f["geometry"]["type"] in ("Polygon", "MultiPolygon")]
    assert sum(f["properties"]["kind"] == "region" for f in areas) >= 300
    invalid = [f["properties"]["id"] for f in areas if not shape(f["geometry"]).is_valid]
    assert invalid == []
    # ...so each can be overlaid with its neighbours, which is what broke before (shapely raised).
    for view in VIEWS:
        geoms = [shape(f["geometry"]) for f in areas if f["properties"]["view"] == view]
        tree = STRtree(geoms)
        for i, j in zip(*tree.query(geoms, predicate="intersects"), strict=True):
            assert geoms[i].intersection(geoms[j]).area >= 0


def test_zones_have_no_staircase_no_sliver_no_speck(body):
    """Referral zones are unions of these regions, bands and discs, rounded: no part of one has a
    sharp corner, a step or a thin tail, and none is a speck. Where a zone follows the edge of the
    body or stops at the midline (a one-sided pattern), that is the body's shape, not a step; so is the
    rounding (atlas.anchors.SMOOTH) of a zone's corner where it meets them."""
    from shapely.geometry import LineString

    from bodymap.core.atlas import load_atlas
    from bodymap.core.atlas.anchors import SMOOTH
    from bodymap.core.geometry import polygon_parts

    midline = LineString([(0, -1), (0, 2)])
    for m in load_atlas().muscles.values():
        for t in m.trps("right"):
            for kind in ("essential", "spillover"):
                for view, zone in t.zone(kind).items():
                    skin = body[view].outline.boundary.union(midline)
                    for part in polygon_parts(zone):
                        where = (m.id, t.id, kind, view)
                        assert part.area >= 1e-6, where
                        assert min(interior_angles(part))[0] >= MIN_ANGLE, where
                        assert steps(part, skin=skin, near_skin=SMOOTH) == [], where
                        assert thin_share(part, THIN) <= MAX_THIN_SHARE, where
