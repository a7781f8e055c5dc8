"""`bodymap export` without a window: PDF, CSV and JSON, and one-line errors."""

from datetime import date

import pytest

from bodymap.cli import main
from bodymap.core.chart.body import load_body
from bodymap.core.records import Store
from bodymap.core.records.model import Findings, Patient, Visit


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "clinic.sqlite"
    store = Store.open(path)
    p = store.add_patient(Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1970, 1, 1)))
    v = store.add_visit(Visit(patient_id=p.id, visited_on=date(2026, 11, 1), pain_before=6))
    x, y = load_body()["back"].landmark("mastoid_process", "right").point
    store.add_mark(v.id, "back", x, y, Findings(status="active"))
    store.close()
    return path, p.id


@pytest.mark.parametrize(
    "fmt, magic",
    [("csv", b"patient"), ("json", b"{"), ("pdf", b"%PDF"), ("fhir", b'"resourceType": "Bundle"')],
)
def test_export_formats(db, tmp_path, capsys, fmt, magic):
    path, pid = db
    out = tmp_path / f"out.{fmt}"
    assert main(["export", "--patient", str(pid), "--format", fmt, "--out", str(out), "--db", str(path)]) == 0
    assert out.read_bytes()[:200].lower().find(magic.lower()) >= 0


def test_export_errors(db, tmp_path, capsys):
    path, pid = db
    for args, code, msg in (
        (
            [
                "--patient",
                str(pid),
                "--format",
                "csv",
                "--out",
                str(tmp_path / "x.csv"),
                "--db",
                str(tmp_path / "none.sqlite"),
            ],
            2,
            "no bodymap database",
        ),
        (
            ["--patient", str(pid), "--format", "csv", "--out", "/no/such/dir/x.csv", "--db", str(path)],
            2,
            "does not exist",
        ),
        (
            [
                "--patient",
                str(pid),
                "--format",
                "csv",
                "--visit",
                "0",
                "--out",
                str(tmp_path / "x.csv"),
                "--db",
                str(path),
            ],
            2,
            "--visit counts from 1",
        ),
        (
            ["--patient", "999", "--format", "json", "--out", str(tmp_path / "x.json"), "--db", str(path)],
            2,
            "no patient '999'",
        ),
        (
            ["--patient", str(pid), "--format", "docx", "--out", str(tmp_path / "x.docx"), "--db", str(path)],
            2,
            "invalid choice",
        ),
    ):
        assert main(["export", *args]) == code
        err = capsys.readouterr().err
        assert msg in err and err.count("\n") == 1, err
