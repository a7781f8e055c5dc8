"""Pain extent, body-surface share, CHOIR codes, overlap and the course of care, on drawings with known
answers."""

from datetime import date

import pytest
from shapely.geometry import box
from shapely.ops import unary_union

from bodymap.core.chart.body import load_body
from bodymap.core.chart.frame import VIEWS
from bodymap.core.records import Drawing, Findings, Visit
from bodymap.core.records.metrics import (
    SEGMENT_OF_AREA,
    SEGMENTS,
    choir_codes,
    course_of_care,
    jaccard,
    pain_extent,
)

from .conftest import disc, inside, region

BODY = load_body()
CHART = sum(BODY[v].outline.area for v in VIEWS)


def _regions(segment_areas, side):
    return [
        (v, r) for v in VIEWS for r in BODY[v].regions if r.choir_area in segment_areas and r.side == side
    ]


def test_lund_browder_shares_add_up_to_the_whole_body():
    paired = {"upper arm", "forearm", "hand", "thigh", "lower leg", "foot"}
    assert sum(p * (2 if s in paired else 1) for s, p in SEGMENTS.items()) == pytest.approx(100)
    used = {r.choir_area for v in VIEWS for r in BODY[v].regions}
    assert used <= set(SEGMENT_OF_AREA)  # every region of the chart has a segment


def test_a_drawing_that_covers_exactly_one_region():
    r = region("back", "dorsal_forearm", "right")
    e = pain_extent({"back": r.geometry})
    assert e.area == pytest.approx(r.geometry.area)
    assert e.chart_share == pytest.approx(r.geometry.area / CHART)
    # Its share of the right forearm (3 %) is its part of the forearm's drawn area, over all views.
    forearm = _regions({"Elbow", "Forearm", "Wrist"}, "right")
    assert e.body_share == pytest.approx(0.03 * r.geometry.area / sum(g.geometry.area for _, g in forearm))
    assert choir_codes({"back": r.geometry}) == r.choir == (220,)  # Forearm (back-right)


def test_a_whole_segment_is_its_lund_browder_share():
    thigh = _regions({"Hip", "Upper Leg"}, "left")
    areas = {v: unary_union([r.geometry for vv, r in thigh if vv == v]) for v in {v for v, _ in thigh}}
    assert pain_extent(areas).body_share == pytest.approx(0.095)
    assert set(choir_codes(areas)) == {123, 127, 222, 228}  # Hip and Upper Leg, front-left and back-left


def test_the_whole_body():
    areas = {v: BODY[v].outline for v in VIEWS}
    e = pain_extent(areas)
    assert e.chart_share == pytest.approx(1.0)
    assert e.body_share == pytest.approx(1.0)
    codes = choir_codes(areas)
    assert len(codes) == 74 and codes[0] == 101 and codes[-1] == 238  # every CHOIR region


def test_laterality_of_choir_codes_is_the_patients():
    # The sternum is one midline region; CHOIR splits the chest into front-right (108) and front-left (109).
    sternal = region("front", "sternal", "midline")
    assert choir_codes({"front": sternal.geometry}) == (108, 109)
    # On the front view the patient's right is x < 0.
    right_half = sternal.geometry.intersection(box(-1, 0, 0, 1))
    assert choir_codes({"front": right_half}) == (108,)
    # On the back view the patient's right is x > 0: right lower back is 219.
    assert choir_codes({"back": disc(*inside("back", "lumbar", "right"), 0.005)}) == (219,)


def test_slivers_along_a_border_do_not_count():
    r = region("back", "dorsal_forearm", "right")
    grown = r.geometry.buffer(1e-6)  # spills a hair's breadth into the neighbours
    assert choir_codes({"back": grown}) == (220,)


def test_jaccard():
    a = {"front": box(-0.02, 0.70, 0.02, 0.74)}
    assert jaccard(a, a) == pytest.approx(1.0)
    assert jaccard(a, {"front": box(-0.02, 0.60, 0.02, 0.64)}) == 0.0
    assert jaccard(a, {"back": a["front"]}) == 0.0  # the same place on another view is another place
    half = {"front": box(0.0, 0.70, 0.04, 0.74)}
    assert jaccard(a, half) == pytest.approx(1 / 3)
    assert jaccard({}, {}) is None
    assert jaccard(a, {}) == 0.0


def test_course_of_care(store, patient):
    lumbar = region("back", "lumbar", "right").geometry
    sacral = region("back", "sacral", "midline").geometry
    plan = [
        (date(2024, 3, 1), 7, 5, [lumbar.union(sacral)], ["active", "active", "latent"]),
        (date(2024, 3, 8), 5, 3, [lumbar], ["active", "latent"]),
        (date(2024, 3, 15), 2, 1, [], ["latent"]),
    ]
    for day, before, after, areas, statuses in plan:
        v = store.add_visit(
            Visit(patient_id=patient.id, visited_on=day, pain_before=before, pain_after=after)
        )
        for area in areas:
            store.add_drawing(Drawing(visit_id=v.id, symptom="pain", intensity=before, areas={"back": area}))
        for status in statuses:
            store.add_mark(v.id, "back", *inside("back", "lumbar", "right"), Findings(status=status))
    # A deleted mark does not count.
    gone = store.add_mark(v.id, "back", *inside("back", "lumbar", "right"), Findings(status="active"))
    store.delete("mark", gone.id)
    rows = course_of_care(store, patient.id)
    assert [r.number for r in rows] == [1, 2, 3]
    assert [(r.pain_before, r.pain_after) for r in rows] == [(7, 5), (5, 3), (2, 1)]
    assert [r.active_trps for r in rows] == [2, 1, 0]
    assert [r.latent_trps for r in rows] == [1, 1, 1]
    assert rows[0].overlap is None
    assert rows[1].overlap == pytest.approx(lumbar.area / lumbar.union(sacral).area, rel=1e-3)
    assert rows[2].overlap == 0.0 and rows[2].extent is None
    assert rows[0].extent.chart_share > rows[1].extent.chart_share
    assert rows[1].choir == (219,) and rows[0].choir == (218, 219)
