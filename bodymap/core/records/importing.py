"""Importing a record exported as JSON (exchange.record_json): all of it, or nothing.

Everything is read and checked first (every field, every mark's side against its point, every drawing
cleaned against the body), and only then written, in one transaction: a malformed file imports nothing,
and the error names the place in words and the problem in one line ("visit 2, mark 1, findings:
tenderness must be a whole number from 0 to 10, got -1").

Hostile input is refused, not crashed on: numbers with hundreds of digits, timestamps at the ends of
the calendar, arrays nested a thousand deep, lone surrogates, megabytes of text; messages quote at most
a short prefix of a bad value (quoting.quote).
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

from shapely.geometry import MultiPolygon, shape

from bodymap.core.chart.frame import VIEWS
from bodymap.core.jsonread import BadJSON, parse_json, read_json
from bodymap.core.pain import AreaError
from bodymap.core.quoting import quote

from .checks import check_text, finite
from .exchange import FORMAT, READS
from .model import (
    ADDED_PRECAUTIONS,
    AFTER_EFFECTS,
    PRECAUTIONS,
    AfterEffects,
    Consent,
    Drawing,
    Findings,
    HistoryEntry,
    InvalidValue,
    Mark,
    Needle,
    Patient,
    Plan,
    Record,
    RecordsError,
    Screen,
    Treatment,
    Visit,
    VisitRecord,
)
from .placement import placement_fields
from .schema import HISTORY_ACTIONS
from .vocabulary import EARLIEST_BIRTH, MAX_NAME

_UID = re.compile(r"[0-9A-Za-z]{1,32}")
_FIELD = re.compile(r"[a-z][a-z0-9_]{0,63}")
_STAMPS = ("created_at", "updated_at", "deleted_at")
T = TypeVar("T")

if TYPE_CHECKING:
    from .placement import Placer
    from .store import Store


class MalformedImport(RecordsError):
    """A record file that cannot be imported; nothing was written."""


# --- reading checked values -----------------------------------------------------------------------


class _Obj:
    """A JSON object being read, which knows where it is in the file (in words) for error messages."""

    def __init__(self, data: object, where: str):
        if not isinstance(data, dict):
            raise MalformedImport(f"{where}: must be an object, got {quote(data)}")
        self.data, self.where = data, where

    def fail(self, key: str, problem: str) -> MalformedImport:
        return MalformedImport(f"{self.where}: {key} {problem}")

    def inner(self, key: str, words: str) -> _Obj:
        return _Obj(self.raw(key), f"{self.where}, {words}" if self.where != "the file" else words)

    def known(self, *keys: str) -> None:
        if "unreadable" in self.data:  # exported from a damaged database: its stand-ins are not values
            lost = self.data["unreadable"]
            what = ", ".join(str(x)[:60] for x in lost[:5]) if isinstance(lost, list) else "some values"
            raise MalformedImport(
                f"{self.where}: its {what} could not be read in the database it came from (damaged); "
                "restore that database from a backup, or take this item out of the file"
            )
        extra = sorted((k for k in self.data if k not in keys), key=str)
        if extra:
            raise MalformedImport(f"{self.where}: {quote(extra[0])} is not a field of a bodymap record")

    def raw(self, key: str, required: bool = True, default: object = None) -> object:
        if key not in self.data:
            if required:
                raise self.fail(key, "is missing")
            return default
        return self.data[key]

    def text(self, key: str, required: bool = True) -> str:
        v = self.raw(key, required, "")
        if not isinstance(v, str):
            raise self.fail(key, f"must be text, got {quote(v)}")
        return v

    def flag(self, key: str, required: bool = True, optional: bool = False) -> bool | None:
        v = self.raw(key, required, None if optional else False)
        if not (isinstance(v, bool) or (optional and v is None)):
            raise self.fail(key, f"must be true or false{' or null' if optional else ''}, got {quote(v)}")
        return v

    def number(self, key: str) -> float:
        v = self.raw(key)
        number = finite(v)
        if number is None:
            raise self.fail(key, f"must be a number, got {quote(v)}")
        return number

    def maybe(self, key: str, whole: bool = False) -> int | float | None:
        """An optional number (null or absent: None); a whole one keeps its type for the model's check."""
        v = self.raw(key, False, None)
        if v is None:
            return None
        if finite(v) is None or (whole and not isinstance(v, int)):
            raise self.fail(key, f"must be a {'whole ' if whole else ''}number, got {quote(v)}")
        return v  # type: ignore[return-value]  # finite() checked it is an int or a float

    def day(self, key: str) -> date:
        v = self.text(key)
        try:
            if len(v) > 10:
                raise ValueError
            return date.fromisoformat(v)
        except ValueError:
            raise self.fail(key, f"must be a date like 2024-03-01, got {quote(v)}") from None

    def stamp(self, key: str) -> datetime | None:
        """A timestamp, as naive UTC; refused at the ends of the calendar (astimezone would overflow)
        and in the future."""
        v = self.raw(key, False, None)
        if v is None:
            return None
        d = None
        if isinstance(v, str) and len(v) <= 40:
            try:
                d = datetime.fromisoformat(v)
            except ValueError:
                d = None
        if d is None:
            raise self.fail(key, f"must be a date and time like 2024-03-01T10:30:00, got {quote(v)}")
        if d.tzinfo is not None:
            try:
                d = d.astimezone(timezone.utc).replace(tzinfo=None)
            except OverflowError:
                raise self.fail(key, f"is out of range, got {quote(v)}") from None
        if d.date() < EARLIEST_BIRTH:
            raise self.fail(key, f"is before 1900, got {quote(v)}")
        if d > datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1):
            raise self.fail(key, f"is in the future, got {quote(v)}")
        return d

    def items(self, key: str) -> list[object]:
        v = self.raw(key, False, [])
        if not isinstance(v, list):
            raise self.fail(key, f"must be a list, got {quote(v)}")
        return v

    def build(self, cls: type[T], **kwargs: Any) -> T:
        """Make a model record, naming this place in the file if the model refuses a value."""
        try:
            return cls(**kwargs)
        except InvalidValue as exc:
            raise MalformedImport(f"{self.where}: {exc}") from None


MAX_HISTORY_VALUE = 2_000_000  # characters of one value in a history entry (a drawn area's text)


class _Log:
    """While a record is read: the file's version, each item's number (its id in the file: read_record
    numbers each kind from 1, and the store maps them to the new rows' ids) and the history the items
    bring."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.numbers: dict[str, int] = {}
        self.entries: list[HistoryEntry] = []

    def item(self, o: _Obj, kind: str) -> int:
        """The next number of `kind`, with the history of the item `o` read under it."""
        n = self.numbers[kind] = self.numbers.get(kind, 0) + 1
        if self.version < 3 and "history" in o.data:
            raise MalformedImport(f"{o.where}: 'history' is not a field of a version {self.version} record")
        for i, raw in enumerate(o.items("history"), 1):
            self.entries.append(_entry(_Obj(raw, f"{o.where}, history {i}"), kind, n))
        return n


def _entry(o: _Obj, kind: str, number: int) -> HistoryEntry:
    o.known("at", "by", "action", "step", "before", "after")
    at = o.stamp("at")
    if at is None:
        raise o.fail("at", "is missing")
    action = o.text("action")
    if action not in HISTORY_ACTIONS:
        raise o.fail("action", f"must be one of {', '.join(HISTORY_ACTIONS)}, got {quote(action)}")
    by, step = o.text("by", required=False), o.text("step", required=False)
    for key, text in (("by", by), ("step", step)):
        try:
            check_text(key, text, limit=MAX_NAME)
        except InvalidValue as exc:
            raise MalformedImport(f"{o.where}: {exc}") from None
    return HistoryEntry(
        kind=kind,
        record_id=number,
        at=at,
        by=by,
        action=action,
        step=step,
        before=_changed(o, "before"),
        after=_changed(o, "after"),
    )


def _changed(o: _Obj, key: str) -> dict[str, object] | None:
    """A history entry's values: null, or an object of stored fields and plain values."""
    v = o.raw(key, False, None)
    if v is None:
        return None
    values = _Obj(v, f"{o.where}, {key}")
    if len(values.data) > 100:
        raise o.fail(key, f"holds {len(values.data):,} fields; a record has far fewer")
    for name, value in values.data.items():
        if not isinstance(name, str) or not _FIELD.fullmatch(name):  # stored fields are column names
            raise values.fail(quote(name), "is not a field of a bodymap record")
        if isinstance(value, str):
            try:
                check_text(name, value, limit=MAX_HISTORY_VALUE)
            except InvalidValue as exc:
                raise MalformedImport(f"{values.where}: {exc}") from None
        elif value is not None and not isinstance(value, bool) and finite(value) is None:
            raise values.fail(name, f"must be text, a number, true, false or null, got {quote(value)}")
    return dict(values.data)


def _patient(o: _Obj, log: _Log) -> Patient:
    o.known(
        "uid", "given_name", "family_name", "date_of_birth", "sex", "contact", "notes", "history", *_STAMPS
    )
    uid = o.text("uid", required=False)
    if uid and not _UID.fullmatch(uid):
        raise o.fail("uid", f"must be up to 32 letters and digits, got {quote(uid)}")
    return o.build(
        Patient,
        id=log.item(o, "patient"),
        uid=uid,
        given_name=o.text("given_name"),
        family_name=o.text("family_name"),
        date_of_birth=o.day("date_of_birth"),
        sex=o.text("sex", required=False) or "unknown",
        contact=o.text("contact", required=False),
        notes=o.text("notes", required=False),
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _screen(o: _Obj, log: _Log) -> Screen:
    o.known("screened_on", *PRECAUTIONS, "other", "history", "created_at", "deleted_at")
    return o.build(
        Screen,
        id=log.item(o, "screen"),
        patient_id=None,
        screened_on=o.day("screened_on"),
        # An item missing from an older export was not asked: None, never "no".
        **{k: o.flag(k, required=False, optional=k in ADDED_PRECAUTIONS) for k in PRECAUTIONS},
        other=o.text("other", required=False),
        created_at=o.stamp("created_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _consent(o: _Obj, log: _Log) -> Consent:
    o.known("consented_on", "given", "notes", "history", "created_at", "deleted_at")
    return o.build(
        Consent,
        id=log.item(o, "consent"),
        patient_id=None,
        consented_on=o.day("consented_on"),
        given=o.flag("given"),
        notes=o.text("notes", required=False),
        created_at=o.stamp("created_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _needle(o: _Obj, key: str) -> Needle | None:
    if o.raw(key, False, None) is None:
        return None
    n = o.inner(key, key)
    n.known("gauge_mm", "length_mm", "label")
    return n.build(Needle, gauge_mm=n.number("gauge_mm"), length_mm=n.number("length_mm"))


def _treatment(o: _Obj) -> Treatment:
    o.known(
        "muscle", "needle", "depth_mm", "technique", "passes", "twitches", "familiar_pain", "responses",
        "minutes", "notes",
    )  # fmt: skip
    muscle = o.raw("muscle", False, None)
    if muscle is not None and not isinstance(muscle, str):
        raise o.fail("muscle", f"must be text or null, got {quote(muscle)}")
    return o.build(
        Treatment,
        muscle=muscle,
        needle=_needle(o, "needle"),
        depth_mm=o.maybe("depth_mm"),
        technique=o.raw("technique", False, None),
        passes=o.maybe("passes", whole=True),
        twitches=o.maybe("twitches", whole=True),
        familiar_pain=o.flag("familiar_pain", False, True),
        responses=tuple(_texts(o, "responses")),
        minutes=o.maybe("minutes"),
        notes=o.text("notes", required=False),
    )


def _texts(o: _Obj, key: str) -> list[str]:
    items = o.items(key)
    if not all(isinstance(r, str) for r in items):
        raise o.fail(key, "must be a list of texts")
    return items  # type: ignore[return-value]  # each one checked to be text


def _mark(o: _Obj, placer: Placer, log: _Log) -> Mark:
    o.known(
        "view", "x", "y", "side", "region", "trp", "findings", "treatment", "needling_warnings", "history",
        *_STAMPS,
    )  # fmt: skip
    view, x, y, side = o.text("view"), o.number("x"), o.number("y"), o.text("side")
    try:
        placed = placer.place(view, x, y)
    except InvalidValue as exc:
        raise MalformedImport(f"{o.where}: {exc}") from None
    if side != placed.side:
        raise o.fail(
            "side", f"says {quote(side)} but the point lies on the patient's {placed.side} on the {view} view"
        )
    f = o.inner("findings", "findings") if "findings" in o.data else _Obj({}, f"{o.where}, findings")
    old = ("needled",) if log.version == 1 else ()
    f.known("status", "twitch", "familiar_pain", "referral", "tenderness", "ppt_kpa", "notes", *old)
    if log.version == 1:  # a mark needled then: a treated point with nothing else known
        treatment = Treatment() if f.flag("needled", required=False) else None
    else:
        treatment = (
            None if o.raw("treatment", False, None) is None else _treatment(o.inner("treatment", "treatment"))
        )
    findings = f.build(
        Findings,
        status=f.raw("status", False, None),
        twitch=f.flag("twitch", False, True),
        familiar_pain=f.flag("familiar_pain", False, True),
        referral=f.flag("referral", False, True),
        tenderness=f.maybe("tenderness", whole=True),
        ppt_kpa=f.maybe("ppt_kpa"),
        notes=f.text("notes", required=False),
    )
    # The region and nearest trigger point are worked out again from the point with this atlas.
    return o.build(
        Mark,
        id=log.item(o, "mark"),
        visit_id=None,
        **placement_fields(placed),
        findings=findings,
        treatment=treatment,
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _area(a: _Obj, view: str, placer: Placer) -> MultiPolygon | None:
    """One view's drawn area, cleaned and clipped as the store will keep it (None: off the body)."""
    try:
        geom = shape(a.data[view])
    except Exception:  # noqa: BLE001 - shapely raises many kinds (and echoes the input): say it plainly
        raise a.fail(view, "is not a GeoJSON Polygon or MultiPolygon") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise a.fail(view, f"must be a GeoJSON Polygon or MultiPolygon, got {geom.geom_type}")
    try:
        return placer.clip(view, geom)
    except (InvalidValue, AreaError) as exc:
        raise MalformedImport(f"{a.where}, {view}: {exc}") from None


def _drawing(o: _Obj, placer: Placer, log: _Log) -> Drawing:
    o.known("symptom", "intensity", "notes", "areas", "history", *_STAMPS)
    a = o.inner("areas", "areas")
    areas = {}
    for view in a.data:
        if view not in VIEWS:
            raise MalformedImport(f"{a.where}: {quote(view)} is not a view (expected {', '.join(VIEWS)})")
        clipped = _area(a, view, placer)
        if clipped is not None:
            areas[view] = clipped
    if not areas:
        raise MalformedImport(f"{a.where}: the drawing does not cover any part of the body")
    return o.build(
        Drawing,
        id=log.item(o, "drawing"),
        visit_id=None,
        symptom=o.text("symptom"),
        intensity=o.maybe("intensity", whole=True),
        notes=o.text("notes", required=False),
        areas=areas,
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )


def _after(o: _Obj) -> AfterEffects:
    o.known(*AFTER_EFFECTS, "soreness_hours", "other")
    return o.build(
        AfterEffects,
        **{k: o.flag(k, required=False) for k in AFTER_EFFECTS},
        soreness_hours=o.maybe("soreness_hours"),
        other=o.text("other", required=False),
    )


def _plan(o: _Obj, log: _Log) -> Plan:
    o.known("planned_on", "visits", "goal", "history", *_STAMPS)
    return o.build(
        Plan,
        id=log.item(o, "plan"),
        patient_id=None,
        planned_on=o.day("planned_on"),
        visits=o.maybe("visits", whole=True) if "visits" in o.data else o.raw("visits"),
        goal=o.text("goal", required=False),
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )


_STEPS = ("positioned", "skin_prepared", "needle", "reactions", "advice_given", "next_visit")


def _visit(o: _Obj, placer: Placer, log: _Log) -> VisitRecord:
    o.known(
        "visited_on",
        "therapist",
        "complaint",
        "pain_before",
        "pain_after",
        "notes",
        "after",
        *(_STEPS if log.version >= 2 else ()),
        "marks",
        "drawings",
        "history",
        *_STAMPS,
    )
    after = None if o.raw("after", False, None) is None else _after(o.inner("after", "after-effects"))
    next_visit = None if o.raw("next_visit", False, None) is None else o.day("next_visit")
    visit = o.build(
        Visit,
        id=log.item(o, "visit"),
        patient_id=None,
        visited_on=o.day("visited_on"),
        therapist=o.text("therapist", required=False),
        complaint=o.text("complaint", required=False),
        pain_before=o.maybe("pain_before", whole=True),
        pain_after=o.maybe("pain_after", whole=True),
        notes=o.text("notes", required=False),
        after=after,
        positioned=o.flag("positioned", required=False),
        skin_prepared=o.flag("skin_prepared", required=False),
        needle=_needle(o, "needle"),
        reactions=o.text("reactions", required=False),
        advice_given=o.flag("advice_given", required=False),
        next_visit=next_visit,
        created_at=o.stamp("created_at"),
        updated_at=o.stamp("updated_at"),
        deleted_at=o.stamp("deleted_at"),
    )
    marks = tuple(
        _mark(_Obj(m, f"{o.where}, mark {i}"), placer, log) for i, m in enumerate(o.items("marks"), 1)
    )
    drawings = tuple(
        _drawing(_Obj(d, f"{o.where}, drawing {i}"), placer, log)
        for i, d in enumerate(o.items("drawings"), 1)
    )
    return VisitRecord(visit, marks, drawings)


def read_record(data: object, placer: Placer) -> Record:
    """Check a record's JSON data completely and build it; MalformedImport names the first problem."""
    top = _Obj(data, "the file")
    top.known(
        "format",
        "version",
        "app",
        "exported_at",
        "frame",
        "patient",
        "screens",
        "consents",
        "plans",
        "visits",
    )
    if top.raw("format", False) != FORMAT:
        raise top.fail(
            "format",
            f"must be {FORMAT!r}, got {quote(top.raw('format', False))} (is this a bodymap record export?)",
        )
    version = top.raw("version")
    if isinstance(version, bool) or version not in READS:
        reads = ", ".join(map(str, READS))
        raise top.fail("version", f"is {quote(version)}; this bodymap reads versions {reads}")
    if version == 1 and "plans" in top.data:
        raise MalformedImport("the file: 'plans' is not a field of a version 1 record")
    log = _Log(int(version))
    patient = _patient(top.inner("patient", "patient"), log)
    screens = tuple(_screen(_Obj(s, f"screen {i}"), log) for i, s in enumerate(top.items("screens"), 1))
    consents = tuple(_consent(_Obj(c, f"consent {i}"), log) for i, c in enumerate(top.items("consents"), 1))
    plans = tuple(_plan(_Obj(p, f"plan {i}"), log) for i, p in enumerate(top.items("plans"), 1))
    visits = tuple(_visit(_Obj(v, f"visit {i}"), placer, log) for i, v in enumerate(top.items("visits"), 1))
    born = patient.date_of_birth.isoformat()
    for i, vr in enumerate(visits, 1):
        if vr.visit.visited_on < patient.date_of_birth:
            raise MalformedImport(
                f"visit {i}: visited_on {vr.visit.visited_on.isoformat()} is before the date of birth {born}"
            )
    dated: tuple[tuple[str, tuple[Screen, ...] | tuple[Consent, ...] | tuple[Plan, ...], str], ...] = (
        ("screen", screens, "screened_on"),
        ("consent", consents, "consented_on"),
        ("plan", plans, "planned_on"),
    )
    for what, items, attr in dated:
        for i, item in enumerate(items, 1):
            if getattr(item, attr) < patient.date_of_birth:
                raise MalformedImport(
                    f"{what} {i}: {attr} {getattr(item, attr).isoformat()} is before the date of birth {born}"
                )
    return Record(patient, screens, consents, visits, plans, tuple(log.entries))


Source = str | bytes | os.PathLike[str] | object  # a file (a Path), JSON text, or parsed data


def read_import(source: Source, placer: Placer) -> Record:
    """A record to import, read and checked completely (with this version's body and atlas), without a
    database: MalformedImport names the first problem, in one line."""
    name = _name(source)
    try:
        if isinstance(source, os.PathLike):
            data = read_json(source)
        elif isinstance(source, (bytes, str)):
            data = parse_json(source)
        else:
            data = source
    except BadJSON as exc:
        raise MalformedImport(f"cannot import {name}: {exc}; nothing was imported") from None
    try:
        return read_record(data, placer)
    except RecursionError:  # parsed data handed in directly can be nested past the stack
        raise MalformedImport(
            f"cannot import {name}: it is nested too deeply to be a bodymap record; nothing was imported"
        ) from None
    except (MalformedImport, InvalidValue) as exc:
        raise MalformedImport(f"cannot import {name}: {exc}; nothing was imported") from None


def import_record(store: Store, source: Source, record: Record | None = None) -> Patient:
    """Import a record exported by export_record: a file (a Path), JSON text (str or bytes), or parsed data
    (or, read already, `record`: read_import(source, ...)).

    Everything is checked before anything is written, and written in one transaction: on any problem
    a MalformedImport (or RecordsError) names it in one line and the database is exactly as it was.
    """
    if record is None:
        record = read_import(source, store.placer)
    try:
        with store.step("Import"):
            return store.add_record(record)
    except InvalidValue as exc:
        raise MalformedImport(f"cannot import {_name(source)}: {exc}; nothing was imported") from None
    except RecordsError as exc:  # the database refused (the patient is there already, a full disk...)
        raise RecordsError(f"cannot import {_name(source)}: {exc}; nothing was imported") from None


def _name(source: Source) -> str:
    return str(source) if isinstance(source, os.PathLike) else "the record"


__all__ = ["MalformedImport", "import_record", "read_import", "read_record"]
