"""Guards against a Qt binding that corrupts Python's reference counts (PySide6 6.12.0 did: every
void call dropped a reference to None, and a long session aborted with 'deallocating None')."""

import sys

from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem, QWidget


def test_void_calls_keep_reference_counts(qtbot):
    item = QGraphicsPathItem()
    widget = QWidget()
    qtbot.addWidget(widget)
    before_none, before_true = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        item.setPath(QPainterPath())
        item.setVisible(True)
        widget.setVisible(False)
    assert abs(sys.getrefcount(None) - before_none) < 50
    assert abs(sys.getrefcount(True) - before_true) < 50
