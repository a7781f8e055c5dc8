"""Starting without a usable display prints one clear line instead of Qt's abort."""

import os
import subprocess
import sys

from bodymap.ui.app import display_problem


def test_no_display_on_linux():
    msg = display_problem({}, "linux")
    assert msg.startswith("no display: DISPLAY is not set")


def test_offscreen_or_wayland_or_other_systems_are_left_to_qt():
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({}, "darwin") is None


def test_missing_xcb_library_is_named(monkeypatch):
    import bodymap.ui.app as app

    monkeypatch.setattr(app, "_xcb_missing_library", lambda: "libxcb-cursor.so.0")
    msg = display_problem({"DISPLAY": ":0"}, "linux")
    assert "libxcb-cursor.so.0 is missing" in msg and "apt-get install libxcb-cursor0" in msg


def test_launch_without_display_exits_with_one_line():
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    result = subprocess.run(
        [sys.executable, "-m", "bodymap"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("bodymap: no display")


# The start-up path, run as the app runs it (`bodymap`), in a fresh process: what has been loaded, and
# what the window shows, at the first paint and once the window is assembled.
START = """
import sys
from PySide6 import QtCore, QtWidgets
import bodymap.ui.first_paint as first_paint

HEAVY = ("bodymap.ui.chart.scene", "bodymap.ui.chart.view", "bodymap.core.chart.body", "shapely", "numpy")

def report_first_paint(widget):
    def done():
        print("qt-namespace", "Qt" in vars(QtCore))
        print("loaded", *[m for m in HEAVY if m in sys.modules])
        print("central", type(widget).__name__)
        QtWidgets.QApplication.quit()
    first_paint.after_first_paint(widget, done)

first_paint.quit_after_first_paint = report_first_paint
from bodymap.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _start(tmp_path, *args, until="paint", cache=None):
    """Run the start-up in a fresh process; `cache`: the folder of derived data (default: none yet)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "BODYMAP_CACHE_DIR": str(cache or tmp_path / "cache"),
        "BODYMAP_BENCH_EXIT": until,
    }
    result = subprocess.run(
        [sys.executable, "-c", START, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) if " " in line else (line, "") for line in result.stdout.splitlines())


def test_first_paint_replays_the_cached_first_frame_without_building_the_chart(tmp_path):
    first = _start(tmp_path)  # no cache yet: the chart is built (and cached) before the first paint
    assert first["central"] == "FirstFrame" and "shapely" in first["loaded"]
    again = _start(tmp_path)
    assert again["central"] == "FirstFrame"
    assert again["loaded"] == ""  # no chart scene or view, no geometry core, shapely or numpy
    # Nor Qt's `Qt` namespace, whose ~90 enum types take ~35 ms to build (chart/first_frame.py).
    assert again["qt-namespace"] == "False"


def test_the_whole_start_reaches_a_window_with_chart_atlas_and_records(tmp_path):
    # assemble(), load_atlas(), open_records(), as `bodymap` runs them. With this run's cache of derived
    # data (tests/conftest.py), as on any start after the first: building the atlas's geometry from
    # nothing takes ~5 s and has tests of its own; a start from no cache is the test above.
    result = _start(tmp_path, until="ready", cache=os.environ["BODYMAP_CACHE_DIR"])
    assert "ready" in result
    assert (tmp_path / "data" / "bodymap" / "bodymap.sqlite").exists()  # the user's records were opened


def test_first_frame_cache_is_checked(tmp_path, monkeypatch, qapp):
    from bodymap.core.chart.body import load_body
    from bodymap.ui.chart import first_frame
    from bodymap.ui.chart.paint import paint_from_body

    monkeypatch.setenv("BODYMAP_CACHE_DIR", str(tmp_path))
    assert first_frame.load() is None
    picture, rect = first_frame.record(paint_from_body(load_body()))
    first_frame.save((picture, rect))
    loaded, loaded_rect = first_frame.load()
    assert loaded_rect == rect and loaded.size() == picture.size()
    path = tmp_path / first_frame.CACHE_FILE
    data = path.read_bytes()
    path.write_bytes(data[: -len(data) // 2])  # cut short: the picture is not trusted
    assert first_frame.load() is None
    path.write_bytes(b"another key\0" + data.split(b"\0", 1)[1])
    assert first_frame.load() is None


def test_window_paints_the_first_frame_then_assembles_the_chart_in_the_same_place(qtbot, settings):
    from PySide6.QtGui import QColor

    from bodymap.core.chart.body import load_body
    from bodymap.ui.chart import first_frame
    from bodymap.ui.chart.paint import paint_from_body
    from bodymap.ui.chart.view import ChartView
    from bodymap.ui.mainwindow import MainWindow

    body = load_body()
    paint = paint_from_body(body)
    recording = first_frame.record(paint)
    window = MainWindow(settings, first_frame=recording)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    frame = window.centralWidget()
    assert isinstance(frame, first_frame.FirstFrame)
    image = frame.grab().toImage()
    skin = QColor("#f3ebe3")
    assert sum(image.pixelColor(x, image.height() // 2) == skin for x in range(image.width())) > 20
    window.assemble(paint)
    window.attach_body(body)
    assert isinstance(window.centralWidget(), ChartView) and window.chart is window.centralWidget()
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&Edit", "&View", "&Tools", "&Help"]
    # The first frame shows what the fitted chart shows: no jump when one replaces the other.
    shown = window.scene.views_rect()
    _, rect = recording
    for a, b in zip(shown.getRect(), rect.getRect(), strict=True):
        assert abs(a - b) < 3.0  # scene units (the body is 1000 tall)


def test_chart_paths_come_back_from_the_cache(tmp_path, monkeypatch, qapp):
    from bodymap.core.chart.body import load_body
    from bodymap.ui.chart.paint import load_chart_paint

    monkeypatch.setenv("BODYMAP_CACHE_DIR", str(tmp_path))
    built = load_chart_paint(load_body)

    def must_not_build():
        raise AssertionError("the paths should have come from the cache")

    cached = load_chart_paint(must_not_build)
    for view, vp in built.views.items():
        again = cached.views[view]
        assert again.regions == vp.regions and again.outline == vp.outline and again.lines == vp.lines
        assert again.landmarks == vp.landmarks


def test_closing_during_start_up_keeps_the_saved_panel_layout(qtbot, settings):
    """A window closed before its panels exist saves its geometry, not a layout without panels."""
    from bodymap.ui.mainwindow import MainWindow

    settings.setValue("window/state", b"the layout saved last time")
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert settings.value("window/geometry") is not None
    assert settings.value("window/state") == b"the layout saved last time"
