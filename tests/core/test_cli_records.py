"""The command line as its help says (issue 9 item 11, issue 10): --db wherever it is given, patients by
id or uid, landmarks, muscles and conditions by id, name or synonym, and one line for any bad value."""

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bodymap.cli import main
from bodymap.core.records import Patient, Store, Visit


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two(tmp_path, monkeypatch):
    """Two databases with a different patient each; $BODYMAP_DB names the second."""
    paths = []
    for name, given_name in (("a", "Ann"), ("b", "Bob")):
        path = tmp_path / f"{name}.sqlite"
        with Store.open(path) as store:
            p = store.add_patient(
                Patient(given_name=given_name, family_name="Lee", date_of_birth=date(1980, 1, 1))
            )
            store.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1)))
        paths.append(path)
    monkeypatch.setenv("BODYMAP_DB", str(paths[1]))
    return paths


@pytest.mark.parametrize("where", ["before", "after"])
def test_db_is_honoured_before_or_after_the_verb(two, tmp_path, capsys, where):
    # `bodymap --db PATH export ...` ignored PATH and exported another database's patient without a word.
    a, _b = two
    out = tmp_path / "out.json"
    tail = ["--patient", "1", "--format", "json", "--out", str(out)]
    args = ["--db", str(a), "export", *tail] if where == "before" else ["export", *tail, "--db", str(a)]
    assert run(args, capsys)[0] == 0
    assert json.loads(out.read_text())["patient"]["given_name"] == "Ann"


def test_the_window_settings_records_are_where_a_command_looks_without_db(two, capsys, monkeypatch):
    from PySide6.QtCore import QSettings

    a, _b = two
    monkeypatch.delenv("BODYMAP_DB")
    stored = QSettings("bodymap", "bodymap")  # the window's (ui/app.py), in this run's config folder
    stored.setValue("clinic/records", str(a))
    stored.sync()
    try:
        assert [p["given_name"] for p in json.loads(run(["patients"], capsys)[1])] == ["Ann"]
        monkeypatch.setenv("BODYMAP_DB", str(_b))  # the environment comes first
        assert [p["given_name"] for p in json.loads(run(["patients"], capsys)[1])] == ["Bob"]
    finally:
        stored.remove("clinic/records")
        stored.sync()


def test_patients_lists_the_ids_that_export_takes(two, tmp_path, capsys):
    a, _ = two
    code, out, _ = run(["--db", str(a), "patients"], capsys)
    listed = json.loads(out)
    assert code == 0 and [p["given_name"] for p in listed] == ["Ann"] and listed[0]["visits"] == 1
    code, out, _ = run(["patients", "--find", "bo le"], capsys)  # $BODYMAP_DB
    assert [p["given_name"] for p in json.loads(out)] == ["Bob"]
    assert json.loads(run(["patients", "--find", "zzz"], capsys)[1]) == []
    # export takes the id, and the uid that the JSON carries
    uid = listed[0]["uid"]
    out_file = tmp_path / "ann.csv"
    assert (
        run(["--db", str(a), "export", "--patient", uid, "--format", "csv", "--out", str(out_file)], capsys)[
            0
        ]
        == 0
    )
    code, _, err = run(
        ["--db", str(a), "export", "--patient", "7", "--format", "csv", "--out", str(out_file)], capsys
    )
    assert code == 2 and "no patient '7'" in err and "bodymap patients" in err


def test_import_checks_like_the_window(two, tmp_path, capsys):
    a, b = two
    exported = tmp_path / "ann.json"
    run(["--db", str(a), "export", "--patient", "1", "--format", "json", "--out", str(exported)], capsys)
    code, out, _ = run(["--db", str(b), "import", str(exported)], capsys)
    assert code == 0 and json.loads(out)["name"] == "Ann Lee"
    code, _, err = run(["--db", str(b), "import", str(exported)], capsys)
    assert code == 1 and "already in these records" in err and err.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text("[" * 5000)
    code, _, err = run(["--db", str(b), "import", str(bad)], capsys)
    assert code == 1 and "nested too deeply" in err and err.count("\n") == 1


@pytest.mark.parametrize("name", ["mastoid process", "Mastoid process", "mastoid_process", "MASTOID PROCESS"])
def test_landmarks_by_name_in_any_case(capsys, name):
    code, out, _ = run(["lookup", "--landmark", name, "--side", "right", "--limit", "3"], capsys)
    assert code == 0 and json.loads(out)["landmark"]["id"] == "mastoid_process"


def test_landmarks_by_synonym_and_near_misses(capsys):
    code, out, _ = run(["lookup", "--landmark", "TMJ", "--side", "left", "--limit", "1"], capsys)
    assert code == 0 and json.loads(out)["landmark"]["id"] == "temporomandibular_joint"
    code, _, err = run(["lookup", "--landmark", "mastiod", "--side", "left"], capsys)
    assert code == 2 and "did you mean: mastoid process?" in err and err.count("\n") == 1


@pytest.mark.parametrize("landmark", ["vertex", "C7 spinous process", "spinous process of C7", "sacrum"])
def test_a_side_of_a_midline_landmark_is_just_beside_it(capsys, landmark):
    code, out, err = run(["lookup", "--landmark", landmark, "--side", "left", "--limit", "12"], capsys)
    if code == 2:  # a name the data does not know must at least say what it might be
        assert "did you mean" in err
        return
    result = json.loads(out)
    assert "view: looked up just to the patient's left" in result["note"]
    # The spot is on the patient's left: each right-side trigger point found (a zone that crosses the
    # midline, as levator ani's over the sacrum) has its left twin found too, scoring at least as high.
    score = {(c["muscle"], c["trp"], c["side"]): c["score"] for c in result["candidates"]}
    assert any(side == "left" for _m, _t, side in score)
    for (muscle, trp, side), s in score.items():
        if side == "right":
            assert score.get((muscle, trp, "left"), 0) >= s - 0.005, (muscle, trp)
    code, out, _ = run(["lookup", "--landmark", landmark, "--side", "midline", "--limit", "12"], capsys)
    assert "note" not in json.loads(out)


def test_conditions_by_name_or_synonym(capsys):
    for name in ("tension_headache", "Tension-type headache", "TTH", "tension headache"):
        code, out, _ = run(["lookup", "--condition", name, "--limit", "2"], capsys)
        assert code == 0 and json.loads(out)["condition"] == "tension_headache", name
    code, _, err = run(["lookup", "--condition", "tension headach"], capsys)
    assert code == 2 and "did you mean: Tension-type headache" in err


def test_muscles_by_name_with_a_suggestion(capsys):
    assert run(["atlas", "--muscle", "SCM"], capsys)[0] == 0
    code, _, err = run(["atlas", "--muscle", "trapezuis"], capsys)
    assert code == 2 and "did you mean" in err


# Any command line a careless user or a script might type: verbs, options and values from a vocabulary
# that includes the bad ones (huge numbers, NaN, odd text, missing files, other options as values).
WORDS = st.sampled_from(
    [
        "lookup", "export", "patients", "import", "backup", "check", "restore", "atlas", "geometry",
        "--landmark", "--side", "--view", "--point", "--area", "--condition", "--limit", "--muscle",
        "--patient", "--visit", "--format", "--out", "--db", "--find",
        "left", "right", "midline", "front", "back", "plantar", "head", "json", "csv", "fhir",
        "mastoid process", "TMJ", "vertex", "nan,nan", "1e400,0", "0.1,0.5", "-1", "0",
        "99999999999999999999",
        "x" * 300, "\ud800", "", "/no/such/file.json", "/no/such/dir/out.csv", "TTH", "SCM",
    ]
)  # fmt: skip


VERBS = st.sampled_from(["lookup", "export", "patients", "import", "backup", "check", "restore", "atlas"])


@pytest.mark.fuzz
@given(VERBS, st.lists(WORDS, max_size=6))
def test_any_command_line_gets_an_answer_or_one_line(tmp_path_factory, capsys, verb, argv):
    db = tmp_path_factory.mktemp("cli") / "none.sqlite"
    code = main(["--db", str(db), verb, *argv])  # a verb always: without one, bodymap opens its window
    out, err = capsys.readouterr()
    assert code in (0, 1, 2)
    assert "Traceback" not in err and "internal error" not in err, err
    if code:
        assert err.count("\n") == 1, err
        assert len(err) < 600
    assert not db.exists() or (verb == "import" and code == 0)  # nor does a failed import
