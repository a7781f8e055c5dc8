"""The main window. It only assembles parts: the chart, its toolbar, the panels, menus, status bar.

It opens in steps, so the body shows at once: the window first paints the chart's first frame (a
cached recording, chart/first_frame.py); right after, assemble() builds the interactive chart, the
menus and the toolbar; then the atlas, the lookup and the patient records load (app.py). Importing
this module and making the window are part of the first step, which must stay within a few
milliseconds of a bare Qt window: so the chart's own modules (and with them Qt's slow `Qt` namespace,
see chart/first_frame.py) are imported where they are first needed, in assemble() and after it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QMainWindow, QMessageBox, QToolBar

from bodymap import __version__
from bodymap.core.chart.frame import View

from .chart.first_frame import FirstFrame, Recording

if TYPE_CHECKING:
    from bodymap.core.chart.body import Body
    from bodymap.core.chart.hittest import Hit

    from .chart.pain_layer import PainLayer
    from .chart.paint import ChartPaint
    from .chart.scene import ChartScene
    from .chart.tools import Tool
    from .chart.view import ChartView

VIEW_CHOICES: tuple[tuple[str, str, tuple[View, ...]], ...] = (
    ("All views", "1", ("front", "back", "plantar")),
    ("Front", "2", ("front",)),
    ("Back", "3", ("back",)),
    ("Soles", "4", ("plantar",)),
)


class MainWindow(QMainWindow):
    atlasReady = Signal()

    def __init__(self, settings: QSettings | None = None, first_frame: Recording | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        self.body: Body | None = None  # attached after the first paint (attach_body)
        self.setWindowTitle(f"bodymap {__version__}")
        self.setCentralWidget(FirstFrame(first_frame))
        # Built by assemble(), right after the first paint:
        self.scene: ChartScene | None = None
        self.chart: ChartView | None = None
        self.pain_layer: PainLayer | None = None
        self.actions_by_name: dict[str, QAction] = {}
        self.atlas = self.lookup = self.overlay = self.atlas_panel = self.lookup_panel = None
        self.store = self.records = self.records_dock = None
        self.resize(1400, 900)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def assemble(self, paint: ChartPaint | None = None) -> None:
        """Build the interactive chart in place of the first frame (from `paint`, else from the
        chart's cache), with the status bar, the menus and the toolbar."""
        if self.chart is not None:
            return
        from .chart.pain_layer import PainLayer
        from .chart.paint import load_chart_paint
        from .chart.scene import ChartScene
        from .chart.view import ChartView

        self.undo_stack = QUndoStack(self)
        self.scene = ChartScene(paint or load_chart_paint(self.geometry_core), self, self.body)
        self.chart = ChartView(self.scene, self)
        self.setCentralWidget(self.chart)  # the first frame is deleted
        self.hover_label = QLabel("")
        self.statusBar().addWidget(self.hover_label, 1)
        self.zoom_label = QLabel("")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.patient_label = QLabel("")
        self.statusBar().addPermanentWidget(self.patient_label)
        self.pain_layer = PainLayer(self.scene)
        self.chart.hovered.connect(self._show_hover)
        self.chart.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        self._build_menus()

    # -- menus and toolbar -----------------------------------------------------------------------

    def _action(self, name: str, text: str, keys=(), slot=None, checkable=False, tip: str = "") -> QAction:
        act = QAction(text, self, checkable=checkable)
        act.setShortcuts([k if isinstance(k, QKeySequence) else QKeySequence(k) for k in keys])
        if tip:
            key = keys[0] if keys and isinstance(keys[0], str) else ""
            act.setToolTip(f"{tip} ({key})" if key else tip)
        if slot is not None:
            (act.toggled if checkable else act.triggered).connect(slot)
        self.actions_by_name[name] = act
        return act

    def _build_menus(self) -> None:
        # The usual order; the records add their commands to File, and a Findings menu, later.
        self.file_menu = self.menuBar().addMenu("&File")
        edit = self.menuBar().addMenu("&Edit")
        view_menu = self.menuBar().addMenu("&View")
        tools = self.menuBar().addMenu("&Tools")
        bar = QToolBar("Chart", self)
        bar.setObjectName("chart_toolbar")
        self.addToolBar(bar)
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        edit.addActions([undo, redo])
        self.actions_by_name.update(undo=undo, redo=redo)

        group = QActionGroup(self)
        for label, key, views in VIEW_CHOICES:
            act = self._action(
                label,
                label,
                [key],
                lambda on, v=views: on and self.chart.show_views(v),
                checkable=True,
                tip=f"Show {label.lower()}",
            )
            group.addAction(act)
            bar.addAction(act)
            view_menu.addAction(act)
        self.actions_by_name["All views"].setChecked(True)
        bar.addSeparator()
        view_menu.addSeparator()
        for name, label, key, on in (
            ("regions", "Regions", "R", True),
            ("landmarks", "Landmarks", "L", False),
        ):
            act = self._action(
                label,
                label,
                [key],
                lambda visible, n=name: self.scene.set_layer_visible(n, visible),
                checkable=True,
                tip=f"Show or hide {label.lower()}",
            )
            act.setChecked(on)
            bar.addAction(act)
            view_menu.addAction(act)
        bar.addSeparator()
        view_menu.addSeparator()
        for label, keys, slot in (
            ("Zoom in", [QKeySequence.StandardKey.ZoomIn, "+"], self.chart.zoom_in),
            ("Zoom out", [QKeySequence.StandardKey.ZoomOut, "-"], self.chart.zoom_out),
            ("Fit", ["0"], self.chart.fit),
        ):
            act = self._action(label, label, keys, slot)
            bar.addAction(act)
            view_menu.addAction(act)
        bar.addSeparator()
        from .chart.tools import TOOL_CHOICES

        tool_group = QActionGroup(self)
        for tool, label, key, tip in TOOL_CHOICES:
            act = self._action(
                f"tool:{tool.value}",
                label,
                [key],
                lambda on, t=tool: on and self._set_tool(t),
                checkable=True,
                tip=tip,
            )
            tool_group.addAction(act)
            bar.addAction(act)
            tools.addAction(act)
        self.actions_by_name["tool:navigate"].setChecked(True)
        quit_act = self._action("quit", "Quit", [QKeySequence.StandardKey.Quit], self.close)
        self.file_menu.addAction(quit_act)
        self.panels_menu = view_menu.addMenu("Panels")

    def _set_tool(self, tool: Tool) -> None:
        self.chart.set_tool(tool)
        if self.lookup_panel is not None:
            self.chart.brush_radius = self.lookup_panel.brush_radius()

    @classmethod
    def for_body(cls, body: Body, settings: QSettings | None = None) -> MainWindow:
        """A window with its geometry core attached at once (tests, scripts)."""
        from .chart.paint import paint_from_body

        window = cls(settings)
        window.attach_body(body)
        window.assemble(paint_from_body(body))
        return window

    # -- parts loaded after the first paint -----------------------------------------------------

    def attach_body(self, body: Body) -> None:
        """Attach the geometry core: hover naming and hit-testing start working."""
        self.body = body
        if self.scene is not None:
            self.scene.body = body

    def show_now(self) -> None:
        """Lay out and paint the window now, before work that holds up the event loop."""
        from PySide6.QtCore import QEventLoop

        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)  # layouts, resizes
        self.repaint()  # synchronous: it reaches the screen before the work starts

    def geometry_core(self) -> Body:
        """The body's geometry, loaded (from its cache) and attached the first time it is needed."""
        if self.body is None:
            from bodymap.core.chart.body import load_body

            self.attach_body(load_body())
        return self.body

    def load_atlas(self) -> None:
        """Build the atlas browser and the lookup (called once the window is on screen)."""
        if self.atlas is not None:
            return
        from PySide6.QtCore import Qt

        from bodymap.core.atlas import atlas_needs_building, load_atlas
        from bodymap.core.lookup import Lookup

        from .atlas_panel import AtlasPanel
        from .chart.overlay import AtlasOverlay
        from .lookup_panel import LookupPanel

        self.geometry_core()
        first_use = atlas_needs_building()
        if first_use:  # seconds, once per install or update: say so rather than look frozen
            self.statusBar().showMessage("Preparing the atlas for its first use: a few seconds…")
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            self.show_now()
        try:
            self.atlas = load_atlas()
        finally:
            if first_use:
                QApplication.restoreOverrideCursor()
                self.statusBar().showMessage("The atlas is ready.", 5000)
        self.lookup = Lookup(self.atlas, self.body)
        self.overlay = AtlasOverlay(self.scene)
        self.overlay.legend_visible = False  # the panel's list shows the colours on screen
        self.overlay.hazards = list(self.atlas.hazards.values())
        self.atlas_panel = AtlasPanel(self.atlas)
        self.lookup_panel = LookupPanel(self.lookup, self.pain_layer, self.undo_stack)
        left = self._dock("Atlas", self.atlas_panel, Qt.DockWidgetArea.LeftDockWidgetArea, "Ctrl+1")
        right = self._dock(
            "Where does it hurt?", self.lookup_panel, Qt.DockWidgetArea.RightDockWidgetArea, "Ctrl+2"
        )
        self.resizeDocks([left, right], [290, 430], Qt.Orientation.Horizontal)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)

        self.atlas_panel.musclesChanged.connect(self._show_muscles)
        self.atlas_panel.sidesChanged.connect(self.overlay.set_sides)
        self.atlas_panel.opacityChanged.connect(self.overlay.set_opacity)
        self.atlas_panel.hazardsToggled.connect(lambda on: self.overlay.set_hazards(self.overlay.hazards, on))
        self.lookup_panel.candidateChosen.connect(self._show_candidate)
        self.lookup_panel.message.connect(lambda m: self.statusBar().showMessage(m, 5000))
        self.lookup_panel.size.valueChanged.connect(lambda v: setattr(self.chart, "brush_radius", v / 1000.0))
        self.chart.drawn.connect(self._drawn)
        self.chart.pointed.connect(self._show_hazards_under)
        self.chart.clicked.connect(self._clicked)
        find = self._action("find", "Find muscle", [QKeySequence.StandardKey.Find], self._focus_search)
        self.addAction(find)
        self.atlasReady.emit()

    def _dock(self, title: str, widget, area, key: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        toggle = dock.toggleViewAction()
        toggle.setShortcut(QKeySequence(key))
        self.panels_menu.addAction(toggle)
        return dock

    def _focus_search(self) -> None:
        self.atlas_panel.parentWidget().show()
        self.atlas_panel.search.setFocus()
        self.atlas_panel.search.selectAll()

    def _show_muscles(self, muscles) -> None:
        self.overlay.set_muscles(muscles)
        self.atlas_panel.set_colours(lambda mid: self.overlay.color_of(mid))

    def _show_candidate(self, candidate) -> None:
        if candidate is None:
            return
        index = {("right", "left"): 0, ("right",): 1, ("left",): 2}[(candidate.side,)]
        self.atlas_panel.side.setCurrentIndex(index)
        self.atlas_panel.select([candidate.muscle])

    def _clicked(self, view: str, x: float, y: float) -> None:
        from .chart.tools import Tool

        if self.chart.tool is Tool.MARK:
            if self.records is not None:
                self.records.add_mark(view, x, y)
            else:
                self.statusBar().showMessage("Patient records are not open.", 5000)
        elif (
            self.chart.tool is Tool.NAVIGATE
            and self.lookup_panel is not None
            and self.lookup_panel.pain.is_empty
        ):
            self.lookup_panel.set_point(view, x, y)

    def _drawn(self, tool: str, view: str, shape) -> None:
        """A stroke goes where the user is looking: to the lookup when its panel is on top, else to the
        open visit's drawing (or to the lookup when no visit is open)."""
        lookup_dock = self.findChild(QDockWidget, "Where does it hurt?")
        to_visit = (
            self.records is not None
            and self.records.visit_id is not None
            and not (
                lookup_dock is not None
                and lookup_dock.isVisible()
                and not lookup_dock.visibleRegion().isEmpty()
            )
        )
        if to_visit:
            self.records.apply_gesture(tool, view, shape)
        else:
            self.lookup_panel.apply_gesture(tool, view, shape)

    # -- records -----------------------------------------------------------------------------------

    def open_records(self, location=None) -> bool:
        """Open the patient records (the user's database, or `location`); report, never alter, a bad file."""
        from PySide6.QtCore import Qt

        from bodymap.core.records import Store
        from bodymap.core.records.model import RecordsError
        from bodymap.core.records.placement import Placer

        from .chart.marks_layer import MarksLayer
        from .chart.pain_layer import PainLayer
        from .records.actions import RecordsActions
        from .records.lock import RecordsLock
        from .records.panel import RecordsPanel

        self.records_lock = RecordsLock(location)
        busy = self.records_lock.acquire()
        if busy is not None:
            return self._records_not_opened(busy, busy, QMessageBox.Icon.Information)
        try:
            self.store = Store.open(location, placer=Placer(self.body, self.atlas))
        except RecordsError as exc:
            self.records_lock.release()
            return self._records_not_opened(
                f"Patient records not opened: {exc}",
                f"The patient records could not be opened, and were left as they are.\n\n{exc}",
            )
        self.marks_layer = MarksLayer(self.scene)
        self.visit_pain = PainLayer(self.scene)
        self.records = RecordsPanel(
            self.store, self.undo_stack, self.marks_layer, self.visit_pain, self.atlas
        )
        self.records_dock = self._dock(
            "Patient", self.records, Qt.DockWidgetArea.RightDockWidgetArea, "Ctrl+3"
        )
        lookup_dock = self.findChild(QDockWidget, "Where does it hurt?")
        self.tabifyDockWidget(lookup_dock, self.records_dock)
        self.resizeDocks([self.records_dock], [430], Qt.Orientation.Horizontal)
        QTimer.singleShot(0, self.records_dock.raise_)  # once tabified and shown: the patient first
        findings = self.menuBar().addMenu("F&indings")
        for act in self.records.finding_actions:
            self.addAction(act)
            findings.addAction(act)
        self.records.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.records.warning.connect(self._needling_warning)
        self.records.patientChanged.connect(self._patient_status)
        self.records.visitOpened.connect(lambda _v: self._patient_status())
        self.chart.mark_finder = lambda view, x, y, tol: (lambda m: m.id if m else None)(
            self.marks_layer.mark_at(view, x, y, tol)
        )
        self.chart.markDragged.connect(self._preview_mark)
        self.chart.markDropped.connect(lambda mid, x, y: self.records.move_mark(mid, x, y))
        self.records_actions = RecordsActions(self, self.store, self.records)
        return True

    def _records_not_opened(self, status: str, text: str, icon=QMessageBox.Icon.Critical) -> bool:
        """Say so in the status bar and in a box that does not block the window (atlas and lookup work)."""
        self.statusBar().showMessage(status)
        box = QMessageBox(icon, "Patient records", text, QMessageBox.StandardButton.Ok, self)
        box.setModal(False)
        box.show()
        self.records_error = text
        return False

    def _preview_mark(self, mark_id, x: float, y: float) -> None:
        from .chart.layout import PLACEMENTS

        for item in self.marks_layer.items:
            if item.mark.id == mark_id:
                item.setPos(*PLACEMENTS[item.mark.view].to_scene(x, y))

    def _patient_status(self) -> None:
        r = self.records
        if r is None or r.patient_id is None:
            self.patient_label.setText("")
            self.setWindowTitle(f"bodymap {__version__}")
            return
        p = self.store.patient(r.patient_id)
        self.patient_label.setText(f"{p.given_name} {p.family_name} — {r.banner.text()}")
        self.setWindowTitle(f"{p.given_name} {p.family_name} — bodymap")

    def _needling_warning(self, text: str) -> None:
        """Needling over a hazard or with a precaution: shown prominently in the panel and the status
        bar, but it neither blocks nor takes the keyboard (the therapist's hands are busy)."""
        self.statusBar().showMessage(text, 15000)
        QApplication.beep()

    # -- status ----------------------------------------------------------------------------------

    def _show_hover(self, hit: Hit | None) -> None:
        self.hover_label.setText(hit.describe() if hit else "")

    def _show_hazards_under(self, view: str, x: float, y: float) -> None:
        """With hazards shown, hovering one says what a needle could reach there."""
        hazards = self.overlay.hazards_at(view, x, y) if self.overlay is not None else []
        if hazards:
            text = "; ".join(f"⚠ {h.name}: risk of {h.at_risk}" for h in hazards)
            self.statusBar().showMessage(text, 4000)

    def closeEvent(self, event) -> None:
        if self.records is not None:
            self.records.commit_pending()
            self.records_lock.release()
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self.atlas_panel is not None:  # closed during start-up, the state would have no panels in it
            self.settings.setValue("window/state", self.saveState())
        super().closeEvent(event)
