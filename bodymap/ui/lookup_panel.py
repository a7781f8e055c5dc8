"""Where does it hurt? Point or shade on the chart; the panel ranks the muscles whose trigger points
may cause it, with the reason for each, and the smallest set that explains most of the drawing.

What it ranks is said at its top and chosen there: the open visit's pain drawing (the brush, lasso and
eraser then draw on the patient's record), or a drawing of its own that is not recorded (when no visit
is open, always that one). Its own drawing belongs to the patient on screen: another patient, another
drawing, and each change is a step of that patient's undo history."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoGroup
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.lookup import Candidate, Lookup, LookupInputError
from bodymap.core.pain import PainArea
from bodymap.core.records.metrics import pain_extent

from .chart.pain_layer import PainLayer
from .text import PlainLabel, compact

RESIZE_STEP = 0.004  # grow / shrink by about 7 mm
UNEXPLAINED_MIN_AREA = 2e-6  # about 0.6 cm² on a 170 cm adult
OWN, VISIT = "own", "visit"  # what the lookup ranks: its own drawing, or the open visit's


class ChangePain(QUndoCommand):
    """One change to the lookup's own drawing (a stroke, an erase, grow, shrink, clear)."""

    def __init__(self, panel: LookupPanel, before: PainArea, after: PainArea, text: str):
        super().__init__(text)
        self.panel, self.before, self.after = panel, before, after

    def redo(self) -> None:
        self.panel.set_pain(self.after)

    def undo(self) -> None:
        self.panel.set_pain(self.before)


class LookupPanel(QWidget):
    candidateChosen = Signal(object)  # Candidate | None
    message = Signal(str)
    sourceChanged = Signal(str)  # OWN or VISIT: where the drawing tools draw

    def __init__(self, lookup: Lookup, pain_layer: PainLayer, undo: QUndoGroup, parent=None):
        super().__init__(parent)
        self.lookup, self.layer, self.undo = lookup, pain_layer, undo
        self.pain = PainArea()  # its own drawing, of the patient on screen
        self._own: dict[object, PainArea] = {}  # the other patients' own drawings, kept for their return
        self._context: object = None
        self.point: tuple[str, float, float] | None = None
        self.candidates: list[Candidate] = []
        self._visit: Callable[[], tuple[str, dict] | None] | None = None  # the open visit's drawing
        self._prefer_own = False  # the user chose the lookup's own drawing while a visit was open
        self._stale = False  # something changed while the panel was hidden: rank when it shows

        self.source = compact(QComboBox(), 16)
        self.source.setToolTip("What is ranked, and what the brush, lasso and eraser draw on")
        self.condition = compact(QComboBox())
        self.condition.addItem("Any condition", None)
        for c in sorted(lookup.atlas.conditions.values(), key=lambda c: c.name):
            self.condition.addItem(c.name, c.id)
        self.size = QSlider(Qt.Orientation.Horizontal)
        self.size.setRange(4, 40)
        self.size.setValue(12)
        self.size.setToolTip("Brush size")
        self.grow = QPushButton("Grow")
        self.shrink = QPushButton("Shrink")
        self.clear = QPushButton("Clear")
        self.grow.setToolTip("Grow the drawing by about 7 mm")
        self.shrink.setToolTip("Shrink the drawing by about 7 mm")
        self.summary = PlainLabel("Click a point or shade an area on the chart.", wrap=True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["#", "Candidate: muscle, side, trigger point, why", "Score"])
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.setUniformRowHeights(False)
        self.table.header().setStretchLastSection(False)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.combined = PlainLabel(wrap=True)

        form = QFormLayout()
        form.addRow("Rank", self.source)
        form.addRow("Condition", self.condition)
        form.addRow("Brush size", self.size)
        buttons = QHBoxLayout()
        for b in (self.grow, self.shrink, self.clear):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addWidget(QLabel("<b>Together</b> (fewest muscles that explain most of the drawing):"))
        lay.addWidget(self.combined)

        self.source.currentIndexChanged.connect(self._source_changed)
        self.condition.currentIndexChanged.connect(self.refresh)
        self.grow.clicked.connect(lambda: self.resize_pain(RESIZE_STEP))
        self.shrink.clicked.connect(lambda: self.resize_pain(-RESIZE_STEP))
        self.clear.clicked.connect(self.clear_pain)
        self.clear.setShortcut(QKeySequence("Ctrl+Backspace"))
        self.table.currentItemChanged.connect(self._chosen)
        self._fill_sources(None)

    # -- what is ranked ------------------------------------------------------------------------------

    def follow_visit(self, visit: Callable[[], tuple[str, dict] | None]) -> None:
        """Rank the open visit's drawing when there is one: `visit()` gives its label and areas, or None."""
        self._visit = visit
        self.visit_changed()

    def visit_changed(self) -> None:
        """The open visit, or its drawing, changed: rank it again if it is what is ranked."""
        current = self._visit() if self._visit is not None else None
        self._fill_sources(current[0] if current else None)
        self.refresh()

    def _fill_sources(self, visit_label: str | None) -> None:
        self.source.blockSignals(True)
        self.source.clear()
        if visit_label is not None:
            self.source.addItem(f"The pain drawing of {visit_label}", VISIT)
        self.source.addItem("A drawing of its own (not recorded)", OWN)
        # An open visit is what the therapist looks at: rank it, unless they chose the lookup's own.
        self.source.setCurrentIndex(self.source.findData(OWN) if self._prefer_own else 0)
        self.source.blockSignals(False)
        self._show_source()

    def _source_changed(self, _index: int) -> None:
        self._prefer_own = self.ranks() == OWN and self.source.count() > 1
        self._show_source()
        self.refresh()

    def _show_source(self) -> None:
        own = self.ranks() == OWN
        for b in (self.grow, self.shrink, self.clear):
            b.setEnabled(own)
            b.setToolTip(b.toolTip().split(" (")[0] + ("" if own else " (of its own drawing only)"))
        self.layer.set_pain(self.pain.views if own else {})
        self.sourceChanged.emit(self.ranks())

    def ranks(self) -> str:
        """OWN or VISIT: what the lookup ranks, and what the drawing tools draw on."""
        return self.source.currentData() or OWN

    def set_context(self, key: object) -> None:
        """Another patient is on screen: keep this one's own drawing, show theirs."""
        if key == self._context:
            return
        self._own[self._context] = self.pain
        self._context = key
        self.point = None
        self.set_pain(self._own.pop(key, PainArea()))

    # -- input from the chart --------------------------------------------------------------------

    def brush_radius(self) -> float:
        return self.size.value() / 1000.0

    def _push(self, before: PainArea, after: PainArea, text: str) -> None:
        stack = self.undo.activeStack()
        if stack is None:  # no history to put it on (a bare panel): just do it
            self.set_pain(after)
        else:
            stack.push(ChangePain(self, before, after, text))

    def apply_gesture(self, tool: str, view: str, shape) -> None:
        body = self.lookup.body
        after = self.pain.erase(view, shape) if tool == "eraser" else self.pain.add(body, view, shape)
        if after is self.pain:
            return
        text = {"brush": "Brush pain area", "lasso": "Lasso pain area", "eraser": "Erase pain area"}[tool]
        self._push(self.pain, after, text)

    def resize_pain(self, distance: float) -> None:
        if self.pain.is_empty:
            return
        after = self.pain.resized(self.lookup.body, distance)
        self._push(self.pain, after, "Grow pain area" if distance > 0 else "Shrink pain area")

    def clear_pain(self) -> None:
        if self.pain.is_empty and self.point is None:
            return
        self.point = None
        self._push(self.pain, PainArea(), "Clear pain area")

    def set_point(self, view: str, x: float, y: float) -> None:
        """A pointed-at spot: ranked when nothing is drawn."""
        self.point = (view, x, y)
        self.refresh()

    def set_pain(self, pain: PainArea) -> None:
        self.pain = pain
        if not pain.is_empty:
            self.point = None
        self._show_source()
        self.refresh()

    def ranked_pain(self) -> tuple[dict, bool] | None:
        """What is ranked now: (pain per view, whether it is a point), or None."""
        if self.ranks() == VISIT and self._visit is not None:
            current = self._visit()
            if current is not None and current[1]:
                return current[1], False
        elif not self.pain.is_empty:
            return self.pain, False
        if self.point is not None:
            return self.lookup.point_pain(*self.point), True
        return None

    # -- ranking ---------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Rank again; while the panel is hidden (a tab behind the patient's), once it is shown: each
        stroke on a visit's drawing costs nothing more than the stroke."""
        if not self.isVisible():
            self._stale = True
            self.layer.set_unexplained({})
            return
        self._stale = False
        condition = self.condition.currentData()
        self.table.clear()
        self.candidates = []
        self.layer.set_unexplained({})
        self.combined.setText("")
        try:
            found = self.ranked_pain()
            if found is None:
                if condition:
                    for row in self.lookup.for_condition(condition):
                        QTreeWidgetItem(self.table, [str(row["rank"]), f"{row['name']}\n{row['reason']}", ""])
                    self.summary.setText("Commonly involved muscles; shade the pain to rank them.")
                else:
                    self.summary.setText("Click a point (Point tool, P) or shade an area on the chart.")
                return
            pain, point = found
            result = self.lookup.rank(pain, limit=25, condition=condition, point=point)
        except LookupInputError as exc:
            self.summary.setText(str(exc))
            self.message.emit(str(exc))
            return
        self.candidates = list(result.candidates)
        for c in self.candidates:
            trp, reason = textwrap.shorten(c.trp.name, 48), textwrap.fill(c.reason, 48)
            text = f"{c.muscle_name} ({c.side})\n{trp}\n{reason}"
            item = QTreeWidgetItem(self.table, [str(c.rank), text, f"{c.score:.2f}"])
            font = item.font(1)
            for col in range(3):
                item.setToolTip(col, f"{c.muscle_name}, {c.trp.name} ({c.side}): {c.reason}")
            item.setData(0, Qt.ItemDataRole.UserRole, c.rank - 1)
            font.setBold(c.rank == 1)
            item.setFont(1, font)
        for col in (0, 2):
            self.table.resizeColumnToContents(col)
        if point:
            self.summary.setText(f"{len(self.candidates)} candidates for the point.")
            return
        rest, share = self.lookup.unexplained_share(result)
        # Hairline slivers along zone edges are not worth highlighting.
        self.layer.set_unexplained({v: g for v, g in rest.items() if g.area > UNEXPLAINED_MIN_AREA})
        chart = pain_extent(pain).chart_share  # the one definition of "% of the chart" (metrics.py)
        left = (
            f"{share * 100:.0f} % of it is explained by none of them (yellow)"
            if share >= 0.005
            else "all of it is explained by them"
        )
        self.summary.setText(
            f"{len(self.candidates)} candidates. The drawing covers {chart * 100:.1f} % of the chart; {left}."
        )
        combo = self.lookup.combined(pain, condition=condition)
        self.combined.setText(
            " + ".join(f"{c.muscle_name} ({c.trp.side}) +{c.adds * 100:.0f} %" for c in combo)
            + (f" = {combo[-1].total * 100:.0f} % explained" if combo else "—")
        )

    def _chosen(self, item: QTreeWidgetItem | None, _prev=None) -> None:
        if item is None or item.data(0, Qt.ItemDataRole.UserRole) is None:
            self.candidateChosen.emit(None)
            return
        self.candidateChosen.emit(self.candidates[item.data(0, Qt.ItemDataRole.UserRole)])
