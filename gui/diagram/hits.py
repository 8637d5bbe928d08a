"""What is under the mouse in the network diagram, and the hover text that names its numbers.

Plain functions of the layout, the snapshot and the example shown, so the view only asks.
"""

from __future__ import annotations

import numpy as np

from engine.session.snapshot import ExampleTrace, Snapshot, edge_values
from gui.diagram.labels import fmt
from gui.diagram.layout import DiagramLayout


def tile_at(layout: DiagramLayout, x: float, y: float) -> int | None:
    """Return the index of the first-layer weight tile under (x, y), or None."""
    t = layout.tile_rects
    inside = (t[:, 0] <= x) & (x < t[:, 0] + t[:, 2]) & (t[:, 1] <= y) & (y < t[:, 1] + t[:, 3])
    return int(np.flatnonzero(inside)[0]) if inside.any() else None


def pixel_at(
    layout: DiagramLayout, rect: tuple[float, float, float, float], x: float, y: float
) -> int | None:
    """Return the input pixel index under (x, y) in an image drawn in ``rect``, or None."""
    side = layout.image_side
    rows = side if side * side == layout.sizes[0] else 1
    rx, ry, w, h = rect
    if not (rx <= x < rx + w and ry <= y < ry + h):
        return None
    return int((y - ry) / h * rows) * side + int((x - rx) / w * side)


def neuron_at(layout: DiagramLayout, x: float, y: float) -> tuple[int, int] | None:
    """Return (layer, index) of the neuron, tile (its layer-1 neuron) or input pixel at (x, y)."""
    for k in range(1, len(layout.sizes)):
        c = layout.centers[k]
        d = np.hypot(c[:, 0] - x, c[:, 1] - y)
        i = int(np.argmin(d))
        if d[i] <= max(layout.radii[k] + 3.0, 5.0):
            return k, i
    tile = tile_at(layout, x, y)
    if tile is not None:
        return 1, tile
    pixel = pixel_at(layout, layout.image_rect, x, y)
    return None if pixel is None else (0, pixel)


def edge_at(
    layout: DiagramLayout,
    segments: list[np.ndarray | None],
    snapshot: Snapshot,
    mode: str,
    trace: ExampleTrace | None,
    x: float,
    y: float,
) -> tuple[int, int, int] | None:
    """Return (weight layer, target j, source i) of the top edge within a few pixels of (x, y).

    Weight layer 0 is input to first layer: its edges are the tiles' pixels. Where edges cross,
    the strongest in the current mode wins.
    """
    tile = tile_at(layout, x, y)
    if tile is not None:
        return 0, tile, pixel_at(layout, tuple(layout.tile_rects[tile]), x, y)
    for k in range(1, len(layout.sizes) - 1):
        if not layout.column_x[k] < x < layout.column_x[k + 1]:
            continue
        seg = segments[k]  # (n_out, n_in, 4)
        x0, y0, x1, y1 = (seg[..., c] for c in range(4))
        dx, dy = x1 - x0, y1 - y0
        u = np.clip(((x - x0) * dx + (y - y0) * dy) / np.maximum(dx * dx + dy * dy, 1e-9), 0, 1)
        dist = np.hypot(x0 + u * dx - x, y0 + u * dy - y)
        near = dist <= 3.5
        if not near.any():
            return None
        values = edge_values(snapshot, mode, k, trace)
        strength = np.zeros_like(dist) if values is None else np.abs(np.nan_to_num(values))
        score = np.where(near, strength - dist * 1e-6, -np.inf)
        j, i = np.unravel_index(int(np.argmax(score)), score.shape)
        return k, int(j), int(i)
    return None


def neuron_name(layout: DiagramLayout, layer: int, index: int) -> str:
    """Return a readable name such as 'hidden 2 neuron 5' or 'output 3'."""
    if layer == 0:
        side = layout.image_side
        return f"input pixel ({index // side}, {index % side})"
    if layer == len(layout.sizes) - 1:
        return f"output neuron {index} (digit {index})"
    return f"hidden {layer} neuron {index}"


def neuron_tip(
    layout: DiagramLayout, snapshot: Snapshot, trace: ExampleTrace | None, layer: int, index: int
) -> str:
    """Return a neuron's a, z, b, dC/da and delta for the example shown."""
    name = neuron_name(layout, layer, index)
    if layer == 0:
        a = None if trace is None else float(trace.activations[0][index])
        return f"{name}\na = {fmt(a)}"
    b = float(snapshot.biases[layer - 1][index])
    z = a = dc_da = delta = None
    if trace is not None:
        a = float(trace.activations[layer][index])
        z = float(trace.zs[layer - 1][index])
        dc_da = float(trace.dc_da[layer - 1][index])
        delta = float(trace.deltas[layer - 1][index])
    return "\n".join(
        [
            name,
            f"a = {fmt(a)}",
            f"z = {fmt(z)}",
            f"b = {fmt(b)}",
            f"dC/da = {fmt(dc_da)}",
            f"delta = dC/dz = {fmt(delta)}",
        ]
    )


def edge_tip(
    layout: DiagramLayout,
    snapshot: Snapshot,
    trace: ExampleTrace | None,
    layer: int,
    j: int,
    i: int,
) -> str:
    """Return an edge's w, dC/dw, update and Hebbian value with its source and target."""

    def value(mode: str) -> float | None:
        v = edge_values(snapshot, mode, layer, trace)
        return None if v is None else float(v[j, i])

    source = neuron_name(layout, layer, i)
    target = neuron_name(layout, layer + 1, j)
    return "\n".join(
        [
            f"{source} \u2192 {target}",
            f"w = {fmt(value('weight'))}",
            f"dC/dw = {fmt(value('gradient'))}  (last mini-batch)",
            f"update = {fmt(value('update'))}",
            f"wanted by this example: \u2212a_in \u00b7 delta_out = {fmt(value('hebbian'))}",
        ]
    )
