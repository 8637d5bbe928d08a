"""The network diagram's words: column titles, the legend's lines and where each one goes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF

from engine.core.costs import COSTS
from engine.session.snapshot import Snapshot
from gui.diagram.layout import DiagramLayout
from gui.diagram.scene import Scene

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


def mode_title(scene: Scene) -> str:
    """Return what the edges show in the scene's mode; the update as the trainer applied it.

    With momentum mu the step applied is the velocity v = mu * v - eta * dC/dw.
    """
    cfg = scene.train_config
    if scene.mode == "update" and cfg is not None and cfg.momentum > 0:
        return f"update v = {cfg.momentum:g}v \u2212 \u03b7 dC/dw (the step just applied)"
    return MODE_TITLES[scene.mode]


def decay_note(scene: Scene) -> list[str]:
    """Return, in update mode with L2 set, the legend line saying what L2 did besides the edges.

    L2 multiplied every weight by 1 - eta * lambda / n before the step was added; the edges show
    the step alone.
    """
    cfg = scene.train_config
    if scene.mode != "update" or cfg is None or cfg.l2 <= 0:
        return []
    factor = 1.0 - cfg.learning_rate * cfg.l2 / max(scene.n_train, 1)
    return [
        f"L2 also multiplied every w by 1 \u2212 \u03b7\u03bb/n = {factor:.6g} (not in the edges)"
    ]


def fmt(x: float | None) -> str:
    """Return a number with 3 significant digits, or an em dash when missing or not finite."""
    if x is None or not np.isfinite(x):
        return "\u2014"
    return f"{float(x):.3g}"


def output_activation_name(snapshot: Snapshot) -> str:
    """Return the name of the output layer's activation (sigmoid or softmax)."""
    return COSTS[snapshot.config.cost].output_activation.name


def ui_font(pixels: float, bold: bool = False) -> QFont:
    """Return the UI font at a pixel size."""
    font = QFont()
    font.setPixelSize(max(int(round(pixels)), 7))
    font.setBold(bold)
    return font


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
    return QFontMetricsF(ui_font(pixels, bold)).horizontalAdvance(text)


def _elide(text: str, pixels: int, bold: bool, width: float) -> str:
    """Return ``text`` shortened with an ellipsis to fit ``width`` pixels."""
    metrics = QFontMetricsF(ui_font(pixels, bold))
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
    title = _elide(f"edges and tiles: {mode_title(scene)} \u2014 {emphasis}", 12, True, w)
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
    key = decay_note(scene) + [
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
