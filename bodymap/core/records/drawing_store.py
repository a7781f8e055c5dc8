"""Pain drawings in the store: added whole, changed, and drawn on stroke by stroke, each stroke applied
to the drawing as it is stored when the stroke is written (two people drawing on one drawing both keep
their strokes), with what it added and took away, so that its undo takes back only that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection

from bodymap.core.chart.frame import View
from bodymap.core.geometry import polygonal
from bodymap.core.pain import MIN_SHADED_AREA, PainArea

from . import history, rows, transactions
from .checks import check_choice
from .model import SYMPTOMS, Drawing, InvalidValue, Visit, stored
from .schema import drawings, visits
from .write_path import WritePath, changed_columns, check_readable


@dataclass(frozen=True)
class Drawn:
    """What a stroke did to a drawing (Store.draw): the drawing after it (None if the stroke changed
    nothing on a visit without one), and the area it added and took away on its view (None: nothing)."""

    drawing: Drawing | None
    added: BaseGeometry | None
    removed: BaseGeometry | None


class Drawings(WritePath):
    """The drawings part of the store (store.Store is the whole of it)."""

    def _clipped(self, areas: Mapping[View, BaseGeometry]) -> dict[View, MultiPolygon]:
        out = {}
        for view, geom in areas.items():
            clipped = self.placer.clip(view, geom)
            if clipped is not None:
                out[view] = clipped
        if not out:
            raise InvalidValue("the drawing does not cover any part of the body")
        return out

    def add_drawing(self, drawing: Drawing) -> Drawing:
        """Add a pain drawing; its areas are clipped to the body outline. One drawing per symptom."""
        now = transactions.now()
        new = replace(
            drawing,
            id=None,
            areas=self._clipped(drawing.areas),
            created_at=now,
            updated_at=now,
            deleted_at=None,
        )
        with self._writing() as conn:
            self._one_drawing_per_symptom(conn, new)
            new = self._add(conn, "drawing", new, self._patient_of_visit(conn, drawing.visit_id))
        self._emit("drawing", stored(new.id), new)
        return new

    def _patient_of_visit(self, conn: Connection, visit_id: int | None) -> int:
        return int(conn.execute(sa.select(visits.c.patient_id).where(visits.c.id == visit_id)).scalar_one())

    def update_drawing(self, drawing_id: int, *, seen: Drawing | None = None, **changes: Any) -> Drawing:
        """Change some fields of a drawing (symptom, intensity, areas, notes)."""
        self._changes(Drawing, changes, "drawing")
        if "areas" in changes:
            changes["areas"] = self._clipped(changes["areas"])

        def guard(conn: Connection, new: Drawing) -> None:
            if "symptom" in changes:
                self._one_drawing_per_symptom(conn, new)

        return self._update("drawing", drawing_id, lambda d: replace(d, **changes), seen, guard)

    def draw(
        self,
        visit_id: int,
        symptom: str,
        view: View,
        shape: BaseGeometry,
        *,
        erase: bool = False,
        intensity: int | None = None,
        revive: int | None = None,
        on: int | None = None,
    ) -> Drawn:
        """Apply one stroke (brush or lasso: add `shape`; eraser: take it away) to the visit's drawing of
        `symptom`, as it is stored when the stroke is written: two people drawing on one drawing both
        keep their strokes. The first stroke of a symptom adds its drawing (with `intensity`), or brings
        back the drawing `revive` (the one this stroke added before it was undone); erasing all of it
        deletes the drawing. Says what the stroke added and took away, so that its undo takes away only
        that. `on`: the drawing an undo takes its stroke back from; refused (Conflict) if someone deleted
        it since."""
        check_choice("symptom", symptom, tuple(SYMPTOMS))
        body = self.placer.body
        with self._writing() as conn:
            visit = self._lock_visit(conn, visit_id, "drawing")
            found: list[Drawing] = self._fetch(
                conn,
                sa.select(drawings).where(
                    drawings.c.visit_id == visit_id,
                    drawings.c.symptom == symptom,
                    drawings.c.deleted_at.is_(None),
                ),
                "drawing",
            )
            live = found[0] if found else None
            if on is not None and (live is None or live.id != on):
                raise self._conflict(conn, self._get(conn, "drawing", on), None)
            if live is not None:
                check_readable("drawing", live)
            before = PainArea(dict(live.areas)) if live is not None else PainArea()
            after = before.erase(view, shape) if erase else before.add(body, view, shape)
            area = after.views.get(view)
            clipped = self.placer.clip(view, area) if area is not None else None
            old = before.views.get(view)
            if _same(old, clipped):
                return Drawn(live, None, None)
            added = _part(clipped, old)
            removed = _part(old, clipped)
            areas: dict[View, BaseGeometry] = dict(live.areas) if live is not None else {}
            if clipped is None:
                areas.pop(view, None)
            else:
                areas[view] = clipped
            now = transactions.now()
            if live is None:
                new = self._start_drawing(conn, visit, symptom, areas, intensity, revive)
            elif not areas:  # all of it erased: the drawing goes (its undo brings it back)
                new = replace(live, deleted_at=now, updated_at=now, version=live.version + 1)
                conn.execute(
                    drawings.update()
                    .where(drawings.c.id == live.id)
                    .values(deleted_at=now, updated_at=now, version=new.version)
                )
                self._log(
                    conn,
                    "drawing",
                    new,
                    "deleted",
                    {"deleted_at": None},
                    {"deleted_at": history.jsonable(now)},
                    patient_id=visit.patient_id,
                )
            else:
                new = replace(live, areas=areas, updated_at=now, version=live.version + 1)
                old_row, new_row = rows.drawing_row(live), rows.drawing_row(new)  # GeoJSON: made once
                columns = changed_columns(old_row, new_row)
                conn.execute(
                    drawings.update().where(drawings.c.id == live.id).values(**columns, version=new.version)
                )
                was, now_ = history.diff(old_row, new_row)
                self._log(conn, "drawing", new, "changed", was, now_, patient_id=visit.patient_id)
        self._emit("drawing", stored(new.id), new)
        return Drawn(new, added, removed)

    def _start_drawing(
        self,
        conn: Connection,
        visit: Visit,
        symptom: str,
        areas: Mapping[View, BaseGeometry],
        intensity: int | None,
        revive: int | None,
    ) -> Drawing:
        """The first stroke of a symptom on a visit: a new drawing, or the one it made before it was
        undone, brought back with this area."""
        now = transactions.now()
        if revive is not None:
            old = self._get(conn, "drawing", revive, for_update=True)
            if old.visit_id == visit.id and old.symptom == symptom and old.deleted_at is not None:
                new = replace(old, areas=areas, deleted_at=None, updated_at=now, version=old.version + 1)
                old_row, new_row = rows.drawing_row(old), rows.drawing_row(new)
                columns = changed_columns(old_row, new_row)
                conn.execute(
                    drawings.update().where(drawings.c.id == old.id).values(**columns, version=new.version)
                )
                was, then = history.diff(old_row, new_row)
                self._log(conn, "drawing", new, "restored", was, then, patient_id=visit.patient_id)
                return new
        new = Drawing(
            visit_id=visit.id,
            symptom=symptom,
            areas=areas,
            intensity=intensity,
            created_at=now,
            updated_at=now,
        )
        return self._add(conn, "drawing", new, stored(visit.patient_id))

    def drawing(self, drawing_id: int) -> Drawing:
        with self._reading() as conn:
            return self._get(conn, "drawing", drawing_id)

    def drawings(self, visit_id: int, *, include_deleted: bool = False) -> list[Drawing]:
        return self._dated("drawing", drawings.c.visit_id == visit_id, drawings.c.id, include_deleted)


def _same(a: BaseGeometry | None, b: BaseGeometry | None) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a.equals(b))


def _part(a: BaseGeometry | None, b: BaseGeometry | None) -> BaseGeometry | None:
    """The part of area `a` outside `b` (what a stroke added or took away), or None if there is none."""
    if a is None:
        return None
    rest = a if b is None else polygonal(a.difference(b))
    return None if rest.is_empty or rest.area < MIN_SHADED_AREA else rest
