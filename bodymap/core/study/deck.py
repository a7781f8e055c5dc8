"""The Anki deck (`bodymap study export --format apkg`): one note per trigger point and side.

Each note makes two cards:
- "Where does it refer?": the chart with the trigger point marked; on the back, its referral pattern;
- "Whose zone is this?" (image-occlusion style): the chart with the essential zone masked; on the back,
  the pattern and the trigger point's name.
The masks are vector polygons in coordinates normalised to the image (0-1), laid over it in SVG, so they
stay in place at any card size (masks drifting on resize is the commonest complaint about image
occlusion). Anki cannot score a drawing: exported cards are self-graded.

Ids are stable: the note type and deck ids are constants and each note's GUID comes from the trigger
point's key (muscle, trigger point, side), so importing a re-export updates the notes instead of adding
copies. Media file names are stable too. The images come from the window's renderer (ui/study/images.py):
this module only lays out the notes, so it stays free of Qt.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import genanki

from bodymap.core.atlas import Atlas, TriggerPoint
from bodymap.core.files import replacing

MODEL_ID = 1_734_019_201  # chosen once; never change (Anki matches the note type by it)
DECK_ID = 1_734_019_202
DECK_NAME = "bodymap::Trigger points"
GUID_NAMESPACE = "bodymap-trp"

FIELDS = ("Trigger point", "Muscle", "Side", "Chart", "Pattern", "Masked", "Notes", "Sources", "Key")

CSS = """
.card { font-family: sans-serif; font-size: 18px; text-align: center; color: #222; background: #fff; }
.prompt { margin: 0.4em 0 0.6em; }
.chart img, .io img { max-width: 100%; height: auto; }
.io { position: relative; display: inline-block; max-width: 100%; }
.io svg { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
.io polygon { fill: #4a5a7a; stroke: #1c2540; stroke-width: 0.003; }
.side { color: #b03a2e; font-weight: bold; }
.notes { font-size: 15px; text-align: left; margin-top: 0.6em; }
.sources { font-size: 12px; color: #666; text-align: left; margin-top: 0.6em; }
"""

TEMPLATES = [
    {
        "name": "Where does it refer?",
        "qfmt": '<div class="prompt">Where does <b>{{Trigger point}}</b> refer pain?</div>'
        '<div class="chart">{{Chart}}</div>',
        "afmt": '<div class="prompt"><b>{{Trigger point}}</b></div><div class="chart">{{Pattern}}</div>'
        '<div class="notes">{{Notes}}</div><div class="sources">{{Sources}}</div>',
    },
    {
        "name": "Whose zone is this?",
        "qfmt": '<div class="prompt">Which trigger point refers pain to the masked zone?</div>{{Masked}}',
        "afmt": '<div class="prompt"><b>{{Trigger point}}</b></div><div class="chart">{{Pattern}}</div>'
        '<div class="notes">{{Notes}}</div><div class="sources">{{Sources}}</div>',
    },
]

Polygon = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class NoteImages:
    """The pictures of one trigger point, all with the same framing (so the masks fit every one)."""

    chart: Path  # the chart around the trigger point, the trigger point marked
    pattern: Path  # the same with the referral pattern (essential solid, spillover stippled)
    blank: Path  # the same with nothing marked, under the masks
    aspect: float  # height / width
    masks: tuple[Polygon, ...]  # the essential zone, in 0-1 image coordinates (y down)


Renderer = Callable[[TriggerPoint], NoteImages]


def model() -> genanki.Model:
    return genanki.Model(
        MODEL_ID,
        "bodymap trigger point",
        fields=[{"name": f} for f in FIELDS],
        templates=TEMPLATES,
        css=CSS,
    )


def note_guid(t: TriggerPoint) -> str:
    return str(genanki.guid_for(GUID_NAMESPACE, t.key))


def media_name(t: TriggerPoint, what: str) -> str:
    """A stable, collection-wide unique media file name (Anki keeps media in one folder)."""
    return f"bodymap_{t.muscle}_{t.id}_{t.side}_{what}.png"


def masked_html(image: str, aspect: float, masks: Sequence[Polygon]) -> str:
    polys = "".join(
        '<polygon points="' + " ".join(f"{x:.4f},{y * aspect:.4f}" for x, y in poly) + '"/>' for poly in masks
    )
    return (
        f'<div class="io"><img src="{html.escape(image)}">'
        f'<svg viewBox="0 0 1 {aspect:.4f}" preserveAspectRatio="none">{polys}</svg></div>'
    )


def note_fields(atlas: Atlas, t: TriggerPoint, images: NoteImages, names: dict[str, str]) -> list[str]:
    m = atlas.muscles[t.muscle]
    title = f"{html.escape(m.name)}, {html.escape(t.name)} <span class=side>(patient's {t.side})</span>"
    sources = "; ".join(
        html.escape(c.citation) + (f", {html.escape(c.where)}" if c.where else "") for c in m.sources
    )
    notes = html.escape(t.notes) + (f"<br><i>{html.escape(m.uncertainty)}</i>" if m.uncertainty else "")
    return [
        title,
        html.escape(m.name),
        t.side,
        f'<img src="{names["chart"]}">',
        f'<img src="{names["pattern"]}">',
        masked_html(names["blank"], images.aspect, images.masks),
        notes,
        sources,
        t.key,
    ]


def write_apkg(
    atlas: Atlas,
    trps: Sequence[TriggerPoint],
    render: Renderer,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the deck of these trigger points to `out` (replaced atomically); the number of notes."""
    deck = genanki.Deck(
        DECK_ID, DECK_NAME, description="Trigger points and their referral patterns, from bodymap."
    )
    note_type = model()
    with tempfile.TemporaryDirectory(prefix="bodymap-deck-") as tmp:
        media: list[str] = []
        for i, t in enumerate(trps):
            images = render(t)
            names = {}
            for what in ("chart", "pattern", "blank"):
                name = media_name(t, what)
                target = Path(tmp) / name
                os.replace(getattr(images, what), target)
                media.append(str(target))
                names[what] = name
            m = atlas.muscles[t.muscle]
            tags = ["bodymap", m.area, t.muscle, t.side]
            deck.add_note(
                genanki.Note(
                    model=note_type, fields=note_fields(atlas, t, images, names), guid=note_guid(t), tags=tags
                )
            )
            if progress is not None:
                progress(i + 1, len(trps))
        with replacing(out) as tmp_out:
            genanki.Package(deck, media_files=media).write_to_file(str(tmp_out))
    return len(trps)
