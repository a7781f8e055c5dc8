"""The Help menu: the keyboard shortcuts (read from the window's own actions, so the list stays true),
the legend of what the chart draws, a short guide to the two uses (assessment, study), and About
(version, licences, the clinical caution)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from bodymap import __version__

CAUTION = (
    "The atlas's referral patterns and needling notes come from the cited literature (Travell, Simons & "
    "Simons; Dommerholt & Fernández-de-las-Peñas; papers listed per muscle), redrawn on bodymap's own chart. "
    "Each muscle says where sources disagree or where a depth or a pattern is an estimate. bodymap helps "
    "orientation, teaching and record keeping; it does not replace palpation, imaging or clinical "
    "judgement, and its hazard zones mark where to be careful, not where it is safe."
)

LICENCES = (
    ("bodymap", "MIT licence"),
    ("Qt 6 and PySide6", "GNU LGPL v3"),
    ("shapely (GEOS)", "BSD 3-clause (GEOS: LGPL v2.1)"),
    ("NumPy", "BSD 3-clause"),
    ("SQLAlchemy, Alembic", "MIT licence"),
)

GUIDE = """
<h3>Assessment (therapists)</h3>
<ol>
<li><b>Patient.</b> In the Patient panel (Ctrl+3), find the patient by name or press <i>New patient…</i>.
Record the precaution screen (<i>Screen…</i>) and consent (<i>Consent…</i>): the banner under the patient
shows what is in force, in orange when something needs care.</li>
<li><b>Visit.</b> Press <i>New visit</i>. Pain before and after, the chief complaint and notes are in the
<i>Visit</i> tab; each field is saved when you leave it (there is no Save).</li>
<li><b>Marks.</b> Choose the Mark tool (M) and click the chart where you palpate a trigger point. With the
chart in focus, the finding keys act on the selected mark: A active, D latent, T local twitch response,
F familiar pain, X referral reproduced, N needled: the treated point's form opens with the last needle
chosen (needle, depth, technique, passes, twitch responses, familiar pain, patient response, time in);
Enter records it. Drag a mark to move it; Delete deletes it. Needling deeper than the atlas's safe depth
for the muscle, over a hazard or despite a precaution flags the mark with a red triangle and is kept in
the reports.</li>
<li><b>Pain drawing.</b> Choose the brush (B), lasso (S) or eraser (E) and shade the pain; the symptom is
chosen in the <i>Drawing</i> tab. The lookup (Ctrl+2) ranks the muscles that may cause the drawn pain.</li>
<li><b>Compare and report.</b> V shows the previous visit faintly; the <i>Course</i> tab compares the
visits. File → Export writes the visit report (PDF), the marks (CSV), the record (JSON, FHIR).</li>
</ol>
<h3>Study (students)</h3>
<ol>
<li><b>Browse.</b> In the Atlas panel (Ctrl+1), search a muscle (synonyms work: SCM, fibularis) and click
it: its trigger points (✕), essential zone (solid) and spillover zone (stippled) appear on every view.
Ctrl+click compares several. Switch views with 1-4.</li>
<li><b>Reason back.</b> With the Point tool (P), click where a patient hurts, or shade an area: the lookup
lists the trigger points that refer there, with the reason for each.</li>
</ol>
<p>Undo (Ctrl+Z) and redo (Ctrl+Shift+Z) cover every change to the open patient's record; each patient
has their own history.</p>
"""


SWATCH = (56, 34)  # pixels: a mark with its number and warning flag fits whole


def _swatch(paint) -> QIcon:
    pm = QPixmap(*SWATCH)
    pm.fill(QColor("white"))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.translate(SWATCH[0] / 2, SWATCH[1] / 2)
    paint(p)
    p.end()
    return QIcon(pm)


def _mark(
    status: str | None,
    needled: bool = False,
    selected: bool = False,
    warning: bool = False,
    faint: bool = False,
):
    from types import SimpleNamespace

    from .chart.marks_layer import MarkItem

    findings = SimpleNamespace(status=status, twitch=None, familiar_pain=None, referral=None, tenderness=None)
    item = MarkItem(
        SimpleNamespace(findings=findings, needled=needled),
        1,
        faint=faint,
        warning="warning" if warning else "",
    )
    item.selected = selected

    def paint(p: QPainter) -> None:
        p.translate(2, 3)
        item.paint(p, None)

    return paint


def _area(brush: QBrush, pen: QPen):
    def paint(p: QPainter) -> None:
        p.setBrush(brush)
        p.setPen(pen)
        p.drawRoundedRect(QRectF(-16, -10, 32, 20), 5, 5)

    return paint


def _cross(p: QPainter) -> None:
    for pen in (QPen(QColor("white"), 4.5), QPen(QColor("#d62728"), 2.2)):
        p.setPen(pen)
        p.drawLine(QPointF(-5, -5), QPointF(5, 5))
        p.drawLine(QPointF(5, -5), QPointF(-5, 5))


def legend_rows() -> list[tuple[object, str]]:
    red = QColor("#d62728")
    fill = QColor(red)
    fill.setAlphaF(0.45)
    return [
        (_mark("active"), "Mark: active trigger point"),
        (_mark("latent"), "Mark: latent trigger point"),
        (_mark(None), "Mark: not yet classified"),
        (_mark("active", needled=True), "Mark: needled (a dot inside)"),
        (_mark("active", selected=True), "Mark: selected (its findings are shown)"),
        (_mark("active", needled=True, warning=True), "Mark: needled over a hazard or despite a precaution"),
        (_mark("active", faint=True), "Mark of the previous visit (V)"),
        (_cross, "Trigger point of the atlas"),
        (_area(QBrush(fill), QPen(red, 1)), "Essential referral zone (nearly every patient)"),
        (
            _area(QBrush(red, Qt.BrushStyle.Dense6Pattern), QPen(red, 1, Qt.PenStyle.DotLine)),
            "Spillover referral zone (some patients)",
        ),
        (
            _area(
                QBrush(QColor("#b8860b"), Qt.BrushStyle.FDiagPattern),
                QPen(QColor("#b8860b"), 1, Qt.PenStyle.DashLine),
            ),
            "Needling hazard (pleura, nerve, artery...)",
        ),
        (
            _area(QBrush(QColor("#1f3a93"), Qt.BrushStyle.BDiagPattern), QPen(QColor("#1f3a93"), 1.8)),
            "Pain drawing",
        ),
        (
            _area(
                QBrush(QColor(255, 196, 0), Qt.BrushStyle.Dense4Pattern),
                QPen(QColor("#b58900"), 1.6, Qt.PenStyle.DashLine),
            ),
            "Pain that no listed candidate explains",
        ),
    ]


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(keys, command, where it acts) for every action of the window that has a shortcut."""
    rows = []
    seen = set()
    for act in window.findChildren(QAction):
        keys = [
            k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts() if not k.isEmpty()
        ]
        text = act.text().replace("&", "").rstrip("…").strip()
        if not keys or not text or (text, tuple(keys)) in seen:
            continue
        seen.add((text, tuple(keys)))
        chart = act.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut
        rows.append((", ".join(keys), text, "chart in focus" if chart else "anywhere"))
    return sorted(rows, key=lambda r: (r[2] != "chart in focus", r[1].lower()))


class _Dialog(QDialog):
    def __init__(self, title: str, parent: QWidget, body: QWidget):
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        lay.addWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.resize(560, 520)


class HelpMenu:
    def __init__(self, window: QMainWindow):
        self.window = window
        menu = window.menuBar().addMenu("&Help")
        self.actions: dict[str, QAction] = {}
        for name, text, key, slot in (
            ("shortcuts", "Keyboard shortcuts", QKeySequence.StandardKey.HelpContents, self.show_shortcuts),
            ("legend", "Legend of the chart", None, self.show_legend),
            ("guide", "User guide", None, self.show_guide),
            ("about", "About bodymap", None, self.show_about),
        ):
            act = QAction(text, window)
            if key is not None:
                act.setShortcut(QKeySequence(key))
            act.triggered.connect(slot)
            menu.addAction(act)
            self.actions[name] = act
        self.dialog: QDialog | None = None

    def _show(self, title: str, body: QWidget) -> QDialog:
        self.dialog = _Dialog(title, self.window, body)
        self.dialog.setModal(False)
        self.dialog.show()
        return self.dialog

    def show_shortcuts(self) -> QDialog:
        rows = shortcut_rows(self.window)
        table = QTableWidget(len(rows), 3)
        table.setHorizontalHeaderLabels(["Keys", "Command", "Acts when"])
        table.verticalHeader().setVisible(False)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return self._show("Keyboard shortcuts", table)

    def show_legend(self) -> QDialog:
        rows = legend_rows()
        table = QTableWidget(len(rows), 1)
        table.horizontalHeader().setVisible(False)
        table.verticalHeader().setVisible(False)
        table.setIconSize(QPixmap(*SWATCH).size())
        for r, (paint, text) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(_swatch(paint), text))
            table.setRowHeight(r, SWATCH[1] + 4)
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        return self._show("Legend of the chart", table)

    def show_guide(self) -> QDialog:
        text = QTextBrowser()
        text.setHtml(GUIDE)
        return self._show("User guide", text)

    def show_about(self) -> QDialog:
        licences = "".join(f"<li>{name}: {lic}</li>" for name, lic in LICENCES)
        label = QLabel(
            f"<h3>bodymap {__version__}</h3><p>An interactive trigger-point body map for the people "
            f"who treat and study myofascial pain.</p><p><b>Clinical caution.</b> {CAUTION}</p>"
            f"<p><b>Licences</b></p><ul>{licences}</ul>"
        )
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        return self._show("About bodymap", label)
