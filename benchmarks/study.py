"""Issue 13: scoring a drawn answer of 500 vertices (target ≤ 5 ms) and opening the next card (≤ 50 ms)."""

from __future__ import annotations

import math
import tempfile
from datetime import timedelta
from pathlib import Path

from shapely.geometry import Polygon

from .common import median_seconds, report


def main() -> None:
    from fsrs import Rating

    from bodymap.core.atlas import load_atlas
    from bodymap.core.chart.body import load_body
    from bodymap.core.lookup import Lookup
    from bodymap.core.pain import PainArea
    from bodymap.core.study import Score, Study, StudyStore
    from bodymap.core.study.schedule import scheduler, utcnow

    print("== study (issue 13)")
    body, atlas = load_body(), load_atlas()
    deck_start = utcnow()
    from bodymap.core.study import Deck, Grader

    deck = Deck.build(atlas, Lookup(atlas, body))
    report(
        "build the deck (1450 cards; look-alikes from the disk cache)",
        (utcnow() - deck_start).total_seconds(),
    )
    grader = Grader(deck)
    card = deck.card("zone:upper_trapezius:trp1:right")
    t = deck.trigger_point(card)
    # A wobbly 500-vertex drawing over the zone's essential part on the back (patient's right: x > 0).
    (view, zone), *_ = t.essential.items()
    c = zone.centroid
    n = 500
    pts = [
        (
            c.x + 0.02 * math.cos(2 * math.pi * i / n) * (1 + 0.15 * math.sin(9 * 2 * math.pi * i / n)),
            c.y + 0.05 * math.sin(2 * math.pi * i / n),
        )
        for i in range(n)
    ]
    drawing = PainArea({view: Polygon(pts)})
    base = median_seconds(lambda: drawing.views[view].intersection(body[view].outline), repeat=50)
    grader.grade(card, drawing)  # the zone's union is prepared once per trigger point
    score = median_seconds(lambda: grader.grade(card, drawing), repeat=50)
    report("one intersection of the drawing with the outline (baseline)", base)
    report("score a drawn answer of 500 vertices (target ≤ 5 ms)", score, 0.005, base)
    flipped = PainArea({view: Polygon([(-x, y) for x, y in pts])})
    wrong = median_seconds(lambda: grader.grade(card, flipped), repeat=50)
    report("score it drawn on the wrong side (the hint mirrors it; no target)", wrong, baseline_s=base)

    with tempfile.TemporaryDirectory() as tmp:
        store = StudyStore.open(Path(tmp) / "study.sqlite", scheduler())
        now = utcnow()
        good = Score(0.9, True, True, "")
        # A student some weeks in: 600 cards answered, all of them due (the longest queue to pick from).
        for i, c_ in enumerate(deck.cards[:600]):
            store.record(c_.id, good, Rating.Good, "quiz", now - timedelta(days=30 - i % 30), 5000)
        study = Study(deck, store, clock=lambda: now + timedelta(days=3))
        print(f"  ({study.counts().due} cards due of {study.counts().answered} answered)")
        quiz = median_seconds(lambda: study.next_card("quiz", card), repeat=30)
        learn = median_seconds(lambda: study.next_card("learn", card), repeat=30)
        report("open the next card in Quiz (target ≤ 50 ms)", quiz, 0.050, base)
        report("open the next card in Learn (target ≤ 50 ms)", learn, 0.050, base)
        store.close()
    window_next_card()


def window_next_card() -> None:
    """Opening the next card in the window: the session's pick, the panel, the chart's layers, the fit
    or zoom onto the card, and one synchronous repaint of the chart."""
    import os
    import time

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from bodymap.core.chart.body import load_body
    from bodymap.ui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication(["bench"])
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BODYMAP_STUDY_DB"] = str(Path(tmp) / "study.sqlite")
        w = MainWindow.for_body(load_body(), QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
        w.resize(1366, 768)
        w.show()
        w.load_atlas()
        app.processEvents()
        study = w.study
        study.start("exam")  # kinds in turn: zone, point, reverse, name
        times: dict[str, list[float]] = {}
        paint = median_seconds(lambda: w.chart.viewport().repaint(), repeat=10)
        for _ in range(20):
            card = study.card
            if card is None:
                break
            study.exam.answer(card, None, 1000)
            t = time.perf_counter()
            study.next()
            w.chart.viewport().repaint()
            if study.card is not None:
                times.setdefault(study.card.kind, []).append(time.perf_counter() - t)
        study.stop()
        study.close()
        w.close()
        report("repaint the chart once (baseline)", paint)
        for kind, ts in times.items():
            ts.sort()
            report(
                f"open a {kind} card in the window (target ≤ 50 ms)",
                ts[len(ts) // 2],
                0.050,
                paint,
            )


if __name__ == "__main__":
    main()
