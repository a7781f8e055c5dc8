"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeat: int = 30, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def report(
    name: str,
    value_s: float,
    target_s: float | None = None,
    baseline_s: float | None = None,
    unit: str = "ms",
    target_ratio: float | None = None,
) -> None:
    scale = 1000.0 if unit == "ms" else 1.0
    parts = [f"{name:<58} {value_s * scale:9.3f} {unit}"]
    if target_s is not None:
        ok = "ok" if value_s <= target_s else "OVER"
        parts.append(f"target ≤ {target_s * scale:g} {unit} [{ok}]")
    if baseline_s:
        parts.append(f"ratio to baseline {value_s / baseline_s:6.2f}")
        if target_ratio is not None:
            parts.append(
                f"target ≤ {target_ratio:g} [{'ok' if value_s / baseline_s <= target_ratio else 'OVER'}]"
            )
    print("  ".join(parts), flush=True)
