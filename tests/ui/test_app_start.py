"""Starting without a usable display prints one clear line instead of Qt's abort."""

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
    result = subprocess.run([sys.executable, "-m", "bodymap"], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("bodymap: no display")
