"""The headless interface: GeoJSON on stdout, files rendered, one-line errors."""

import json
import subprocess
import sys

import pytest

from bodymap.cli import main


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_geometry_is_geojson_per_design(capsys):
    code, out, err = run(["geometry", "--view", "back"], capsys)
    assert code == 0 and not err
    fc = json.loads(out)
    assert fc["type"] == "FeatureCollection"
    kinds = {f["properties"]["kind"] for f in fc["features"]}
    assert kinds == {"outline", "region", "landmark", "line"}
    for f in fc["features"]:
        p = f["properties"]
        assert {"kind", "id", "name", "view", "side"} <= p.keys()
        assert p["view"] == "back" and p["side"] in ("right", "left", "midline")
    mastoid = [
        f
        for f in fc["features"]
        if f["properties"]["id"] == "mastoid_process" and f["properties"]["side"] == "right"
    ]
    assert mastoid[0]["geometry"]["coordinates"][0] > 0  # patient's right is x > 0 on the back


@pytest.mark.parametrize(
    "args, message",
    [
        (["geometry", "--view", "side"], "invalid choice: 'side'"),
        (["render", "--view", "front"], "the following arguments are required: --out"),
        (["render", "--out", "chart.gif"], "--out must end in .png, .svg or .pdf"),
        (["render", "--out", "/no/such/dir/c.png"], "does not exist"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_arguments_give_one_line(capsys, args, message):
    code, out, err = run(args, capsys)
    assert code == 2
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_render_writes_the_file(tmp_path, suffix, magic):
    out = tmp_path / f"chart{suffix}"
    result = subprocess.run(
        [sys.executable, "-m", "bodymap", "render", "--view", "front", "--out", str(out), "--width", "400"],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(magic)
