"""The open visit's pain drawing: which symptom the brush, lasso and eraser draw, its intensity, and the
extent of everything drawn (share of the chart and of the body surface, CHOIR regions)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from bodymap.core.records import commands as cmd
from bodymap.core.records.metrics import choir_codes, pain_extent, union_areas
from bodymap.core.records.model import SYMPTOMS, check_score

from ..fields import NumberField
from ..text import PlainLabel
from .session import RecordsSession


def extent_text(drawings) -> str:
    """The extent of a visit's drawings in words (one definition of "% of the chart": metrics.py)."""
    areas = union_areas(drawings)
    if not areas:
        return "Nothing drawn yet: shade the pain with the brush (B) or lasso (S) on the chart."
    e = pain_extent(areas)
    codes = ", ".join(str(c) for c in choir_codes(areas))
    return (
        f"{e.chart_share * 100:.1f} % of the chart, {e.body_share * 100:.1f} % of the body surface; "
        f"CHOIR {codes}"
    )


class DrawingBox(QWidget):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.symptom = QComboBox()
        for key, words in SYMPTOMS.items():
            self.symptom.addItem(words[:1].upper() + words[1:], key)
        self.symptom.setToolTip("The symptom the drawing tools draw")
        self.intensity = NumberField(lambda v: check_score("intensity", v))
        self.intensity.setToolTip("Intensity of this symptom, 0-10")
        self.extent = PlainLabel(wrap=True)
        row = QHBoxLayout()
        row.addWidget(PlainLabel("Symptom"))
        row.addWidget(self.symptom, 1)
        row.addWidget(PlainLabel("intensity"))
        row.addWidget(self.intensity)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(row)
        lay.addWidget(self.extent)
        lay.addStretch(1)
        self.symptom.currentIndexChanged.connect(lambda _i: self.load())
        self.intensity.committed.connect(self._intensity)
        self.intensity.refused.connect(session.message.emit)
        session.visitOpened.connect(lambda _v: self.load())
        session.changed.connect(lambda c: self.load() if c.kind == "drawing" else None)
        self.load()

    def current_symptom(self) -> str:
        return self.symptom.currentData()

    def current_intensity(self) -> int | None:
        value = self.intensity.value()
        return int(value) if value is not None else None

    def _drawing(self):
        """The open visit's drawing of the chosen symptom, as this window has it."""
        return next((d for d in self.session.drawings() if d.symptom == self.current_symptom()), None)

    def load(self) -> None:
        vid = self.session.visit_id
        self.setEnabled(vid is not None)
        drawings = self.session.drawings()
        existing = self._drawing()
        if existing is not None:
            self.intensity.set_value(existing.intensity)
        self.extent.setText(extent_text(drawings) if vid is not None else "")

    def _intensity(self, value) -> None:
        existing = self._drawing()
        if existing is not None and existing.intensity != value:
            if not self.session.run(cmd.UpdateDrawing(existing, intensity=value)):
                self.load()  # the stored value comes back
