"""What the patient's aftercare sheet says after a needling visit, in plain words, with its sources.

The sheet (ui/records/handout.py, `bodymap handout`) shows the patient's chart with the points treated
today, then these words: the areas treated, what to expect, what helps, the warning signs (those that
need urgent care first), the next visit and the clinic's contact line. The breathing and chest warning
is given whenever a point was needled where a needle can reach the lung (a hazard whose risk is
pneumothorax under the point, or one listed for the muscle): over the chest, the upper back or the
base of the neck.

Every sentence a patient acts on comes from a source in SOURCES, named beside it (`sources`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bodymap.core.atlas import Atlas
from bodymap.core.atlas.hazards import hazards_at

from .model import Mark, Record, VisitRecord

SOURCES: dict[str, str] = {
    "brady_2014": (
        "Brady S, McEvoy J, Dommerholt J, Doody C. Adverse events following trigger point dry needling: "
        "a prospective survey of chartered physiotherapists. J Man Manip Ther. 2014;22(3):134-140 "
        "(7629 treatments: bruising 7.6%, bleeding 4.7%, pain after treatment 2.2%, aggravation of "
        "symptoms 0.9%, drowsiness 0.3%; no significant adverse event)."
    ),
    "martin_pintado_2018": (
        "Martín-Pintado-Zugasti A, Mayoral del Moral O, Gerwin RD, Fernández-Carnero J. Post-needling "
        "soreness after myofascial trigger point dry needling: current status and future research. "
        "J Bodyw Mov Ther. 2018. doi:10.1016/j.jbmt.2018.01.003 (soreness in most patients, usually "
        "easing within 24-48 hours; ways to ease it)."
    ),
    "halle_2016a": (
        "Halle JS, Halle RJ. Pertinent dry needling considerations for minimizing adverse effects - part "
        "one. Int J Sports Phys Ther. 2016;11(4):651-662 (pneumothorax: signs, delayed onset, advice)."
    ),
    "halle_2016b": (
        "Halle JS, Halle RJ. Pertinent dry needling considerations for minimizing adverse effects - part "
        "two. Int J Sports Phys Ther. 2016;11(5):810-819 (infection, bleeding, nerve injury)."
    ),
    "mccutcheon_2011": (
        "McCutcheon L, Yelland M. Iatrogenic pneumothorax: safety concerns when using acupuncture or dry "
        "needling in the thoracic region. Phys Ther Rev. 2011;16(2):126-132."
    ),
    "cummings_2014": (
        "Cummings M, Ross-Marrs R, Gerwin R. Pneumothorax complication of deep dry needling "
        "demonstration. Acupunct Med. 2014;32(6):517-519 (symptoms that began hours later)."
    ),
}

# The atlas's areas as a patient would say them.
PLAIN_AREAS = {
    "head_neck": "head and neck",
    "shoulder_thorax": "shoulder, chest or upper back",
    "arm_hand": "arm and hand",
    "trunk": "back or trunk",
    "hip_pelvis": "hip and buttock",
    "thigh": "thigh",
    "leg_foot": "lower leg and foot",
}


@dataclass(frozen=True)
class Advice:
    """One line of the sheet: what to look out for or do, and where it comes from."""

    text: str
    sources: tuple[str, ...]  # keys of SOURCES


EXPECT = (
    Advice(
        "Soreness where the needles went in, like after a hard workout. It is normal and usually "
        "goes away within 1 to 2 days.",
        ("martin_pintado_2018", "brady_2014"),
    ),
    Advice("A small bruise, or a drop of blood, where a needle went in.", ("brady_2014",)),
    Advice("Feeling tired or sleepy for the rest of the day.", ("brady_2014",)),
    Advice("Your usual pain may feel a little worse for a day before it gets better.", ("brady_2014",)),
)

HELPS = (
    Advice("Keep moving gently and carry on with your normal day.", ("martin_pintado_2018",)),
    Advice("Gentle stretching of the sore muscles.", ("martin_pintado_2018",)),
    Advice("A warm shower or a warm pack on sore areas for 10 to 15 minutes.", ("martin_pintado_2018",)),
    Advice("Avoid hard exercise with the treated muscles until tomorrow.", ("martin_pintado_2018",)),
)

# Needs urgent care: call the emergency number or go to an emergency department.
BREATHING = Advice(
    "Short of breath, pain in the chest or upper back when you breathe in, or a dry cough, in the "
    "hours or days after today's visit. This can mean a collapsed lung, which is rare but needs a "
    "doctor straight away. Call your emergency number (such as 112, 911 or 999) or go to an emergency "
    "department, and say you had needling near the chest.",
    ("halle_2016a", "mccutcheon_2011", "cummings_2014"),
)
FAINT = Advice(
    "Feeling faint or dizzy after you leave: sit or lie down at once. If it does not pass within a "
    "few minutes, call your emergency number.",
    ("brady_2014", "halle_2016a"),
)
# Needs the clinic or a doctor the same day.
SOON = (
    Advice(
        "Redness that spreads, warmth, swelling or pus where a needle went in, or a fever.",
        ("halle_2016b",),
    ),
    Advice(
        "Bleeding that does not stop after 10 minutes of firm pressure, or a large bruise that keeps "
        "growing (more likely if you take blood thinners).",
        ("halle_2016b",),
    ),
    Advice("Numbness, tingling or weakness that does not go away.", ("halle_2016b",)),
    Advice("Pain that is getting worse after 2 days instead of better.", ("martin_pintado_2018",)),
)


@dataclass(frozen=True)
class Aftercare:
    """Everything the aftercare sheet says for one visit."""

    patient: str
    visited_on: date
    therapist: str
    clinic: str
    contact: str  # the clinic's contact line; "" when the settings have none
    treated: tuple[str, ...]  # the areas treated today, in words
    points: tuple[Mark, ...]  # the treated points, for the chart
    chest: bool  # a point was needled where a needle can reach the lung
    expect: tuple[Advice, ...]
    helps: tuple[Advice, ...]
    urgent: tuple[Advice, ...]
    soon: tuple[Advice, ...]
    next_visit: date | None

    @property
    def sources(self) -> list[str]:
        """The sources of the sheet's advice, each once, as cited at its foot."""
        keys: list[str] = []
        for advice in (*self.expect, *self.helps, *self.urgent, *self.soon):
            keys += [k for k in advice.sources if k not in keys]
        return [SOURCES[k] for k in keys]


def near_lung(mark: Mark, atlas: Atlas) -> bool:
    """Whether a needle at this treated point can reach the lung: a hazard with pneumothorax as its risk
    lies under the point, or is listed for the muscle needled."""
    lung = {h.id for h in atlas.hazards.values() if "pneumothorax" in h.at_risk}
    under = {h.id for h in hazards_at(atlas.hazards.values(), mark.view, mark.x, mark.y)}
    muscle = atlas.muscles.get(mark.muscle or "")
    listed = set(muscle.needling.get("hazards", [])) if muscle else set()
    return bool(lung & (under | listed))


def treated_areas(points: list[Mark], atlas: Atlas) -> tuple[str, ...]:
    """The muscles treated, each with its side and the area it lies in, in the order first needled."""
    out: list[str] = []
    for m in points:
        muscle = atlas.muscles.get(m.muscle or "")
        name = muscle.name if muscle else "a muscle"
        side = "" if m.side == "midline" else f", {m.side} side"
        area = f" ({PLAIN_AREAS[muscle.area]})" if muscle else ""
        line = f"{name}{side}{area}"
        if line not in out:
            out.append(line)
    return tuple(out)


def aftercare(
    record: Record, vr: VisitRecord, atlas: Atlas, *, clinic: str = "", contact: str = ""
) -> Aftercare:
    """The aftercare sheet of a visit: the treated points (live marks that were needled) and advice."""
    points = [m for m in vr.marks if m.deleted_at is None and m.treatment is not None]
    chest = any(near_lung(m, atlas) for m in points)
    v = vr.visit
    return Aftercare(
        patient=record.patient.name,
        visited_on=v.visited_on,
        therapist=v.therapist,
        clinic=clinic.strip(),
        contact=contact.strip(),
        treated=treated_areas(points, atlas),
        points=tuple(points),
        chest=chest,
        expect=EXPECT,
        helps=HELPS,
        urgent=(BREATHING, FAINT) if chest else (FAINT,),
        soon=SOON,
        next_visit=v.next_visit,
    )


__all__ = ["Aftercare", "Advice", "SOURCES", "aftercare", "near_lung", "treated_areas"]
