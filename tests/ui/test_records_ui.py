"""Patient records in the window: a therapist's flow on a real database."""

import json
from datetime import date

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication

from bodymap.core.chart.frame import x_sign
from bodymap.core.records import commands as cmd
from bodymap.core.records.model import Screen
from bodymap.ui.chart.layout import PLACEMENTS

from .conftest import type_into


def vp(chart, view, x, y) -> QPoint:
    return chart.mapFromScene(QPointF(*PLACEMENTS[view].to_scene(x, y)))


def click_mark(window, qtbot, view, landmark, side):
    m = window.body[view].landmark(landmark, side)
    qtbot.mouseClick(window.chart.viewport(), Qt.MouseButton.LeftButton, pos=vp(window.chart, view, *m.point))
    return m


def test_mark_and_two_keystrokes(clinic, qtbot):
    w, panel = clinic, clinic.records
    click_mark(w, qtbot, "back", "infraspinous_fossa", "right")
    marks = w.store.marks(w.session.visit_id)
    assert len(marks) == 1 and marks[0].side == "right" and marks[0].region_id == "infraspinous"
    assert marks[0].trp_muscle is not None  # the nearest atlas trigger point is known
    assert w.session.mark_id == marks[0].id
    w.chart.setFocus()
    qtbot.keyClick(w.chart, Qt.Key.Key_A)  # active
    qtbot.keyClick(w.chart, Qt.Key.Key_T)  # local twitch response
    f = w.store.mark(marks[0].id).findings
    assert f.status == "active" and f.twitch is True
    assert panel.marks_table.rowCount() == 1 and panel.marks_table.item(0, 4).text() == "active"
    assert len(w.marks_layer.items) == 1
    # Undo covers every change, in order.
    w.actions_by_name["undo"].trigger()
    assert w.store.mark(marks[0].id).findings.twitch is None
    w.actions_by_name["undo"].trigger()
    w.actions_by_name["undo"].trigger()
    assert w.store.marks(w.session.visit_id) == []
    w.actions_by_name["redo"].trigger()
    assert len(w.store.marks(w.session.visit_id)) == 1


def test_move_and_delete_a_mark(clinic, qtbot):
    w = clinic
    m = click_mark(w, qtbot, "back", "spine_of_scapula", "left")
    mark = w.store.marks(w.session.visit_id)[0]
    start = vp(w.chart, "back", mark.x, mark.y)
    qtbot.mousePress(w.chart.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 6):
        qtbot.mouseMove(w.chart.viewport(), start + QPoint(0, 4 * i))
    qtbot.mouseRelease(w.chart.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(0, 20))
    moved = w.store.mark(mark.id)
    assert moved.y < mark.y and len(w.store.marks(w.session.visit_id)) == 1
    assert w.undo_stack.undoText() == "Move mark"
    w.session.select_mark(mark.id)
    w.chart.setFocus()
    qtbot.keyClick(w.chart, Qt.Key.Key_Delete)
    assert w.store.marks(w.session.visit_id) == []
    w.actions_by_name["undo"].trigger()
    assert len(w.store.marks(w.session.visit_id)) == 1  # nothing is lost: a delete is undone
    # The mark clicked on the left landmark is the patient's left by the laterality rule (on the back view
    # the left is x < 0), and undo brought it back where it was moved to.
    restored = w.store.mark(mark.id)
    assert restored.side == "left" and restored.x * x_sign("back", "left") > 0
    assert (restored.x, restored.y) == (moved.x, moved.y) and restored.x == pytest.approx(
        m.point[0], abs=0.01
    )


def test_drawing_goes_to_the_open_visit(clinic):
    w, panel = clinic, clinic.records
    from shapely.geometry import box

    w.router.drawn("lasso", "back", box(0.0, 0.53, 0.05, 0.58))
    drawings = w.store.drawings(w.session.visit_id)
    assert len(drawings) == 1 and drawings[0].symptom == "pain"
    assert "% of the chart" in panel.drawing.extent.text() and "CHOIR" in panel.drawing.extent.text()
    w.records_actions.actions["lookup"].trigger()
    assert w.lookup_panel.candidates


def test_needling_with_a_precaution_warns_but_does_not_block(clinic, qtbot, answer_dialog):
    w, panel = clinic, clinic.records
    w.session.run(
        cmd.RecordScreen(
            Screen(patient_id=w.session.patient_id, screened_on=date.today(), anticoagulant=True)
        )
    )
    assert "Anticoagulant" in panel.patients.banner.text() and "Anticoagulant" in w.patient_label.text()
    click_mark(w, qtbot, "back", "supraspinous_fossa", "right")
    w.chart.setFocus()
    with qtbot.waitSignal(panel.findings.warning) as blocker:
        answer_dialog(Qt.Key.Key_Return)  # N opens the treated point with the needle chosen; Enter records
        qtbot.keyClick(w.chart, Qt.Key.Key_N)
    assert "nticoagulant" in blocker.args[0]
    assert w.store.marks(w.session.visit_id)[0].needled is True
    assert panel.findings.warnings.isVisible() and "nticoagulant" in panel.findings.warnings.text()
    # The warning took no keyboard focus: the chart, which had it, keeps it (the next key acts on the mark).
    assert QApplication.focusWidget() is w.chart and QApplication.activeModalWidget() is None


def test_previous_visit_shown_faintly_and_course(clinic, qtbot):
    w, panel = clinic, clinic.records
    click_mark(w, qtbot, "back", "infraspinous_fossa", "right")
    qtbot.mouseClick(panel.visit_bar.new_visit, Qt.MouseButton.LeftButton)
    assert panel.visit_bar.count() == 2
    w.chart.setFocus()
    qtbot.keyClick(w.chart, Qt.Key.Key_V)
    assert len(w.marks_layer.previous) == 1 and len(w.marks_layer.items) == 0
    panel.tabs.setCurrentWidget(panel.course)  # the course is computed while it is on screen
    qtbot.waitUntil(lambda: "Visit 2" in panel.course.text.text())  # recomputed after the change, once
    assert "Visit 2" in panel.course.text.text()


def test_export_and_import(clinic, qtbot, tmp_path):
    w = clinic
    click_mark(w, qtbot, "back", "infraspinous_fossa", "right")
    csv = w.records_actions.export("csv", str(tmp_path / "marks.csv"))
    assert "infraspinous" in csv.read_text()
    js = w.records_actions.export("json", str(tmp_path / "record.json"))
    assert json.loads(js.read_text())
    bad = tmp_path / "bad.json"
    bad.write_text('{"patient": 3}')
    before = len(w.store.patients())
    assert w.records_actions.import_json(str(bad)) is None
    assert len(w.store.patients()) == before  # a malformed import imports nothing
    assert w.records_actions.last_message.startswith("Nothing was imported.")


@pytest.mark.parametrize(
    "content",
    [
        "[" * 5000,  # RecursionError in the decoder
        '{"format": "bodymap-record", "version": ' + "1" * 4301 + "}",  # ValueError of int()
        '{"format": "bodymap-record", "version": 3, "patient": {"notes": "\\ud800"}}',  # a lone surrogate
    ],
    ids=["nested", "4301-digits", "surrogate"],
)
def test_file_import_says_one_line_for_hostile_files(clinic, tmp_path, content):
    # Issue 10: File -> Import caught only OSError and ValueError, so most of these showed nothing at all.
    w = clinic
    bad = tmp_path / "hostile.json"
    bad.write_text(content)
    before = len(w.store.patients())
    assert w.records_actions.import_json(str(bad)) is None
    assert len(w.store.patients()) == before
    message = w.records_actions.last_message
    assert message.startswith("Nothing was imported.") and message.count("\n") <= 2 and len(message) < 400


def test_a_corrupt_database_is_reported_and_left_alone(window, qtbot, tmp_path):
    with qtbot.waitSignal(window.atlasReady, timeout=30000):
        window.load_atlas()
    bad = tmp_path / "records.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    before = bad.read_bytes()
    assert not window.open_records(bad)
    assert bad.read_bytes() == before and window.records is None
    assert window.records_error


def test_patient_dialog_builds_and_refuses(qtbot):
    from bodymap.core.records.content import precaution_summary
    from bodymap.ui.records.dialogs import ConsentDialog, PatientDialog, ScreenDialog

    d = PatientDialog()
    qtbot.addWidget(d)
    d._accept()  # empty names: the core's message, shown in the dialog, and it stays open
    assert "given name is required" in d.error.text() and d.result_value is None
    qtbot.keyClicks(d.given, "Ann")
    qtbot.keyClicks(d.family, "Lee")
    d._accept()  # no date of birth is invented: it must be typed
    assert "date of birth is required" in d.error.text() and d.result_value is None
    qtbot.keyClicks(d.birth.edit, "1975-06-14")
    d._accept()
    assert d.result_value.given_name == "Ann" and d.result_value.family_name == "Lee"
    assert d.result_value.date_of_birth == date(1975, 6, 14)
    s = ScreenDialog(1)
    qtbot.addWidget(s)
    s.boxes["pregnancy"].setChecked(True)
    s._accept()
    c = ConsentDialog(1)
    qtbot.addWidget(c)
    c._accept()  # consent starts unanswered: it is refused until the therapist says
    assert c.result_value is None and "consent" in c.error.text()
    c.given.setCurrentIndex(c.given.findData(True))
    c._accept()
    text, warn = precaution_summary(s.result_value, c.result_value)
    assert "Pregnancy" in text and warn
    text, warn = precaution_summary(None, None)
    assert "no precaution screen" in text and "no consent" in text and warn


def test_visit_form_follows_changes_and_undo(clinic, qtbot):
    w, form = clinic, clinic.records.visit_form
    assert w.session.run(cmd.UpdateVisit(w.session.visit_id, complaint="Neck pain", pain_before=6))
    assert form.complaint.text() == "Neck pain" and form.pain_before.value() == 6
    w.actions_by_name["undo"].trigger()
    assert form.complaint.text() == "" and form.pain_before.value() is None
    assert form.pain_before.text() == "" and form.pain_before.placeholderText() == "—"
    w.records.tabs.setCurrentIndex(1)
    type_into(qtbot, form.pain_before, "11")  # refused where it is typed, with the reason: nothing stored
    assert w.store.visit(w.session.visit_id).pain_before is None
    assert "0 to 10" in form.error.text() and "'11' was not recorded" in form.error.text()


def test_visit_date_is_editable_and_checked(clinic, qtbot):
    w, form = clinic, clinic.records.visit_form
    w.records.tabs.setCurrentIndex(1)
    type_into(qtbot, form.visited_on.edit, "2026-10-01")
    assert w.store.visit(w.session.visit_id).visited_on == date(2026, 10, 1)
    with qtbot.waitSignal(w.session.message) as blocker:
        type_into(qtbot, form.visited_on.edit, "1960-01-01")  # before the patient was born: refused
    assert "birth" in blocker.args[0]
    assert w.store.visit(w.session.visit_id).visited_on == date(2026, 10, 1)
    assert form.visited_on.value() == date(2026, 10, 1) and form.visited_on.text() == "2026-10-01"


def test_text_being_typed_is_kept_on_close(clinic, qtbot):
    form = clinic.records.visit_form
    visit_id = clinic.session.visit_id
    form.complaint.setText("Headache behind the right eye")  # typed; the field was never left
    clinic.close()
    assert clinic.store.visit(visit_id).complaint == "Headache behind the right eye"


def test_one_window_at_a_time_records_on_a_database(clinic, qtbot, tmp_path, settings):
    """A second window on the same records says so and keeps the atlas; it may open them once the
    first has closed."""
    from bodymap.ui.mainwindow import MainWindow

    other = MainWindow.for_body(clinic.body, settings)
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.atlasReady, timeout=30000):
        other.load_atlas()
    assert not other.open_records(tmp_path / "clinic.sqlite")
    assert "open in another bodymap window" in other.records_error and other.records is None
    assert other.atlas is not None  # the atlas and the lookup still work there
    clinic.close()
    assert other.open_records(tmp_path / "clinic.sqlite")
    assert [p.given_name for p in other.store.patients()] == ["Ann"]


def test_a_lock_left_by_a_crashed_copy_does_not_keep_the_records_closed(window, qtbot, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    db = tmp_path / "clinic.sqlite"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom PySide6.QtCore import QCoreApplication\n"
            "from bodymap.ui.records.lock import RecordsLock\napp = QCoreApplication([])\n"
            "lock = RecordsLock(sys.argv[1])\nprint(lock.acquire(), flush=True)\ntime.sleep(60)\n",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "None"  # it holds the lock
        with qtbot.waitSignal(window.atlasReady, timeout=30000):
            window.load_atlas()
        assert not window.open_records(db)
        os.kill(holder.pid, signal.SIGKILL)  # the copy crashes, its lock file stays behind
        holder.wait(10)
        assert (tmp_path / "clinic.sqlite.lock").exists()
        assert window.open_records(db)
    finally:
        holder.kill()


def test_a_mark_on_the_head_view(clinic, qtbot):
    """A mark on a profile is kept on the head view with the patient's side and region (the masseter's
    trigger points are drawn there)."""
    w = clinic
    w.chart.setFocus()
    qtbot.keyClick(w.chart, Qt.Key.Key_5)
    m = click_mark(w, qtbot, "head", "angle_of_mandible", "left")
    (mark,) = w.store.marks(w.session.visit_id)
    assert (mark.view, mark.side, mark.region_id) == ("head", "left", "head_angle_of_jaw")
    assert x_sign("head", "left") * mark.x > 0 and abs(mark.y - m.point[1]) < 0.002
