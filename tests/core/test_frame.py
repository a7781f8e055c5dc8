import pytest

from bodymap.core.chart.frame import mirror, place_point, side_of, x_sign


def test_patient_right_is_viewer_left_on_the_front():
    assert x_sign("front", "right") == -1 and x_sign("front", "left") == 1
    assert x_sign("back", "right") == 1 and x_sign("plantar", "right") == 1
    assert side_of("front", -0.1) == "right" and side_of("back", -0.1) == "left"
    assert side_of("back", 0.0) == "midline"
    assert place_point(0.05, 0.5, "front", "right") == (-0.05, 0.5)


def test_bad_views_and_sides_are_refused():
    from bodymap.core.chart.frame import check_side, check_view

    with pytest.raises(ValueError, match="unknown view 'side'"):
        check_view("side")
    with pytest.raises(ValueError, match="unknown side"):
        check_side("up")
    with pytest.raises(ValueError):
        x_sign("front", "midline")


def test_mirror():
    from shapely.geometry import Point

    assert mirror(Point(0.2, 0.3)).equals(Point(-0.2, 0.3))
