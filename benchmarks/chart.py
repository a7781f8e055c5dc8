"""Issue 2: cold start to the first painted window, hover hit-testing, rendering a view to PNG."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import median_seconds, report

BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
from bodymap.ui.first_paint import quit_after_first_paint
app = QApplication(sys.argv)
w = QMainWindow(); label = QLabel("bare window"); w.setCentralWidget(label); w.resize(1400, 900); w.show()
quit_after_first_paint(label)
app.exec()
"""


def _started(cmd: list[str], env: dict, what: str = "painted") -> float:
    start = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith(what + " "))
    return float(line.split()[1]) - start


def cold_start(runs: int = 9) -> None:
    """The app against a bare PySide6 window, runs interleaved so both see the same machine load."""
    with tempfile.TemporaryDirectory() as tmp:
        # The app's own settings and records folders: the runs must not touch the user's (a run that
        # quits saves the window's state, and "ready" opens the records).
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            "XDG_CONFIG_HOME": str(Path(tmp) / "config"),
            "XDG_DATA_HOME": str(Path(tmp) / "data"),
        }
        paint_env = {**env, "BODYMAP_BENCH_EXIT": "paint"}
        app = [sys.executable, "-m", "bodymap"]
        bare = [sys.executable, "-c", BARE]
        # A first start fills the caches and saves the window's geometry, as any later start finds them
        # (without saved geometry the window opens maximized, larger than the bare one).
        _started(app, {**env, "BODYMAP_BENCH_EXIT": "ready"}, "ready")
        times: dict[str, list[float]] = {"bare": [], "app": []}
        for _ in range(runs):
            times["bare"].append(_started(bare, paint_env))
            times["app"].append(_started(app, paint_env))
        b, a = statistics.median(times["bare"]), statistics.median(times["app"])
        report("cold start to first painted window: bare PySide6 window", b)
        report("cold start to first painted window: bodymap", a, baseline_s=b, target_ratio=1.5)
        r = statistics.median(
            _started(app, {**env, "BODYMAP_BENCH_EXIT": "ready"}, "ready") for _ in range(max(3, runs // 3))
        )
        report("  ... until all is ready: chart, menus, atlas, lookup, records (no target)", r, baseline_s=b)


def hover() -> None:
    from bodymap.core.chart.body import load_body
    from bodymap.core.chart.hittest import HitTester

    body = load_body()
    rng = random.Random(1)
    for view in ("front", "back", "plantar"):
        tester = HitTester(body[view])
        minx, miny, maxx, maxy = body[view].outline.bounds
        pts = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(2000)]
        it = iter(pts * 100)
        t = median_seconds(lambda h=tester, i=it: h.hit(*next(i), tolerance=0.005), repeat=1000)
        baseline = median_seconds(lambda v=view: body[v].outline.bounds, repeat=1000)
        report(f"hover hit-test, {view} ({len(body[view].regions)} regions + landmarks)", t, 0.0001, baseline)


def render_png() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QColor, QImage
    from PySide6.QtWidgets import QApplication

    from bodymap.core.chart.body import load_body
    from bodymap.ui.chart.scene import ChartScene
    from bodymap.ui.render import render_scene

    app = QApplication.instance() or QApplication([])  # noqa: F841
    from bodymap.ui.chart.paint import paint_from_body

    body = load_body()
    scene = ChartScene(paint_from_body(body), body=body)
    out = Path(tempfile.mkdtemp()) / "view.png"
    for view in ("front", "back", "plantar"):
        scene.set_views((view,))
        rect = scene.views_rect()
        # A 2000-pixel PNG: 2000 pixels along the picture's longer side.
        width = round(2000 * min(1.0, rect.width() / rect.height()))
        height = round(width * rect.height() / rect.width())
        t = median_seconds(lambda r=rect, w=width: render_scene(scene, r, out, w), repeat=10, warmup=1)

        def blank(width: int = width, height: int = height) -> None:
            img = QImage(width, height, QImage.Format.Format_RGB32)
            img.fill(QColor("white"))
            img.save(str(out), "PNG", 80)

        b = median_seconds(blank, repeat=10, warmup=1)
        report(f"render {view} to a PNG {width}x{height} (baseline: Qt saving a blank PNG)", t, 0.1, b)


def main() -> None:
    print("== body charts (issue 2)")
    cold_start()
    hover()
    render_png()


if __name__ == "__main__":
    main()
