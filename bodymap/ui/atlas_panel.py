"""The atlas browser: search muscles as you type, filter by area and condition, show them on the
chart (several at once, each in its own colour), and read their facts and sources."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.atlas import AREAS, Atlas, Muscle
from bodymap.core.chart.frame import Side

from .text import compact

SIDE_CHOICES: tuple[tuple[str, tuple[Side, ...]], ...] = (
    ("Both sides", ("right", "left")),
    ("Patient's right", ("right",)),
    ("Patient's left", ("left",)),
)


def _swatch(color: QColor | None) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(color if color is not None else QColor(0, 0, 0, 0))
    return QIcon(pm)


class AtlasPanel(QWidget):
    musclesChanged = Signal(list)  # list[Muscle], in selection order
    sidesChanged = Signal(tuple)
    opacityChanged = Signal(float)
    hazardsToggled = Signal(bool)

    def __init__(self, atlas: Atlas, parent=None):
        super().__init__(parent)
        self.atlas = atlas
        self._order: list[str] = []  # selected muscle ids in the order they were chosen (colours)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search muscles or synonyms…")
        self.search.setClearButtonEnabled(True)
        self.area = compact(QComboBox())
        self.area.addItem("All areas", None)
        for key, name in AREAS.items():
            self.area.addItem(name, key)
        self.condition = compact(QComboBox())
        self.condition.addItem("All conditions", None)
        for c in sorted(atlas.conditions.values(), key=lambda c: c.name):
            self.condition.addItem(c.name, c.id)
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setToolTip("Click to show a muscle; Ctrl+click to show several")
        self.side = compact(QComboBox())
        for label, sides in SIDE_CHOICES:
            self.side.addItem(label, sides)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(10, 100)
        self.opacity.setValue(45)
        self.opacity.setToolTip("Overlay opacity")
        self.hazards = QCheckBox("Needling hazards")
        self.hazards.setToolTip("Show where a needle can reach the pleura, nerves, vessels or kidneys")
        self.count = QLabel()
        # What the chart shows, whatever the search lists: the legend of the overlay's colours.
        self.shown = QListWidget()
        self.shown.setToolTip("Shown on the chart. Click to read about it; Delete removes it.")
        self.shown.setMaximumHeight(self.shown.fontMetrics().height() * 4 + 12)
        self.shown.hide()
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Show no muscle")
        self.clear.hide()
        self.info = QTextBrowser()
        self.info.setOpenExternalLinks(False)

        form = QFormLayout()
        form.addRow("Area", self.area)
        form.addRow("Condition", self.condition)
        form.addRow("Side", self.side)
        form.addRow("Opacity", self.opacity)
        top = QWidget()
        lay = QVBoxLayout(top)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.search)
        lay.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.hazards)
        row.addStretch(1)
        row.addWidget(self.count)
        lay.addLayout(row)
        lay.addWidget(self.list, 1)
        shown_row = QHBoxLayout()
        self.shown_label = QLabel("Shown:")
        self.shown_label.hide()
        shown_row.addWidget(self.shown_label)
        shown_row.addStretch(1)
        shown_row.addWidget(self.clear)
        lay.addLayout(shown_row)
        lay.addWidget(self.shown)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.info)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(split)

        self.search.textChanged.connect(self.refilter)
        self.area.currentIndexChanged.connect(self.refilter)
        self.condition.currentIndexChanged.connect(self.refilter)
        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.side.currentIndexChanged.connect(lambda: self.sidesChanged.emit(self.side.currentData()))
        self.opacity.valueChanged.connect(lambda v: self.opacityChanged.emit(v / 100))
        self.hazards.toggled.connect(self.hazardsToggled.emit)
        self.clear.clicked.connect(lambda: self.select([]))
        self.shown.itemClicked.connect(lambda it: self._read(it.data(Qt.ItemDataRole.UserRole)))
        remove = QAction("Remove from the chart", self.shown)
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self._remove_current)
        self.shown.addAction(remove)
        self.refilter()
        self.info.setHtml(_help_html())

    # -- listing -------------------------------------------------------------------------------------

    def visible_muscles(self) -> list[Muscle]:
        """The muscles the search and filters leave, in the order shown."""
        found = self.atlas.search(self.search.text())
        area = self.area.currentData()
        cond = self.condition.currentData()
        if area:
            found = [m for m in found if m.area == area]
        if cond:
            order = {m: i for i, m in enumerate(self.atlas.conditions[cond].muscles)}
            found = sorted(
                (m for m in found if m.id in order or cond in m.conditions),
                key=lambda m: order.get(m.id, len(order)),
            )
        return found

    def refilter(self) -> None:
        selected = set(self._order)
        self.list.blockSignals(True)
        self.list.clear()
        for m in self.visible_muscles():
            item = QListWidgetItem(m.name)
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            if m.synonyms:
                item.setToolTip(", ".join(m.synonyms))
            self.list.addItem(item)
            if m.id in selected:
                item.setSelected(True)
        self.list.blockSignals(False)
        self.count.setText(f"{self.list.count()} of {len(self.atlas.muscles)}")

    def select(self, muscle_ids: list[str]) -> None:
        """Show exactly these muscles (used by other panels, e.g. a lookup candidate)."""
        self._order = [i for i in muscle_ids if i in self.atlas.muscles]
        if any(self._find_item(i) is None for i in self._order):
            self.search.clear()
            self.area.setCurrentIndex(0)
            self.condition.setCurrentIndex(0)
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) in self._order)
        self.list.blockSignals(False)
        if self._order:
            self.list.scrollToItem(self._find_item(self._order[0]))
        self._publish()

    def _find_item(self, muscle_id: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == muscle_id:
                return self.list.item(row)
        return None

    def _selection_changed(self) -> None:
        now = [it.data(Qt.ItemDataRole.UserRole) for it in self.list.selectedItems()]
        listed = {self.list.item(r).data(Qt.ItemDataRole.UserRole) for r in range(self.list.count())}
        adding = QApplication.keyboardModifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        )
        # Ctrl / Shift + click adds to what is shown, keeping muscles the search now hides (and the
        # order they were chosen in, which gives their colours); a plain click shows just what it chose.
        kept = [i for i in self._order if i in now or (adding and i not in listed)]
        self._order = kept + [i for i in now if i not in kept]
        self._publish()

    def _publish(self) -> None:
        muscles = [self.atlas.muscles[i] for i in self._order]
        self.musclesChanged.emit(muscles)
        self.info.setHtml(muscle_html(self.atlas, muscles[-1]) if muscles else _help_html())

    def _read(self, muscle_id: str) -> None:
        self.info.setHtml(muscle_html(self.atlas, self.atlas.muscles[muscle_id]))

    def _remove_current(self) -> None:
        item = self.shown.currentItem()
        if item is not None:
            self.select([i for i in self._order if i != item.data(Qt.ItemDataRole.UserRole)])

    def set_colours(self, colour_of) -> None:
        """Show each shown muscle's overlay colour beside its name, in the list and in the legend of
        what is shown (which lists them even when the search hides them)."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setIcon(_swatch(colour_of(item.data(Qt.ItemDataRole.UserRole))))
        self.shown.clear()
        for mid in self._order:
            item = QListWidgetItem(_swatch(colour_of(mid)), self.atlas.muscles[mid].name)
            item.setData(Qt.ItemDataRole.UserRole, mid)
            self.shown.addItem(item)
        for w in (self.shown, self.shown_label, self.clear):
            w.setVisible(bool(self._order))


def _help_html() -> str:
    return (
        "<p>Choose a muscle to see its trigger points (✕), its <b>essential</b> referral zone (solid) "
        "and its <b>spillover</b> zone (stippled). Ctrl+click to compare several.</p>"
    )


def muscle_html(atlas: Atlas, m: Muscle) -> str:
    """The info panel's text for one muscle: facts, trigger points, safety, sources."""
    e = html.escape

    def para(title: str, text: str) -> str:
        return f"<p><b>{title}.</b> {e(text)}</p>" if text else ""

    parts = [f"<h3>{e(m.name)}</h3>"]
    if m.synonyms:
        parts.append(f"<p><i>{e(', '.join(m.synonyms))}</i></p>")
    parts += [
        para("Attachments", m.attachments),
        para("Action", m.action),
        para("Innervation", m.innervation),
        para("Palpation", m.palpation),
        para("Patient position", m.position),
    ]
    parts.append("<p><b>Trigger points</b></p><ul>")
    for t in m.trps("right"):
        hz = [atlas.hazards[h] for h in t.hazards]
        warn = "".join(
            f"<br><span style='color:#a05a00'>⚠ lies over: {e(h.name)} — risk of {e(h.at_risk)}</span>"
            for h in hz
        )
        parts.append(f"<li><b>{e(t.name)}</b> ({e(t.view)} view). {e(t.notes)}{warn}</li>")
    parts.append("</ul>")
    parts += [para("Symptoms", m.symptoms)]
    conds = [c.name for c in atlas.conditions_of(m.id)]
    if conds:
        parts.append(f"<p><b>Conditions.</b> {e(', '.join(conds))}</p>")
    if m.perpetuating_factors:
        parts.append(
            "<p><b>Perpetuating factors.</b></p><ul>"
            + "".join(f"<li>{e(f)}</li>" for f in m.perpetuating_factors)
            + "</ul>"
        )
    n = m.needling
    hazards = [atlas.hazards[h].name for h in n.get("hazards", []) if h in atlas.hazards]
    parts.append("<p><b>Needling.</b></p><ul>")
    if n.get("depth"):
        parts.append(f"<li>Depth: {e(n['depth'])}</li>")
    if n.get("beneath"):
        parts.append(f"<li>Beneath: {e('; '.join(n['beneath']))}</li>")
    if hazards:
        parts.append(f"<li style='color:#a05a00'>Hazards: {e(', '.join(hazards))}</li>")
    if n.get("precautions"):
        parts.append(f"<li>Precautions: {e(n['precautions'])}</li>")
    parts.append("</ul>")
    parts.append(
        "<p><b>Sources.</b></p><ol>"
        + "".join(f"<li>{e(s.citation)}{' — ' + e(s.where) if s.where else ''}</li>" for s in m.sources)
        + "</ol>"
    )
    if m.uncertainty:
        parts.append(f"<p><b>Where sources disagree or are uncertain.</b> {e(m.uncertainty)}</p>")
    return "".join(parts)
