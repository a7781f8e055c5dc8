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
    path = tmp_path / "thing.pickle"
    key = path.read_bytes().split(b"\0", 1)[0]
    path.write_bytes(b"garbage")
    assert cache.cached("thing", build) == {"answer": 42} and len(calls) == 2
    # A file whose stored key does not match is not trusted, even one that only adds to the key.
    cache.write("thing.pickle", key.decode() + "-and-more", pickle.dumps({"answer": 0}))
    assert cache.cached("thing", build) == {"answer": 42} and len(calls) == 3
    # The right key with a body cut short, or changed, is rebuilt too.
    good = path.read_bytes()
    path.write_bytes(good[:-5])
    assert cache.cached("thing", build) == {"answer": 42} and len(calls) == 4
    path.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    assert cache.cached("thing", build) == {"answer": 42} and len(calls) == 5
    assert cache.cached("thing", build) == {"answer": 42} and len(calls) == 5


def test_cache_replaces_files_named_by_an_older_key_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("BODYMAP_NO_CACHE", raising=False)
    (tmp_path / "thing-0123abcd.pickle").write_bytes(b"old")
    cache.cached("thing", lambda: 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thing.pickle"]


def test_fingerprint_follows_the_data(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    one = cache.fingerprint_text(tmp_path)
    cache.fingerprint_text.cache_clear()
    (tmp_path / "a.json").write_text('{"x": 1}')
    assert cache.fingerprint_text(tmp_path) != one
    cache.fingerprint_text.cache_clear()


def test_fresh_says_beforehand_whether_the_cache_will_be_used(tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BODYMAP_NO_CACHE", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.json").write_text("{}")
    assert not cache.fresh("thing", data)
    cache.cached("thing", lambda: 1, data)
    assert cache.fresh("thing", data)
    cache.fingerprint_text.cache_clear()
    (data / "a.json").write_text('{"x": 1}')
    assert not cache.fresh("thing", data)
    cache.fingerprint_text.cache_clear()
