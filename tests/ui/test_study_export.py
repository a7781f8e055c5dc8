"""`bodymap study export`: a real Anki package with the chart's pictures, and printable flashcards."""

import json
import sqlite3
import zipfile

from PySide6.QtGui import QImage

from bodymap.cli import main
from bodymap.core.atlas import load_atlas


def test_apkg_with_real_pictures(tmp_path, capsys):
    out = tmp_path / "infraspinatus.apkg"
    assert main(["study", "export", "--format", "apkg", "--out", str(out), "--muscle", "infraspinatus"]) == 0
    trps = load_atlas().muscles["infraspinatus"].trps()
    with zipfile.ZipFile(out) as z:
        media = json.loads(z.read("media"))
        assert len(media) == 3 * len(trps)
        for index, name in media.items():
            image = QImage.fromData(z.read(index))
            assert not image.isNull() and image.width() == 560, name
        (tmp_path / "c.anki2").write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "c.anki2")
    assert con.execute("SELECT count(*) FROM notes").fetchone()[0] == len(trps)
    con.close()


def test_pdf_flashcards_fronts_and_backs(tmp_path, capsys):
    out = tmp_path / "cards.pdf"
    assert (
        main(
            [
                "study",
                "export",
                "--format",
                "pdf",
                "--out",
                str(out),
                "--muscle",
                "masseter",
                "--side",
                "right",
            ]
        )
        == 0
    )
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    n = len(load_atlas().muscles["masseter"].trps("right"))
    sheets = -(-n // 6)
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert pages == 2 * sheets  # each sheet: a page of fronts, then a page of backs
