"""The visit bar: a new visit is today's, by the therapist of the window's settings (issue 14)."""

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt


def test_new_visit_carries_the_therapist_of_the_settings(clinic, qtbot):
    w = clinic
    settings = w.session.settings
    settings.set(replace(settings.value, therapist="K. Green"))
    qtbot.mouseClick(w.records.visit_bar.new_visit, Qt.MouseButton.LeftButton)
    visit = w.store.visit(w.session.visit_id)
    assert visit.visited_on == date.today() and visit.therapist == "K. Green"
    assert w.session.visit_number() == 2
    # The history names the same therapist as the one who recorded it.
    assert w.store.visit_history(visit.id)[-1].by == "K. Green"
