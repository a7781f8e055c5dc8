"""Our PNG writer (ui/png.py) writes files any reader opens, with exactly the pixels drawn."""

import numpy as np
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from bodymap.ui.png import png_bytes


def _pixels(image: QImage) -> np.ndarray:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return rows[:, : rgb.width() * 3].copy()


@pytest.mark.parametrize("width, height", [(1, 1), (333, 97), (640, 480)])  # 333: rows padded in memory
def test_png_round_trip_is_exact(qapp, width, height):
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    rng = np.random.default_rng(1)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for _ in range(20):  # antialiased shapes in many colours, over and under each other
        painter.setBrush(QColor(*rng.integers(0, 256, 3).tolist()))
        painter.drawEllipse(QRectF(*rng.uniform(-20, max(width, height), 4).tolist()))
    painter.end()
    data = png_bytes(image)
    back = QImage.fromData(data, "PNG")
    assert not back.isNull() and (back.width(), back.height()) == (width, height)
    assert np.array_equal(_pixels(back), _pixels(image))


def test_png_is_compressed(qapp):
    image = QImage(1000, 1000, QImage.Format.Format_RGB32)
    image.fill(QColor("#f3ebe3"))
    assert len(png_bytes(image)) < 20_000  # 3 MB of pixels
