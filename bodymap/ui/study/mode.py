"""Study mode in the window: one object that adds the Study panel and menu, runs Learn / Quiz / Exam on
the chart, and hides whatever would give an answer away while a card is open.

The window wires it in one place (MainWindow._add_study):

    self.study = StudyMode(self, self.chart, self.atlas, self.lookup,
                           spoilers=[atlas_dock, lookup_dock], choose_tool=..., show_views=...)
    self.router.claims.append(lambda: self.study.captures_chart)  # the card takes clicks and strokes

While studying, the chart's other overlays (atlas zones and trigger points, hazards, muscle outlines,
pain drawings, the lookup's point, patient marks) and the panels given as spoilers are hidden, and
shown again as they were when the student stops. Answers are committed as they are given (the study
database); they are not steps of the window's undo stack. A drawing can be taken back stroke by stroke
(Ctrl+Z while a card is open) until it is submitted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMessageBox, QProgressDialog, QWidget

from bodymap.core.atlas import AREAS, Atlas
from bodymap.core.chart.frame import VIEWS, View
from bodymap.core.pain import PainArea
from bodymap.core.study import (
    KIND_NAMES,
    Card,
    Choice,
    Deck,
    ExamRun,
    PointAnswer,
    Study,
    StudyError,
    StudyStore,
    progress,
)
from bodymap.core.study.scoring import cm_text

from ..chart.layout import PLACEMENTS
from ..chart.tools import Tool
from .images import frame
from .layer import OTHER_TRP, PATTERN, StudyLayer
from .panel import MORE_NEW, StudyPanel, feedback_legend

if TYPE_CHECKING:
    from bodymap.core.lookup import Lookup

    from ..chart.view import ChartView

# Layers of other parts that could give an answer away (style.Layer names); the study's own layers
# ("study", "answer") and the body's stay.
SPOILER_LAYERS = ("zones", "hazards", "muscles", "trps", "previous", "pain", "unexplained", "marks", "point")
MAX_ZOOM = 6.0  # onto a card's pattern or feedback: more would lose where on the body it is
POINT_MARGIN = 120.0  # scene units (12 % of stature) around a point card's feedback


def _scene_rect(view: View, bounds: tuple[float, float, float, float]) -> QRectF:
    """The scene rectangle of body-frame bounds (minx, miny, maxx, maxy) on a view."""
    place = PLACEMENTS[view]
    (x0, y0), (x1, y1) = place.to_scene(bounds[0], bounds[3]), place.to_scene(bounds[2], bounds[1])
    return QRectF(x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0))


INSTRUCTIONS = {
    "zone": "Outline where it refers with the Lasso (S), or shade it with the Brush (B); Eraser (E). Any "
    "view; zoom with the wheel. Then Enter.",
    "point": "Click the trigger point on the chart (Point tool, P); click again to move it. Then Enter.",
    "reverse": "Tick every muscle that could cause it (click, or keys 1-9). Then Enter.",
    "name": "Pick the muscle (click, or keys 1-9). Then Enter.",
}


class StudyMode(QObject):
    activeChanged = Signal(bool)  # studying (the chart belongs to the study) or not
    message = Signal(str)
    brushChanged = Signal(float)  # the panel's brush size (body units): the window keeps one brush size

    def __init__(
        self,
        window: QMainWindow,
        chart: ChartView,
        atlas: Atlas,
        lookup: Lookup,
        spoilers: Sequence[QWidget] = (),
        location: str | Path | None = None,
        choose_tool: Callable[[Tool], None] | None = None,
        show_views: Callable[[tuple[View, ...]], None] | None = None,
        dock_key: str = "Ctrl+4",
        name: str = "study",
    ):
        super().__init__(window)
        self.window, self.chart, self.atlas, self.lookup = window, chart, atlas, lookup
        self.scene = chart.chart
        self.spoilers = list(spoilers)
        self.location = location
        self.choose_tool = choose_tool or chart.set_tool
        self.show_views = show_views or chart.show_views
        self.layer = StudyLayer(self.scene)
        self.panel = StudyPanel()
        self.dock = QDockWidget("Study", window)
        self.dock.setObjectName(name)  # the window's saved layout knows it by this name
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock_key = dock_key
        self._deck: Deck | None = None
        self._store: StudyStore | None = None
        self.study: Study | None = None
        self.mode: str | None = None
        self.card: Card | None = None
        self.previous: Card | None = None
        self.exam: ExamRun | None = None
        self.phase = "idle"  # idle | preview | ask | feedback
        self.drawing = PainArea()
        self._strokes: list[PainArea] = []
        self.click: tuple[View, float, float] | None = None
        self._clock = QElapsedTimer()
        self._hidden_layers: list[str] = []
        self._hidden_widgets: list[QWidget] = []
        self._views_before: tuple[View, ...] | None = None
        self._exam_timer = QTimer(self)
        self._exam_timer.setInterval(1000)
        self._exam_timer.timeout.connect(self._tick)
        self.actions: dict[str, QAction] = {}
        self._build_menu()
        self._connect()

    # -- assembly --------------------------------------------------------------------------------

    def _build_menu(self) -> None:
        menu = self.window.menuBar().addMenu("&Study")
        self.menu = menu

        def add(name: str, text: str, slot, keys: str = "", checkable: bool = False) -> QAction:
            act = QAction(text, self.window, checkable=checkable)
            if keys:
                act.setShortcut(QKeySequence(keys))
            (act.toggled if checkable else act.triggered).connect(slot)
            menu.addAction(act)
            self.actions[name] = act
            return act

        add("panel", "Study panel", self.toggle_panel, self.dock_key)
        menu.addSeparator()
        add("learn", "Learn new cards", lambda: self.start("learn"), "Ctrl+Alt+L")
        add("quiz", "Quiz: cards due", lambda: self.start("quiz"), "Ctrl+Alt+Q")
        add("exam", "Exam: timed mixed set", lambda: self.start("exam"), "Ctrl+Alt+E")
        add("main", "Submit / next card", self._press_main, "Ctrl+Return")
        add("stop", "Stop studying", self.stop)
        menu.addSeparator()
        add("progress", "Progress", self.show_progress)
        add("heat", "Show progress on the chart", self.panel.heat.setChecked, checkable=True)
        menu.addSeparator()
        add("apkg", "Export Anki deck…", lambda: self.export("apkg"))
        add("pdf", "Export flashcards (PDF)…", lambda: self.export("pdf"))
        self.actions["main"].setEnabled(False)
        self.actions["stop"].setEnabled(False)

    def toggle_panel(self) -> None:
        """Bring the panel to the front; hide it when it is already in front (a tab behind is raised,
        not hidden, as Qt's own toggle would)."""
        if self.dock.isVisible() and not self.dock.visibleRegion().isEmpty():
            self.dock.hide()
        else:
            self.dock.show()
            self.dock.raise_()

    def _connect(self) -> None:
        p = self.panel
        p.modeChosen.connect(self.start)
        p.recall.connect(self._ask)
        p.submitted.connect(self.submit)
        p.gaveUp.connect(self.give_up)
        p.nextCard.connect(self.next)
        p.stopped.connect(self.stop)
        p.undoStroke.connect(self.undo_stroke)
        p.clearDrawing.connect(self.clear_answer)
        p.finishExam.connect(self.finish_exam)
        p.heatToggled.connect(self._heat)
        p.heatToggled.connect(lambda on: self.actions["heat"].setChecked(on))
        p.progressRequested.connect(self.show_progress)
        p.brushChanged.connect(self.brushChanged.emit)
        p.moreNew.connect(self.learn_more)
        self.chart.drawn.connect(self._drawn)
        self.chart.clicked.connect(self._clicked)
        self.chart.installEventFilter(self)
        self.panel.installEventFilter(self)
        self.dock.visibilityChanged.connect(self._dock_shown)

    def _dock_shown(self, shown: bool) -> None:
        if shown and self.phase == "idle":
            self._home()
        elif not shown and self.dock.isHidden() and self.active:
            self.stop()  # the panel was closed: the session ends and the hidden panels come back

    # -- the deck and the student's database, opened on first use -----------------------------------

    def deck(self) -> Deck:
        if self._deck is None:
            self._deck = Deck.build(self.atlas, self.lookup)
        return self._deck

    def store(self) -> StudyStore | None:
        """The student's study database, or None (said in the panel) if it cannot be opened."""
        if self._store is None:
            try:
                self._store = StudyStore.open(self.location)
            except StudyError as exc:
                self.panel.show_home("", f"Study progress could not be opened: {exc}")
                self.message.emit(str(exc))
                return None
            self.study = Study(self.deck(), self._store)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @property
    def active(self) -> bool:
        return self.phase != "idle"

    @property
    def captures_chart(self) -> bool:
        """A card is waiting for a drawing or a click: the chart's strokes and clicks are its answer."""
        return self.card is not None and self.phase == "ask" and self.card.kind in ("zone", "point")

    # -- sessions --------------------------------------------------------------------------------

    def _home(self, message: str = "", offer_more: bool = False) -> None:
        if self.store() is None or self.study is None:
            return
        c = self.study.counts()
        nxt = self._store.next_due() if self._store else None
        when = ""
        if c.due == 0 and nxt is not None:
            local = nxt.astimezone()
            when = f" The next card is due {local:%a %d %b, %H:%M}."
        self.panel.show_home(
            f"{c.due} cards due now · {c.new_left} new cards left today · {c.answered} of {c.total} "
            f"cards answered.{when}",
            message,
            offer_more,
        )

    def start(self, mode: str) -> None:
        self.dock.show()
        self.dock.raise_()
        if self.store() is None or self.study is None:
            return
        if self.phase != "idle":
            self.stop()
        self.mode = mode
        self.previous = None
        if mode == "exam":
            self.exam = self.study.start_exam()
            self._exam_timer.start()
        self._hide_spoilers()
        self.next()

    def next(self) -> None:
        """Open the next card of the session, or end it when there is none."""
        assert self.study is not None
        self._clear_card()
        if self.mode == "exam" and self.exam is not None:
            card = self.exam.next_card()
            if card is None:
                self.finish_exam()
                return
        else:
            card = self.study.next_card(self.mode or "quiz", self.previous)
            if card is None:
                if self.mode == "quiz":
                    self.stop("Nothing is due now: Learn brings new cards.")
                else:
                    self.stop(
                        f"That was today's {self.study.new_per_day} new cards. Quiz reviews the cards "
                        "that are due; tomorrow brings more.",
                        offer_more=True,
                    )
                return
        self.card = card
        if self.mode == "learn" and self.study.is_new(card):
            self._preview()
        else:
            self._ask()

    def _where(self) -> str:
        assert self.card is not None
        text = f"{KIND_NAMES[self.card.kind]} · {(self.mode or '').title()}"
        if self.exam is not None:
            left = self.exam.remaining().total_seconds()
            done = len(self.exam.scores)
            text += (
                f" · card {done + 1} of {len(self.exam.cards)} · {int(left // 60)}:{int(left % 60):02d} left"
            )
        return text

    def _options(self, card: Card) -> list[tuple[str, str]] | None:
        if card.kind not in ("reverse", "name"):
            return None
        deck = self.deck()
        return [(m, deck.name(m)) for m in deck.choices(card).options]

    def _preview(self) -> None:
        """Learn: the answer first (the pattern, the trigger point, the muscles), to study."""
        card = self.card
        assert card is not None
        self.phase = "preview"
        deck = self.deck()
        self._views_for(card, preview=True)
        if card.muscle is not None:
            t = deck.trigger_point(card)
            if card.kind == "reverse":
                self.layer.show_pain(dict(t.essential))
            else:
                self.layer.show_pattern(dict(t.essential), dict(t.spillover))
            self.layer.show_trp(t.view, *t.point, tip=f"{deck.name(t.muscle)}, {t.name}")
        if card.kind == "zone":
            text = "Study where it refers (solid: essential zone; stippled: spillover), then draw it."
        elif card.kind == "point":
            text = "Study where the trigger point lies (✕). Then click it from memory."
        elif card.kind == "reverse":
            names = ", ".join(deck.name(m) for m in deck.choices(card).accepted)
            text = f"These muscles could cause pain here: {names}. Then pick them from memory."
        else:
            text = f"This is the pattern of {deck.name(card.muscle or '')}. Then name it from memory."
        self.panel.show_card(
            self._where() + " · new card", card.prompt, text, self._options(card), learn_preview=True
        )
        self.actions["main"].setEnabled(True)

    def _ask(self) -> None:
        card = self.card
        assert card is not None
        self.phase = "ask"
        self.layer.clear()
        deck = self.deck()
        self._views_for(card, preview=False)
        if card.kind in ("reverse", "name") and card.muscle is not None:
            essential, spillover = deck.shown(card)
            if card.kind == "reverse":
                self.layer.show_pain(essential)
            else:
                self.layer.show_pattern(essential, spillover)
        elif card.kind == "zone":
            t = deck.trigger_point(card)
            self.layer.show_trp(t.view, *t.point)  # where the asked trigger point lies: not the answer
        if card.kind == "zone" and self.chart.tool not in (Tool.BRUSH, Tool.LASSO, Tool.ERASER):
            self.choose_tool(Tool.LASSO)  # outlining a zone is exact; the brush shades wider than it
        elif card.kind == "point" and self.chart.tool is not Tool.NAVIGATE:
            self.choose_tool(Tool.NAVIGATE)
        self.panel.show_card(
            self._where(),
            card.prompt,
            INSTRUCTIONS[card.kind],
            self._options(card),
            multi=card.kind == "reverse",
            draws=card.kind == "zone",
            exam=self.exam is not None,
        )
        self.actions["main"].setEnabled(True)
        if card.kind in ("zone", "point"):
            self.chart.setFocus()
        self._clock.start()

    def _views_for(self, card: Card, preview: bool) -> None:
        """Zone and point cards show every view (which view holds the answer is part of it); a shown
        pattern's views otherwise."""
        if card.kind in ("zone", "point") and not preview:
            views = VIEWS
        elif card.muscle is not None:
            t = self.deck().trigger_point(card)
            if preview:
                seen = {t.view, *t.essential, *t.spillover}
            else:  # only what the card shows: the views of the trigger point's own would hint at it
                essential, spillover = self.deck().shown(card)
                seen = {*essential, *spillover}
            views = tuple(v for v in VIEWS if v in seen)
        else:
            self.chart.fit()
            return
        if tuple(self.scene.shown_views) != tuple(views):
            self.show_views(views)  # fits them
        else:
            self.chart.fit()  # undo the zoom of the last card's feedback
        if card.muscle is not None and preview:
            self._zoom_to(frame(self.deck().trigger_point(card)))
        elif card.muscle is not None and card.kind in ("reverse", "name"):
            rect = QRectF()
            for zones in self.deck().shown(card):
                for view, g in zones.items():
                    rect = rect.united(_scene_rect(view, g.bounds))
            c = rect.center()  # with room around it, as the deck's pictures have
            w, h = max(rect.width() + 90, 260.0), max(rect.height() + 90, 300.0)
            self._zoom_to(QRectF(c.x() - w / 2, c.y() - h / 2, w, h))

    def _zoom_to(self, rect: QRectF) -> None:
        """Zoom the fitted chart onto a scene rectangle (a shown pattern, the feedback), so a small
        zone is seen in detail; the student can zoom out (0 fits)."""
        vp = self.chart.viewport().rect()
        if rect.isEmpty() or vp.isEmpty():
            return
        want = 0.92 * min(vp.width() / rect.width(), vp.height() / rect.height())
        factor = min(MAX_ZOOM, want / self.chart.transform().m11())
        if factor > 1.05:
            self.chart.zoom_by(factor)
        self.chart.centerOn(rect.center())

    # -- answering -------------------------------------------------------------------------------

    def _drawn(self, tool: str, view: str, shape) -> None:
        if not (self.captures_chart and self.card is not None and self.card.kind == "zone"):
            return
        body = self.lookup.body
        after = self.drawing.erase(view, shape) if tool == "eraser" else self.drawing.add(body, view, shape)
        if after is self.drawing:
            return
        self._strokes.append(self.drawing)
        self.drawing = after
        self.layer.show_drawing(after.views)

    def _clicked(self, view: str, x: float, y: float) -> None:
        if not (self.captures_chart and self.card is not None and self.card.kind == "point"):
            return
        self.click = (view, x, y)  # type: ignore[assignment]
        self.layer.show_click(view, x, y)  # type: ignore[arg-type]

    def undo_stroke(self) -> None:
        if self.phase == "ask" and self._strokes:
            self.drawing = self._strokes.pop()
            self.layer.show_drawing(self.drawing.views)

    def clear_answer(self) -> None:
        if self.phase != "ask":
            return
        if not self.drawing.is_empty:
            self._strokes.append(self.drawing)
        self.drawing = PainArea()
        self.click = None
        self.layer.clear("drawing")

    def _answer(self):
        card = self.card
        assert card is not None
        if card.kind == "zone":
            return PainArea(self.drawing.views) if not self.drawing.is_empty else None
        if card.kind == "point":
            return PointAnswer(*self.click) if self.click is not None else None
        chosen = self.panel.options.chosen()
        return Choice(frozenset(chosen)) if chosen else None

    def submit(self) -> None:
        if self.phase != "ask" or self.card is None:
            return
        answer = self._answer()
        if answer is None:
            what = {"zone": "Draw the zone", "point": "Click the trigger point"}.get(
                self.card.kind, "Pick a muscle"
            )
            self.message.emit(f"{what} first, or press “I don't know”.")
            return
        self._record(answer)

    def give_up(self) -> None:
        if self.phase == "ask" and self.card is not None:
            self._record(None)

    def _record(self, answer) -> None:
        card = self.card
        assert card is not None and self.study is not None
        ms = int(self._clock.elapsed()) if self._clock.isValid() else None
        if self.exam is not None:
            self.exam.answer(card, answer, ms)
            self.previous = card
            self.next()  # no feedback until the end
            return
        outcome = self.study.answer(card, answer, self.mode or "quiz", ms)
        self.previous = card
        self.phase = "feedback"
        self._feedback(card, answer, outcome.score)

    def _feedback(self, card: Card, answer, score) -> None:
        """The answer on the chart, zoomed onto it: a drawing's hits, misses and extra area with the
        true pattern; a click's distance to the nearest trigger point; the right muscles in the list."""
        deck = self.deck()
        correct = None
        if card.kind == "zone":
            t = deck.trigger_point(card)
            drawing = answer if isinstance(answer, PainArea) else PainArea({})
            if self.study is not None:
                fb = self.study.grader.feedback(card, drawing)
                self.layer.show_feedback(fb.hit, fb.missed, fb.extra, dict(t.essential), dict(t.spillover))
            rect = frame(t)
            for view, g in self.drawing.views.items():
                rect = rect.united(_scene_rect(view, g.bounds))
            self.layer.clear("drawing")
            self.layer.show_trp(t.view, *t.point)
            self._zoom_to(rect)
        elif card.kind == "point":
            trps = deck.muscle_trps(card)
            asked = deck.trigger_point(card)
            for o in trps:  # the asked one in red, the muscle's others in grey (the nearest counts)
                colour = PATTERN if o == asked else OTHER_TRP
                self.layer.show_trp(o.view, *o.point, tip=o.name, color=colour)
            rect = QRectF()
            for o in trps:
                rect = rect.united(_scene_rect(o.view, (*o.point, *o.point)))
            wanted = {o.view for o in trps}
            if isinstance(answer, PointAnswer):
                wanted.add(answer.view)
                a = (answer.x, answer.y)
                rect = rect.united(_scene_rect(answer.view, (*a, *a)))
                here = [o for o in trps if o.view == answer.view]
                if here:
                    near = min(here, key=lambda o: (o.point[0] - a[0]) ** 2 + (o.point[1] - a[1]) ** 2)
                    cm = score.details.get("distance_cm")
                    self.layer.show_distance(answer.view, a, near.point, cm_text(float(cm or 0.0)))
            views = tuple(v for v in VIEWS if v in wanted)
            if tuple(self.scene.shown_views) != views:
                self.show_views(views)
            self._zoom_to(rect.adjusted(-POINT_MARGIN, -POINT_MARGIN, POINT_MARGIN, POINT_MARGIN))
        else:
            correct = set(deck.choices(card).accepted)
            if card.kind == "name" and card.muscle is not None:
                t = deck.trigger_point(card)
                self.layer.show_trp(t.view, *t.point, tip=deck.name(t.muscle))
        self.panel.show_feedback(score, feedback_legend(card.kind), correct)
        # The focus stays where the answer was given (the chart: its view keys and zoom work on the
        # feedback; the list): Enter there goes on to the next card.

    def _press_main(self) -> None:
        if self.phase in ("preview", "ask", "feedback"):
            self.panel.press_main()

    # -- exams -----------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.exam is None or self.card is None:
            return
        if self.exam.remaining().total_seconds() <= 0:
            self.finish_exam()
        else:
            self.panel.set_where(self._where())

    def finish_exam(self) -> None:
        if self.exam is None:
            return
        self._exam_timer.stop()
        results = self.exam.finish()
        self.exam = None
        self._clear_card()
        self.phase = "results"
        o = results.overall
        title = f"Exam: {o.passed} of {o.asked} passed, mean score {o.mean * 100:.0f} %" + (
            f" ({o.asked - o.answered} unanswered)" if o.answered < o.asked else ""
        )
        self.panel.show_results(title, results, AREAS)
        self.actions["main"].setEnabled(False)
        self.chart.fit()  # not left zoomed onto the last card

    # -- ending, spoilers ------------------------------------------------------------------------

    def _clear_card(self) -> None:
        self.card = None
        self.layer.clear("shown", "drawing", "feedback", "marks")
        self.drawing = PainArea()
        self._strokes = []
        self.click = None

    def learn_more(self) -> None:
        """Past the day's limit of new cards, on the student's request (this session only)."""
        if self.study is not None:
            self.study.new_per_day += MORE_NEW
            self.start("learn")

    def stop(self, message: str = "", offer_more: bool = False) -> None:
        if self.exam is not None:
            self.finish_exam()
        self._exam_timer.stop()
        self._clear_card()
        self.phase = "idle"
        self.mode = None
        self.actions["main"].setEnabled(False)
        self.actions["stop"].setEnabled(False)
        self._show_spoilers()
        self._home(message, offer_more)
        if self.panel.heat.isChecked():
            self._heat(True)

    def _hide_spoilers(self) -> None:
        if self._views_before is None:
            self._views_before = tuple(self.scene.shown_views)
            self._hidden_layers = [n for n in SPOILER_LAYERS if self.scene.layer_visible(n)]
            for name in self._hidden_layers:
                self.scene.set_layer_visible(name, False)
            self._hidden_widgets = [w for w in self.spoilers if w.isVisibleTo(self.window)]  # or a tab behind
            for w in self._hidden_widgets:
                w.hide()
            self.layer.clear("heat")  # muscle outlines would show where the trigger points lie
            self.actions["stop"].setEnabled(True)
            self.activeChanged.emit(True)

    def _show_spoilers(self) -> None:
        if self._views_before is None:
            return
        for name in self._hidden_layers:
            self.scene.set_layer_visible(name, True)
        for w in self._hidden_widgets:
            w.show()
        views, self._views_before = self._views_before, None
        self._hidden_layers, self._hidden_widgets = [], []
        if tuple(self.scene.shown_views) != views:
            self.show_views(views)
        self.activeChanged.emit(False)

    # -- keys on the chart and the panel while a card is open -------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self.phase in ("idle", "results") or not isinstance(event, QKeyEvent):
            return False
        key, mods = event.key(), event.modifiers()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            mods & Qt.KeyboardModifier.ControlModifier
        )
        undo = event.matches(QKeySequence.StandardKey.Undo)
        if event.type() == QEvent.Type.ShortcutOverride and (enter or undo):
            event.accept()  # ours while a card is open: not the window's undo of a hidden panel
            return True
        if event.type() == QEvent.Type.KeyPress:
            if enter:
                self._press_main()
                return True
            if undo:
                self.undo_stroke()
                return True
        return False

    # -- progress --------------------------------------------------------------------------------

    def show_progress(self) -> None:
        self.dock.show()
        self.dock.raise_()
        if self.store() is None or self._store is None:
            return
        assert self.study is not None
        p = progress(self.deck(), self._store, self.study.today_end(), self.study.today_start())
        self.panel.show_progress(p, AREAS)
        self.panel.tabs.setCurrentIndex(1)
        self._progress = p
        if self.panel.heat.isChecked():
            self._heat(True)

    def _heat(self, on: bool) -> None:
        if not on or self.active:
            self.layer.clear("heat")
            return
        if self.store() is None or self._store is None or self.study is None:
            return
        p = progress(self.deck(), self._store, self.study.today_end())
        shapes = []
        for m in p.muscles:
            if m.retrievability is None:
                continue
            for view, g in self.atlas.muscles[m.muscle].outlines[m.side].items():
                shapes.append((view, g, m.retrievability, m.name))
        self.layer.show_heat(shapes)

    # -- export ----------------------------------------------------------------------------------

    def export(self, fmt: str) -> None:
        """The whole atlas as an Anki deck or printable flashcards, with progress and Cancel."""
        suffix = {"apkg": "Anki deck (*.apkg)", "pdf": "PDF (*.pdf)"}[fmt]
        name, _ = QFileDialog.getSaveFileName(self.window, "Export study cards", f"bodymap.{fmt}", suffix)
        if not name:
            return
        out = Path(name)
        if out.suffix.lower() != f".{fmt}":
            out = out.with_suffix(f".{fmt}")
        from .flashcards import write_flashcards
        from .images import Pictures

        trps = [t for side in ("right", "left") for t in self.atlas.trigger_points(side)]
        dialog = QProgressDialog("Drawing the cards…", "Cancel", 0, len(trps), self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)

        class Cancelled(Exception):
            pass

        def step(done: int, total: int) -> None:
            dialog.setValue(done)
            if dialog.wasCanceled():
                raise Cancelled

        pictures = Pictures(self.lookup.body)
        try:
            if fmt == "apkg":
                from bodymap.core.study.deck import write_apkg

                write_apkg(self.atlas, trps, pictures.render, out, step)
            else:
                write_flashcards(self.atlas, pictures, trps, out, step)
        except Cancelled:
            self.message.emit("Export cancelled; nothing was written.")
            return
        except OSError as exc:
            QMessageBox.warning(self.window, "Export study cards", f"Could not write {out}: {exc}")
            return
        finally:
            dialog.close()
        self.message.emit(f"Wrote {len(trps)} cards to {out}")
