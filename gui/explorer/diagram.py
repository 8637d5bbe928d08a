"""The explorer's compact layer diagram: neurons by activation, nudge arrows and a few edges."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from gui.class_labels import fitted, widest
from gui.colors import activation_gray, palette, qcolor
from gui.explorer.state import ExplorerState

MAX_RADIUS = 11.0
LABEL_WIDTH = 64  # room right of the output layer for digit labels (more for class names)
ARROW_WIDTH = 46  # and for the nudge arrows
CAPTION = 34  # two lines of legend at the bottom
EDGES_SHOWN = 40  # at most this many edges into one neuron are drawn


class LayerDiagram(QWidget):
    """Draws the network's layers as columns: the input as its image, neurons filled by activation.

    Overlays set by the explorer's steps: how many layers are computed so far, signed values on
    neurons (a desired nudge, blue up, red down), arrows beside the output neurons, and a short
    list of coloured edges. Clicking a neuron emits ``neuron_clicked``.
    """

    neuron_clicked = Signal(int, int)  # layer, index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explorer_diagram")
        self.setMinimumSize(260, 120)
        self.sizes: tuple[int, ...] = ()
        self.activations: list[np.ndarray] = []
        self.image: QImage | None = None
        self.revealed = 0
        self.label = -1
        self.names: tuple[str, ...] = ()  # the outputs' class names (empty: their digits)
        self.neuron_values: dict[int, np.ndarray] = {}
        self.arrows: np.ndarray | None = None
        self.edges: list[tuple[int, int, int, float]] = []
        self.selected: tuple[int, int] | None = None
        self.caption = ""

    def set_names(self, names: tuple[str, ...]) -> None:
        """Label the output neurons by the data's class names (empty: by their digits)."""
        self.names = tuple(names)
        self.update()

    def _label_font(self) -> QFont:
        """Return the font of the output labels, sized to the output neurons' spacing."""
        font = QFont(self.font())
        last = len(self.sizes) - 1
        font.setPointSizeF(max(7.0, min(10.0, self._spacing(self.sizes[last]) * 0.45)))
        return font

    def label_width(self) -> float:
        """Return the room right of the output layer: digits' 64 pixels, more for long names
        (a fifth of the width at most)."""
        if not self.names or not len(self.sizes):
            return LABEL_WIDTH
        metrics = QFontMetricsF(self._label_font())
        need = widest(self.names, self._label_font()) + metrics.horizontalAdvance("  0.00") + 4
        return max(float(LABEL_WIDTH), min(need, 0.2 * self.width()))

    def output_label(self, j: int) -> str:
        """Return the name written beside output neuron j, cut to the room there is."""
        name = self.names[j] if j < len(self.names) else str(j)
        font = self._label_font()
        room = self.label_width() - QFontMetricsF(font).horizontalAdvance("  0.00") - 2
        return fitted(name, font, room)

    def set_state(self, sizes, activations, image: np.ndarray, label: int) -> None:
        """Show a network's layer sizes, one example's activations, its image and its label."""
        self.sizes = tuple(sizes)
        self.activations = [np.asarray(a) for a in activations]
        self.revealed = len(self.sizes) - 1
        self.label = int(label)
        pixels = np.asarray(image, np.float32)
        gray = pixels if np.asarray(image).dtype == np.uint8 else pixels * 255
        gray = np.ascontiguousarray(np.clip(gray, 0, 255).astype(np.uint8).reshape(28, 28))
        self.image = QImage(gray.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
        self.clear_overlays()

    def clear_overlays(self) -> None:
        """Remove neuron values, arrows, edges and the caption."""
        self.neuron_values = {}
        self.arrows = None
        self.edges = []
        self.caption = ""
        self.update()

    def set_revealed(self, layers: int) -> None:
        """Show activations up to neuron layer ``layers``; later layers are drawn empty."""
        self.revealed = int(layers)
        self.update()

    def set_neuron_values(self, values: dict[int, np.ndarray]) -> None:
        """Colour neurons of the given layers by signed values instead of their activation."""
        self.neuron_values = {k: np.asarray(v, np.float64) for k, v in values.items()}
        self.update()

    def set_arrows(self, values: np.ndarray | None) -> None:
        """Draw an arrow beside each output neuron, up for positive values, down for negative."""
        self.arrows = None if values is None else np.asarray(values, np.float64)
        self.update()

    def set_edges(self, edges: list[tuple[int, int, int, float]]) -> None:
        """Draw edges (weight layer, out, in, value), coloured by sign and weighted by size."""
        self.edges = list(edges)
        self.update()

    def set_selected(self, layer: int | None, index: int = 0) -> None:
        """Ring one neuron in the highlight colour (None: no selection)."""
        self.selected = None if layer is None else (int(layer), int(index))
        self.update()

    def set_caption(self, text: str) -> None:
        """Show a one-line legend under the diagram."""
        self.caption = text
        self.update()

    def _columns(self) -> list[float]:
        """Return the x centre of every layer's column."""
        n = len(self.sizes)
        left = 12 + self._image_side() / 2
        right = self.width() - self.label_width() - ARROW_WIDTH
        return [left + (right - left) * k / (n - 1) for k in range(n)]

    def _image_side(self) -> float:
        """Return the side of the input image's square, narrower than the gap between columns."""
        gap = (self.width() - self.label_width() - ARROW_WIDTH - 12) / max(len(self.sizes) - 0.5, 1)
        return max(28.0, min(self.width() * 0.2, self.height() * 0.4, 150.0, 0.8 * gap))

    def _spacing(self, n: int) -> float:
        """Return the vertical distance between neurons of a layer of n."""
        return min((self.height() - CAPTION - 24) / n, 3.2 * MAX_RADIUS)

    def position(self, layer: int, index: int) -> QPointF:
        """Return the centre of a neuron, or of its pixel for the input layer."""
        x = self._columns()[layer]
        mid = (self.height() - CAPTION) / 2
        if layer == 0 and self.sizes[0] == 784:
            side = self._image_side()
            row, col = divmod(index, 28)
            return QPointF(
                x - side / 2 + (col + 0.5) * side / 28, mid - side / 2 + (row + 0.5) * side / 28
            )
        n = self.sizes[layer]
        step = self._spacing(n)
        return QPointF(x, mid - n * step / 2 + (index + 0.5) * step)

    def _radius(self, layer: int) -> float:
        """Return the neuron radius of a layer."""
        return max(1.0, min(MAX_RADIUS, self._spacing(self.sizes[layer]) * 0.4))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Draw the layers, overlays and labels."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), qcolor(palette().background))
        if not self.sizes:
            return
        self._paint_edges(p)
        for layer in range(len(self.sizes)):
            if layer == 0 and self.sizes[0] == 784:
                self._paint_image(p)
            else:
                self._paint_layer(p, layer)
        self._paint_outputs(p)
        if self.caption:
            p.setPen(qcolor(palette().text, 200))
            flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
            p.drawText(
                QRectF(6, self.height() - CAPTION, self.width() - 12, CAPTION), flags, self.caption
            )
        p.end()

    def _paint_image(self, p: QPainter) -> None:
        """Draw the input image with a frame."""
        side = self._image_side()
        c = self.position(0, 0)
        top_left = QPointF(c.x() - side / 56, c.y() - side / 56)
        rect = QRectF(top_left.x(), top_left.y(), side, side)
        if self.image is not None:
            p.drawImage(rect, self.image)
        p.setPen(QPen(qcolor(palette().text, 90), 1))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)

    def _paint_layer(self, p: QPainter, layer: int) -> None:
        """Draw one column of neurons."""
        r = self._radius(layer)
        values = self.neuron_values.get(layer)
        scale = float(np.abs(values).max()) if values is not None and values.size else 0.0
        gray = activation_gray(self.activations[layer]) if layer <= self.revealed else None
        for i in range(self.sizes[layer]):
            c = self.position(layer, i)
            if values is not None:
                t = float(values[i]) / scale if scale > 0 else 0.0
                rgb = palette().positive if t >= 0 else palette().negative
                fill = qcolor(rgb, int(40 + 215 * min(abs(t), 1.0)))
            elif gray is not None:
                g = int(gray[i])
                fill = QColor(g, g, g)
            else:
                fill = qcolor(palette().background)
            p.setBrush(fill)
            selected = self.selected == (layer, i)
            p.setPen(
                QPen(
                    qcolor(palette().highlight) if selected else qcolor(palette().text, 110),
                    3 if selected else 1,
                )
            )
            p.drawEllipse(c, r + (2 if selected else 0), r + (2 if selected else 0))

    def _paint_edges(self, p: QPainter) -> None:
        """Draw the overlay edges, the largest on top."""
        if not self.edges:
            return
        scale = max(abs(e[3]) for e in self.edges) or 1.0
        for layer, out, col, value in sorted(self.edges, key=lambda e: abs(e[3])):
            t = min(abs(value) / scale, 1.0)
            rgb = palette().positive if value >= 0 else palette().negative
            p.setPen(QPen(qcolor(rgb, int(50 + 205 * t)), 0.6 + 3.0 * t))
            if col >= self.sizes[layer]:
                continue  # a bias has no edge to draw
            p.drawLine(self.position(layer, col), self.position(layer + 1, out))

    def _paint_outputs(self, p: QPainter) -> None:
        """Label the output neurons with digit and activation, and draw the nudge arrows."""
        last = len(self.sizes) - 1
        r = self._radius(last)
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, min(10.0, self._spacing(self.sizes[last]) * 0.45)))
        p.setFont(font)
        scale = float(np.abs(self.arrows).max()) if self.arrows is not None else 0.0
        step = self._spacing(self.sizes[last])
        for j in range(self.sizes[last]):
            c = self.position(last, j)
            shown = last <= self.revealed
            name = self.output_label(j)
            text = f"{name}  {self.activations[last][j]:.2f}" if shown else name
            p.setPen(qcolor(palette().highlight) if j == self.label else qcolor(palette().text))
            p.drawText(
                QRectF(c.x() + r + 6, c.y() - step / 2, self.label_width(), step),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            if self.arrows is None or scale <= 0:
                continue
            v = float(self.arrows[j]) / scale
            x = c.x() + r + self.label_width() + ARROW_WIDTH / 2 - 6
            length = v * step * 0.48
            rgb = palette().positive if v >= 0 else palette().negative
            p.setPen(QPen(qcolor(rgb), 3))
            p.drawLine(QPointF(x, c.y()), QPointF(x, c.y() - length))
            if abs(length) > 3:
                head = 5 if length > 0 else -5
                tip = QPointF(x, c.y() - length)
                p.drawLine(tip, QPointF(x - 4, tip.y() + head))
                p.drawLine(tip, QPointF(x + 4, tip.y() + head))

    def neuron_at(self, point: QPointF) -> tuple[int, int] | None:
        """Return the (layer, index) of the neuron under a point, input layer excluded."""
        if not self.sizes:
            return None
        for layer in range(1, len(self.sizes)):
            r = self._radius(layer) + 3
            c0 = self.position(layer, 0)
            if abs(point.x() - c0.x()) > r:
                continue
            step = self._spacing(self.sizes[layer])
            i = int(round((point.y() - c0.y()) / step))
            if 0 <= i < self.sizes[layer]:
                return layer, i
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Emit ``neuron_clicked`` for the neuron under the mouse."""
        hit = self.neuron_at(event.position())
        if hit is not None:
            self.neuron_clicked.emit(*hit)


def show_overlay(diagram: LayerDiagram, state: ExplorerState, overlay) -> None:
    """Clear a diagram's overlays, then set one step's (``steps.ExplorerStep.overlay``)."""
    diagram.clear_overlays()
    diagram.set_revealed(state.exploration.n_layers)
    diagram.set_selected(None)
    overlay(diagram, state)


def forward_overlay(d: LayerDiagram, s: ExplorerState) -> None:
    """The forward pass: layers lit so far, the ringed neuron's strongest inputs w*a."""
    e = s.exploration
    d.set_revealed(s.revealed)
    layer, j = s.formula
    if layer <= s.revealed:
        f = e.neuron_formula(layer, j)
        d.set_edges(strongest(layer - 1, j, f.terms))
    d.set_selected(layer, j)
    d.set_caption("fill: activation (black 0, white 1); edges: w·a into the ringed neuron")


def cost_overlay(d: LayerDiagram, s: ExplorerState) -> None:
    """The cost: the outputs' digits and activations beside them (the diagram's own labels)."""
    d.set_caption(f"beside each output: its {s.kind} and activation a")


def nudge_overlay(d: LayerDiagram, s: ExplorerState) -> None:
    """The desired nudges: an arrow beside each output."""
    d.set_arrows(s.exploration.desired_nudges())
    up, down = palette().positive_word, palette().negative_word
    d.set_caption(f"arrows: the nudge each output wants ({up} up, {down} down)")


def output_overlay(d: LayerDiagram, s: ExplorerState) -> None:
    """Three ways to change an output: its wanted weight changes and previous activations."""
    e = s.exploration
    last = e.n_layers
    c = e.output_change(s.target)
    d.set_arrows(e.desired_nudges())
    d.set_edges(strongest(last - 1, s.target, -c.weight_gradients))
    if last >= 2:
        d.set_neuron_values({last - 1: -c.previous_gradients})
    d.set_selected(last, s.target)
    d.set_caption("edges and previous layer: desired change, −a·δ and −w·δ")


def backward_overlay(d: LayerDiagram, s: ExplorerState) -> None:
    """Propagating backwards: each layer's desired change, the chosen neuron's wishes."""
    e = s.exploration
    last = e.n_layers
    values = {last: e.desired_nudges()}
    for layer in range(s.back_to, last):
        values[layer] = -e.record.dc_da[layer - 1][0]
    d.set_neuron_values(values)
    if s.hidden is not None:
        layer, j = s.hidden
        h = e.hidden_change(layer, j)
        d.set_edges([(layer, k, j, -v) for k, v in enumerate(h.contributions)])
        d.set_selected(layer, j)
    d.set_caption("colour: desired change −∂C/∂a; edges: each neuron's wish −w·δ")


def strongest(layer: int, out: int, values: np.ndarray) -> list[tuple[int, int, int, float]]:
    """Return the EDGES_SHOWN incoming edges of neuron ``out`` with the largest |values|."""
    order = np.argsort(-np.abs(values), kind="stable")[:EDGES_SHOWN]
    return [(layer, out, int(i), float(values[i])) for i in order]
