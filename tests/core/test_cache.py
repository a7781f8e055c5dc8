"""The derived-geometry cache is checked: stale or corrupt files are rebuilt, never trusted."""

import pickle

from bodymap.core import cache


def test_cache_round_trip_and_rebuild(tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("BODYMAP_NO_CACHE", raising=False)
    calls = []

    def build():
        calls.append(1)
        return {"answer": 42}

    assert cache.cached("thing", build) == {"answer": 42}
    assert cache.cached("thing", build) == {"answer": 42}
    assert len(calls) == 1  # the second came from disk
    (path,) = tmp_path.glob("thing-*.pickle")
    path.write_bytes(b"garbage")
    assert cache.cached("thing", build) == {"answer": 42} and len(calls) == 2
    # A file whose stored key does not match is not trusted.
    path.write_bytes(pickle.dumps(("another-key", {"answer": 0})))
    assert cache.cached("thing", build) == {"answer": 42} and len(calls) == 3


def test_fingerprint_follows_the_data(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    one = cache.data_fingerprint(tmp_path)
    cache.data_fingerprint.cache_clear()
    (tmp_path / "a.json").write_text('{"x": 1}')
    assert cache.data_fingerprint(tmp_path) != one
    cache.data_fingerprint.cache_clear()
