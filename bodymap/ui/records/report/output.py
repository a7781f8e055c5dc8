"""Reports out: laid out, then painted page by page to a PDF (written complete or not at all) or a
printer, with progress and cancelling."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPagedPaintDevice, QPainter, QPen

from bodymap import __version__
from bodymap.core.files import replacing
from bodymap.core.records.model import RecordsError, no_such_visit

from ...pdf import a4_writer
from .layout import Layout
from .sections import Report
from .style import MARGIN_MM, MUTED, PDF_DPI, RULE, Progress, ReportCancelled

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
    layout = Layout(device, QRectF(page_rect))
    report = Report(layout, store, patient_id, visit_ids, history)
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


def _running_head(p: QPainter, L: Layout, text: str) -> None:
    p.setFont(L.head_font)
    p.setPen(MUTED)
    fm = L.metrics(L.head_font)
    p.drawText(
        QPointF(L.left, L.rect.top() + fm.ascent()), fm.elidedText(text, Qt.TextElideMode.ElideRight, L.width)
    )
    y = L.rect.top() + L.head_h
    p.setPen(QPen(RULE, L.mm(0.2)))
    p.drawLine(QPointF(L.left, y), QPointF(L.rect.right(), y))


def _footer(p: QPainter, L: Layout, who: str, page: int, total: int) -> None:
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
            writer = a4_writer(tmp, report_title(patient, visit_number), PDF_DPI, MARGIN_MM)
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
