"""Issue 3: loading and validating the atlas; repainting a view with every muscle's zones."""

from __future__ import annotations

import json
import os
import tempfile

from .common import median_seconds, report


def load() -> None:
    from bodymap.core import cache
    from bodymap.core.atlas import build_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.core.data import data_root

    body = load_body()
    files = sorted((data_root() / "atlas").rglob("*.json"))
    baseline = median_seconds(lambda: [json.loads(f.read_bytes()) for f in files], repeat=10)
    report(f"read the {len(files)} atlas JSON files (baseline)", baseline)
    full = median_seconds(lambda: build_atlas(body), repeat=3, warmup=0)
    report("build and validate the whole atlas, no cache", full, baseline_s=baseline)
    os.environ["BODYMAP_CACHE_DIR"] = tempfile.mkdtemp()
    cache.cached("atlas", lambda: build_atlas(body))
    warm = median_seconds(lambda: cache.cached("atlas", lambda: build_atlas(body)), repeat=10)
    report("load the atlas from the checked cache (target ≤ 150 ms)", warm, 0.150, baseline)


def repaint() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from bodymap.core.atlas import load_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.ui.chart.overlay import AtlasOverlay
    from bodymap.ui.chart.paint import paint_from_body
    from bodymap.ui.chart.scene import ChartScene
    from bodymap.ui.chart.view import ChartView

    app = QApplication.instance() or QApplication([])  # noqa: F841
    body = load_body()
    scene = ChartScene(paint_from_body(body), body=body)
    view = ChartView(scene)
    view.resize(1920, 1080)
    view.show()
    app.processEvents()

    def frame() -> None:
        view.viewport().repaint()  # a synchronous paint of the real viewport, as on screen

    for shown in (("front",), ("front", "back", "plantar", "head")):
        view.show_views(shown)
        app.processEvents()
        base = median_seconds(frame, repeat=20)
        overlay = AtlasOverlay(scene)
        overlay.set_muscles(list(load_atlas().muscles.values()))
        first = median_seconds(lambda o=overlay: (o.update(), frame()), repeat=5, warmup=1)
        report("  first frame after a change (the overlay cache is rebuilt)", first, baseline_s=base)
        t = median_seconds(frame, repeat=20)
        report(
            f"repaint {'+'.join(shown)} at 1920x1080 with all {len(overlay.shown)} muscles' zones "
            f"(baseline: no overlay)",
            t,
            0.016,
            base,
        )
        overlay.set_muscles([])


def select() -> None:
    """Issue 12: choosing one muscle paints its pattern within 50 ms, whatever views are shown. The
    first frame after the choice is measured for the muscles with the most detailed patterns."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import shapely
    from PySide6.QtWidgets import QApplication

    from bodymap.core.atlas import load_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.ui.chart.overlay import AtlasOverlay
    from bodymap.ui.chart.paint import paint_from_body
    from bodymap.ui.chart.scene import ChartScene
    from bodymap.ui.chart.view import ChartView

    app = QApplication.instance() or QApplication([])
    body, atlas = load_body(), load_atlas()
    scene = ChartScene(paint_from_body(body), body=body)
    view = ChartView(scene)
    view.resize(1920, 1080)
    view.show()
    app.processEvents()

    def detail(m) -> int:
        zones = [g for t in m.trps() for z in (t.essential, t.spillover) for g in z.values()]
        return int(sum(shapely.get_num_coordinates(g) for g in zones))

    heavy = sorted(atlas.muscles.values(), key=detail, reverse=True)[:20]
    overlay = AtlasOverlay(scene)
    for shown in (("front",), ("head",), ("front", "back", "plantar", "head")):
        view.show_views(shown)
        app.processEvents()
        base = median_seconds(lambda: view.viewport().repaint(), repeat=10)
        times = []
        for m in heavy:

            def choose(m=m) -> None:
                overlay.set_muscles([m])
                view.viewport().repaint()

            overlay.set_muscles([])
            times.append(median_seconds(choose, repeat=3, warmup=1))
        times.sort()
        label = "+".join(shown)
        report(
            f"choose one muscle, {label}: median of the 20 most detailed", times[len(times) // 2], 0.050, base
        )
        report(f"choose one muscle, {label}: the slowest of them", times[-1], 0.050, base)
        overlay.set_muscles([])


def main() -> None:
    print("== atlas (issue 3)")
    load()
    repaint()
    select()


if __name__ == "__main__":
    main()
