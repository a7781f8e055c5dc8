"""The patient's aftercare sheet after a needling visit, as a PDF or on a printer.

Large type (14 pt text, 22 pt title) and plain words (core/records/aftercare.py says what, with its
sources): the patient's name and the visit's date, the next visit and the clinic's contact line from
the settings, the warning signs that need urgent care (in a red box, on the first page), their chart
with the muscles treated today shaded and a dot where each needle went in (only the views that show
them, cropped to where they are, the patient's R and L on each), the areas in words, what to expect,
what helps, what to call about the same day, and the next visit and contact line again at the end.
The sources are listed in small type at the end, for a clinician who reads it.

Laid out as a rich-text document (QTextDocument) so that long text flows onto a second page by itself;
every text from the records or the settings goes in escaped, never as markup.

    write_handout(store, patient_id, 3, Path("ann-aftercare.pdf"), clinic="...", contact="...")
    print_handout(store, patient_id, 3, printer, ...)
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPen,
    QTextDocument,
)

from bodymap import __version__
from bodymap.core.chart.frame import VIEWS
from bodymap.core.files import replacing
from bodymap.core.records.aftercare import Aftercare, aftercare
from bodymap.core.records.model import RecordsError

from ..pdf import a4_writer
from .report import Chart, DrawingLayer

BODY_PT = 14
TITLE_PT = 22
MARGIN_MM = 18.0
CHART_PX = 1400  # the chart image's width in pixels (about 300 dpi across the text width)


def _e(text: str) -> str:
    return html.escape(text, quote=False)


def _date(d) -> str:
    return f"{d.strftime('%A')} {d.day} {d.strftime('%B %Y')}"


def visit_of(store, patient_id: int, visit_number: int):
    """The patient's record and visit N (1 = the first by date); RecordsError in one line otherwise."""
    record = store.record(patient_id)
    live = [vr for vr in record.visits if vr.visit.deleted_at is None]
    if not 1 <= visit_number <= len(live):
        visits = f"{len(live)} visit{'s' if len(live) != 1 else ''}"
        raise RecordsError(f"patient {patient_id} has no visit {visit_number} ({visits})")
    return record, live[visit_number - 1]


def chart_image(store, sheet: Aftercare) -> QImage | None:
    """The patient's chart with the treated muscles shaded and the needle points: only the views that
    show them. None when nothing was needled."""
    if not sheet.points:
        return None
    atlas, body = store.placer.atlas, store.placer.body
    chart = Chart(body)
    areas: dict = {}
    for m in sheet.points:
        muscle = atlas.muscles.get(m.muscle or "")
        side = m.side if m.side in ("right", "left") else "right"
        if muscle is not None:
            for view, geom in muscle.outlines.get(side, {}).items():
                areas[view] = geom if view not in areas else areas[view].union(geom)
    # The views the needles went in on, only: a muscle drawn on another view too (the neck on the head's
    # profiles) would shrink the chart the patient has to find the points on.
    views = [v for v in VIEWS if any(p.view == v for p in sheet.points)]
    areas = {v: g for v, g in areas.items() if v in views}
    chart.show([], [])  # the needle points are drawn below, larger than a chart mark
    if areas:
        layer = DrawingLayer(chart.scene)
        layer.show(areas, 0, "treated today")
    rect = chart.scene.views_rect(tuple(views))
    # Down to a little below the lowest point treated (the head, titles and R / L stay): larger dots and
    # areas for the patient to find. The views run from above the head (top) to the soles (bottom).
    lowest = min([p.y for p in sheet.points] + [g.bounds[1] for g in areas.values()])
    keep = min(1.0, 1.0 - lowest + 0.15)
    chart.source = QRectF(rect.left(), rect.top(), rect.width(), rect.height() * keep)
    image = chart.image(CHART_PX / 4, 300)  # width in mm at 4 px per mm: crisp at the sheet's size
    _needle_dots(image, chart.source, image.width() / image.devicePixelRatio(), sheet)
    return image


def _needle_dots(image: QImage, source: QRectF, logical_w: float, sheet: Aftercare) -> None:
    """A dot where each needle went in, large enough to see on paper (the chart's own marks are sized
    for a clinician's report), with a white ring so it shows on the shading."""
    from ..chart.layout import PLACEMENTS

    k = logical_w / source.width()
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    r = max(6.0, image.width() / image.devicePixelRatio() * 0.016)  # about 2 mm across on the sheet
    for m in sheet.points:
        sx, sy = PLACEMENTS[m.view].to_scene(m.x, m.y)
        c = QPointF((sx - source.left()) * k, (sy - source.top()) * k)
        p.setPen(QPen(QColor("white"), 4))
        p.setBrush(QColor("#c0392b"))
        p.drawEllipse(c, r, r)
    p.end()


def handout_html(sheet: Aftercare, has_chart: bool) -> str:
    """The sheet as rich text (every record or settings text escaped)."""
    p = []
    p.append(f"<h1 style='font-size:{TITLE_PT}pt; margin:0'>After your treatment</h1>")
    who = f"{_e(_date(sheet.visited_on))} &nbsp;·&nbsp; {_e(sheet.patient)}"
    if sheet.therapist:
        who += f" &nbsp;·&nbsp; your therapist: {_e(sheet.therapist)}"
    if sheet.clinic:
        who += f" &nbsp;·&nbsp; {_e(sheet.clinic)}"
    p.append(f"<p style='margin-top:4px'>{who}</p>")
    contact = _e(sheet.contact) if sheet.contact else "ask your therapist for the clinic's phone number"
    when = f"<b>{_e(_date(sheet.next_visit))}</b>" if sheet.next_visit else "not booked yet: please call us"
    p.append(f"<p>Your next visit: {when}<br>Questions? Call the clinic: <b>{contact}</b></p>")
    urgent = "".join(f"<li>{_e(a.text)}</li>" for a in sheet.urgent)
    p.append(
        "<table width='100%' cellpadding='8' style='background:#fdecea; border:2px solid #c0392b'>"
        "<tr><td><b style='color:#922b21'>Get help straight away if you have:</b>"
        f"<ul>{urgent}</ul></td></tr></table>"
    )
    if has_chart:
        p.append("<p align='center'><img src='chart:treated' width='360'></p>")
        p.append(
            "<p style='font-size:12pt'>Shaded: the muscles treated today. Dots: where the needles went "
            "in. R and L are your right and left side.</p>"
        )
    if sheet.treated:
        p.append("<h2>Treated today</h2><ul>")
        p += [f"<li>{_e(t)}</li>" for t in sheet.treated]
        p.append("</ul>")
    p.append("<h2>What to expect</h2><ul>")
    p += [f"<li>{_e(a.text)}</li>" for a in sheet.expect]
    p.append("</ul><h2>What helps</h2><ul>")
    p += [f"<li>{_e(a.text)}</li>" for a in sheet.helps]
    p.append("</ul><h2>Call us or your doctor the same day if you have</h2><ul>")
    p += [f"<li>{_e(a.text)}</li>" for a in sheet.soon]
    p.append("</ul>")
    p.append(f"<p>Your next visit: {when}. Questions? Call the clinic: <b>{contact}</b></p>")
    sources = "".join(f"<li>{_e(s)}</li>" for s in sheet.sources)
    p.append(
        f"<p style='font-size:8pt; color:#666'>For clinicians (bodymap {__version__}), the advice on "
        "this sheet follows:</p>"
        f"<ol style='font-size:8pt; color:#666'>{sources}</ol>"
    )
    return "\n".join(p)


def _document(store, patient_id: int, visit_number: int, clinic: str, contact: str) -> QTextDocument:
    record, vr = visit_of(store, patient_id, visit_number)
    sheet = aftercare(record, vr, store.placer.atlas, clinic=clinic, contact=contact)
    doc = QTextDocument()
    font = QFont()
    font.setPointSizeF(BODY_PT)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(f"h2 {{ font-size: {BODY_PT + 4}pt; margin-top: 10px; margin-bottom: 2px }}")
    image = chart_image(store, sheet)
    if image is not None:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl("chart:treated"), image)
    doc.setHtml(handout_html(sheet, image is not None))
    return doc


def write_handout(
    store, patient_id: int, visit_number: int, out: Path, *, clinic: str = "", contact: str = ""
) -> Path:
    """Write the aftercare sheet of visit `visit_number` (1 = the first by date) to the PDF `out` (A4),
    atomically: the file appears complete or not at all."""
    out = Path(out)
    if not out.parent.is_dir():
        raise RecordsError(f"cannot write {out}: the folder {out.parent} does not exist")
    doc = _document(store, patient_id, visit_number, clinic, contact)
    with replacing(out) as tmp:
        writer = a4_writer(tmp, f"Aftercare after dry needling, visit {visit_number}", 300, MARGIN_MM)
        doc.print_(writer)
        del writer  # closes the file before it takes the place of `out`
    return out


def print_handout(
    store, patient_id: int, visit_number: int, printer, *, clinic: str = "", contact: str = ""
) -> None:
    """Print the aftercare sheet on a QPrinter (as set up by a QPrintDialog)."""
    printer.setDocName(f"Aftercare after dry needling, visit {visit_number}")
    _document(store, patient_id, visit_number, clinic, contact).print_(printer)


__all__ = ["write_handout", "print_handout", "handout_html", "chart_image", "visit_of"]
