"""Every proportion and shape check of docs/reference/anthropometry.md, on the built outline."""

import numpy as np
import pytest
from shapely.geometry import LineString

from bodymap.core.chart.cells import build_cell
from bodymap.core.chart.frame import mirror
from bodymap.core.chart.spline import turning_angles
from bodymap.core.data import load_json

from .measure import frange, limb_width, midline_width, segments_at, width_at

LEG_X = 0.047  # the leg's axis, about mid-thigh to ankle


def part_cell(figure, name):
    """The cell of one part of the front view in cells.json (head, arm, neck, leg)."""
    spec = next(p for p in load_json("body/cells.json")["front"] if p["part"] == name)
    return build_cell(spec["cell"], figure, ValueError)


@pytest.fixture(scope="module")
def outline(body):
    return body["front"].outline


def test_one_valid_simple_polygon_without_holes(body, outline):
    assert outline.geom_type == "Polygon" and outline.is_valid
    assert len(outline.interiors) == 0
    assert outline.exterior.is_simple
    assert body["back"].outline.equals(outline)  # the back silhouette is the mirror (= itself)


def test_no_part_thinner_than_0_006(outline):
    eroded = outline.buffer(-0.003)
    assert eroded.geom_type == "Polygon", "a part thinner than 0.006 H splits off when eroded by 0.003"


def test_mirror_symmetric(outline):
    m = mirror(outline)
    iou = outline.intersection(m).area / outline.union(m).area
    assert iou >= 0.995


def test_smooth_except_named_corners(outline):
    coords = np.array(outline.exterior.coords)[:-1]
    angles = turning_angles(coords)
    sharp = coords[angles > 30]
    for x, y in sharp:
        at_sole = y < 0.006
        assert at_sole, f"sharp corner at ({x:.3f}, {y:.3f}) is not a named corner"


@pytest.mark.parametrize("y, lo, hi", [(0.79, 0.254, 0.314)])
def test_shoulders(outline, y, lo, hi):
    assert lo <= width_at(outline, y) <= hi


def test_head_breadth(outline):
    w = max(width_at(outline, y) for y in frange(0.94, 0.985))
    assert abs(w - 0.0895) <= 0.008


def test_neck_narrowest(outline):
    w = min(width_at(outline, y) for y in frange(0.845, 0.875))
    assert abs(w - 0.071) <= 0.011


def test_chest_arms_excluded(outline):
    assert abs(midline_width(outline, 0.72) - 0.165) <= 0.02


def test_waist(outline):
    w = min(midline_width(outline, y) for y in frange(0.58, 0.68))
    assert 0.15 <= w <= 0.19


def test_hips_and_shoulder_hip_ratio(outline):
    hips = max(w for y in frange(0.47, 0.56) if (w := midline_width(outline, y)) is not None)
    assert abs(hips - 0.207) <= 0.025
    assert 1.20 <= width_at(outline, 0.79) / hips <= 1.60


@pytest.mark.parametrize("y, lo, hi", [(0.42, 0.080, 0.100), (0.285, 0.052, 0.066)])
def test_thigh_and_knee(outline, y, lo, hi):
    assert lo <= limb_width(outline, y, LEG_X) <= hi


def test_calf_widest(outline):
    w = max(limb_width(outline, y, LEG_X) for y in frange(0.18, 0.25))
    assert abs(w - 0.072) <= 0.01


def test_ankle_narrowest(outline):
    w = min(limb_width(outline, y, LEG_X) for y in frange(0.05, 0.10))
    assert 0.032 <= w <= 0.046


def test_hand_breadth(body, outline):
    arm = body.figure.arm
    p, n = arm.frame_at(np.array([0.362]))
    across = LineString([p[0] - n[0] * 0.035, p[0] + n[0] * 0.021]).intersection(outline)
    # Across the palm below the thumb web: the thumb is excluded by stopping at the hand's edge.
    assert abs(across.length - 0.049) <= 0.008


def test_foot_breadth_end_on(outline):
    assert abs(limb_width(outline, 0.004, LEG_X) - 0.058) <= 0.008


def test_silhouette_area_and_overall_width(outline):
    assert 0.15 <= outline.area <= 0.21
    minx, _, maxx, _ = outline.bounds
    assert 0.42 <= maxx - minx <= 0.56


def test_heights(body, outline):
    _, miny, _, maxy = outline.bounds
    assert maxy == pytest.approx(1.0, abs=0.002) and miny == pytest.approx(0.0, abs=0.001)
    # Crotch: the lowest point of the trunk on the midline.
    crotch = LineString([(0, 0.3), (0, 0.6)]).intersection(outline)
    assert crotch.bounds[1] == pytest.approx(0.481, abs=0.004)
    # Fingertip: the lowest point of the hand.
    hand_low = min(y for x, y in outline.exterior.coords if x > 0.15)
    assert hand_low == pytest.approx(0.377, abs=0.005)
    # Axilla apex: the highest point of the gap between arm and trunk.
    gap_top = max(
        y for y in frange(0.65, 0.80, 300) if len([s for s in segments_at(outline, y) if s[1] > 0]) >= 2
    )
    assert 0.70 <= gap_top <= 0.76
    arm = body.figure
    assert arm.joint("elbow")[1] == pytest.approx(0.630, abs=0.003)
    assert arm.joint("wrist")[1] == pytest.approx(0.485, abs=0.003)


@pytest.mark.parametrize(
    "landmark, y, tol",
    [
        ("vertex", 1.0, 0.004),
        ("spinous_process_of_c7", 0.86, 0.005),
        ("acromion", 0.82, 0.005),
        ("nipple", 0.7275, 0.0075),
        ("umbilicus", 0.60, 0.005),
        ("iliac_crest", 0.60, 0.012),
        ("anterior_superior_iliac_spine", 0.56, 0.006),
        ("greater_trochanter", 0.5215, 0.0085),
        ("gluteal_fold", 0.47, 0.005),
        ("patella", 0.278, 0.01),
        ("lateral_malleolus", 0.041, 0.004),
        ("orbit", 0.936, 0.003),
    ],
)
def test_landmark_heights(body, landmark, y, tol):
    found = [
        m for m in (body[view].landmark(landmark, "right") for view in ("front", "back")) if m is not None
    ]
    assert found, f"{landmark} is on neither the front nor the back view"
    for m in found:
        assert m.point[1] == pytest.approx(y, abs=tol), (m.view, landmark)


def test_gaps_for_marking(outline):
    # Between arm and trunk at y = 0.70 (the lateral chest wall can be marked)...
    segs = [s for s in segments_at(outline, 0.70) if s[1] > 0]
    assert len(segs) == 2 and segs[1][0] - segs[0][1] >= 0.008
    # ...and between hand and thigh.
    for y in frange(0.38, 0.48, 40):
        segs = segments_at(outline, y)
        leg = next(i for i, (a, b) in enumerate(segs) if a <= LEG_X <= b)
        if leg + 1 < len(segs):
            assert segs[leg + 1][0] - segs[leg][1] >= 0.02, y


def test_projected_area_shares(body, outline):
    """The 2-D shares of a well-drawn chart (docs/reference/anthropometry.md), by body segment."""
    fig = body.figure
    arm = fig.arm
    half = fig.half
    total = half.area
    head_cell, arm_cell, neck_cell, leg_cell = (part_cell(fig, p) for p in ("head", "arm", "neck", "leg"))
    head = half.intersection(head_cell).area
    arms = half.intersection(arm_cell)
    neck = half.difference(head_cell).difference(arm_cell).intersection(neck_cell).area
    legs = half.intersection(leg_cell).difference(arm_cell)
    upper = arms.intersection(arm.cell(-0.2, 0.176, -0.2, 0.2)).area
    fore = arms.intersection(arm.cell(0.176, 0.324, -0.2, 0.2)).area
    hand = arms.intersection(arm.cell(0.324, 0.6, -0.2, 0.3)).area
    thigh = legs.intersection(fig.leg_cell(0.278, 0.6, -0.2, 0.2)).area
    lower = legs.intersection(fig.leg_cell(0.041, 0.278, -0.2, 0.2)).area
    foot = legs.intersection(fig.leg_cell(-0.1, 0.041, -0.2, 0.2)).area
    trunk = total - head - neck - upper - fore - hand - thigh - lower - foot
    shares = {
        k: v / total * 100
        for k, v in {
            "head": head,
            "neck": neck,
            "trunk": trunk,
            "upper": upper,
            "fore": fore,
            "hand": hand,
            "thigh": thigh,
            "lower": lower,
            "foot": foot,
        }.items()
    }
    expected = {
        "head": (4, 7.5),
        "neck": (1, 2.5),
        "trunk": (28, 38),
        "upper": (7, 13.5),
        "fore": (5, 9.5),
        "hand": (3.5, 6.5),
        "thigh": (15, 22),
        "lower": (11, 16.5),
        "foot": (1.5, 4.5),
    }
    for k, (lo, hi) in expected.items():
        assert lo <= shares[k] <= hi, (k, round(shares[k], 2))
