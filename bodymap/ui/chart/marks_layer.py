"""Patient marks on the chart: filled red for an active trigger point, open for latent, grey when not
yet classified; a dot inside when needled; numbered as in the findings table. The previous visit's
marks can be shown faintly underneath."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from ..text import plain_tip
from .layout import PLACEMENTS
from .scene import ChartScene

RADIUS = 6.5  # screen pixels
ACTIVE = QColor("#c0392b")
LATENT = QColor("#d35400")
UNSET = QColor("#7f8c8d")
SELECTED = QColor("#2f6db5")
WARNING = QColor("#c0392b")


class MarkItem(QGraphicsItem):
    """One mark, a constant size on screen whatever the zoom."""

    def __init__(self, mark, number: int, faint: bool = False, warning: str = ""):
        super().__init__()
        self.mark, self.number, self.faint, self.warning = mark, number, faint, warning
        self.selected = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        f = mark.findings
        status = f.status or "not classified"
        extra = [
            w
            for w, on in (
                ("twitch", f.twitch),
                ("familiar pain", f.familiar_pain),
                ("referral", f.referral),
                ("needled", mark.needled),
            )
            if on
        ]
        tip = f"Mark {number}: {status}" + (f", {', '.join(extra)}" if extra else "")
        if f.tenderness is not None:
            tip += f", tenderness {f.tenderness}/10"
        if warning:
            tip += "\n" + warning
        self.setToolTip(plain_tip(("Previous visit — " if faint else "") + tip))

    def shape(self) -> QPainterPath:
        """What a click must hit to take this mark: the disc, with a little slack (not its number)."""
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), RADIUS + 3, RADIUS + 3)
        return path

    def boundingRect(self) -> QRectF:
        r = RADIUS + 16
        return QRectF(-r, -r, 2 * r + 14, 2 * r)

    def paint(self, painter, option, widget=None) -> None:
        f = self.mark.findings
        color = {"active": ACTIVE, "latent": LATENT}.get(f.status, UNSET)
        if self.faint:
            color = QColor(color)
            color.setAlphaF(0.35)
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        if self.selected:
            painter.setPen(QPen(SELECTED, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), RADIUS + 4, RADIUS + 4)
        painter.setPen(QPen(QColor("white") if f.status == "active" else color, 2))
        painter.setBrush(QBrush(color) if f.status == "active" else QBrush(QColor(255, 255, 255, 200)))
        painter.drawEllipse(QPointF(0, 0), RADIUS, RADIUS)
        if f.status != "active":
            painter.setPen(QPen(color, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QPointF(0, 0), RADIUS - 1, RADIUS - 1)
        if self.mark.needled:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor("white") if f.status == "active" else color))
            painter.drawEllipse(QPointF(0, 0), 2.2, 2.2)
        if self.warning and not self.faint:
            # Needled with a warning: a red triangle beside the mark, so it is seen where it was needled.
            tri = QPolygonF(
                [
                    QPointF(-RADIUS - 9, -RADIUS - 1),
                    QPointF(-RADIUS - 3, -RADIUS - 12),
                    QPointF(-RADIUS + 3, -RADIUS - 1),
                ]
            )
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(QBrush(WARNING))
            painter.drawPolygon(tri)
            painter.setPen(QPen(QColor("white"), 1.6))
            painter.drawLine(QPointF(-RADIUS - 3, -RADIUS - 9), QPointF(-RADIUS - 3, -RADIUS - 5))
            painter.drawPoint(QPointF(-RADIUS - 3, -RADIUS - 2.8))
        if not self.faint:
            font = QFont()
            font.setPointSizeF(8)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QPen(QColor("#222222")))
            painter.drawText(QPointF(RADIUS + 2, -RADIUS + 1), str(self.number))


class MarksLayer:
    """Keeps the chart's mark items in step with a visit's marks (and the previous visit's), each in
    its view's "marks" (or "previous") layer."""

    def __init__(self, scene: ChartScene):
        self.scene = scene
        self.items: list[MarkItem] = []
        self.previous: list[MarkItem] = []

    def _place(self, item: MarkItem) -> None:
        item.setPos(*PLACEMENTS[item.mark.view].to_scene(item.mark.x, item.mark.y))
        item.setParentItem(self.scene.layer(item.mark.view, "previous" if item.faint else "marks"))

    def set_marks(self, marks, selected_id: int | None = None, warnings: dict | None = None) -> None:
        """Show a visit's marks, numbered from 1; `warnings` maps a mark id to its needling warning."""
        for item in self.items:
            self.scene.removeItem(item)
        self.items = []
        for n, m in enumerate(marks, 1):
            item = MarkItem(m, n, warning=(warnings or {}).get(m.id, ""))
            item.selected = selected_id is not None and m.id == selected_id
            self._place(item)
            self.items.append(item)

    def set_selected(self, mark_id: int | None) -> None:
        """Ring the selected mark (the others lose their ring); nothing is rebuilt."""
        for item in self.items:
            selected = item.mark.id == mark_id
            if item.selected != selected:
                item.selected = selected
                item.update()

    def set_previous(self, marks) -> None:
        for item in self.previous:
            self.scene.removeItem(item)
        self.previous = []
        for n, m in enumerate(marks, 1):
            item = MarkItem(m, n, faint=True)
            self._place(item)
            self.previous.append(item)

    def mark_at(self, view: str, x: float, y: float, tolerance: float):
        """The current visit's mark nearest to a body point, within `tolerance` (body units)."""
        best, best_d = None, tolerance
        for item in self.items:
            m = item.mark
            if m.view == view:
                d = ((m.x - x) ** 2 + (m.y - y) ** 2) ** 0.5
                if d <= best_d:
                    best, best_d = m, d
        return best
