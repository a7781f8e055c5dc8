import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tempfile  # noqa: E402

# Tests never touch the user's cache: derived geometry goes to a folder of this run.
os.environ.setdefault("BODYMAP_CACHE_DIR", tempfile.mkdtemp(prefix="bodymap-test-cache-"))

import pytest  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    """The real main window on the real body (Qt is imported here, so core tests never load it)."""
    from bodymap.core.chart.body import load_body
    from bodymap.ui.mainwindow import MainWindow

    w = MainWindow.for_body(load_body(), settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    return w
