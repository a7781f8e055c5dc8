"""The study panel: choose Learn, Quiz or Exam; read the card; answer; see the score and why; see
progress. Widgets only: StudyMode (mode.py) runs the session and says what to show."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.study import KIND_NAMES, ExamResults, Progress, Score

from .layer import EXTRA, HEAT_FLOOR, HIT, MISSED, PATTERN, heat_colour

MORE_NEW = 10  # new cards a click on "Learn more" adds to today's limit
MODE_NAMES = {"learn": "Learn", "quiz": "Quiz", "exam": "Exam"}
MODE_TIPS = {
    "learn": "New cards: see the pattern, then recall it",
    "quiz": "Cards due today, with the answer after each",
    "exam": "A timed mixed set; results at the end",
}


def _swatch(color: QColor, text: str, pattern: str = "") -> str:
    return f'<span style="background:{color.name()};color:{color.name()}">▇▇</span> {text}' + (
        f" <i>{pattern}</i>" if pattern else ""
    )


class Options(QListWidget):
    """The muscles to choose from: click or keys 1-9 tick them (one for a name card, any for reverse).
    The digits are the list's own: the view switch's keys act only on the chart (ui/shortcuts.py)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.multi = True
        self.locked = False  # after the answer: the marks show, nothing toggles
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.itemClicked.connect(self._toggle)

    def set_options(self, options: list[tuple[str, str]], multi: bool) -> None:
        self.clear()
        self.multi, self.locked = multi, False
        for i, (mid, name) in enumerate(options):
            item = QListWidgetItem(f"{i + 1}  {name}" if i < 9 else f"    {name}")
            item.setData(Qt.ItemDataRole.UserRole, mid)
            # Not ItemIsUserCheckable: Qt would toggle a click on the box itself and then _toggle would
            # toggle it back; every click (box or name) goes through _toggle.
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)

    def _toggle(self, item: QListWidgetItem) -> None:
        if self.locked:
            return
        on = item.checkState() != Qt.CheckState.Checked
        if on and not self.multi:
            for i in range(self.count()):
                self.item(i).setCheckState(Qt.CheckState.Unchecked)
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def chosen(self) -> set[str]:
        return {
            self.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.count())
            if self.item(i).checkState() == Qt.CheckState.Checked
        }

    def mark(self, correct: set[str]) -> None:
        """After the answer: ✓ right picks, ✗ wrong picks, 'missed' for right muscles not picked."""
        picked = self.chosen()
        self.locked = True
        for i in range(self.count()):
            item = self.item(i)
            mid = item.data(Qt.ItemDataRole.UserRole)
            name = item.text().split("  ", 1)[-1].strip()
            item.setData(Qt.ItemDataRole.CheckStateRole, None)  # the marks say it now
            font = item.font()
            if mid in correct and mid in picked:
                item.setText(f"✓  {name}")
                item.setForeground(HIT.darker(130))
                font.setBold(True)
            elif mid in picked:
                item.setText(f"✗  {name}")
                item.setForeground(MISSED)
            elif mid in correct:
                item.setText(f"○  {name}  — missed")
                item.setForeground(MISSED.darker(110))
                font.setBold(True)
            else:
                item.setText(f"    {name}")
                item.setForeground(QColor("#777777"))
            item.setFont(font)

    def _digit(self, e: QKeyEvent) -> int | None:
        if e.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return None
        key = e.key()
        return key - Qt.Key.Key_1 if Qt.Key.Key_1 <= key <= Qt.Key.Key_9 else None

    def keyPressEvent(self, e: QKeyEvent) -> None:
        n = self._digit(e)
        if n is not None and n < self.count():
            self._toggle(self.item(n))
            return
        if e.key() == Qt.Key.Key_Space and self.currentItem() is not None:
            self._toggle(self.currentItem())
            return
        super().keyPressEvent(e)


class StudyPanel(QWidget):
    modeChosen = Signal(str)  # "learn" | "quiz" | "exam"
    recall = Signal()  # Learn: the pattern was seen; ask for it
    submitted = Signal()
    gaveUp = Signal()  # "I don't know": a failed answer, then the answer is shown
    nextCard = Signal()
    stopped = Signal()
    undoStroke = Signal()
    clearDrawing = Signal()
    finishExam = Signal()
    heatToggled = Signal(bool)
    progressRequested = Signal()
    brushChanged = Signal(float)  # radius in body units
    moreNew = Signal()  # the student asks for more new cards than the day's limit

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.pages = QStackedWidget()
        self.tabs.addTab(self.pages, "Study")
        self.tabs.addTab(self._progress_page(), "Progress")
        self.tabs.currentChanged.connect(lambda i: i == 1 and self.progressRequested.emit())
        # In a scroll area: the panel never holds the window bigger than a small screen (800 x 600).
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )  # lists scroll, not the panel
        scroll.setWidget(self.tabs)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(scroll)
        self.home = self._home_page()
        self.card = self._card_page()
        self.results = self._results_page()
        for page in (self.home, self.card, self.results):
            self.pages.addWidget(page)

    # -- pages -----------------------------------------------------------------------------------

    def _home_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        intro = QLabel(
            "<b>Study trigger points on the body.</b> Draw where a trigger point refers, click where it "
            "lies, reason back from a patient's pain to the muscles, name a muscle from its pattern. "
            "Each answer is scored on the chart and comes back when you are about to forget it."
        )
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.mode_buttons: dict[str, QPushButton] = {}
        for mode in ("learn", "quiz", "exam"):
            b = QPushButton(MODE_NAMES[mode])
            b.setToolTip(MODE_TIPS[mode])
            b.setMinimumHeight(34)
            b.clicked.connect(lambda _=False, m=mode: self.modeChosen.emit(m))
            self.mode_buttons[mode] = b
            row = QHBoxLayout()
            row.addWidget(b, 1)
            tip = QLabel(MODE_TIPS[mode])
            tip.setWordWrap(True)
            row.addWidget(tip, 2)
            lay.addLayout(row)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.summary)
        self.home_message = QLabel("")
        self.home_message.setWordWrap(True)
        self.home_message.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.home_message)
        self.more = QPushButton(f"Learn {MORE_NEW} more new cards today")
        self.more.setToolTip("Past the daily limit: more new cards mean more reviews in the coming days")
        self.more.clicked.connect(self.moreNew.emit)
        self.more.hide()
        lay.addWidget(self.more)
        lay.addStretch(1)
        return page

    def _card_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        top = QHBoxLayout()
        self.where = QLabel("")  # mode · kind · exam clock
        self.where.setTextFormat(Qt.TextFormat.PlainText)
        self.stop = QPushButton("Stop")
        self.stop.setToolTip("Stop studying (answers so far are kept)")
        self.stop.clicked.connect(self.stopped.emit)
        top.addWidget(self.where, 1)
        top.addWidget(self.stop)
        lay.addLayout(top)
        self.prompt = QLabel("")
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.prompt.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.prompt.setFont(font)
        lay.addWidget(self.prompt)
        self.instruction = QLabel("")
        self.instruction.setWordWrap(True)
        self.instruction.setTextFormat(Qt.TextFormat.PlainText)
        pal = self.instruction.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor("#555555"))
        self.instruction.setPalette(pal)
        lay.addWidget(self.instruction)
        self.options = Options()
        lay.addWidget(self.options, 1)
        self.score_bar = QProgressBar()
        self.score_bar.setRange(0, 100)
        self.score_bar.setFormat("%p %")
        lay.addWidget(self.score_bar)
        self.verdict = QLabel("")
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        vfont = QFont(self.verdict.font())
        vfont.setBold(True)
        vfont.setPointSizeF(vfont.pointSizeF() * 1.15)
        self.verdict.setFont(vfont)
        lay.addWidget(self.verdict)
        self.reason = QLabel("")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.reason)
        self.legend = QLabel("")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.legend)
        self.spacer = QWidget()
        lay.addWidget(self.spacer, 1)
        tools = QHBoxLayout()
        self.undo_stroke = QPushButton("Undo stroke")
        self.undo_stroke.setToolTip("Take back the last stroke (Ctrl+Z)")
        self.undo_stroke.clicked.connect(self.undoStroke.emit)
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Clear your drawing or click")
        self.clear.clicked.connect(self.clearDrawing.emit)
        self.brush_label = QLabel("Brush")
        self.brush = QSlider(Qt.Orientation.Horizontal)
        self.brush.setRange(4, 40)  # thousandths of stature, as the lookup's: about 0.7 to 7 cm
        self.brush.setValue(12)
        self.brush.setToolTip("Brush size (zoom in with the wheel for fine zones)")
        self.brush.valueChanged.connect(lambda v: self.brushChanged.emit(v / 1000.0))
        tools.addWidget(self.undo_stroke)
        tools.addWidget(self.clear)
        tools.addWidget(self.brush_label)
        tools.addWidget(self.brush, 1)
        lay.addLayout(tools)
        buttons = QHBoxLayout()
        self.give_up = QPushButton("I don't know")
        self.give_up.setToolTip("Counts as forgotten, then shows the answer")
        self.give_up.clicked.connect(self.gaveUp.emit)
        self.main = QPushButton("Submit")
        self.main.setDefault(True)
        self.main.setMinimumHeight(34)
        self.main.clicked.connect(self._main_clicked)
        self.finish = QPushButton("Finish exam")
        self.finish.clicked.connect(self.finishExam.emit)
        buttons.addWidget(self.give_up)
        buttons.addWidget(self.finish)
        buttons.addStretch(1)
        buttons.addWidget(self.main, 2)
        lay.addLayout(buttons)
        self._main_action = "submit"
        return page

    def _results_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.results_title = QLabel("")
        self.results_title.setWordWrap(True)
        self.results_title.setTextFormat(Qt.TextFormat.PlainText)
        f = QFont(self.results_title.font())
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.2)
        self.results_title.setFont(f)
        lay.addWidget(self.results_title)
        self.results_table = QTreeWidget()
        self.results_table.setHeaderLabels(["", "Cards", "Passed", "Mean score"])
        self.results_table.setRootIsDecorated(True)
        self.results_table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.results_table, 1)
        done = QPushButton("Done")
        done.clicked.connect(self.stopped.emit)
        lay.addWidget(done)
        return page

    def _progress_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.progress_summary = QLabel("")
        self.progress_summary.setWordWrap(True)
        self.progress_summary.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.progress_summary)
        self.heat = QCheckBox("Show on the chart")  # short: a checkbox does not wrap (the panel's width)
        self.heat.setToolTip("How likely you are to remember each muscle today")
        self.heat.toggled.connect(self.heatToggled.emit)
        lay.addWidget(self.heat)
        legend = QLabel(
            " ".join(
                _swatch(heat_colour(r), t)
                for r, t in ((HEAT_FLOOR, f"{HEAT_FLOOR:.0%} or less"), (0.85, "85 %"), (1.0, "100 %"))
            )
            + ": how likely you are to remember each muscle today (muscles not studied yet are not coloured)"
        )
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setWordWrap(True)
        lay.addWidget(legend)
        self.progress_table = QTreeWidget()
        self.progress_table.setHeaderLabels(["Weakest first", "Today", "Cards", "Due"])
        self.progress_table.headerItem().setToolTip(1, "How likely you are to remember it by tonight (FSRS)")
        self.progress_table.headerItem().setToolTip(2, "Cards answered of all its cards")
        self.progress_table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.progress_table, 1)
        return page

    # -- what StudyMode shows --------------------------------------------------------------------

    def show_home(self, summary: str, message: str = "", offer_more: bool = False) -> None:
        self.summary.setText(summary)
        self.home_message.setText(message)
        self.more.setVisible(offer_more)
        self.pages.setCurrentWidget(self.home)

    def show_card(
        self,
        where: str,
        prompt: str,
        instruction: str,
        options: list[tuple[str, str]] | None = None,
        multi: bool = True,
        draws: bool = False,
        learn_preview: bool = False,
        exam: bool = False,
    ) -> None:
        """A card: its prompt and how to answer (or, in Learn, the pattern to study first)."""
        self.pages.setCurrentWidget(self.card)
        self.tabs.setCurrentIndex(0)
        self.where.setText(where)
        self.prompt.setText(prompt)
        self.instruction.setText(instruction)
        self.options.setVisible(options is not None)
        self.spacer.setVisible(options is None)
        if options is not None:
            self.options.set_options(options, multi)
            self.options.setEnabled(not learn_preview)
        for w in (self.score_bar, self.verdict, self.reason, self.legend):
            w.setVisible(False)
        self.undo_stroke.setVisible(draws and not learn_preview)
        self.brush.setVisible(draws and not learn_preview)
        self.brush_label.setVisible(draws and not learn_preview)
        self.clear.setVisible(not learn_preview and options is None)
        self.give_up.setVisible(not learn_preview)
        self.finish.setVisible(exam)
        self._set_main("recall" if learn_preview else "submit")
        if options is not None and not learn_preview:
            self.options.setFocus()

    def show_feedback(self, score: Score, legend: str = "", correct: set[str] | None = None) -> None:
        self.score_bar.setVisible(True)
        self.score_bar.setValue(round(score.score * 100))
        colour = HIT if score.passed else MISSED
        self.score_bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour.name()}; }}")
        self.verdict.setVisible(True)
        self.verdict.setText("Excellent" if score.excellent else "Passed" if score.passed else "Not yet")
        pal = self.verdict.palette()
        pal.setColor(QPalette.ColorRole.WindowText, colour.darker(120))
        self.verdict.setPalette(pal)
        self.reason.setVisible(True)
        self.reason.setText(score.reason[:1].upper() + score.reason[1:])
        self.legend.setVisible(bool(legend))
        self.legend.setText(legend)
        if correct is not None:
            self.options.mark(correct)
        for w in (self.undo_stroke, self.clear, self.give_up, self.brush, self.brush_label):
            w.setVisible(False)
        self._set_main("next")

    def _set_main(self, action: str) -> None:
        self._main_action = action
        self.main.setText({"submit": "Submit", "next": "Next card", "recall": "I've got it: ask me"}[action])
        self.main.setToolTip("Enter (Ctrl+Enter from anywhere)")

    def press_main(self) -> None:
        self._main_clicked()

    @property
    def main_action(self) -> str:
        return self._main_action

    def _main_clicked(self) -> None:
        {"submit": self.submitted, "next": self.nextCard, "recall": self.recall}[self._main_action].emit()

    def set_where(self, text: str) -> None:
        self.where.setText(text)

    def show_results(self, title: str, results: ExamResults, area_names: dict[str, str]) -> None:
        self.pages.setCurrentWidget(self.results)
        self.results_title.setText(title)
        t = self.results_table
        t.clear()

        def row(parent, name: str, tally) -> QTreeWidgetItem:
            item = QTreeWidgetItem(
                parent,
                [name, str(tally.asked), f"{tally.passed} of {tally.answered}", f"{tally.mean * 100:.0f} %"],
            )
            item.setForeground(3, HIT.darker(130) if tally.mean >= 0.5 else MISSED)
            item.setToolTip(0, name)  # the whole name, when the narrow panel cuts it short
            return item

        by_area = QTreeWidgetItem(t, ["By body area"])
        for area, tally in results.by_area.items():
            row(by_area, area_names.get(area, area), tally)
        by_kind = QTreeWidgetItem(t, ["By card kind"])
        for kind, tally in results.by_kind.items():
            row(by_kind, KIND_NAMES.get(kind, kind), tally)  # type: ignore[call-overload]
        cards = QTreeWidgetItem(t, ["Each card"])
        for card, score in results.items:
            text = card.prompt if score is None else f"{card.prompt}\n{score.reason}"
            item = QTreeWidgetItem(cards, [text, "", "✓" if score and score.passed else "✗", ""])
            item.setText(3, "unanswered" if score is None else f"{score.score * 100:.0f} %")
            item.setToolTip(0, text)
        t.expandItem(by_area)
        t.expandItem(by_kind)
        for col in (1, 2, 3):
            t.resizeColumnToContents(col)

    def show_progress(self, progress: Progress, area_names: dict[str, str]) -> None:
        p = progress
        self.progress_summary.setText(
            f"{p.answered} of {p.total} cards answered; {p.due} due now; {p.reviews_today} answers today."
        )
        t = self.progress_table
        t.clear()
        weak = QTreeWidgetItem(t, ["Weakest muscles"])
        for m in p.weakest(15):
            r = m.retrievability or 0.0
            item = QTreeWidgetItem(
                weak,
                [
                    f"{m.name} ({m.side[0].upper()})",
                    f"{r * 100:.0f} %",
                    f"{m.answered} of {m.total}",
                    str(m.due),
                ],
            )
            item.setToolTip(0, f"{m.name}, the patient's {m.side}")
            item.setForeground(1, heat_colour(r).darker(140))
        areas = QTreeWidgetItem(t, ["Body areas"])
        for a in sorted(p.areas, key=lambda a: (a.retrievability is None, a.retrievability or 0.0)):
            r = a.retrievability
            QTreeWidgetItem(
                areas,
                [
                    area_names.get(a.area, a.area),
                    "not studied" if r is None else f"{r * 100:.0f} %",
                    f"{a.answered} of {a.total}",
                    str(a.due),
                ],
            )
        t.expandAll()
        for col in (1, 2, 3):
            t.resizeColumnToContents(col)


def feedback_legend(kind: str) -> str:
    """What the colours on the chart mean after an answer."""
    if kind == "zone":
        return (
            _swatch(HIT, "drawn in the essential zone")
            + "<br>"
            + _swatch(MISSED, "essential zone missed", "cross-hatched")
            + "<br>"
            + _swatch(EXTRA, "drawn outside the pattern", "dotted")
            + "<br>black outline: the true pattern (solid essential, dotted spillover); "
            + "drawing in the spillover zone neither helps nor hurts"
        )
    if kind == "point":
        return (
            "blue dot: your click; red ✕ the trigger point asked, grey ✕ the muscle's others (the nearest "
            "counts); the dashed line: to the nearest"
        )
    return _swatch(PATTERN, "the pattern") if kind == "name" else ""
