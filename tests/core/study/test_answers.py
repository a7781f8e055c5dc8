"""Reading answers from files: bad input is a one-line AnswerError, never a traceback."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bodymap.core.study import AnswerError, Choice, PainArea, PointAnswer
from bodymap.core.study.answers import choice_from_json, drawing_from_geojson, point_from_geojson


def point(x, y, view="back"):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"view": view},
                "geometry": {"type": "Point", "coordinates": [x, y]},
            }
        ],
    }


def test_point_answer():
    assert point_from_geojson(point(0.06, 0.79)) == PointAnswer("back", 0.06, 0.79)
    feature = point(0.1, 0.2)["features"][0]
    assert point_from_geojson(feature) == PointAnswer("back", 0.1, 0.2)


@pytest.mark.parametrize(
    "obj, words",
    [
        (point(0.1, 0.2, view="side"), "properties.view"),
        (point(float("nan"), 0.2), "outside the body frame"),
        (point(1e9, 0.2), "outside the body frame"),
        ({"type": "FeatureCollection", "features": []}, "exactly one"),
        ([1, 2], "GeoJSON"),
    ],
)
def test_bad_point_answers(obj, words):
    with pytest.raises(AnswerError, match=words):
        point_from_geojson(obj)


def test_drawing_answer():
    square = {"type": "Polygon", "coordinates": [[[0, 0.5], [0.05, 0.5], [0.05, 0.55], [0, 0.55], [0, 0.5]]]}
    d = drawing_from_geojson({"type": "Feature", "properties": {"view": "front"}, "geometry": square})
    assert isinstance(d, PainArea) and set(d.views) == {"front"}
    with pytest.raises(AnswerError, match="Polygon"):
        drawing_from_geojson(point(0.1, 0.2))


def test_choice_answer_by_id_name_or_synonym(atlas):
    c = choice_from_json(["masseter", "Lateral Pterygoid", "SCM"], atlas)
    assert c == Choice(frozenset({"masseter", "lateral_pterygoid", "sternocleidomastoid"}))
    with pytest.raises(AnswerError, match="did you mean: Masseter"):
        choice_from_json(["masseteer"], atlas)
    with pytest.raises(AnswerError, match="JSON list"):
        choice_from_json({"muscle": "masseter"}, atlas)


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
geojsonish = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Feature", "FeatureCollection", "Point"]),
        "features": st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.just("Feature"),
                    "properties": st.one_of(
                        st.none(), st.fixed_dictionaries({"view": st.sampled_from(["front", "x", None])})
                    ),
                    "geometry": json_values,
                }
            ),
            max_size=2,
        ),
        "properties": json_values,
        "geometry": json_values,
    }
)


@settings(max_examples=150, deadline=None)
@given(st.one_of(json_values, geojsonish))
def test_any_json_is_an_answer_or_one_answer_error(atlas, obj):
    for read in (point_from_geojson, drawing_from_geojson, lambda o: choice_from_json(o, atlas)):
        try:
            read(obj)
        except AnswerError as exc:
            assert "\n" not in str(exc)
