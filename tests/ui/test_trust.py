"""Trust in daily use (issue 9): what was seen by users, each reproduced through the real window with
real key and mouse events, and each fixed at its root."""

import csv
import io
import json
from datetime import date

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit

from bodymap.core.records import commands as cmd
from bodymap.core.records.model import Consent, Patient, Screen
from bodymap.ui.chart.layout import PLACEMENTS
from bodymap.ui.shortcuts import is_single_key


def vp(chart, view, x, y) -> QPoint:
    return chart.mapFromScene(QPointF(*PLACEMENTS[view].to_scene(x, y)))


def click_at(window, qtbot, view, x, y):
    qtbot.mouseClick(window.chart.viewport(), Qt.MouseButton.LeftButton, pos=vp(window.chart, view, x, y))


def mark_landmark(window, qtbot, view, landmark, side):
    m = window.body[view].landmark(landmark, side)
    click_at(window, qtbot, view, *m.point)
    return window.session.mark_id


def new_patient(window, qtbot, given, family):
    """Open another patient (as a therapist does: New patient, then a visit)."""
    pid = window.session.create_patient(
        Patient(given_name=given, family_name=family, date_of_birth=date(1980, 1, 2))
    )
    qtbot.mouseClick(window.records.visit_bar.new_visit, Qt.MouseButton.LeftButton)
    return pid


# -- 2. typing in a list or a field never records anything ------------------------------------------


def test_typing_in_a_list_writes_nothing_to_the_record(clinic, qtbot):
    w = clinic
    mid = mark_landmark(w, qtbot, "back", "infraspinous_fossa", "right")
    before = w.store.mark(mid)
    tool = w.chart.tool
    # Type-ahead in the muscle list: "fn" once set Familiar and Needled; "infras" hid the regions and
    # chose the Lasso.
    atlas_list = w.atlas_panel.list
    w.dock("atlas").raise_()
    atlas_list.setFocus()
    qtbot.keyClicks(atlas_list, "fn")
    qtbot.keyClicks(atlas_list, "infras")
    for widget in (
        w.records.marks_table,
        w.records.patients.patients,
        w.records.patients.search,
        w.records.findings.notes,
    ):
        widget.setFocus()
        qtbot.keyClicks(widget, "adtfxnvrlsmbpe1234")
    w.records.findings.notes.set_value("")  # what was typed in the notes field is the user's, not a finding
    after = w.store.mark(mid)
    assert after.findings == before.findings  # no finding recorded
    assert w.scene.layer_visible("regions") and not w.scene.layer_visible("landmarks")
    assert w.chart.tool is tool and w.scene.shown_views == ("back",)
    assert not w.records_layers.show_previous.isChecked()


def test_every_single_key_acts_only_on_the_chart(clinic):
    """The guard for the mechanism: an action with a key that typing produces is the chart's."""
    w = clinic
    single = [a for a in w.findChildren(QAction) if any(is_single_key(k) for k in a.shortcuts())]
    assert len(single) >= 20
    for act in single:
        assert act.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut, act.text()
        assert w.chart in act.associatedObjects(), act.text()


def test_finding_keys_still_work_on_the_chart(clinic, qtbot):
    w = clinic
    mid = mark_landmark(w, qtbot, "back", "infraspinous_fossa", "right")
    w.chart.setFocus()
    qtbot.keyClicks(w.chart, "ft")
    f = w.store.mark(mid).findings
    assert f.familiar_pain is True and f.twitch is True


# -- 3. undo belongs to the patient on screen --------------------------------------------------------


def test_undo_never_reaches_a_patient_who_is_not_on_screen(clinic, qtbot):
    w = clinic
    ann = w.session.patient_id
    mid = mark_landmark(w, qtbot, "back", "infraspinous_fossa", "right")
    w.chart.setFocus()
    qtbot.keyClick(w.chart, Qt.Key.Key_Delete)
    assert w.store.marks(w.session.visit_id) == []
    bob = new_patient(w, qtbot, "Bob", "Stone")
    bob_visit = w.session.visit_id
    w.chart.setFocus()
    qtbot.keyClick(w.chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.store.mark(mid).deleted_at is not None  # Ann's mark stays deleted...
    assert (
        w.session.patient_id == bob and w.store.visit(bob_visit).deleted_at is not None
    )  # ...Bob's step went
    # Back to Ann (a click on her row): her history is hers again.
    item = next(
        w.records.patients.patients.item(r)
        for r in range(w.records.patients.patients.count())
        if w.records.patients.patients.item(r).data(Qt.ItemDataRole.UserRole) == ann
    )
    rect = w.records.patients.patients.visualItemRect(item)
    qtbot.mouseClick(w.records.patients.patients.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.session.patient_id == ann
    assert w.undo_stack.undoText() == "Delete mark"
    w.chart.setFocus()
    qtbot.keyClick(w.chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert w.store.mark(mid).deleted_at is None


def test_undoing_a_new_patient_closes_them(clinic, qtbot):
    w = clinic
    bob = new_patient(w, qtbot, "Bob", "Stone")
    w.actions_by_name["undo"].trigger()  # the visit
    w.actions_by_name["undo"].trigger()  # the patient: on screen, so it may be undone
    assert w.store.patient(bob).deleted_at is not None
    assert w.session.patient_id is None and "Bob" not in w.windowTitle()


# -- 4. after an import the imported patient is the one highlighted ----------------------------------


def test_import_highlights_the_imported_patient(clinic, qtbot, tmp_path):
    w = clinic
    exported = w.records_actions.export("json", str(tmp_path / "ann.json"))
    data = json.loads(exported.read_text())
    data["patient"]["uid"] = ""
    data["patient"]["given_name"] = "Cleo"
    (tmp_path / "cleo.json").write_text(json.dumps(data))
    cleo = w.records_actions.import_json(str(tmp_path / "cleo.json"))
    assert cleo is not None and w.session.patient_id == cleo.id
    plist = w.records.patients.patients
    assert plist.currentItem().data(Qt.ItemDataRole.UserRole) == cleo.id
    assert [it.data(Qt.ItemDataRole.UserRole) for it in plist.selectedItems()] == [cleo.id]
    assert "Cleo Lee" in w.windowTitle() and "Cleo Lee" in w.patient_label.text()
    # Clicking Ann's row opens Ann (it did nothing when the list and the panel disagreed).
    ann_row = next(r for r in range(plist.count()) if plist.item(r).text().startswith("Lee, Ann"))
    qtbot.mouseClick(
        plist.viewport(), Qt.MouseButton.LeftButton, pos=plist.visualItemRect(plist.item(ann_row)).center()
    )
    assert "Ann Lee" in w.windowTitle()


# -- 5. user text is plain text ----------------------------------------------------------------------


def test_names_from_users_are_never_html(clinic, qtbot):
    w = clinic
    name = "<h1>Big</h1><img src=x>"
    w.session.create_patient(
        Patient(given_name=name, family_name="<b>Bold</b>", date_of_birth=date(1990, 1, 1))
    )
    w.session.run(
        cmd.RecordScreen(
            Screen(patient_id=w.session.patient_id, screened_on=date.today(), other="<i>tilted</i>")
        )
    )
    assert name in w.windowTitle()
    shown = [lb for lb in w.findChildren(QLabel) if "<h1>" in lb.text() or "<i>tilted" in lb.text()]
    assert shown  # the status bar and the banner show the text...
    for lb in shown:
        assert lb.textFormat() == Qt.TextFormat.PlainText, lb  # ...as it was typed


# -- 6. numbers out of range are refused, dates are typed whole --------------------------------------


@pytest.mark.parametrize("field,typed,reason", [("tenderness", "15", "0 to 10"), ("ppt", "99999", "2000")])
def test_out_of_range_findings_are_refused_where_typed(clinic, qtbot, field, typed, reason):
    w = clinic
    mid = mark_landmark(w, qtbot, "back", "infraspinous_fossa", "right")
    box = w.records.findings
    edit = getattr(box, field)
    edit.setFocus()
    qtbot.keyClicks(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    f = w.store.mark(mid).findings
    assert f.tenderness is None and f.ppt_kpa is None  # nothing stored (not 1, not 999)
    assert reason in box.error.text() and f"'{typed}' was not recorded" in box.error.text()
    edit.selectAll()
    qtbot.keyClicks(edit, "7")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert getattr(w.store.mark(mid).findings, "tenderness" if field == "tenderness" else "ppt_kpa") == 7


# -- 7. safety is seen beside the mark and kept ------------------------------------------------------


def test_needling_over_a_hazard_is_flagged_on_the_chart_and_kept_in_the_exports(
    clinic, qtbot, tmp_path, answer_dialog
):
    w = clinic
    s = w.session
    s.run(cmd.RecordScreen(Screen(patient_id=s.patient_id, screened_on=date.today(), anticoagulant=True)))
    s.run(cmd.RecordConsent(Consent(patient_id=s.patient_id, consented_on=date.today())))
    apex = w.atlas.hazards["lung_apex"].zones["right"]["back"].representative_point()
    click_at(w, qtbot, "back", apex.x, apex.y)
    mid = s.mark_id
    w.chart.setFocus()
    answer_dialog(Qt.Key.Key_Return)
    qtbot.keyClick(w.chart, Qt.Key.Key_N)
    item = next(i for i in w.marks_layer.items if i.mark.id == mid)
    assert "lung" in item.warning.lower() and "nticoagulant" in item.warning  # beside the mark
    assert w.records.marks_table.item(0, 8).text() == "⚠"
    rows = list(
        csv.DictReader(io.StringIO(w.records_actions.export("csv", str(tmp_path / "m.csv")).read_text()))
    )
    assert (
        "Needled over a hazard" in rows[0]["needling_warnings"]
        and "nticoagulant" in rows[0]["needling_warnings"]
    )
    record = json.loads(w.records_actions.export("json", str(tmp_path / "r.json")).read_text())
    kinds = {x["kind"] for x in record["visits"][0]["marks"][0]["needling_warnings"]}
    assert kinds == {"hazard", "precaution"}
    # The export imports again (the warnings are worked out anew, not read).
    record["patient"]["uid"] = ""
    (tmp_path / "again.json").write_text(json.dumps(record))
    assert w.records_actions.import_json(str(tmp_path / "again.json")) is not None


def test_the_screen_asks_what_clinicians_screen_for_with_sources(qtbot):
    from bodymap.ui.records.dialogs import ScreenDialog

    d = ScreenDialog(1)
    qtbot.addWidget(d)
    for key in (
        "diabetes",
        "epilepsy",
        "malignancy",
        "vascular_disease",
        "skin_lesion",
        "lymphoedema",
        "metal_allergy",
        "cannot_consent",
    ):
        assert key in d.boxes and d.boxes[key].toolTip().startswith("Source: ")


# -- 8. the chart is the main thing on screen --------------------------------------------------------


@pytest.mark.parametrize("size", [(1366, 768), (800, 600), (1920, 1080)])
def test_the_chart_keeps_the_room_and_the_findings_are_in_view(clinic, qtbot, size):
    w = clinic
    mark_landmark(w, qtbot, "back", "infraspinous_fossa", "right")
    w.resize(*size)
    qtbot.waitUntil(lambda: (w.width(), w.height()) == size)  # no panel holds the window bigger
    QApplication.processEvents()
    assert w.chart.width() >= 0.45 * w.width(), (w.chart.width(), w.width())
    if size != (800, 600):
        w.records_dock.raise_()
        QApplication.processEvents()
        window_rect = w.rect()
        for part in (w.records.marks_table, w.records.findings):
            top_left = part.mapTo(w, QPoint(0, 0))
            assert part.isVisible() and top_left.y() + part.height() <= window_rect.height(), part
    # Titles and R / L keep their size when zooming.
    label = w.scene._labels[0]
    before = label.sceneBoundingRect().width() * w.chart.transform().m11() * label.scale()
    w.chart.zoom_by(3.0)
    after = label.sceneBoundingRect().width() * w.chart.transform().m11()
    assert after == pytest.approx(before, rel=0.02)


# -- 9. help -----------------------------------------------------------------------------------------


def test_help_lists_the_real_shortcuts_and_the_legend(clinic):
    from bodymap.ui.help import legend_rows, shortcut_rows

    w = clinic
    rows = {(keys, text): where for keys, text, where in shortcut_rows(w)}
    assert rows[("A", "Active TrP")] == "chart in focus"
    assert rows[("M", "Mark")] == "chart in focus"
    assert any(text.startswith("Undo") for _k, text in rows)
    assert len(legend_rows()) >= 10
    w.help.actions["about"].trigger()
    assert (
        "LGPL" in w.help.dialog.findChild(QLabel).text()
        and "Clinical caution" in w.help.dialog.findChild(QLabel).text()
    )
    w.help.actions["shortcuts"].trigger()
    w.help.actions["legend"].trigger()
    w.help.actions["guide"].trigger()


def test_a_point_click_shows_where_and_brings_the_answer_into_view(clinic, qtbot):
    w = clinic
    w.actions_by_name["tool:navigate"].trigger()
    w.records_dock.raise_()
    elbow = w.body["back"].landmark("lateral_epicondyle_of_humerus", "left")
    click_at(w, qtbot, "back", *elbow.point)
    assert w.router.point is not None and w.router.point.isVisible()
    assert w.lookup_panel.candidates and not w.lookup_panel.visibleRegion().isEmpty()


def test_shown_muscles_stay_listed_when_the_search_hides_them(clinic, qtbot):
    w = clinic
    panel = w.atlas_panel
    panel.select(["upper_trapezius", "infraspinatus"])
    qtbot.keyClicks(panel.search, "gastroc")
    names = [panel.shown.item(r).text() for r in range(panel.shown.count())]
    assert names == ["Upper trapezius", "Infraspinatus"] and panel.shown.isVisible()
    assert all(not panel.shown.item(r).icon().isNull() for r in range(panel.shown.count()))  # their colours
    qtbot.mouseClick(panel.clear, Qt.MouseButton.LeftButton)
    assert w.overlay.shown == [] and panel.shown.count() == 0


# -- 10. people see names, not ids -------------------------------------------------------------------


def test_the_marks_table_names_the_trigger_point(clinic, qtbot):
    w = clinic
    mark_landmark(w, qtbot, "back", "angle_of_neck", "right")
    text = w.records.marks_table.item(0, 3).text()
    assert "," in text and "trp" not in text and "_" not in text
    muscle = w.atlas.muscles[w.store.mark(w.session.mark_id).trp_muscle]
    assert text.startswith(muscle.name)


# -- and what a user expects -------------------------------------------------------------------------


def test_visit_notes_are_multi_line(clinic, qtbot):
    w = clinic
    notes = w.records.visit_form.notes
    assert isinstance(notes, QPlainTextEdit)
    w.records.tabs.setCurrentIndex(1)
    notes.setFocus()
    qtbot.keyClicks(notes, "first line")
    qtbot.keyClick(notes, Qt.Key.Key_Return)
    qtbot.keyClicks(notes, "second line")
    w.chart.setFocus()  # leaving the field saves it
    assert w.store.visit(w.session.visit_id).notes == "first line\nsecond line"


def test_clicking_a_mark_selects_it_and_records_no_move(clinic, qtbot):
    w = clinic
    first = mark_landmark(w, qtbot, "back", "infraspinous_fossa", "right")
    second = mark_landmark(w, qtbot, "back", "spine_of_scapula", "left")
    steps = w.undo_stack.count()
    m = w.store.mark(first)
    click_at(w, qtbot, "back", m.x, m.y)
    assert w.session.mark_id == first and w.session.mark_id != second
    assert w.undo_stack.count() == steps and w.store.mark(first).updated_at == m.updated_at


def test_ranking_the_visit_drawing_is_not_an_undo_step(clinic, qtbot):
    from shapely.geometry import box

    w = clinic
    w.router.drawn("lasso", "back", box(0.0, 0.53, 0.05, 0.58))
    steps = w.undo_stack.count()
    w.records_actions.actions["lookup"].trigger()
    assert w.lookup_panel.candidates and w.undo_stack.count() == steps


def test_a_new_date_that_renumbers_visits_keeps_the_same_visit_open(clinic, qtbot):
    w = clinic
    bar, form = w.records.visit_bar, w.records.visit_form
    first = w.session.visit_id
    qtbot.mouseClick(bar.new_visit, Qt.MouseButton.LeftButton)
    second = w.session.visit_id
    w.session.run(cmd.UpdateVisit(first, visited_on=date(2026, 11, 1)))
    w.records.tabs.setCurrentIndex(1)
    form.visited_on.edit.setFocus()
    form.visited_on.edit.selectAll()
    qtbot.keyClicks(form.visited_on.edit, "2026-10-01")  # now before the first: it becomes visit 1
    qtbot.keyClick(form.visited_on.edit, Qt.Key.Key_Return)
    assert w.session.visit_id == second and bar.visits.currentData() == second
    assert bar.visits.currentText().startswith("Visit 1 — 2026-10-01")


def test_exports_are_disabled_while_nothing_is_open(window, qtbot, tmp_path, settings):
    with qtbot.waitSignal(window.atlasReady, timeout=30000):
        window.load_atlas()
    assert window.open_records(tmp_path / "empty.sqlite")
    acts = window.records_actions.actions
    assert not any(acts[n].isEnabled() for n in ("report", "report_all", "print", "csv", "json", "fhir"))
    assert acts["import"].isEnabled()
    window.session.create_patient(
        Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1970, 1, 1))
    )
    assert acts["csv"].isEnabled() and not acts["report"].isEnabled()
    qtbot.mouseClick(window.records.visit_bar.new_visit, Qt.MouseButton.LeftButton)
    assert acts["report"].isEnabled()
    window.records_actions.export("csv", str(tmp_path / "marks.csv"))
    assert window.records_actions._folder() == str(tmp_path)  # the next dialog opens there
