"""Laying out pages: text measured and placed (flowing on to the next page when it must), rules and
boxes, recorded as operations that are painted once every page is known ("page i of n")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from .style import RULE, TEXT, WRAP, make_font

# --- page layout ------------------------------------------------------------------------------------

Op = Callable[[QPainter], None]


@dataclass
class Page:
    head: str | None  # the running head of a continued page (None: the page has its own header)
    ops: list


class Layout:
    """Places blocks top to bottom on pages of `rect`, measuring text with the device's fonts. Drawing is
    deferred: each page is a list of operations run later, when the number of pages is known."""

    def __init__(self, device, rect: QRectF):
        self.device = device
        self.rect = QRectF(rect)
        self.dpi = float(device.logicalDpiY())
        self.pages: list[Page] = []
        self.y = self.rect.top()
        self.head_font = make_font(7.5)
        self.foot_font = make_font(7)
        self.head_h = self.line_h(self.head_font) + self.mm(2.5)
        self.bottom = self.rect.bottom() - self.line_h(self.foot_font) - self.mm(4)

    # measures
    def mm(self, v: float) -> float:
        return v * self.dpi / 25.4

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.device)

    def line_h(self, font: QFont) -> float:
        return self.metrics(font).height()

    def text_h(self, text: str, font: QFont, width: float, flags: int = WRAP) -> float:
        if not text:
            return 0.0
        return self.metrics(font).boundingRect(QRectF(0, 0, max(width, 1.0), 1e9), flags, text).height()

    @property
    def left(self) -> float:
        return self.rect.left()

    @property
    def width(self) -> float:
        return self.rect.width()

    # pages
    def new_page(self, head: str | None = None) -> None:
        self.pages.append(Page(head, []))
        self.y = self.rect.top() + (self.head_h + self.mm(3) if head else 0.0)

    def room(self) -> float:
        return self.bottom - self.y

    def ensure(self, h: float, head: str | None) -> bool:
        """Start a new page (with running head `head`) unless `h` fits; True if a page was started."""
        if h > self.room() + 1e-6 and self.y > self.top_of_body():
            self.new_page(head)
            return True
        return False

    def top_of_body(self) -> float:
        page = self.pages[-1]
        return self.rect.top() + (self.head_h + self.mm(3) if page.head else 0.0)

    def add(self, op: Op) -> None:
        self.pages[-1].ops.append(op)

    # drawing helpers that record operations
    def text(
        self, x: float, y: float, w: float, text: str, font: QFont, color: QColor = TEXT, flags: int = WRAP
    ) -> float:
        h = self.text_h(text, font, w, flags)
        if text:
            rect = QRectF(x, y, w, h + 2)

            def op(p: QPainter, rect=rect, text=text, font=font, color=color, flags=flags) -> None:
                p.setFont(font)
                p.setPen(color)
                p.drawText(rect, flags, text)

            self.add(op)
        return h

    def rule(
        self,
        y: float,
        color: QColor = RULE,
        width_mm: float = 0.25,
        x0: float | None = None,
        x1: float | None = None,
    ) -> None:
        a = self.left if x0 is None else x0
        b = self.rect.right() if x1 is None else x1
        pen_w = self.mm(width_mm)

        def op(p: QPainter) -> None:
            p.setPen(QPen(color, pen_w))
            p.drawLine(QPointF(a, y), QPointF(b, y))

        self.add(op)

    def box(self, rect: QRectF, fill: QColor | None, edge: QColor | None, edge_mm: float = 0.3) -> None:
        pen_w = self.mm(edge_mm)

        def op(p: QPainter) -> None:
            p.setPen(QPen(edge, pen_w) if edge is not None else Qt.PenStyle.NoPen)
            p.setBrush(fill if fill is not None else Qt.BrushStyle.NoBrush)
            p.drawRect(rect)

        self.add(op)

    def split(self, text: str, font: QFont, width: float, max_h: float) -> tuple[str, str]:
        """The longest leading part of `text` (whole words) that fits in `max_h`, and the rest."""
        if self.text_h(text, font, width) <= max_h:
            return text, ""
        words = text.split(" ")
        lo, hi = 0, len(words)
        while lo < hi:  # the most words that fit
            mid = (lo + hi + 1) // 2
            if self.text_h(" ".join(words[:mid]), font, width) <= max_h:
                lo = mid
            else:
                hi = mid - 1
        if lo == 0:  # one enormous word: cut it by characters
            word = words[0]
            a, b = 0, len(word)
            while a < b:
                mid = (a + b + 1) // 2
                if self.text_h(word[:mid], font, width) <= max_h:
                    a = mid
                else:
                    b = mid - 1
            a = max(a, 1)
            return word[:a], " ".join([word[a:], *words[1:]]).strip()
        return " ".join(words[:lo]), " ".join(words[lo:])

    def flow(
        self,
        x: float,
        w: float,
        text: str,
        font: QFont,
        head: str,
        color: QColor = TEXT,
        gap_after: float = 0.0,
    ) -> None:
        """A paragraph that continues on the next page when it does not fit (long notes)."""
        rest = text
        while rest:
            line = self.line_h(font)
            if self.room() < line:
                self.new_page(head)
            part, rest = self.split(rest, font, w, self.room())
            self.y += self.text(x, self.y, w, part, font, color)
            if rest:
                self.new_page(head)
        self.y += gap_after
