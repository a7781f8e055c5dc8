"""What a report says, section by section (header, precautions, the visit, its charts, findings,
treatment, the session's steps, the course of care, the history): the words come from the core
(records/content.py, history.py, metrics.py); this lays them out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen

from bodymap.core.chart.frame import VIEWS
from bodymap.core.records.content import VIEW_NAMES, in_force, mark_rows, precaution_lines, treatment_rows
from bodymap.core.records.history import amended_line, history_lines
from bodymap.core.records.metrics import choir_codes, course_of_care, course_review, pain_extent, union_areas
from bodymap.core.records.model import SYMPTOMS, Record, RecordsError
from bodymap.core.records.steps import visit_steps

from ...chart.marks_layer import ACTIVE, LATENT, UNSET
from .charts import HATCH_PERIOD, Chart, drawing_style, paint_hatch
from .layout import Layout
from .style import ALERT, ALERT_BG, CHART_PX_PER_MM, CLEAR_BG, MUTED, RULE, TEXT, make_font, score_text
from .tables import COURSE_COLUMNS, FINDING_COLUMNS, TREATMENT_COLUMNS, draw_table, table_height


class Report:
    def __init__(
        self, layout: Layout, store, patient_id: int, visit_ids: Sequence[int], history: bool = False
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
        self.chart: Chart | None = None
        self._chart_scale = 1.0
        self.who = f"{self.patient.name} · born {self.patient.date_of_birth.isoformat()}"

    # -- the whole report ------------------------------------------------------------------------

    def build(self) -> None:
        if not self.chosen:
            self.L.new_page()
            self.header(None)
            self.precautions(None)
            L = self.L
            L.text(L.left, L.y, L.width, "No visits are recorded for this patient.", make_font(10), MUTED)
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
        L.y += L.text(L.left, L.y, L.width, "History of changes", make_font(14, bold=True)) + L.mm(1)
        note = (
            "Every change to the record is kept: when (this computer's time), who was recording, what "
            "changed from what. Undo and redo are changes too. Nothing was deleted: deleting keeps the item."
        )
        L.y += L.text(L.left, L.y, L.width, note, make_font(8.5), MUTED) + L.mm(3)
        lines = history_lines(self.record, {vr.visit.id for _n, vr in self.chosen})
        for line in lines or ["No changes are recorded (records kept before this version start here)."]:
            L.flow(L.left, L.width, line, make_font(8.5), head, gap_after=L.mm(0.6))

    def header(self, n: int | None, vr=None) -> None:
        L = self.L
        x, w = L.left, L.width
        right_w = L.mm(62)
        top = L.y
        y = top
        y += L.text(x, y, w - right_w, "DRY NEEDLING VISIT REPORT", make_font(7.5, bold=True), MUTED)
        y += L.mm(0.8)
        y += L.text(x, y, w - right_w, self.patient.name, make_font(16, bold=True))
        born = f"Born {self.patient.date_of_birth.isoformat()}"
        when = vr.visit.visited_on if vr is not None else date.today()
        born += f" · {self.patient.age_on(when)} years"
        if vr is not None:
            born += " at this visit"
        if self.patient.sex != "unknown":
            born += f" · {self.patient.sex}"
        y += L.mm(0.5)
        y += L.text(x, y, w - right_w, born, make_font(9), TEXT)
        ry = top
        flags = int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        if vr is not None:
            v = vr.visit
            ry += L.text(
                x + w - right_w,
                ry,
                right_w,
                f"Visit {n} of {len(self.live)}",
                make_font(12, bold=True),
                TEXT,
                flags,
            )
            ry += L.text(x + w - right_w, ry, right_w, v.visited_on.isoformat(), make_font(10), TEXT, flags)
            ry += L.text(
                x + w - right_w,
                ry,
                right_w,
                f"Therapist: {v.therapist}" if v.therapist else "Therapist: not recorded",
                make_font(9),
                TEXT if v.therapist else MUTED,
                flags,
            )
            amended = amended_line(v, self.record.history)
            if amended:
                ry += L.text(x + w - right_w, ry, right_w, amended, make_font(8.5, bold=True), ALERT, flags)
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
        font, bold = make_font(9), make_font(9, bold=True)
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
            make_font(8.5, bold=True),
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
        pain = f"before {score_text(v.pain_before)} · after {score_text(v.pain_after)}"
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
            font = make_font(9.5, bold=bold)
            first = min(L.text_h(value, font, value_w), L.line_h(font) * 3)
            L.ensure(first, head)
            top, page = L.y, L.pages[-1]
            label_h = L.text(L.left, L.y, label_w - L.mm(2), label, make_font(9, bold=True), MUTED)
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
            self.chart = Chart(self.body)
        chart = self.chart
        src = chart.source
        w = L.width
        h = w * src.height() / src.width()
        legend_font = make_font(8)

        def corner_at(x0: float, y0: float, width: float) -> QRectF:
            return chart.legend_room(QRectF(x0, y0, width, width * src.height() / src.width()), L.mm(2))

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
        bold = make_font(8, bold=True)
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
        font = make_font(9)
        L.ensure(L.line_h(font) * 2, head)
        L.flow(L.left, L.width, self.extent_text(drawings), font, head, gap_after=L.mm(3))

    def extent_height(self, drawings) -> float:
        return self.L.text_h(self.extent_text(drawings), make_font(9), self.L.width) + self.L.mm(3)

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

    def findings(self, marks, head: str) -> None:
        L = self.L
        L.y += L.mm(1)
        if not marks:
            L.ensure(L.line_h(make_font(11)) * 2, head)
            L.y += L.text(L.left, L.y, L.width, "Findings", make_font(11, bold=True)) + L.mm(1.5)
            L.text(L.left, L.y, L.width, "No marks were recorded at this visit.", make_font(9), MUTED)
            L.y += L.line_h(make_font(9))
            return
        draw_table(self.L, FINDING_COLUMNS, *self.findings_table(marks, head))

    def findings_height(self, marks) -> float:
        if not marks:
            return self.L.line_h(make_font(11)) * 2 + self.L.mm(3)
        rows, _head, title, note = self.findings_table(marks, "")
        return table_height(self.L, FINDING_COLUMNS, rows, title, note) + self.L.mm(1)

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
        return table_height(self.L, TREATMENT_COLUMNS, rows, title, note) + self.L.mm(2) if rows else 0.0

    def treatment(self, marks, head: str) -> None:
        rows, title, note = self.treatment_table(marks)
        if rows:
            self.L.y += self.L.mm(2)
            draw_table(self.L, TREATMENT_COLUMNS, rows, head, title, note)

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
        return L.mm(3) + L.line_h(make_font(11)) + L.text_h(self.steps_text(vr), make_font(8.5), L.width)

    def steps(self, vr, head: str) -> None:
        L = self.L
        text, font = self.steps_text(vr), make_font(8.5)
        L.y += L.mm(2)
        L.ensure(L.line_h(make_font(11)) + L.text_h(text, font, L.width), head)
        L.y += L.text(L.left, L.y, L.width, "Session", make_font(11, bold=True)) + L.mm(1)
        L.flow(L.left, L.width, text, font, head, MUTED)

    def course(self) -> None:
        L = self.L
        from ..course import review_lines
        from ..course_chart import CourseChart

        rows = course_of_care(self.store, self.patient.id, self.body)
        head = f"{self.who} — course of care"
        L.new_page(head)
        L.y += L.text(L.left, L.y, L.width, "Course of care", make_font(14, bold=True)) + L.mm(1)
        first, last = rows[0], rows[-1]
        span = f"{len(rows)} visits from {first.visited_on.isoformat()} to {last.visited_on.isoformat()}"
        L.y += L.text(L.left, L.y, L.width, span, make_font(9.5), MUTED) + L.mm(3)
        review = course_review(rows, self.plans)
        plan_text = review_lines(review)
        if plan_text:
            L.flow(L.left, L.width, plan_text, make_font(9.5), head)
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
        draw_table(self.L, COURSE_COLUMNS, table, head, "Visit by visit", note)
