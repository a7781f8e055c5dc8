"""Writing a picture as PNG, fast enough to render a chart view in well under 100 ms.

Qt's PNG writer (libpng) tries all five row filters on every row to pick the best, which alone takes
~100 ms for a 1900 x 2000 chart. Charts are flat colours on white: one fixed filter with zlib's fast
level compresses them nearly as well in a third of the time (measured on the front and soles: files
2-4 % larger than Qt's at the same zlib level, ~25 % larger than Qt's default). This writes the
standard PNG layout (signature, IHDR, IDAT, IEND; 8-bit RGB), which any reader opens."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

SIGNATURE = b"\x89PNG\r\n\x1a\n"
LEVEL = 1  # zlib's fastest level: the 'Up' filter has already turned flat areas into zeros
UP = 2  # PNG filter type 'Up': each byte minus the byte above it (modulo 256)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(image: QImage) -> bytes:
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = rgb.width(), rgb.height()
    pixels = np.frombuffer(rgb.constBits(), np.uint8).reshape(h, rgb.bytesPerLine())[:, : w * 3]
    rows = np.empty((h, 1 + w * 3), np.uint8)  # each row: its filter type, then its bytes
    rows[:, 0] = UP
    rows[0, 1:] = pixels[0]  # above the first row, PNG counts zeros
    np.subtract(pixels[1:], pixels[:-1], out=rows[1:, 1:])  # uint8 arithmetic wraps, as PNG wants
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8 bits, RGB, deflate, filters, no interlace
    return (
        SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), LEVEL))
        + _chunk(b"IEND", b"")
    )


def write_png(image: QImage, path: Path) -> None:
    path.write_bytes(png_bytes(image))
