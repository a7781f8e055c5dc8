"""Every layer shows exactly what belongs to the views on screen, after every view switch (issue 9,
item 1): select a muscle on one view, then switch, and its whole pattern is there; nothing of a hidden
view floats beside the figure."""

import pytest
from PySide6.QtCore import Qt

from bodymap.ui.chart.scene import LayerItem

ALL = ("front", "back", "plantar", "head")
VIEW_KEYS = {
    ALL: Qt.Key.Key_1,
    ("front",): Qt.Key.Key_2,
    ("back",): Qt.Key.Key_3,
    ("plantar",): Qt.Key.Key_4,
    ("head",): Qt.Key.Key_5,
}


@pytest.fixture
def app_window(window, qtbot):
    with qtbot.waitSignal(window.atlasReady, timeout=30000):
        window.load_atlas()
    return window


def layer_of(item) -> LayerItem | None:
    while item is not None and not isinstance(item, LayerItem):
        item = item.parentItem()
    return item


def views_on_screen(scene) -> set[str]:
    """The views of every item that is visible on the chart and lives in a layer."""
    return {layer_of(i).view for i in scene.items() if i.isVisible() and layer_of(i) is not None}


def click_muscle(window, qtbot, muscle_id: str) -> None:
    panel = window.atlas_panel
    panel.search.clear()
    qtbot.keyClicks(panel.search, window.atlas.muscles[muscle_id].name)
    item = next(
        panel.list.item(r)
        for r in range(panel.list.count())
        if panel.list.item(r).data(Qt.ItemDataRole.UserRole) == muscle_id
    )
    rect = panel.list.visualItemRect(item)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def switch(window, qtbot, views) -> None:
    window.chart.setFocus()
    qtbot.keyClick(window.chart, VIEW_KEYS[views])
    assert window.scene.shown_views == views


@pytest.mark.parametrize("muscle", ["upper_trapezius", "gluteus_minimus", "infraspinatus", "scalenes"])
def test_a_muscle_chosen_on_one_view_shows_whole_on_every_other(app_window, qtbot, muscle):
    w = app_window
    m = w.atlas.muscles[muscle]
    switch(w, qtbot, ("front",))
    click_muscle(w, qtbot, muscle)
    assert [s.muscle.id for s in w.overlay.shown] == [muscle]
    for views in (("back",), ("plantar",), ("head",), ALL, ("front",), ("head",), ("back",)):
        switch(w, qtbot, views)
        for view in views:
            trps = [t for t in m.trps() if t.view == view]
            zones = [t for t in m.trps() if view in t.essential or view in t.spillover]
            drawn = [x for x in w.overlay.trp_items if w.overlay.scene.layer(view, "trps").isAncestorOf(x)]
            assert len(drawn) == len(trps), (muscle, views, view)
            if zones:
                tips = w.overlay.tips(view)
                assert any(tip.startswith(m.name) and "zone" in tip for tip in tips), (muscle, views, view)
        # Nothing of a hidden view is on screen (zoomed out, it would float beside the figure).
        assert views_on_screen(w.scene) <= set(views)


def test_marks_drawings_and_the_point_follow_the_view_switch(app_window, qtbot):
    from shapely.geometry import box

    w = app_window
    w.lookup_panel.apply_gesture("lasso", "back", box(0.0, 0.53, 0.05, 0.58))
    w.lookup_panel.apply_gesture("lasso", "front", box(0.08, 0.45, 0.1, 0.55))
    for views in (("front",), ("back",), ("plantar",), ("head",), ALL):
        switch(w, qtbot, views)
        w.chart.zoom_by(0.2)  # zoomed far out: everything of the scene would be in sight
        assert views_on_screen(w.scene) <= set(views)
        for view in set(views) & {"front", "back"}:
            assert any(i.isVisible() for i in w.scene.layer(view, "pain").childItems())
