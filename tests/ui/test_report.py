"""The visit report (PDF / print) and the course-of-care chart, on a real records store."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from datetime import date

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from shapely.ops import unary_union

from bodymap.core.chart.body import load_body
from bodymap.core.records import (
    AfterEffects,
    Consent,
    Drawing,
    Findings,
    Needle,
    Patient,
    RecordsError,
    Screen,
    Store,
    Treatment,
    Visit,
)
from bodymap.core.records.metrics import course_of_care
from bodymap.ui.records.course_chart import CourseChart
from bodymap.ui.records.report import ReportCancelled, render_report, write_report

HAS_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None


def landmark(view: str, name: str, side: str) -> tuple[float, float]:
    lm = load_body()[view].landmark(name, side)
    assert lm is not None, (view, name, side)
    return lm.point


def regions(view: str, *ids_sides) -> object:
    body = load_body()
    return unary_union([body[view].region(rid, side).geometry for rid, side in ids_sides])


def build_record(store: Store, visits: int = 3) -> tuple[int, list[int]]:
    """Ann Lee on anticoagulants, with right-sided neck pain: three visits with marks and drawings."""
    p = store.add_patient(
        Patient(given_name="Ann", family_name="Lee", date_of_birth=date(1980, 5, 1), sex="female")
    )
    store.add_screen(Screen(patient_id=p.id, screened_on=date(2024, 2, 20), anticoagulant=True))
    store.add_consent(Consent(patient_id=p.id, consented_on=date(2024, 2, 20)))
    plan = [
        (date(2024, 3, 1), 7, 4, None, "Right-sided neck pain with headache behind the right eye"),
        (date(2024, 3, 8), 5, 3, AfterEffects(soreness=True, soreness_hours=36.0), "Neck pain, better"),
        (date(2024, 3, 15), 3, 1, AfterEffects(), "Mild neck stiffness"),
    ][:visits]
    ids = []
    for n, (on, before, after, effects, complaint) in enumerate(plan, 1):
        v = store.add_visit(
            Visit(
                patient_id=p.id,
                visited_on=on,
                therapist="J. Brown",
                complaint=complaint,
                pain_before=before,
                pain_after=after,
                after=effects,
            )
        )
        ids.append(v.id)
        store.add_mark(
            v.id,
            "back",
            *landmark("back", "mastoid_process", "right"),
            Findings(
                status="active",
                twitch=True,
                familiar_pain=True,
                referral=True,
                tenderness=8,
                notes="Reproduces the headache behind the right eye",
            ),
            Treatment(needle=Needle(0.25, 30), depth_mm=12, technique="pistoning", passes=5, twitches=2),
        )
        store.add_mark(
            v.id,
            "back",
            *landmark("back", "superior_angle_of_scapula", "left"),
            Findings(status="latent", tenderness=4, ppt_kpa=310.0),
        )
        if n < 3:
            store.add_mark(
                v.id,
                "front",
                *landmark("front", "lateral_epicondyle_of_humerus", "left"),
                Findings(status="active" if n == 1 else "latent", twitch=False),
                Treatment() if n == 1 else None,
            )
            store.add_mark(v.id, "plantar", *landmark("plantar", "calcaneus_plantar_surface", "right"))
        store.add_drawing(
            Drawing(
                visit_id=v.id,
                symptom="pain",
                intensity=before,
                areas={"back": regions("back", ("posterior_neck", "right"), ("suboccipital", "right"))},
            )
        )
        if n == 1:
            store.add_drawing(
                Drawing(
                    visit_id=v.id,
                    symptom="tingling",
                    intensity=3,
                    areas={"front": regions("front", ("lateral_elbow", "left"))},
                )
            )
    return p.id, ids


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "db.sqlite")
    yield s
    s.close()


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def pdf_text(path, layout: bool = True) -> str:
    """The PDF's text: laid out as on the page (table rows on one line), or as a stream of words."""
    text = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.replace("\u00a0", " ")
    return text if layout else " ".join(text.split())


def test_write_report_all_visits(qapp, store, tmp_path):
    pid, _ids = build_record(store)
    calls = []
    out = write_report(
        store, pid, tmp_path / "ann.pdf", progress=lambda done, total: calls.append((done, total)) or True
    )
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    pages = page_count(data)
    # one page per visit at least, and the course of care at the end
    assert pages >= 4
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1] == pages
    assert [c[0] for c in calls] == list(range(pages + 1))
    assert out.stat().st_mode & 0o077 == 0  # health data: the owner's only
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ann.pdf")]  # no temporary file left
    if HAS_POPPLER:
        info = subprocess.run(["pdfinfo", str(out)], check=True, capture_output=True, text=True).stdout
        assert re.search(rf"Pages:\s+{pages}\b", info)
        assert "Ann Lee" in info  # the title
        text = pdf_text(out)
        assert "Ann Lee" in text
        assert "anticoagulant or antiplatelet medication" in text
        assert "Visit 1 of 3" in text and "Visit 3 of 3" in text
        assert "Course of care" in text
        # the findings: sides are the patient's, region and trigger point named
        assert re.search(r"\bright\b", text) and re.search(r"\bleft\b", text)
        assert "Mastoid" in text or "mastoid" in text
        assert "Reproduces the headache behind the right eye" in text
        assert "soreness (36 h)" in text
        assert "Tingling / pins and needles, intensity 3/10" in pdf_text(out, layout=False)
        assert "8/10" in text and "310 kPa" in text


def test_findings_rows_match_the_marks(qapp, store, tmp_path):
    pid, ids = build_record(store, visits=1)
    out = write_report(store, pid, tmp_path / "one.pdf")
    assert page_count(out.read_bytes()) >= 1
    if not HAS_POPPLER:
        pytest.skip("pdftotext not installed")
    text = pdf_text(out)
    rows = {}  # mark number -> its table row (the first line of it)
    for ln in text.splitlines():
        m = re.match(r"\s*(\d+)\s+(front|back|soles)\s+(right|left|midline)\s+(.*)", ln)
        if m:
            rows[int(m[1])] = (m[2], m[3], m[4])
    # numbered in the order the marks were made, each on the patient's side where it was placed
    assert [rows[n][:2] for n in (1, 2, 3, 4)] == [
        ("back", "right"),
        ("back", "left"),
        ("front", "left"),
        ("soles", "right"),
    ]
    body = load_body()
    for n, m in enumerate(store.marks(ids[0]), 1):
        region = body[m.view].region(m.region_id, m.side).name
        assert rows[n][2].startswith(region.split()[0]), (n, region, rows[n])
    assert "Splenius capitis" in rows[1][2]  # the nearest trigger point to the mastoid
    # a single visit: no course of care
    assert "Course of care" not in text


def test_one_visit_by_number(qapp, store, tmp_path):
    pid, _ids = build_record(store)
    out = write_report(store, pid, tmp_path / "v2.pdf", visit_number=2)
    assert out.read_bytes().startswith(b"%PDF")
    if HAS_POPPLER:
        text = pdf_text(out)
        assert "Visit 2 of 3" in text and "Visit 1 of 3" not in text
        assert "Course of care" in text  # the patient has more than one visit
    with pytest.raises(RecordsError, match="no visit 4"):
        write_report(store, pid, tmp_path / "v4.pdf", visit_number=4)
    assert not (tmp_path / "v4.pdf").exists()
    with pytest.raises(RecordsError, match="does not exist"):
        write_report(store, pid, tmp_path / "nowhere" / "v2.pdf", visit_number=2)


def test_cancelling_leaves_no_file(qapp, store, tmp_path):
    pid, _ids = build_record(store)
    out = tmp_path / "cancelled.pdf"
    seen = []

    def progress(done, total):
        seen.append(done)
        return done < 2

    with pytest.raises(ReportCancelled):
        write_report(store, pid, out, progress=progress)
    assert seen == [0, 1, 2]
    assert not out.exists()
    assert list(tmp_path.glob(".cancelled.pdf*")) == []
    # an earlier report at the same place is left as it was
    out.write_bytes(b"old")
    with pytest.raises(ReportCancelled):
        write_report(store, pid, out, progress=lambda d, t: False)
    assert out.read_bytes() == b"old"


def test_no_screen_no_consent_and_no_visits(qapp, store, tmp_path):
    p = store.add_patient(Patient(given_name="Bo", family_name="Ek", date_of_birth=date(1990, 1, 2)))
    out = write_report(store, p.id, tmp_path / "bo.pdf")
    assert page_count(out.read_bytes()) == 1
    if HAS_POPPLER:
        text = pdf_text(out)
        assert "No precaution screen on record" in text
        assert "No consent to dry needling on record" in text
        assert "No visits are recorded" in text
    store.add_consent(Consent(patient_id=p.id, consented_on=date(2024, 1, 5), given=False))
    store.add_visit(Visit(patient_id=p.id, visited_on=date(2024, 1, 6)))
    out = write_report(store, p.id, tmp_path / "bo.pdf")
    if HAS_POPPLER:
        text = pdf_text(out)
        assert "WITHDRAWN" in text
        assert "No marks were recorded" in text


def test_long_findings_table_continues_on_the_next_page(qapp, store, tmp_path):
    pid, ids = build_record(store, visits=1)
    x, y = landmark("back", "spinous_process_of_l4", "midline")
    for i in range(40):
        store.add_mark(
            ids[0],
            "back",
            x + 0.002 * (i % 10),
            y + 0.01 * (i // 10),
            Findings(status="latent", tenderness=i % 11, notes=f"extra mark {i + 1}"),
        )
    out = write_report(store, pid, tmp_path / "long.pdf")
    assert page_count(out.read_bytes()) >= 2
    if HAS_POPPLER:
        text = pdf_text(out)
        assert text.count("extra mark") == 40  # every row printed once
        assert "(continued)" in text


def test_render_report_on_an_image_paints_the_first_page(qapp, store):
    pid, ids = build_record(store, visits=2)
    image = QImage(794, 1123, QImage.Format.Format_RGB32)  # A4 at 96 dpi
    image.fill(QColor("black"))
    painter = QPainter(image)
    calls = []
    render_report(painter, QRectF(40, 40, 714, 1043), store, pid, ids, lambda d, t: calls.append((d, t)))
    painter.end()
    assert calls == [(0, 1), (1, 1)]
    assert image.pixelColor(400, 60) == QColor("white")
    with pytest.raises(RecordsError):
        painter = QPainter(image)
        try:
            render_report(painter, QRectF(0, 0, 794, 1123), store, pid, [ids[0] + 999])
        finally:
            painter.end()


def test_print_report_to_a_pdf_printer(qapp, store, tmp_path):
    QtPrintSupport = pytest.importorskip("PySide6.QtPrintSupport")
    pid, ids = build_record(store, visits=2)
    printer = QtPrintSupport.QPrinter(QtPrintSupport.QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QtPrintSupport.QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    from bodymap.ui.records.report import print_report

    print_report(store, pid, printer, ids)
    data = (tmp_path / "printed.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    assert page_count(data) == 5  # two visits (each with its treatment table on a second page), the course


# --- the course-of-care chart ---------------------------------------------------------------------------


def _render(chart: CourseChart) -> QImage:
    chart.resize(560, 280)
    image = QImage(560, 280, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    chart.render(image)
    return image


def _ink(image: QImage) -> int:
    """How many pixels are not white (sampled)."""
    return sum(
        image.pixelColor(x, y) != QColor("white")
        for x in range(0, image.width(), 4)
        for y in range(0, image.height(), 4)
    )


@pytest.mark.parametrize("n", [0, 1, 4, 12])
def test_course_chart_paints(qtbot, store, n):
    pid, _ids = build_record(store)
    rows = course_of_care(store, pid)
    # a visit with no pain recorded and nothing drawn; many visits are labelled compactly
    more = [dataclasses.replace(rows[-1], number=k, pain_before=None, extent=None) for k in range(4, 13)]
    rows = (rows + more)[:n]
    chart = CourseChart()
    qtbot.addWidget(chart)
    chart.set_rows(rows)
    assert chart.rows() == rows
    image = _render(chart)
    assert _ink(image) > (20 if n == 0 else 200)
    # paint_into draws the same chart into another painter (as the report does)
    other = QImage(600, 300, QImage.Format.Format_RGB32)
    other.fill(QColor("white"))
    painter = QPainter(other)
    chart.paint_into(painter, QRectF(10, 10, 580, 280))
    painter.end()
    assert _ink(other) > (20 if n == 0 else 200)


def test_page_count_helper_ignores_the_pages_tree():
    assert page_count(b"<< /Type /Pages /Kids [] >> << /Type /Page >> << /Type/Page >>") == 2


def test_chart_keeps_the_patients_sides(qapp, store):
    """A mark on the patient's right is drawn on the viewer's right of the back view and on the viewer's
    left of the front view: the report's picture is not mirrored."""
    from bodymap.core.records.model import Mark
    from bodymap.ui.chart.layout import PLACEMENTS
    from bodymap.ui.records.report import Chart

    chart = Chart(load_body())
    src = chart.source
    for view, x_sign in (("back", 1), ("front", -1)):
        x, y = landmark(view, "acromion", "right")
        assert x * x_sign > 0
        mark = Mark(
            id=1,
            visit_id=1,
            view=view,
            x=x,
            y=y,
            side="right",
            region_id="r",
            findings=Findings(status="active"),
        )
        chart.show([mark], [])
        image = chart.image(180, 150)
        k = image.width() / src.width()
        mid_x, sy = PLACEMENTS[view].to_scene(0.0, y)
        cx, py = round((mid_x - src.left()) * k), round((sy - src.top()) * k)
        red = [
            px
            for px in range(image.width())
            if (c := image.pixelColor(px, py)).red() > 150 and c.green() < 90 and c.blue() < 90
        ]
        assert red, view
        assert all((px - cx) * x_sign > 0 for px in red), view


def test_the_legend_has_room_of_its_own_between_the_head_and_the_soles(qapp):
    """The legend sits in the chart's empty space: none of the body's views (their titles and R / L
    included) under it, at whatever size the charts are printed."""
    from bodymap.ui.records.report import Chart

    chart = Chart(load_body())
    src = chart.source
    for width in (500.0, 1800.0):
        target = QRectF(40.0, 300.0, width, width * src.height() / src.width())
        room = chart.legend_room(target, margin=3.0)
        k = width / src.width()
        assert room.width() > 0.2 * width and room.height() > 0.2 * target.height()  # room for it
        for view in ("front", "back", "head", "plantar"):
            shown = chart.scene.views_rect((view,))
            on_page = QRectF(
                target.left() + (shown.left() - src.left()) * k,
                target.top() + (shown.top() - src.top()) * k,
                shown.width() * k,
                shown.height() * k,
            )
            assert not room.intersects(on_page), (view, width)


def test_the_treatment_table_session_and_course_plan(qapp, store, tmp_path):
    from bodymap.core.records import Plan

    pid, ids = build_record(store, visits=2)
    store.add_plan(Plan(patient_id=pid, planned_on=date(2024, 3, 1), visits=4, goal="Work without headache"))
    store.update_visit(ids[0], reactions="none", advice_given=True, next_visit=date(2024, 3, 8))
    out = write_report(store, pid, tmp_path / "r.pdf")
    text = pdf_text(out, layout=False)
    assert "Treatment: 2 points needled" in text and "0.25 × 30 mm" in text and "pistoning, 5 passes" in text
    assert "Not recorded: needle, depth, technique" in text  # the point needled with nothing else known
    assert "Session Assessment:" in text and "next visit 2024-03-08" in text
    assert "Course planned 2024-03-01: 4 visits; goal: “Work without headache”. Visit 2 of 4." in text
    assert "Pain before treatment: 7/10 → 5/10" in text


def test_the_report_says_amended_after_the_visit_and_can_end_with_the_history(
    qapp, store, tmp_path, monkeypatch
):
    # Issue 10: a clinical record is amended, never overwritten; the report shows where and can list it.
    from datetime import datetime, timedelta, timezone

    from bodymap.core.records import transactions
    from bodymap.core.records.commands import UpdateMark

    pid, _ids = build_record(store, visits=1)
    mark = store.record(pid).visits[0].marks[0]
    tomorrow = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)
    monkeypatch.setattr(transactions, "now", lambda: tomorrow)  # the day after it was entered
    change = UpdateMark(mark.id, tenderness=9)
    change.do(store)
    change.undo(store)
    plain = write_report(store, pid, tmp_path / "plain.pdf")
    full = write_report(store, pid, tmp_path / "full.pdf", history=True)
    assert page_count(full.read_bytes()) == page_count(plain.read_bytes()) + 1
    if not HAS_POPPLER:
        return
    text = " ".join(pdf_text(plain, layout=False).split())
    assert "Amended after the visit: 2 changes" in text
    assert "History of changes" not in text
    history = " ".join(pdf_text(full, layout=False).split())
    assert "History of changes" in history
    assert "visit 1, mark 1: tenderness" in history and "(Undo Set tenderness)" in history
    assert "T. Tester" in history
