"""The needling session in the window: a treated point in two keystrokes, its warnings beside it, the
four steps, the aftercare sheet and the clinic's settings, through real keys and clicks."""

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from bodymap.core.records import Needle, Treatment
from bodymap.core.records import commands as cmd
from bodymap.core.records.model import Consent, Screen

from .test_records_ui import click_mark


def _mark(w, qtbot, landmark="superior_angle_of_scapula"):
    click_mark(w, qtbot, "back", landmark, "right")
    w.chart.setFocus()
    return w.session.mark_id


def test_the_same_needle_as_last_time_takes_two_keystrokes(clinic, qtbot, answer_dialog):
    w = clinic
    s = w.session
    s.settings.set(s.settings.value.used(Needle(0.30, 40)))
    first = _mark(w, qtbot)
    answer_dialog(Qt.Key.Key_Return)
    qtbot.keyClick(w.chart, Qt.Key.Key_N)  # keystroke 1: the form, with the needle chosen last time
    # keystroke 2 (Return) recorded it: the treated point with that needle.
    assert w.store.mark(first).treatment.needle == Needle(0.30, 40)
    assert QApplication.focusWidget() is w.chart  # the next key acts on the chart again
    # A second point: N, Return again; the needle is the visit's last one.
    second = _mark(w, qtbot, "inferior_angle_of_scapula")
    assert second != first
    answer_dialog(Qt.Key.Key_Return)
    qtbot.keyClick(w.chart, Qt.Key.Key_N)
    assert w.store.mark(second).treatment.needle == Needle(0.30, 40)
    assert w.records.findings.treat.isChecked() and "0.30 × 40 mm" in w.records.findings.treatment.text()
    w.actions_by_name["undo"].trigger()
    assert w.store.mark(second).treatment is None  # one undo step


def test_depth_technique_and_the_rest_are_typed_in_the_form(clinic, qtbot, answer_dialog):
    w = clinic
    w.session.settings.set(w.session.settings.value.used(Needle(0.30, 40)))
    mid = _mark(w, qtbot)
    # depth, Tab to the technique (Down, Down: static, pistoning), Tab to passes, Tab to twitches, Return.
    down = Qt.Key.Key_Down
    answer_dialog(
        "22", Qt.Key.Key_Tab, down, down, Qt.Key.Key_Tab, "6", Qt.Key.Key_Tab, "3", Qt.Key.Key_Return
    )
    qtbot.keyClick(w.chart, Qt.Key.Key_N)
    t = w.store.mark(mid).treatment
    assert (t.depth_mm, t.technique, t.passes, t.twitches) == (22, "pistoning", 6, 3)


def test_too_deep_warns_beside_the_point_and_is_kept(clinic, qtbot, answer_dialog, tmp_path):
    w = clinic
    s = w.session
    s.run(cmd.RecordScreen(Screen(patient_id=s.patient_id, screened_on=date.today())))
    s.run(cmd.RecordConsent(Consent(patient_id=s.patient_id, consented_on=date.today())))
    mid = _mark(w, qtbot)
    s.run(cmd.TreatMark(mid, Treatment(muscle="rhomboids", needle=Needle(0.30, 40), depth_mm=25)))
    item = next(i for i in w.marks_layer.items if i.mark.id == mid)
    assert "beyond the safe depth of 17 mm for Rhomboids" in item.warning  # beside the point
    assert "Seol et al. 2014" in w.records.findings.warnings.text()
    csv = w.records_actions.export("csv", str(tmp_path / "m.csv")).read_text()
    assert "beyond the safe depth of 17 mm" in csv  # kept with it
    # The form shows the warning as the depth is typed, before anything is recorded.
    from bodymap.ui.records.treatment import TreatmentDialog

    dialog = TreatmentDialog(s, mid, w)
    dialog.depth.setText("12")
    assert "beyond the safe depth" not in dialog.warnings.text()
    dialog.depth.setText("30")
    assert "beyond the safe depth" in dialog.warnings.text()
    dialog.reject()


def test_the_steps_guide_without_forcing(clinic, qtbot):
    w = clinic
    bar = w.records.steps
    assert bar.isVisible() and "Insertion (1)" in bar.buttons["Insertion"].text()
    qtbot.mouseClick(bar.buttons["Post-treatment"], Qt.MouseButton.LeftButton)
    form = w.records.session_form
    assert w.records.tabs.currentIndex() == w.records.tabs.indexOf(form.parentWidget().parentWidget())
    for box in (form.positioned, form.skin):  # on the box itself (a check box's row is wider than it)
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    v = w.store.visit(w.session.visit_id)
    assert v.positioned and v.skin_prepared
    next_week = date.today() + timedelta(days=7)
    form.next_visit.edit.setFocus()
    qtbot.keyClicks(form.next_visit.edit, next_week.isoformat())
    qtbot.keyClick(form.next_visit.edit, Qt.Key.Key_Return)
    assert w.store.visit(w.session.visit_id).next_visit == next_week  # a date in the future is fine
    form.next_visit.edit.clear()
    qtbot.keyClicks(form.next_visit.edit, "2001-01-01")
    qtbot.keyClick(form.next_visit.edit, Qt.Key.Key_Return)
    assert "not after this visit" in form.error.text()  # refused with the reason, nothing changed
    assert w.store.visit(w.session.visit_id).next_visit == next_week
    assert "next visit" not in bar.buttons["Post-treatment"].toolTip().split("missing:")[-1]


def test_the_aftercare_sheet_from_the_window(clinic, qtbot, answer_dialog, tmp_path):
    w = clinic
    s = w.session
    from bodymap.core.settings import Settings

    s.settings.set(Settings(clinic="Northside <Physio>", contact="555 0199 (Mon-Fri 8-18)"))
    _mark(w, qtbot)
    answer_dialog(Qt.Key.Key_Return)
    qtbot.keyClick(w.chart, Qt.Key.Key_N)
    out = w.records_actions.export_handout(str(tmp_path / "sheet.pdf"))
    assert out.read_bytes()[:5] == b"%PDF-"
    assert w.store.visit(s.visit_id).advice_given  # the sheet went to the patient
    w.actions_by_name["undo"].trigger()
    assert not w.store.visit(s.visit_id).advice_given


@pytest.mark.parametrize(("needles", "ok"), [("0.25 x 30\n0.3x50", True), ("0.25 x 30\nthin", False)])
def test_clinic_settings_dialog(clinic, qtbot, needles, ok):
    from bodymap.ui.settings import SettingsDialog, load

    w = clinic
    dialog = SettingsDialog(w.session.settings, w)
    dialog.contact.setText("555 0199")
    dialog.needles.setPlainText(needles)
    dialog.save()
    if ok:
        assert w.session.settings.value.contact == "555 0199"
        assert load(w.settings).needles == (Needle(0.25, 30), Needle(0.30, 50))  # stored in QSettings
    else:
        assert "thin" in dialog.error.text() and "nothing was saved" in dialog.error.text()
        assert w.session.settings.value.contact != "555 0199"


def test_a_server_url_with_a_password_is_refused_and_not_shown(clinic, qtbot):
    from bodymap.ui.settings import SettingsDialog

    w = clinic
    dialog = SettingsDialog(w.session.settings, w)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.records.setFocus()
    qtbot.keyClicks(dialog.records, "postgresql+psycopg://anna:s3cret@server.clinic.lan/bodymap")
    qtbot.keyClick(dialog.records, Qt.Key.Key_Return)  # Save
    assert dialog.isVisible() and "~/.pgpass" in dialog.error.text()
    assert "nothing was saved" in dialog.error.text() and "s3cret" not in dialog.error.text()
    assert w.session.settings.value.records == ""
    assert "s3cret" not in str(w.settings.value("clinic/records", ""))


def test_plan_the_course_in_the_course_tab(clinic, qtbot):
    w = clinic
    course = w.records.course
    w.records.tabs.setCurrentWidget(course)
    course.visits.setFocus()
    qtbot.keyClicks(course.visits, "4")
    qtbot.keyClick(course.visits, Qt.Key.Key_Tab)
    qtbot.keyClicks(course.goal, "Turn my head when driving")
    qtbot.keyClick(course.goal, Qt.Key.Key_Return)
    (plan,) = w.store.plans(w.session.patient_id)
    assert (plan.visits, plan.goal) == (4, "Turn my head when driving")
    qtbot.waitUntil(lambda: "Visit 1 of 4" in course.review.text())  # refreshed once the keys are answered
    assert "4 visits; goal: “Turn my head when driving”. Visit 1 of 4." in course.review.text()
    assert course.chart.planned == 4  # three empty slots for the visits to come
    w.actions_by_name["undo"].trigger()
    w.actions_by_name["undo"].trigger()
    assert w.store.plans(w.session.patient_id) == []
