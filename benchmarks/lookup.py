"""Issue 4: ranking the whole atlas for a drawn area of 500 vertices and for a single point."""

from __future__ import annotations

import math

from shapely.geometry import Polygon

from .common import median_seconds, report


def main() -> None:
    from bodymap.core.atlas import load_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.core.lookup import Lookup

    print("== lookup (issue 4)")
    body, atlas = load_body(), load_atlas()
    lookup = Lookup(atlas, body)
    # A wobbly 500-vertex pain drawing over the right lateral hip and thigh (front view: x < 0).
    n = 500
    pts = [
        (
            -0.095 + 0.02 * math.cos(2 * math.pi * i / n) * (1 + 0.15 * math.sin(9 * 2 * math.pi * i / n)),
            0.45 + 0.08 * math.sin(2 * math.pi * i / n),
        )
        for i in range(n)
    ]
    pain = lookup.clip({"front": Polygon(pts)})
    base = median_seconds(lambda: pain["front"].intersection(body["front"].outline), repeat=50)
    t = median_seconds(lambda: lookup.rank(pain, limit=20), repeat=50)
    report("one intersection of the drawing with the outline (baseline)", base)
    report("rank the whole atlas for a drawn area of 500 vertices (target ≤ 10 ms)", t, 0.010, base)
    point = lookup.point_pain("front", -0.05, 0.73)
    tp = median_seconds(lambda: lookup.rank(point, limit=20, point=True), repeat=200)
    report("rank the whole atlas for a single point (target ≤ 1 ms)", tp, 0.001, base)
    # Issue 12: the head view and the fingers. A wobbly 500-vertex drawing over the right jaw and TMJ
    # on the head view, and single points on the TMJ there and on the palmar little finger.
    tmj = body["head"].landmark("temporomandibular_joint", "right").point
    jaw = [
        (
            tmj[0] + 0.012 * math.cos(2 * math.pi * i / n) * (1 + 0.15 * math.sin(9 * 2 * math.pi * i / n)),
            tmj[1] - 0.015 + 0.02 * math.sin(2 * math.pi * i / n),
        )
        for i in range(n)
    ]
    head = lookup.clip({"head": Polygon(jaw)})
    th = median_seconds(lambda: lookup.rank(head, limit=20), repeat=50)
    report("rank for a 500-vertex drawing on the head view (jaw; target ≤ 10 ms)", th, 0.010, base)
    p_tmj = lookup.point_pain("head", *tmj)
    tph = median_seconds(lambda: lookup.rank(p_tmj, limit=20, point=True), repeat=200)
    report("rank for a point on the head view (TMJ; target ≤ 1 ms)", tph, 0.001, base)
    little = body["front"].region("palmar_little", "right").geometry.representative_point()
    p_finger = lookup.point_pain("front", little.x, little.y)
    tpf = median_seconds(lambda: lookup.rank(p_finger, limit=20, point=True), repeat=200)
    report("rank for a point on a finger (palmar little finger; target ≤ 1 ms)", tpf, 0.001, base)
    two = lookup.landmark_pain("temple", "right")  # the temple is seen on three views
    tt = median_seconds(lambda: lookup.rank(two, limit=20, point=True), repeat=200)
    report("rank for a landmark seen on three views (temple; three points, no target)", tt, baseline_s=base)


if __name__ == "__main__":
    main()
