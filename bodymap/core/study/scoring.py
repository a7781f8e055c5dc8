"""Fair, explained scores for study answers: a drawn zone, a pointed trigger point, a set of muscles.

- Drawing (zone cards). D = the drawing, E = the essential zone, S = the spillover zone:
      score = |D ∩ E| / (|E| + |D ∖ (E ∪ S)|)   = the Jaccard index of (D ∖ S) against E.
  Drawing into the spillover zone neither helps nor hurts (some patients have it, some do not).
  Pass at 0.5, excellent at 0.7: people redrawing their *own* pain reach a Jaccard of 0.6-0.75 in
  test-retest studies (Barbero et al.), so a student drawing a textbook zone passes lower.
- Point (point cards): full credit within 1.5 cm of the nearest trigger point of the muscle, falling to
  half credit at 3 cm (still a pass: a physiotherapist re-locating the same trigger point varies by
  about ±2.7 cm, Barbero et al. 2012), none beyond.
- Choice (reverse and name cards): the F1 of the chosen muscles against the accepted ones, so every
  correct muscle counts and guessing every option costs precision.

Every score says why in one line, and points out the commonest error of body maps, left for right. The
line says "overlap" for the Jaccard index and "score" for F1: words a student reads without a glossary.
Distances are in cm on the reference adult (stature 1.0 = 170 cm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from bodymap.core.atlas import TriggerPoint
from bodymap.core.chart.frame import Side, View, mirror, opposite, side_of
from bodymap.core.records.model import REFERENCE_STATURE_CM

PASS = 0.5
EXCELLENT = 0.7
POINT_FULL_CM = 1.5
POINT_PARTIAL_CM = 3.0
POINT_PARTIAL_AT_LIMIT = 0.5  # the score at POINT_PARTIAL_CM: still a pass
WRONG_SIDE = 0.25  # a failed drawing that mirrored would overlap at least this (and twice as much)

Pattern = dict[View, BaseGeometry]
Details = dict[str, object]


@dataclass(frozen=True)
class Score:
    score: float  # 0..1
    passed: bool
    excellent: bool
    reason: str  # one line, for the student
    details: Details = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "score": round(self.score, 4),
            "passed": self.passed,
            "excellent": self.excellent,
            "reason": self.reason,
            **self.details,
        }


def _pct(x: float) -> str:
    return f"{round(100 * x)} %"


def _shown(x: float) -> str:
    """Two decimals, rounded down: 0.497 shows as 0.49, never as a passing-looking 0.50."""
    return f"{math.floor(x * 100 + 1e-9) / 100:.2f}"


def _verdict(score: float, excellent: bool) -> str:
    return "excellent" if excellent else "pass" if score >= PASS else f"a pass needs {PASS:.2f}"


# --- drawings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawingParts:
    """The areas of a drawing against a zone, summed over views (body units²)."""

    hit: float  # |D ∩ E|
    missed: float  # |E ∖ D|
    extra: float  # |D ∖ (E ∪ S)|
    drawn: float  # |D|

    @property
    def jaccard(self) -> float:
        total = self.hit + self.missed + self.extra
        return self.hit / total if total > 0 else 0.0


def drawing_parts(drawing: Pattern, essential: Pattern, pattern: Pattern) -> DrawingParts:
    """`pattern` is essential ∪ spillover per view (precomputed: the union is the slow part)."""
    hit = extra = drawn = 0.0
    for view, d in drawing.items():
        a = d.area
        drawn += a
        e, p = essential.get(view), pattern.get(view)
        if e is not None:
            hit += shapely.intersection(d, e).area
        inside = shapely.intersection(d, p).area if p is not None else 0.0
        extra += max(0.0, a - inside)
    e_area = sum(g.area for g in essential.values())
    return DrawingParts(hit, max(0.0, e_area - hit), extra, drawn)


def score_drawing(drawing: Pattern, essential: Pattern, pattern: Pattern, side: Side) -> Score:
    """Score a drawing against a trigger point's zones on the patient's `side`."""
    parts = drawing_parts(drawing, essential, pattern)
    if parts.drawn <= 0:
        return Score(0.0, False, False, "nothing drawn on the body", {"jaccard": 0.0, "coverage": 0.0})
    j = parts.jaccard
    e_area = parts.hit + parts.missed
    coverage = parts.hit / e_area if e_area > 0 else 0.0
    outside = parts.extra / parts.drawn
    details: Details = {
        "jaccard": round(j, 4),
        "coverage": round(coverage, 4),
        "outside": round(outside, 4),
    }
    excellent = j >= EXCELLENT
    verdict = _verdict(j, excellent)
    if j < PASS:
        hint = _drawing_hint(drawing, essential, pattern, side, parts)
        if hint:
            return Score(j, False, False, f"overlap {_shown(j)} ({verdict}): {hint}", details)
    why = f"you covered {_pct(coverage)} of the essential zone"
    why += f"; {_pct(outside)} of your drawing is outside the pattern" if outside >= 0.005 else ""
    return Score(j, j >= PASS, excellent, f"overlap {_shown(j)} ({verdict}): {why}", details)


def _drawing_hint(
    drawing: Pattern, essential: Pattern, pattern: Pattern, side: Side, parts: DrawingParts
) -> str:
    """Why a failed drawing failed, when it is one of the common slips: the wrong side, the wrong view."""
    flipped = {v: mirror(g) for v, g in drawing.items()}
    # Mirrored, it would have done clearly better: the student drew the other side (a rough drawing
    # on the wrong side rarely passes when mirrored, yet the slip is the side, not the shape).
    if drawing_parts(flipped, essential, pattern).jaccard >= max(WRONG_SIDE, 2 * parts.jaccard):
        return f"drawn on the patient's {opposite(side)}; this trigger point is on the patient's {side}"
    if parts.hit == 0:
        missing = [v for v in essential if v not in drawing]
        if missing and all(v not in essential for v in drawing):
            return f"nothing drawn where it refers; its essential zone is on the {' and '.join(missing)} view"
    return ""


# --- points ---------------------------------------------------------------------------------------


def cm_text(distance_cm: float) -> str:
    """A distance to one decimal, rounded up: 3.02 cm reads 3.1 cm, never a credited-looking 3.0."""
    return f"{math.ceil(distance_cm * 10 - 1e-9) / 10:.1f} cm"


def point_credit(distance_cm: float) -> float:
    if distance_cm <= POINT_FULL_CM:
        return 1.0
    if distance_cm <= POINT_PARTIAL_CM:
        fall = (distance_cm - POINT_FULL_CM) / (POINT_PARTIAL_CM - POINT_FULL_CM)
        return 1.0 - fall * (1.0 - POINT_PARTIAL_AT_LIMIT)
    return 0.0


def score_point(view: View, x: float, y: float, trps: tuple[TriggerPoint, ...], asked: TriggerPoint) -> Score:
    """Score a click against the nearest trigger point of the muscle on the asked side."""
    here = [t for t in trps if t.view == view]
    if not here:
        views = sorted({t.view for t in trps})
        return Score(
            0.0,
            False,
            False,
            f"no trigger point of this muscle on the {view} view; look on the {' or '.join(views)} view",
            {"distance_cm": None},
        )
    nearest = min(here, key=lambda t: (t.point[0] - x) ** 2 + (t.point[1] - y) ** 2)
    cm = Point(x, y).distance(Point(nearest.point)) * REFERENCE_STATURE_CM
    credit = point_credit(cm)
    details: Details = {"distance_cm": round(cm, 2), "nearest": nearest.id}
    which = "" if nearest.id == asked.id else f" ({nearest.name})"
    if credit >= 1.0:
        return Score(1.0, True, True, f"{cm_text(cm)} from the trigger point{which}: on it", details)
    if credit > 0:
        return Score(
            credit,
            True,
            False,
            f"{cm_text(cm)} from the trigger point{which}: close (full credit within {POINT_FULL_CM:g} cm)",
            details,
        )
    clicked = side_of(view, x)
    if clicked == opposite(asked.side):
        mirrored = min(Point(-x, y).distance(Point(t.point)) for t in here) * REFERENCE_STATURE_CM
        if mirrored <= POINT_PARTIAL_CM:
            return Score(
                0.0,
                False,
                False,
                f"that is the patient's {clicked}; this trigger point is on the patient's {asked.side}",
                details,
            )
    return Score(
        0.0,
        False,
        False,
        f"{cm_text(cm)} from the nearest trigger point (credit up to {POINT_PARTIAL_CM:g} cm)",
        details,
    )


# --- choices --------------------------------------------------------------------------------------


def score_choice(chosen: set[str], accepted: set[str], name: dict[str, str]) -> Score:
    """Reverse cards: the F1 of the chosen muscles against the accepted ones (`name` gives muscle names
    for the reason). Every accepted muscle counts; choosing every option costs precision."""
    right = chosen & accepted
    precision = len(right) / len(chosen) if chosen else 0.0
    recall = len(right) / len(accepted) if accepted else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    details = {"f1": round(f1, 4), **_choice_details(chosen, accepted)}
    if not chosen:
        return Score(0.0, False, False, "no muscle chosen", details)
    parts = [f"{len(right)} of {len(accepted)} muscles"]
    wrong = sorted(name.get(m, m) for m in chosen - accepted)
    missed = sorted(name.get(m, m) for m in accepted - chosen)
    if wrong:
        parts.append(f"not {_list(wrong)}")
    if missed:
        parts.append(f"missed {_list(missed)}")
    excellent = f1 >= EXCELLENT
    reason = f"score {_shown(f1)} ({_verdict(f1, excellent)}): " + "; ".join(parts)
    return Score(f1, f1 >= PASS, excellent, reason, details)


def score_name(chosen: set[str], accepted: set[str], name: dict[str, str]) -> Score:
    """Name cards: one muscle to pick; any muscle with the very same pattern is accepted too."""
    details = _choice_details(chosen, accepted)
    answer = " or ".join(sorted(name.get(m, m) for m in accepted))
    if not chosen:
        return Score(0.0, False, False, "no muscle chosen", details)
    if len(chosen) > 1:
        return Score(0.0, False, False, f"pick one muscle; it is {answer}", details)
    (pick,) = chosen
    if pick in accepted:
        return Score(1.0, True, True, f"right: {name.get(pick, pick)}", details)
    return Score(0.0, False, False, f"it is {answer}, not {name.get(pick, pick)}", details)


def _choice_details(chosen: set[str], accepted: set[str]) -> Details:
    return {
        "correct": sorted(accepted),
        "wrong": sorted(chosen - accepted),
        "missed": sorted(accepted - chosen),
    }


def _list(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")
