"""A broken body data file stops with one message naming the file, the item and the field."""

import json
import shutil

import pytest

from bodymap.core import data
from bodymap.core.chart import body as body_module
from bodymap.core.data import DataError, load_json


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(data.data_root() / "body", root / "body")
    monkeypatch.setattr(data, "data_root", lambda: root)
    return root


def _edit(path, change):
    d = json.loads(path.read_text())
    change(d)
    path.write_text(json.dumps(d))


def test_not_json(data_copy):
    (data_copy / "body" / "figure.json").write_text("{ not json")
    with pytest.raises(DataError, match=r"^body/figure.json: not valid JSON \(line 1"):
        body_module.build_body()


def test_missing_file(data_copy):
    (data_copy / "body" / "choir.json").unlink()
    with pytest.raises(DataError, match="body/choir.json: file not found"):
        body_module.build_body()


def test_unknown_region_in_cells(data_copy):
    _edit(
        data_copy / "body" / "cells.json",
        lambda d: d["front"][0]["regions"].insert(0, ["wart", {"box": [0, 0, 1, 1]}]),
    )
    with pytest.raises(
        DataError, match="body/cells.json: front part head: region 'wart' is not in regions.json"
    ):
        body_module.build_body()


def test_region_on_wrong_view(data_copy):
    _edit(
        data_copy / "body" / "cells.json",
        lambda d: d["front"][0]["regions"].insert(0, ["mastoid", {"box": [0, 0, 1, 1]}]),
    )
    with pytest.raises(DataError, match="region 'mastoid' belongs to the back view"):
        body_module.build_body()


def test_unknown_choir_area(data_copy):
    def change(d):
        next(r for r in d["regions"] if r["id"] == "temple")["choir"] = "Scalp"

    _edit(data_copy / "body" / "regions.json", change)
    with pytest.raises(
        DataError, match="body/regions.json: temple: choir: CHOIR area 'Scalp' does not exist"
    ):
        body_module.build_body()


def test_require_names_the_field():
    with pytest.raises(DataError, match="f.json: m1: name: missing"):
        data.require({}, "name", str, "f.json", "m1")
    with pytest.raises(DataError, match="f.json: m1: name: expected str, got int"):
        data.require({"name": 3}, "name", str, "f.json", "m1")


def test_shipped_files_load():
    assert load_json("body/regions.json")["regions"]
