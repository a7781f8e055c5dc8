"""A whole assessment, as a therapist does it: new patient, precaution screen and consent, three
visits with marks, findings and pain drawings, comparison with the previous visit, the course of care,
and the visit report. Runs offscreen in the suite; on a real display (Xvfb) with BODYMAP_SHOTS=DIR it
saves a screenshot of each step."""

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from bodymap.core.records import commands as cmd
from bodymap.core.records.model import Consent, Patient, Screen
from bodymap.ui.chart.layout import PLACEMENTS

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("BODYMAP_SHOTS")


def shot(window, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        window.grab().save(str(Path(SHOTS) / f"{name}.png"))


def click(window, qtbot, view, x, y):
    pos = window.chart.mapFromScene(QPointF(*PLACEMENTS[view].to_scene(x, y)))
    qtbot.mouseClick(window.chart.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_whole_assessment(window, qtbot, tmp_path, answer_dialog, records_file):
    w = window
    w.resize(1500, 950)
    with qtbot.waitSignal(w.atlasReady, timeout=30000):
        w.load_atlas()
    assert w.open_records(records_file)
    qtbot.waitUntil(lambda: w.records_dock.isVisible())  # the Patient panel comes to the top
    panel = w.records
    # Finding keys act while the chart has the focus, which needs the window to be the active one (a
    # bare X server without a window manager does not activate windows by itself).
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    shot(w, "01_start")

    # New patient, screened (on an anticoagulant) and consenting.
    s = w.session
    new_id = s.create_patient(
        Patient(given_name="Maria", family_name="Okafor", date_of_birth=date(1968, 3, 14), sex="female")
    )
    assert new_id
    assert s.run(cmd.RecordScreen(Screen(patient_id=new_id, screened_on=date.today(), anticoagulant=True)))
    assert s.run(cmd.RecordConsent(Consent(patient_id=new_id, consented_on=date.today())))
    assert "Anticoagulant" in panel.patients.banner.text() and "consent" in panel.patients.banner.text()
    shot(w, "02_patient_screened")

    body = w.body
    w.actions_by_name["Back"].trigger()
    drawn_areas = []
    for n, (days_ago, pain_before, pain_after, shrink) in enumerate(
        ((14, 7, 5, 0.0), (7, 5, 3, 0.004), (0, 3, 1, 0.008)), 1
    ):
        qtbot.mouseClick(panel.visit_bar.new_visit, Qt.MouseButton.LeftButton)
        assert s.visit_id is not None
        visit = w.store.visit(s.visit_id)
        assert s.run(
            cmd.UpdateVisit(
                visit.id,
                visited_on=date.today() - timedelta(days=days_ago),
                complaint="Right-sided neck pain and temporal headache",
                pain_before=pain_before,
                pain_after=pain_after,
            )
        )
        # Marks: right upper trapezius and right levator scapulae, found with two keystrokes each.
        w.actions_by_name["tool:mark"].trigger()
        for landmark in ("angle_of_neck", "superior_angle_of_scapula"):
            m = body["back"].landmark(landmark, "right")
            click(w, qtbot, "back", m.point[0] - 0.004, m.point[1] + 0.004)
            w.chart.setFocus()
            qtbot.keyClick(w.chart, Qt.Key.Key_A if n < 3 or landmark == "angle_of_neck" else Qt.Key.Key_D)
            qtbot.keyClick(w.chart, Qt.Key.Key_T)
        assert len(w.store.marks(s.visit_id)) == 2
        # Needling the first mark (over the lung apex, with an anticoagulant): a warning, not a block.
        s.select_mark(w.store.marks(s.visit_id)[0].id)
        with qtbot.waitSignal(panel.findings.warning):
            answer_dialog(Qt.Key.Key_Return)
            qtbot.keyClick(w.chart, Qt.Key.Key_N)
        assert w.store.marks(s.visit_id)[0].needled
        # Pain drawing: the right posterior neck and temple region, smaller each visit.
        w.actions_by_name["tool:lasso"].trigger()
        neck = body["back"].region("posterior_neck", "right").geometry.buffer(-shrink)
        w.router.drawn("lasso", "back", neck)
        temple = body["front"].region("temple", "right").geometry.buffer(-shrink / 2)
        w.router.drawn("lasso", "front", temple)
        drawn_areas.append(w.store.drawings(s.visit_id))
        assert drawn_areas[-1]
        w.records_layers.show_previous.setChecked(n > 1)
        w.actions_by_name["Back"].trigger()
        qtbot.wait(10)
        shot(w, f"03_visit{n}")

    # Compare: the previous visit shows faintly; the course of care shows three visits, improving.
    assert len(w.marks_layer.previous) == 2
    from bodymap.core.records.metrics import course_of_care

    rows = course_of_care(w.store, new_id)
    assert [r.number for r in rows] == [1, 2, 3]
    assert rows[0].pain_before > rows[-1].pain_before
    assert rows[1].overlap is not None and 0 < rows[1].overlap <= 1
    panel.tabs.setCurrentWidget(panel.course)
    qtbot.waitUntil(lambda: "Visit 3" in panel.course.text.text())
    w.actions_by_name["All views"].trigger()
    shot(w, "04_compare")

    # The lookup ranks the visit's drawing: upper trapezius refers to the neck and temple.
    w.records_actions.actions["lookup"].trigger()
    assert "upper_trapezius" in [c.muscle for c in w.lookup_panel.candidates[:10]]
    shot(w, "05_lookup")

    # Export: CSV, JSON and the PDF report of all visits.
    assert w.records_actions.export("csv", str(tmp_path / "marks.csv")).read_text().count("\n") == 7
    assert w.records_actions.export("json", str(tmp_path / "record.json")).exists()
    pdf = w.records_actions.export_pdf(all_visits=True, path=str(tmp_path / "report.pdf"))
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    if SHOTS:
        import shutil

        shutil.copy(pdf, Path(SHOTS) / "report.pdf")
