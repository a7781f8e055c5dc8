"""Rendering the chart to PNG, SVG or PDF (used by `bodymap render` and by the screenshot script)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene

FORMATS = (".png", ".svg", ".pdf")
PNG_QUALITY = 80  # Qt maps PNG "quality" to zlib effort: 80 is fast and still compresses well


def render_scene(scene: QGraphicsScene, source: QRectF, out: Path, width_px: int = 2000) -> Path:
    """Draw `source` of `scene` into `out`; the format follows the file's suffix."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"cannot render to {out.name}: use one of {', '.join(FORMATS)}")
    height_px = max(1, round(width_px * source.height() / source.width()))
    target = QRectF(0, 0, width_px, height_px)
    if suffix == ".png":
        # Opaque RGB32 on white and zlib's faster levels: encoding, not drawing, is most of the time.
        image = QImage(QSize(width_px, height_px), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        _paint(painter, scene, target, source)
        if not image.save(str(out), "PNG", PNG_QUALITY):
            raise OSError(f"could not write {out}")
    elif suffix == ".svg":
        gen = QSvgGenerator()
        gen.setFileName(str(out))
        gen.setSize(QSize(width_px, height_px))
        gen.setViewBox(target)
        gen.setTitle("bodymap chart")
        painter = QPainter(gen)
        _paint(painter, scene, target, source)
    else:
        writer = QPdfWriter(str(out))
        writer.setTitle("bodymap chart")
        writer.setPageSize(QPageSize(QSizeF(source.width() / 4, source.height() / 4), QPageSize.Unit.Millimeter))
        writer.setPageMargins(QMarginsF(0, 0, 0, 0))
        writer.setResolution(300)
        painter = QPainter(writer)
        page = QRectF(painter.viewport())
        _paint(painter, scene, page, source)
    if not out.exists():
        raise OSError(f"could not write {out}")
    return out


def _paint(painter: QPainter, scene: QGraphicsScene, target: QRectF, source: QRectF) -> None:
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
