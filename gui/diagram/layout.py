"""Where everything in the network diagram goes: pure geometry from layer sizes and a canvas size.

Layer k = 0 .. L is a column, left to right. The input (layer 0) is drawn as its 28x28 image, so
``centers[0]`` are pixel centres; every first-layer neuron has a tile of its incoming weights to
its left. Tiles are staggered over ``tile_columns`` columns when the neurons are too close for one
tile each: tile i sits in column i % tile_columns, centred on neuron i's height, so no tile overlaps
another. Coordinates are in pixels, y down; nothing here imports Qt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MARGIN = 14.0
TITLE_HEIGHT = 34.0  # layer titles above the columns
LEGEND_HEIGHT = 80.0  # the colour scales under the diagram: a title and three lines
LABEL_WIDTH = 64.0  # output labels: the digit and its activation (more for class names)
MAX_SPACING = 52.0  # neurons of small layers stay this close, as in the video
MAX_RADIUS = 17.0
TILE_TARGET = 52.0  # a weight tile this large shows the 28x28 shape; staggering aims for it
MAX_TILE = 64.0
TILE_GAP = 3.0


@dataclass(frozen=True)
class DiagramLayout:
    """The static geometry of one architecture on one canvas size."""

    sizes: tuple[int, ...]
    width: float
    height: float
    image_rect: tuple[float, float, float, float]  # x, y, w, h of the input image
    image_side: int  # pixels per side of the input (28 for MNIST)
    tile_rects: np.ndarray  # (n_1, 4) x, y, w, h of each first-layer neuron's weight tile
    tile_columns: int
    centers: tuple[np.ndarray, ...]  # per layer k, (n_k, 2) neuron centres (pixels for k = 0)
    radii: tuple[float, ...]  # per layer k (half a pixel's side for k = 0)
    column_x: tuple[float, ...]  # per layer k, the x of its column (image centre for k = 0)
    legend_rect: tuple[float, float, float, float]
    label_width: float = LABEL_WIDTH  # room right of the output neurons for name and activation

    def segments(self, layer: int) -> np.ndarray:
        """Return the (n_out, n_in, 4) edges x0, y0, x1, y1 of weight layer ``layer`` >= 1."""
        src, dst = self.centers[layer], self.centers[layer + 1]
        r_src, r_dst = self.radii[layer], self.radii[layer + 1]
        seg = np.empty((len(dst), len(src), 4))
        seg[..., 0] = src[None, :, 0] + r_src
        seg[..., 1] = src[None, :, 1]
        seg[..., 2] = dst[:, None, 0] - r_dst
        seg[..., 3] = dst[:, None, 1]
        return seg


def _column(n: int, x: float, y_mid: float, spacing: float) -> np.ndarray:
    """Return n centres in a vertical column at x, ``spacing`` apart, centred on y_mid."""
    ys = y_mid + (np.arange(n) - (n - 1) / 2.0) * spacing
    return np.column_stack([np.full(n, x), ys])


def compute_layout(
    sizes: tuple[int, ...], width: float, height: float, label_width: float = LABEL_WIDTH
) -> DiagramLayout:
    """Return the diagram geometry for layer ``sizes`` (input first) on a width x height canvas.

    ``label_width`` is the room kept right of the output layer for each output's name and
    activation (a fifth of the width at most).
    """
    width = max(float(width), 320.0)
    height = max(float(height), 240.0)
    top = MARGIN + TITLE_HEIGHT
    bottom = height - MARGIN - LEGEND_HEIGHT
    avail = bottom - top
    y_mid = (top + bottom) / 2.0
    n_in = sizes[0]
    side = math.isqrt(n_in)
    rows, cols = (side, side) if side * side == n_in else (1, n_in)

    spacing = [min(avail / n, MAX_SPACING) for n in sizes[1:]]
    radii = [min(0.4 * s, MAX_RADIUS) for s in spacing]

    img = min(0.16 * width, 0.42 * avail, 28.0 * 7)
    img_w = img if rows == cols else min(0.3 * width, float(n_in))
    img_h = img if rows == cols else img_w / n_in
    image_rect = (MARGIN, y_mid - img_h / 2.0, img_w, img_h)

    # Stagger first-layer tiles over k columns so each tile can be about TILE_TARGET tall.
    s1, n1 = spacing[0], sizes[1]
    k = 1 if n1 == 1 else max(1, math.ceil((TILE_TARGET + TILE_GAP) / s1))
    k = min(k, n1, max(1, int(0.26 * width // (TILE_TARGET + TILE_GAP))))
    tile = max(min(k * s1 - TILE_GAP, MAX_TILE, 0.26 * width / k - TILE_GAP), 2.0)
    if n1 > 1 and (n1 - 1) * s1 + tile > avail:  # the end tiles must not reach the titles
        s1 = (avail - tile) / (n1 - 1)
        tile = max(min(tile, k * s1 - TILE_GAP), 2.0)
        spacing[0] = s1
        radii[0] = min(0.4 * s1, MAX_RADIUS)
    tiles_x0 = MARGIN + img_w + max(0.045 * width, 28.0)
    first = _column(n1, 0.0, y_mid, s1)
    tile_rects = np.empty((n1, 4))
    tile_rects[:, 0] = tiles_x0 + (np.arange(n1) % k) * (tile + TILE_GAP)
    tile_rects[:, 1] = first[:, 1] - tile / 2.0
    tile_rects[:, 2:] = tile
    tiles_x1 = tiles_x0 + k * (tile + TILE_GAP) - TILE_GAP

    x1 = tiles_x1 + radii[0] + max(10.0, 0.012 * width)
    label_width = min(max(float(label_width), LABEL_WIDTH), max(0.2 * width, LABEL_WIDTH))
    x_last = width - MARGIN - label_width - radii[-1]
    n_layers = len(sizes) - 1
    if n_layers > 1:
        xs = np.linspace(x1, max(x_last, x1 + 40.0 * (n_layers - 1)), n_layers)
    else:
        xs = np.array([x1])
    pixel = img_w / cols
    px, py = np.meshgrid(np.arange(cols), np.arange(rows))
    pixels = np.column_stack(
        [image_rect[0] + (px.ravel() + 0.5) * pixel, image_rect[1] + (py.ravel() + 0.5) * pixel]
    )
    centers = [pixels] + [_column(n, x, y_mid, s) for n, x, s in zip(sizes[1:], xs, spacing)]
    legend = (
        MARGIN,
        height - MARGIN - LEGEND_HEIGHT + 8.0,
        width - 2 * MARGIN,
        LEGEND_HEIGHT - 8.0,
    )
    return DiagramLayout(
        sizes=tuple(sizes),
        width=width,
        height=height,
        image_rect=image_rect,
        image_side=cols,
        tile_rects=tile_rects,
        tile_columns=k,
        centers=tuple(centers),
        radii=(pixel / 2.0, *radii),
        column_x=(image_rect[0] + img_w / 2.0, *(float(x) for x in xs)),
        legend_rect=legend,
        label_width=label_width,
    )
