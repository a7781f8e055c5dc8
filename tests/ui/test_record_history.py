"""The record's history in the window (issue 10): the strip above the visit says when it was amended
after its day, when the records are read-only and why; File → History of changes lists who changed what,
follows changes made meanwhile, narrows by typing, and exports the report that ends with it."""

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt

from bodymap.core.records import commands as cmd
from bodymap.core.records import transactions


def test_a_change_the_next_day_says_amended_and_the_history_lists_it(clinic, qtbot, monkeypatch, tmp_path):
    w = clinic
    notice = w.records.notice
    visit_id = w.session.visit_id
    assert notice.isHidden()  # nothing to say about a visit recorded today
    assert w.session.run(cmd.UpdateVisit(visit_id, pain_before=6))
    assert notice.isHidden()
    # The next day, the therapist adds to the visit: it is amended after the visit, and the strip says so.
    tomorrow = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)
    monkeypatch.setattr(transactions, "now", lambda: tomorrow)
    form = w.records.visit_form
    w.records.tabs.setCurrentIndex(1)
    form.complaint.setFocus()
    form.complaint.selectAll()
    qtbot.keyClicks(form.complaint, "Neck pain, worse on waking")
    qtbot.keyClick(form.complaint, Qt.Key.Key_Return)
    assert w.store.visit(visit_id).complaint == "Neck pain, worse on waking"
    assert notice.isVisible() and "Amended after the visit: 1 change" in notice.text()

    # File → History of changes: the newest first, who and what, narrowed by typing.
    act = w.actions_by_name["file:history"]
    assert act.isEnabled()
    act.trigger()
    view = w.records_actions.history_view
    qtbot.waitUntil(view.isVisible)
    lines = [view.list.item(i).text() for i in range(view.list.count())]
    assert "T. Tester: visit 1: chief complaint edited (Edit chief complaint)" in lines[0]
    assert any("added" in line or "created" in line for line in lines)  # the patient and the visit
    view.filter.setFocus()
    qtbot.keyClicks(view.filter, "complaint")
    assert 0 < view.list.count() < len(lines)
    assert "of" in view.count.text()
    qtbot.keyClick(view.filter, Qt.Key.Key_Escape)  # clears the filter first
    assert view.list.count() == len(lines) and view.isVisible()

    # A change made while it is open shows at once; undo too gets its own line.
    w.actions_by_name["undo"].trigger()
    assert w.store.visit(visit_id).complaint == "" and w.store.visit(visit_id).pain_before == 6
    assert view.list.count() == len(lines) + 1 and "Undo" in view.list.item(0).text()
    assert "2 changes" in notice.text()

    # The report that ends with the history.
    out = w.records_actions.export_pdf(all_visits=True, path=str(tmp_path / "history.pdf"), history=True)
    assert out is not None and out.read_bytes().startswith(b"%PDF")

    # Opening another patient closes the first one's history.
    w.session.open_patient(None)
    qtbot.waitUntil(lambda: not w.records_actions.history_view.isVisible())
    assert notice.isHidden()


def test_read_only_records_say_so_above_the_visit(clinic, qtbot):
    w = clinic
    notice = w.records.notice
    assert notice.isHidden()
    # Damage met while reading makes the records read-only (core/records/damage.py); the next change is
    # refused with the reason, and from then on the strip says so.
    w.store._damaged("database disk image is malformed")
    form = w.records.visit_form
    w.records.tabs.setCurrentIndex(1)
    form.complaint.setFocus()
    qtbot.keyClicks(form.complaint, "Neck pain")
    qtbot.keyClick(form.complaint, Qt.Key.Key_Return)
    assert w.store.visit(w.session.visit_id).complaint == ""
    assert notice.isVisible() and notice.text().startswith("Read-only: ")
    assert "changes are refused" in notice.text()


def test_an_unreadable_value_is_named_above_the_record(clinic, qtbot, monkeypatch):
    w = clinic
    pid = w.session.patient_id
    real = type(w.store.record(pid))
    monkeypatch.setattr(
        real, "unreadable", lambda self: ["Ann Lee, visit 1, drawing 1: area on the front view"]
    )
    w.session.open_patient(None)
    w.session.open_patient(pid)
    notice = w.records.notice
    assert notice.isVisible()
    assert "1 stored value could not be read" in notice.text() and "drawing 1" in notice.text()
