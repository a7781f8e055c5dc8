"""The Patient panel: the patient and visit on top with the session's four steps, then the visit's parts
in tabs (marks and their findings, the visit's own fields, the session's preparation and
post-treatment, the pain drawing, the course of care).

It only lays out the parts; each part follows the records session (session.py) on its own. Sized for
a laptop: at 1366 x 768 the marks table and the findings of the selected mark are on screen together
without scrolling while a visit is open."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QTabWidget, QVBoxLayout, QWidget

from .course import CourseBox
from .drawing_box import DrawingBox
from .findings import FindingsBox
from .marks_table import MarksTable
from .notice import RecordNotice
from .patients import PatientsBox
from .refusal import RefusalBar
from .session import RecordsSession
from .steps_box import SessionForm, StepsBar
from .visit_form import VisitForm
from .visits import VisitBar


def _scrolling(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


class RecordsPanel(QWidget):
    def __init__(self, session: RecordsSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.patients = PatientsBox(session)
        self.visit_bar = VisitBar(session)
        self.marks_table = MarksTable(session)
        self.findings = FindingsBox(session)
        self.visit_form = VisitForm(session)
        self.drawing = DrawingBox(session)
        self.course = CourseBox(session)
        self.steps = StepsBar(session)
        self.session_form = SessionForm(session)
        self.refusal = RefusalBar(session)
        self.notice = RecordNotice(session)

        marks = QWidget()
        ml = QVBoxLayout(marks)
        ml.setContentsMargins(2, 2, 2, 2)
        ml.setSpacing(3)
        ml.addWidget(self.marks_table, 1)
        ml.addWidget(self.findings)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(marks, "Marks")
        self.tabs.addTab(_scrolling(self.visit_form), "Visit")
        self.tabs.addTab(_scrolling(self.session_form), "Session")
        self.tabs.addTab(self.drawing, "Drawing")
        self.tabs.addTab(self.course, "Course")
        self.tabs.setTabToolTip(
            0, "The marks of this visit (Mark tool M: click the chart; drag a mark to move it)"
        )

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addWidget(self.patients)
        lay.addWidget(self.visit_bar)
        lay.addWidget(self.refusal)
        lay.addWidget(self.notice)
        lay.addWidget(self.steps)
        lay.addWidget(self.tabs, 1)
        # A step opens the tab where its items are recorded.
        where = {"Assessment": 0, "Preparation": 2, "Insertion": 0, "Post-treatment": 2}
        self.steps.stepClicked.connect(lambda name: self.tabs.setCurrentIndex(where[name]))
        session.visitOpened.connect(lambda _v: self._enable())
        session.patientOpened.connect(lambda _p: self._enable())
        self._enable()

    def _enable(self) -> None:
        self.tabs.setEnabled(self.session.visit_id is not None)
