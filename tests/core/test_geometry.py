"""polygonal() keeps only the area of a geometry: what an overlay of two areas leaves besides its area
(lines and points where they only touch) never reaches a region, a zone or a pain drawing."""

from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

from bodymap.core.geometry import polygon_parts, polygonal


def test_an_area_comes_back_as_it_is():
    square = box(0, 0, 1, 1)
    two = MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)])
    assert polygonal(square) is square
    assert polygonal(two) is two


def test_lines_and_points_are_dropped_from_a_collection():
    mixed = GeometryCollection([box(0, 0, 1, 1), LineString([(1, 0), (2, 0)]), Point(5, 5), box(2, 0, 3, 1)])
    kept = polygonal(mixed)
    assert kept.geom_type == "MultiPolygon" and kept.area == 2.0
    assert [p.area for p in polygon_parts(mixed)] == [1.0, 1.0]


def test_areas_that_only_touch_leave_an_empty_polygon():
    edge = box(0, 0, 1, 1).intersection(box(1, 0, 2, 1))  # a line
    assert edge.geom_type == "LineString"
    assert polygonal(edge).geom_type == "Polygon" and polygonal(edge).is_empty
    assert polygon_parts(GeometryCollection()) == []


def test_nested_collections_are_searched():
    nested = GeometryCollection(
        [GeometryCollection([box(0, 0, 1, 1), Point(3, 3)]), LineString([(0, 0), (4, 4)])]
    )
    assert polygonal(nested).equals(box(0, 0, 1, 1))


coord = st.integers(-4, 4).map(float)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(coord, coord), min_size=3, max_size=6),
    st.lists(st.tuples(coord, coord), min_size=3, max_size=6),
)
def test_the_area_of_any_overlay_is_kept_whole(a, b):
    pa, pb = Polygon(a).buffer(0), Polygon(b).buffer(0)
    for overlay in (pa.intersection(pb), pa.difference(pb), pa.union(pb)):
        kept = polygonal(overlay)
        assert isinstance(kept, (Polygon, MultiPolygon))
        assert abs(kept.area - overlay.area) < 1e-9
        assert kept.symmetric_difference(overlay).area < 1e-9
