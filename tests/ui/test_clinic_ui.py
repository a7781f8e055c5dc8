"""Clinic mode in the window (issue 15): two real windows on one database, driven with key and mouse
events. Each sees the other's changes within a second or two without losing what is being typed, a
change or an undo made on a value the other changed since is refused with one line (who, what, when)
and an offer to reload, the field shows what is stored, and a refused undo leaves the history as it was.

The database is a SQLite file (the second window goes around the file's lock, as a second process such
as `bodymap import` does: the lock keeps a second window of one laptop off it; the sharing that matters
is a server), and the PostgreSQL server too when BODYMAP_TEST_POSTGRES is set (as .ci/run does)."""

import os
from datetime import date

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from bodymap.core.records import commands as cmd
from bodymap.core.records.model import Patient

from .conftest import type_into

POSTGRES = os.environ.get("BODYMAP_TEST_POSTGRES", "")
# ms a change has to reach the other window in (how fast: benchmarks/clinic.py; here, that it does, with
# room for a machine the whole suite is running on).
SEEN_WITHIN = 10_000


def open_window(qtbot, tmp_path, location, therapist: str, monkeypatch=None):
    """A window of its own (its own settings: the therapist's name), with the records at `location`."""
    from bodymap.core.chart.body import load_body
    from bodymap.ui.mainwindow import MainWindow
    from bodymap.ui.records.lock import RecordsLock

    settings = QSettings(str(tmp_path / f"{therapist}.ini"), QSettings.Format.IniFormat)
    settings.setValue("clinic/therapist", therapist)
    w = MainWindow.for_body(load_body(), settings)
    qtbot.addWidget(w)
    w.resize(1100, 760)
    w.show()
    qtbot.waitExposed(w)
    with qtbot.waitSignal(w.atlasReady, timeout=30000):
        w.load_atlas()
    if monkeypatch is not None:  # a second copy on a SQLite file (see above)
        with monkeypatch.context() as m:
            m.setattr(RecordsLock, "acquire", lambda self: None)
            assert w.open_records(location)
    else:
        assert w.open_records(location)
    return w


@pytest.fixture
def two(qtbot, tmp_path, location, monkeypatch):
    """Window A (A. Adams) with a patient and a visit open; window B (B. Brown) opened on the same
    patient by clicking them in its list."""
    a = open_window(qtbot, tmp_path, location, "A. Adams")
    assert a.session.create_patient(
        Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1970, 5, 1), sex="female")
    )
    qtbot.mouseClick(a.records.visit_bar.new_visit, Qt.MouseButton.LeftButton)
    assert a.session.visit_id is not None
    b = open_window(qtbot, tmp_path, location, "B. Brown", monkeypatch if "sqlite" in str(location) else None)
    patients = b.records.patients.patients
    qtbot.waitUntil(lambda: patients.count() == 1)
    rect = patients.visualItemRect(patients.item(0))
    qtbot.mouseClick(patients.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert b.session.patient_id == a.session.patient_id and b.session.visit_id == a.session.visit_id
    for w in (a, b):
        w.records_dock.raise_()
        w.records.tabs.setCurrentIndex(1)  # the Visit tab
    yield a, b
    for w in (b, a):
        w.close()
        assert not w.session.watcher._thread.is_alive()  # stopped with the window


def activate(qtbot, w) -> None:
    w.activateWindow()
    w.raise_()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)


def test_each_window_sees_the_others_edit_and_undo_and_keeps_what_is_being_typed(two, qtbot):
    a, b = two
    fa, fb = a.records.visit_form, b.records.visit_form
    activate(qtbot, a)
    type_into(qtbot, fa.pain_after, "3")
    assert a.store.visit(a.session.visit_id).pain_after == 3
    qtbot.waitUntil(lambda: fb.pain_after.value() == 3, timeout=SEEN_WITHIN)  # B shows A's edit
    assert "A. Adams changed the visit" in b.statusBar().currentMessage()
    assert "pain after" in b.statusBar().currentMessage()

    # B is typing notes (not yet left the field) when A's next edit comes in: B keeps its words.
    activate(qtbot, b)
    fb.notes.setFocus()
    qtbot.keyClicks(fb.notes, "Tender in the upper trapezius")
    a.session.run(cmd.UpdateVisit(a.session.visit(), pain_before=7))  # A, meanwhile (not the active window)
    qtbot.waitUntil(lambda: fb.pain_before.value() == 7, timeout=SEEN_WITHIN)
    assert fb.notes.toPlainText() == "Tender in the upper trapezius"
    qtbot.keyClick(fb.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # commit
    stored = b.store.visit(b.session.visit_id)
    assert (stored.notes, stored.pain_before, stored.pain_after) == ("Tender in the upper trapezius", 7, 3)
    qtbot.waitUntil(lambda: fa.notes.toPlainText() == "Tender in the upper trapezius", timeout=SEEN_WITHIN)

    # A undoes its pain before (Ctrl+Z, real keys): B sees it go.
    activate(qtbot, a)
    a.chart.setFocus()
    qtbot.keyClick(a.chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert a.store.visit(a.session.visit_id).pain_before is None
    qtbot.waitUntil(lambda: fb.pain_before.value() is None, timeout=SEEN_WITHIN)
    assert fb.pain_before.text() == "" and fb.notes.toPlainText() == "Tender in the upper trapezius"
    assert not a.records.refusal.isVisible() and not b.records.refusal.isVisible()


def test_an_edit_or_undo_over_the_others_change_is_refused_in_one_line_with_reload(two, qtbot):
    a, b = two
    fa, fb = a.records.visit_form, b.records.visit_form
    activate(qtbot, a)
    type_into(qtbot, fa.pain_after, "4")
    qtbot.waitUntil(lambda: fb.pain_after.value() == 4, timeout=SEEN_WITHIN)

    # A is typing a new pain after when B's change of it comes in: A keeps what is typed, and its change,
    # made on the 4 it saw, is refused instead of overwriting B's 2.
    fa.pain_after.setFocus()
    fa.pain_after.selectAll()
    qtbot.keyClicks(fa.pain_after, "5")
    b.session.run(cmd.UpdateVisit(b.session.visit(), pain_after=2))  # B, meanwhile
    qtbot.waitUntil(lambda: a.session.visit().pain_after == 2, timeout=SEEN_WITHIN)  # A has the news
    assert fa.pain_after.text() == "5" and fa.pain_after.hasFocus()  # still what A is typing
    qtbot.keyClick(fa.pain_after, Qt.Key.Key_Return)
    stored = a.store.visit(a.session.visit_id)
    assert stored.pain_after == 2  # B's stays
    bar = a.records.refusal
    assert bar.isVisible() and bar.reload.isVisible()
    line = bar.text.text()
    assert line.startswith("Set pain after not saved: B. Brown changed the visit at") and "\n" not in line
    assert "pain after 4 → 2" in line and "nothing was written" in line
    assert fa.pain_after.value() == 2 and fa.pain_after.text() == "2"  # the stored value, not the refused
    assert a.statusBar().currentMessage() == line

    # A's undo of its "pain after 4" would set back B's 2: refused, and A's history does not move.
    stack = a.undo_group.activeStack()
    index, count = stack.index(), stack.count()
    a.chart.setFocus()
    qtbot.keyClick(a.chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (stack.index(), stack.count()) == (index, count)
    assert a.store.visit(a.session.visit_id).pain_after == 2
    assert bar.isVisible() and bar.text.text().startswith("Undo Set pain after not saved: B. Brown")
    assert a.actions_by_name["undo"].isEnabled()

    # Reload: the line goes, the record shows what is stored.
    qtbot.mouseClick(bar.reload, Qt.MouseButton.LeftButton)
    assert not bar.isVisible() and fa.pain_after.value() == 2

    # B's own undo of its 2 (nobody changed it since) goes through; A sees the 4 come back.
    activate(qtbot, b)
    b.chart.setFocus()
    qtbot.keyClick(b.chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert b.store.visit(b.session.visit_id).pain_after == 4
    qtbot.waitUntil(lambda: fa.pain_after.value() == 4, timeout=SEEN_WITHIN)
    assert not b.records.refusal.isVisible()

    # Notes typed in A while B writes its own: A's are refused, and what A typed is kept on the clipboard.
    activate(qtbot, a)
    fa.notes.setFocus()
    qtbot.keyClicks(fa.notes, "Needled twice, good twitch")
    b.session.run(cmd.UpdateVisit(b.session.visit(), notes="Tender band in the upper trapezius"))
    qtbot.waitUntil(lambda: a.session.visit().notes.startswith("Tender"), timeout=SEEN_WITHIN)
    assert fa.notes.toPlainText() == "Needled twice, good twitch"  # still what A is typing
    qtbot.keyClick(fa.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert a.store.visit(a.session.visit_id).notes == "Tender band in the upper trapezius"
    assert fa.notes.toPlainText() == "Tender band in the upper trapezius"
    assert QApplication.clipboard().text() == "Needled twice, good twitch"
    assert bar.isVisible() and bar.text.text().startswith("Edit notes not saved: B. Brown changed the visit")
    assert bar.text.text().endswith("What you typed is on the clipboard (Ctrl+V pastes it)")


# --- outages: a server of the test's own, stopped and started again --------------------------------


@pytest.fixture
def server():
    if not POSTGRES:
        pytest.skip("a PostgreSQL server (BODYMAP_TEST_POSTGRES, as .ci/run sets it)")
    from .pgserver import PrivateServer

    s = PrivateServer()
    yield s
    s.remove()


def test_a_window_started_while_the_server_is_down_says_so_and_opens_when_it_is_back(
    qtbot, tmp_path, server, monkeypatch
):
    from bodymap.ui import mainwindow

    monkeypatch.setattr(mainwindow, "RETRY_OPEN", 0.3)
    from bodymap.core.chart.body import load_body

    w = mainwindow.MainWindow.for_body(
        load_body(), QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.atlasReady, timeout=30000):
        w.load_atlas()
    assert not w.open_records(server.url)  # the server is not started
    line = w.statusBar().currentMessage()
    assert line.startswith("Cannot reach the records server postgresql+psycopg://") and "\n" not in line
    assert line.endswith("Trying again every 0.3 s…")
    assert w.records is None and w.atlas is not None  # the atlas and the lookup work meanwhile
    server.start()
    qtbot.waitUntil(lambda: w.records is not None, timeout=10000)
    assert w.statusBar().currentMessage().startswith("Connected to the records server")
    w.close()


def test_a_server_outage_is_said_a_change_meanwhile_is_refused_and_the_window_reconnects(
    qtbot, tmp_path, server, monkeypatch
):
    from bodymap.core.records import watch

    monkeypatch.setattr(watch, "RETRY", 0.3)
    server.start()
    a = open_window(qtbot, tmp_path, server.url, "A. Adams")
    assert a.session.create_patient(
        Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1970, 5, 1), sex="female")
    )
    qtbot.mouseClick(a.records.visit_bar.new_visit, Qt.MouseButton.LeftButton)
    a.records_dock.raise_()
    a.records.tabs.setCurrentIndex(1)
    form, bar = a.records.visit_form, a.records.refusal
    activate(qtbot, a)
    type_into(qtbot, form.pain_after, "3")
    stack = a.undo_group.activeStack()
    index = stack.index()

    server.stop()
    qtbot.waitUntil(bar.isVisible, timeout=SEEN_WITHIN)  # said by itself, before any change is tried
    assert bar.text.text().startswith("The connection to the records server was lost")
    assert "reconnecting" in bar.text.text() and not bar.reload.isVisible()

    type_into(qtbot, form.pain_after, "5")  # a change meanwhile: one line, the stored value back
    line = a.statusBar().currentMessage()
    assert line.startswith("Set pain after not saved: cannot reach the records server") and "\n" not in line
    assert form.pain_after.value() == 3 and form.pain_after.text() == "3"
    assert stack.index() == index  # nothing went on the history
    a.chart.setFocus()
    qtbot.keyClick(a.chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # an undo meanwhile
    assert stack.index() == index and form.pain_after.value() == 3

    server.start()
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=10000)
    assert a.statusBar().currentMessage().startswith("Connected again to")
    activate(qtbot, a)
    type_into(qtbot, form.pain_after, "5")  # and changes are saved again
    assert a.store.visit(a.session.visit_id).pain_after == 5
    changes = [e.after for e in a.store.history(a.session.patient_id) if e.after and "pain_after" in e.after]
    assert [c["pain_after"] for c in changes] == [3, 5]  # what was acknowledged before is all there
    a.close()


def test_where_the_records_are_is_a_clinic_setting_reachable_without_them(qtbot, tmp_path, monkeypatch):
    """A copy pointed at a clinic's server by its settings: File → Clinic settings → Records (there even
    when the records could not be opened), used from the next start."""
    from bodymap.core.chart.body import load_body
    from bodymap.ui.mainwindow import MainWindow
    from bodymap.ui.settings import SettingsDialog

    monkeypatch.delenv("BODYMAP_DB", raising=False)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow.for_body(load_body(), settings)
    qtbot.addWidget(w)
    w.show()
    assert w.actions_by_name["file:settings"] in w.file_menu.actions()  # no records needed
    dialog = SettingsDialog(w.clinic_settings, w)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    target = tmp_path / "clinic" / "shared.sqlite"
    target.parent.mkdir()
    dialog.records.setFocus()
    qtbot.keyClicks(dialog.records, str(target))
    qtbot.keyClick(dialog.records, Qt.Key.Key_Return)  # the dialog's default button: Save
    assert not dialog.isVisible() and w.clinic_settings.value.records == str(target)
    w.close()

    again = MainWindow.for_body(load_body(), settings)  # the next start
    qtbot.addWidget(again)
    again.show()
    with qtbot.waitSignal(again.atlasReady, timeout=30000):
        again.load_atlas()
    assert again.open_records()
    assert again.store.where == str(target) and target.exists()
    again.close()


def test_a_course_goal_typed_while_someone_changes_it_is_refused_not_overwriting(two, qtbot):
    from bodymap.core.records.model import Plan

    a, b = two
    plan = Plan(patient_id=a.session.patient_id, planned_on=date.today(), visits=6, goal="Sleep through")
    assert a.session.run(cmd.RecordPlan(plan))
    qtbot.waitUntil(lambda: len(b.session.record.plans()) == 1, timeout=SEEN_WITHIN)
    for w in (a, b):
        w.records.tabs.setCurrentIndex(4)  # the Course tab
    course = a.records.course
    qtbot.waitUntil(lambda: course.goal.text() == "Sleep through")
    activate(qtbot, a)
    course.goal.setFocus()
    course.goal.selectAll()
    qtbot.keyClicks(course.goal, "Walk the dog")
    b.session.run(cmd.UpdatePlan(b.session.record.plans()[-1], goal="Work a full day"))  # B, meanwhile
    qtbot.waitUntil(lambda: a.session.record.plans()[-1].goal == "Work a full day", timeout=SEEN_WITHIN)
    assert course.goal.text() == "Walk the dog"  # still what A is typing
    qtbot.keyClick(course.goal, Qt.Key.Key_Return)
    assert a.store.plans(a.session.patient_id)[-1].goal == "Work a full day"  # B's stays
    assert course.goal.text() == "Work a full day"
    assert (
        a.records.refusal.isVisible() and "B. Brown changed the course plan" in a.records.refusal.text.text()
    )


def test_reactions_typed_while_someone_records_theirs_are_refused_and_kept_on_the_clipboard(two, qtbot):
    """The Session tab saves the visit's fields as the Visit tab does (visit_fields.py)."""
    a, b = two
    for w in (a, b):
        w.records.tabs.setCurrentIndex(2)  # the Session tab
    form = a.records.session_form
    activate(qtbot, a)
    form.reactions.setFocus()
    qtbot.keyClicks(form.reactions, "faint, 2 minutes")
    b.session.run(cmd.UpdateVisit(b.session.visit(), reactions="none"))  # B, meanwhile
    qtbot.waitUntil(lambda: a.session.visit().reactions == "none", timeout=SEEN_WITHIN)
    assert form.reactions.text() == "faint, 2 minutes"  # still what A is typing
    qtbot.keyClick(form.reactions, Qt.Key.Key_Return)
    assert a.store.visit(a.session.visit_id).reactions == "none"  # B's stays
    assert form.reactions.text() == "none"  # the stored value comes back
    assert QApplication.clipboard().text() == "faint, 2 minutes"
    assert form.error.text().startswith("B. Brown changed the visit")
    line = a.records.refusal.text.text()
    assert line.startswith("Record immediate reactions not saved: B. Brown") and line.endswith(
        "(Ctrl+V pastes it)"
    )
    assert a.statusBar().currentMessage() == line


def test_a_finding_typed_over_someone_elses_is_refused_and_an_undo_in_the_other_window_is_seen(two, qtbot):
    a, b = two
    add = cmd.AddMark(a.session.visit_id, "back", 0.05, 0.62)  # the right loin
    assert a.session.run(add)
    qtbot.waitUntil(lambda: b.session.mark(add.id) is not None, timeout=SEEN_WITHIN)
    for w in (a, b):
        w.session.select_mark(add.id)
        w.records.tabs.setCurrentIndex(0)  # the Marks tab, with the findings
    fa, fb = a.records.findings, b.records.findings
    activate(qtbot, a)
    type_into(qtbot, fa.tenderness, "5")
    qtbot.waitUntil(lambda: fb.tenderness.value() == 5, timeout=SEEN_WITHIN)

    # B is typing 7 when A's 3 comes in: B's is refused, A's stays, B's field shows it.
    activate(qtbot, b)
    fb.tenderness.setFocus()
    fb.tenderness.selectAll()
    qtbot.keyClicks(fb.tenderness, "7")
    a.session.run(cmd.UpdateMark(a.session.mark(add.id), tenderness=3))  # A, meanwhile
    qtbot.waitUntil(lambda: b.session.mark(add.id).findings.tenderness == 3, timeout=SEEN_WITHIN)
    assert fb.tenderness.text() == "7"
    qtbot.keyClick(fb.tenderness, Qt.Key.Key_Return)
    assert b.store.mark(add.id).findings.tenderness == 3 and fb.tenderness.value() == 3
    assert b.records.refusal.text.text().startswith("Set tenderness not saved: A. Adams changed the mark")

    # A undoes its tenderness (5 then 3, one step: changes of one field in a row merge), which nobody
    # changed since: it goes through, and B sees the field empty again.
    activate(qtbot, a)
    a.chart.setFocus()
    qtbot.keyClick(a.chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert a.store.mark(add.id).findings.tenderness is None
    qtbot.waitUntil(lambda: fb.tenderness.value() is None and fb.tenderness.text() == "", timeout=SEEN_WITHIN)
