"""A broken atlas file stops with one message naming the file, the muscle and the field."""

import json
import shutil

import pytest

from bodymap.core.atlas import build_atlas
from bodymap.core.data import DataError, data_root

KEEP = ("upper_trapezius", "gluteus_minimus", "piriformis")


@pytest.fixture
def root(tmp_path):
    """A small but complete copy of the atlas: three muscles and everything they refer to."""
    src = data_root() / "atlas"
    dst = tmp_path / "atlas"
    shutil.copytree(src, dst)
    for f in (dst / "muscles").glob("*.json"):
        if f.stem not in KEEP:
            f.unlink()
    conds = json.loads((dst / "conditions.json").read_text())
    for c in conds["conditions"]:
        c["muscles"] = [m for m in c["muscles"] if m in KEEP]
    (dst / "conditions.json").write_text(json.dumps(conds))
    (dst / "groups.json").write_text(json.dumps({"groups": {}}))
    return tmp_path


def edit(root, muscle, change):
    path = root / "atlas" / "muscles" / f"{muscle}.json"
    d = json.loads(path.read_text())
    change(d)
    path.write_text(json.dumps(d))


def load(root, body):
    return build_atlas(body, root)


def test_the_small_copy_loads(root, body):
    assert set(load(root, body).muscles) == set(KEEP)


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda d: d["trigger_points"][0].__setitem__("essential", []),
            "piriformis.json: piriformis lateral: trigger_points[0].essential: "
            "every trigger point needs an essential zone",
        ),
        (
            lambda d: d["trigger_points"][0]["at"].__setitem__("landmark", "navel"),
            "trigger_points[0].at: unknown landmark 'navel'",
        ),
        (lambda d: d.__setitem__("sources", []), "piriformis: sources: needs at least one source"),
        (
            lambda d: d["sources"].append({"ref": "nobody_2020"}),
            "sources[5]: unknown source 'nobody_2020' (add it to a file in atlas/sources/)",
        ),
        (
            lambda d: d.__setitem__("conditions", ["hiccups"]),
            "piriformis: conditions: unknown condition 'hiccups'",
        ),
        (
            lambda d: d["needling"].__setitem__("hazards", ["dragon"]),
            "needling.hazards: unknown hazard 'dragon'",
        ),
        (lambda d: d.__setitem__("area", "foot"), "piriformis: area: must be one of"),
        (lambda d: d.__setitem__("id", "piri"), "piriformis: id: must equal the file name 'piriformis'"),
        (lambda d: d.pop("action"), "piriformis: action: missing"),
        (
            lambda d: d["trigger_points"][0]["essential"].append({"region": "elbow_pit"}),
            "essential[",
        ),
        (
            lambda d: d["trigger_points"][0].__setitem__("view", "side"),
            "trigger_points[0].view: must be one of",
        ),
    ],
)
def test_broken_muscle_names_file_muscle_and_field(root, body, change, message):
    edit(root, "piriformis", change)
    with pytest.raises(DataError) as err:
        load(root, body)
    assert str(err.value).startswith("atlas/muscles/piriformis.json: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_region_is_named(root, body):
    edit(root, "piriformis", lambda d: d["trigger_points"][0]["essential"].append({"region": "elbow_pit"}))
    with pytest.raises(DataError, match=r"essential\[\d+\]: unknown region 'elbow_pit'"):
        load(root, body)


def test_landmark_on_the_wrong_view(root, body):
    def change(d):
        d["trigger_points"][0]["at"] = {"landmark": "nipple"}  # front only; the TrP is on the back

    edit(root, "piriformis", change)
    with pytest.raises(DataError, match="landmark 'nipple' is not on the back view \\(it is on: front\\)"):
        load(root, body)


def test_trigger_point_outside_the_body(root, body):
    def change(d):
        d["trigger_points"][0]["at"] = {"landmark": "greater_trochanter", "offset": {"lateral": 0.06}}

    edit(root, "piriformis", change)
    with pytest.raises(DataError, match=r"trigger_points\[0\].at: lies outside the body on the back view"):
        load(root, body)


def test_zone_outside_the_body(root, body):
    def change(d):
        d["trigger_points"][0]["spillover"] = [
            {
                "around": {"landmark": "greater_trochanter", "offset": {"lateral": 0.05, "up": -0.2}},
                "view": "back",
                "radius": 0.01,
            }
        ]

    edit(root, "piriformis", change)
    with pytest.raises(DataError, match=r"spillover\[0\]: lies outside the body"):
        load(root, body)


def test_malformed_json_names_the_file(root, body):
    (root / "atlas" / "muscles" / "piriformis.json").write_text('{"id": "piriformis",')
    with pytest.raises(DataError, match=r"^atlas/muscles/piriformis.json: not valid JSON \(line 1"):
        load(root, body)


def test_condition_naming_a_missing_muscle(root, body):
    path = root / "atlas" / "conditions.json"
    d = json.loads(path.read_text())
    d["conditions"][0]["muscles"].append("unicornus")
    path.write_text(json.dumps(d))
    with pytest.raises(
        DataError, match="atlas/conditions.json: neck_tension: muscles: unknown muscle 'unicornus'"
    ):
        load(root, body)


def test_source_defined_twice(root, body):
    (root / "atlas" / "sources" / "zz_dupe.json").write_text(
        json.dumps({"simons_1999": {"citation": "again", "kind": "book"}})
    )
    with pytest.raises(DataError, match="atlas/sources/zz_dupe.json: simons_1999: is defined twice"):
        load(root, body)
