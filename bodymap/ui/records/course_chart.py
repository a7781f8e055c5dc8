"""The course of care as a small chart: pain before / after each visit (two lines, 0-10), pain extent
(bars on a second axis), and the active trigger points and the overlap with the previous visit's drawing
written under each visit.

Plain QPainter, so the window and the PDF report draw the very same picture: the widget paints itself
with `paintEvent`, the report calls `paint_into(painter, rect)`. Sizes are in "design pixels" (1/96 in)
scaled by the device's resolution, so the chart looks the same on screen and on a 300 dpi page.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from bodymap.core.records.metrics import CourseRow

BEFORE = QColor("#b03a2e")  # pain before the visit: solid line, round dots
AFTER = QColor("#1f5f9e")  # pain after: dashed line, square dots (tells them apart in black and white too)
BAR = QColor("#cfd8e3")
BAR_EDGE = QColor("#8a9bb0")
TEXT = QColor("#1d1d1d")
MUTED = QColor("#5f6368")
GRID_LINE = QColor("#e3e5e8")
AXIS = QColor("#80868b")

EMPTY_TEXT = "No visits yet: the course of care appears here once a visit is recorded."
CAPTIONS = ("Visit", "Date", "Active TrPs", "Extent %", "Overlap")  # rows under the visits, when compact


def _nice_ceiling(value: float) -> float:
    """A round axis maximum (percent) at or above `value`: 5, 10, 20, 25, 50, 100."""
    for top in (5.0, 10.0, 20.0, 25.0, 50.0, 100.0):
        if value <= top + 1e-9:
            return top
    return 100.0


def _font(points: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setStyleHint(QFont.StyleHint.SansSerif)
    f.setPointSizeF(points)
    f.setBold(bold)
    return f


def extent_percent(row: CourseRow) -> float | None:
    """The visit's pain extent as a percentage of the chart (front + back + soles); None: nothing drawn."""
    return None if row.extent is None else row.extent.chart_share * 100.0


def paint_course(
    painter: QPainter, rect: QRectF, rows: Sequence[CourseRow], planned: int | None = None
) -> None:
    """Draw the course-of-care chart of `rows` into `rect` of any painter (widget, image, PDF, printer).
    With `planned` visits (the course plan), the visits still to come have an empty, dashed slot."""
    rect = QRectF(rect)
    dev = painter.device()
    k = (dev.logicalDpiY() if dev is not None else 96) / 96.0  # design pixel -> device units

    def d(v: float) -> float:
        return v * k

    painter.save()
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.setClipRect(rect)
    small, label, bold = _font(7.5), _font(8), _font(8, bold=True)
    fm_small = QFontMetricsF(small, dev) if dev is not None else QFontMetricsF(small)
    fm = QFontMetricsF(label, dev) if dev is not None else QFontMetricsF(label)

    if not rows:
        painter.setFont(_font(9))
        painter.setPen(MUTED)
        painter.drawText(
            rect.adjusted(d(8), d(8), -d(8), -d(8)),
            int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
            EMPTY_TEXT,
        )
        painter.restore()
        return

    line_h = fm.height()
    pad = d(6)
    legend_h = line_h + d(6)
    under_h = 5 * fm_small.height() + d(8)  # visit, date, active TrPs, extent, overlap
    left_w = fm_small.horizontalAdvance("10") + d(22)
    # Under each visit its number, date, active TrPs, extent and overlap, in words when there is room;
    # else only the values, with the captions once on the left ("compact").
    full_w = max(
        fm_small.horizontalAdvance(t)
        for t in ("2024-12-31", "10 active TrPs", "extent 10.0 %", "overlap 0.00", "nothing drawn")
    ) + d(6)
    right_w = fm_small.horizontalAdvance("100 %") + d(22)
    compact = (rect.width() - 2 * pad - left_w - right_w) / len(rows) < full_w
    if compact:
        left_w = max(left_w, max(fm_small.horizontalAdvance(c) for c in CAPTIONS) + d(8))
    plot = QRectF(
        rect.left() + pad + left_w,
        rect.top() + pad + legend_h,
        rect.width() - 2 * pad - left_w - right_w,
        rect.height() - 2 * pad - legend_h - under_h - fm_small.height(),
    )
    if plot.width() < d(40) or plot.height() < d(30):
        painter.setFont(small)
        painter.setPen(MUTED)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), "(too small to draw the course of care)")
        painter.restore()
        return

    # --- legend -------------------------------------------------------------------------------------
    painter.setFont(label)
    x = plot.left()
    ly = rect.top() + pad + line_h / 2
    for kind, text in (
        ("before", "Pain before"),
        ("after", "Pain after"),
        ("bar", "Pain extent (% of chart)"),
    ):
        if kind == "bar":
            painter.setPen(QPen(BAR_EDGE, d(1)))
            painter.setBrush(BAR)
            painter.drawRect(QRectF(x, ly - d(5), d(10), d(10)))
        else:
            _series_sample(painter, QPointF(x + d(9), ly), kind, d)
            x += d(8)
        x += d(14)
        painter.setPen(TEXT)
        painter.drawText(QPointF(x, ly + fm.ascent() / 2 - d(1)), text)
        x += fm.horizontalAdvance(text) + d(16)

    # --- axes and grid --------------------------------------------------------------------------------
    def y_pain(v: float) -> float:
        return plot.bottom() - v / 10.0 * plot.height()

    extents = [e for e in (extent_percent(r) for r in rows) if e is not None]
    top = _nice_ceiling(max(extents, default=0.0))

    def y_ext(v: float) -> float:
        return plot.bottom() - v / top * plot.height()

    painter.setFont(small)
    for v in range(0, 11, 2):
        y = y_pain(v)
        painter.setPen(QPen(GRID_LINE, d(0.8)))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(MUTED)
        painter.drawText(
            QRectF(plot.left() - left_w, y - line_h / 2, left_w - d(5), line_h),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            str(v),
        )
    steps = 4 if top == 20.0 else 5  # whole-number ticks: 1, 2, 5, 5, 10 or 20 % apart
    for i in range(steps + 1):
        v = top * i / steps
        y = y_ext(v)
        painter.setPen(MUTED)
        txt = f"{v:g} %"
        painter.drawText(
            QRectF(plot.right() + d(5), y - line_h / 2, right_w - d(5), line_h),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            txt,
        )
    painter.setPen(QPen(AXIS, d(1)))
    painter.drawLine(plot.bottomLeft(), plot.topLeft())
    painter.drawLine(plot.bottomRight(), plot.topRight())
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    # axis titles, rotated
    for title, cx, angle in (
        ("Pain (0–10)", rect.left() + pad + fm_small.height() / 2, -90),
        ("Extent (% of chart)", rect.right() - pad - fm_small.height() / 2, 90),
    ):
        painter.save()
        painter.translate(cx, plot.center().y())
        painter.rotate(angle)
        painter.setPen(MUTED)
        w = fm_small.horizontalAdvance(title) + d(4)
        painter.drawText(
            QRectF(-w / 2, -fm_small.height() / 2, w, fm_small.height()),
            int(Qt.AlignmentFlag.AlignCenter),
            title,
        )
        painter.restore()

    # --- bars (extent) --------------------------------------------------------------------------------
    n = len(rows)
    slots = max(n, planned or 0)
    slot = plot.width() / slots
    xs = [plot.left() + (i + 0.5) * slot for i in range(n)]
    bar_w = min(slot * 0.42, d(36))
    for i in range(n, slots):  # planned, not yet done
        xv = plot.left() + (i + 0.5) * slot
        painter.setPen(QPen(BAR_EDGE, d(0.8), Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(xv - bar_w / 2, plot.top() + d(4), bar_w, plot.height() - d(4)))
        painter.setFont(small)
        painter.setPen(MUTED)
        text = f"{i + 1}: planned"
        painter.drawText(QPointF(xv - fm_small.horizontalAdvance(text) / 2, plot.bottom() - d(4)), text)
    show_values = slot >= d(40)  # the pain values beside the dots
    for xv, row in zip(xs, rows, strict=True):
        e = extent_percent(row)
        if e is None:
            continue
        y = y_ext(min(e, top))
        painter.setPen(QPen(BAR_EDGE, d(0.8)))
        painter.setBrush(BAR)
        painter.drawRect(QRectF(xv - bar_w / 2, y, bar_w, plot.bottom() - y))

    # --- pain lines -----------------------------------------------------------------------------------
    for kind, attr in (("before", "pain_before"), ("after", "pain_after")):
        color = BEFORE if kind == "before" else AFTER
        pen = QPen(color, d(2))
        if kind == "after":
            pen.setStyle(Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        path, drawing = QPainterPath(), False
        for xv, row in zip(xs, rows, strict=True):
            v = getattr(row, attr)
            if v is None:
                drawing = False  # a gap: not asked at this visit
                continue
            p = QPointF(xv, y_pain(v))
            path.lineTo(p) if drawing else path.moveTo(p)
            drawing = True
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        for xv, row in zip(xs, rows, strict=True):
            v = getattr(row, attr)
            if v is not None:
                _dot(painter, QPointF(xv, y_pain(v)), kind, d)
                if show_values:
                    painter.setFont(small)
                    painter.setPen(color)
                    txt = str(v)
                    dx = -d(7) - fm_small.horizontalAdvance(txt) if kind == "before" else d(7)
                    painter.drawText(QPointF(xv + dx, y_pain(v) - d(3)), txt)

    # --- labels under each visit ----------------------------------------------------------------------
    y0 = plot.bottom() + d(5)
    lh = fm_small.height()
    if compact:
        painter.setFont(small)
        painter.setPen(MUTED)
        for j, caption in enumerate(CAPTIONS):
            painter.drawText(
                QRectF(rect.left() + pad, y0 + j * lh, left_w - d(4), lh),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                caption,
            )
    for xv, row in zip(xs, rows, strict=True):
        overlap = "—" if row.overlap is None else f"{row.overlap:.2f}"
        e = extent_percent(row)
        if compact:
            lines = [
                (str(row.number), bold),
                (row.visited_on.strftime("%m-%d"), small),
                (str(row.active_trps), small),
                ("—" if e is None else f"{e:.1f}", small),
                (overlap, small),
            ]
        else:
            lines = [
                (f"Visit {row.number}", bold),
                (row.visited_on.isoformat(), small),
                (f"{row.active_trps} active TrP{'s' if row.active_trps != 1 else ''}", small),
                ("nothing drawn" if e is None else f"extent {e:.1f} %", small),
                (f"overlap {overlap}", small),
            ]
        for j, (text, font) in enumerate(lines):
            painter.setFont(font)
            painter.setPen(TEXT if j in (0, 2) else MUTED)
            metrics = QFontMetricsF(font, dev) if dev is not None else QFontMetricsF(font)
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, slot)
            painter.drawText(
                QRectF(xv - slot / 2, y0 + j * lh, slot, lh), int(Qt.AlignmentFlag.AlignCenter), shown
            )
    painter.restore()


def _dot(painter: QPainter, p: QPointF, kind: str, d) -> None:
    color = BEFORE if kind == "before" else AFTER
    painter.setPen(QPen(QColor("white"), d(1)))
    painter.setBrush(color)
    if kind == "before":
        painter.drawEllipse(p, d(4), d(4))
    else:
        painter.drawRect(QRectF(p.x() - d(3.6), p.y() - d(3.6), d(7.2), d(7.2)))


def _series_sample(painter: QPainter, centre: QPointF, kind: str, d) -> None:
    color = BEFORE if kind == "before" else AFTER
    pen = QPen(color, d(2))
    if kind == "after":
        pen.setStyle(Qt.PenStyle.DashLine)
    painter.setPen(pen)
    painter.drawLine(QPointF(centre.x() - d(9), centre.y()), QPointF(centre.x() + d(9), centre.y()))
    _dot(painter, centre, kind, d)


class CourseChart(QWidget):
    """Pain before / after, pain extent, active trigger points and overlap, visit by visit."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[CourseRow] = []
        self.planned: int | None = None  # the course plan's visits, when there is one
        self.setMinimumSize(260, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setToolTip(
            "Course of care: pain before (solid) and after (dashed) each visit, 0–10; bars: "
            "pain extent as % of the chart; under each visit the active trigger points and the "
            "overlap (Jaccard) of the pain drawing with the previous visit's"
        )

    def set_rows(self, rows: Sequence[CourseRow], planned: int | None = None) -> None:
        self._rows = list(rows)
        self.planned = planned
        self.update()

    def rows(self) -> list[CourseRow]:
        return list(self._rows)

    def sizeHint(self) -> QSize:
        return QSize(520, 260)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        paint_course(painter, QRectF(self.rect()), self._rows, self.planned)
        painter.end()

    def paint_into(self, painter: QPainter, rect: QRectF) -> None:
        """Draw the same chart into `rect` of another painter (the PDF report, a printer, an image)."""
        paint_course(painter, rect, self._rows, self.planned)


__all__ = ["EMPTY_TEXT", "CourseChart", "extent_percent", "paint_course"]
