"""The rules of editing a record from the chart and the panel, as core functions (the window only calls
them): what a new visit starts with, what a finding key does, and which command a brush, lasso or
eraser stroke becomes on a visit's pain drawing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from shapely.geometry.base import BaseGeometry

from bodymap.core.chart.body import Body
from bodymap.core.chart.frame import View
from bodymap.core.pain import PainArea

from . import commands as cmd
from .model import AfterEffects, Drawing, Findings, Treatment, Visit, stored
from .store import Store

if TYPE_CHECKING:
    from bodymap.core.settings import Settings


def new_visit(store: Store, patient_id: int, today: date, therapist: str = "") -> Visit:
    """A new visit: today, by the therapist recording it (the window's settings; without one, the last
    visit's therapist); after the first visit the after-effects are asked, starting from "nothing
    reported"."""
    previous = store.visits(patient_id)
    return Visit(
        patient_id=patient_id,
        visited_on=today,
        therapist=therapist or (previous[-1].therapist if previous else ""),
        after=AfterEffects() if previous else None,
    )


def new_treatment(store: Store, mark_id: int, settings: Settings) -> Treatment:
    """What a new treated point at a mark starts with, so that the same needle as last time takes one
    keystroke to accept: the needle and technique of the visit's last treated point (else the needle
    chosen in the visit's preparation, else the settings' last one), and the nearest trigger point's
    muscle. Depth, twitches and the rest start unrecorded: they are the therapist's to say."""
    mark = store.mark(mark_id)
    visit = store.visit(stored(mark.visit_id))
    last = max(
        (m for m in store.marks(stored(visit.id)) if m.treatment is not None and m.id != mark_id),
        key=lambda m: (m.updated_at or datetime.min, stored(m.id)),  # the one recorded last
        default=None,
    )
    previous = last.treatment if last is not None else None
    needle = (previous.needle if previous else None) or visit.needle or settings.preselected()
    return Treatment(
        muscle=mark.trp_muscle,
        needle=needle,
        technique=previous.technique if previous else None,
        passes=previous.passes if previous else None,
    )


def toggled(findings: Findings, field: str, value: Any = None) -> Any:
    """What a finding key sets. A status key (`value` "active" / "latent") sets that status, and clears
    it when pressed again; a yes / no key (`value` None) turns the finding on, or off when it is on."""
    current = getattr(findings, field)
    if value is not None:
        return None if current == value else value
    return not bool(current)


def stroke(
    drawings: Sequence[Drawing],
    body: Body,
    visit_id: int,
    symptom: str,
    tool: str,
    view: View,
    shape: BaseGeometry,
    intensity: int | None = None,
) -> cmd.Command | None:
    """The command a drawing gesture makes on the visit's drawing of `symptom` (brush or lasso add to it,
    the eraser takes away); None when it would change nothing on the visit's `drawings` as the user has
    them. The store applies the stroke to the drawing as stored (Store.draw), so strokes made meanwhile
    by someone else are kept. The first stroke of a symptom adds its drawing, with `intensity`."""
    existing = next((d for d in drawings if d.symptom == symptom and d.deleted_at is None), None)
    before = PainArea(dict(existing.areas)) if existing else PainArea()
    after = before.erase(view, shape) if tool == "eraser" else before.add(body, view, shape)
    if after.views == before.views:
        return None
    return cmd.Stroke(visit_id, symptom, tool, view, shape, intensity)
