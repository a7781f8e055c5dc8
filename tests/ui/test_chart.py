"""The chart widget on the real body: zoom, pan, hover naming, clicks and the view switch."""

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from bodymap.ui.chart.layout import PLACEMENTS


def viewport_pos(chart, view, x, y) -> QPoint:
    return chart.mapFromScene(QPointF(*PLACEMENTS[view].to_scene(x, y)))


def wheel(chart, steps: int, pos: QPoint):
    ev = QWheelEvent(
        QPointF(pos),
        QPointF(chart.viewport().mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(chart.viewport(), ev)


def test_wheel_zooms_about_the_cursor(window, qtbot):
    chart = window.chart
    head = window.scene.body["front"].landmark("orbit", "right")
    pos = viewport_pos(chart, "front", *head.point)
    before = chart.mapToScene(pos)
    with qtbot.waitSignal(chart.zoomChanged):
        wheel(chart, 3, pos)
    assert chart.zoom() > 1.9
    after = chart.mapToScene(pos)
    assert abs(after.x() - before.x()) < 3 and abs(after.y() - before.y()) < 3  # the eye stays put


def test_keys_zoom_and_fit(window, qtbot):
    chart = window.chart
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_Plus)
    qtbot.keyClick(chart, Qt.Key.Key_Plus)
    assert chart.zoom() > 1.5
    qtbot.keyClick(chart, Qt.Key.Key_Minus)
    assert 1.1 < chart.zoom() < 1.4
    qtbot.keyClick(chart, Qt.Key.Key_0)
    assert abs(chart.zoom() - 1.0) < 1e-6
    assert "100 %" in window.zoom_label.text()


def test_drag_pans_and_click_reports_the_body_point(window, qtbot):
    chart = window.chart
    chart.zoom_by(4.0)
    h0, v0 = chart.horizontalScrollBar().value(), chart.verticalScrollBar().value()
    start = chart.viewport().rect().center()
    qtbot.mousePress(chart.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(chart.viewport(), start + QPoint(40, 30))
    qtbot.mouseMove(chart.viewport(), start + QPoint(80, 60))
    with qtbot.assertNotEmitted(chart.clicked):
        qtbot.mouseRelease(chart.viewport(), Qt.MouseButton.LeftButton, pos=start + QPoint(80, 60))
    assert chart.horizontalScrollBar().value() < h0 and chart.verticalScrollBar().value() < v0

    nipple = window.scene.body["front"].landmark("nipple", "right")
    pos = viewport_pos(chart, "front", *nipple.point)
    chart.fit()
    pos = viewport_pos(chart, "front", *nipple.point)
    with qtbot.waitSignal(chart.clicked) as blocker:
        qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    view, x, y = blocker.args
    assert view == "front" and abs(x - nipple.point[0]) < 0.003 and abs(y - nipple.point[1]) < 0.003


def test_hover_names_region_side_and_landmark(window, qtbot):
    chart = window.chart
    m = window.scene.body["back"].landmark("mastoid_process", "right")
    pos = viewport_pos(chart, "back", *m.point)
    with qtbot.waitSignal(chart.hovered) as blocker:
        qtbot.mouseMove(chart.viewport(), pos)
    hit = blocker.args[0]
    assert hit.region.id == "mastoid" and hit.region.side == "right"
    assert hit.landmark.id == "mastoid_process"
    assert window.hover_label.text() == "Mastoid (behind the ear) (right) — near mastoid process (right)"
    # On the front view, the viewer's left half is the patient's right.
    pos = viewport_pos(chart, "front", -0.05, 0.73)
    with qtbot.waitSignal(chart.hovered) as blocker:
        qtbot.mouseMove(chart.viewport(), pos)
    assert blocker.args[0].region.label == "Pectoral (anterior chest) (right)"
    # Off the body: nothing.
    with qtbot.waitSignal(chart.hovered) as blocker:
        qtbot.mouseMove(chart.viewport(), viewport_pos(chart, "front", 0.27, 0.2))
    assert blocker.args[0] is None and window.hover_label.text() == ""


def test_view_switch_shows_one_view_and_fits(window, qtbot):
    chart = window.chart
    window.actions_by_name["Soles"].trigger()
    assert window.scene.shown_views == ("plantar",)
    rect = window.scene.views_rect()
    assert rect.width() < 500  # only the soles
    heel = window.scene.body["plantar"].landmark("calcaneus_plantar_surface", "left")
    pos = viewport_pos(chart, "plantar", *heel.point)
    assert chart.viewport().rect().contains(pos)
    with qtbot.waitSignal(chart.hovered) as blocker:
        qtbot.mouseMove(chart.viewport(), pos)
    assert blocker.args[0].region.label == "Heel pad (left)"
    # A hidden view does not answer hover.
    window.actions_by_name["Front"].trigger()
    assert chart.body_point(viewport_pos(chart, "back", 0.0, 0.5)) is None
    window.actions_by_name["All views"].trigger()
    assert window.scene.shown_views == ("front", "back", "plantar", "head")


def test_regions_and_landmarks_can_be_hidden(window):
    assert window.scene.layer_visible("regions") and not window.scene.layer_visible("landmarks")
    window.actions_by_name["Landmarks"].trigger()
    window.actions_by_name["Regions"].trigger()
    assert window.scene.layer_visible("landmarks") and not window.scene.layer_visible("regions")


def test_window_geometry_is_remembered(window, settings):
    window.close()
    assert settings.value("window/geometry") is not None


def test_head_view_by_key_names_each_profile_by_the_patients_side(window, qtbot):
    """Key 5 shows the head view alone; the profile on the viewer's left is the patient's right."""
    chart = window.chart
    chart.setFocus()
    qtbot.keyClick(chart, Qt.Key.Key_5)
    assert window.scene.shown_views == ("head",)
    for side, letter in (("right", "left"), ("left", "right")):
        tmj = window.scene.body["head"].landmark("temporomandibular_joint", side)
        pos = viewport_pos(chart, "head", *tmj.point)
        assert chart.viewport().rect().contains(pos)
        on_the_viewers = "left" if pos.x() < chart.viewport().width() / 2 else "right"
        assert on_the_viewers == letter
        with qtbot.waitSignal(chart.hovered) as blocker:
            qtbot.mouseMove(chart.viewport(), pos)
        hit = blocker.args[0]
        assert hit.region.label == f"TMJ (preauricular) ({side})"
        assert hit.landmark is not None and hit.landmark.side == side
    # Resized small, the head view still fits and still answers.
    window.resize(800, 600)
    qtbot.keyClick(chart, Qt.Key.Key_0)
    ear = window.scene.body["head"].landmark("external_acoustic_meatus", "left")
    assert chart.viewport().rect().contains(viewport_pos(chart, "head", *ear.point))
    qtbot.keyClick(chart, Qt.Key.Key_1)
    assert window.scene.shown_views == ("front", "back", "plantar", "head")


def test_the_body_paths_bounds_are_what_qt_would_stroke_them_to(chart_paint, qapp):
    """BodyPath works its bounding rectangle out from the points (Qt's own strokes the whole path): the
    same rectangle, so nothing painted falls outside it (the cached layers would cut it off)."""
    from PySide6.QtWidgets import QGraphicsPathItem

    from bodymap.ui.chart import style
    from bodymap.ui.chart.scene import BodyPath

    for view, vp in chart_paint.views.items():
        for path, pen in (
            (vp.outline, style.OUTLINE_PEN),
            (vp.regions, style.REGION_PEN),
            (vp.lines, style.LINE_PEN),
        ):
            qt = QGraphicsPathItem(path)
            qt.setPen(pen)
            ours = BodyPath(path, pen).boundingRect()
            assert ours.isNull() == path.isEmpty(), view
            for a, b in zip(ours.getCoords(), qt.boundingRect().getCoords(), strict=True):
                assert abs(a - b) < 0.1, (view, ours, qt.boundingRect())  # Qt rounds joins by curves
