"""A patient's whole record at once: read for an export (a few queries, deleted items included) and
added by an import (one transaction: all of it, or on any error none of it). The store's friends: they
use its transactions and write path as its own methods do (store.Store.record and add_record).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from bodymap.core.quoting import point_text

from . import history, rows, transactions
from .model import (
    Consent,
    Drawing,
    InvalidValue,
    Mark,
    Patient,
    Plan,
    Record,
    RecordsError,
    Screen,
    Visit,
    VisitRecord,
    check_after_birth,
    stored,
)
from .placement import placement_fields
from .schema import TABLES, consents, drawings, marks, patients, plans, screens, visits
from .schema import history as history_table

if TYPE_CHECKING:
    from .store import Store


def read(store: Store, patient_id: int) -> Record:
    """A patient's whole record, deleted items included (with deleted_at), in a few queries."""
    with store._reading() as conn:
        patient = store._get(conn, "patient", patient_id)

        def of_patient(kind: str, order: sa.ColumnElement[Any]) -> list[Any]:
            table = TABLES[kind]
            q = sa.select(table).where(table.c.patient_id == patient_id).order_by(order, table.c.id)
            return store._fetch(conn, q, kind)

        scr: list[Screen] = of_patient("screen", screens.c.screened_on)
        con: list[Consent] = of_patient("consent", consents.c.consented_on)
        vis: list[Visit] = of_patient("visit", visits.c.visited_on)
        pla: list[Plan] = of_patient("plan", plans.c.planned_on)
        ids = sa.select(visits.c.id).where(visits.c.patient_id == patient_id)
        by_visit: dict[int, tuple[list[Mark], list[Drawing]]] = {stored(v.id): ([], []) for v in vis}
        for m in store._fetch(
            conn, sa.select(marks).where(marks.c.visit_id.in_(ids)).order_by(marks.c.id), "mark"
        ):
            by_visit[m.visit_id][0].append(m)
        for d in store._fetch(
            conn,
            sa.select(drawings).where(drawings.c.visit_id.in_(ids)).order_by(drawings.c.id),
            "drawing",
        ):
            by_visit[d.visit_id][1].append(d)
        changes = store._history(conn, history_table.c.patient_id == patient_id)
    return Record(
        patient,
        tuple(scr),
        tuple(con),
        tuple(
            VisitRecord(v, tuple(by_visit[stored(v.id)][0]), tuple(by_visit[stored(v.id)][1])) for v in vis
        ),
        tuple(pla),
        tuple(changes),
    )


def add(store: Store, record: Record) -> Patient:
    """Add a whole record (an import) in one transaction: all of it, or on any error none of it.

    Marks are placed again and drawings clipped again here, so the stored context always matches
    this version's body and atlas; a mark whose side disagrees with its point is refused.
    """
    now = transactions.now()
    p = record.patient
    patient = replace(
        p,
        id=None,
        uid=p.uid or uuid.uuid4().hex,
        created_at=p.created_at or now,
        updated_at=p.updated_at or now,
    )
    for s in record.screens:
        check_after_birth(patient, s.screened_on, "screen date")
    for c in record.consents:
        check_after_birth(patient, c.consented_on, "consent date")
    for pl in record.plans:
        check_after_birth(patient, pl.planned_on, "plan date")
    prepared = []
    for n, vr in enumerate(record.visits, 1):
        check_after_birth(patient, vr.visit.visited_on, f"visit {n}: visit date")
        placed_marks = []
        for m in vr.marks:
            placed = store.placer.place(m.view, m.x, m.y)
            if placed.side != m.side:
                raise InvalidValue(
                    f"visit {n}: a mark at {point_text(m.x, m.y)} on the {m.view} view says "
                    f"{m.side} but lies on the patient's {placed.side}"
                )
            placed_marks.append(replace(m, **placement_fields(placed)))
        clipped = [replace(d, areas=store._clipped(d.areas)) for d in vr.drawings]
        prepared.append((vr.visit, placed_marks, clipped))
    with store._writing() as conn:
        clash = conn.execute(sa.select(patients.c.id).where(patients.c.uid == patient.uid)).scalar()
        if clash is not None:
            raise RecordsError(
                f"{patient.name} (born {patient.date_of_birth.isoformat()}) is already in these records"
            )
        pid = store._insert_row(conn, "patient", rows.patient_row(patient))
        # The file's ids (read_record numbers each kind from 1) -> the new rows' ids, for the history.
        new_ids: dict[tuple[str, int | None], tuple[int, int | None]] = {("patient", p.id): (pid, None)}
        stamp = {"created_at": now}
        for sc in record.screens:
            row = rows.screen_row(replace(sc, patient_id=pid, id=None, **_keep(sc, stamp)))
            new_ids[("screen", sc.id)] = (store._insert_row(conn, "screen", row), None)
        for co in record.consents:
            row = rows.consent_row(replace(co, patient_id=pid, id=None, **_keep(co, stamp)))
            new_ids[("consent", co.id)] = (store._insert_row(conn, "consent", row), None)
        stamps = {"created_at": now, "updated_at": now}
        for pl in record.plans:
            row = rows.plan_row(replace(pl, patient_id=pid, id=None, **_keep(pl, stamps)))
            new_ids[("plan", pl.id)] = (store._insert_row(conn, "plan", row), None)
        for visit, ms, ds in prepared:
            row = rows.visit_row(replace(visit, patient_id=pid, id=None, **_keep(visit, stamps)))
            vid = store._insert_row(conn, "visit", row)
            new_ids[("visit", visit.id)] = (vid, vid)
            for m in ms:
                row = rows.mark_row(replace(m, visit_id=vid, id=None, **_keep(m, stamps)))
                new_ids[("mark", m.id)] = (store._insert_row(conn, "mark", row), vid)
            for d in ds:
                row = rows.drawing_row(replace(d, visit_id=vid, id=None, **_keep(d, stamps)))
                new_ids[("drawing", d.id)] = (store._insert_row(conn, "drawing", row), vid)
        # The record's own history comes with it, then the import itself is added.
        for e in record.history:
            record_id, visit_id = new_ids[(e.kind, e.record_id)]
            conn.execute(
                history_table.insert().values(
                    **history.entry_row(
                        patient_id=pid,
                        visit_id=visit_id,
                        kind=e.kind,
                        record_id=record_id,
                        at=e.at,
                        by=e.by,
                        action=e.action,
                        step=e.step,
                        before=e.before,
                        after=e.after,
                    )
                )
            )
        patient = replace(patient, id=pid, version=1)
        store._log(conn, "patient", patient, "imported")
    store._emit("patient", pid, patient)
    return patient


def _keep(record: object, stamps: dict[str, datetime]) -> dict[str, Any]:
    """Imported timestamps are kept (the history is the patient's); missing ones become now."""
    return {k: getattr(record, k) or v for k, v in stamps.items()}
