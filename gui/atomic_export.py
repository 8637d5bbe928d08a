"""Exports written whole or not at all: PNG, SVG and CSV through
``engine.data.atomic.atomic_write``.

Qt's own ``QImage.save(path)`` and ``QSvgGenerator.setFileName`` write into the target as they
go, so a full disk leaves half a file and a FIFO blocks; these encode into memory first.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgGenerator

from engine.data.atomic import atomic_write


def write_png(picture: QImage | QPixmap, path: str | os.PathLike[str]) -> Path:
    """Save an image or pixmap as a PNG file; raises OSError (naming ``path``) on failure."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not picture.save(buffer, "PNG"):
        raise OSError(f"could not encode {os.fspath(path)} as PNG")
    return atomic_write(path, lambda file: file.write(data.data()))


def write_svg(
    paint: Callable[[QPainter], None], size: QSize, title: str, path: str | os.PathLike[str]
) -> Path:
    """Record ``paint`` on an SVG canvas of ``size`` and save it; raises OSError on failure."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(QPoint(0, 0), size))
    generator.setTitle(title)
    p = QPainter()
    if not p.begin(generator):
        raise OSError(f"could not draw {os.fspath(path)} as SVG")
    paint(p)
    p.end()
    return atomic_write(path, lambda file: file.write(data.data()))


def write_text(path: str | os.PathLike[str], write: Callable[[io.TextIOBase], None]) -> Path:
    """Call ``write`` on a UTF-8 text file (newline="" for csv) saved whole; raises OSError."""

    def encode(file) -> None:
        text = io.TextIOWrapper(file, encoding="utf-8", newline="")
        write(text)
        text.flush()
        text.detach()  # the binary file stays open for atomic_write to sync and close

    return atomic_write(path, encode)
