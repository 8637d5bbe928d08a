"""Turns a snapshot into what the network diagram paints, and paints it with one QPainter.

Speed comes from three choices. Edges are quantised into ``LEVELS`` strengths x 2 signs and each
bucket is one ``drawLines`` call, weakest first so strong edges end on top. Every colour is
pre-blended with the background and drawn opaque: this Qt build blends translucent lines ten to
twenty times slower than it fills opaque spans, and opaque lines of width >= 1.5 take the fast
span-filling path. The 784 incoming weights of the first layer are one NumPy-built image atlas.
The same ``paint_scene`` draws the widget, the PNG and the SVG, so exports match the screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

from engine.costs import COSTS
from engine.snapshot import ExampleTrace, Snapshot, edge_values
from gui.colors import emphasise, palette, signed_image
from gui.diagram_layout import DiagramLayout

LEVELS = 16  # edge strengths; one drawLines per level and sign
MIN_WIDTH = 1.5  # thinner opaque lines take Qt's slow per-pixel path
AA_EDGE_LIMIT = 1200  # layers with fewer edges get antialiased strong edges
AA_FROM_LEVEL = 9

MODE_TITLES = {
    "weight": "weight w",
    "gradient": "gradient dC/dw (mean of the last mini-batch)",
    "update": "update -\u03b7 dC/dw (the step just applied)",
    "hebbian": "Hebbian: change this example wants, \u2212a_in\u00b7\u03b4_out (blue: grow)",
}
BIAS_TITLES = {
    "weight": "b",
    "gradient": "dC/db",
    "update": "\u0394b",
    "hebbian": "\u2212\u03b4 (wanted)",
}


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


def _buckets(
    values: np.ndarray, lines: list[QLineF], scale: float, power: float, max_width: float
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
            pen.setWidthF(MIN_WIDTH + (max_width - MIN_WIDTH) * strength)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
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
) -> Scene:
    """Return the frame for ``snapshot`` in edge ``mode``; ``trace`` gives fills and Hebbian.

    ``scales`` fixes each weight layer's full-colour |value| (default: from the values drawn).
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
        buckets.append(_buckets(values[k], lines[k], scales[k], power, widest))
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
    )


def fmt(x: float | None) -> str:
    """Return a number with 3 significant digits, or an em dash when missing or not finite."""
    if x is None or not np.isfinite(x):
        return "\u2014"
    return f"{float(x):.3g}"


def output_activation_name(snapshot: Snapshot) -> str:
    """Return the name of the output layer's activation (sigmoid or softmax)."""
    return COSTS[snapshot.config.cost].output_activation.name


def _font(pixels: float, bold: bool = False) -> QFont:
    """Return the UI font at a pixel size."""
    font = QFont()
    font.setPixelSize(max(int(round(pixels)), 7))
    font.setBold(bold)
    return font


def _paint_inputs(p: QPainter, layout: DiagramLayout, scene: Scene, vector: bool) -> None:
    """Paint the input image, the fan into the tiles, and the first layer's weight tiles.

    ``vector`` paints each tile from its own copy, so an SVG embeds 28x28 images, not the atlas.
    """
    x, y, w, h = layout.image_rect
    tiles = layout.tile_rects
    centers = layout.centers[1]
    p.setRenderHint(QPainter.RenderHint.Antialiasing, len(tiles) <= 32)  # few: smooth is cheap
    p.setPen(QPen(blend(palette().outline, 0.55), 1.0))
    for i, (tx, ty, tw, th) in enumerate(tiles.tolist()):
        p.drawLine(QPointF(x + w, y + h / 2), QPointF(tx, ty + th / 2))
        p.drawLine(QPointF(tx + tw, ty + th / 2), QPointF(*centers[i]))
    p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    target = QRectF(x, y, w, h)
    if scene.image is not None:
        p.drawImage(target, scene.image)
    else:
        p.fillRect(target, QColor(*palette().no_data))
    p.setPen(QPen(QColor(*palette().outline), 1.0))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(target)
    side = layout.image_side
    for i, (tx, ty, tw, th) in enumerate(tiles.tolist()):
        rect = QRectF(tx, ty, tw, th)
        if scene.tiles is not None and vector:
            p.drawImage(rect, scene.tiles.copy(i * side, 0, side, side))
        elif scene.tiles is not None:
            p.drawImage(rect, scene.tiles, QRectF(i * side, 0, side, side))
        else:
            p.fillRect(rect, QColor(*palette().no_data))
    if tiles[0, 2] >= 8:
        p.setPen(QPen(QColor(*palette().outline), 1.0))
        for tx, ty, tw, th in tiles.tolist():
            p.drawRect(QRectF(tx, ty, tw, th))


def _paint_neurons(p: QPainter, layout: DiagramLayout, scene: Scene) -> None:
    """Paint every neuron: fill by activation, a grey outline, and a bias-coloured ring."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    outline = QColor(*palette().outline)
    for k in range(1, len(layout.sizes)):
        r = layout.radii[k]
        ring = max(1.0, min(0.22 * r, 3.5))
        fills = scene.fills[k - 1].tolist()
        rings = scene.rings[k - 1].tolist()
        for (cx, cy), fill, bias in zip(layout.centers[k].tolist(), fills, rings):
            c = QPointF(cx, cy)
            if r < 4:  # a dot: one ellipse, its outline the bias ring
                p.setPen(QPen(QColor(*bias), ring))
                p.setBrush(QColor(*fill))
                p.drawEllipse(c, r + ring / 2, r + ring / 2)
                continue
            p.setPen(QPen(QColor(*bias), ring))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, r + ring / 2 + 0.5, r + ring / 2 + 0.5)
            p.setPen(QPen(outline, 1.0) if r >= 4 else Qt.PenStyle.NoPen)
            p.setBrush(QColor(*fill))
            p.drawEllipse(c, r, r)


@dataclass(frozen=True)
class TextBox:
    """One line of text the diagram paints outside the network: where, what and how."""

    rect: QRectF
    text: str
    pixels: int
    bold: bool = False
    dim: bool = False


HEADER_TOP = 14.0
HEADER_SIZES = (13, 12, 11, 10, 9)  # column titles shrink until no two overlap
LEGEND_SIZES = (11, 10, 9)  # the legend's smaller lines shrink until they fit its rectangle
GAP = 8.0  # the least space between two texts side by side


def _width(text: str, pixels: int, bold: bool = False) -> float:
    """Return the advance of ``text`` in the UI font at a pixel size."""
    return QFontMetricsF(_font(pixels, bold)).horizontalAdvance(text)


def _elide(text: str, pixels: int, bold: bool, width: float) -> str:
    """Return ``text`` shortened with an ellipsis to fit ``width`` pixels."""
    metrics = QFontMetricsF(_font(pixels, bold))
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(width, 0.0))


def _title_boxes(xs, titles, size: int, width: float, elide: bool) -> list[list[TextBox]]:
    """Place each column's title lines centred on its x, inside the canvas; per column a list."""
    columns = []
    for i, (x, title) in enumerate(zip(xs, titles)):
        left = 2.0 if i == 0 else (xs[i - 1] + x) / 2 + GAP / 2
        right = width - 2.0 if i == len(xs) - 1 else (x + xs[i + 1]) / 2 - GAP / 2
        boxes, top = [], HEADER_TOP
        for row, text in enumerate(title.split("\n")):
            pixels, bold = (size, True) if row == 0 else (max(size - 2, 8), False)
            if elide:
                text = _elide(text, pixels, bold, right - left - 2)
            w = _width(text, pixels, bold) + 2
            x0 = min(max(x - w / 2, 2.0), width - 2.0 - w)
            if elide:
                x0 = min(max(x0, left), right - w)
            boxes.append(TextBox(QRectF(x0, top, w, pixels + 3), text, pixels, bold, row > 0))
            top += pixels + 3
        columns.append(boxes)
    return columns


def _overlap(columns: list[list[TextBox]]) -> bool:
    """Return True if any text of one column comes within GAP of a text of another."""
    for i, a_boxes in enumerate(columns):
        for b_boxes in columns[i + 1 :]:
            for a in a_boxes:
                for b in b_boxes:
                    if a.rect.adjusted(-GAP / 2, 0, GAP / 2, 0).intersects(b.rect):
                        return True
    return False


def header_boxes(layout: DiagramLayout, titles: list[str]) -> list[TextBox]:
    """Return the column titles' lines, in the largest size at which no two columns' overlap.

    On a canvas too narrow even for the smallest size, each title is cut with an ellipsis to the
    space between its neighbours (its tooltip-free full text is in the README and the legend).
    """
    xs = [layout.image_rect[0] + layout.image_rect[2] / 2]
    tiles = layout.tile_rects
    xs.append((tiles[:, 0].min() + layout.column_x[1] + layout.radii[1]) / 2)
    xs += list(layout.column_x[2:])
    for size in HEADER_SIZES:
        columns = _title_boxes(xs, titles, size, layout.width, elide=False)
        if not _overlap(columns):
            break
    else:
        columns = _title_boxes(xs, titles, HEADER_SIZES[-1], layout.width, elide=True)
    return [box for boxes in columns for box in boxes]


def _paint_text(p: QPainter, boxes: list[TextBox], colour: QColor | None = None) -> None:
    """Paint text boxes, dim ones in the dim colour."""
    for box in boxes:
        p.setFont(_font(box.pixels, box.bold))
        p.setPen(colour or QColor(*(palette().dim if box.dim else palette().text)))
        p.drawText(box.rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, box.text)


def _paint_labels(p: QPainter, layout: DiagramLayout, scene: Scene, titles: list[str]) -> None:
    """Paint the column titles and the output digits with their activations."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    _paint_text(p, header_boxes(layout, titles))
    last = len(layout.sizes) - 1
    r = layout.radii[last]
    spacing = float(np.diff(layout.centers[last][:, 1]).min(initial=40.0))
    size = min(max(spacing * 0.55, 9.0), 18.0)
    best = None if scene.outputs is None else int(np.argmax(scene.outputs))
    for j, (cx, cy) in enumerate(layout.centers[last].tolist()):
        x = cx + r + 8
        mark = j == scene.label
        p.setFont(_font(size, bold=True))
        p.setPen(QColor(*(palette().highlight if mark else palette().text)))
        p.drawText(QRectF(x, cy - size, size, 2 * size), Qt.AlignmentFlag.AlignVCenter, str(j))
        if scene.outputs is not None:
            p.setFont(_font(size * 0.72, bold=j == best))
            p.setPen(QColor(*(palette().text if j == best else palette().dim)))
            rect = QRectF(x + size * 0.9, cy - size, 60, 2 * size)
            p.drawText(rect, Qt.AlignmentFlag.AlignVCenter, f"{scene.outputs[j]:.2f}")


def _flow(
    paragraphs: list[list[str]], first: float, rect: QRectF, pixels: int, partial: bool = False
) -> list[TextBox] | None:
    """Lay out chunks left to right, wrapping within rect; each paragraph starts a new line.

    The first line starts at x = ``first``. Returns None if the text needs more lines than the
    rectangle holds, or with ``partial`` the chunks that fit, each cut to the width.
    """
    line = pixels + 4
    boxes, x, top = [], first, rect.top()
    for n, chunks in enumerate(paragraphs):
        if n:
            x, top = rect.left(), top + line
        for chunk in chunks:
            if partial:
                chunk = _elide(chunk, pixels, False, rect.width() - 2)
            w = _width(chunk, pixels) + 2
            if x > rect.left() and x + w > rect.right():
                x, top = rect.left(), top + line
            if top + line > rect.bottom() + 0.5 or w > rect.width():
                return boxes if partial else None
            boxes.append(TextBox(QRectF(x, top, w, line), chunk, pixels, dim=True))
            x += w + 3 * GAP
    return boxes


def legend_boxes(layout: DiagramLayout, scene: Scene) -> tuple[list[TextBox], QRectF]:
    """Return the legend's text lines and its colour bar, all inside the legend rectangle.

    The scale and the key wrap onto further lines, in a smaller size if need be, rather than
    run past the edge of the diagram.
    """
    x, y, w, h = layout.legend_rect
    emphasis = "linear" if scene.power == 1 else f"emphasised (|v|/max)^{scene.power:g}"
    title = _elide(f"edges and tiles: {MODE_TITLES[scene.mode]} \u2014 {emphasis}", 12, True, w)
    boxes = [TextBox(QRectF(x, y, _width(title, 12, True) + 2, 16), title, 12, bold=True)]
    top = "max" if scene.per_layer else fmt(scene.scales[0])
    bar = QRectF(x + 44, y + 20, min(240.0, 0.25 * w), 12)
    if scene.missing:
        scale = [scene.missing]
    elif scene.per_layer:
        names = [f"hidden {k}" for k in range(1, len(scene.scales))] + ["output"]
        scale = ["full colour = each layer's max:"]
        scale += [f"into {name} \u00b1{fmt(s)}" for name, s in zip(names, scene.scales)]
    else:
        scale = ["one scale for every layer"]
    key = [
        f"ring round a neuron: its {BIAS_TITLES[scene.mode]} (same colours)",
        f"fill: {scene.fill_note}",
        "edges under 1/16 of full colour are not drawn: hover for every value",
    ]
    area = QRectF(x, bar.top() - 2, w, y + h - bar.top() + 2)
    for pixels in LEGEND_SIZES:
        first = bar.right() + 4 + _width(f"+{top}", pixels) + 2 * GAP
        flowed = _flow([scale, key], first, area, pixels)
        if flowed is not None:
            return boxes + flowed, bar
    first = bar.right() + 4 + _width(f"+{top}", LEGEND_SIZES[-1]) + 2 * GAP
    return boxes + _flow([scale, key], first, area, LEGEND_SIZES[-1], partial=True), bar


def _paint_legend(p: QPainter, layout: DiagramLayout, scene: Scene) -> None:
    """Paint the edge colour scale with its numbers, the activation scale and the ring key."""
    boxes, bar = legend_boxes(layout, scene)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    grad = QLinearGradient(bar.topLeft(), bar.topRight())
    grad.setColorAt(0.0, QColor(*palette().negative))
    grad.setColorAt(0.5, QColor(*palette().background))
    grad.setColorAt(1.0, QColor(*palette().positive))
    p.fillRect(bar, grad)
    p.setPen(QPen(QColor(*palette().outline), 1.0))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(bar)
    p.drawLine(QPointF(bar.center().x(), bar.top()), QPointF(bar.center().x(), bar.bottom()))
    pixels = boxes[-1].pixels if len(boxes) > 1 else LEGEND_SIZES[0]
    p.setFont(_font(pixels))
    p.setPen(QColor(*palette().dim))
    top = "max" if scene.per_layer else fmt(scene.scales[0])
    row = QRectF(bar.left() - 44, bar.top() - 2, 40, bar.height() + 4)
    p.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"\u2212{top}")
    row = QRectF(bar.right() + 4, bar.top() - 2, 60, bar.height() + 4)
    p.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"+{top}")
    _paint_text(p, boxes)


def titles(sizes: tuple[int, ...], scene: Scene | None) -> list[str]:
    """Return the column titles: input, tiles, each layer; a second line is a dimmer note."""
    side = int(round(np.sqrt(sizes[0])))
    out = [f"input ({sizes[0]} = {side}\u00d7{side})\nthe current example"]
    first = "hidden 1" if len(sizes) > 2 else "output"
    out.append(f"{first} ({sizes[1]})\ntiles: what each neuron looks for")
    out += [f"hidden {k} ({n})" for k, n in enumerate(sizes[2:-1], start=2)]
    last = f"output ({sizes[-1]})"
    if scene is not None and scene.outputs is not None:
        guess = f"guess {int(np.argmax(scene.outputs))}"
        last += f"\n{guess}" if scene.label is None else f"\nlabel {scene.label} \u00b7 {guess}"
    return out + [last] if len(sizes) > 2 else out


def paint_scene(
    p: QPainter,
    layout: DiagramLayout,
    scene: Scene | None,
    highlights: list[tuple[int, int, tuple[int, int, int]]],
    vector: bool = False,
) -> None:
    """Paint the whole diagram; ``highlights`` are (layer, neuron, colour) outlines.

    ``vector`` draws each edge bucket as one path, which keeps an SVG file small.
    """
    p.fillRect(QRectF(0, 0, layout.width, layout.height), QColor(*palette().background))
    if scene is None:
        p.setPen(QColor(*palette().dim))
        p.setFont(_font(15))
        rect = QRectF(0, 0, layout.width, layout.height)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No network yet")
        return
    _paint_inputs(p, layout, scene, vector)
    for layer_buckets in scene.buckets:
        for pen, lines, antialias in layer_buckets:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, antialias)
            p.setPen(pen)
            if vector:
                path = QPainterPath()
                for line in lines:
                    path.moveTo(line.p1())
                    path.lineTo(line.p2())
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPath(path)
            else:
                p.drawLines(lines)
    _paint_neurons(p, layout, scene)
    _paint_labels(p, layout, scene, titles(layout.sizes, scene))
    _paint_legend(p, layout, scene)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setBrush(Qt.BrushStyle.NoBrush)
    for layer, index, colour in highlights:
        if not (0 < layer < len(layout.sizes) and 0 <= index < layout.sizes[layer]):
            continue
        r = layout.radii[layer]
        p.setPen(QPen(QColor(*colour), 2.0))
        cx, cy = layout.centers[layer][index]
        p.drawEllipse(QPointF(cx, cy), r + 5, r + 5)
        if layer == 1:
            p.drawRect(QRectF(*layout.tile_rects[index]).adjusted(-2, -2, 2, 2))
