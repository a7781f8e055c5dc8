# The window fixtures live in tests/conftest.py (shared with tests/e2e).

from datetime import date

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def clinic(window, qtbot, records_file):
    """The window with the records open, a patient (Ann Lee) and a new visit, the back view and the
    Mark tool."""
    from bodymap.core.records.model import Patient

    with qtbot.waitSignal(window.atlasReady, timeout=30000):
        window.load_atlas()
    assert window.open_records(records_file)
    qtbot.waitUntil(lambda: window.records_dock.isVisible())
    assert window.session.create_patient(
        Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1970, 5, 1), sex="female")
    )
    qtbot.mouseClick(window.records.visit_bar.new_visit, Qt.MouseButton.LeftButton)
    window.actions_by_name["Back"].trigger()
    window.actions_by_name["tool:mark"].trigger()
    return window


def type_into(qtbot, field, text: str) -> None:
    """Replace what a field holds with `text`, typed, then Enter (as a user does)."""
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
