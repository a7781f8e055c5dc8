"""The main window. It only assembles parts: the chart, its toolbar and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QToolBar

from bodymap import __version__
from bodymap.core.body import Body
from bodymap.core.frame import View
from bodymap.core.hittest import Hit

from .chart.scene import ChartScene
from .chart.view import ChartView

VIEW_CHOICES: tuple[tuple[str, str, tuple[View, ...]], ...] = (
    ("All views", "1", ("front", "back", "plantar")),
    ("Front", "2", ("front",)),
    ("Back", "3", ("back",)),
    ("Soles", "4", ("plantar",)),
)


class MainWindow(QMainWindow):
    def __init__(self, body: Body, settings: QSettings | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        self.setWindowTitle(f"bodymap {__version__}")
        self.scene = ChartScene(body, self)
        self.chart = ChartView(self.scene, self)
        self.setCentralWidget(self.chart)
        self.hover_label = QLabel("")
        self.statusBar().addWidget(self.hover_label, 1)
        self.zoom_label = QLabel("")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.chart.hovered.connect(self._show_hover)
        self.chart.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self._build_actions()
        self.resize(1280, 860)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _build_actions(self) -> None:
        bar = QToolBar("Chart", self)
        bar.setObjectName("chart_toolbar")
        self.addToolBar(bar)
        menu = self.menuBar().addMenu("&View")
        self.view_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for label, key, views in VIEW_CHOICES:
            act = QAction(label, self, checkable=True)
            act.setShortcut(QKeySequence(key))
            act.setToolTip(f"Show {label.lower()} ({key})")
            act.triggered.connect(lambda _=False, v=views: self.chart.show_views(v))
            group.addAction(act)
            bar.addAction(act)
            menu.addAction(act)
            self.view_actions[label] = act
        self.view_actions["All views"].setChecked(True)
        bar.addSeparator()
        menu.addSeparator()
        for name, label, key, on in (("regions", "Regions", "R", True), ("landmarks", "Landmarks", "L", False)):
            act = QAction(label, self, checkable=True)
            act.setChecked(on)
            act.setShortcut(QKeySequence(key))
            act.setToolTip(f"Show or hide {label.lower()} ({key})")
            act.toggled.connect(lambda visible, n=name: self.scene.set_layer_visible(n, visible))
            bar.addAction(act)
            menu.addAction(act)
            self.view_actions[label] = act
        bar.addSeparator()
        menu.addSeparator()
        for label, keys, slot in (
            ("Zoom in", [QKeySequence.StandardKey.ZoomIn, QKeySequence("+")], self.chart.zoom_in),
            ("Zoom out", [QKeySequence.StandardKey.ZoomOut, QKeySequence("-")], self.chart.zoom_out),
            ("Fit", [QKeySequence("0")], self.chart.fit),
        ):
            act = QAction(label, self)
            act.setShortcuts(keys)
            act.triggered.connect(slot)
            bar.addAction(act)
            menu.addAction(act)
            self.view_actions[label] = act
        quit_act = QAction("Quit", self)
        quit_act.setShortcut(QKeySequence.StandardKey.Quit)
        quit_act.triggered.connect(self.close)
        self.addAction(quit_act)

    def _show_hover(self, hit: Hit | None) -> None:
        self.hover_label.setText(hit.describe() if hit else "")

    def closeEvent(self, event) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)
