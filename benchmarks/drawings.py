"""Issue 10: drawings of any shape are cleaned, simplified or refused in bounded time, and a detailed
self-crossing drawing ranks fast once cleaned.

    python -m benchmarks.drawings

Cleaning (pain.clean) is what the records store and the lookup both do to a drawn or imported area. The
findings it answers: a 300-vertex self-crossing drawing took 36 s to import and 45 s to rank; 1,000
vertices over two minutes; a 25,000-vertex star 85 s. Targets: any drawing of up to 100,000 vertices
answered (cleaned or refused) within 1 s; a 10,000-vertex self-crossing drawing ranked within 50 ms
after cleaning. Baseline, measured in the same run: cleaning and ranking a plain disc of 33 vertices.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

try:
    from .common import median_seconds, report
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import median_seconds, report  # type: ignore[no-redef]


def lasso(n: int, cx: float, cy: float) -> Polygon:
    """A hand-drawn lasso of n points that goes round twice, wobbling, and so crosses itself (its second
    loop over the first): the drawing a therapist makes when shading a region in one stroke."""
    t = np.linspace(0, 4 * np.pi, n, endpoint=False)
    r = 0.06 + 0.012 * np.sin(t * 2.3) + 0.006 * np.sin(t * 75)
    return Polygon(np.c_[cx + 0.8 * r * np.cos(t), cy + 1.2 * r * np.sin(t)])


def star(n: int, cx: float, cy: float, seed: int = 1) -> Polygon:
    """n vertices at random angles and radii: every edge crosses most others (a hostile file)."""
    rng = np.random.default_rng(seed)
    a, r = rng.uniform(0, 2 * np.pi, n), rng.uniform(0.02, 0.08, n)
    return Polygon(np.c_[cx + r * np.cos(a), cy + r * np.sin(a)])


def star_polygon(k: int, m: int, n: int, cx: float, cy: float, r: float = 0.05) -> Polygon:
    """The regular star {k/m} drawn with n points along its edges: k(m - 1) crossings, each edge
    crossing many others: a scribble over one spot, drawn with a steady hand."""
    a = np.arange(k) * m * 2 * np.pi / k
    corners = np.c_[cx + r * np.cos(a), cy + r * np.sin(a)]
    s = np.linspace(0, 1, n // k, endpoint=False)[:, None]
    edges = [corners[i] + (corners[(i + 1) % k] - corners[i]) * s for i in range(k)]
    return Polygon(np.concatenate(edges))


def worst_of(fn, repeat: int = 3) -> float:
    """The slowest of a few runs: a bound is about the worst case."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return max(times)


def main() -> None:
    from bodymap.core.atlas import load_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.core.lookup import Lookup
    from bodymap.core.pain import AreaError, clean, crossings

    print("== drawings (issue 10)")
    body = load_body()
    lookup = Lookup(load_atlas(), body)
    outline = body["back"].outline
    on_body = outline.buffer(1e-6)
    shapely.prepare(on_body)
    cx, cy = body["back"].landmark("spine_of_scapula", "right").point

    def cleaned(geom):
        def run():
            try:
                return clean(geom, outline, on_body)
            except AreaError:
                return None

        return run

    disc = Point(cx, cy - 0.03).buffer(0.03, quad_segs=8)
    base_clean = median_seconds(cleaned(disc), repeat=50)
    report("clean a disc of 33 vertices (baseline)", base_clean)
    for name, geom in (
        ("a 300-vertex random star (took 36 s to import)", star(300, cx, cy)),
        ("a 1,000-vertex random star (took over 2 min)", star(1_000, cx, cy)),
        ("a 25,000-vertex random star (took 85 s)", star(25_000, cx, cy)),
        ("a 100,000-vertex random star", star(100_000, cx, cy)),
        ("a 10,000-vertex lasso drawn twice round", lasso(10_000, cx, cy - 0.03)),
        ("a 100,000-vertex lasso drawn twice round", lasso(100_000, cx, cy - 0.03)),
        ("a 10,000-vertex star scribble {50/21}", star_polygon(50, 21, 10_000, cx, cy - 0.03)),
        ("a 100,000-vertex star scribble {75/31}", star_polygon(75, 31, 100_000, cx, cy - 0.03)),
    ):
        outcome = cleaned(geom)()
        said = "refused" if outcome is None else f"kept, {shapely.get_num_coordinates(outcome):,} vertices"
        report(f"clean {name}: {said} (worst of 3)", worst_of(cleaned(geom)), 1.0, base_clean)

    base_rank = median_seconds(lambda: lookup.rank({"back": clean(disc, outline, on_body)}), repeat=30)
    report("rank the whole atlas for the disc (baseline)", base_rank)
    for name, drawn in (
        ("lasso drawn twice round", lasso(10_000, cx, cy - 0.03)),
        ("star scribble {50/21}", star_polygon(50, 21, 10_000, cx, cy - 0.03)),
    ):
        pain = lookup.clip({"back": drawn})
        rank = median_seconds(lambda pain=pain: lookup.rank(pain, limit=20), repeat=30)
        report(
            f"rank a 10,000-vertex {name} ({crossings(drawn, 10**6):,} crossings) after cleaning "
            f"({shapely.get_num_coordinates(pain['back']):,} vertices)",
            rank,
            0.050,
            base_rank,
        )
        clip = median_seconds(lambda drawn=drawn: lookup.clip({"back": drawn}), repeat=10)
        report("  and cleaning it for the lookup (once per drawing)", clip, 1.0, base_clean)


if __name__ == "__main__":
    main()
