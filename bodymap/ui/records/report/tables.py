"""Tables of a report: columns scaled to the page, a key above, a header row repeated on every page,
rows never split (long notes flow on), every other row shaded."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont

from .layout import Layout
from .style import HEADER_BG, MUTED, RULE, TEXT, ZEBRA, make_font

# --- the report -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # millimetres on an A4 page; scaled to the page's width
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft


FINDING_COLUMNS = (
    Column("#", 5, Qt.AlignmentFlag.AlignHCenter),
    Column("View", 10),
    Column("Side", 12),
    Column("Region", 25),
    Column("Nearest trigger point", 37),
    Column("cm", 8, Qt.AlignmentFlag.AlignRight),
    Column("Status", 14),
    Column("LTR", 8),
    Column("Familiar pain", 14),
    Column("Referral", 13),
    Column("Tenderness / PPT", 19),
    Column("Needled", 15),
)

TREATMENT_COLUMNS = (
    Column("#", 5, Qt.AlignmentFlag.AlignHCenter),
    Column("Muscle", 28),
    Column("Side", 10),
    Column("Needle", 17),
    Column("Depth", 10, Qt.AlignmentFlag.AlignRight),
    Column("Technique", 22),
    Column("LTRs", 8, Qt.AlignmentFlag.AlignHCenter),
    Column("Familiar pain", 12),
    Column("Patient response", 26),
    Column("Time in", 10, Qt.AlignmentFlag.AlignRight),
)

COURSE_COLUMNS = (
    Column("Visit", 11, Qt.AlignmentFlag.AlignHCenter),
    Column("Date", 19),
    Column("Pain before", 13, Qt.AlignmentFlag.AlignHCenter),
    Column("Pain after", 13, Qt.AlignmentFlag.AlignHCenter),
    Column("Extent, % of chart", 16, Qt.AlignmentFlag.AlignRight),
    Column("Extent, % of body surface", 19, Qt.AlignmentFlag.AlignRight),
    Column("Overlap with previous", 16, Qt.AlignmentFlag.AlignRight),
    Column("Active TrPs", 13, Qt.AlignmentFlag.AlignHCenter),
    Column("Latent TrPs", 13, Qt.AlignmentFlag.AlignHCenter),
    Column("Needled", 13, Qt.AlignmentFlag.AlignHCenter),
    Column("CHOIR regions covered", 34),
)


# --- tables ----------------------------------------------------------------------------------


def table_fonts() -> dict[str, QFont]:
    return {
        "cell": make_font(7.5),
        "emph": make_font(7.5, bold=True),
        "head": make_font(7, bold=True),
        "notes": make_font(7.5, italic=True),
        "title": make_font(11, bold=True),
        "key": make_font(7),
    }


def table_sizes(L: Layout, columns, rows, title: str, note: str) -> dict:
    """Column widths and the heights of the title, key, header and each row (with its notes)."""
    F = table_fonts()
    scale = L.width / sum(c.width for c in columns)
    widths = [c.width * scale for c in columns]
    pad = L.mm(1.0)
    notes_w = L.width - widths[0] - 2 * pad

    def flags(c: Column) -> int:
        return int(Qt.TextFlag.TextWordWrap | c.align | Qt.AlignmentFlag.AlignTop)

    head_h = 2 * pad + max(
        L.text_h(c.title, F["head"], w - 2 * pad, flags(c)) for c, w in zip(columns, widths, strict=True)
    )
    row_h, notes_h = [], []
    for cells, notes, emph in rows:
        f = F["emph"] if emph else F["cell"]
        row_h.append(
            2 * pad
            + max(
                L.text_h(t, f, w - 2 * pad, flags(c)) for t, c, w in zip(cells, columns, widths, strict=True)
            )
        )
        notes_h.append(L.text_h(notes, F["notes"], notes_w) + pad if notes else 0.0)
    return {
        "widths": widths,
        "pad": pad,
        "flags": flags,
        "notes_w": notes_w,
        "head_h": head_h,
        "row_h": row_h,
        "notes_h": notes_h,
        "title_h": L.text_h(title, F["title"], L.width) + L.mm(1.5),
        "key_h": L.text_h(note, F["key"], L.width) + L.mm(1.5) if note else 0.0,
    }


def table_height(L: Layout, columns, rows, title: str, note: str = "") -> float:
    z = table_sizes(L, columns, rows, title, note)
    body = z["head_h"] + sum(z["row_h"]) + sum(z["notes_h"]) if rows else 0.0
    return z["title_h"] + z["key_h"] + body


def draw_table(
    L: Layout, columns, rows: list[tuple[list[str], str, bool]], head: str, title: str, note: str = ""
) -> None:
    """A table with a key above it and a header row repeated on each page; each row is (cells, notes
    written under the row, emphasis). Rows are never split, except for very long notes."""
    F = table_fonts()
    z = table_sizes(L, columns, rows, title, note)
    widths, pad, flags, head_h = z["widths"], z["pad"], z["flags"], z["head_h"]

    def header_row() -> None:
        L.box(QRectF(L.left, L.y, L.width, head_h), HEADER_BG, None)
        x = L.left
        for c, w in zip(columns, widths, strict=True):
            L.text(x + pad, L.y + pad, w - 2 * pad, c.title, F["head"], TEXT, flags(c))
            x += w
        L.rule(L.y + head_h, TEXT, 0.3)
        L.y += head_h

    first_h = z["row_h"][0] if rows else 0.0
    L.ensure(z["title_h"] + z["key_h"] + head_h + first_h, head)
    L.text(L.left, L.y, L.width, title, F["title"])
    L.y += z["title_h"]
    if note:  # the key to the columns, above the table so that it never ends up alone on a page
        L.text(L.left, L.y, L.width, note, F["key"], MUTED)
        L.y += z["key_h"]
    if not rows:
        return
    header_row()
    for i, (cells, notes, emph) in enumerate(rows):
        h = z["row_h"][i]
        notes_first = min(z["notes_h"][i], L.line_h(F["notes"]) * 2 + pad)
        if L.ensure(h + notes_first, head):
            header_row()
        top, page, at = L.y, L.pages[-1], len(L.pages[-1].ops)
        x = L.left
        for t, c, w in zip(cells, columns, widths, strict=True):
            L.text(x + pad, top + pad, w - 2 * pad, t, F["emph"] if emph else F["cell"], TEXT, flags(c))
            x += w
        L.y += h
        if notes:
            L.flow(L.left + widths[0] + pad, z["notes_w"], notes, F["notes"], head, TEXT, gap_after=pad)
        if i % 2:  # shade the row (and its notes, on this page) under what was drawn on it
            band = QRectF(L.left, top, L.width, (L.y if L.pages[-1] is page else L.bottom) - top)
            page.ops.insert(at, lambda p, band=band: p.fillRect(band, ZEBRA))
        L.rule(L.y, RULE, 0.15)
