"""Visit reports: a patient's visits as printed pages (PDF or a printer).

Each visit starts on a new page: who and when (patient, date of birth and age, visit number and date,
therapist), the precautions box (the precaution screen and the consent in force at the visit, i.e. the
latest on or before its date, else the first one after it, said so; highlighted when they call for
care), pain before and after, the chief complaint and the after-effects of the last visit, the charts
(front, back and soles) with the visit's marks and pain drawings and a legend, the pain extent, and the
findings table (continued on further pages when it is long). With more than one visit on record the
report ends with the course of care (chart and table).

Laterality is always the patient's: the chart labels R and L on every view, the table says "right" and
"left", and the legend says so.

The page is laid out first (text measured with the device's fonts; nothing drawn) so that every page can
say "page i of n", then painted page by page; `progress(done, total)` is called after each page and may
return False to cancel (`ReportCancelled`). The charts are drawn into an image at up to 300 dpi, with
the marks at a fixed size on paper (3 mm across, their numbers about 7 pt), and placed on the page.

    write_report(store, patient_id, Path("ann.pdf"))                 # every visit, then the course of care
    write_report(store, patient_id, Path("ann-2.pdf"), visit_number=2)
    print_report(store, patient_id, printer, [visit.id])             # from a QPrintDialog
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTransform,
)

from bodymap import __version__
from bodymap.core.chart.frame import VIEWS
from bodymap.core.files import replacing
from bodymap.core.records.content import VIEW_NAMES, in_force, mark_rows, precaution_lines, treatment_rows
from bodymap.core.records.history import amended_line, history_lines
from bodymap.core.records.metrics import choir_codes, course_of_care, course_review, pain_extent, union_areas
from bodymap.core.records.model import SYMPTOMS, Record, RecordsError, no_such_visit
from bodymap.core.records.steps import visit_steps

from ..chart import style
from ..chart.marks_layer import ACTIVE, LATENT, UNSET, MarksLayer
from ..chart.pain_layer import PainLayer

Progress = Callable[[int, int], bool]

MARGIN_MM = 15.0
PDF_DPI = 300
CHART_DPI = 300  # the charts are images: at most this many dots per inch on paper
CHART_PX_PER_MM = 4.4  # the chart's own pixels per mm on paper: a mark (13 of them across) is 3 mm wide

TEXT = QColor("#1d1d1d")
MUTED = QColor("#5f6368")
RULE = QColor("#9aa0a6")
HEADER_BG = QColor("#eceff2")
ZEBRA = QColor("#f6f7f8")
ALERT = QColor("#9b2c20")  # precautions present, consent missing or withdrawn
ALERT_BG = QColor("#fbeae7")
CLEAR_BG = QColor("#f3f5f4")


# One style per pain drawing of a visit, in order: colour and hatch differ, so overlapping drawings
# (pain and tingling, say) stay apart; the first is the chart's own pain style.
DRAWING_STYLES: tuple[tuple[str, Qt.BrushStyle], ...] = (
    ("#1f3a93", Qt.BrushStyle.BDiagPattern),
    ("#0b7a5a", Qt.BrushStyle.FDiagPattern),
    ("#7d3c98", Qt.BrushStyle.HorPattern),
    ("#a8650a", Qt.BrushStyle.VerPattern),
    ("#127a8a", Qt.BrushStyle.CrossPattern),
    ("#4d4d4d", Qt.BrushStyle.DiagCrossPattern),
)

WRAP = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)


class ReportCancelled(Exception):
    """The report was cancelled from its progress callback; no file was written."""


# --- small helpers ----------------------------------------------------------------------------------


def _font(points: float, bold: bool = False, italic: bool = False) -> QFont:
    f = QFont()
    f.setStyleHint(QFont.StyleHint.SansSerif)
    f.setPointSizeF(points)
    f.setBold(bold)
    f.setItalic(italic)
    return f


def _yes_no(v: bool | None) -> str:
    return "—" if v is None else ("yes" if v else "no")


def _score(v: int | None) -> str:
    return "not recorded" if v is None else f"{v}/10"


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- the chart --------------------------------------------------------------------------------------


HATCH_PERIOD = 12.0  # scene units between hatch lines (1.3 mm on a full-width A4 chart; 1000 = stature)
HATCH_WIDTH = 0.22  # line width as a share of the period
HATCH_TINT = 28  # alpha of the light fill under the hatch


class _DrawingLayer(PainLayer):
    """A pain layer for one drawing, in its own colour and hatch (the chart's layer draws only one style)."""

    def show(self, areas: dict, index: int, tip: str) -> None:
        color, _pattern = drawing_style(index)
        self.set_pain(areas, drawing_brush(index), style.cosmetic(color, 1.6), self.z - index * 0.01, tip)


def drawing_style(index: int) -> tuple[str, Qt.BrushStyle]:
    """Colour and hatch of a visit's `index`-th drawing: the first six as listed, then other pairings of
    the same colours and hatches, so no two of the first 36 look alike."""
    n = len(DRAWING_STYLES)
    color = DRAWING_STYLES[index % n][0]
    pattern = DRAWING_STYLES[(index + index // n) % n][1]
    return color, pattern


_HATCH_LINES = {
    Qt.BrushStyle.HorPattern: "h",
    Qt.BrushStyle.VerPattern: "v",
    Qt.BrushStyle.BDiagPattern: "b",
    Qt.BrushStyle.FDiagPattern: "f",
    Qt.BrushStyle.CrossPattern: "hv",
    Qt.BrushStyle.DiagCrossPattern: "bf",
}


def paint_hatch(p: QPainter, rect: QRectF, pattern: Qt.BrushStyle, color: QColor, period: float) -> None:
    """Hatch `rect` with lines `period` apart (device units), like Qt's pattern brush of that name but at
    a chosen scale (Qt draws its patterns 8 device pixels apart: 0.7 mm at 300 dpi, too fine to print)."""
    p.save()
    p.setClipRect(rect, Qt.ClipOperation.IntersectClip)
    tint = QColor(color)
    tint.setAlpha(HATCH_TINT)
    p.fillRect(rect, tint)
    pen = QPen(color, period * HATCH_WIDTH)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    p.setPen(pen)
    x0, y0, x1, y1 = rect.left(), rect.top(), rect.right(), rect.bottom()

    def offsets(lo: float, hi: float):
        n = math.floor(lo / period - 0.5)
        while (n + 0.5) * period <= hi + period:
            yield (n + 0.5) * period
            n += 1

    for kind in _HATCH_LINES.get(pattern, "b"):
        if kind == "h":
            for y in offsets(y0, y1):
                p.drawLine(QPointF(x0, y), QPointF(x1, y))
        elif kind == "v":
            for x in offsets(x0, x1):
                p.drawLine(QPointF(x, y0), QPointF(x, y1))
        elif kind == "b":  # "/": x + y = c
            for c in offsets(x0 + y0, x1 + y1):
                p.drawLine(QPointF(c - y0 + period, y0 - period), QPointF(c - y1 - period, y1 + period))
        else:  # "\\": x - y = c
            for c in offsets(x0 - y1, x1 - y0):
                p.drawLine(QPointF(c + y0 - period, y0 - period), QPointF(c + y1 + period, y1 + period))
    p.restore()


_TILE = 24  # tile pixels per hatch period


def drawing_brush(index: int) -> QBrush:
    """The brush of a visit's `index`-th drawing on the chart: a light tint of its colour with its hatch,
    HATCH_PERIOD scene units apart. A texture, so it scales with the chart (Qt's pattern brushes stay 8
    device pixels apart whatever the scale)."""
    color, pattern = drawing_style(index)
    tile = QImage(2 * _TILE, 2 * _TILE, QImage.Format.Format_ARGB32_Premultiplied)
    tile.fill(Qt.GlobalColor.transparent)
    p = QPainter(tile)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_hatch(p, QRectF(0, 0, 2 * _TILE, 2 * _TILE), pattern, QColor(color), _TILE)
    p.end()
    brush = QBrush(tile)
    brush.setTransform(QTransform.fromScale(HATCH_PERIOD / _TILE, HATCH_PERIOD / _TILE))
    return brush


class _Chart:
    """One chart scene (front, back, soles; no region borders) reused for every visit of a report."""

    def __init__(self, body):
        from ..chart.paint import paint_from_body
        from ..chart.scene import ChartScene

        self.scene = ChartScene(paint_from_body(body), body=body)
        self.scene.set_layer_visible("regions", False)
        self.source = self.scene.views_rect()
        self.marks = MarksLayer(self.scene)
        self.layers: list[_DrawingLayer] = []

    def free_area(self) -> QRectF:
        """The empty space between the head view and the soles, right of the back view, in scene
        coordinates (the legend)."""
        back = self.scene.views_rect(("back",))
        head = self.scene.views_rect(("head",))
        soles = self.scene.views_rect(("plantar",))
        return QRectF(QPointF(back.right(), head.bottom()), QPointF(self.source.right(), soles.top()))

    def show(self, marks, drawings) -> None:
        self.marks.set_marks(marks)
        while len(self.layers) < len(drawings):
            self.layers.append(_DrawingLayer(self.scene))
        for i, layer in enumerate(self.layers):
            if i < len(drawings):
                d = drawings[i]
                layer.show(dict(d.areas), i, f"{SYMPTOMS[d.symptom]}")
            else:
                layer.show({}, i, "")

    def image(self, width_mm: float, device_dpi: float) -> QImage:
        """The chart as an image `width_mm` wide on paper: CHART_PX_PER_MM chart pixels per millimetre
        (this fixes the size of the marks, which the scene draws at a constant pixel size), rendered at
        up to CHART_DPI dots per inch."""
        src = self.source
        logical_w = width_mm * CHART_PX_PER_MM
        logical_h = logical_w * src.height() / src.width()
        dpi = min(max(device_dpi, 150.0), CHART_DPI)
        dpr = dpi / 25.4 / CHART_PX_PER_MM
        size = QSize(max(1, round(logical_w * dpr)), max(1, round(logical_h * dpr)))
        img = QImage(size, QImage.Format.Format_RGB32)
        img.setDevicePixelRatio(dpr)
        img.fill(QColor("white"))
        p = QPainter(img)
        p.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        self.scene.render(p, QRectF(0, 0, logical_w, logical_h), src, Qt.AspectRatioMode.IgnoreAspectRatio)
        p.end()
        return img


# --- page layout ------------------------------------------------------------------------------------

Op = Callable[[QPainter], None]


@dataclass
class _Page:
    head: str | None  # the running head of a continued page (None: the page has its own header)
    ops: list


class _Layout:
    """Places blocks top to bottom on pages of `rect`, measuring text with the device's fonts. Drawing is
    deferred: each page is a list of operations run later, when the number of pages is known."""

    def __init__(self, device, rect: QRectF):
        self.device = device
        self.rect = QRectF(rect)
        self.dpi = float(device.logicalDpiY())
        self.pages: list[_Page] = []
        self.y = self.rect.top()
        self.head_font = _font(7.5)
        self.foot_font = _font(7)
        self.head_h = self.line_h(self.head_font) + self.mm(2.5)
        self.bottom = self.rect.bottom() - self.line_h(self.foot_font) - self.mm(4)

    # measures
    def mm(self, v: float) -> float:
        return v * self.dpi / 25.4

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def line_h(self, font: QFont) -> float:
        return self.metrics(font).height()

    def text_h(self, text: str, font: QFont, width: float, flags: int = WRAP) -> float:
        if not text:
            return 0.0
        return self.metrics(font).boundingRect(QRectF(0, 0, max(width, 1.0), 1e9), flags, text).height()

    @property
    def left(self) -> float:
        return self.rect.left()

    @property
    def width(self) -> float:
        return self.rect.width()

    # pages
    def new_page(self, head: str | None = None) -> None:
        self.pages.append(_Page(head, []))
        self.y = self.rect.top() + (self.head_h + self.mm(3) if head else 0.0)

    def room(self) -> float:
        return self.bottom - self.y

    def ensure(self, h: float, head: str | None) -> bool:
        """Start a new page (with running head `head`) unless `h` fits; True if a page was started."""
        if h > self.room() + 1e-6 and self.y > self.top_of_body():
            self.new_page(head)
            return True
        return False

    def top_of_body(self) -> float:
        page = self.pages[-1]
        return self.rect.top() + (self.head_h + self.mm(3) if page.head else 0.0)

    def add(self, op: Op) -> None:
        self.pages[-1].ops.append(op)

    # drawing helpers that record operations
    def text(
        self, x: float, y: float, w: float, text: str, font: QFont, color: QColor = TEXT, flags: int = WRAP
    ) -> float:
        h = self.text_h(text, font, w, flags)
        if text:
            rect = QRectF(x, y, w, h + 2)

            def op(p: QPainter, rect=rect, text=text, font=font, color=color, flags=flags) -> None:
                p.setFont(font)
                p.setPen(color)
                p.drawText(rect, flags, text)

            self.add(op)
        return h

    def rule(
        self,
        y: float,
        color: QColor = RULE,
        width_mm: float = 0.25,
        x0: float | None = None,
        x1: float | None = None,
    ) -> None:
        a = self.left if x0 is None else x0
        b = self.rect.right() if x1 is None else x1
        pen_w = self.mm(width_mm)

        def op(p: QPainter) -> None:
            p.setPen(QPen(color, pen_w))
            p.drawLine(QPointF(a, y), QPointF(b, y))

        self.add(op)

    def box(self, rect: QRectF, fill: QColor | None, edge: QColor | None, edge_mm: float = 0.3) -> None:
        pen_w = self.mm(edge_mm)

        def op(p: QPainter) -> None:
            p.setPen(QPen(edge, pen_w) if edge is not None else Qt.PenStyle.NoPen)
            p.setBrush(fill if fill is not None else Qt.BrushStyle.NoBrush)
            p.drawRect(rect)

        self.add(op)

    def split(self, text: str, font: QFont, width: float, max_h: float) -> tuple[str, str]:
        """The longest leading part of `text` (whole words) that fits in `max_h`, and the rest."""
        if self.text_h(text, font, width) <= max_h:
            return text, ""
        words = text.split(" ")
        lo, hi = 0, len(words)
        while lo < hi:  # the most words that fit
            mid = (lo + hi + 1) // 2
            if self.text_h(" ".join(words[:mid]), font, width) <= max_h:
                lo = mid
            else:
                hi = mid - 1
        if lo == 0:  # one enormous word: cut it by characters
            word = words[0]
            a, b = 0, len(word)
            while a < b:
                mid = (a + b + 1) // 2
                if self.text_h(word[:mid], font, width) <= max_h:
                    a = mid
                else:
                    b = mid - 1
            a = max(a, 1)
            return word[:a], " ".join([word[a:], *words[1:]]).strip()
        return " ".join(words[:lo]), " ".join(words[lo:])

    def flow(
        self,
        x: float,
        w: float,
        text: str,
        font: QFont,
        head: str,
        color: QColor = TEXT,
        gap_after: float = 0.0,
    ) -> None:
        """A paragraph that continues on the next page when it does not fit (long notes)."""
        rest = text
        while rest:
            line = self.line_h(font)
            if self.room() < line:
                self.new_page(head)
            part, rest = self.split(rest, font, w, self.room())
            self.y += self.text(x, self.y, w, part, font, color)
            if rest:
                self.new_page(head)
        self.y += gap_after


# --- the report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    title: str
    width: float  # millimetres on an A4 page; scaled to the page's width
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft


FINDING_COLUMNS = (
    _Column("#", 5, Qt.AlignmentFlag.AlignHCenter),
    _Column("View", 10),
    _Column("Side", 12),
    _Column("Region", 25),
    _Column("Nearest trigger point", 37),
    _Column("cm", 8, Qt.AlignmentFlag.AlignRight),
    _Column("Status", 14),
    _Column("LTR", 8),
    _Column("Familiar pain", 14),
    _Column("Referral", 13),
    _Column("Tenderness / PPT", 19),
    _Column("Needled", 15),
)

TREATMENT_COLUMNS = (
    _Column("#", 5, Qt.AlignmentFlag.AlignHCenter),
    _Column("Muscle", 28),
    _Column("Side", 10),
    _Column("Needle", 17),
    _Column("Depth", 10, Qt.AlignmentFlag.AlignRight),
    _Column("Technique", 22),
    _Column("LTRs", 8, Qt.AlignmentFlag.AlignHCenter),
    _Column("Familiar pain", 12),
    _Column("Patient response", 26),
    _Column("Time in", 10, Qt.AlignmentFlag.AlignRight),
)

COURSE_COLUMNS = (
    _Column("Visit", 11, Qt.AlignmentFlag.AlignHCenter),
    _Column("Date", 19),
    _Column("Pain before", 13, Qt.AlignmentFlag.AlignHCenter),
    _Column("Pain after", 13, Qt.AlignmentFlag.AlignHCenter),
    _Column("Extent, % of chart", 16, Qt.AlignmentFlag.AlignRight),
    _Column("Extent, % of body surface", 19, Qt.AlignmentFlag.AlignRight),
    _Column("Overlap with previous", 16, Qt.AlignmentFlag.AlignRight),
    _Column("Active TrPs", 13, Qt.AlignmentFlag.AlignHCenter),
    _Column("Latent TrPs", 13, Qt.AlignmentFlag.AlignHCenter),
    _Column("Needled", 13, Qt.AlignmentFlag.AlignHCenter),
    _Column("CHOIR regions covered", 34),
)


class _Report:
    def __init__(
        self, layout: _Layout, store, patient_id: int, visit_ids: Sequence[int], history: bool = False
    ):
        self.L = layout
        self.store = store
        record = store.record(patient_id)
        self.record, self.with_history = record, history
        self.patient = record.patient
        self.screens = [s for s in record.screens if s.deleted_at is None]
        self.consents = [c for c in record.consents if c.deleted_at is None]
        self.plans = [p for p in record.plans if p.deleted_at is None]
        self.live = [vr for vr in record.visits if vr.visit.deleted_at is None]
        self.visit_on = {vr.visit.id: vr.visit.visited_on for vr in self.live}
        by_id = {vr.visit.id: (n, vr) for n, vr in enumerate(self.live, 1)}
        self.chosen = []
        for vid in visit_ids:
            if vid not in by_id:
                raise RecordsError(
                    f"visit {vid} is not a visit of patient {patient_id} ({self.patient.name})"
                )
            self.chosen.append(by_id[vid])
        placer = store.placer
        self.body, self.atlas = placer.body, placer.atlas
        self.chart: _Chart | None = None
        self._chart_scale = 1.0
        self.who = f"{self.patient.name} · born {self.patient.date_of_birth.isoformat()}"

    # -- the whole report ------------------------------------------------------------------------

    def build(self) -> None:
        if not self.chosen:
            self.L.new_page()
            self.header(None)
            self.precautions(None)
            L = self.L
            L.text(L.left, L.y, L.width, "No visits are recorded for this patient.", _font(10), MUTED)
            return
        for n, vr in self.chosen:
            self.visit(n, vr)
        if len(self.live) > 1:
            self.course()
        if self.with_history:
            self.history()

    def history(self) -> None:
        """Every change to the record (of the visits reported), oldest first: the lines come from the
        core (records/history.history_lines); the report only lays them out."""
        L = self.L
        head = f"{self.who} — history of changes"
        L.new_page(head)
        L.y += L.text(L.left, L.y, L.width, "History of changes", _font(14, bold=True)) + L.mm(1)
        note = (
            "Every change to the record is kept: when (this computer's time), who was recording, what "
            "changed from what. Undo and redo are changes too. Nothing was deleted: deleting keeps the item."
        )
        L.y += L.text(L.left, L.y, L.width, note, _font(8.5), MUTED) + L.mm(3)
        lines = history_lines(self.record, {vr.visit.id for _n, vr in self.chosen})
        for line in lines or ["No changes are recorded (records kept before this version start here)."]:
            L.flow(L.left, L.width, line, _font(8.5), head, gap_after=L.mm(0.6))

    def header(self, n: int | None, vr=None) -> None:
        L = self.L
        x, w = L.left, L.width
        right_w = L.mm(62)
        top = L.y
        y = top
        y += L.text(x, y, w - right_w, "DRY NEEDLING VISIT REPORT", _font(7.5, bold=True), MUTED)
        y += L.mm(0.8)
        y += L.text(x, y, w - right_w, self.patient.name, _font(16, bold=True))
        born = f"Born {self.patient.date_of_birth.isoformat()}"
        when = vr.visit.visited_on if vr is not None else date.today()
        born += f" · {_age(self.patient.date_of_birth, when)} years"
        if vr is not None:
            born += " at this visit"
        if self.patient.sex != "unknown":
            born += f" · {self.patient.sex}"
        y += L.mm(0.5)
        y += L.text(x, y, w - right_w, born, _font(9), TEXT)
        ry = top
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        if vr is not None:
            v = vr.visit
            ry += L.text(
                x + w - right_w,
                ry,
                right_w,
                f"Visit {n} of {len(self.live)}",
                _font(12, bold=True),
                TEXT,
                flags,
            )
            ry += L.text(x + w - right_w, ry, right_w, v.visited_on.isoformat(), _font(10), TEXT, flags)
            ry += L.text(
                x + w - right_w,
                ry,
                right_w,
                f"Therapist: {v.therapist}" if v.therapist else "Therapist: not recorded",
                _font(9),
                TEXT if v.therapist else MUTED,
                flags,
            )
            amended = amended_line(v, self.record.history)
            if amended:
                ry += L.text(x + w - right_w, ry, right_w, amended, _font(8.5, bold=True), ALERT, flags)
        L.y = max(y, ry) + L.mm(2)
        L.rule(L.y, TEXT, 0.4)
        L.y += L.mm(3)

    def precautions(self, when: date | None) -> None:
        """The screen and consent in force at the visit, highlighted when they call for care."""
        L = self.L
        lines = precaution_lines(self.screens, self.consents, when)
        alert = any(a for _t, a in lines)
        pad = L.mm(2.2)
        title_w = L.mm(26)
        inner_w = L.width - 2 * pad - title_w
        font, bold = _font(9), _font(9, bold=True)
        hs = [L.text_h(t, bold if a else font, inner_w) for t, a in lines]
        h = sum(hs) + L.mm(1) * (len(lines) - 1) + 2 * pad
        L.ensure(h, self.who)
        box = QRectF(L.left, L.y, L.width, h)
        L.box(box, ALERT_BG if alert else CLEAR_BG, ALERT if alert else RULE, 0.5 if alert else 0.25)
        if alert:  # a thick bar down the left edge, visible in black and white too
            L.box(QRectF(L.left, L.y, L.mm(1.2), h), ALERT, None)
        L.text(
            L.left + pad + L.mm(0.8),
            L.y + pad,
            title_w,
            "PRECAUTIONS" if alert else "Precautions",
            _font(8.5, bold=True),
            ALERT if alert else MUTED,
        )
        y = L.y + pad
        for (t, a), th in zip(lines, hs, strict=True):
            L.text(L.left + pad + title_w, y, inner_w, t, bold if a else font, ALERT if a else TEXT)
            y += th + L.mm(1)
        L.y += h + L.mm(3)

    def facts(self, n: int, vr) -> None:
        """Pain, complaint, after-effects and notes as label / value rows."""
        L = self.L
        v = vr.visit
        label_w = L.mm(44)
        value_w = L.width - label_w
        rows: list[tuple[str, str, QColor, bool]] = []
        pain = f"before {_score(v.pain_before)} · after {_score(v.pain_after)}"
        rows.append(("Pain (0–10)", pain, TEXT, True))
        rows.append(("Chief complaint", v.complaint or "not recorded", TEXT if v.complaint else MUTED, False))
        if v.after is None:
            after, color = ("not asked (first visit)" if n == 1 else "not asked"), MUTED
        else:
            found = []
            for item in v.after.present:
                if item == "soreness" and v.after.soreness_hours is not None:
                    item = f"soreness ({v.after.soreness_hours:g} h)"
                found.append(item)
            after = ", ".join(found) if found else "none reported"
            color = ALERT if (v.after.pneumothorax or v.after.infection) else TEXT
        rows.append(("After-effects of the last visit", after, color, False))
        if v.notes.strip():
            rows.append(("Visit notes", v.notes.strip(), TEXT, False))
        head = f"{self.who} — visit {n}, {v.visited_on.isoformat()} (continued)"
        for label, value, color, bold in rows:
            font = _font(9.5, bold=bold)
            first = min(L.text_h(value, font, value_w), L.line_h(font) * 3)
            L.ensure(first, head)
            top, page = L.y, L.pages[-1]
            label_h = L.text(L.left, L.y, label_w - L.mm(2), label, _font(9, bold=True), MUTED)
            L.flow(L.left + label_w, value_w, value, font, head, color)
            if L.pages[-1] is page:
                L.y = max(L.y, top + label_h)
            L.y += L.mm(1.2)
        L.y += L.mm(1.5)

    def visit(self, n: int, vr) -> None:
        L = self.L
        L.new_page()
        v = vr.visit
        head = f"{self.who} — visit {n}, {v.visited_on.isoformat()} (continued)"
        self.header(n, vr)
        self.precautions(v.visited_on)
        self.facts(n, vr)
        marks = [m for m in vr.marks if m.deleted_at is None]
        drawings = [d for d in vr.drawings if d.deleted_at is None]
        after = (
            self.extent_height(drawings)
            + self.findings_height(marks)
            + self.treatment_height(marks)
            + self.steps_height(vr)
        )
        self.charts(marks, drawings, head, after=after)
        self.extent(drawings, head)
        self.findings(marks, head)
        self.treatment(marks, head)
        self.steps(vr, head)

    # -- charts, legend, extent ------------------------------------------------------------------

    def charts(self, marks, drawings, head: str, after: float = 0.0) -> None:
        """The charts with the visit's marks and drawings, and the legend. `after` is the height of what
        follows on the visit's page (extent and findings): the charts shrink a little (to 75 %) when that
        keeps the whole visit on one page."""
        L = self.L
        if self.chart is None:
            self.chart = _Chart(self.body)
        chart = self.chart
        src = chart.source
        w = L.width
        h = w * src.height() / src.width()
        legend_font = _font(8)
        free = chart.free_area()

        def corner_at(x0: float, y0: float, width: float) -> QRectF:
            # The empty corner above the soles, right of the back view, on the page.
            k = width / src.width()
            return QRectF(
                x0 + (free.left() - src.left()) * k + L.mm(2),
                y0 + L.mm(3),
                free.width() * k - L.mm(4),
                free.height() * k - L.mm(3),
            )

        ALL = ("marks", "drawings")

        def in_corner(width: float) -> tuple[str, ...]:
            # The legend sits in that corner; the drawings' part of it goes under the charts if need be.
            c = corner_at(0, 0, width)
            for parts in (ALL, ("marks",)):
                if self.legend(c.width(), drawings, legend_font, parts, measure=True) <= c.height():
                    return parts
            return ()

        def below(width: float) -> float:
            rest = tuple(p for p in ALL if p not in in_corner(width))
            return self.legend(L.width, drawings, legend_font, rest, measure=True) + L.mm(3) if rest else 0.0

        full_h = h
        after += L.mm(2)  # the gap under the charts
        for _ in range(2):  # (the legend may move under the charts once they are smaller)
            need = h + below(w) + after
            if need > L.room() and (L.room() - (need - h)) / full_h >= 0.75:
                h = L.room() - (need - h)
                w = h * src.width() / src.height()
        if h + below(w) > L.room():  # the charts do not fit: a smaller picture, or on the next page
            if (L.room() - below(w)) / full_h < 0.75:
                L.new_page(head)
            if h + below(w) > L.room():
                h = L.room() - below(w)
                w = h * src.width() / src.height()
        x0 = L.left + (L.width - w) / 2
        target = QRectF(x0, L.y, w, h)
        self._chart_scale = w / src.width()  # device units per scene unit, for the legend's swatches
        dpi = L.dpi

        def op(p: QPainter, marks=tuple(marks), drawings=tuple(drawings), target=target) -> None:
            chart.show(list(marks), list(drawings))
            p.drawImage(target, chart.image(target.width() / dpi * 25.4, dpi))
            p.setPen(QPen(RULE, L.mm(0.2)))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(target)

        L.add(op)
        corner_parts = in_corner(w)
        rest = tuple(p for p in ALL if p not in corner_parts)
        after_charts = L.y + h + L.mm(2)
        if corner_parts:
            corner = corner_at(x0, L.y, w)
            L.y = corner.top()
            self.legend(corner.width(), drawings, legend_font, corner_parts, x=corner.left())
        L.y = after_charts
        if rest:
            legend_h = self.legend(L.width, drawings, legend_font, rest, measure=True)
            L.ensure(legend_h, head)
            self.legend(L.width, drawings, legend_font, rest, x=L.left)
            L.y += legend_h + L.mm(2.5)

    def legend(
        self,
        width: float,
        drawings,
        font: QFont,
        parts: Sequence[str] = ("marks", "drawings"),
        measure: bool = False,
        x: float = 0.0,
    ) -> float:
        """Lay out (or only measure) the legend's `parts` ("marks": the mark symbols and the sides;
        "drawings": each pain drawing's hatch, symptom and intensity) in `width`; returns the height."""
        L = self.L
        bold = _font(8, bold=True)
        y0 = L.y
        y = 0.0
        sym = L.mm(4.5)  # symbol column
        line = L.line_h(font)

        def put(text: str, f: QFont, indent: float = 0.0, color: QColor = TEXT) -> float:
            hh = L.text_h(text, f, width - indent)
            if not measure:
                L.text(x + indent, y0 + y, width - indent, text, f, color)
            return hh

        if "marks" in parts:
            y += put("Marks (numbered as in the table)", bold) + L.mm(0.6)
            for kind, text in (
                ("active", "active trigger point"),
                ("latent", "latent trigger point"),
                (None, "not classified"),
                ("needled", "needled (dot inside)"),
            ):
                hh = max(put(text, font, sym), line)
                if not measure:
                    self._mark_symbol(QPointF(x + L.mm(1.8), y0 + y + line / 2), kind)
                y += hh + L.mm(0.3)
            y += L.mm(1.2)
            y += put("R and L on the charts are the patient's right and left.", font, 0, MUTED) + L.mm(1.8)
        if "drawings" in parts:
            y += put("Pain drawings", bold) + L.mm(0.6)
            if not drawings:
                y += put("none at this visit", font, 0, MUTED) + L.mm(0.3)
            for i, d in enumerate(drawings):
                views = ", ".join(VIEW_NAMES[v] for v in VIEWS if v in d.areas)
                intensity = "" if d.intensity is None else f", intensity {d.intensity}/10"
                text = f"{SYMPTOMS[d.symptom].capitalize()}{intensity} ({views})"
                if d.notes.strip():
                    text += f": {d.notes.strip()}"
                hh = max(put(text, font, sym), line)
                if not measure:
                    self._swatch(QRectF(x, y0 + y + line / 2 - L.mm(1.4), L.mm(3.6), L.mm(2.8)), i)
                y += hh + L.mm(0.3)
        return y

    def _mark_symbol(self, c: QPointF, kind: str | None) -> None:
        """A mark as the chart draws it (marks_layer.MarkItem), at its size on paper."""
        L = self.L
        px = L.mm(1.0 / CHART_PX_PER_MM)  # one chart pixel on paper
        r = 6.5 * px

        def op(p: QPainter) -> None:
            p.save()
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            color = {"active": ACTIVE, "needled": ACTIVE, "latent": LATENT}.get(kind, UNSET)
            filled = kind in ("active", "needled")
            p.setPen(QPen(QColor("white") if filled else color, 2 * px))
            p.setBrush(QBrush(color) if filled else QBrush(QColor("white")))
            p.drawEllipse(c, r, r)
            if not filled:
                p.setPen(QPen(color, 2 * px))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawEllipse(c, r - px, r - px)
            if kind == "needled":
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor("white"))
                p.drawEllipse(c, 2.2 * px, 2.2 * px)
            p.restore()

        L.add(op)

    def _swatch(self, rect: QRectF, index: int) -> None:
        """A drawing's hatch as on the chart (same colour, hatch and spacing on paper)."""
        L = self.L
        color, pattern = drawing_style(index)
        color = QColor(color)
        period = HATCH_PERIOD * self._chart_scale  # the chart's scene units on paper
        pen_w = L.mm(0.3)

        def op(p: QPainter) -> None:
            p.save()
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.fillRect(rect, QColor("white"))
            paint_hatch(p, rect, pattern, color, period)
            p.setPen(QPen(color, pen_w))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(rect)
            p.restore()

        L.add(op)

    def extent(self, drawings, head: str) -> None:
        L = self.L
        font = _font(9)
        L.ensure(L.line_h(font) * 2, head)
        L.flow(L.left, L.width, self.extent_text(drawings), font, head, gap_after=L.mm(3))

    def extent_height(self, drawings) -> float:
        return self.L.text_h(self.extent_text(drawings), _font(9), self.L.width) + self.L.mm(3)

    def extent_text(self, drawings) -> str:
        if drawings:
            areas = union_areas(drawings)
            e = pain_extent(areas, self.body)
            codes = choir_codes(areas, self.body)
            text = (
                f"Pain extent: {e.chart_share * 100:.1f} % of the chart (front, back and soles) · "
                f"{e.body_share * 100:.1f} % of the body surface (Lund & Browder). "
                f"CHOIR body map regions covered: {', '.join(map(str, codes)) if codes else 'none'}."
            )
        else:
            text = "Pain extent: no pain drawing at this visit."
        return text

    # -- tables ----------------------------------------------------------------------------------

    def _table_fonts(self) -> dict[str, QFont]:
        return {
            "cell": _font(7.5),
            "emph": _font(7.5, bold=True),
            "head": _font(7, bold=True),
            "notes": _font(7.5, italic=True),
            "title": _font(11, bold=True),
            "key": _font(7),
        }

    def _table_sizes(self, columns, rows, title: str, note: str) -> dict:
        """Column widths and the heights of the title, key, header and each row (with its notes)."""
        L = self.L
        F = self._table_fonts()
        scale = L.width / sum(c.width for c in columns)
        widths = [c.width * scale for c in columns]
        pad = L.mm(1.0)
        notes_w = L.width - widths[0] - 2 * pad

        def flags(c: _Column) -> int:
            return int(Qt.TextFlag.TextWordWrap | c.align | Qt.AlignmentFlag.AlignTop)

        head_h = 2 * pad + max(
            L.text_h(c.title, F["head"], w - 2 * pad, flags(c)) for c, w in zip(columns, widths, strict=True)
        )
        row_h, notes_h = [], []
        for cells, notes, emph in rows:
            f = F["emph"] if emph else F["cell"]
            row_h.append(
                2 * pad
                + max(
                    L.text_h(t, f, w - 2 * pad, flags(c))
                    for t, c, w in zip(cells, columns, widths, strict=True)
                )
            )
            notes_h.append(L.text_h(notes, F["notes"], notes_w) + pad if notes else 0.0)
        return {
            "widths": widths,
            "pad": pad,
            "flags": flags,
            "notes_w": notes_w,
            "head_h": head_h,
            "row_h": row_h,
            "notes_h": notes_h,
            "title_h": L.text_h(title, F["title"], L.width) + L.mm(1.5),
            "key_h": L.text_h(note, F["key"], L.width) + L.mm(1.5) if note else 0.0,
        }

    def table_height(self, columns, rows, title: str, note: str = "") -> float:
        z = self._table_sizes(columns, rows, title, note)
        body = z["head_h"] + sum(z["row_h"]) + sum(z["notes_h"]) if rows else 0.0
        return z["title_h"] + z["key_h"] + body

    def _table(
        self, columns, rows: list[tuple[list[str], str, bool]], head: str, title: str, note: str = ""
    ) -> None:
        """A table with a key above it and a header row repeated on each page; each row is (cells, notes
        written under the row, emphasis). Rows are never split, except for very long notes."""
        L = self.L
        F = self._table_fonts()
        z = self._table_sizes(columns, rows, title, note)
        widths, pad, flags, head_h = z["widths"], z["pad"], z["flags"], z["head_h"]

        def header_row() -> None:
            L.box(QRectF(L.left, L.y, L.width, head_h), HEADER_BG, None)
            x = L.left
            for c, w in zip(columns, widths, strict=True):
                L.text(x + pad, L.y + pad, w - 2 * pad, c.title, F["head"], TEXT, flags(c))
                x += w
            L.rule(L.y + head_h, TEXT, 0.3)
            L.y += head_h

        first_h = z["row_h"][0] if rows else 0.0
        L.ensure(z["title_h"] + z["key_h"] + head_h + first_h, head)
        L.text(L.left, L.y, L.width, title, F["title"])
        L.y += z["title_h"]
        if note:  # the key to the columns, above the table so that it never ends up alone on a page
            L.text(L.left, L.y, L.width, note, F["key"], MUTED)
            L.y += z["key_h"]
        if not rows:
            return
        header_row()
        for i, (cells, notes, emph) in enumerate(rows):
            h = z["row_h"][i]
            notes_first = min(z["notes_h"][i], L.line_h(F["notes"]) * 2 + pad)
            if L.ensure(h + notes_first, head):
                header_row()
            top, page, at = L.y, L.pages[-1], len(L.pages[-1].ops)
            x = L.left
            for t, c, w in zip(cells, columns, widths, strict=True):
                L.text(x + pad, top + pad, w - 2 * pad, t, F["emph"] if emph else F["cell"], TEXT, flags(c))
                x += w
            L.y += h
            if notes:
                L.flow(L.left + widths[0] + pad, z["notes_w"], notes, F["notes"], head, TEXT, gap_after=pad)
            if i % 2:  # shade the row (and its notes, on this page) under what was drawn on it
                band = QRectF(L.left, top, L.width, (L.y if L.pages[-1] is page else L.bottom) - top)
                page.ops.insert(at, lambda p, band=band: p.fillRect(band, ZEBRA))
            L.rule(L.y, RULE, 0.15)

    def findings(self, marks, head: str) -> None:
        L = self.L
        L.y += L.mm(1)
        if not marks:
            L.ensure(L.line_h(_font(11)) * 2, head)
            L.y += L.text(L.left, L.y, L.width, "Findings", _font(11, bold=True)) + L.mm(1.5)
            L.text(L.left, L.y, L.width, "No marks were recorded at this visit.", _font(9), MUTED)
            L.y += L.line_h(_font(9))
            return
        self._table(FINDING_COLUMNS, *self.findings_table(marks, head))

    def findings_height(self, marks) -> float:
        if not marks:
            return self.L.line_h(_font(11)) * 2 + self.L.mm(3)
        rows, _head, title, note = self.findings_table(marks, "")
        return self.table_height(FINDING_COLUMNS, rows, title, note) + self.L.mm(1)

    def findings_table(self, marks, head: str):
        """The findings table's rows (cells, notes, emphasis), running head, title and key."""
        rows = []
        when = self.visit_on.get(marks[0].visit_id) if marks else None
        screen, _later = in_force(self.screens, when, "screened_on")
        consent, _later = in_force(self.consents, when, "consented_on")
        for r in mark_rows(marks, self.body, self.atlas, screen, consent):
            cells = [
                str(r.number),
                r.view,
                r.side,
                r.region,
                r.trp or "—",
                "—" if r.distance_cm is None else f"{r.distance_cm:.1f}",
                r.status,
                r.twitch,
                r.familiar_pain,
                r.referral,
                "; ".join(t for t in (r.tenderness, r.ppt.replace(" kPa", "\u00a0kPa")) if t != "—") or "—",
                "yes" if r.needled else "no",
            ]
            notes = [f"Notes: {r.notes.strip()}"] if r.notes.strip() else []
            notes += [f"⚠ {w.message}" for w in r.warnings]
            rows.append((cells, "\n".join(notes), r.status == "active" or bool(r.warnings)))
        active = sum(m.findings.status == "active" for m in marks)
        latent = sum(m.findings.status == "latent" for m in marks)
        needled = sum(m.needled for m in marks)
        title = (
            f"Findings: {len(marks)} mark{'s' if len(marks) != 1 else ''} · {active} active, "
            f"{latent} latent "
            f"trigger point{'s' if latent != 1 else ''} · {needled} needled"
        )
        note = (
            "Side is the patient's. cm: distance to the nearest atlas trigger point on a 170 cm adult "
            "(the reference stature). LTR: local twitch response. Familiar pain / Referral: reproduced. "
            "Tenderness "
            "0–10; PPT: pressure-pain threshold. — : not examined."
        )
        return rows, head, title, note

    def treatment_table(self, marks) -> tuple[list, str, str]:
        """The treated points: muscle and side, needle, depth, technique, twitch responses, familiar
        pain, the patient's response and time in, with the warnings and what is not recorded."""
        when = self.visit_on.get(marks[0].visit_id) if marks else None
        screen, _later = in_force(self.screens, when, "screened_on")
        consent, _later = in_force(self.consents, when, "consented_on")
        rows = []
        for t in treatment_rows(mark_rows(marks, self.body, self.atlas, screen, consent), self.atlas):
            cells = [
                str(t.number),
                t.muscle or "—",
                t.side,
                t.needle,
                t.depth,
                t.technique,
                t.twitches,
                t.familiar_pain,
                t.responses,
                t.minutes,
            ]
            notes = [f"⚠ {w.message}" for w in t.warnings]
            if t.missing:
                notes.append(f"Not recorded: {', '.join(t.missing)}")
            if t.notes.strip():
                notes.append(f"Notes: {t.notes.strip()}")
            rows.append((cells, "\n".join(notes), bool(t.warnings)))
        title = f"Treatment: {len(rows)} point{'s' if len(rows) != 1 else ''} needled"
        note = (
            "# as in the findings. Side is the patient's. Needle: diameter × length. LTRs: local twitch "
            "responses elicited. Familiar pain: reproduced by the needle. — : not recorded."
        )
        return rows, title, note

    def treatment_height(self, marks) -> float:
        rows, title, note = self.treatment_table(marks)
        return self.table_height(TREATMENT_COLUMNS, rows, title, note) + self.L.mm(2) if rows else 0.0

    def treatment(self, marks, head: str) -> None:
        rows, title, note = self.treatment_table(marks)
        if rows:
            self.L.y += self.L.mm(2)
            self._table(TREATMENT_COLUMNS, rows, head, title, note)

    def steps_text(self, vr) -> str:
        """The session's four steps: what was recorded and what was not."""
        record = Record(self.patient, tuple(self.screens), tuple(self.consents), (vr,))
        v = vr.visit
        lines = []
        for step in visit_steps(record, vr):
            state = "complete" if step.complete else f"not recorded: {', '.join(step.missing)}"
            lines.append(f"{step.name}: {state}")
        extra = []
        if v.needle is not None:
            extra.append(f"needle prepared {v.needle.label}")
        if v.reactions.strip():
            extra.append(f"immediate reactions: {v.reactions.strip()}")
        if v.advice_given:
            extra.append("aftercare advice given")
        if v.next_visit is not None:
            extra.append(f"next visit {v.next_visit.isoformat()}")
        return "\n".join(lines) + ("\n" + "; ".join(extra) + "." if extra else "")

    def steps_height(self, vr) -> float:
        L = self.L
        return L.mm(3) + L.line_h(_font(11)) + L.text_h(self.steps_text(vr), _font(8.5), L.width)

    def steps(self, vr, head: str) -> None:
        L = self.L
        text, font = self.steps_text(vr), _font(8.5)
        L.y += L.mm(2)
        L.ensure(L.line_h(_font(11)) + L.text_h(text, font, L.width), head)
        L.y += L.text(L.left, L.y, L.width, "Session", _font(11, bold=True)) + L.mm(1)
        L.flow(L.left, L.width, text, font, head, MUTED)

    def course(self) -> None:
        L = self.L
        from .course import review_lines
        from .course_chart import CourseChart

        rows = course_of_care(self.store, self.patient.id, self.body)
        head = f"{self.who} — course of care"
        L.new_page(head)
        L.y += L.text(L.left, L.y, L.width, "Course of care", _font(14, bold=True)) + L.mm(1)
        first, last = rows[0], rows[-1]
        span = f"{len(rows)} visits from {first.visited_on.isoformat()} to {last.visited_on.isoformat()}"
        L.y += L.text(L.left, L.y, L.width, span, _font(9.5), MUTED) + L.mm(3)
        review = course_review(rows, self.plans)
        plan_text = review_lines(review)
        if plan_text:
            L.flow(L.left, L.width, plan_text, _font(9.5), head)
            L.y += L.mm(3)
        h = min(L.mm(85), L.room() * 0.5)
        rect = QRectF(L.left, L.y, L.width, h)
        chart = CourseChart()
        chart.set_rows(rows, review.planned if review.plan and review.rows == tuple(rows) else None)

        def op(p: QPainter, rect=rect) -> None:
            chart.paint_into(p, rect)

        L.add(op)
        L.box(rect, None, RULE, 0.2)
        L.y += h + L.mm(5)
        table = []
        for r in rows:
            table.append(
                (
                    [
                        str(r.number),
                        r.visited_on.isoformat(),
                        "—" if r.pain_before is None else str(r.pain_before),
                        "—" if r.pain_after is None else str(r.pain_after),
                        "—" if r.extent is None else f"{r.extent.chart_share * 100:.1f}",
                        "—" if r.extent is None else f"{r.extent.body_share * 100:.1f}",
                        "—" if r.overlap is None else f"{r.overlap:.2f}",
                        str(r.active_trps),
                        str(r.latent_trps),
                        str(r.needled),
                        ", ".join(str(c) for c in r.choir) if r.choir else "—",
                    ],
                    "",
                    False,
                )
            )
        note = (
            "Pain 0–10. Extent: the drawn area as a share of the whole chart (front, back and soles), "
            "and weighted by body surface (Lund & Browder). Overlap: Jaccard index of the visit's drawn "
            "area with the previous visit's (1 = the same area, 0 = none shared; — for the first visit "
            "or when neither drew). Deleted marks and drawings are left out."
        )
        self._table(COURSE_COLUMNS, table, head, "Visit by visit", note)


# --- painting ---------------------------------------------------------------------------------------


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ReportCancelled("the report was cancelled")


def render_report(
    painter: QPainter,
    page_rect: QRectF,
    store,
    patient_id: int,
    visit_ids: list[int],
    progress: Progress | None = None,
    history: bool = False,
) -> None:
    """Paint the report of `visit_ids` (each a visit of the patient, in the order given) into `page_rect` of
    each page. On a QPdfWriter or QPrinter (paged devices) every page is painted, with newPage() between
    them; on any other device (an image, a widget) only the first page.

    `progress(done, total)` is called with 0 and then after each page; if it returns False the report stops
    with ReportCancelled. Raises RecordsError for a visit that is not the patient's. With `history`, the
    report ends with the history of changes to the record."""
    device = painter.device()
    layout = _Layout(device, QRectF(page_rect))
    report = _Report(layout, store, patient_id, visit_ids, history)
    report.build()
    pages = layout.pages
    paged = isinstance(device, QPagedPaintDevice)
    if not paged:
        pages = pages[:1]
    total = len(layout.pages)
    _tick(progress, 0, len(pages))
    painter.save()
    try:
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing
            | QPainter.RenderHint.TextAntialiasing
            | QPainter.RenderHint.SmoothPixmapTransform
        )
        for i, page in enumerate(pages):
            if i and not device.newPage():
                raise OSError("could not start a new page (is the disk full?)")
            painter.fillRect(layout.rect, QColor("white"))
            if page.head:
                _running_head(painter, layout, page.head)
            for op in page.ops:
                op(painter)
            _footer(painter, layout, report.who, i + 1, total)
            _tick(progress, i + 1, len(pages))
    finally:
        painter.restore()


def _running_head(p: QPainter, L: _Layout, text: str) -> None:
    p.setFont(L.head_font)
    p.setPen(MUTED)
    fm = L.metrics(L.head_font)
    p.drawText(
        QPointF(L.left, L.rect.top() + fm.ascent()), fm.elidedText(text, Qt.TextElideMode.ElideRight, L.width)
    )
    y = L.rect.top() + L.head_h
    p.setPen(QPen(RULE, L.mm(0.2)))
    p.drawLine(QPointF(L.left, y), QPointF(L.rect.right(), y))


def _footer(p: QPainter, L: _Layout, who: str, page: int, total: int) -> None:
    fm = L.metrics(L.foot_font)
    y = L.rect.bottom() - fm.descent()
    p.setPen(QPen(RULE, L.mm(0.2)))
    p.drawLine(QPointF(L.left, L.bottom + L.mm(1.5)), QPointF(L.rect.right(), L.bottom + L.mm(1.5)))
    p.setFont(L.foot_font)
    p.setPen(MUTED)
    right = f"Page {page} of {total}"
    middle = f"bodymap {__version__} · made {date.today().isoformat()}"
    p.drawText(QPointF(L.rect.right() - fm.horizontalAdvance(right), y), right)
    p.drawText(QPointF(L.left + (L.width - fm.horizontalAdvance(middle)) / 2, y), middle)
    p.drawText(QPointF(L.left, y), fm.elidedText(who, Qt.TextElideMode.ElideRight, L.width * 0.33))


def _visit_ids(store, patient_id: int, visit_number: int | None) -> list[int]:
    visits = store.visits(patient_id)
    if visit_number is None:
        return [v.id for v in visits]
    if not 1 <= visit_number <= len(visits):
        raise no_such_visit(store.patient(patient_id), visit_number, len(visits))
    return [visits[visit_number - 1].id]


def report_title(patient, visit_number: int | None = None) -> str:
    which = "visit report" if visit_number is None else f"visit {visit_number} report"
    return f"{patient.name} — dry needling {which}"


def write_report(
    store,
    patient_id: int,
    out: Path,
    visit_number: int | None = None,
    progress: Progress | None = None,
    history: bool = False,
) -> Path:
    """Write the report of all the patient's visits (or of visit `visit_number`, 1 = the first by date) to
    the PDF `out` (A4, 300 dpi), atomically and readable by the owner only: the file appears complete or
    not at all. Cancelling through `progress` raises ReportCancelled and leaves no file (an earlier file
    at `out` stays as it was)."""
    out = Path(out)
    patient = store.patient(patient_id)
    ids = _visit_ids(store, patient_id, visit_number)
    if not out.parent.is_dir():
        raise RecordsError(f"cannot write {out}: the folder {out.parent} does not exist")
    painter = QPainter()
    with replacing(out) as tmp:
        try:
            writer = QPdfWriter(str(tmp))
            writer.setTitle(report_title(patient, visit_number))
            writer.setCreator(f"bodymap {__version__}")
            writer.setResolution(PDF_DPI)
            writer.setPageLayout(
                QPageLayout(
                    QPageSize(QPageSize.PageSizeId.A4),
                    QPageLayout.Orientation.Portrait,
                    QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                    QPageLayout.Unit.Millimeter,
                )
            )
            if not painter.begin(writer):
                raise OSError(f"cannot write {out}")
            paint = writer.pageLayout().paintRectPixels(writer.resolution())
            render_report(
                painter,
                QRectF(0, 0, paint.width(), paint.height()),
                store,
                patient_id,
                ids,
                progress,
                history,
            )
            if not painter.end():
                raise OSError(f"could not finish writing {out}")
            del writer  # closes the file before it takes the place of `out`
        except BaseException:
            if painter.isActive():
                painter.end()  # lets go of the file before replacing() removes it
            raise
    return out


def print_report(
    store, patient_id: int, printer, visit_ids: list[int], progress: Progress | None = None
) -> None:
    """Print the report of `visit_ids` on a QPrinter (as set up by a QPrintDialog). Cancelling through
    `progress` aborts the print job and raises ReportCancelled."""
    patient = store.patient(patient_id)
    printer.setDocName(report_title(patient))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(f"cannot print to {printer.printerName() or 'the printer'}")
    try:
        paint = printer.pageLayout().paintRectPixels(printer.resolution())
        page = QRectF(0, 0, paint.width(), paint.height())
        render_report(painter, page, store, patient_id, visit_ids, progress)
    except BaseException:
        printer.abort()
        painter.end()
        raise
    painter.end()


__all__ = [
    "DRAWING_STYLES",
    "ReportCancelled",
    "drawing_brush",
    "drawing_style",
    "paint_hatch",
    "print_report",
    "render_report",
    "report_title",
    "write_report",
]
