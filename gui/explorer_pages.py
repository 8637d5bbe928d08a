"""The explorer's nine step pages: each draws one part of backprop from an ``Exploration``.

Every page has ``refresh(state)``, reading the panel's ``ExplorerState``, and keeps the numbers
it shows in ``values`` (a dict), so tests compare what is displayed with the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QIcon,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine import explorer_gradient as eg
from engine.explorer import Exploration
from engine.words import quantity
from gui.colors import palette, qcolor, signed_image
from gui.theme import style_plot

NUDGE_RANGE = 1.0  # the nudge slider moves a weight by at most this much
SLIDER_STEPS = 100
LINE_POINTS = 16  # step 9: points t = 0, eta/5, ..., 3 eta along each gradient
MIN_CHART = 120  # a chart shorter than this cannot be read
SHORT_PAGE = 420  # a page shorter than this puts step 4's two charts side by side


@dataclass
class ExplorerState:
    """What the explorer is looking at: the exploration and the current selections."""

    exploration: Exploration
    target: int  # output neuron of step 4
    hidden: tuple[int, int] | None  # (layer, index) of step 5's hidden neuron
    formula: tuple[int, int]  # (layer, index) of step 1's neuron
    param: tuple[int, int, int]  # (weight layer, out, in) of steps 7 and 8
    back_to: int  # step 5: deltas shown from the output back to this neuron layer
    revealed: int  # step 1: activations shown up to this neuron layer


SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(value: float) -> str:
    """Return a number as the explorer prints it: four significant digits, never "-0"."""
    return f"{float(value) + 0.0:.4g}"


def hex_colour(rgb: tuple[int, int, int]) -> str:
    """Return an (r, g, b) colour as "#rrggbb" for rich text."""
    r, g, b = rgb
    return f"#{r:02x}{g:02x}{b:02x}"


def short_name(param: tuple[int, int, int], sizes: tuple[int, ...]) -> str:
    """Return a parameter's plain-text name, w²[out←in] or b²[out], the layer as a superscript."""
    layer, out, col = param
    top = str(layer + 1).translate(SUPERSCRIPTS)
    return f"b{top}[{out}]" if col == sizes[layer] else f"w{top}[{out}←{col}]"


def param_symbol(param: tuple[int, int, int], sizes: tuple[int, ...]) -> str:
    """Return "b" for a bias and "w" for a weight."""
    layer, _, col = param
    return "b" if col == sizes[layer] else "w"


def param_name(param: tuple[int, int, int], sizes: tuple[int, ...]) -> str:
    """Return a parameter in the book's notation: w^(l)_jk or b^(l)_j, l the target layer."""
    layer, out, col = param
    if col == sizes[layer]:
        return f"b<sup>{layer + 1}</sup><sub>{out}</sub>"
    return f"w<sup>{layer + 1}</sup><sub>{out},{col}</sub>"


def plain(html: str) -> str:
    """Return text without its HTML tags."""
    import re

    return re.sub(r"<[^>]+>", "", html)


def sign_brushes(values: np.ndarray) -> list:
    """Return a blue brush for each positive value and a red one for each negative one."""
    return [pg.mkBrush(*(palette().positive if v >= 0 else palette().negative)) for v in values]


def bar_plot(left: str, bottom: str) -> pg.PlotWidget:
    """Return a dark plot set up for bar charts with the given axis labels."""
    plot = pg.PlotWidget()
    plot.setMinimumHeight(MIN_CHART)  # the page keeps room to read it; the diagram gives way
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    item = plot.getPlotItem()
    item.setLabel("left", left)
    item.setLabel("bottom", bottom)
    item.showGrid(y=True, alpha=0.15)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)
    style_plot(plot)
    return plot


def set_bars(plot: pg.PlotWidget, heights: np.ndarray, brushes=None, ticks=None) -> None:
    """Replace a plot's bars by one bar per value, at x = 0, 1, ..."""
    plot.clear()
    heights = np.asarray(heights, np.float64)
    x = np.arange(len(heights))
    brushes = brushes if brushes is not None else sign_brushes(heights)
    plot.addItem(pg.BarGraphItem(x=x, height=heights, width=0.75, brushes=brushes, pen=None))
    plot.addLine(y=0, pen=pg.mkPen(palette().text + (90,)))
    if ticks is None:
        every = max(1, len(heights) // 16)
        ticks = [(i, str(i)) for i in range(0, len(heights), every)]
    plot.getAxis("bottom").setTicks([ticks])
    plot.setXRange(-0.7, len(heights) - 0.3, padding=0)
    top = max(float(heights.max(initial=0.0)), 0.0)
    bottom = min(float(heights.min(initial=0.0)), 0.0)
    pad = 0.08 * max(top - bottom, 1e-12)
    plot.setYRange(bottom - (pad if bottom < 0 else 0), top + pad, padding=0)


def same_key(old: tuple | None, new: tuple) -> bool:
    """Return True if a page's inputs are unchanged: (snapshot, images, ...) by identity first.

    Objects themselves, not their ids: a new snapshot may be allocated where a freed one was.
    """
    return old is not None and old[0] is new[0] and old[1] is new[1] and old[2:] == new[2:]


def wrapped(label: QLabel) -> QLabel:
    """Return the label set to wrap its words, so it never makes its page wider."""
    label.setWordWrap(True)
    return label


def info_label(name: str) -> QLabel:
    """Return a word-wrapped rich-text label with an object name for tests."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def thumbnail(image: np.ndarray, size: int = 28) -> QPixmap:
    """Return a 28x28 uint8 image (or floats in [0, 1]) as a pixmap of the given size."""
    a = np.asarray(image)
    gray = a if a.dtype == np.uint8 else np.clip(a * 255, 0, 255).astype(np.uint8)
    gray = np.ascontiguousarray(gray.reshape(28, 28))
    qimage = QImage(gray.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(qimage).scaled(size, size)


class ForwardPage(QWidget):
    """Step 1: a layer slider and the selected neuron's weighted sum with its live numbers."""

    revealed_changed = Signal(int)  # neuron layers computed so far

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("forward_layers")
        self.slider.setMinimum(1)
        self.slider_label = QLabel()
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.formula = info_label("formula")
        row = QHBoxLayout()
        row.addWidget(QLabel("Computed up to layer"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.slider_label)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.formula, 1, Qt.AlignmentFlag.AlignTop)

    def _on_slider_moved(self, value: int) -> None:
        self.slider_label.setText(f"{value}")
        self.revealed_changed.emit(value)

    def refresh(self, state: ExplorerState) -> None:
        """Show the formula of ``state.formula`` and the layer slider."""
        e = state.exploration
        self.slider.blockSignals(True)
        self.slider.setMaximum(e.n_layers)
        self.slider.setValue(state.revealed)
        self.slider.blockSignals(False)
        self.slider_label.setText(f"{state.revealed}")
        layer, index = state.formula
        f = e.neuron_formula(layer, index)
        terms = f.terms
        order = np.argsort(-np.abs(terms), kind="stable")[:6]
        rest = float(terms.sum() - terms[order].sum())
        net = e.network
        act_name = (net.output_activation if layer == e.n_layers else net.activation).name
        rows = "".join(
            f"<tr><td>w<sub>{index},{i}</sub> a<sub>{i}</sub></td><td align=right>"
            f"{fmt(f.weights[i])} &times; {fmt(f.inputs[i])}</td>"
            f"<td align=right>= {fmt(terms[i])}</td></tr>"
            for i in order
        )
        kind = "output" if layer == e.n_layers else "hidden"
        weighted = "w<sub>1</sub>a<sub>1</sub> + &hellip; + w<sub>n</sub>a<sub>n</sub> + b"
        rule = f"a = {act_name}({weighted})"
        result = f"a = {act_name}({fmt(f.z)})"
        if act_name == "softmax":  # softmax needs every output's z, not just this one
            rule = (
                f"z = {weighted}, then a<sub>j</sub> = exp(z<sub>j</sub>) / "
                "&Sigma;<sub>k</sub> exp(z<sub>k</sub>)"
            )
            result = f"a = exp({fmt(f.z)}) / &Sigma;<sub>k</sub> exp(z<sub>k</sub>)"
        src = "pixel" if layer == 1 and e.sizes[0] == 784 else f"layer {layer - 1} neuron"
        self.formula.setText(
            f"<b>Neuron {index} of layer {layer}</b> ({kind})"
            f"<br>{rule}, the a<sub>i</sub> being each {src}'s activation.<br>Its largest terms:"
            f"<table cellspacing=4>{rows}<tr>"
            f"<td>{quantity(len(terms) - len(order), 'other term')}</td>"
            "<td></td>"
            f"<td align=right>= {fmt(rest)}</td></tr><tr><td>bias b</td><td></td>"
            f"<td align=right>= {fmt(f.bias)}</td></tr></table>"
            f"z = &Sigma; w<sub>i</sub>a<sub>i</sub> + b = <b>{fmt(f.z)}</b><br>"
            f"{result} = <b>{fmt(f.a)}</b>"
        )
        self.values = {"z": f.z, "a": f.a, "bias": f.bias, "terms_sum": float(terms.sum())}


class CostPage(QWidget):
    """Step 2: each output neuron's share of this example's cost, as bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.plot = bar_plot("share of the cost", "output neuron (digit)")
        self.plot.setObjectName("cost_bars")
        self.total = info_label("cost_total")
        layout = QVBoxLayout(self)
        layout.addWidget(self.total)
        layout.addWidget(self.plot, 1)

    def refresh(self, state: ExplorerState) -> None:
        """Draw the bars of ``cost_breakdown`` and print the total."""
        e = state.exploration
        shares = e.cost_breakdown()
        nudges = e.desired_nudges()
        brushes = [
            pg.mkBrush(
                *(
                    palette().highlight
                    if j == e.label
                    else palette().positive
                    if n >= 0
                    else palette().negative
                )
            )
            for j, n in enumerate(nudges)
        ]
        set_bars(self.plot, shares, brushes)
        a = e.activations(e.n_layers)
        if e.network.config.cost == "quadratic":
            formula = (
                "C = &frac12; &Sigma;<sub>j</sub> (a<sub>j</sub> &minus; y<sub>j</sub>)<sup>2</sup>"
            )
            worst = int(np.argmax(shares))
            detail = (
                f"the largest share is digit {worst}: &frac12;({fmt(a[worst])} &minus; "
                f"{fmt(e.y[worst]):s})<sup>2</sup> = {fmt(shares[worst])}"
            )
        else:
            formula = "C = &minus;&Sigma;<sub>j</sub> y<sub>j</sub> ln a<sub>j</sub>"
            detail = (
                f"only the correct digit counts: &minus;ln a<sub>{e.label}</sub> = "
                f"&minus;ln {fmt(a[e.label])} = {fmt(shares[e.label])}"
            )
        self.total.setText(
            f"Label <b>{e.label}</b>, network's guess <b>{int(np.argmax(a))}</b>. "
            f"{formula} = <b>{fmt(e.cost)}</b>; {detail}. Highlighted: the correct digit; blue: "
            "outputs that should rise, red: outputs that should fall."
        )
        self.values = {"shares": shares, "cost": e.cost}


class NudgePage(QWidget):
    """Step 3: the desired nudge of every output neuron, listed beside the diagram's arrows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.table = info_label("nudge_table")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1, Qt.AlignmentFlag.AlignTop)

    def refresh(self, state: ExplorerState) -> None:
        """List a_j, y_j and the nudge -dC/da_j (or -dC/dz_j for softmax) per output."""
        e = state.exploration
        nudges = e.desired_nudges()
        a = e.activations(e.n_layers)
        on_z = e.sigma_prime(e.n_layers) is None
        head = (
            "&minus;&part;C/&part;z<sub>j</sub>" if on_z else "&minus;&part;C/&part;a<sub>j</sub>"
        )
        up, down = palette().positive, palette().negative
        rows = "".join(
            f"<tr><td>{'<b>' if j == e.label else ''}{j}</td><td align=right>{a[j]:.3f}</td>"
            f"<td align=right>{e.y[j]:.0f}</td><td align=right style='color:"
            f"{hex_colour(up if n >= 0 else down)}'>{fmt(n)}</td></tr>"
            for j, n in enumerate(nudges)
        )
        self.table.setText(
            f"<table cellspacing=6><tr><th>digit</th><th>a<sub>j</sub></th><th>y<sub>j</sub></th>"
            f"<th>nudge {head} = y<sub>j</sub> &minus; a<sub>j</sub></th></tr>{rows}</table>"
        )
        self.values = {"nudges": nudges}


class OutputPage(QWidget):
    """Step 4: one output neuron's bias, weight and previous-activation gradients."""

    target_chosen = Signal(int)  # output neuron index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.combo = QComboBox()
        self.combo.setObjectName("target_neuron")
        self.combo.activated.connect(lambda i: self.target_chosen.emit(int(i)))
        self.summary = info_label("output_summary")
        self.weights_plot = bar_plot("wanted: &minus;a<sub>k</sub> &delta;<sub>j</sub>", "")
        self.previous_plot = bar_plot("wanted: &minus;w<sub>jk</sub> &delta;<sub>j</sub>", "")
        row = QHBoxLayout()
        row.addWidget(QLabel("Output neuron (digit):"))
        row.addWidget(self.combo)
        row.addStretch(1)
        self.charts = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.charts.addWidget(self.weights_plot, 1)
        self.charts.addWidget(self.previous_plot, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addLayout(self.charts, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Stack the two charts on a tall page, put them side by side on a short, wide one."""
        super().resizeEvent(event)
        size = event.size()
        side = size.height() < SHORT_PAGE and size.width() >= 2 * size.height() * 0.8
        direction = QBoxLayout.Direction.LeftToRight if side else QBoxLayout.Direction.TopToBottom
        if self.charts.direction() != direction:
            self.charts.setDirection(direction)

    def refresh(self, state: ExplorerState) -> None:
        """Show the three ways for ``state.target``."""
        e = state.exploration
        n_out = e.sizes[-1]
        if self.combo.count() != n_out:
            self.combo.clear()
            self.combo.addItems([str(j) for j in range(n_out)])
        self.combo.setCurrentIndex(state.target)
        c = e.output_change(state.target)
        prev = e.n_layers - 1
        bottom = f"neuron k of layer {prev}"
        self.weights_plot.getPlotItem().setLabel(
            "bottom", "2. desired change of each weight, " + bottom
        )
        self.previous_plot.getPlotItem().setLabel(
            "bottom", "3. desired change of each activation, " + bottom
        )
        wanted_w = -c.weight_gradients  # this example's desired change of each weight
        wanted_a = -c.previous_gradients  # and of each previous activation
        set_bars(self.weights_plot, wanted_w)
        set_bars(self.previous_plot, wanted_a)
        j = c.index
        eta = float(e.snapshot.train_config.learning_rate)
        m = len(e.batch_labels)
        bias_wanted = -eta / m * c.delta
        taken = e.snapshot.step_b
        bias_step = None if taken is None else float(taken[prev][j])
        tc = e.snapshot.train_config
        plus = " plus momentum" if tc.momentum > 0 else ""
        k = int(np.argmax(np.abs(wanted_w)))
        i = int(np.argmax(np.abs(wanted_a)))
        step_text = (
            "No step taken yet."
            if bias_step is None
            else f"The step taken (mean over the {quantity(m, 'example')}{plus}): &Delta;b<sub>"
            f"{j}</sub> = <b>{fmt(bias_step)}</b> ({direction(bias_step)}"
            f"{agreement(bias_wanted, bias_step)})."
        )
        self.summary.setText(
            f"<b>1. Bias</b>: &part;C<sub>x</sub>/&part;b<sub>{j}</sub> = &delta;<sub>{j}</sub> = "
            f"<b>{fmt(c.delta)}</b>; this example alone asks &minus;(&eta;/m)&delta;<sub>{j}</sub>"
            f" = &minus;({fmt(eta)}/{m}) &times; {fmt(c.delta)} = <b>{fmt(bias_wanted)}</b> "
            f"({direction(bias_wanted)}). {step_text} "
            f"<b>2. Weights</b> &prop; a<sub>k</sub>: largest wish from neuron {k} "
            f"(a<sub>{k}</sub> = {fmt(e.activations(prev)[k])}), "
            f"&minus;a<sub>{k}</sub>&delta;<sub>{j}</sub> = "
            f"<b>{fmt(wanted_w[k])}</b> ({'strengthen' if wanted_w[k] >= 0 else 'weaken'}). "
            f"<b>3. Activations</b> &prop; w<sub>{j}k</sub>: largest wish for neuron {i}, "
            f"&minus;w<sub>{j}{i}</sub>&delta;<sub>{j}</sub> = <b>{fmt(wanted_a[i])}</b> "
            f"({'fire more' if wanted_a[i] >= 0 else 'fire less'}). All for this one example "
            "(C<sub>x</sub>)."
        )
        self.values = {
            "delta": c.delta,
            "weight_gradients": c.weight_gradients,
            "previous_gradients": c.previous_gradients,
            "bias_wanted": bias_wanted,
            "bias_step": bias_step,
            "strongest_weight": (k, float(wanted_w[k])),
            "strongest_activation": (i, float(wanted_a[i])),
        }


def direction(change: float) -> str:
    """Return "raise it" or "lower it" for the sign of a change."""
    return "raise it" if change > 0 else "lower it" if change < 0 else "leave it"


def agreement(wanted: float, taken: float) -> str:
    """Return whether the step taken went the way one example wanted."""
    if wanted == 0 or taken == 0:
        return ""
    if (wanted > 0) == (taken > 0):
        return "; the batch agreed"
    return "; the others outvoted it"


class BackPage(QWidget):
    """Step 5: a hidden neuron's wishes from the next layer, stacked into dC/da and delta."""

    back_to_changed = Signal(int)  # neuron layer the deltas reach

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("back_layers")
        self.slider.setInvertedAppearance(True)
        self.slider.valueChanged.connect(self.back_to_changed.emit)
        self.slider_label = QLabel()
        self.summary = info_label("hidden_summary")
        self.plot = bar_plot("wanted: &minus;w<sub>kj</sub> &delta;<sub>k</sub>", "")
        row = QHBoxLayout()
        row.addWidget(QLabel("Propagated back to layer"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.slider_label)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.plot, 1)

    def refresh(self, state: ExplorerState) -> None:
        """Show the contributions to ``state.hidden``."""
        e = state.exploration
        self.slider.blockSignals(True)
        self.slider.setRange(1, max(e.n_layers - 1, 1))
        self.slider.setValue(state.back_to)
        self.slider.blockSignals(False)
        self.slider_label.setText(str(state.back_to))
        if state.hidden is None:
            self.summary.setText("This network has no hidden layer: step 4 was the whole story.")
            self.plot.clear()
            self.values = {}
            return
        layer, j = state.hidden
        h = e.hidden_change(layer, j)
        n = len(h.contributions)
        heights = -np.append(h.contributions, h.dc_da)  # desired changes, as on the diagram
        brushes = sign_brushes(heights[:-1]) + [pg.mkBrush(*palette().highlight)]
        every = max(1, n // 12)
        ticks = [(k, str(k)) for k in range(0, n, every)] + [(n, "sum")]
        set_bars(self.plot, heights, brushes, ticks)
        self.plot.getPlotItem().setLabel(
            "bottom",
            f"desired change of a, asked by neuron k of layer {layer + 1}; highlighted: the sum "
            "&minus;&part;C/&part;a",
        )
        wanted = float(heights[-1])  # the highlighted sum bar: -dC_x/da_j
        k = int(np.argmax(np.abs(heights[:-1])))
        self.summary.setText(
            f"<b>Neuron {j} of layer {layer}</b> (click another on the diagram). Each bar is what "
            f"neuron k of layer {layer + 1} wants of a<sub>{j}</sub>, &minus;w<sub>kj</sub>"
            f"&delta;<sub>k</sub> (blue: fire more, red: fire less); the largest is neuron {k}'s, "
            f"<b>{fmt(heights[k])}</b>. Their sum (the highlighted bar) is the desired change "
            f"&minus;&part;C<sub>x</sub>/&part;a<sub>{j}</sub> = <b>{fmt(wanted)}</b>: all "
            f"together a<sub>{j}</sub> should {'fire more' if wanted > 0 else 'fire less'}. "
            f"Then BP2: &delta;<sub>{j}</sub> = &part;C<sub>x</sub>/&part;a<sub>{j}</sub> "
            "&times; &sigma;'(z) = "
            f"{fmt(h.dc_da)} &times; {fmt(h.sigma_prime)} = <b>{fmt(h.delta)}</b> (this example)."
        )
        self.values = {
            "contributions": h.contributions,
            "dc_da": h.dc_da,
            "delta": h.delta,
            "wanted": wanted,
            "largest": (k, float(heights[k])),
        }


class BatchPage(QWidget):
    """Step 6: each mini-batch example's desired change of a few weights, the average, the step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.table = QTableWidget()
        self.table.setObjectName("batch_table")
        self.table.setIconSize(QSize(28, 28))
        self.table.verticalHeader().setDefaultSectionSize(31)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.costs = info_label("batch_costs")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.costs)

    def refresh(self, state: ExplorerState) -> None:
        """Fill the table: one row per example, then the average and the step."""
        e = state.exploration
        params = e.featured_weights(4)
        m = len(e.batch_labels)
        each = np.array([e.example_weight_gradients(*p) for p in params]).T  # (m, n_params)
        average = each.mean(axis=0)
        gradient = np.array([e.batch_gradient(*p) for p in params])
        step = eg.sgd_step(e)
        t = self.table
        t.clear()
        t.setRowCount(m + 2)
        t.setColumnCount(len(params))
        t.setHorizontalHeaderLabels([short_name(p, e.sizes) for p in params])
        labels = []
        for i in range(m):
            image = e.batch_images[i] if e.batch_images is not None else e.image
            item = QTableWidgetItem(QIcon(thumbnail(image, 28)), f"{e.batch_labels[i]}")
            t.setVerticalHeaderItem(i, item)
            labels.append(str(i))
            for c in range(len(params)):
                t.setItem(i, c, self._cell(-each[i, c]))
        t.setVerticalHeaderItem(m, QTableWidgetItem("average"))
        t.setVerticalHeaderItem(m + 1, QTableWidgetItem("step −η·g"))
        for c in range(len(params)):
            t.setItem(m, c, self._cell(-average[c], bold=True))
            t.setItem(m + 1, c, self._cell(-step.learning_rate * gradient[c], bold=True))
        tc = e.snapshot.train_config
        extra = ""
        if tc.momentum > 0 or tc.l2 > 0:
            extra = " (Training also used momentum or weight decay; shown is the plain SGD step.)"
        self.costs.setText(
            f"Cells: each example's desired change &minus;&part;C<sub>x</sub>/&part;w of the "
            "weight with the largest gradient in each layer. "
            f"Average of the {quantity(m, 'row')} = "
            f"&minus;(mini-batch gradient); the step multiplies it by &eta; = "
            f"{fmt(step.learning_rate)}.<br>After the step, cost of this example: "
            f"{fmt(step.example_before)} &rarr; <b>{fmt(step.example_after)}</b>; "
            f"of the mini-batch: {fmt(step.batch_before)} &rarr; <b>{fmt(step.batch_after)}</b>."
            + extra
        )
        self.values = {
            "params": params,
            "each": each,
            "average": average,
            "gradient": gradient,
            "step": -step.learning_rate * gradient,
            "costs": (step.example_before, step.example_after, step.batch_before, step.batch_after),
        }

    @staticmethod
    def _cell(value: float, bold: bool = False) -> QTableWidgetItem:
        """Return a right-aligned, sign-coloured table cell."""
        item = QTableWidgetItem(fmt(value))
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setForeground(qcolor(palette().positive if value >= 0 else palette().negative))
        if bold:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        return item


class GradientStrip(QWidget):
    """The whole gradient as one band per layer, (n_out rows, n_in + 1 columns), click to pick."""

    param_clicked = Signal(int, int, int)  # weight layer, out, in

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradient_strip")
        self.setMinimumHeight(170)
        self.grids: list[np.ndarray] = []
        self.images: list[QImage] = []
        self.scales: list[float] = []
        self.selected: tuple[int, int, int] | None = None

    def set_gradient(self, grids: list[np.ndarray]) -> None:
        """Show each layer's (n_out, n_in + 1) gradient, each on its own scale (printed above)."""
        self.grids = grids
        self.scales = [float(np.abs(g).max()) for g in grids]
        self.images = []
        for g, scale in zip(grids, self.scales):
            rgba = np.ascontiguousarray(signed_image(g, scale, power=0.5))
            h, w = g.shape
            self.images.append(QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy())
        self.update()

    def set_selected(self, param: tuple[int, int, int] | None) -> None:
        """Mark one parameter with the highlight colour."""
        self.selected = param
        self.update()

    def _bands(self) -> list[QRectF]:
        """Return each layer's band rectangle."""
        n = max(len(self.grids), 1)
        gap, text = 4, 14
        height = (self.height() - n * (gap + text)) / n
        return [QRectF(0, k * (height + gap + text) + text, self.width(), height) for k in range(n)]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """Draw the bands and their captions."""
        p = QPainter(self)
        p.fillRect(self.rect(), qcolor(palette().background))
        for k, (rect, image) in enumerate(zip(self._bands(), self.images)):
            h, w = self.grids[k].shape
            p.setPen(qcolor(palette().text, 200))
            caption = (
                f"layer {k} → {k + 1}: {h} × {w} (weights, bias last column), largest |g| "
                f"{fmt(self.scales[k])}"
            )
            caption = p.fontMetrics().elidedText(  # narrow: cut the middle, keep the number
                caption, Qt.TextElideMode.ElideMiddle, int(rect.width())
            )
            p.drawText(
                QRectF(2, rect.top() - 14, rect.width(), 14),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                caption,
            )
            p.drawImage(rect, image)
            if self.selected is not None and self.selected[0] == k:
                _, out, col = self.selected
                cw, rh = rect.width() / w, rect.height() / h
                p.setPen(QPen(qcolor(palette().highlight), 2))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(QRectF(rect.left() + col * cw - 2, rect.top() + out * rh, cw + 4, rh))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Emit ``param_clicked`` for the cell under the mouse."""
        pos = event.position()
        for k, rect in enumerate(self._bands()):
            if k < len(self.grids) and rect.contains(pos):
                h, w = self.grids[k].shape
                col = min(int((pos.x() - rect.left()) / rect.width() * w), w - 1)
                out = min(int((pos.y() - rect.top()) / rect.height() * h), h - 1)
                self.param_clicked.emit(k, out, col)


class GradientPage(QWidget):
    """Step 7: the gradient strip, the largest components and the "nudge this weight" slider."""

    param_chosen = Signal(int, int, int)  # weight layer, out, in

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self._state: ExplorerState | None = None
        self.strip = GradientStrip()
        self.strip.param_clicked.connect(self.param_chosen.emit)
        self.top = QListWidget()
        self.top.setObjectName("top_components")
        self.top.setFont(QFont("monospace"))
        self.top.setWordWrap(True)  # a narrow page wraps a long entry rather than scroll sideways
        self.top.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.top.itemClicked.connect(self._on_item_clicked)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("nudge_slider")
        self.slider.setRange(-SLIDER_STEPS, SLIDER_STEPS)
        self.slider.setValue(SLIDER_STEPS // 4)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.nudge_label = info_label("nudge_result")
        self.nudge_title = QLabel("Nudge this weight:")
        self.nudge_title.setObjectName("nudge_title")
        self.plot = bar_plot("change of the cost", "&Delta;w")
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=0.15)
        self.real_curve = self.plot.plot(pen=pg.mkPen(palette().highlight, width=2), name="real")
        self.linear_curve = self.plot.plot(
            pen=pg.mkPen(palette().text + (160,), width=1, style=Qt.PenStyle.DashLine)
        )
        self.marker = self.plot.plot(
            pen=None, symbol="o", symbolBrush=palette().highlight, symbolSize=9
        )
        self.restyle()
        lower = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(wrapped(QLabel("Largest entries of the mini-batch gradient (click one):")))
        left.addWidget(self.top, 1)
        right = QVBoxLayout()
        row = QHBoxLayout()
        row.addWidget(self.nudge_title)
        row.addWidget(self.slider, 1)
        right.addLayout(row)
        right.addWidget(self.nudge_label)
        right.addWidget(self.plot, 1)
        lower.addLayout(left, 2)
        lower.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.strip, 3)
        layout.addLayout(lower, 4)

    def restyle(self) -> None:
        """Draw the curves in the theme's colours."""
        p = palette()
        self.real_curve.setPen(pg.mkPen(p.highlight, width=2))
        self.linear_curve.setPen(pg.mkPen(p.text + (160,), width=1, style=Qt.PenStyle.DashLine))
        self.marker.setSymbolBrush(p.highlight)

    def _on_item_clicked(self, item: QListWidgetItem) -> None:
        self.param_chosen.emit(*item.data(Qt.ItemDataRole.UserRole))

    def _on_slider_moved(self, value: int) -> None:
        self._show_nudge()

    def dw(self) -> float:
        """Return the nudge the slider sets."""
        return self.slider.value() / SLIDER_STEPS * NUDGE_RANGE

    def refresh(self, state: ExplorerState) -> None:
        """Show the gradient, the top list and the nudge of ``state.param``."""
        self._state = state
        e = state.exploration
        self.strip.set_gradient(eg.parameter_grid(e.batch.nabla_w, e.batch.nabla_b))
        self.strip.set_selected(state.param)
        top = eg.top_components(e, 12)
        self.top.clear()
        for layer, out, col, value in top:
            name = short_name((layer, out, col), e.sizes)
            item = QListWidgetItem(f"{name:<13} {value:+.4g}")
            item.setData(Qt.ItemDataRole.UserRole, (layer, out, col))
            item.setForeground(qcolor(palette().positive if value >= 0 else palette().negative))
            self.top.addItem(item)
        dws = np.linspace(-NUDGE_RANGE, NUDGE_RANGE, 41)
        real = np.array([eg.nudge(e, *state.param, float(d)).real for d in dws])
        g = e.batch_gradient(*state.param)
        symbol = param_symbol(state.param, e.sizes)
        self.nudge_title.setText(f"Nudge this {'bias' if symbol == 'b' else 'weight'}:")
        self.plot.getPlotItem().setLabel("bottom", f"&Delta;{symbol}")
        self.real_curve.setData(dws, real)
        self.linear_curve.setData(dws, g * dws)
        self.values = {"top": top, "gradient": g}
        self._show_nudge()

    def _show_nudge(self) -> None:
        """Compute and show the real and predicted cost change of the slider's nudge."""
        if self._state is None:
            return
        e = self._state.exploration
        param = self._state.param
        n = eg.nudge(e, *param, self.dw())
        v = param_symbol(param, e.sizes)
        self.marker.setData([n.dw], [n.real])
        self.nudge_label.setText(
            f"{param_name(param, e.sizes)} = {fmt(float(e.network.params[param[0]][param[1:]]))}"
            f" + &Delta;{v}, &Delta;{v} = <b>{fmt(n.dw)}</b>: real change of the mini-batch cost "
            f"<b>{fmt(n.real)}</b>, predicted &part;C/&part;{v}&middot;&Delta;{v} = "
            f"{fmt(e.batch_gradient(*param))} &times; {fmt(n.dw)} = <b>{fmt(n.predicted)}</b> "
            f"(&part;C/&part;{v}: the mini-batch mean). Solid: real; dashed: the straight-line "
            "prediction."
        )
        self.values.update(nudge=n)


class CheckPage(QWidget):
    """Step 8: the finite-difference check of the selected weight and of samples of every layer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self._state: ExplorerState | None = None
        self.selected = info_label("check_selected")
        self.button = QPushButton("Check all layers")
        self.button.setObjectName("check_all")
        self.button.clicked.connect(self.check_all)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("check_table")
        self.table.setHorizontalHeaderLabels(
            ["parameter", "backprop", "numerical estimate", "relative error"]
        )
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addWidget(
            wrapped(
                QLabel(
                    "four random weights or biases of every layer, among those whose gradient "
                    "is not zero"
                )
            ),
            1,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.selected)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)

    def refresh(self, state: ExplorerState) -> None:
        """Check ``state.param`` and show its result; clear the all-layers table."""
        self._state = state
        e = state.exploration
        c = eg.check_weight(e, *state.param)
        v = param_symbol(state.param, e.sizes)
        self.selected.setText(
            f"<b>{param_name(state.param, e.sizes)}</b>: backprop &part;C/&part;{v} (mini-batch "
            f"mean) <b>{c.backprop:.10g}</b>, numerical (C({v}+&epsilon;) &minus; "
            f"C({v}&minus;&epsilon;)) / 2&epsilon; = "
            f"<b>{c.numeric:.10g}</b>, relative error <b>{c.relative_error:.2g}</b> "
            f"({'agree' if c.relative_error < 1e-6 else 'check the rounding'})."
        )
        self.table.setRowCount(0)
        self.values = {"selected": c, "all": []}

    def check_all(self) -> None:
        """Check a sample of parameters in every layer and list them."""
        if self._state is None:
            return
        e = self._state.exploration
        results = eg.check_all_layers(e, per_layer=4)
        self.table.setRowCount(len(results))
        for i, r in enumerate(results):
            name = short_name((r.layer, r.row, r.col), e.sizes)
            texts = [name, f"{r.backprop:.8g}", f"{r.numeric:.8g}", f"{r.relative_error:.2g}"]
            for c, text in enumerate(texts):
                self.table.setItem(i, c, QTableWidgetItem(text))
        self.values["all"] = results


class LineSearchPage(QWidget):
    """Step 9: the cost along the mini-batch and the full-batch gradients, and their cosine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self._key: tuple | None = None  # (snapshot, images) of the search shown
        self.summary = info_label("line_summary")
        self.plot = bar_plot("cost C on the training set", "t: the step is &minus;t&middot;g")
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=0.15)
        legend = self.plot.getPlotItem().addLegend(offset=(-10, 10), labelTextSize="9pt")
        legend.setBrush(pg.mkBrush(*palette().panel, 200))
        self.legend = legend
        self.batch_curve = self.plot.plot(
            pen=pg.mkPen(palette().negative, width=2), name="mini-batch g"
        )
        self.full_curve = self.plot.plot(
            pen=pg.mkPen(palette().positive, width=2), name="full-batch g"
        )
        self.landing = self.plot.plot(
            pen=None,
            symbol="o",
            symbolSize=11,
            symbolBrush=palette().highlight,
            name="SGD step (t = η)",
        )
        self.eta_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(palette().highlight + (120,), width=1)
        )
        self.plot.addItem(self.eta_line)
        self.restyle()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.plot, 1)

    def restyle(self) -> None:
        """Draw the curves and the legend in the theme's colours."""
        p = palette()
        self.legend.setBrush(pg.mkBrush(*p.panel, 200))
        self.legend.setLabelTextColor(qcolor(p.text))
        self.batch_curve.setPen(pg.mkPen(p.negative, width=2))
        self.full_curve.setPen(pg.mkPen(p.positive, width=2))
        self.landing.setSymbolBrush(p.highlight)
        self.eta_line.setPen(pg.mkPen(p.highlight + (120,), width=1))

    def refresh(self, state: ExplorerState, images: np.ndarray | None, labels) -> None:
        """Run the line search over the whole training set in use and plot it."""
        e = state.exploration
        if images is None or len(images) == 0:
            self.summary.setText("Load a training set to compare with the full-batch gradient.")
            self.values = {}
            self._key = None
            return
        key = (e.snapshot, images)
        if same_key(self._key, key):
            return  # the search depends on the network and the data, not on the example
        eta = float(e.snapshot.train_config.learning_rate)
        ts = np.linspace(0.0, 3.0 * eta, LINE_POINTS)
        search = eg.line_search(e, images, labels, ts)
        self._key = key
        self.batch_curve.setData(search.ts, search.batch_curve)
        self.full_curve.setData(search.ts, search.full_curve)
        self.landing.setData([eta], [search.landing])
        self.eta_line.setValue(eta)
        angle = float(np.degrees(np.arccos(np.clip(search.cosine, -1.0, 1.0))))
        self.summary.setText(
            f"Cost C on all {search.n_examples:,} training images in use, now "
            f"{fmt(search.full_curve[0])}; the full-batch gradient is the mean over all "
            f"{search.n_examples:,}. The SGD step (t = &eta; = {fmt(eta)} along the "
            f"mini-batch gradient of {quantity(len(e.batch_labels), 'example')}) lands at "
            f"<b>{fmt(search.landing)}</b> "
            f"({'lower' if search.landing < search.full_curve[0] else 'higher: this time uphill'})."
            " Cosine between the two gradients: "
            f"<b>{search.cosine:.3f}</b> (an angle of {angle:.0f}&deg;)."
        )
        self.values = {"search": search}
