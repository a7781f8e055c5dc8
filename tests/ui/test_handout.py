"""The aftercare sheet: plain words in a large font, the chart of the points treated today, the warning
signs first, the next visit and the clinic's contact line; `bodymap handout` writes the same."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from bodymap.cli import main
from bodymap.core.records import Needle, Patient, Store, Treatment, Visit
from bodymap.core.records.aftercare import aftercare
from bodymap.ui.records.handout import BODY_PT, chart_image, handout_html, write_handout

FIXTURE = Path(__file__).parents[1] / "core" / "records" / "fixtures" / "release-0002.sqlite"


@pytest.fixture
def store(tmp_path, qapp):
    with Store.open(tmp_path / "r.sqlite") as s:
        yield s


def _visit(store, where, next_visit=None):
    p = store.add_patient(Patient(given_name="<b>Ann</b>", family_name="Lee", date_of_birth=date(1970, 1, 1)))
    v = store.add_visit(
        Visit(patient_id=p.id, visited_on=date(2024, 3, 1), therapist="J. Brown", next_visit=next_visit)
    )
    store.add_mark(v.id, *where, treatment=Treatment(needle=Needle(0.25, 30), depth_mm=10))
    return p


def _sheet(store, p, contact="555 0199"):
    record = store.record(p.id)
    return aftercare(record, record.visits[0], store.placer.atlas, contact=contact)


def test_upper_back_sheet_says_it_all_in_plain_words(store):
    body = store.placer.body
    x, y = body["back"].region("suprascapular", "right").geometry.representative_point().coords[0]
    p = _visit(store, ("back", x, y), next_visit=date(2024, 3, 8))
    sheet = _sheet(store, p)
    text = handout_html(sheet, True)
    assert "Friday 8 March 2024" in text and "555 0199" in text
    assert "&lt;b&gt;Ann&lt;/b&gt;" in text and "<b>Ann</b>" not in text  # a name is never markup
    assert text.index("Short of breath") < text.index("What to expect")  # the red flags come first
    assert "1 to 2 days" in text and "right side" in text
    assert chart_image(store, sheet) is not None and BODY_PT >= 14


def test_no_contact_line_says_to_ask_and_no_next_visit_says_to_book(store):
    body = store.placer.body
    x, y = body["back"].region("calf", "left").geometry.representative_point().coords[0]
    p = _visit(store, ("back", x, y))
    text = handout_html(_sheet(store, p, contact=""), True)
    assert "ask your therapist for the clinic's phone number" in text and "not booked yet" in text
    assert "Short of breath" not in text  # a calf is nowhere near the lung


def test_the_pdf_is_written_whole(store, tmp_path):
    body = store.placer.body
    x, y = body["back"].region("suprascapular", "right").geometry.representative_point().coords[0]
    p = _visit(store, ("back", x, y))
    visit_number = 1
    out = write_handout(store, p.id, visit_number, tmp_path / "sheet.pdf", contact="555 0199")
    assert out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 10_000
    with pytest.raises(ValueError, match="has no visit 2"):
        write_handout(store, p.id, 2, tmp_path / "other.pdf")
    assert not (tmp_path / "other.pdf").exists()


def test_bodymap_handout_on_a_database_made_by_the_release_before(tmp_path, capsys):
    db = tmp_path / "old.sqlite"
    shutil.copyfile(FIXTURE, db)
    out = tmp_path / "ann.pdf"
    args = ["handout", "--patient", "1", "--visit", "1", "--out", str(out), "--db", str(db)]
    assert main([*args, "--contact", "555 0199"]) == 0
    assert out.read_bytes()[:5] == b"%PDF-" and capsys.readouterr().out.strip() == str(out)
    assert main([*args[:-2], "--db", str(tmp_path / "none.sqlite")]) == 2
    assert main(["handout", "--patient", "1", "--visit", "0", "--out", str(out), "--db", str(db)]) == 2
    assert (
        main(["handout", "--patient", "1", "--visit", "1", "--out", str(tmp_path / "a.png"), "--db", str(db)])
        == 2
    )
    assert "--out must end in .pdf" in capsys.readouterr().err
