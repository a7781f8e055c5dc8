"""All 84 standard landmarks exist by name, on their views, on the patient's correct side."""

import csv
import re
from pathlib import Path

import pytest

from bodymap.core.chart.frame import VIEWS
from bodymap.core.chart.hittest import HitTester

# The landmark vocabulary (docs/reference/landmarks.md), kept in the repository so that this test runs,
# and can fail, on any clone.
REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "landmarks.csv"
SIDES = {"paired": {"right", "left"}, "midline": {"midline"}, "right": {"right"}}


def _reference_rows():
    """(slug, name, views, pairing) of every row of the reference table."""
    rows = []
    with REFERENCE.open(newline="") as f:
        for row in csv.DictReader(f):
            name = row["name"]
            slug = re.sub(r"[^a-z0-9]+", "_", name.lower().replace("'", "")).strip("_")
            rows.append((slug, name, set(row["views"].split()), row["pairing"]))
    return rows


def test_all_84_landmarks_by_standard_name_on_their_views(body):
    rows = _reference_rows()
    assert len(rows) == 84
    for slug, name, views, pairing in rows:
        assert views, f"{slug} has no view in the reference table"
        for view in views:
            found = [m for m in body[view].landmarks if m.id == slug]
            assert found, f"{slug} missing on {view}"
            assert {m.name for m in found} == {name}, slug
            # On the patient's sides the table says: both, the midline, or the right only (McBurney's).
            assert {m.side for m in found} == SIDES[pairing], (slug, view)


@pytest.mark.parametrize("view", VIEWS)
def test_landmark_sides_follow_the_patient(body, view):
    # A patient's right-side landmark has x < 0 on the front and head views, x > 0 on back and soles.
    right_is_negative = view in ("front", "head")
    for m in body[view].landmarks:
        x = m.point[0]
        if m.side == "midline":
            assert x == 0 and view != "head"  # each profile shows its own side of midline landmarks
        elif m.side == "right":
            assert (x < 0) if right_is_negative else (x > 0), (m.id, view)
        else:
            assert (x > 0) if right_is_negative else (x < 0), (m.id, view)


def test_mcburneys_point_is_on_the_right_only(body):
    ms = [m for m in body["front"].landmarks if m.id == "mcburneys_point"]
    assert [m.side for m in ms] == ["right"] and ms[0].point[0] < 0


@pytest.mark.parametrize("view", VIEWS)
def test_landmarks_lie_on_the_body(body, view):
    bv = body[view]
    for m in bv.landmarks:
        assert bv.outline.buffer(0.002).contains(__import__("shapely").Point(m.point)), m.id


@pytest.mark.parametrize(
    "view, landmark, region",
    [
        ("front", "temple", "temple"),
        ("front", "temporomandibular_joint", "tmj"),
        ("front", "angle_of_mandible", "angle_of_jaw"),
        ("front", "orbit", "orbit"),
        ("front", "clavicle", "supraclavicular"),
        ("front", "nipple", "pectoral"),
        ("front", "cubital_fossa", "cubital_fossa"),
        ("front", "medial_epicondyle_of_humerus", "medial_elbow"),
        ("front", "thenar_eminence", "thenar"),
        ("front", "center_of_palm", "palm"),
        ("front", "greater_trochanter", "lateral_hip"),
        ("front", "inguinal_ligament", "groin"),
        ("front", "patella", "patellar"),
        ("front", "shaft_of_fibula", "lateral_leg"),
        ("front", "medial_malleolus", "medial_ankle"),
        ("front", "lateral_malleolus", "lateral_ankle"),
        ("front", "first_metatarsophalangeal_joint", "dorsal_hallux"),
        ("front", "mcburneys_point", "iliac_fossa"),
        ("back", "mastoid_process", "mastoid"),
        ("back", "superior_nuchal_line", "occipital"),
        ("back", "spinous_process_of_c7", "cervical_spine"),
        ("back", "angle_of_neck", "neck_base"),
        ("back", "supraspinous_fossa", "suprascapular"),
        ("back", "infraspinous_fossa", "infraspinous"),
        ("back", "medial_border_of_scapula", "interscapular"),
        ("back", "posterior_deltoid_region", "posterior_shoulder"),
        ("back", "olecranon", "olecranon"),
        ("back", "lateral_epicondyle_of_humerus", "lateral_epicondyle"),
        ("back", "radial_head", "lateral_epicondyle"),
        ("back", "dorsal_tubercle_of_radius", "dorsal_wrist"),
        ("back", "first_dorsal_web_space", "first_web_space"),
        ("back", "dorsum_of_hand", "dorsum_of_hand"),
        ("back", "spinous_process_of_t12", "thoracic_spine"),
        ("back", "spinous_process_of_l4", "lumbar_spine"),
        ("back", "posterior_superior_iliac_spine", "sacroiliac"),
        ("back", "sacroiliac_joint", "sacroiliac"),
        ("back", "sacrum", "sacral"),
        ("back", "coccyx", "coccygeal"),
        ("back", "greater_trochanter", "posterolateral_hip"),
        ("back", "ischial_tuberosity", "lower_buttock"),
        ("back", "popliteal_fossa", "popliteal_fossa"),
        ("back", "mid_calf", "calf"),
        ("back", "calcaneal_tendon", "achilles"),
        ("plantar", "calcaneus_plantar_surface", "heel_pad"),
        ("plantar", "medial_longitudinal_arch", "medial_arch"),
        ("plantar", "heads_of_metatarsals", "ball_of_foot"),
    ],
)
def test_landmark_falls_in_its_region(body, view, landmark, region):
    tester = HitTester(body[view])
    found = [m for m in body[view].landmarks if m.id == landmark]
    assert found, f"{landmark} is not on the {view} view"
    for m in found:
        hit = tester.region_at(*m.point)
        assert hit is not None and hit.id == region, (landmark, m.side, hit and hit.id)
        assert hit.side in (m.side, "midline")
