import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
import tempfile  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

# Tests never touch the user's cache: derived geometry goes to a folder of this run.
os.environ.setdefault("BODYMAP_CACHE_DIR", tempfile.mkdtemp(prefix="bodymap-test-cache-"))
# ... nor their settings (core/settings.py: who is recording), nor their daily backups.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bodymap-test-config-")
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="bodymap-test-data-")
os.environ["BODYMAP_RECORDER"] = "T. Tester"

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# Property-based tests (marked `fuzz`): a few dozen examples each in the suite, derandomized so that a
# run never fails by chance; `make fuzz` runs the same tests with thousands each, freshly random.
_QUIET = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
settings.register_profile(
    "suite", max_examples=25, deadline=None, derandomize=True, suppress_health_check=_QUIET
)
settings.register_profile("fuzz", max_examples=2_000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(scope="session")
def empty_records(tmp_path_factory):
    """A records file with today's schema and nothing in it, built once per run: building the schema
    through its migrations takes ~0.1 s, a copy ~1 ms, and hundreds of tests start from an empty file.
    The migrations have tests of their own (tests/core/records/test_schema.py), from nothing."""
    from bodymap.core.records import Store

    path = tmp_path_factory.mktemp("empty-records") / "records.sqlite"
    Store.open(path).close()
    return path


@pytest.fixture
def records_file(empty_records, tmp_path):
    """This test's own empty records file (a copy of empty_records, 0600 as it was built)."""
    return Path(shutil.copy2(empty_records, tmp_path / "clinic.sqlite"))


# A PostgreSQL server URL (e.g. postgresql+psycopg://postgres@/postgres?host=/tmp/pg; .ci/run sets it):
# when given, the tests on a store or a window's records run there too, each in a database of its own that
# is dropped afterwards.
POSTGRES = os.environ.get("BODYMAP_TEST_POSTGRES", "")


def _server_url(database: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(POSTGRES).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server_admin():
    """A connection to the PostgreSQL server for making and dropping the tests' databases, and the name
    of one with today's schema and nothing in it, built once per run (as empty_records is for SQLite):
    each test's database is a copy of it (CREATE DATABASE ... TEMPLATE), not migrated afresh."""
    import sqlalchemy as sa

    from bodymap.core.records import Store

    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    template = f"bodymap_empty_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{template}"')
    Store.open(_server_url(template)).close()  # (closed: a template must have no one connected)
    yield admin, template
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{template}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"] if POSTGRES else ["sqlite"])
def location(request, records_file):
    """Where the records of a test live: its own empty SQLite file (records_file), or its own empty
    database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield records_file
        return
    admin, template = request.getfixturevalue("server_admin")
    name = f"bodymap_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _server_url(name)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def chart_paint():
    """The real body's chart paths, built once per run (~60 ms a window otherwise): windows share them
    as the app's windows share the cached ones (QPainterPaths are copied on write)."""
    from bodymap.core.chart.body import load_body
    from bodymap.ui.chart.paint import paint_from_body

    return paint_from_body(load_body())


@pytest.fixture
def window(qtbot, settings, chart_paint):
    """The real main window on the real body (Qt is imported here, so core tests never load it)."""
    from bodymap.core.chart.body import load_body
    from bodymap.ui.mainwindow import MainWindow

    w = MainWindow.for_body(load_body(), settings, chart_paint)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def answer_dialog(qtbot):
    """answer_dialog(key, ...) before a key that opens a modal form: once the form is up, those keys
    go to whatever has its keyboard focus (Qt.Key values, or text to type), as a user would press them."""
    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def answer(*keys):
        tries = [200]  # 2 s: the form opens when the key that opens it is handled, after this is set up

        def press():
            dialog = QApplication.activeModalWidget()
            if dialog is None:
                tries[0] -= 1
                assert tries[0] > 0, "no form opened"
                QTimer.singleShot(10, press)
                return
            for key in keys:
                target = dialog.focusWidget() or dialog  # the form's own focus (activation may lag)
                if isinstance(key, str):
                    qtbot.keyClicks(target, key)
                else:
                    qtbot.keyClick(target, key)
            # Keys that did not close the form fail the test instead of leaving it waiting for ever.
            QTimer.singleShot(
                2000, lambda: shiboken6.isValid(dialog) and dialog.isVisible() and dialog.reject()
            )

        QTimer.singleShot(0, press)

    return answer
