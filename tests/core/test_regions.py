"""The regions partition each view exactly, mirror each other, and carry CHOIR codes."""

import csv
from pathlib import Path

import pytest
from shapely.ops import unary_union

from bodymap.core.chart.frame import VIEWS, mirror, x_sign
from bodymap.core.data import load_json

# The CHOIR Body Map's codes (docs/reference/body-map-instruments.md), kept in the repository.
CHOIR_TABLE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "choir.csv"

REQUIRED = [  # issue 2: each of these must be its own region
    "temple",
    "forehead",
    "angle_of_jaw",
    "tmj",
    "mastoid",
    "occipital",
    "suboccipital",
    "anterior_neck",
    "lateral_neck",
    "posterior_neck",
    "suprascapular",
    "interscapular",
    "infraspinous",
    "lateral_epicondyle",
    "dorsal_forearm",
    "thenar",
    "lateral_hip",
    "sacroiliac",
    "posterior_thigh",
    "popliteal_fossa",
    "lateral_leg",
    "heel_pad",
]


def test_at_least_150_regions(body):
    assert sum(len(body[v].regions) for v in VIEWS) >= 150


@pytest.mark.parametrize("region", REQUIRED)
def test_required_region_exists(body, region):
    assert any(r.id == region for v in VIEWS for r in body[v].regions)


@pytest.mark.parametrize("view", VIEWS)
def test_exact_partition(body, view):
    bv = body[view]
    union = unary_union([r.geometry for r in bv.regions])
    assert union.symmetric_difference(bv.outline).area < 1e-9
    # No overlaps: the areas add up to the outline's.
    assert sum(r.geometry.area for r in bv.regions) == pytest.approx(bv.outline.area, rel=1e-9)
    assert all(r.geometry.is_valid and r.geometry.area > 0 for r in bv.regions)


@pytest.mark.parametrize("view", VIEWS)
def test_partners_are_mirror_images(body, view):
    bv = body[view]
    for r in bv.regions:
        if r.side == "right":
            left = bv.region(r.id, "left")
            assert left is not None and left.geometry.centroid.x * x_sign(view, "left") > 0, r.id
            m = mirror(r.geometry)
            assert m.symmetric_difference(left.geometry).area < 1e-9, r.id
            assert r.geometry.area == pytest.approx(left.geometry.area, rel=1e-9)
        elif r.side == "midline":
            assert r.geometry.symmetric_difference(mirror(r.geometry)).area < 1e-9, r.id


@pytest.mark.parametrize("view", VIEWS)
def test_regions_lie_on_their_patient_side(body, view):
    for r in body[view].regions:
        cx = r.geometry.centroid.x
        if r.side == "midline":
            assert abs(cx) < 1e-6
        else:
            assert cx * x_sign(view, r.side) > 0, (r.id, r.side)


def test_choir_codes_are_the_instruments():
    """Every code choir.json gives to an area and a patient's side is the code the CHOIR Body Map gives
    them (docs/reference/choir.csv), and every one of its 74 codes is used."""
    with CHOIR_TABLE.open(newline="") as f:
        table = {int(row["code"]): row for row in csv.DictReader(f)}
    assert len(table) == 74
    used = set()
    for view, areas in load_json("body/choir.json").items():
        if not isinstance(areas, dict):
            continue  # "about"
        for area, codes in areas.items():
            for side, code in codes.items():
                row = table[code]
                # An area may carry a note of where it is seen ("Neck (back)" on a side view).
                assert (row["area"], row["side"]) == (area.split(" (")[0], side), (view, area, side, code)
                used.add(code)
    assert used == set(table)


def test_choir_codes_follow_the_patient_side(body):
    choir = load_json("body/choir.json")
    for view in VIEWS:
        for r in body[view].regions:
            codes = choir[view][r.choir_area]
            if r.side == "midline":
                assert set(r.choir) == set(codes.values())
            else:
                assert r.choir == (codes[r.side],)
    # Spot checks against the published table (front-right = patient's right on the front figure).
    assert body["front"].region("temple", "right").choir == (101,)
    assert body["back"].region("lower_buttock", "left").choir == (223,)
    assert body["plantar"].region("heel_pad", "right").choir == (238,)


def test_every_authored_region_is_built(body):
    authored = {r["id"] for r in load_json("body/regions.json")["regions"]}
    built = {r.id for v in VIEWS for r in body[v].regions}
    assert authored == built


def test_a_midline_point_of_a_paired_region_is_named(body):
    r = body["front"].region("forehead", "midline")
    assert r is not None and r.id == "forehead"
