"""Turns a snapshot into what the network diagram paints (``diagram_paint`` paints it).

Speed comes from three choices. Edges are quantised into ``LEVELS`` strengths x 2 signs and each
bucket is one ``drawLines`` call, weakest first so strong edges end on top. Every colour is
pre-blended with the background and drawn opaque: this Qt build blends translucent lines ten to
twenty times slower than it fills opaque spans, and opaque lines of width >= 1.5 take the fast
span-filling path. The 784 incoming weights of the first layer are one NumPy-built image atlas.
One ``diagram_paint.paint_scene`` draws the widget, the PNG and the SVG: exports match the screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
from PySide6.QtCore import QLineF, Qt
from PySide6.QtGui import QColor, QImage, QPen

from engine.core.training import TrainConfig
from engine.session.snapshot import ExampleTrace, Snapshot, edge_values
from gui.colors import emphasise, palette, signed_image
from gui.diagram.layout import DiagramLayout

LEVELS = 16  # edge strengths; one drawLines per level and sign
MIN_WIDTH = 1.5  # thinner opaque lines take Qt's slow per-pixel path
AA_EDGE_LIMIT = 1200  # layers with fewer edges get antialiased strong edges
AA_FROM_LEVEL = 9


def finite(values: np.ndarray) -> np.ndarray:
    """Return values as float32 with NaN and infinities replaced by 0, so no NaN reaches a pen."""
    return np.nan_to_num(np.asarray(values, np.float32), nan=0.0, posinf=0.0, neginf=0.0)


def max_abs(values: np.ndarray | None) -> float:
    """Return the largest finite |value|, or 0 when there is none."""
    if values is None or np.size(values) == 0:
        return 0.0
    return float(np.max(np.abs(finite(values))))


def blend(rgb: tuple[int, int, int], t: float) -> QColor:
    """Return the opaque colour a fraction t of the way from the background to ``rgb``."""
    t = min(max(float(t), 0.0), 1.0)
    return QColor(*(round(b + (c - b) * t) for b, c in zip(palette().background, rgb)))


def edge_lines(layout: DiagramLayout) -> list[list[QLineF] | None]:
    """Return, per weight layer, its edges as QLineF in (n_out, n_in) order (None for layer 0)."""
    out: list[list[QLineF] | None] = [None]
    for layer in range(1, len(layout.sizes) - 1):
        seg = layout.segments(layer).reshape(-1, 4).tolist()
        out.append([QLineF(*s) for s in seg])
    return out


@dataclass
class Scene:
    """Everything one frame paints, built from a snapshot and the view settings."""

    mode: str
    power: float
    per_layer: bool
    scales: list[float]  # per weight layer, the |value| drawn at full strength
    bias_scales: list[float]
    buckets: list[list[tuple[QPen, list[QLineF], bool]]]  # per weight layer: pen, lines, AA
    tiles: QImage | None  # (28, n_1 * 28) atlas, one tile per first-layer neuron
    image: QImage | None  # the current example's 28x28 input
    fills: list[np.ndarray]  # per layer k >= 1, (n_k, 3) uint8 neuron fills
    rings: list[np.ndarray]  # per layer k >= 1, (n_k, 3) uint8 bias ring colours
    outputs: np.ndarray | None
    label: int | None
    fill_note: str
    missing: str = ""  # why a mode shows nothing yet
    keep: list[np.ndarray] = field(default_factory=list)  # buffers the QImages point into
    train_config: TrainConfig | None = None  # the settings of the step the update mode shows
    n_train: int = 0  # the training set's size n, for L2's factor 1 - eta * lambda / n
    class_names: tuple[str, ...] = ()  # what each output stands for (empty: its number)
    thickness: float = 1.0  # edges, rings and outlines drawn this many times their width


def _qimage(rgba: np.ndarray, keep: list[np.ndarray]) -> QImage:
    """Return an opaque QImage viewing a contiguous (h, w, 4) uint8 buffer, kept alive in keep."""
    rgba = np.ascontiguousarray(rgba)
    keep.append(rgba)
    h, w = rgba.shape[:2]
    return QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBX8888)


def _fills(snapshot: Snapshot, trace: ExampleTrace | None) -> tuple[list[np.ndarray], str]:
    """Return each layer's neuron fill colours for the trace's activations, and the scale note."""
    sizes = snapshot.sizes
    act = snapshot.config.activation
    note = {
        "sigmoid": "activation a: black 0 \u2192 white 1",
        "tanh": "activation a: red -1 \u2192 black 0 \u2192 blue 1 (output: black 0 \u2192 1)",
        "relu": "activation a: black 0 \u2192 white = layer max (output: 0 \u2192 1)",
    }[act]
    fills = []
    for k in range(1, len(sizes)):
        if trace is None:
            fills.append(np.tile(np.array(palette().no_data, np.uint8), (sizes[k], 1)))
            continue
        a = finite(trace.activations[k])
        if k == len(sizes) - 1 or act == "sigmoid":
            g = np.rint(np.clip(a, 0, 1) * 255).astype(np.uint8)
            fills.append(np.repeat(g[:, None], 3, axis=1))
        elif act == "relu":
            top = max(float(a.max()), 1e-12)
            g = np.rint(np.clip(a / top, 0, 1) * 255).astype(np.uint8)
            fills.append(np.repeat(g[:, None], 3, axis=1))
        else:
            t = np.clip(a, -1, 1)[:, None]
            rgb = np.where(
                t >= 0, t * np.array(palette().positive), -t * np.array(palette().negative)
            )
            fills.append(np.rint(rgb).astype(np.uint8))
    return fills, note


def _signed_rgb(values: np.ndarray, scale: float, power: float) -> np.ndarray:
    """Return (n, 3) uint8 opaque colours, background to blue or red by value / scale."""
    return signed_image(finite(values)[None, :], scale, power)[0, :, :3]


def _bias_values(snapshot: Snapshot, trace: ExampleTrace | None, mode: str) -> list | None:
    """Return each layer's bias counterpart of the edge mode (b, dC/db, the step, or -delta)."""
    if mode == "weight":
        return list(snapshot.biases)
    if mode == "gradient":
        return None if snapshot.grad_b is None else list(snapshot.grad_b)
    if mode == "update":
        return None if snapshot.step_b is None else list(snapshot.step_b)
    if trace is None or trace.label is None:
        return None  # no label, no desired output: nothing to propagate back
    return [trace.wanted_bias_change(k) for k in range(len(trace.deltas))]  # -BP3


def _scales(values: list, per_layer: bool) -> list[float]:
    """Return the full-strength |value| per layer: its own maximum, or the maximum of all."""
    own = [max_abs(v) for v in values]
    both = [s if per_layer else max(own, default=0.0) for s in own]
    return [s if s > 0 else 1.0 for s in both]


NEGATIVE_DASHES = [3.0, 2.0]  # in pen widths: a negative edge's dash and gap


def sign_note() -> list[str]:
    """Return the legend's line on the second cue for sign, when negatives are dashed."""
    p = palette()
    if not p.sign_marks:
        return []
    return [f"dashed edge: negative ({p.negative_word}); solid: positive ({p.positive_word})"]


def _buckets(
    values: np.ndarray,
    lines: list[QLineF],
    scale: float,
    power: float,
    max_width: float,
    thickness: float = 1.0,
) -> list[tuple[QPen, list[QLineF], bool]]:
    """Return one (pen, lines, antialias) per strength level and sign, weakest first."""
    t = emphasise(finite(values).ravel(), scale, power)
    level = np.minimum((np.abs(t) * LEVELS).astype(np.intp), LEVELS - 1)
    key = 2 * level + (t < 0)
    order = np.argsort(key, kind="stable")
    counts = np.bincount(key, minlength=2 * LEVELS)
    antialias = len(lines) <= AA_EDGE_LIMIT
    out = []
    start = 0
    for k, count in enumerate(counts.tolist()):
        lvl, negative = divmod(k, 2)
        if count and lvl > 0:  # level 0 would be drawn within 3% of the background colour
            strength = (lvl + 0.5) / LEVELS
            pen = QPen(blend(palette().negative if negative else palette().positive, strength))
            pen.setWidthF(thickness * (MIN_WIDTH + (max_width - MIN_WIDTH) * strength))
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if negative and palette().sign_marks:  # a second cue beside colour: dashed is negative
                pen.setDashPattern(NEGATIVE_DASHES)
            picked = order[start : start + count].tolist()
            chosen = list(itemgetter(*picked)(lines)) if count > 1 else [lines[picked[0]]]
            out.append((pen, chosen, antialias and lvl >= AA_FROM_LEVEL))
        start += count
    return out


def build_scene(
    snapshot: Snapshot,
    trace: ExampleTrace | None,
    mode: str,
    per_layer: bool,
    power: float,
    layout: DiagramLayout,
    lines: list[list[QLineF] | None],
    scales: list[float] | None = None,
    thickness: float = 1.0,
) -> Scene:
    """Return the frame for ``snapshot`` in edge ``mode``; ``trace`` gives fills and Hebbian.

    ``scales`` fixes each weight layer's full-colour |value| (default: from the values drawn);
    ``thickness`` multiplies every edge's width (a projector washes out thin lines).
    """
    trace = trace if trace is not None else snapshot.example
    n_layers = len(snapshot.sizes) - 1
    values = [edge_values(snapshot, mode, k, trace) for k in range(n_layers)]
    have = values[0] is not None
    if scales is not None:
        scales = list(scales)
    elif have:
        scales = _scales(values, per_layer)
    else:
        scales = [1.0] * n_layers
    biases = _bias_values(snapshot, trace, mode)
    bias_scales = _scales(biases, per_layer) if biases is not None else [1.0] * n_layers
    keep: list[np.ndarray] = []
    buckets: list[list[tuple[QPen, list[QLineF], bool]]] = [[]]
    for k in range(1, n_layers):
        if not have:
            buckets.append([])
            continue
        spacing = min(np.diff(layout.centers[c][:, 1]).min(initial=60.0) for c in (k, k + 1))
        widest = float(np.clip(0.16 * spacing, MIN_WIDTH + 0.3, 4.0))
        buckets.append(_buckets(values[k], lines[k], scales[k], power, widest, thickness))
    tiles = None
    side = layout.image_side
    if have and side * side == snapshot.sizes[0]:
        v = finite(values[0]).reshape(-1, side, side)  # (n_1, 28, 28)
        atlas = v.transpose(1, 0, 2).reshape(side, -1)  # tiles side by side: (28, n_1 * 28)
        tiles = _qimage(signed_image(atlas, scales[0], power), keep)
    image = None
    if trace is not None and side * side == snapshot.sizes[0]:
        pixels = np.asarray(trace.image, np.float32).reshape(side, side)
        gray = pixels if trace.image.dtype == np.uint8 else finite(pixels) * 255.0
        g = np.clip(np.rint(gray), 0, 255).astype(np.uint8)
        rgba = np.repeat(g[..., None], 4, axis=2)
        rgba[..., 3] = 255  # RGBX requires an opaque fourth byte; painting into a file reads it
        image = _qimage(rgba, keep)
    fills, note = _fills(snapshot, trace)
    rings = [
        np.tile(np.array(palette().background, np.uint8), (n, 1))
        if biases is None
        else _signed_rgb(biases[k - 1], bias_scales[k - 1], power)
        for k, n in enumerate(snapshot.sizes[1:], start=1)
    ]
    missing = ""
    if not have:
        missing = f"no {mode} yet: it appears after the first mini-batch"
        if mode == "hebbian":
            missing = "no example yet: take a step or draw a digit"
            if trace is not None and trace.label is None:
                missing = "no label: pick 'It is a' under Teach it for what this drawing wants"
    return Scene(
        mode=mode,
        power=power,
        per_layer=per_layer,
        scales=scales,
        bias_scales=bias_scales,
        buckets=buckets,
        tiles=tiles,
        image=image,
        fills=fills,
        rings=rings,
        outputs=None if trace is None else finite(trace.outputs),
        label=None if trace is None else trace.label,
        fill_note=note,
        missing=missing,
        keep=keep,
        train_config=snapshot.train_config,
        n_train=snapshot.n_train,
        thickness=thickness,
    )
