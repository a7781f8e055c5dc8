"""Where does it hurt? Point or shade on the chart; the panel ranks the muscles whose trigger points
may cause it, with the reason for each, and the smallest set that explains most of the drawing."""

from __future__ import annotations

import textwrap

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack
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

from .chart.pain_layer import PainLayer

RESIZE_STEP = 0.004  # grow / shrink by about 7 mm
UNEXPLAINED_MIN_AREA = 2e-6  # about 0.6 cm² on a 170 cm adult


class ChangePain(QUndoCommand):
    """One change to the lookup's pain drawing (a stroke, an erase, grow, shrink, clear)."""

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

    def __init__(self, lookup: Lookup, pain_layer: PainLayer, undo: QUndoStack, parent=None):
        super().__init__(parent)
        self.lookup, self.layer, self.undo = lookup, pain_layer, undo
        self.pain = PainArea()
        self.point: tuple[str, float, float] | None = None
        self.candidates: list[Candidate] = []

        self.condition = QComboBox()
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
        self.summary = QLabel("Click a point or shade an area on the chart.")
        self.summary.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["#", "Candidate: muscle, side, trigger point, why", "Score"])
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.setUniformRowHeights(False)
        self.table.header().setStretchLastSection(False)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.combined = QLabel()
        self.combined.setWordWrap(True)

        form = QFormLayout()
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

        self.condition.currentIndexChanged.connect(self.refresh)
        self.grow.clicked.connect(lambda: self.resize_pain(RESIZE_STEP))
        self.shrink.clicked.connect(lambda: self.resize_pain(-RESIZE_STEP))
        self.clear.clicked.connect(self.clear_pain)
        self.clear.setShortcut(QKeySequence("Ctrl+Backspace"))
        self.table.currentItemChanged.connect(self._chosen)

    # -- input from the chart --------------------------------------------------------------------

    def brush_radius(self) -> float:
        return self.size.value() / 1000.0

    def apply_gesture(self, tool: str, view: str, shape) -> None:
        body = self.lookup.body
        after = self.pain.erase(view, shape) if tool == "eraser" else self.pain.add(body, view, shape)
        if after is self.pain:
            return
        text = {"brush": "Brush pain area", "lasso": "Lasso pain area", "eraser": "Erase pain area"}[tool]
        self.undo.push(ChangePain(self, self.pain, after, text))

    def resize_pain(self, distance: float) -> None:
        if self.pain.is_empty:
            return
        after = self.pain.resized(self.lookup.body, distance)
        self.undo.push(
            ChangePain(self, self.pain, after, "Grow pain area" if distance > 0 else "Shrink pain area")
        )

    def clear_pain(self) -> None:
        if self.pain.is_empty and self.point is None:
            return
        self.point = None
        self.undo.push(ChangePain(self, self.pain, PainArea(), "Clear pain area"))

    def use_pain(self, pain: PainArea) -> None:
        """Rank for a given drawing (e.g. the open visit's), as one undoable step."""
        self.undo.push(ChangePain(self, self.pain, pain, "Look up a visit's drawing"))

    def set_point(self, view: str, x: float, y: float) -> None:
        """A pointed-at spot (when nothing is shaded)."""
        self.point = (view, x, y)
        self.refresh()

    def set_pain(self, pain: PainArea) -> None:
        self.pain = pain
        if not pain.is_empty:
            self.point = None
        self.layer.set_pain(pain.views)
        self.refresh()

    # -- ranking ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        condition = self.condition.currentData()
        self.table.clear()
        self.candidates = []
        self.layer.set_unexplained({})
        self.combined.setText("")
        try:
            if not self.pain.is_empty:
                pain, point = self.pain.as_pain(), False
            elif self.point is not None:
                pain, point = self.lookup.point_pain(*self.point), True
            else:
                if condition:
                    for row in self.lookup.for_condition(condition):
                        QTreeWidgetItem(self.table, [str(row["rank"]), f"{row['name']}\n{row['reason']}", ""])
                    self.summary.setText("Commonly involved muscles; shade the pain to rank them.")
                else:
                    self.summary.setText("Click a point or shade an area on the chart.")
                return
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
        area = self.pain.area() / sum(self.lookup.body[v].outline.area for v in ("front", "back"))
        left = (
            f"{share * 100:.0f} % of it is explained by none of them (yellow)"
            if share >= 0.005
            else "all of it is explained by them"
        )
        self.summary.setText(
            f"{len(self.candidates)} candidates. The drawing covers {area * 100:.1f} % of the chart; {left}."
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
