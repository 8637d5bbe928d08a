"""Paints a diagram scene with one QPainter: the widget, the PNG and the SVG alike."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QLinearGradient, QPainter, QPainterPath, QPen

from gui.class_labels import are_digits, fitted, names_for, widest
from gui.colors import palette
from gui.diagram.labels import (
    LEGEND_SIZES,
    TextBox,
    fmt,
    header_boxes,
    legend_boxes,
    titles,
    ui_font,
)
from gui.diagram.layout import LABEL_WIDTH, MARGIN, DiagramLayout
from gui.diagram.scene import NEGATIVE_DASHES, Scene, blend


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
        ring = max(1.0, min(0.22 * r, 3.5)) * scene.thickness
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
            p.setPen(QPen(outline, scene.thickness) if r >= 4 else Qt.PenStyle.NoPen)
            p.setBrush(QColor(*fill))
            p.drawEllipse(c, r, r)


def _paint_text(p: QPainter, boxes: list[TextBox], colour: QColor | None = None) -> None:
    """Paint text boxes, dim ones in the dim colour."""
    for box in boxes:
        p.setFont(ui_font(box.pixels, box.bold))
        p.setPen(colour or QColor(*(palette().dim if box.dim else palette().text)))
        p.drawText(box.rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, box.text)


def output_label_size(layout: DiagramLayout) -> float:
    """Return the pixel size of the output digits beside the output neurons."""
    spacing = float(np.diff(layout.centers[-1][:, 1]).min(initial=40.0))
    return min(max(spacing * 0.55, 9.0), 18.0)


NAME_SIZE = 13.0  # names beside the outputs are at most this many pixels tall (digits: 18)


def output_labels_right(layout: DiagramLayout) -> float:
    """Return the x where the output names and their activations ("7 0.93") end."""
    size = output_label_size(layout)
    x = float(layout.centers[-1][:, 0].max()) + layout.radii[-1] + 8
    if layout.label_width > LABEL_WIDTH:  # names: the room kept for them
        return x + layout.label_width - 8
    return x + size * 0.9 + QFontMetricsF(ui_font(size * 0.72, bold=True)).horizontalAdvance("0.00")


def output_names(layout: DiagramLayout, scene: Scene) -> list[str]:
    """Return the name painted beside each output neuron, cut to the room there is for it."""
    n = layout.sizes[-1]
    names = names_for(scene.class_names or None, n)
    if are_digits(names):
        return list(names)
    size = min(output_label_size(layout), NAME_SIZE)
    value = QFontMetricsF(ui_font(size * 0.72, bold=True)).horizontalAdvance(" 0.00")
    room = layout.label_width - 8 - MARGIN / 2 - value
    return [fitted(name, ui_font(size, bold=True), room) for name in names]


def name_room(names: tuple[str, ...], height: float) -> float:
    """Return the label width the layout should keep for these output names and activations."""
    if not names or are_digits(names):
        return LABEL_WIDTH
    spacing = min(max(height - 150.0, 100.0) / len(names), 52.0)  # the layout's, roughly
    size = min(max(spacing * 0.55, 9.0), NAME_SIZE)
    value = QFontMetricsF(ui_font(size * 0.72, bold=True)).horizontalAdvance(" 0.00")
    return widest(names, ui_font(size, bold=True)) + value + 8 + MARGIN / 2 + 4


def _paint_labels(p: QPainter, layout: DiagramLayout, scene: Scene, titles: list[str]) -> None:
    """Paint the column titles and the output names with their activations."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    _paint_text(p, header_boxes(layout, titles))
    last = len(layout.sizes) - 1
    r = layout.radii[last]
    size = output_label_size(layout)
    best = None if scene.outputs is None else int(np.argmax(scene.outputs))
    names = output_names(layout, scene)
    digits = layout.label_width <= LABEL_WIDTH
    if not digits:
        size = min(size, NAME_SIZE)
    for j, (cx, cy) in enumerate(layout.centers[last].tolist()):
        x = cx + r + 8
        mark = j == scene.label
        font = ui_font(size, bold=True)
        p.setFont(font)
        p.setPen(QColor(*(palette().highlight if mark else palette().text)))
        width = size if digits else QFontMetricsF(font).horizontalAdvance(names[j]) + 2
        p.drawText(QRectF(x, cy - size, width, 2 * size), Qt.AlignmentFlag.AlignVCenter, names[j])
        if scene.outputs is not None:
            p.setFont(ui_font(size * 0.72, bold=j == best))
            p.setPen(QColor(*(palette().text if j == best else palette().dim)))
            rect = QRectF(x + (size * 0.9 if digits else width + 4), cy - size, 60, 2 * size)
            p.drawText(rect, Qt.AlignmentFlag.AlignVCenter, f"{scene.outputs[j]:.2f}")


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
    if palette().sign_marks:  # the negative half carries the dashes its edges carry
        dashed = QPen(QColor(*palette().text), 2.0)
        dashed.setDashPattern(NEGATIVE_DASHES)
        dashed.setCapStyle(Qt.PenCapStyle.FlatCap)
        p.setPen(dashed)
        middle = bar.center().y()
        p.drawLine(QPointF(bar.left() + 2, middle), QPointF(bar.center().x() - 2, middle))
        p.setPen(QPen(QColor(*palette().outline), 1.0))
    pixels = boxes[-1].pixels if len(boxes) > 1 else LEGEND_SIZES[0]
    p.setFont(ui_font(pixels))
    p.setPen(QColor(*palette().dim))
    top = "max" if scene.per_layer else fmt(scene.scales[0])
    row = QRectF(bar.left() - 44, bar.top() - 2, 40, bar.height() + 4)
    p.drawText(row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"\u2212{top}")
    row = QRectF(bar.right() + 4, bar.top() - 2, 60, bar.height() + 4)
    p.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"+{top}")
    _paint_text(p, boxes)


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
        p.setFont(ui_font(15))
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
        p.setPen(QPen(QColor(*colour), 2.0 * scene.thickness))
        cx, cy = layout.centers[layer][index]
        p.drawEllipse(QPointF(cx, cy), r + 5, r + 5)
        if layer == 1:
            p.drawRect(QRectF(*layout.tile_rects[index]).adjusted(-2, -2, 2, 2))
