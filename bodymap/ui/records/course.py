"""The course of care: the plan (visits planned, the goal in the patient's words), every visit of the
course compared (pain before and after, extent, overlap with the previous visit, trigger points), as a
chart and in words, and the reassessment: the latest visit against the first of the course. Recomputed
once per burst of changes, after the keystroke that caused them has been answered."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from bodymap.core.records import commands as cmd
from bodymap.core.records.metrics import CourseRow, Review, course_review, course_rows
from bodymap.core.records.model import MAX_PLANNED_VISITS, Plan, check_count
from bodymap.core.records.open_record import OpenRecord

from ..fields import NumberField
from ..text import PlainLabel
from .course_chart import CourseChart
from .session import RecordsSession, Shown


def course_of_record(record: OpenRecord) -> list[CourseRow]:
    """The course of care of the patient's record as this window has it (metrics.course_of_care reads
    the same from the store)."""
    visits = record.visits()
    return course_rows(
        visits,
        {v.id: record.drawings(v.id) for v in visits if v.id is not None},
        {v.id: record.marks(v.id) for v in visits if v.id is not None},
    )


def course_lines(rows: list[CourseRow]) -> str:
    lines = []
    for r in rows:
        ext = f"{r.extent.chart_share * 100:.1f} %" if r.extent else "—"
        ov = f"{r.overlap:.2f}" if r.overlap is not None else "—"
        before = "—" if r.pain_before is None else r.pain_before
        after = "—" if r.pain_after is None else r.pain_after
        lines.append(
            f"Visit {r.number} ({r.visited_on.isoformat()}): pain {before}→{after}, extent {ext}, "
            f"overlap {ov}, active TrPs {r.active_trps}"
        )
    return "\n".join(lines)


def review_lines(review: Review) -> str:
    """The plan and the reassessment in words, as the panel and the report say them."""
    lines = []
    if review.plan is not None:
        goal = f"; goal: \u201c{review.plan.goal}\u201d" if review.plan.goal else ""
        lines.append(
            f"Course planned {review.plan.planned_on.isoformat()}: {review.plan.visits} visits{goal}. "
            f"{review.progress}."
        )
    comparison = review.comparison()
    if comparison:
        when = "Reassessment (course complete)" if review.due else "So far"
        lines.append(f"{when}, first visit \u2192 latest:")
        lines += [f"  {what}: {first} \u2192 {last}" for what, first, last in comparison]
    return "\n".join(lines)


class CourseBox(QWidget):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.chart = CourseChart()
        self.chart.setMinimumHeight(150)
        self.text = PlainLabel(wrap=True)
        self.review = PlainLabel(wrap=True)
        self.visits = NumberField(lambda v: check_count("visits planned", v, MAX_PLANNED_VISITS, lo=1))
        self.visits.setToolTip("How many visits the course is planned for (typically 3-6)")
        self.goal = QLineEdit()
        self.goal.setPlaceholderText("the goal, in the patient's own words")
        self.plan_button = QPushButton("Plan course")
        self.plan_button.setToolTip("Start a course from the open visit with these visits and goal")
        self.plan_button.clicked.connect(self.new_plan)
        self.error = PlainLabel(wrap=True)
        self.error.setStyleSheet("color: #b03a2e")
        plan = QHBoxLayout()
        plan.addWidget(PlainLabel("Visits planned"))
        plan.addWidget(self.visits)
        plan.addWidget(self.goal, 1)
        plan.addWidget(self.plan_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(plan)
        lay.addWidget(self.error)
        lay.addWidget(self.review)
        lay.addWidget(self.chart, 1)
        lay.addWidget(self.text)
        self.visits.committed.connect(lambda v: self._edit(visits=v) if v is not None else None)
        self.goal.editingFinished.connect(lambda: self._edit(goal=self.goal.text().strip()))
        self.copy = Shown()  # the plan shown, and the version each field's change is made on
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._when_seen)
        self._stale = False
        session.patientOpened.connect(lambda _p: self._timer.start())
        session.changed.connect(
            lambda c: self._timer.start() if c.kind in ("visit", "mark", "drawing", "plan") else None
        )
        self.load()

    def _when_seen(self) -> None:
        # Worked out over the whole record: only when the course is on screen (a finding key costs
        # nothing more).
        if self.isVisible():
            self.load()
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.load()

    def load(self, keep_typing: bool = True) -> None:
        self._stale = False
        pid, record = self.session.patient_id, self.session.record
        rows = course_of_record(record) if record is not None else []
        review = course_review(rows, record.plans() if record is not None else [])
        self.chart.set_rows(list(review.rows), review.planned)
        self.text.setText(("Course of care\n" + course_lines(list(review.rows))) if review.rows else "")
        self.review.setText(review_lines(review))
        plan = review.plan
        # A field being typed in keeps what is typed, and its change is made on the plan as it was when
        # the typing began (someone else's change of that field meanwhile is not overwritten).
        typing = "goal" if self.goal.hasFocus() else "visits" if self.visits.hasFocus() else None
        typing = typing if keep_typing else None
        self.copy.show(plan, typing)
        if typing != "visits":
            self.visits.set_value(plan.visits if plan else None)
        if typing != "goal":
            self.goal.setText(plan.goal if plan else "")
        self.plan_button.setText("New course" if plan else "Plan course")
        self.setEnabled(pid is not None)

    def _edit(self, **changes) -> None:
        """A change to the plan in force (the first change of a patient with none plans a course)."""
        field = next(iter(changes))
        plans = self.session.record.plans() if self.session.record is not None else []
        # The plan as shown; or, before the box has shown any (it shows on the next turn of the event
        # loop), the one this window has just planned.
        plan = self.copy.seen(field) or (plans[-1] if plans else None)
        if plan is None:
            if changes.get("visits") is not None or changes.get("goal"):
                self.new_plan()
            return
        changes = {k: v for k, v in changes.items() if getattr(plan, k) != v}
        typed = changes.get("goal") or ""
        if changes and not self.session.run(cmd.UpdatePlan(plan, **changes), typed):
            self.copy.done(field)
            self.load(keep_typing=False)  # the stored value comes back
            self.error.setText(self.session.refused)
            return
        self.copy.done(field)

    def new_plan(self) -> None:
        """A course from today (a plan made the same day as the last one replaces nothing: it is newer)."""
        pid = self.session.patient_id
        if pid is None:
            return
        visits = self.visits.value() or 6
        plan = Plan(
            patient_id=pid, planned_on=date.today(), visits=int(visits), goal=self.goal.text().strip()
        )
        self.error.setText("")
        if not self.session.run(cmd.RecordPlan(plan)):
            self.error.setText(self.session.refused)
