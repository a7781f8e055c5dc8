"""The open visit's marks as a table, numbered as on the chart, in people's words (region and nearest
trigger point by name, never an id); a needled mark with a warning shows ⚠."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem, QWidget

from bodymap.core.records.content import MarkRow

from .session import RecordsSession

COLUMNS = ("#", "Side", "Region", "Nearest trigger point", "Status", "LTR", "Tender", "Needled", "⚠")
STATUS, WARNING = 4, 8


class MarksTable(QTableWidget):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.session = session
        self.rows: list[MarkRow] = []
        self.setHorizontalHeaderLabels(COLUMNS)
        self.horizontalHeaderItem(WARNING).setToolTip(
            "Needled with a warning: over a hazard, or despite a precaution"
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.setMinimumHeight(90)
        self.currentCellChanged.connect(self._picked)
        session.visitOpened.connect(lambda _v: self.refresh())
        session.markSelected.connect(self._select)
        session.changed.connect(self._changed)
        self.refresh()

    def _changed(self, change) -> None:
        if change.kind in ("mark", "screen", "consent") or (
            change.kind == "visit" and self.session.visit_id in change.ids
        ):
            self.refresh()

    def refresh(self) -> None:
        self.rows = self.session.mark_rows()
        blocker = QSignalBlocker(self)
        self.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            cells = (
                str(row.number),
                row.side,
                row.region,
                row.trp,
                row.status,
                row.twitch,
                row.tenderness,
                "yes" if row.needled else "no",
                "⚠" if row.warnings else "",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row.mark.id)
                if col == WARNING and row.warnings:
                    item.setToolTip(row.warning_text)
                    item.setForeground(Qt.GlobalColor.darkRed)
                elif col == 3 and row.distance_cm is not None:
                    item.setToolTip(f"{row.trp}: {row.distance_cm:.1f} cm away (on a 170 cm adult)")
                self.setItem(r, col, item)
        self.resizeColumnsToContents()
        blocker.unblock()
        self._select(self.session.mark_id)

    def _select(self, mark_id: int | None) -> None:
        with QSignalBlocker(self):
            self.clearSelection()
            for r, row in enumerate(self.rows):
                if row.mark.id == mark_id:
                    self.selectRow(r)
                    self.scrollToItem(self.item(r, 0))

    def _picked(self, row: int, *_args) -> None:
        item = self.item(row, 0) if row >= 0 else None
        self.session.select_mark(item.data(Qt.ItemDataRole.UserRole) if item else None)
