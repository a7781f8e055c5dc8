"""Study mode driven through the real window with real keys and mouse: Learn, Quiz, Exam, progress; the
answer-revealing panels and layers hidden while a card is open; the chart's strokes go to the card."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from bodymap.ui.chart.layout import PLACEMENTS


@pytest.fixture
def app_window(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_STUDY_DB", str(tmp_path / "study.sqlite"))
    with qtbot.waitSignal(window.atlasReady, timeout=30000):
        window.load_atlas()
    qtbot.waitUntil(window.dock("atlas").isVisible)
    qtbot.wait(20)  # the docks are laid out and shown
    yield window
    window.study.stop()
    window.study.close()


def vp(chart, view, x, y) -> QPoint:
    return chart.mapFromScene(QPointF(*PLACEMENTS[view].to_scene(x, y)))


def lasso(qtbot, chart, view, geom) -> None:
    """Outline a zone with the lasso, with real mouse events."""
    ring = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area).exterior.coords
    pts = [ring[int(i * (len(ring) - 1) / 40)] for i in range(41)]
    vport = chart.viewport()
    qtbot.mousePress(vport, Qt.MouseButton.LeftButton, pos=vp(chart, view, *pts[0]))
    for p in pts[1:]:
        qtbot.mouseMove(vport, vp(chart, view, *p))
    qtbot.mouseRelease(vport, Qt.MouseButton.LeftButton, pos=vp(chart, view, *pts[-1]))


def answer_right(w, qtbot) -> None:
    """Answer the open card correctly through the chart or the keys."""
    study, chart = w.study, w.chart
    card = study.card
    deck = study.deck()
    if card.kind == "zone":
        qtbot.keyClick(chart, Qt.Key.Key_S)  # the lasso
        t = deck.trigger_point(card)
        for view, g in t.essential.items():
            lasso(qtbot, chart, view, g)
    elif card.kind == "point":
        qtbot.keyClick(chart, Qt.Key.Key_P)
        t = deck.trigger_point(card)
        qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=vp(chart, t.view, *t.point))
    else:
        options = study.panel.options
        accepted = set(deck.choices(card).accepted)
        for i in range(options.count()):
            if options.item(i).data(Qt.ItemDataRole.UserRole) in accepted and i < 9:
                qtbot.keyClick(options, Qt.Key(Qt.Key.Key_1 + i))
                if card.kind == "name":
                    break
    qtbot.keyClick(chart if card.kind in ("zone", "point") else study.panel.options, Qt.Key.Key_Return)


def test_learn_hides_spoilers_scores_a_drawing_and_restores_the_window(app_window, qtbot):
    w = app_window
    study, chart, scene = w.study, w.chart, w.scene
    w.atlas_panel.select(["upper_trapezius"])  # the atlas overlay shows its zones
    assert scene.layer_visible("zones")
    qtbot.keyClick(w, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert study.dock.isVisible()
    qtbot.mouseClick(study.panel.mode_buttons["learn"], Qt.MouseButton.LeftButton)
    card = study.card
    assert study.phase == "preview" and card.kind == "zone"
    # While a card is open nothing else gives the answer away.
    atlas_dock = w.dock("atlas")
    lookup_dock = w.dock("lookup")
    assert not atlas_dock.isVisible() and not lookup_dock.isVisible()
    assert not scene.layer_visible("zones") and not scene.layer_visible("trps")
    assert study.layer.count("shown") > 0  # Learn: the pattern first
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert study.phase == "ask" and study.layer.count("shown") == 0
    # Hovering names no region while a card is open ("infraspinous" would answer a point card).
    infraspinous = chart.hit_at(vp(chart, "back", 0.07, 0.78))
    assert "Infraspinous" in infraspinous.describe()
    chart.hovered.emit(infraspinous)  # what hovering there sends
    assert w.hover_label.text() == ""
    assert study.captures_chart and chart.tool.value == "lasso"  # outlining a zone is exact
    assert w.statusBar().currentMessage() == "Drawing the answer to the study card"
    assert study.panel.brush.isVisible()
    study.panel.brush.setValue(16)  # one brush size in the window: the study's slider sets the chart's
    assert chart.brush_radius == pytest.approx(0.016) and w.lookup_panel.size.value() == 16

    answer_right(w, qtbot)  # a lasso round the essential zone, then Enter
    assert study.phase == "feedback"
    assert w.lookup_panel.pain.is_empty and w.undo_stack.count() == 0  # the stroke was the card's
    assert study.panel.verdict.text() in ("Passed", "Excellent")
    assert "essential zone" in study.panel.reason.text()
    assert study.layer.count("feedback") > 0

    # Switch view while the feedback is shown: it follows its view's layer.
    qtbot.keyClick(chart, Qt.Key.Key_3)  # back only
    assert scene.shown_views == ("back",)
    for (_part, view), item in study.layer._areas.items():
        assert item.isVisibleTo(item.parentItem()) and (item.parentItem().isVisible() == (view == "back"))

    # Next card: seen first, then "I don't know" is a failed answer that shows the answer.
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert study.card.id != card.id and study.card.area != card.area  # interleaved across areas
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    qtbot.mouseClick(study.panel.give_up, Qt.MouseButton.LeftButton)
    assert study.panel.verdict.text() == "Not yet"

    for size in ((1366, 768), (800, 600)):
        w.resize(*size)
        qtbot.wait(30)
        main = study.panel.main
        assert main.isVisible() and w.rect().contains(main.mapTo(w, main.rect().center()))
        assert chart.width() > 150

    qtbot.mouseClick(study.panel.stop, Qt.MouseButton.LeftButton)
    assert study.phase == "idle"
    assert atlas_dock.isVisible() and scene.layer_visible("zones") and scene.layer_visible("trps")
    assert [s.muscle.id for s in w.overlay.shown] == ["upper_trapezius"]
    chart.hovered.emit(infraspinous)
    assert "Infraspinous" in w.hover_label.text()  # the region is named again
    reviews = study._store.reviews()
    assert [r.passed for r in reviews] == [True, False] and all(r.duration_ms is not None for r in reviews)


def test_ctrl_z_takes_back_a_stroke_not_the_windows_last_step(app_window, qtbot):
    w = app_window
    study, chart = w.study, w.chart
    study.start("learn")
    qtbot.keyClick(chart, Qt.Key.Key_Return)  # past the pattern
    t = study.deck().trigger_point(study.card)
    view, g = next(iter(t.essential.items()))
    qtbot.keyClick(chart, Qt.Key.Key_S)
    lasso(qtbot, chart, view, g)
    lasso(qtbot, chart, view, g.buffer(0.01))
    area = study.drawing.area()
    qtbot.keyClick(chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert 0 < study.drawing.area() < area
    qtbot.keyClick(chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert study.drawing.is_empty
    assert w.undo_stack.count() == 0


def test_exam_then_results_by_area_and_kind_and_the_progress_heat_map(app_window, qtbot):
    w = app_window
    study = w.study
    study.actions["exam"].trigger()
    assert study.exam is not None and study.phase == "ask"
    kinds = []
    for _ in range(4):  # kinds in turn: zone, point, reverse, name
        kinds.append(study.card.kind)
        if study.card.kind in ("reverse", "name"):
            # Digits tick options while the list has the focus: they are not the view switch's keys.
            options, views = study.panel.options, w.scene.shown_views
            qtbot.keyClick(options, Qt.Key.Key_2)
            assert options.chosen() == {options.item(1).data(Qt.ItemDataRole.UserRole)}
            assert w.scene.shown_views == views
            qtbot.keyClick(options, Qt.Key.Key_2)
            assert options.chosen() == set()
        answer_right(w, qtbot)
        assert study.phase == "ask"  # an exam shows no feedback: straight to the next card
    assert set(kinds) == {"zone", "point", "reverse", "name"}
    assert "card 5 of 20" in study.panel.where.text()
    qtbot.mouseClick(study.panel.finish, Qt.MouseButton.LeftButton)
    assert study.panel.pages.currentWidget() is study.panel.results
    title = study.panel.results_title.text()
    assert "of 20 passed" in title and "16 unanswered" in title
    tops = [study.panel.results_table.topLevelItem(i).text(0) for i in range(3)]
    assert tops == ["By body area", "By card kind", "Each card"]
    assert study.panel.results_table.topLevelItem(1).childCount() == 4
    areas = study.panel.results_table.topLevelItem(0)
    assert areas.childCount() and all(
        areas.child(i).toolTip(0) == areas.child(i).text(0) for i in range(areas.childCount())
    )
    qtbot.mouseClick(study.panel.results.findChildren(type(study.panel.main))[0], Qt.MouseButton.LeftButton)
    assert study.phase == "idle"

    study.panel.tabs.setCurrentIndex(1)
    table = study.panel.progress_table
    assert table.topLevelItem(0).childCount() > 0  # the weakest muscles
    study.panel.heat.setChecked(True)
    heat = study.layer.count("heat")  # the outlines of the muscles studied (the four exam answers)
    assert heat > 0
    study.start("learn")
    assert study.layer.count("heat") == 0  # muscle outlines would show where trigger points lie
    study.stop()
    assert study.layer.count("heat") == heat


def test_a_study_database_that_cannot_be_opened_is_said_and_left_alone(window, qtbot, tmp_path, monkeypatch):
    bad = tmp_path / "study.sqlite"
    bad.write_bytes(b"not a database at all")
    monkeypatch.setenv("BODYMAP_STUDY_DB", str(bad))
    with qtbot.waitSignal(window.atlasReady, timeout=30000):
        window.load_atlas()
    qtbot.waitUntil(window.dock("atlas").isVisible)
    window.study.start("quiz")
    assert window.study.phase == "idle"
    assert "left untouched" in window.study.panel.home_message.text()
    assert bad.read_bytes() == b"not a database at all"


def test_past_the_days_new_cards_the_student_may_ask_for_more(app_window, qtbot):
    study = app_window.study
    study.store()
    study.study.new_per_day = 2
    study.start("learn")
    for _ in range(2):
        qtbot.keyClick(app_window.chart, Qt.Key.Key_Return)  # past the pattern
        qtbot.mouseClick(study.panel.give_up, Qt.MouseButton.LeftButton)
        qtbot.keyClick(app_window.chart, Qt.Key.Key_Return)  # next
    assert study.phase == "idle" and "today's 2 new cards" in study.panel.home_message.text()
    assert study.panel.more.isVisible()
    qtbot.mouseClick(study.panel.more, Qt.MouseButton.LeftButton)
    assert study.phase in ("preview", "ask") and study.study.new_per_day == 12


def test_closing_the_study_panel_ends_the_session_and_brings_the_panels_back(app_window, qtbot):
    w = app_window
    w.study.start("learn")
    assert not w.dock("atlas").isVisible()
    w.study.dock.close()
    assert w.study.phase == "idle" and w.dock("atlas").isVisible() and w.scene.layer_visible("zones")


def test_quitting_in_a_session_keeps_the_panels_and_quitting_without_study_writes_no_study_file(
    window, qtbot, tmp_path, monkeypatch, settings
):
    from bodymap.ui.mainwindow import MainWindow

    study_file = tmp_path / "study.sqlite"
    monkeypatch.setenv("BODYMAP_STUDY_DB", str(study_file))
    with qtbot.waitSignal(window.atlasReady, timeout=30000):
        window.load_atlas()
    qtbot.waitUntil(window.dock("atlas").isVisible)
    window.actions_by_name["quit"].trigger()  # File → Quit
    assert not window.isVisible()
    assert not study_file.exists()  # nothing of study mode was opened, so nothing was written

    again = MainWindow.for_body(window.body, settings)  # the next start, with the layout just saved
    qtbot.addWidget(again)
    again.show()
    with qtbot.waitSignal(again.atlasReady, timeout=30000):
        again.load_atlas()
    qtbot.waitUntil(again.dock("atlas").isVisible)
    again.study.start("learn")
    assert not again.dock("atlas").isVisible()  # hidden while a card is open
    again.actions_by_name["quit"].trigger()
    assert study_file.exists()
    third = MainWindow.for_body(window.body, settings)
    qtbot.addWidget(third)
    third.show()
    with qtbot.waitSignal(third.atlasReady, timeout=30000):
        third.load_atlas()
    qtbot.waitUntil(third.dock("atlas").isVisible)  # the layout saved in the session had it back
    third.close()


def test_the_patient_panel_is_hidden_while_a_card_is_open(app_window, qtbot, records_file):
    # The marks table names the nearest trigger points: a spoiler once the records are open.
    w = app_window
    assert w.open_records(records_file)
    qtbot.waitUntil(lambda: w.records_dock.isVisible())
    w.study.actions["learn"].trigger()
    assert w.study.phase == "preview"
    assert not w.records_dock.isVisible()
    w.study.actions["stop"].trigger()
    assert w.study.phase == "idle"
    qtbot.waitUntil(lambda: w.records_dock.isVisible() or not w.records_dock.isHidden())
    assert not w.records_dock.isHidden()


@pytest.mark.parametrize("fmt", ["apkg", "pdf"])
def test_export_cancelled_writes_nothing_and_a_bad_place_is_one_line(
    app_window, qtbot, tmp_path, monkeypatch, fmt
):
    from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

    w = app_window
    out = tmp_path / f"cards.{fmt}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    with qtbot.waitSignal(w.study.message) as said:
        w.study.actions[fmt].trigger()
    assert said.args[0] == "Export cancelled; nothing was written."
    assert list(tmp_path.iterdir()) == []  # no file, no temporary left behind

    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: False)
    nowhere = tmp_path / "no such folder" / f"cards.{fmt}"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(nowhere), ""))
    monkeypatch.setattr("bodymap.core.atlas.Atlas.trigger_points", lambda self, side: [])  # quick
    assert w.study.export(fmt) is None
    boxes = [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "Could not write" in boxes[-1].text() and "\n" not in boxes[-1].text()
    assert not nowhere.parent.exists()
