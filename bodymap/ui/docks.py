"""The window's panels in docks: each found by a name of its own (saved with the window's layout), each
scrolling inside its dock, and all of them together never taking the chart's room."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QScrollArea, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

# The main window imports these names on its way to the first paint, which must not load Qt's `Qt`
# namespace (chart/first_frame.py): Qt is imported inside the functions.

ATLAS_DOCK, LOOKUP_DOCK, PATIENT_DOCK, STUDY_DOCK = "atlas", "lookup", "patient", "study"
CHART_SHARE = 0.5  # the chart keeps at least this share of the window's width; the panels share the rest
NARROW = 1100  # below this width the panels share one column of tabs


def add_dock(
    window: QMainWindow,
    name: str,
    title: str,
    widget: QWidget,
    area: Qt.DockWidgetArea,
    key: str,
    menu: QMenu,
) -> QDockWidget:
    """Put `widget` in a dock named `name`, toggled from `menu` with `key`."""
    from PySide6.QtCore import Qt

    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    # A panel scrolls inside its dock rather than hold the window taller or wider than the screen
    # (800 x 600 included): the chart keeps its room.
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # panels fit the width
    scroll.setWidget(widget)
    dock.setWidget(scroll)
    window.addDockWidget(area, dock)
    toggle = dock.toggleViewAction()
    toggle.setShortcut(QKeySequence(key))
    menu.addAction(toggle)
    return dock


def fit_docks(window: QMainWindow) -> None:
    """Keep the chart the main thing on screen: in a narrow window the panels share one column of tabs,
    and no column of panels takes more than its share of the width."""
    from PySide6.QtCore import Qt

    names = (ATLAS_DOCK, LOOKUP_DOCK, PATIENT_DOCK, STUDY_DOCK)
    docks = [d for d in (window.findChild(QDockWidget, n) for n in names) if d]
    if not docks:
        return
    if window.width() < NARROW and window.dockWidgetArea(docks[0]) != window.dockWidgetArea(docks[-1]):
        for d in docks:
            if not d.isFloating():
                window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d)
        for d in docks[1:]:
            window.tabifyDockWidget(docks[0], d)
        (window.findChild(QDockWidget, PATIENT_DOCK) or docks[0]).raise_()
    visible = [d for d in docks if d.isVisible() and not d.isFloating()]
    areas = {window.dockWidgetArea(d) for d in visible}
    if not areas:
        return
    room = window.width() * (1 - CHART_SHARE) / len(areas)
    for d in visible:
        d.setMaximumWidth(max(220, int(room)))
