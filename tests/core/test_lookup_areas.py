"""`lookup --area` and Lookup.clip on hostile GeoJSON (issue 10): one line and exit status 2, never a
traceback or a wrong answer; a drawing is ranked on its canonical form."""

import json
import math

import pytest
import shapely
import shapely.geometry
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

from bodymap.cli import main
from bodymap.core.lookup import Lookup, LookupInputError, pain_from_geojson


@pytest.fixture(scope="module")
def lookup(body):
    from bodymap.core.atlas import load_atlas

    return Lookup(load_atlas(), body)


def square(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature(geometry, view="back"):
    return {"type": "Feature", "properties": {"view": view}, "geometry": geometry}


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # shapely, reading the NaN polygon
@pytest.mark.parametrize(
    "obj, message",
    [
        ({"type": "FeatureCollection"}, "has no features"),  # KeyError
        ({"type": "FeatureCollection", "features": [None]}, "feature 0: must be a GeoJSON Feature"),
        ({"type": "Feature", "properties": 1, "geometry": square(0, 0.5, 0.1, 0.6)}, "properties must be"),
        (feature(square(0, 0.5, math.inf, 0.6)), "not numbers"),  # GEOSException
        (feature(square(0, 0.5, math.nan, 0.6)), "not numbers"),
        (
            feature({"type": "Polygon", "coordinates": [[[0, 0.5], [0.1, 0.5, 3], [0.1, 0.6], [0, 0.5]]]}),
            "not a valid GeoJSON geometry",
        ),  # mixed dimensions
        (feature({"type": "Polygon", "coordinates": [[[0, 0.5], [0.1, 0.5]]]}), "not a valid GeoJSON"),
        (feature(None), "not a valid GeoJSON geometry"),
        (feature(square(5, 5, 6, 6)), "does not touch the body"),
    ],
)
def test_malformed_areas_are_one_line(lookup, obj, message):
    with pytest.raises(LookupInputError, match=message) as info:
        lookup.clip(pain_from_geojson(obj))
    assert "\n" not in str(info.value)


def test_a_square_of_plus_minus_1e308_is_all_of_the_view(lookup, body):
    # It was reported as "does not touch the body".
    pain = lookup.clip(pain_from_geojson(feature(square(-1e308, -1e308, 1e308, 1e308))))
    assert pain["back"].area == pytest.approx(body["back"].outline.area, rel=1e-6)


def test_overlapping_features_of_one_view_make_one_area(lookup, body):
    a, b = box(0.02, 0.70, 0.06, 0.74), box(0.04, 0.72, 0.08, 0.76)
    assert body["back"].outline.covers(a | b)
    both = {"type": "FeatureCollection", "features": [feature(shapely.geometry.mapping(g)) for g in (a, b)]}
    pain = lookup.clip(pain_from_geojson(json.loads(json.dumps(both))))
    assert pain["back"].area == pytest.approx(0.04**2 * 2 - 0.02**2, rel=1e-3)


def test_cli_lookup_area_gives_one_line_for_bad_files(tmp_path, capsys):
    for i, content in enumerate(
        ['{"type":"FeatureCollection"}', '{"type":"FeatureCollection","features":[null]}', "[" * 3000]
    ):
        path = tmp_path / f"bad{i}.geojson"
        path.write_text(content)
        assert main(["lookup", "--area", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err


# Any JSON that GeoJSON readers might be handed: nested objects and lists of numbers, strings, nulls.
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
coords = st.floats(-2, 2) | st.sampled_from([0.0, 1e308, -1e308, math.inf, math.nan])
rings = st.lists(st.lists(coords, min_size=2, max_size=3), min_size=0, max_size=12)
geometries = (
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Polygon", "MultiPolygon", "Point", "LineString", "Nope"]),
            "coordinates": st.lists(rings, max_size=3),
        }
    )
    | json_values
)
features = (
    st.fixed_dictionaries(
        {
            "type": st.just("Feature"),
            "properties": st.fixed_dictionaries(
                {"view": st.sampled_from(["front", "back", "plantar", "side"])}
            )
            | json_values,
            "geometry": geometries,
        }
    )
    | json_values
)
collections = (
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["FeatureCollection", "Feature"]),
            "features": st.lists(features, max_size=3),
        }
    )
    | features
    | json_values
)


@pytest.mark.fuzz
@pytest.mark.filterwarnings("ignore:invalid value encountered")
@given(collections)
def test_any_geojson_is_ranked_or_refused_in_one_line(lookup, obj):
    try:
        pain = lookup.clip(pain_from_geojson(obj))
    except LookupInputError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 300
        return
    for view, g in pain.items():
        assert g.is_valid and not g.is_empty and lookup.body[view].outline.buffer(1e-6).covers(g)
    lookup.rank(pain, limit=5)


@pytest.mark.fuzz
@given(st.lists(st.tuples(st.floats(-0.4, 0.4), st.floats(0.0, 1.0)), min_size=3, max_size=80))
def test_a_drawn_outline_ranks_the_same_as_its_clean_form(lookup, ring):
    # The lookup ranks the canonical form the records store: cleaning it again changes nothing.
    obj = feature({"type": "Polygon", "coordinates": [[*map(list, ring), list(ring[0])]]}, view="front")
    try:
        pain = lookup.clip(pain_from_geojson(obj))
    except LookupInputError:
        return
    again = lookup.clip(dict(pain))
    assert {v: shapely.to_geojson(g) for v, g in again.items()} == {
        v: shapely.to_geojson(g) for v, g in pain.items()
    }


def test_a_file_of_a_drawing_round_trips(tmp_path, capsys, lookup):
    drawn = feature(json.loads(shapely.to_geojson(box(0.02, 0.8, 0.1, 0.88))))
    path = tmp_path / "pain.geojson"
    path.write_text(json.dumps(drawn))
    assert main(["lookup", "--area", str(path), "--limit", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["candidates"]) == 3 and 0 <= out["unexplained_share"] <= 1
