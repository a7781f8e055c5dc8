"""The main window. It only assembles parts: the chart with its actions, the panels in docks, the menus
and the status bar; the parts talk through signals it connects here.

It opens in steps, so the body shows at once: the window first paints the chart's first frame (a
cached recording, chart/first_frame.py); right after, assemble() builds the interactive chart, the
menus and the toolbar; then the atlas, the lookup and the patient records load (app.py). Importing
this module and making the window are part of the first step, which must stay within a few
milliseconds of a bare Qt window: so the chart's own modules (and with them Qt's slow `Qt` namespace,
see chart/first_frame.py) are imported where they are first needed, in assemble() and after it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMessageBox, QTabWidget, QToolBar

from bodymap import __version__

from .chart.first_frame import FirstFrame, Recording
from .docks import ATLAS_DOCK, LOOKUP_DOCK, PATIENT_DOCK, STUDY_DOCK

if TYPE_CHECKING:
    from bodymap.core.chart.body import Body
    from bodymap.core.chart.hittest import Hit

    from .chart.paint import ChartPaint

RETRY_OPEN = 5.0  # seconds between two attempts to open records whose server was away at the start


class MainWindow(QMainWindow):
    atlasReady = Signal()

    def __init__(self, settings: QSettings | None = None, first_frame: Recording | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        self.body: Body | None = None  # attached after the first paint (attach_body)
        self.setWindowTitle(f"bodymap {__version__}")
        self.setCentralWidget(FirstFrame(first_frame))
        # Built by assemble(), right after the first paint:
        self.scene = self.chart = self.pain_layer = self.router = None
        self.actions_by_name: dict[str, QAction] = {}
        self.atlas = self.lookup = self.overlay = self.atlas_panel = self.lookup_panel = None
        self.session = self.store = self.records = self.records_dock = self.records_layers = None
        self._retry = self._away_box = None  # opening the records again, while their server is away
        self.records_actions = None
        self.records_error = ""
        self.study = None  # StudyMode (ui/study/mode.py), made with the atlas
        # A first start fills at most the screen (a laptop's 1366 x 768 included); later starts reopen
        # the window as it was left.
        screen = QApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        self.resize(min(1400, room.width()) if room else 1400, min(900, room.height()) if room else 900)
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    @property
    def undo_stack(self):
        """The undo history in use: the open patient's (records/session.py)."""
        return self.undo_group.activeStack()

    def assemble(self, paint: ChartPaint | None = None) -> None:
        """Build the interactive chart in place of the first frame (from `paint`, else from the
        chart's cache), with the status bar, the menus and the toolbar."""
        if self.chart is not None:
            return
        from .chart.actions import ChartActions
        from .chart.pain_layer import PainLayer
        from .chart.paint import load_chart_paint
        from .chart.scene import ChartScene
        from .chart.view import ChartView
        from .help import HelpMenu
        from .records.session import NO_PATIENT, history
        from .settings import ClinicSettings
        from .text import PlainLabel
        from .undo import UndoActions

        self.undo_group = QUndoGroup(self)
        self.undo_group.setActiveStack(history(self.undo_group, NO_PATIENT))
        self.scene = ChartScene(paint or load_chart_paint(self.geometry_core), self, self.body)
        self.chart = ChartView(self.scene, self)
        self.setCentralWidget(self.chart)  # the first frame is deleted
        self.hover_label = PlainLabel()
        self.statusBar().addWidget(self.hover_label, 1)
        self.zoom_label = PlainLabel()
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.patient_label = PlainLabel()
        self.patient_label.setMaximumWidth(520)
        self.statusBar().addPermanentWidget(self.patient_label)
        self.pain_layer = PainLayer(self.scene)
        self.chart.hovered.connect(self._show_hover)
        self.chart.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))

        self.file_menu = self.menuBar().addMenu("&File")
        edit = self.menuBar().addMenu("&Edit")
        view_menu = self.menuBar().addMenu("&View")
        tools = self.menuBar().addMenu("&Tools")
        bar = QToolBar("Chart", self)
        bar.setObjectName("chart_toolbar")
        self.addToolBar(bar)
        # Undo and Redo move the history only once the step is done (a refused undo moves nothing).
        self.undo_actions = UndoActions(self.undo_group, self, self._step_refused)
        undo, redo = self.undo_actions.undo, self.undo_actions.redo
        redo.setShortcuts([QKeySequence.StandardKey.Redo, QKeySequence("Ctrl+Y")])
        edit.addActions([undo, redo])
        self.actions_by_name.update(undo=undo, redo=redo)
        self.chart_actions = ChartActions(self.chart, self.scene, view_menu, tools, bar, self._set_tool)
        self.actions_by_name.update(self.chart_actions.by_name)
        # The clinic's settings, with or without the records open (where the records are is one of them).
        self.clinic_settings = ClinicSettings(self.settings, self)
        settings_act = QAction("Clinic settings…", self)
        settings_act.triggered.connect(self.edit_settings)
        self.file_menu.addAction(settings_act)
        self.actions_by_name["file:settings"] = settings_act
        quit_act = QAction("Quit", self)
        quit_act.setShortcut(QKeySequence.StandardKey.Quit)
        quit_act.triggered.connect(self.close)
        self.file_menu.addAction(quit_act)
        self.actions_by_name["quit"] = quit_act
        self.panels_menu = view_menu.addMenu("Panels")
        self.help = HelpMenu(self)

    def _set_tool(self, tool) -> None:
        from .chart.tools import Tool

        self.chart.set_tool(tool)
        if self.lookup_panel is not None:
            self.chart.brush_radius = self.lookup_panel.brush_radius()
        if tool in (Tool.BRUSH, Tool.LASSO, Tool.ERASER) and self.router is not None:
            self.statusBar().showMessage(self.router.target_text(), 6000)

    @classmethod
    def for_body(
        cls, body: Body, settings: QSettings | None = None, paint: ChartPaint | None = None
    ) -> MainWindow:
        """A window with its geometry core attached at once (tests, scripts). `paint`: the body's chart
        paths when the caller already has them (paint_from_body takes ~60 ms; windows can share them)."""
        from .chart.paint import paint_from_body

        window = cls(settings)
        window.attach_body(body)
        window.assemble(paint if paint is not None else paint_from_body(body))
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
        from .gestures import GestureRouter
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
        self.lookup = Lookup.shared(self.atlas, self.body)
        self.overlay = AtlasOverlay(self.scene)
        self.overlay.legend_visible = False  # the panel lists the colours on screen
        self.overlay.hazards = list(self.atlas.hazards.values())
        self.atlas_panel = AtlasPanel(self.atlas)
        self.lookup_panel = LookupPanel(self.lookup, self.pain_layer, self.undo_group)
        self.router = GestureRouter(self.chart, self.scene, self.lookup_panel)
        # Tabs of panels that share a column sit at its top, where the eye looks for them.
        self.setTabPosition(Qt.DockWidgetArea.AllDockWidgetAreas, QTabWidget.TabPosition.North)
        left = self._dock(
            ATLAS_DOCK, "Atlas", self.atlas_panel, Qt.DockWidgetArea.LeftDockWidgetArea, "Ctrl+1"
        )
        right = self._dock(
            LOOKUP_DOCK,
            "Where does it hurt?",
            self.lookup_panel,
            Qt.DockWidgetArea.RightDockWidgetArea,
            "Ctrl+2",
        )
        self.resizeDocks([left, right], [290, 400], Qt.Orientation.Horizontal)
        self._add_study()
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
        self.router.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.router.lookupWanted.connect(lambda: self.dock(LOOKUP_DOCK).raise_())
        self.chart.pointed.connect(self._show_hazards_under)
        find = QAction("Find muscle", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        self.addAction(find)
        self.actions_by_name["find"] = find
        self._fit_docks()
        self.atlasReady.emit()

    def dock(self, name: str) -> QDockWidget:
        return self.findChild(QDockWidget, name)

    def _add_study(self) -> None:
        """Study mode: its panel (a tab beside the lookup) and menu. While a card is open it hides the
        panels that could give the answer away, and the chart's clicks and strokes answer the card."""
        from .chart.actions import VIEW_CHOICES
        from .study.mode import StudyMode

        def show_views(views) -> None:  # through the view switch when it can, so its buttons stay right
            label = next((label for label, _key, v in VIEW_CHOICES if tuple(v) == tuple(views)), None)
            if label is not None and not self.actions_by_name[label].isChecked():
                self.actions_by_name[label].setChecked(True)
            else:
                self.chart.show_views(views)

        self.study = StudyMode(
            self,
            self.chart,
            self.atlas,
            self.lookup,
            spoilers=[self.dock(ATLAS_DOCK), self.dock(LOOKUP_DOCK)],
            choose_tool=lambda tool: self.actions_by_name[f"tool:{tool.value}"].setChecked(True),
            show_views=show_views,
            name=STUDY_DOCK,
        )
        self.panels_menu.addAction(self.study.dock.toggleViewAction())
        self.tabifyDockWidget(self.dock(LOOKUP_DOCK), self.study.dock)  # a tab students find
        self.dock(LOOKUP_DOCK).raise_()
        self.router.claims.append(lambda: self.study.captures_chart)
        self.study.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.study.activeChanged.connect(lambda on: on or self._show_hover(self.chart.last_hit))
        # One brush size: the study panel's slider moves the lookup's (which sets the chart's brush).
        self.study.panel.brush.setValue(self.lookup_panel.size.value())
        self.study.brushChanged.connect(lambda r: self.lookup_panel.size.setValue(round(r * 1000)))
        self.menuBar().insertMenu(self.help_menu_action(), self.study.menu)

    def _dock(self, name: str, title: str, widget, area, key: str) -> QDockWidget:
        from .docks import add_dock

        return add_dock(self, name, title, widget, area, key, self.panels_menu)

    def _focus_search(self) -> None:
        self.dock(ATLAS_DOCK).show()
        self.dock(ATLAS_DOCK).raise_()
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

    # -- the chart keeps most of the window ------------------------------------------------------

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_docks()

    def _fit_docks(self) -> None:
        if self.atlas_panel is None:  # the first paint: no panels yet (and no Qt namespace: first_frame.py)
            return
        from .docks import fit_docks

        fit_docks(self)

    # -- records -----------------------------------------------------------------------------------

    def open_records(self, location=None) -> bool:
        """Open the patient records (the user's database, or `location`); report, never alter, a bad file."""
        from PySide6.QtCore import Qt

        from bodymap.core.records.model import RecordsError, Unreachable
        from bodymap.core.records.paths import default_database
        from bodymap.core.records.placement import Placer

        from .records.actions import RecordsActions
        from .records.chart_layers import RecordsChartLayers
        from .records.panel import RecordsPanel
        from .records.session import RecordsSession
        from .shortcuts import scope

        configured = self.clinic_settings.value.records
        if location is None and configured:  # $BODYMAP_DB, else the settings' Records
            location = default_database(configured=configured)
        # (else None: $BODYMAP_DB, else the data folder's file, which opening creates with its folder)
        try:
            self.session = RecordsSession.open(
                location, Placer(self.body, self.atlas), self.undo_group, self, self.clinic_settings
            )
        except Unreachable as exc:
            return self._server_away(location, exc)
        except RecordsError as exc:
            busy = "open in another bodymap window" in str(exc)
            return self._records_not_opened(
                str(exc) if busy else f"Patient records not opened: {exc}",
                str(exc)
                if busy
                else f"The patient records could not be opened, and were left as they are.\n\n{exc}",
                QMessageBox.Icon.Information if busy else QMessageBox.Icon.Critical,
            )
        if self._retry is not None:  # opened at last, after the server was away at the start
            self._retry.stop()
            self._retry = None
            if self._away_box is not None:
                self._away_box.close()
            self.statusBar().showMessage(f"Connected to the records server {self.session.store.where}.", 8000)
        session = self.session
        self.store = session.store
        self.records_layers = RecordsChartLayers(self.scene, session)
        self.marks_layer = self.records_layers.marks
        self.records = RecordsPanel(session)
        self.records_dock = self._dock(
            PATIENT_DOCK, "Patient", self.records, Qt.DockWidgetArea.RightDockWidgetArea, "Ctrl+3"
        )
        self.tabifyDockWidget(self.dock(LOOKUP_DOCK), self.records_dock)
        QTimer.singleShot(0, self.records_dock.raise_)  # once tabified and shown: the patient first
        if self.study is not None:
            self.study.spoilers.add(self.records_dock)  # the marks table names trigger points
        self.menuBar().insertMenu(self.help_menu_action(), self._findings_menu())
        self.router.attach_records(session, self.records.drawing, self.records_layers)
        chart_keys = [*self.records.findings.actions, self.records_layers.show_previous]
        scope(chart_keys, self.chart)
        scope([self.records.findings.delete], self.chart, self.records.marks_table)
        self.records_actions = RecordsActions(self, session)
        session.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        self.records.findings.warning.connect(self._needling_warning)
        session.patientOpened.connect(lambda _p: self._patient_status())
        session.changed.connect(
            lambda c: self._patient_status() if c.kind in ("patient", "screen", "consent") else None
        )
        session.patientOpened.connect(self.lookup_panel.set_context)
        self.lookup_panel.follow_visit(self._visit_drawing)
        session.visitOpened.connect(lambda _v: self.lookup_panel.visit_changed())
        session.changed.connect(
            lambda c: self.lookup_panel.visit_changed() if c.kind in ("drawing", "visit") else None
        )
        self._fit_docks()
        return True

    def _findings_menu(self):
        from PySide6.QtWidgets import QMenu

        menu = QMenu("F&indings", self)
        menu.addActions(self.records.findings.actions)
        menu.addSeparator()
        menu.addAction(self.records.findings.delete)
        menu.addAction(self.records_layers.show_previous)
        return menu

    def help_menu_action(self) -> QAction:
        return self.menuBar().actions()[-1]  # Help stays last

    def _visit_drawing(self):
        """The open visit's pain drawing for the lookup: its label and areas, or None."""
        from bodymap.core.records.metrics import union_areas

        s = self.session
        if s is None or s.visit_id is None:
            return None
        p = s.patient()
        return f"visit {s.visit_number()} ({p.name})", union_areas(s.drawings())

    def _server_away(self, location, exc: Exception) -> bool:
        """The records server cannot be reached at the start: say so (once in a box, then in the status
        bar) and try again every RETRY_OPEN seconds, until it answers or the window closes."""
        from .text import tell

        self.session = None
        line = f"{str(exc)[:1].upper()}{str(exc)[1:]}. Trying again every {RETRY_OPEN:g} s…"
        self.statusBar().showMessage(line)
        self.records_error = line
        if self._retry is None:
            self._away_box = tell(
                self,
                "Patient records",
                f"{line}\n\nThe atlas and the lookup work meanwhile; the records open by themselves when the "
                "server answers.",
                QMessageBox.Icon.Information,
            )
            self._retry = QTimer(self)
            self._retry.setSingleShot(True)
            self._retry.timeout.connect(lambda: self.open_records(location))
        self._retry.start(int(RETRY_OPEN * 1000))
        return False

    def _records_not_opened(self, status: str, text: str, icon=QMessageBox.Icon.Critical) -> bool:
        """Say so in the status bar and in a box that does not block the window (atlas and lookup work)."""
        from .text import tell

        self.session = None
        self.statusBar().showMessage(status)
        tell(self, "Patient records", text, icon)
        self.records_error = text
        return False

    def _patient_status(self) -> None:
        """The title, the status bar and the panel name the same, open patient."""
        p = self.session.patient() if self.session is not None else None
        if p is None:
            self.patient_label.setText("")
            self.setWindowTitle(f"bodymap {__version__}")
            return
        self.patient_label.setText(f"{p.name} — {self.records.patients.banner.text()}")
        self.setWindowTitle(f"{p.name} — bodymap")

    def edit_settings(self) -> None:
        from .settings import SettingsDialog

        SettingsDialog(self.clinic_settings, self).exec()

    def _step_refused(self, exc: Exception, what: str) -> None:
        if self.session is not None:
            self.session.refuse(exc, what)
        else:
            self.statusBar().showMessage(str(exc), 8000)

    def _needling_warning(self, text: str) -> None:
        """Needling over a hazard or with a precaution: shown beside the mark and in the panel, said in the
        status bar; it neither blocks nor takes the keyboard (the therapist's hands are busy)."""
        self.statusBar().showMessage(text.replace("\n", " "), 15000)
        QApplication.beep()

    # -- status ----------------------------------------------------------------------------------

    def _show_hover(self, hit: Hit | None) -> None:
        if self.study is not None and self.study.active:
            hit = None  # "infraspinous region" would answer "where is infraspinatus?"
        self.hover_label.setText(hit.describe() if hit else "")

    def _show_hazards_under(self, view: str, x: float, y: float) -> None:
        """With hazards shown, hovering one says what a needle could reach there."""
        hazards = self.overlay.hazards_at(view, x, y) if self.overlay is not None else []
        if hazards and not (self.study is not None and self.study.active):
            text = "; ".join(f"⚠ {h.name}: risk of {h.at_risk}" for h in hazards)
            self.statusBar().showMessage(text, 4000)

    def closeEvent(self, event) -> None:
        if self.study is not None:
            if self.study.active:  # (idle, stopping would open the study file only to show its counts)
                self.study.stop()  # shows the hidden panels again, so the saved layout has them
            self.study.close()
        if self._retry is not None:
            self._retry.stop()
        if self.session is not None:
            self.session.close()
        self.settings.setValue("window/geometry", self.saveGeometry())
        if self.atlas_panel is not None:  # closed during start-up, the state would have no panels in it
            self.settings.setValue("window/state", self.saveState())
        super().closeEvent(event)
