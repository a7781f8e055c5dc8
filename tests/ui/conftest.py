import pytest
from PySide6.QtCore import QSettings

from bodymap.core.body import load_body


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, settings):
    from bodymap.ui.mainwindow import MainWindow

    w = MainWindow.for_body(load_body(), settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    return w
