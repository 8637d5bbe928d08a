"""The app's icon: a small network in 3Blue1Brown's colours, drawn with QPainter at any size.

The PNGs under ``resources/icons/`` are made from ``paint_icon`` by ``scripts/make_icon.py``;
the window loads them with ``app_icon``. Small sizes draw fewer neurons and thicker edges, so
the motif still reads at 16 pixels.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPainterPath, QPen

from gui.colors import DARK, qcolor

ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
NAME = "backprop-lab"
# Each edge's sign and strength, input neuron to hidden, hidden to output, as in a trained net.
EDGES_IN = ((0.9, -0.5, 0.3, 0.7), (-0.8, 0.6, 0.9, -0.3), (0.4, 0.8, -0.9, 0.5))
EDGES_OUT = ((0.8, -0.6), (-0.4, 0.9), (0.7, 0.5), (-0.9, -0.3))
FILLS = ((0.95, 0.35, 0.7), (0.2, 0.9, 0.55, 0.1), (0.15, 1.0))  # neuron activations


def icon_path(size: int) -> Path:
    """Return the PNG of the icon at ``size`` pixels."""
    return ICON_DIR / f"{NAME}-{size}.png"


def paint_icon(p: QPainter, size: float) -> None:
    """Paint the icon into a ``size`` x ``size`` square at the origin."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    small, tiny = size < 40, size < 28
    radius = size * 0.2
    back = QPainterPath()
    back.addRoundedRect(QRectF(0, 0, size, size), radius, radius)
    p.fillPath(back, qcolor(DARK.background))
    p.setPen(QPen(qcolor(DARK.outline), max(size / 64, 0.5)))
    p.drawPath(back)
    if tiny:  # 16 and 24 pixels: two, two and one neuron, or it is a blur
        layers, counts, gaps = ((0, 1), (1, 2), (0,)), (2, 2, 1), (0.44, 0.44, 0.0)
    elif small:
        layers, counts, gaps = ((1, 2), (0, 1, 2, 3), (0, 1)), (3, 4, 2), (0.26, 0.2, 0.26)
    else:
        layers, counts, gaps = ((0, 1, 2), (0, 1, 2, 3), (0, 1)), (3, 4, 2), (0.26, 0.2, 0.26)
    xs = (size * 0.22, size * 0.5, size * 0.78) if tiny else (size * 0.2, size * 0.5, size * 0.8)

    def centre(layer: int, i: int) -> QPointF:
        offset = i - (counts[layer] - 1) / 2 if not tiny else (layers[layer].index(i) - 0.5)
        step = gaps[layer] if counts[layer] > 1 else 0.0
        return QPointF(xs[layer], size / 2 + offset * step * size)

    width = size * (0.09 if tiny else 0.07 if small else 0.032)
    for layer, edges in ((0, EDGES_IN), (1, EDGES_OUT)):
        for i in layers[layer]:
            for j in layers[layer + 1]:
                value = edges[i][j]
                colour = qcolor(DARK.positive if value > 0 else DARK.negative)
                colour.setAlphaF(0.35 + 0.65 * abs(value) if not tiny else 1.0)
                pen = QPen(colour, width * (0.4 + abs(value)) if not tiny else width)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                p.setPen(pen)
                p.drawLine(centre(layer, i), centre(layer + 1, j))
    r = size * (0.1 if tiny else 0.085 if small else 0.065)
    for layer, indices in enumerate(layers):
        for i in indices:
            g = 255 if tiny and layer == 2 else int(255 * FILLS[layer][i])  # a lit answer
            p.setBrush(QColor(g, g, g))
            ring = QPen(qcolor(DARK.text), max(size / 96, 0.6))
            p.setPen(ring if not tiny else Qt.PenStyle.NoPen)
            p.drawEllipse(centre(layer, i), r, r)


def render_icon(size: int) -> QImage:
    """Return the icon drawn at ``size`` x ``size`` pixels with a transparent surround."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    paint_icon(p, float(size))
    p.end()
    return image


def app_icon() -> QIcon:
    """Return the app's icon with every packaged size (empty if the PNGs are missing)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = icon_path(size)
        if path.is_file():
            icon.addFile(str(path))
    return icon
