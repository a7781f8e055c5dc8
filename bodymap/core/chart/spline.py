"""Centripetal Catmull-Rom splines: smooth curves that pass exactly through their control points."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Points = npt.NDArray[np.float64]  # shape (n, 2)


def catmull_rom(points: Points, *, closed: bool = False, samples: int = 8) -> Points:
    """Sample a centripetal Catmull-Rom spline through `points`.

    Centripetal parametrisation (alpha = 0.5) never forms cusps or self-loops within a segment, so
    an outline drawn through landmarks stays a simple curve. Each segment gets `samples` points.
    """
    p = np.asarray(points, dtype=np.float64)
    if len(p) < 2:
        return np.array(p, dtype=np.float64)
    if closed:
        ext = np.vstack([p[-1], p, p[0], p[1]])
    else:
        # Reflect the end points so the curve starts and ends at the first and last control point.
        ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out: list[Points] = []
    segments = len(p) if closed else len(p) - 1
    t = np.linspace(0.0, 1.0, samples, endpoint=False)[:, None]
    for i in range(segments):
        p0, p1, p2, p3 = ext[i], ext[i + 1], ext[i + 2], ext[i + 3]
        t0 = 0.0
        t1 = t0 + max(float(np.linalg.norm(p1 - p0)), 1e-9) ** 0.5
        t2 = t1 + max(float(np.linalg.norm(p2 - p1)), 1e-9) ** 0.5
        t3 = t2 + max(float(np.linalg.norm(p3 - p2)), 1e-9) ** 0.5
        tt = t1 + t * (t2 - t1)
        a1 = (t1 - tt) / (t1 - t0) * p0 + (tt - t0) / (t1 - t0) * p1
        a2 = (t2 - tt) / (t2 - t1) * p1 + (tt - t1) / (t2 - t1) * p2
        a3 = (t3 - tt) / (t3 - t2) * p2 + (tt - t2) / (t3 - t2) * p3
        b1 = (t2 - tt) / (t2 - t0) * a1 + (tt - t0) / (t2 - t0) * a2
        b2 = (t3 - tt) / (t3 - t1) * a2 + (tt - t1) / (t3 - t1) * a3
        out.append((t2 - tt) / (t2 - t1) * b1 + (tt - t1) / (t2 - t1) * b2)
    if not closed:
        out.append(p[-1:])
    return np.vstack(out)


def polyline_length(points: Points) -> npt.NDArray[np.float64]:
    """Cumulative arc length at each vertex of a polyline."""
    p = np.asarray(points, dtype=np.float64)
    seg = np.linalg.norm(np.diff(p, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def turning_angles(ring: Points) -> npt.NDArray[np.float64]:
    """Turning angle in degrees at every vertex of a closed ring (without the repeated last point)."""
    p = np.asarray(ring, dtype=np.float64)
    if np.allclose(p[0], p[-1]):
        p = p[:-1]
    a = p - np.roll(p, 1, axis=0)
    b = np.roll(p, -1, axis=0) - p
    ang: npt.NDArray[np.float64] = np.arctan2(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0], (a * b).sum(axis=1))
    return np.degrees(np.abs(ang))
