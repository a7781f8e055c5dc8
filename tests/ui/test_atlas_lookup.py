"""The atlas browser and the lookup panel, driven through the real window."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from bodymap.ui.chart.layout import PLACEMENTS


@pytest.fixture
def app_window(window, qtbot):
    with qtbot.waitSignal(window.atlasReady, timeout=30000):
        window.load_atlas()
    return window


def vp(chart, view, x, y) -> QPoint:
    return chart.mapFromScene(QPointF(*PLACEMENTS[view].to_scene(x, y)))


def test_search_as_you_type_and_synonyms(app_window, qtbot):
    panel = app_window.atlas_panel
    qtbot.keyClicks(panel.search, "fibularis")
    names = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert names and all("Peroneus" in n for n in names)
    panel.search.clear()
    qtbot.keyClicks(panel.search, "SCM")
    assert panel.list.item(0).text() == "Sternocleidomastoid"


def test_filters_by_area_and_condition(app_window):
    panel = app_window.atlas_panel
    panel.area.setCurrentIndex(panel.area.findData("leg_foot"))
    assert panel.list.count() == sum(m.area == "leg_foot" for m in app_window.atlas.muscles.values())
    panel.area.setCurrentIndex(0)
    panel.condition.setCurrentIndex(panel.condition.findData("plantar_fasciitis"))
    ids = [panel.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.list.count())]
    assert "soleus" in ids and "upper_trapezius" not in ids


def test_selecting_muscles_overlays_them_in_distinct_colours(app_window, qtbot):
    panel, overlay = app_window.atlas_panel, app_window.overlay
    with qtbot.waitSignal(panel.musclesChanged):
        panel.select(["upper_trapezius", "gluteus_minimus"])
    assert [s.muscle.id for s in overlay.shown] == ["upper_trapezius", "gluteus_minimus"]
    assert overlay.color_of("upper_trapezius") != overlay.color_of("gluteus_minimus")
    assert len(overlay.entries) > 10 and len(overlay.trp_items) >= 4  # areas + X marks
    info = panel.info.toPlainText()
    assert "Gluteus minimus" in info and "Sources" in info and "Travell" in info

    def painted() -> int:  # how much is drawn: a muscle's zones of one side are fewer vertices
        return sum(path.elementCount() for path, _brush, _pen in overlay.entries)

    before = painted()
    panel.side.setCurrentIndex(1)  # patient's right only
    assert overlay.sides == ("right",) and painted() < before
    panel.hazards.setChecked(True)
    assert any(tip.startswith("Hazard:") for tip in overlay.area_tips)
    panel.opacity.setValue(80)
    assert overlay.opacity == pytest.approx(0.8)


def test_info_panel_warns_about_hazards_under_trps(app_window):
    from bodymap.ui.atlas_panel import muscle_html

    text = muscle_html(app_window.atlas, app_window.atlas.muscles["piriformis"])
    assert "lies over" in text and "sciatic" in text.lower()


def test_brush_a_pain_area_ranks_candidates_and_undo_redo(app_window, qtbot):
    chart, panel = app_window.chart, app_window.lookup_panel
    app_window.actions_by_name["Front"].trigger()
    app_window.actions_by_name["tool:brush"].trigger()
    leg = app_window.body["front"].region("lateral_leg", "right").geometry
    c = leg.centroid
    start = vp(chart, "front", c.x, c.y + 0.04)
    qtbot.mousePress(chart.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 9):
        qtbot.mouseMove(chart.viewport(), vp(chart, "front", c.x, c.y + 0.04 - i * 0.01))
    qtbot.mouseRelease(chart.viewport(), Qt.MouseButton.LeftButton, pos=vp(chart, "front", c.x, c.y - 0.04))
    assert not panel.pain.is_empty and app_window.undo_stack.count() == 1
    muscles = [x.muscle for x in panel.candidates[:10]]
    assert "gluteus_minimus" in muscles and all(x.side == "right" for x in panel.candidates[:10])
    assert app_window.pain_layer.item_count("pain") == 1
    assert "explained" in panel.combined.text()
    app_window.actions_by_name["undo"].trigger()
    assert panel.pain.is_empty and panel.candidates == []
    app_window.actions_by_name["redo"].trigger()
    assert not panel.pain.is_empty and panel.candidates
    # Choosing a candidate overlays its pattern on the patient's side.
    panel.table.setCurrentItem(panel.table.topLevelItem(0))
    assert app_window.overlay.shown and app_window.overlay.sides == (panel.candidates[0].side,)
    # Grow, shrink and erase are undoable steps too.
    area = panel.pain.area()
    panel.grow.click()
    assert panel.pain.area() > area
    app_window.actions_by_name["undo"].trigger()
    assert panel.pain.area() == pytest.approx(area)
    panel.clear.click()
    assert panel.pain.is_empty
    app_window.actions_by_name["undo"].trigger()
    assert not panel.pain.is_empty


def test_point_click_ranks_and_condition_filters(app_window, qtbot):
    chart, panel = app_window.chart, app_window.lookup_panel
    app_window.actions_by_name["Back"].trigger()
    heel = app_window.body["back"].landmark("lateral_epicondyle_of_humerus", "left")
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=vp(chart, "back", *heel.point))
    assert panel.candidates and all(c.side == "left" for c in panel.candidates[:5])
    panel.condition.setCurrentIndex(panel.condition.findData("tennis_elbow"))
    allowed = set(app_window.atlas.conditions["tennis_elbow"].muscles)
    assert panel.candidates and all(c.muscle in allowed for c in panel.candidates)


def test_lasso_across_views_and_eraser(app_window, qtbot):
    panel = app_window.lookup_panel
    from shapely.geometry import box

    panel.apply_gesture("lasso", "back", box(0.0, 0.53, 0.05, 0.58))
    panel.apply_gesture("lasso", "front", box(0.08, 0.45, 0.1, 0.55))
    assert set(panel.pain.views) == {"back", "front"}
    panel.apply_gesture("eraser", "front", box(0.0, 0.0, 1.0, 1.0))
    assert set(panel.pain.views) == {"back"}
    assert app_window.undo_stack.undoText() == "Erase pain area"


def test_hovering_a_hazard_says_what_is_at_risk(app_window, qtbot):
    app_window.atlas_panel.hazards.setChecked(True)
    app_window.actions_by_name["Back"].trigger()
    hz = app_window.atlas.hazards["lung_apex"].zones["right"]["back"]
    p = hz.representative_point()
    with qtbot.waitSignal(app_window.chart.pointed):
        qtbot.mouseMove(app_window.chart.viewport(), vp(app_window.chart, "back", p.x, p.y))
    assert "risk of pneumothorax" in app_window.statusBar().currentMessage()


def test_a_first_atlas_build_is_announced_and_shows_a_busy_cursor(qtbot, settings, monkeypatch):
    """Building the atlas takes seconds on the first start after an install or update: the window says so."""
    from PySide6.QtWidgets import QApplication

    import bodymap.core.atlas as atlas_module
    from bodymap.core.chart.body import load_body
    from bodymap.ui.mainwindow import MainWindow

    cursors = []
    monkeypatch.setattr(atlas_module, "atlas_needs_building", lambda: True)
    real = atlas_module.load_atlas
    monkeypatch.setattr(
        atlas_module, "load_atlas", lambda: cursors.append(QApplication.overrideCursor()) or real()
    )
    window = MainWindow.for_body(load_body(), settings)
    qtbot.addWidget(window)
    window.load_atlas()
    assert cursors and cursors[0] is not None  # busy while it builds
    assert QApplication.overrideCursor() is None  # and not after
    assert window.statusBar().currentMessage() == "The atlas is ready."
