"""A damaged database is refused before anything is written to it, byte for byte untouched, with what to
do; one unreadable stored value is named and the rest of the record still opens and exports (issue 10)."""

import csv
import hashlib
import io
import shutil
import sqlite3
import struct
from datetime import date

import pytest

from bodymap.core.records import Drawing, Findings, Patient, ReadOnly, RecordsError, Store, Visit, damage
from bodymap.core.records.exchange import export_record, marks_csv

from .conftest import disc, inside


def fingerprint(folder):
    """Every file in the folder with a hash of its bytes: nothing may change, nothing may appear."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def template(tmp_path_factory, placer):
    """A closed database (everything in the main file, no -wal) of 3 patients with visits, marks and a
    drawing each, and the ids of the first patient's records: made once, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "clinic.sqlite"
    with Store.open(path, placer=placer) as store:
        for i, name in enumerate(("Ann", "Bea", "Cai")):
            p = store.add_patient(
                Patient(
                    given_name=name,
                    family_name="Lee",
                    date_of_birth=date(1980, 1, 1),
                    notes=f"notes of {name}",
                )
            )
            v = store.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 3, 1 + i)))
            for _ in range(40):
                store.add_mark(
                    v.id, "back", *inside("back", "infraspinous", "right"), Findings(notes="x" * 200)
                )
            d = store.add_drawing(
                Drawing(
                    visit_id=v.id,
                    symptom="pain",
                    areas={"back": disc(*inside("back", "infraspinous", "left"), 0.01 + 0.002 * i)},
                )
            )
            if i == 0:
                ids = (p.id, v.id, d.id)
    assert not path.with_name("clinic.sqlite-wal").exists()
    return path, ids


@pytest.fixture
def filled(template, tmp_path):
    path = tmp_path / "clinic.sqlite"
    shutil.copyfile(template[0], path)
    return path, template[1]


def refused(path, placer, *words):
    before = fingerprint(path.parent)
    with pytest.raises(RecordsError) as info:
        Store.open(path, placer=placer)
    message = str(info.value)
    assert "\n" not in message and "left untouched" in message, message
    assert "bodymap restore" in message and "bodymap check" in message, message  # what to do
    for w in words:
        assert w in message, message
    assert fingerprint(path.parent) == before
    return message


def poke(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


@pytest.mark.parametrize(
    "offset, data, words",
    [
        (32, struct.pack(">I", 999_999), ["free list"]),  # the first free-list trunk page, out of range
        (36, struct.pack(">I", 5), ["free list"]),  # a free-list count with no free list
        (16, struct.pack(">H", 3000), ["page size"]),
        (21, b"\x41", ["payload fractions"]),
    ],
    ids=["free-list-pointer", "free-list-count", "page-size", "payload-fraction"],
)
def test_a_damaged_header_is_refused_untouched(filled, placer, offset, data, words):
    path, _ = filled
    poke(path, offset, data)
    refused(path, placer, "damaged", *words)


def test_a_free_list_pointing_at_a_live_page_is_refused(filled, placer, tmp_path):
    # A free list that hands out a page in use: a write would overwrite live records. SQLite's own
    # quick_check finds it (the page is counted twice); a mere count in range does not.
    path, _ = filled
    pages = path.stat().st_size // 4096
    poke(path, 32, struct.pack(">II", pages - 1, 1))
    refused(path, placer, "damaged")


def test_a_page_of_random_bytes_is_refused_untouched(filled, placer):
    path, _ = filled
    pages = path.stat().st_size // 4096
    poke(path, (pages // 2) * 4096, bytes(range(256)) * 16)  # a page in the middle of the marks
    refused(path, placer, "damaged")


def test_a_big_file_is_checked_before_its_first_write(filled, placer, monkeypatch):
    # Past QUICK_LIMIT the page check runs on a thread; reading goes ahead, the first write waits for the
    # verdict, and a damaged file takes no write at all.
    path, (pid, vid, _) = filled
    pages = path.stat().st_size // 4096
    poke(path, (pages // 2) * 4096, bytes(range(256)) * 16)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setattr(damage, "QUICK_LIMIT", 0)
    with Store.open(path, placer=placer) as store:
        assert store.patient(pid).given_name == "Ann"  # reading is not held up
        with pytest.raises(ReadOnly) as info:
            store.add_mark(vid, "back", *inside("back", "infraspinous", "right"))
        assert "damaged" in str(info.value) and "bodymap restore" in str(info.value)
        assert store.read_only and "damaged" in store.read_only
        with pytest.raises(ReadOnly):
            store.update_patient(pid, notes="again")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_sound_big_file_takes_writes_after_its_check(filled, placer, monkeypatch):
    path, (pid, _, _) = filled
    monkeypatch.setattr(damage, "QUICK_LIMIT", 0)
    with Store.open(path, placer=placer) as store:
        assert store.update_patient(pid, notes="checked").notes == "checked"
        assert store.read_only is None


def test_damage_met_while_reading_stops_writing(filled, placer, monkeypatch):
    # Damage that no check saw (here: the check is skipped) is met when a damaged page is read: from
    # then on, nothing is written.
    path, (pid, vid, _) = filled
    data = path.read_bytes()
    for page in range(len(data) // 4096):  # the pages of marks' notes, each a little
        if b"x" * 200 in data[page * 4096 : (page + 1) * 4096]:
            poke(path, page * 4096 + 8, b"\xff" * 64)
    monkeypatch.setattr(damage, "QUICK_LIMIT", 0)
    monkeypatch.setattr(damage.BackgroundCheck, "_run", lambda self: self._done.set())
    with Store.open(path, placer=placer) as store:
        with pytest.raises(RecordsError, match="damaged"):
            store.marks(vid)
        assert store.read_only and "damaged" in store.read_only
        with pytest.raises(ReadOnly):
            store.update_patient(pid, notes="x")


def _break_drawing(path, drawing_id):
    """Change one digit of a stored drawing's area to '#', in the file itself."""
    con = sqlite3.connect(path)
    (text,) = con.execute("SELECT area_back FROM drawings WHERE id = ?", (drawing_id,)).fetchone()
    con.close()
    data = path.read_bytes()
    at = data.index(text.encode()) + text.index("0.", 60) + 2
    poke(path, at, b"#")


def _change_stored_text(path, old: bytes, new: bytes):
    data = path.read_bytes()
    assert data.count(old) >= 1, old
    path.write_bytes(data.replace(old, new))  # the row and any index entry of it


def test_one_changed_byte_in_a_drawing_is_named_and_the_rest_exports(filled, placer):
    # It made the whole record unreadable, and every export failed with "internal error".
    path, (pid, vid, did) = filled
    _break_drawing(path, did)  # a digit of a coordinate becomes '#'
    with Store.open(path, placer=placer) as store:
        record = store.record(pid)
        assert record.unreadable() == ["Ann Lee, visit 1 (2024-03-01), drawing 1: area on the back view"]
        data = export_record(store, pid)
        assert data["visits"][0]["drawings"][0]["unreadable"] == ["area on the back view"]
        assert len(data["visits"][0]["marks"]) == 40  # the rest of the record is all there
        assert len(list(csv.DictReader(io.StringIO(marks_csv(store, pid), newline="")))) == 40
        with pytest.raises(ReadOnly, match="area on the back view cannot be read"):
            store.update_drawing(did, intensity=3)  # its damaged area would be overwritten by nothing
        assert store.update_patient(pid, notes="the rest still takes changes").notes
    con = sqlite3.connect(path)
    (area,) = con.execute("SELECT area_back FROM drawings WHERE id = ?", (did,)).fetchone()
    con.close()
    assert "#" in area  # the damaged value is kept as it is, for whoever restores it


def test_text_that_is_no_longer_utf8_is_named(filled, placer):
    path, (pid, _, _) = filled
    _change_stored_text(path, b"notes of Ann", b"notes of \xffnn")
    with Store.open(path, placer=placer) as store:
        patient = store.patient(pid)
        assert patient.unreadable == ("notes",) and patient.notes.startswith("notes of ")
        assert [p.given_name for p in store.patients()] == ["Ann", "Bea", "Cai"]  # the list still opens
        assert export_record(store, pid)["patient"]["unreadable"] == ["notes"]


def test_a_date_that_no_longer_parses_is_named(filled, placer):
    path, (pid, _, _) = filled
    _change_stored_text(path, b"2024-03-01", b"2024-0#-01")
    with Store.open(path, placer=placer) as store:
        visit = store.record(pid).visits[0].visit
        assert visit.unreadable == ("visit date",)


def test_an_export_with_unreadable_values_is_not_imported_as_if_they_were_values(filled, placer, tmp_path):
    from bodymap.core.records.importing import MalformedImport, import_record

    path, (pid, _, did) = filled
    _break_drawing(path, did)
    with Store.open(path, placer=placer) as store:
        data = export_record(store, pid)
    with Store.open(tmp_path / "other.sqlite", placer=placer) as other:
        with pytest.raises(MalformedImport, match="could not be read in the database it came from"):
            import_record(other, data)


def test_integrity_check_of_a_sound_file_is_clean(filled, placer):
    path, _ = filled
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()
    assert damage.header_problems(path) == []
