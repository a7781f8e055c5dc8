"""`bodymap study cards | score` without a window: JSON on stdout, one-line errors."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bodymap.cli import main


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cards_json(capsys, atlas):
    code, out, err = run(["study", "cards", "--kind", "zone", "--muscle", "infraspinatus"], capsys)
    assert code == 0 and not err
    data = json.loads(out)
    assert data["count"] == len(data["cards"]) == 6
    for c in data["cards"]:
        assert {"id", "kind", "muscle", "trp", "side", "prompt"} <= c.keys()
        assert c["kind"] == "zone" and c["muscle"] == "infraspinatus" and c["side"] in ("right", "left")


def test_reverse_cards_list_their_options_and_can_show_their_area(capsys):
    code, out, _ = run(["study", "cards", "--kind", "reverse", "--muscle", "masseter", "--geometry"], capsys)
    cards = json.loads(out)["cards"]
    single = [c for c in cards if c["muscle"] == "masseter"]
    assert single and all(c["options"] and c["shown"]["type"] == "FeatureCollection" for c in single)
    assert any(c["condition"] == "tmj_pain" for c in cards)


def test_score_a_point(capsys, tmp_path, deck):
    t = deck.trigger_point(deck.card("point:infraspinatus:trp_upper_medial:right"))
    answer = tmp_path / "click.geojson"
    answer.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"view": t.view},
                        "geometry": {"type": "Point", "coordinates": [t.point[0], t.point[1] - 0.008]},
                    }
                ],
            }
        )
    )
    code, out, err = run(
        ["study", "score", "point:infraspinatus:trp_upper_medial:right", "--answer", str(answer)], capsys
    )
    assert code == 0 and not err
    got = json.loads(out)
    assert (
        got["score"] == 1.0 and got["passed"] is True and got["distance_cm"] == pytest.approx(1.36, abs=0.01)
    )
    assert got["reason"] and "\n" not in got["reason"]


def test_score_a_drawing_and_a_choice(capsys, tmp_path, deck):
    from shapely.geometry import mapping

    t = deck.trigger_point(deck.card("zone:masseter:deep:right"))
    drawing = tmp_path / "zone.geojson"
    drawing.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"view": v}, "geometry": mapping(g)}
                    for v, g in t.essential.items()
                ],
            }
        )
    )
    code, out, _ = run(["study", "score", "zone:masseter:deep:right", "--answer", str(drawing)], capsys)
    got = json.loads(out)
    assert code == 0 and got["score"] >= 0.95 and got["passed"] and got["excellent"]
    names = tmp_path / "names.json"
    names.write_text(json.dumps(["Masseter"]))
    code, out, _ = run(["study", "score", "name:masseter:deep:right", "--answer", str(names)], capsys)
    assert json.loads(out)["score"] == 1.0


@pytest.mark.parametrize(
    "args, content, message",
    [
        (["study"], None, "needs a command"),
        (["study", "cards", "--kind", "draw"], None, "invalid choice"),
        (["study", "cards", "--muscle", "trapz"], None, "no muscle called 'trapz'"),
        (["study", "score", "zone:nope:x:right", "--answer", "A"], "[]", "no study card"),
        (["study", "score", "name:masseter:deep:right", "--answer", "A"], "{not json", "not valid JSON"),
        (["study", "score", "name:masseter:deep:right", "--answer", "A"], '"masseter"', "JSON list"),
        (["study", "score", "zone:masseter:deep:right", "--answer", "A"], '["masseter"]', "GeoJSON"),
        (["study", "score", "point:masseter:deep:right", "--answer", "missing.json"], None, "cannot read"),
        (["study", "export", "--format", "apkg", "--out", "x.pdf"], None, "writes a .apkg file"),
        (["study", "export", "--format", "pdf", "--out", "/no/such/folder/x.pdf"], None, "does not exist"),
    ],
)
def test_errors_are_one_line(capsys, tmp_path, args, content, message):
    if content is not None:
        (tmp_path / "A").write_text(content)
    args = [str(tmp_path / "A") if a == "A" else a for a in args]
    code, out, err = run(args, capsys)
    assert code == 2 and not out
    assert err.count("\n") == 1 and message in err


json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    card=st.one_of(
        st.text(max_size=30),
        st.sampled_from(["zone:masseter:deep:right", "point:soleus:trp1:left", "reverse:case:tmj_pain"]),
    ),
    answer=json_values,
)
def test_any_card_id_and_answer_gives_json_or_one_line(capsys, tmp_path, card, answer):
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(answer))
    code = main(["study", "score", card, "--answer", str(path)])
    out, err = capsys.readouterr()
    if code == 0:
        got = json.loads(out)
        assert 0.0 <= got["score"] <= 1.0 and got["reason"] and not err
    else:
        assert code == 2 and not out and err.count("\n") == 1 and err.startswith("bodymap: error: ")
