"""Run something once a widget has painted for the first time (the window is on screen by then)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class _FirstPaint(QObject):
    def __init__(self, widget: QWidget, callback: Callable[[], None]):
        super().__init__(widget)
        self.callback = callback

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.callback)  # after this paint has reached the screen
        return False


def after_first_paint(widget: QWidget, callback: Callable[[], None]) -> None:
    widget.installEventFilter(_FirstPaint(widget, callback))


def quit_after_first_paint(widget: QWidget) -> None:
    """For the start-up benchmark: print the time of the first paint, then quit."""

    def done() -> None:
        print(f"painted {time.time():.6f}", flush=True)
        QApplication.quit()

    after_first_paint(widget, done)
