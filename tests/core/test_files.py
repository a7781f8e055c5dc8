"""Files bodymap writes appear complete or not at all: a failure part-way leaves the earlier file."""

import os
import stat

import pytest

from bodymap.core.files import replacing, write_atomic


def _left_over(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_atomic_writes_and_replaces(tmp_path):
    path = tmp_path / "out.json"
    write_atomic(path, b"one")
    write_atomic(path, b"two")
    assert path.read_bytes() == b"two"
    assert _left_over(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_written_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "record.json"
    write_atomic(path, b"{}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_while_writing_keeps_the_earlier_file_and_leaves_nothing(tmp_path, error):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"the earlier report")
    with pytest.raises(type(error)), replacing(path) as tmp:
        tmp.write_bytes(b"half a rep")
        assert tmp.parent == tmp_path and tmp.name.startswith(".report.pdf.")
        raise error
    assert path.read_bytes() == b"the earlier report"
    assert _left_over(tmp_path) == []


def test_a_missing_folder_is_an_error_and_writes_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "no such folder" / "x.csv", b"x")
    assert list(tmp_path.iterdir()) == []
