"""Issue 10's import findings, each kept: legal JSON that used to break Python is refused in one short
line, and the database is left byte for byte as it was."""

import copy
import hashlib
import json
import shutil
import time
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Polygon

from bodymap.core.records import Drawing, Findings, Patient, RecordsError, Store, Visit
from bodymap.core.records.exchange import VERSION, export_record
from bodymap.core.records.importing import MalformedImport, import_record

from .conftest import inside


@pytest.fixture(scope="module")
def exported_once(tmp_path_factory, placer):
    """A small record's JSON (one visit, one mark, one drawing), from a database of its own."""
    with Store.open(tmp_path_factory.mktemp("source") / "source.sqlite", placer=placer) as source:
        p = source.add_patient(Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1)))
        v = source.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1)))
        x, y = inside("back", "suprascapular", "right")
        source.add_mark(v.id, "back", x, y, Findings(ppt_kpa=250.0))
        source.add_drawing(
            Drawing(
                visit_id=v.id,
                symptom="pain",
                areas={"back": Polygon([(x - 0.02, y - 0.02), (x + 0.02, y - 0.02), (x, y + 0.02)])},
            )
        )
        return export_record(source, p.id)


@pytest.fixture
def exported(exported_once):
    """This test's own copy of it, to spoil as it likes."""
    return copy.deepcopy(exported_once)


@pytest.fixture
def target(tmp_path, empty_records):
    """An empty records file to import into (a copy of tests/conftest.py's)."""
    return Path(shutil.copy2(empty_records, tmp_path / "target.sqlite"))


def _digest(path):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.parent.iterdir())}


def refused(target, placer, source, *words, seconds=10.0):
    """Import `source` into `target`: refused in one short line naming the problem, nothing changed."""
    before = _digest(target)
    started = time.process_time()
    with Store.open(target, placer=placer) as store:
        with pytest.raises(MalformedImport) as info:
            import_record(store, source)
        assert store.patients(include_deleted=True) == []
    assert time.process_time() - started < seconds  # a guard against hangs (minutes), not a speed target
    message = str(info.value)
    assert "\n" not in message and len(message) < 400, message
    assert message.endswith("nothing was imported"), message
    for w in words:
        assert w in message, message
    assert _digest(target) == before
    return message


def with_value(data, path, value):
    data = copy.deepcopy(data)
    *parents, last = path
    node = data
    for p in parents:
        node = node[p]
    node[last] = value
    return data


MARK = ("visits", 0, "marks", 0)


@pytest.mark.parametrize(
    "path",
    [(*MARK, "x"), (*MARK, "y"), (*MARK, "findings", "ppt_kpa"), ("visits", 0, "after")],
    ids=["x", "y", "ppt_kpa", "after"],
)
def test_a_400_digit_integer_as_a_number(exported, target, placer, path):
    # math.isfinite(10**400) raised OverflowError; json.loads reads such a literal as a Python int.
    data = with_value(exported, path, 10**400)
    refused(target, placer, data, "a number with 401 digits")
    text = json.dumps(exported).replace('"ppt_kpa": 250.0', '"ppt_kpa": ' + "9" * 400)
    refused(target, placer, text, "a whole number with 400 digits")


def test_a_4301_digit_integer_literal(exported, target, placer):
    # Python refuses to parse more than 4,300 digits (a ValueError from the decoder, not JSON's own).
    text = json.dumps(exported).replace(f'"version": {VERSION}', '"version": ' + "1" * 4301)
    refused(target, placer, text, "4,301 digits")


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_timestamps_at_the_ends_of_the_calendar(exported, target, placer, stamp):
    # astimezone() overflowed past year 9999 or before year 1.
    refused(
        target, placer, with_value(exported, ("patient", "created_at"), stamp), "created_at", "out of range"
    )
    refused(target, placer, with_value(exported, (*MARK, "updated_at"), stamp), "mark 1", "updated_at")


def test_timestamps_in_the_future_or_before_1900(exported, target, placer):
    refused(target, placer, with_value(exported, ("patient", "created_at"), "2999-01-01T00:00:00"), "future")
    refused(target, placer, with_value(exported, ("patient", "created_at"), "1850-01-01T00:00:00"), "1900")


def test_arrays_nested_a_thousand_deep(exported, target, placer, tmp_path):
    # The JSON decoder, and repr() of the bad value, recursed past the stack.
    deep = "[" * 5000 + "]" * 5000
    refused(target, placer, deep, "nested too deeply")
    text = json.dumps(exported).replace('"notes": ""', '"notes": ' + deep, 1)
    path = tmp_path / "deep.json"
    path.write_text(text)
    refused(target, placer, path, "nested too deeply")
    nested: list = []
    for _ in range(5000):
        nested = [nested]
    refused(
        target, placer, with_value(exported, ("patient", "notes"), nested), "notes must be text, got a list"
    )


def test_a_lone_surrogate_in_notes(exported, target, placer):
    # The database driver raised UnicodeEncodeError.
    refused(target, placer, with_value(exported, ("patient", "notes"), "ok \ud800"), "lone surrogate")
    refused(target, placer, with_value(exported, (*MARK, "findings", "notes"), "\udfff"), "mark 1, findings")
    text = json.dumps(exported).replace('"notes": ""', '"notes": "\\ud800"', 1)
    refused(target, placer, text, "lone surrogate")


def test_a_nul_character_in_text(exported, target, placer):
    refused(target, placer, with_value(exported, ("patient", "given_name"), "A\x00nn"), "NUL")


def test_messages_quote_at_most_a_short_prefix_of_the_bad_value(exported, target, placer):
    huge = "x" * 10_000_000
    message = refused(
        target, placer, with_value(exported, ("patient", "date_of_birth"), huge), "date_of_birth"
    )
    assert "x" * 41 not in message and "…" in message
    refused(target, placer, with_value(exported, ("patient", huge), 1), "is not a field")
    refused(target, placer, with_value(exported, ("patient", "notes"), huge), "10,000,000 characters")
    refused(target, placer, with_value(exported, ("patient", "sex"), huge), "sex must be one of")
    refused(target, placer, with_value(exported, (*MARK, "findings", "status"), [huge]), "got a list")


@pytest.mark.parametrize("value", [float("inf"), float("nan"), -1e308])
def test_numbers_that_are_not_numbers(exported, target, placer, value):
    refused(target, placer, with_value(exported, (*MARK, "x"), value), "mark 1")


def test_nan_and_infinity_literals_are_not_json(exported, target, placer):
    text = json.dumps(exported).replace('"ppt_kpa": 250.0', '"ppt_kpa": NaN')
    refused(target, placer, text, "NaN")


def test_a_patient_already_there_is_named_in_words(exported, tmp_path, placer):
    # Issue 9 item 10: "(id 1)" meant nothing to a therapist.
    path = tmp_path / "t.sqlite"
    with Store.open(path, placer=placer) as store:
        import_record(store, exported)
        with pytest.raises(RecordsError) as info:
            import_record(store, exported)
    message = str(info.value)
    assert "Ann Lee (born 1980-05-01) is already in these records" in message
    assert "id " not in message and message.endswith("nothing was imported")


def _star(n, x, y, seed=1):
    rng = np.random.default_rng(seed)
    a, r = rng.uniform(0, 2 * np.pi, n), rng.uniform(0.02, 0.06, n)
    ring = np.c_[x + r * np.cos(a), y + r * np.sin(a)].tolist()
    return {"type": "Polygon", "coordinates": [ring + ring[:1]]}


def _lasso(n, x, y):
    """A lasso drawn twice round, wobbling: it crosses itself, as a quick hand-drawn shading does."""
    t = np.linspace(0, 4 * np.pi, n, endpoint=False)
    r = 0.03 + 0.006 * np.sin(t * 2.3) + 0.002 * np.sin(t * 40)
    ring = np.c_[x + r * np.cos(t), y + r * np.sin(t)].tolist()
    return {"type": "Polygon", "coordinates": [ring + ring[:1]]}


def test_self_crossing_drawings_import_or_are_refused_quickly(exported, target, placer, tmp_path):
    # 300 vertices crossing themselves took 36 s to import (make_valid ran twice, 19 s each).
    x, y = inside("back", "infraspinous", "right")
    data = with_value(exported, ("visits", 0, "drawings", 0, "areas"), {"back": _lasso(300, x, y)})
    started = time.process_time()
    with Store.open(target, placer=placer) as store:
        patient = import_record(store, data)
        area = store.record(patient.id).visits[0].drawings[0].areas["back"]
    assert time.process_time() - started < 10  # a guard against hangs; benchmarks/drawings.py measures
    assert area.is_valid and area.area > 0.9 * np.pi * 0.03**2  # both loops' area, no hole where they overlap
    star = with_value(exported, ("visits", 0, "drawings", 0, "areas"), {"back": _star(300, x, y)})
    other = tmp_path / "other.sqlite"
    Store.open(other, placer=placer).close()
    refused(other, placer, star, "drawing 1", "crosses itself more than")  # every edge crossing most others


def test_a_scribble_past_repair_is_refused_quickly(exported, target, placer):
    x, y = inside("back", "infraspinous", "right")
    data = with_value(exported, ("visits", 0, "drawings", 0, "areas"), {"back": _star(25_000, x, y)})
    refused(target, placer, data, "drawing 1", "crosses itself more than")


def test_too_many_vertices_are_refused(exported, target, placer):
    ring = [[0.1 + 1e-7 * i, 0.5] for i in range(100_001)] + [[0.1, 0.51], [0.1, 0.5]]
    data = with_value(
        exported, ("visits", 0, "drawings", 0, "areas"), {"back": {"type": "Polygon", "coordinates": [ring]}}
    )
    refused(target, placer, data, "vertices; at most 100,000")
