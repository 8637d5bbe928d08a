"""Explorer steps 1-3: the forward pass, the cost of one example and the nudges it wants."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine.lessons.nudges import nudged_quantity
from engine.words import quantity
from gui.colors import css, palette
from gui.explorer.state import ExplorerState
from gui.explorer.text import fmt
from gui.explorer.widgets import bar_plot, info_label, set_bars


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
        on = nudged_quantity(e.network.config.cost)  # on a, or on z for softmax
        head = f"&minus;&part;C/&part;{on}<sub>j</sub>"
        up, down = palette().positive, palette().negative
        rows = "".join(
            f"<tr><td>{'<b>' if j == e.label else ''}{j}</td><td align=right>{a[j]:.3f}</td>"
            f"<td align=right>{e.y[j]:.0f}</td><td align=right style='color:"
            f"{css(up if n >= 0 else down)}'>{fmt(n)}</td></tr>"
            for j, n in enumerate(nudges)
        )
        self.table.setText(
            f"<table cellspacing=6><tr><th>digit</th><th>a<sub>j</sub></th><th>y<sub>j</sub></th>"
            f"<th>nudge {head} = y<sub>j</sub> &minus; a<sub>j</sub></th></tr>{rows}</table>"
        )
        self.values = {"nudges": nudges}
