from pathlib import Path

from bodymap.core.records.paths import data_dir, default_database, is_url

HOME = Path("/home/ann")


def test_bodymap_db_wins():
    assert default_database({"BODYMAP_DB": "/tmp/x.sqlite"}, "linux", HOME) == "/tmp/x.sqlite"
    assert default_database({"BODYMAP_DB": "postgresql://u@h/db"}, "linux", HOME) == "postgresql://u@h/db"
    assert is_url("postgresql://u@h/db") and not is_url("/tmp/x.sqlite")


def test_linux_uses_xdg_data_home():
    assert default_database({"XDG_DATA_HOME": "/data"}, "linux", HOME) == "/data/bodymap/bodymap.sqlite"
    assert default_database({}, "linux", HOME) == "/home/ann/.local/share/bodymap/bodymap.sqlite"
    # The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
    assert (
        default_database({"XDG_DATA_HOME": "rel"}, "linux", HOME)
        == "/home/ann/.local/share/bodymap/bodymap.sqlite"
    )


def test_macos_and_windows():
    assert data_dir({}, "darwin", HOME) == HOME / "Library" / "Application Support" / "bodymap"
    assert (
        data_dir({"APPDATA": "C:/Users/ann/AppData/Roaming"}, "win32", HOME)
        == Path("C:/Users/ann/AppData/Roaming") / "bodymap"
    )


def test_the_settings_records_come_after_bodymap_db_and_before_the_data_folder():
    server = "postgresql+psycopg://anna@server.clinic.lan/bodymap"
    assert default_database({}, "linux", HOME, configured=server) == server
    assert (
        default_database({}, "linux", HOME, configured="  ")
        == "/home/ann/.local/share/bodymap/bodymap.sqlite"
    )
    assert (
        default_database({"BODYMAP_DB": "/tmp/x.sqlite"}, "linux", HOME, configured=server) == "/tmp/x.sqlite"
    )
    assert default_database({}, "linux", HOME, configured="~/clinic.sqlite") == str(
        Path.home() / "clinic.sqlite"
    )
