"""Taking the cards elsewhere: the whole atlas as an Anki deck (.apkg) or printable flashcards (PDF),
drawn with progress and Cancel; nothing is left half written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from bodymap.core.atlas import Atlas
from bodymap.core.chart.body import Body

from ..text import tell

FORMATS = {"apkg": "Anki deck (*.apkg)", "pdf": "PDF (*.pdf)"}


class Cancelled(Exception):
    pass


def export_cards(
    window: QWidget, atlas: Atlas, body: Body, fmt: str, say: Callable[[str], None]
) -> Path | None:
    """Ask where, then write every trigger point's cards in `fmt` ("apkg" or "pdf"); `say` tells the
    outcome in one line. The file written, or None."""
    name, _ = QFileDialog.getSaveFileName(window, "Export study cards", f"bodymap.{fmt}", FORMATS[fmt])
    if not name:
        return None
    out = Path(name)
    if out.suffix.lower() != f".{fmt}":
        out = out.with_suffix(f".{fmt}")
    from .flashcards import write_flashcards
    from .images import Pictures

    trps = [t for side in ("right", "left") for t in atlas.trigger_points(side)]
    dialog = QProgressDialog("Drawing the cards…", "Cancel", 0, len(trps), window)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)

    def step(done: int, total: int) -> None:
        dialog.setValue(done)
        if dialog.wasCanceled():
            raise Cancelled

    pictures = Pictures(body)
    try:
        if fmt == "apkg":
            from bodymap.core.study.deck import write_apkg

            write_apkg(atlas, trps, pictures.render, out, step)
        else:
            write_flashcards(atlas, pictures, trps, out, step)
    except Cancelled:
        say("Export cancelled; nothing was written.")
        return None
    except OSError as exc:
        tell(window, "Export study cards", f"Could not write {out}: {exc.strerror or exc}")
        return None
    finally:
        dialog.close()
    say(f"Wrote {len(trps)} cards to {out}")
    return out
