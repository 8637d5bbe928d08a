"""Explorer steps 4-5: three ways to change an output neuron, and propagating back."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine.core.update import step_scale
from engine.words import quantity
from gui.colors import palette
from gui.explorer.state import ExplorerState
from gui.explorer.text import agreement, direction, fmt
from gui.explorer.widgets import SHORT_PAGE, bar_plot, info_label, set_bars, sign_brushes


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
        self.combo_label = QLabel("Output neuron (digit):")
        row.addWidget(self.combo_label)
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
        items = [state.name(j) for j in range(n_out)]
        if [self.combo.itemText(j) for j in range(self.combo.count())] != items:
            self.combo.clear()
            self.combo.addItems(items)
            self.combo_label.setText(f"Output neuron ({state.kind}):")
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
        bias_wanted = step_scale(eta, m) * c.delta  # this example's share of the step
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
            f"<b>{fmt(c.delta)}</b>; this example's share of the mini-batch step is "
            f"&minus;(&eta;/m)&delta;<sub>{j}</sub> = &minus;({fmt(eta)}/{m}) &times; "
            f"{fmt(c.delta)} = <b>{fmt(bias_wanted)}</b> ({direction(bias_wanted)}); a step on "
            f"it alone (Teach it) would be &minus;&eta;&delta;<sub>{j}</sub> = "
            f"<b>{fmt(step_scale(eta, 1) * c.delta)}</b>. {step_text} "
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
        set_bars(self.plot, heights, brushes, ticks, signs=heights)
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
            f"&delta;<sub>k</sub> ({palette().positive_word}: fire more, "
            f"{palette().negative_word}: fire less); the largest is neuron {k}'s, "
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
