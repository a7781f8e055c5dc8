"""The records panel: find or create a patient, see their precautions, open a visit, mark palpated
points with their findings, draw pain, compare with the previous visit.

Every change goes through a core command on the window's undo stack and is committed at once; the
panel redraws from the store's change notifications."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bodymap.core.records import commands as cmd
from bodymap.core.records.model import SYMPTOMS, AfterEffects, Drawing, Visit
from bodymap.core.records.safety import needling_warnings

from ..chart.marks_layer import MarksLayer
from ..chart.pain_layer import PainLayer
from ..undo import run
from .dialogs import ConsentDialog, PatientDialog, ScreenDialog, precautions_text, to_date, to_qdate

NOT_SET = -1  # spin boxes show "—" at this value: not examined / not asked
FINDING_KEYS = (  # (field, value or None to toggle, text, button text, shortcut)
    ("status", "active", "Active TrP", "Active", "A"),
    ("status", "latent", "Latent TrP", "Latent", "D"),
    ("twitch", None, "Local twitch response", "Twitch", "T"),
    ("familiar_pain", None, "Familiar pain reproduced", "Familiar", "F"),
    ("referral", None, "Referral reproduced", "Referral", "X"),
    ("needled", None, "Needled", "Needled", "N"),
)
AFTER = (
    ("soreness", "Soreness"),
    ("bruising", "Bruising"),
    ("bleeding", "Bleeding"),
    ("fatigue", "Fatigue"),
    ("infection", "Infection"),
    ("pneumothorax", "Suspected pneumothorax"),
)


def _spin(maximum: int) -> QSpinBox:
    s = QSpinBox()
    s.setMaximumWidth(72)
    s.setRange(NOT_SET, maximum)
    s.setSpecialValueText("—")
    s.setValue(NOT_SET)
    return s


class RecordsPanel(QWidget):
    message = Signal(str)
    warning = Signal(str)
    visitOpened = Signal(object)  # visit id or None
    patientChanged = Signal()  # another patient, or their details or precautions changed

    def __init__(self, store, undo: QUndoStack, marks: MarksLayer, pain: PainLayer, atlas=None, parent=None):
        super().__init__(parent)
        self.store, self.undo, self.marks_layer, self.pain_layer, self.atlas = store, undo, marks, pain, atlas
        self.patient_id: int | None = None
        self.visit_id: int | None = None
        self.selected_mark: int | None = None
        self._loading = False
        self._build()
        # The course of care reads the whole record: recompute it once per burst of changes (A then T),
        # after the keystroke has been answered, not inside it.
        self._course_timer = QTimer(self)
        self._course_timer.setSingleShot(True)
        self._course_timer.setInterval(0)
        self._course_timer.timeout.connect(self._show_course)
        self._unsubscribe = store.subscribe(self._changed)
        self.refresh_patients()

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find patient by name…")
        self.search.setClearButtonEnabled(True)
        self.patients = QListWidget()
        self.patients.setMaximumHeight(110)
        self.new_patient = QPushButton("New patient…")
        self.edit_patient = QPushButton("Edit…")
        self.screen_button = QPushButton("Screen…")
        self.consent_button = QPushButton("Consent…")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.needling_banner = QLabel()  # warnings for the selected mark when it is needled
        self.needling_banner.setWordWrap(True)
        self.needling_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.needling_banner.setStyleSheet(
            "background: #fadbd8; color: #78281f; padding: 4px; border-left: 4px solid #c0392b"
        )
        self.needling_banner.hide()
        self.visits = QListWidget()
        self.visits.setMaximumHeight(90)
        self.new_visit = QPushButton("New visit")

        self.visit_box = QGroupBox("Visit")
        vf = QFormLayout(self.visit_box)
        vf.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # labels above fields in a narrow dock
        self.visited_on = QDateEdit()
        self.visited_on.setCalendarPopup(True)
        self.visited_on.setDisplayFormat("yyyy-MM-dd")
        self.visited_on.setMaximumWidth(130)
        vf.addRow("Date", self.visited_on)
        self.therapist = QLineEdit()
        self.complaint = QLineEdit()
        self.pain_before, self.pain_after = _spin(10), _spin(10)
        self.visit_notes = QLineEdit()
        vf.addRow("Therapist", self.therapist)
        vf.addRow("Chief complaint", self.complaint)
        row = QHBoxLayout()
        row.addWidget(QLabel("Pain before"))
        row.addWidget(self.pain_before)
        row.addWidget(QLabel("after"))
        row.addWidget(self.pain_after)
        vf.addRow(row)
        vf.addRow("Notes", self.visit_notes)
        self.after: dict[str, QCheckBox] = {k: QCheckBox(label) for k, label in AFTER}
        self.after["pneumothorax"].setText("Pneumothorax?")
        self.after["pneumothorax"].setToolTip("Suspected pneumothorax")
        self.soreness_hours = QSpinBox()
        self.soreness_hours.setRange(0, 240)
        self.soreness_hours.setSuffix(" h")
        self.soreness_hours.setMaximumWidth(72)
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        soreness = QWidget()
        sl = QHBoxLayout(soreness)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.after["soreness"])
        sl.addWidget(self.soreness_hours)
        sl.addStretch(1)
        grid.addWidget(soreness, 0, 0)
        for i, k in enumerate(("bruising", "bleeding", "fatigue", "infection", "pneumothorax"), 1):
            grid.addWidget(self.after[k], i // 2, i % 2)
        self.after_other = QLineEdit()
        self.after_other.setPlaceholderText("anything else since the last visit")
        grid.addWidget(self.after_other, 3, 0, 1, 2)
        after_row = QWidget()
        after_row.setLayout(grid)
        vf.addRow("Since last visit", after_row)

        self.draw_box = QGroupBox("Pain drawing (brush, lasso, eraser on the chart)")
        box_layout = QVBoxLayout(self.draw_box)
        dl = QHBoxLayout()
        box_layout.addLayout(dl)
        self.symptom = QComboBox()
        for s, words in SYMPTOMS.items():
            self.symptom.addItem(words.capitalize(), s)
        self.intensity = _spin(10)
        self.extent = QLabel()
        self.extent.setWordWrap(True)  # a long line would widen the whole panel
        dl.addWidget(self.symptom)
        dl.addWidget(QLabel("intensity"))
        dl.addWidget(self.intensity)
        dl.addStretch(1)
        box_layout.addWidget(self.extent)

        self.marks_table = QTableWidget(0, 8)
        self.marks_table.setHorizontalHeaderLabels(
            ["#", "Side", "Region", "Nearest TrP", "Status", "LTR", "Tender", "Needled"]
        )
        self.marks_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.marks_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.marks_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.marks_table.verticalHeader().setVisible(False)
        self.marks_table.setMinimumHeight(120)
        self.findings_box = QGroupBox("Findings of the selected mark")
        fl = QVBoxLayout(self.findings_box)
        self.finding_actions: list[QAction] = []
        buttons = QGridLayout()
        for i, (field, value, text, short, key) in enumerate(FINDING_KEYS):
            act = QAction(f"{text} ({key})", self)
            act.setShortcut(QKeySequence(key))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, f=field, v=value: self.toggle_finding(f, v))
            self.finding_actions.append(act)
            b = QPushButton(f"{short} [{key}]")
            b.setToolTip(f"{text} ({key})")
            b.setCheckable(True)
            b.clicked.connect(act.trigger)
            act.toggled.connect(b.setChecked)
            buttons.addWidget(b, i // 3, i % 3)
        fl.addLayout(buttons)
        row = QHBoxLayout()
        self.tenderness = _spin(10)
        self.ppt = QDoubleSpinBox()
        self.ppt.setRange(-1, 2000)
        self.ppt.setSpecialValueText("—")
        self.ppt.setValue(-1)
        self.ppt.setSuffix(" kPa")
        self.ppt.setMaximumWidth(100)
        self.mark_notes = QLineEdit()
        self.mark_notes.setPlaceholderText("notes")
        self.delete_mark = QPushButton("Delete mark")
        self.delete_mark.setShortcut(QKeySequence.StandardKey.Delete)
        row.addWidget(QLabel("Tenderness"))
        row.addWidget(self.tenderness)
        row.addWidget(QLabel("PPT"))
        row.addWidget(self.ppt)
        fl.addLayout(row)
        row = QHBoxLayout()
        row.addWidget(self.mark_notes, 1)
        row.addWidget(self.delete_mark)
        fl.addLayout(row)
        self.show_previous = QCheckBox("Show the previous visit faintly (V)")
        self.show_previous.setShortcut(QKeySequence("V"))
        self.course = QLabel()
        self.course.setWordWrap(True)

        # Everything scrolls inside the dock, so the panel never squeezes the chart.
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setContentsMargins(4, 4, 4, 4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        lay.addWidget(self.search)
        lay.addWidget(self.patients)
        b = QGridLayout()
        for i, w in enumerate((self.new_patient, self.edit_patient, self.screen_button, self.consent_button)):
            b.addWidget(w, i // 2, i % 2)
        lay.addLayout(b)
        lay.addWidget(self.banner)
        b = QHBoxLayout()
        b.addWidget(QLabel("Visits"))
        b.addStretch(1)
        b.addWidget(self.new_visit)
        lay.addLayout(b)
        lay.addWidget(self.visits)
        lay.addWidget(self.visit_box)
        lay.addWidget(self.draw_box)
        lay.addWidget(QLabel("Marks (Mark tool M: click the chart; drag a mark to move it)"))
        lay.addWidget(self.marks_table, 1)
        lay.addWidget(self.findings_box)
        lay.addWidget(self.needling_banner)
        lay.addWidget(self.show_previous)
        from .course_chart import CourseChart

        self.course_chart = CourseChart()
        self.course_chart.setMinimumHeight(170)
        lay.addWidget(self.course_chart)
        lay.addWidget(self.course)

        self.search.textChanged.connect(self.refresh_patients)
        self.patients.currentItemChanged.connect(
            lambda it, _p: self.open_patient(it.data(Qt.ItemDataRole.UserRole) if it else None)
        )
        self.new_patient.clicked.connect(self.create_patient)
        self.edit_patient.clicked.connect(self.edit_current_patient)
        self.screen_button.clicked.connect(self.record_screen)
        self.consent_button.clicked.connect(self.record_consent)
        self.new_visit.clicked.connect(self.create_visit)
        self.visits.currentItemChanged.connect(
            lambda it, _p: self.open_visit(it.data(Qt.ItemDataRole.UserRole) if it else None)
        )
        for w in (self.therapist, self.complaint, self.visit_notes, self.after_other):
            w.editingFinished.connect(self._visit_edited)
        self.visited_on.dateChanged.connect(self._visit_edited)
        for w in (self.pain_before, self.pain_after, self.soreness_hours):
            w.valueChanged.connect(self._visit_edited)
        for box in self.after.values():
            box.toggled.connect(self._visit_edited)
        self.marks_table.currentCellChanged.connect(self._table_selected)
        self.tenderness.valueChanged.connect(
            lambda v: self._set_finding("tenderness", None if v == NOT_SET else v)
        )
        self.ppt.valueChanged.connect(lambda v: self._set_finding("ppt_kpa", None if v < 0 else v))
        self.mark_notes.editingFinished.connect(lambda: self._set_finding("notes", self.mark_notes.text()))
        self.delete_mark.clicked.connect(self.delete_selected_mark)
        self.show_previous.toggled.connect(lambda _: self.refresh_visit())
        self.intensity.valueChanged.connect(self._intensity_changed)
        self._enable()

    def _enable(self) -> None:
        has_p, has_v, has_m = (
            self.patient_id is not None,
            self.visit_id is not None,
            self.selected_mark is not None,
        )
        for w in (self.edit_patient, self.screen_button, self.consent_button, self.new_visit):
            w.setEnabled(has_p)
        self.visit_box.setEnabled(has_v)
        self.draw_box.setEnabled(has_v)
        self.findings_box.setEnabled(has_m)
        for act in self.finding_actions:
            act.setEnabled(has_m)
        self.delete_mark.setEnabled(has_m)

    # -- running commands ------------------------------------------------------------------------

    def do(self, command) -> bool:
        """Carry out a record command (undoable); a refused value is reported, not recorded."""
        try:
            run(self.undo, self.store, command)
            return True
        except ValueError as exc:
            self.message.emit(str(exc))
            return False

    def _changed(self, change) -> None:
        """The store committed something: refresh what shows it."""
        if self._loading:
            return
        if change.kind in ("patient", "screen", "consent"):
            self.refresh_patients()
            self._show_banner()
        if change.kind == "visit":
            self.refresh_visits()
            if self.visit_id in change.ids:
                self._load_visit_form()  # e.g. an undo changed the fields on screen
            self.refresh_visit()
        elif change.kind == "mark":  # a finding keystroke: redraw the marks, nothing else
            self.refresh_marks()
            self._course_timer.start()
        elif change.kind == "drawing":
            self.refresh_drawings()
            self._course_timer.start()

    def commit_pending(self) -> None:
        """Commit text still being typed (fields commit when left; closing the window must not lose it)."""
        self._visit_edited()
        if self.selected_mark is not None:
            self._set_finding("notes", self.mark_notes.text())

    # -- patients --------------------------------------------------------------------------------

    def refresh_patients(self) -> None:
        text = self.search.text().strip()
        found = self.store.find_patients(text) if text else self.store.patients()[:200]
        self.patients.blockSignals(True)
        self.patients.clear()
        for p in found:
            item = QListWidgetItem(f"{p.family_name}, {p.given_name} — born {p.date_of_birth.isoformat()}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.patients.addItem(item)
            if p.id == self.patient_id:
                item.setSelected(True)
                self.patients.setCurrentItem(item)
        self.patients.blockSignals(False)

    def create_patient(self) -> None:
        dialog = PatientDialog(parent=self)
        if dialog.exec() and dialog.result_value is not None:
            command = cmd.CreatePatient(dialog.result_value)
            if self.do(command):
                self.search.clear()
                self.open_patient(command.id)
                self.refresh_patients()

    def edit_current_patient(self) -> None:
        if self.patient_id is None:
            return
        dialog = PatientDialog(self.store.patient(self.patient_id), parent=self)
        if dialog.exec() and dialog.result_value is not None:
            p = dialog.result_value
            self.do(
                cmd.UpdatePatient(
                    self.patient_id,
                    given_name=p.given_name,
                    family_name=p.family_name,
                    date_of_birth=p.date_of_birth,
                    sex=p.sex,
                    contact=p.contact,
                    notes=p.notes,
                )
            )

    def record_screen(self) -> None:
        if self.patient_id is None:
            return
        dialog = ScreenDialog(self.patient_id, self.store.latest_screen(self.patient_id), parent=self)
        if dialog.exec() and dialog.result_value is not None:
            self.do(cmd.RecordScreen(dialog.result_value))

    def record_consent(self) -> None:
        if self.patient_id is None:
            return
        dialog = ConsentDialog(self.patient_id, parent=self)
        if dialog.exec() and dialog.result_value is not None:
            self.do(cmd.RecordConsent(dialog.result_value))

    def open_patient(self, patient_id: int | None) -> None:
        self.patient_id = patient_id
        self.visit_id = None
        self.selected_mark = None
        self._show_banner()
        self.refresh_visits()
        visits = self.visits.count()
        if visits:
            self.visits.setCurrentRow(visits - 1)  # the latest visit
        else:
            self.open_visit(None)
        self._enable()

    def _show_banner(self) -> None:
        if self.patient_id is None:
            self.banner.setText("")
            self.banner.setStyleSheet("")
            self.patientChanged.emit()
            return
        text, warn = precautions_text(
            self.store.latest_screen(self.patient_id), self.store.latest_consent(self.patient_id)
        )
        self.banner.setText(text)
        self.banner.setStyleSheet(
            "background: #fdebd0; color: #7e3b00; padding: 4px; border-radius: 3px"
            if warn
            else "background: #e9f5ec; color: #1e5631; padding: 4px"
        )
        self.patientChanged.emit()

    # -- visits ------------------------------------------------------------------------------------

    def refresh_visits(self) -> None:
        self.visits.blockSignals(True)
        self.visits.clear()
        if self.patient_id is not None:
            for n, v in enumerate(self.store.visits(self.patient_id), 1):
                item = QListWidgetItem(
                    f"Visit {n} — {v.visited_on.isoformat()}" + (f" — {v.therapist}" if v.therapist else "")
                )
                item.setData(Qt.ItemDataRole.UserRole, v.id)
                self.visits.addItem(item)
                if v.id == self.visit_id:
                    self.visits.setCurrentItem(item)
        self.visits.blockSignals(False)

    def create_visit(self) -> None:
        if self.patient_id is None:
            return
        previous = self.store.visits(self.patient_id)
        # After the first visit, ask what happened since: start from "nothing reported".
        visit = Visit(
            patient_id=self.patient_id,
            visited_on=date.today(),
            therapist=previous[-1].therapist if previous else "",
            after=AfterEffects() if previous else None,
        )
        command = cmd.AddVisit(visit)
        if self.do(command):
            self.visit_id = command.id
            self.refresh_visits()
            self.open_visit(command.id)

    def open_visit(self, visit_id: int | None) -> None:
        self.visit_id = visit_id
        self.selected_mark = None
        self._load_visit_form()
        self.refresh_visit()
        self._enable()
        self.visitOpened.emit(visit_id)

    def _load_visit_form(self) -> None:
        visit_id = self.visit_id
        self._loading = True
        try:
            v = self.store.visit(visit_id) if visit_id is not None else None
            self.visited_on.setDate(to_qdate(v.visited_on) if v else QDate.currentDate())
            self.therapist.setText(v.therapist if v else "")
            self.complaint.setText(v.complaint if v else "")
            self.visit_notes.setText(v.notes if v else "")
            self.pain_before.setValue(v.pain_before if v and v.pain_before is not None else NOT_SET)
            self.pain_after.setValue(v.pain_after if v and v.pain_after is not None else NOT_SET)
            after = v.after if v else None
            for k, box in self.after.items():
                box.setChecked(bool(after and getattr(after, k)))
                box.setEnabled(after is not None)
            self.soreness_hours.setValue(int(after.soreness_hours or 0) if after else 0)
            self.after_other.setText(after.other if after else "")
            self.after_other.setEnabled(after is not None)
        finally:
            self._loading = False

    def _visit_edited(self, *_args) -> None:
        if self._loading or self.visit_id is None:
            return
        v = self.store.visit(self.visit_id)
        changes = {}
        for field, value in (
            ("visited_on", to_date(self.visited_on.date())),
            ("therapist", self.therapist.text().strip()),
            ("complaint", self.complaint.text().strip()),
            ("notes", self.visit_notes.text().strip()),
            ("pain_before", None if self.pain_before.value() == NOT_SET else self.pain_before.value()),
            ("pain_after", None if self.pain_after.value() == NOT_SET else self.pain_after.value()),
        ):
            if getattr(v, field) != value:
                changes[field] = value
        if v.after is not None:
            after = AfterEffects(
                **{k: b.isChecked() for k, b in self.after.items()},
                soreness_hours=float(self.soreness_hours.value())
                if self.after["soreness"].isChecked()
                else None,
                other=self.after_other.text().strip(),
            )
            if after != v.after:
                changes["after"] = after
        if changes and not self.do(cmd.UpdateVisit(self.visit_id, **changes)):
            self._load_visit_form()  # refused (e.g. a visit before birth): show what is recorded

    def previous_visit_id(self) -> int | None:
        if self.patient_id is None or self.visit_id is None:
            return None
        ids = [v.id for v in self.store.visits(self.patient_id)]
        i = ids.index(self.visit_id) if self.visit_id in ids else 0
        return ids[i - 1] if i > 0 else None

    # -- marks -------------------------------------------------------------------------------------

    def refresh_visit(self) -> None:
        """Everything the open visit shows: marks, drawings, the previous visit, the course of care."""
        self.refresh_marks()
        self.refresh_drawings()
        prev = self.previous_visit_id() if self.show_previous.isChecked() else None
        self.marks_layer.set_previous(self.store.marks(prev) if prev else [])
        self.pain_layer.set_previous(_union_areas(self.store.drawings(prev)) if prev else {})
        self._course_timer.start()

    def refresh_marks(self) -> None:
        marks = self.store.marks(self.visit_id) if self.visit_id is not None else []
        if self.selected_mark not in {m.id for m in marks}:
            self.selected_mark = None
        self.marks_layer.set_marks(marks, self.selected_mark)
        self._fill_table(marks)
        self._show_selected()

    def refresh_drawings(self) -> None:
        drawings = self.store.drawings(self.visit_id) if self.visit_id is not None else []
        self.pain_layer.set_pain(_union_areas(drawings))
        self._show_extent(drawings)

    def _fill_table(self, marks) -> None:
        self.marks_table.blockSignals(True)
        self.marks_table.setRowCount(len(marks))
        body = self.marks_layer.scene.body
        for row, m in enumerate(marks):
            f = m.findings
            region = body[m.view].region(m.region_id, m.side) if body is not None else None
            trp = ""
            if m.trp_muscle and self.atlas is not None and m.trp_muscle in self.atlas.muscles:
                trp = f"{self.atlas.muscles[m.trp_muscle].name} {m.trp_id} ({m.trp_distance * 170:.1f} cm)"
            cells = [
                str(row + 1),
                m.side,
                region.name if region else m.region_id,
                trp,
                f.status or "—",
                {True: "yes", False: "no", None: "—"}[f.twitch],
                "—" if f.tenderness is None else str(f.tenderness),
                "yes" if f.needled else "no",
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, m.id)
                self.marks_table.setItem(row, col, item)
            if m.id == self.selected_mark:
                self.marks_table.selectRow(row)
        self.marks_table.resizeColumnsToContents()
        self.marks_table.blockSignals(False)

    def _table_selected(self, row: int, *_args) -> None:
        item = self.marks_table.item(row, 0) if row >= 0 else None
        self.select_mark(item.data(Qt.ItemDataRole.UserRole) if item else None)

    def select_mark(self, mark_id: int | None) -> None:
        self.selected_mark = mark_id
        self.marks_layer.set_marks(self.store.marks(self.visit_id) if self.visit_id else [], mark_id)
        self._show_selected()
        self._enable()

    def _show_selected(self) -> None:
        m = self.store.mark(self.selected_mark) if self.selected_mark is not None else None
        self._loading = True
        try:
            f = m.findings if m else None
            for (field, value, _t, _s, _k), act in zip(FINDING_KEYS, self.finding_actions, strict=True):
                current = getattr(f, field) if f else None
                act.setChecked(bool(current == value if value is not None else current))
            self.tenderness.setValue(f.tenderness if f and f.tenderness is not None else NOT_SET)
            self.ppt.setValue(f.ppt_kpa if f and f.ppt_kpa is not None else -1)
            self.mark_notes.setText(f.notes if f else "")
        finally:
            self._loading = False
        text = self._needling_text(self.selected_mark)
        self.needling_banner.setText(text)
        self.needling_banner.setVisible(bool(text))

    def add_mark(self, view: str, x: float, y: float) -> None:
        """A click with the Mark tool: mark the palpated point (then A / D, T, F... set its findings)."""
        if self.visit_id is None:
            self.message.emit("Open or create a visit first (New visit) to mark points.")
            return
        command = cmd.AddMark(self.visit_id, view, x, y)
        if self.do(command):
            self.select_mark(command.id)
            m = self.store.mark(command.id)
            self.message.emit(f"Marked {m.side} {m.region_id.replace('_', ' ')}")

    def move_mark(self, mark_id: int, x: float, y: float) -> None:
        self.do(cmd.MoveMark(mark_id, x, y))

    def delete_selected_mark(self) -> None:
        if self.selected_mark is not None and self.do(cmd.DeleteMark(self.selected_mark)):
            self.select_mark(None)

    def toggle_finding(self, field: str, value) -> None:
        """A finding shortcut: status keys set active / latent (again: clear); yes/no keys toggle."""
        if self.selected_mark is None:
            return
        f = self.store.mark(self.selected_mark).findings
        current = getattr(f, field)
        new = (None if current == value else value) if value is not None else not bool(current)
        self._set_finding(field, new, force=True)

    def _set_finding(self, field: str, value, force: bool = False) -> None:
        if (self._loading and not force) or self.selected_mark is None:
            return
        if getattr(self.store.mark(self.selected_mark).findings, field) == value:
            return
        if self.do(cmd.UpdateMark(self.selected_mark, **{field: value})) and field == "needled" and value:
            self._warn_needling(self.selected_mark)

    def _warn_needling(self, mark_id: int) -> None:
        """Needling over a hazard or with a precaution on record: warn, do not block."""
        text = self._needling_text(mark_id)
        if text:
            self.warning.emit(text)

    def _needling_text(self, mark_id: int | None) -> str:
        if mark_id is None or self.patient_id is None:
            return ""
        mark = self.store.mark(mark_id)
        warnings = needling_warnings(
            mark,
            self.store.latest_screen(self.patient_id),
            self.store.latest_consent(self.patient_id),
            self.atlas,
        )
        return "⚠ " + "\n⚠ ".join(w.message for w in warnings) if warnings else ""

    # -- drawings ----------------------------------------------------------------------------------

    def apply_gesture(self, tool: str, view: str, shape) -> None:
        """A brush, lasso or eraser stroke on the open visit's drawing of the chosen symptom."""
        if self.visit_id is None:
            return
        from bodymap.core.pain import PainArea

        symptom = self.symptom.currentData()
        existing = next((d for d in self.store.drawings(self.visit_id) if d.symptom == symptom), None)
        before = PainArea(dict(existing.areas)) if existing else PainArea()
        body = self.marks_layer.scene.body
        after = before.erase(view, shape) if tool == "eraser" else before.add(body, view, shape)
        if after.views == before.views:
            return
        intensity = None if self.intensity.value() == NOT_SET else self.intensity.value()
        if existing is None:
            self.do(
                cmd.AddDrawing(
                    Drawing(visit_id=self.visit_id, symptom=symptom, areas=after.views, intensity=intensity)
                )
            )
        else:
            self.do(cmd.UpdateDrawing(existing.id, areas=after.views))

    def _intensity_changed(self, value: int) -> None:
        if self._loading or self.visit_id is None:
            return
        existing = next(
            (d for d in self.store.drawings(self.visit_id) if d.symptom == self.symptom.currentData()), None
        )
        if existing is not None:
            self.do(cmd.UpdateDrawing(existing.id, intensity=None if value == NOT_SET else value))

    def visit_pain(self) -> dict:
        """The open visit's drawings as one pain area (for the lookup)."""
        return _union_areas(self.store.drawings(self.visit_id)) if self.visit_id else {}

    def _show_extent(self, drawings) -> None:
        if not drawings:
            self.extent.setText("nothing drawn")
            return
        from bodymap.core.records.metrics import choir_codes, pain_extent

        areas = _union_areas(drawings)
        e = pain_extent(areas)
        self.extent.setText(
            f"{e.chart_share * 100:.1f} % of the chart, {e.body_share * 100:.1f} % of the body "
            f"surface; CHOIR {', '.join(str(c) for c in choir_codes(areas))}"
        )

    def _show_course(self) -> None:
        if self.patient_id is None:
            self.course.setText("")
            self.course_chart.set_rows([])
            return
        from bodymap.core.records.metrics import course_of_care

        rows = course_of_care(self.store, self.patient_id)
        lines = []
        for r in rows:
            ext = f"{r.extent.chart_share * 100:.1f} %" if r.extent else "—"
            ov = f"{r.overlap:.2f}" if r.overlap is not None else "—"
            before = "—" if r.pain_before is None else r.pain_before
            pain = f"{before}→{'—' if r.pain_after is None else r.pain_after}"
            lines.append(
                f"Visit {r.number} ({r.visited_on.isoformat()}): pain {pain}, extent {ext}, "
                f"overlap {ov}, active TrPs {r.active_trps}"
            )
        self.course.setText("<b>Course of care</b><br>" + "<br>".join(lines) if lines else "")
        self.course_chart.set_rows(rows)


def _union_areas(drawings) -> dict:
    from shapely.ops import unary_union

    by_view: dict[str, list] = {}
    for d in drawings:
        for view, g in d.areas.items():
            by_view.setdefault(view, []).append(g)
    return {v: unary_union(gs) for v, gs in by_view.items()}
