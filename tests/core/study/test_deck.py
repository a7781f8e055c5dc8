"""The Anki deck: a valid package (a zip holding an SQLite collection and its media), one note per
trigger point and side, stable ids so a re-export updates rather than duplicates."""

import base64
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from bodymap.core.chart.frame import PAIRED_SIDES
from bodymap.core.study.deck import DECK_ID, FIELDS, MODEL_ID, NoteImages, masked_html, note_guid, write_apkg

# A 1x1 white PNG: the deck's layout is tested here; the real pictures in tests/ui/test_study_export.py.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


@pytest.fixture
def fake_render(tmp_path):
    folder = tmp_path / "pictures"
    folder.mkdir()

    def render(t):
        paths = []
        for what in ("chart", "pattern", "blank"):
            p = folder / f"{t.key.replace(':', '-')}-{what}.png"
            p.write_bytes(PNG)
            paths.append(p)
        return NoteImages(*paths, 0.75, (((0.1, 0.1), (0.2, 0.1), (0.2, 0.3)),))

    return render


def _open(apkg: Path, tmp_path: Path):
    with zipfile.ZipFile(apkg) as z:
        assert z.testzip() is None
        names = set(z.namelist())
        assert {"collection.anki2", "media"} <= names
        media = json.loads(z.read("media"))
        for index in media:
            assert index in names and z.read(index) == PNG
        (tmp_path / "collection.anki2").write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "collection.anki2")
    return con, media


def test_the_whole_atlas_makes_one_note_per_trigger_point_and_side(atlas, tmp_path, fake_render):
    trps = [t for s in PAIRED_SIDES for t in atlas.trigger_points(s)]
    out = tmp_path / "bodymap.apkg"
    assert write_apkg(atlas, trps, fake_render, out) == len(trps)
    con, media = _open(out, tmp_path)
    notes = con.execute("SELECT guid, mid, flds, tags FROM notes").fetchall()
    assert len(notes) == len(trps) == len({g for g, *_ in notes})
    assert {mid for _, mid, *_ in notes} == {MODEL_ID}
    assert {g for g, *_ in notes} == {note_guid(t) for t in trps}
    assert con.execute("SELECT count(*) FROM cards").fetchone()[0] == 2 * len(trps)
    assert {d for (d,) in con.execute("SELECT DISTINCT did FROM cards")} == {DECK_ID}
    # Every picture a note names is in the package's media.
    named = set(media.values())
    assert len(named) == 3 * len(trps)
    for _, _, flds, tags in notes:
        fields = flds.split("\x1f")
        assert len(fields) == len(FIELDS)
        for value in fields[3:6]:
            src = value.split('src="')[1].split('"')[0]
            assert src in named
        assert "bodymap" in tags.split()
    models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    assert [f["name"] for f in models[str(MODEL_ID)]["flds"]] == list(FIELDS)
    con.close()


def test_a_re_export_keeps_every_id(atlas, tmp_path, fake_render):
    trps = list(atlas.muscles["masseter"].trps())
    ids = []
    for name in ("a.apkg", "b.apkg"):
        write_apkg(atlas, trps, fake_render, tmp_path / name)
        con, media = _open(tmp_path / name, tmp_path)
        ids.append((sorted(con.execute("SELECT guid FROM notes").fetchall()), sorted(media.values())))
        con.close()
    assert ids[0] == ids[1]


def test_a_failed_export_leaves_the_old_file(atlas, tmp_path, fake_render):
    out = tmp_path / "deck.apkg"
    out.write_bytes(b"the old deck")

    def broken(t):
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        write_apkg(atlas, list(atlas.muscles["masseter"].trps()), broken, out)
    assert out.read_bytes() == b"the old deck"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_masks_are_normalised_svg_polygons_over_the_picture():
    html = masked_html("x.png", 1.5, [((0.0, 0.0), (1.0, 0.0), (1.0, 1.0))])
    assert '<img src="x.png">' in html and 'viewBox="0 0 1 1.5000"' in html
    assert 'points="0.0000,0.0000 1.0000,0.0000 1.0000,1.5000"' in html
