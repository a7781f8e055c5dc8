"""Which hazards lie under a point: one answer, with one tolerance, for the atlas, the needling
warnings and the chart's hover."""

from shapely.geometry import box

from bodymap.core.atlas import HAZARD_TOLERANCE, Hazard, hazards_at, load_atlas


def _hazard(hid, zones):
    return Hazard(hid, hid, "risk", (), "advice", "paired", (), zones)


RIGHT = _hazard(
    "right_only", {"right": {"back": box(0.1, 0.5, 0.2, 0.6)}, "left": {"back": box(-0.2, 0.5, -0.1, 0.6)}}
)
FRONT = _hazard(
    "front_only", {"right": {"front": box(-0.2, 0.5, -0.1, 0.6)}, "left": {"front": box(0.1, 0.5, 0.2, 0.6)}}
)


def test_a_point_inside_or_within_the_tolerance_is_over_the_hazard():
    assert hazards_at([RIGHT, FRONT], "back", 0.15, 0.55) == [RIGHT]
    assert hazards_at([RIGHT], "back", 0.2 + 0.9 * HAZARD_TOLERANCE, 0.55) == [RIGHT]
    assert hazards_at([RIGHT], "back", 0.2 + 1.1 * HAZARD_TOLERANCE, 0.55) == []


def test_a_zone_counts_only_on_its_own_view():
    assert hazards_at([RIGHT, FRONT], "front", 0.15, 0.55) == [FRONT]
    assert hazards_at([RIGHT, FRONT], "plantar", 0.15, 0.55) == []


def test_sides_limit_the_zones_looked_at():
    assert hazards_at([RIGHT], "back", -0.15, 0.55) == [RIGHT]  # the patient's left zone
    assert hazards_at([RIGHT], "back", -0.15, 0.55, sides=("right",)) == []
    assert hazards_at([RIGHT], "back", -0.15, 0.55, sides=("left",)) == [RIGHT]


def test_the_atlas_names_the_hazards_under_each_trigger_point_by_the_same_rule():
    atlas = load_atlas()
    trps = [t for m in atlas.muscles.values() for t in m.trps()]
    assert any(t.hazards for t in trps)
    for t in trps:
        assert t.hazards == tuple(h.id for h in hazards_at(atlas.hazards.values(), t.view, *t.point)), t.key


def test_a_point_in_a_real_zone_is_found():
    atlas = load_atlas()
    p = atlas.hazards["lung_apex"].zones["right"]["back"].representative_point()
    assert "lung_apex" in [h.id for h in hazards_at(atlas.hazards.values(), "back", p.x, p.y)]
