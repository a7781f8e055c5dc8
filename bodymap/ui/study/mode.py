"""Study mode in the window: one object that adds the Study panel and menu, runs Learn / Quiz / Exam on
the chart, and hides whatever would give an answer away while a card is open. What a card shows on
the chart is on_chart.py's, what is hidden meanwhile spoilers.py's, the exported decks exports.py's.

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

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from bodymap.core.atlas import AREAS, Atlas
from bodymap.core.chart.frame import View
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

from ..chart.tools import Tool
from .exports import export_cards
from .layer import StudyLayer
from .on_chart import CardOnChart
from .panel import MORE_NEW, StudyPanel, feedback_legend
from .spoilers import Spoilers

if TYPE_CHECKING:
    from bodymap.core.lookup import Lookup

    from ..chart.view import ChartView

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
        self.location = location
        self.choose_tool = choose_tool or chart.set_tool
        self.show_views = show_views or chart.show_views
        self.layer = StudyLayer(self.scene)
        self.on_chart = CardOnChart(chart, self.layer, self.deck, self.show_views)
        self.spoilers = Spoilers(self.scene, window, spoilers, self.show_views)
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
            if checkable:
                act.toggled.connect(slot)
            else:  # not slot(checked): Stop studying took `False` for the message to show
                act.triggered.connect(lambda _checked=False: slot())
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
        self.on_chart.preview(card)
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
        self.on_chart.ask(card)
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
        """The answer on the chart (on_chart.py), the score and its reason in the panel, the right
        muscles ticked in its list."""
        correct = self.on_chart.feedback(card, answer, score, self.study, self.drawing)
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
        if self.spoilers.hide():
            self.layer.clear("heat")  # muscle outlines would show where the trigger points lie
            self.actions["stop"].setEnabled(True)
            self.activeChanged.emit(True)

    def _show_spoilers(self) -> None:
        if self.spoilers.show():
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

    def export(self, fmt: str) -> Path | None:
        """The whole atlas as an Anki deck or printable flashcards, with progress and Cancel."""
        return export_cards(self.window, self.atlas, self.lookup.body, fmt, self.message.emit)
