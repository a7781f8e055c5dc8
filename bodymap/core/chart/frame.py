"""The body frame, the views and the laterality rule shared by every part of bodymap.

Geometry lives in one normalised frame per view: stature = 1.0, x = 0 on the midline, +x to the
viewer's right, y up from the soles. Data is authored in the *lateral frame* (u, y), where
u >= 0 is the distance from the midline, so one description serves both sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

View = Literal["front", "back", "plantar", "head"]
Side = Literal["right", "left", "midline"]

VIEWS: tuple[View, ...] = ("front", "back", "plantar", "head")
SIDES: tuple[Side, ...] = ("right", "left", "midline")
PAIRED_SIDES: tuple[Side, ...] = ("right", "left")

# Points closer to the midline than this are on the midline (about 2 mm on a 170 cm adult).
MIDLINE_TOLERANCE = 0.001


def check_view(view: str) -> View:
    """Return `view` if it is a known view, else raise ValueError naming the known ones."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    return view


def check_side(side: str) -> Side:
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected one of {', '.join(SIDES)}")
    return side


def x_sign(view: View, side: Side) -> int:
    """+1 or -1: the sign of x for the patient's `side` on `view`.

    On the front view the patient faces the viewer, so the patient's right is on the viewer's left
    (x < 0). On the back and plantar views the viewer stands behind the patient: right is x > 0.
    The head view shows the patient's right profile on the viewer's left (x < 0), as the front view
    places the right side, and the left profile on the viewer's right (DESIGN.md).
    """
    if side == "midline":
        raise ValueError("the midline has no x sign")
    right = -1 if view in ("front", "head") else 1
    return right if side == "right" else -right


def side_of(view: View, x: float) -> Side:
    """The patient's side of a point at chart coordinate `x` on `view`."""
    if abs(x) <= MIDLINE_TOLERANCE:
        return "midline"
    return "right" if (x > 0) == (x_sign(view, "right") > 0) else "left"


def opposite(side: Side) -> Side:
    return {"right": "left", "left": "right", "midline": "midline"}[side]  # type: ignore[return-value]


def mirror(geom: BaseGeometry) -> BaseGeometry:
    """Mirror a geometry across the midline (x -> -x)."""
    from shapely import affinity  # imported here: the window's first paint needs no shapely

    return affinity.scale(geom, xfact=-1.0, yfact=1.0, origin=(0.0, 0.0))


def place(geom: BaseGeometry, view: View, side: Side) -> BaseGeometry:
    """Move a lateral-frame geometry (u >= 0) onto `view` for the patient's `side`."""
    if side == "midline" or x_sign(view, side) > 0:
        return geom
    return mirror(geom)


def place_point(u: float, y: float, view: View, side: Side) -> tuple[float, float]:
    if side == "midline":
        return (0.0, y) if abs(u) <= MIDLINE_TOLERANCE else (u, y)
    return (x_sign(view, side) * u, y)


__all__ = [
    "View",
    "Side",
    "VIEWS",
    "SIDES",
    "PAIRED_SIDES",
    "MIDLINE_TOLERANCE",
    "check_view",
    "check_side",
    "x_sign",
    "side_of",
    "opposite",
    "mirror",
    "place",
    "place_point",
]
