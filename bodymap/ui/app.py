"""Starting the desktop app: check the display first, so a missing one gets a clear line, not an abort."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

XCB_PACKAGES = (
    "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 "
    "libxcb-shape0 libxkbcommon-x11-0"
)


def display_problem(environ: dict[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why Qt could not open a window here, in one line, or None if it should work.

    Qt aborts the whole process (qFatal) when its platform plugin cannot load, so we look first:
    on Linux without a display, or with the xcb plugin's system libraries missing.
    """
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "")
    if qpa and not qpa.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: the user chose it
    if not qpa and env.get("WAYLAND_DISPLAY"):
        return None
    if not env.get("DISPLAY"):
        return (
            "no display: DISPLAY is not set. Run bodymap on a desktop session (or ssh -X), "
            "or use the headless commands (bodymap --help)."
        )
    missing = _xcb_missing_library()
    if missing:
        return (
            f"Qt cannot use the X11 display: the system library {missing} is missing. "
            f"Install them with: sudo apt-get install {XCB_PACKAGES}"
        )
    return None


def _xcb_missing_library() -> str | None:
    """Load Qt's xcb platform plugin the way Qt would; the loader names the first missing library."""
    import ctypes  # here: the start-up path without xcb (and the benchmark) need not load it

    try:
        import PySide6
    except ImportError:  # pragma: no cover - the venv always has it
        return "PySide6"
    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None
    try:
        ctypes.CDLL(str(plugin), mode=os.RTLD_LAZY)
    except OSError as exc:
        msg = str(exc)
        name = msg.split(":")[0].strip() if ":" in msg else msg
        return name or msg
    return None


def main(argv: list[str] | None = None, db: str | None = None) -> int:
    problem = display_problem()
    if problem:
        print(f"bodymap: {problem}", file=sys.stderr)
        return 2
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from .chart import first_frame
    from .mainwindow import MainWindow

    QCoreApplication.setOrganizationName("bodymap")
    QCoreApplication.setApplicationName("bodymap")
    app = QApplication.instance() or QApplication(sys.argv[:1] + list(argv or []))
    # The first paint replays the cached first frame; the chart, menus, atlas and records follow it.
    recording = first_frame.load()
    if recording is None:  # the first start, or the data or the code changed: build the chart's cache
        from bodymap.core.chart.body import load_body

        from .chart.paint import load_chart_paint

        recording = first_frame.record(load_chart_paint(load_body))
        first_frame.save(recording)
    window = MainWindow(first_frame=recording)
    if window.settings.value("window/geometry") is None:
        window.showMaximized()  # the first time: as much room for the chart as the screen gives
    else:
        window.show()
    from .first_paint import after_first_paint, quit_after_first_paint

    frame = window.centralWidget()  # it covers the window, so the window itself gets no paint event
    bench = os.environ.get("BODYMAP_BENCH_EXIT")  # the start-up benchmark: "paint" or "ready"
    if bench == "paint":
        quit_after_first_paint(frame)
        return app.exec()

    def finish_start() -> None:
        window.assemble()
        window.show_now()  # the atlas and the records take a moment more (seconds on a first start)
        window.load_atlas()
        window.open_records(db)
        if bench == "ready":
            print(f"ready {time.time():.6f}", flush=True)
            app.quit()

    after_first_paint(frame, finish_start)
    return app.exec()
