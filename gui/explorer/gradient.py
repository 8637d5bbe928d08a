"""Explorer steps 6-8: the mini-batch mean, the gradient as sensitivity, the check."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QIcon, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
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
from engine.lessons import explorer_gradient as eg
from engine.words import compared, quantity
from gui.colors import palette, qcolor, signed_image
from gui.explorer.state import ExplorerState
from gui.explorer.text import fmt, param_name, param_symbol, short_name
from gui.explorer.widgets import (
    NUDGE_RANGE,
    SLIDER_STEPS,
    bar_plot,
    fit_columns,
    info_label,
    thumbnail,
    wrapped,
)


def went(before: float, after: float) -> str:
    """Return "before &rarr; after" with digits that differ, or saying they are the same."""
    first, second, word = compared(before, after)
    return f"{first} &rarr; <b>{second}</b>" + (f" ({word})" if "same" in word else "")


class BatchPage(QWidget):
    """Step 6: each mini-batch example's desired change of a few weights, the average, the step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.table = QTableWidget()
        self.table.setTabKeyNavigation(False)  # arrows move in it; Tab leaves it, never traps
        self.table.setObjectName("batch_table")
        self.table.setIconSize(QSize(28, 28))
        self.table.verticalHeader().setDefaultSectionSize(31)
        fit_columns(self.table)
        self.costs = info_label("batch_costs")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # the page's width for the table
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
        taken = np.array([step.at(*p) for p in params])  # the step the engine took
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
            t.setItem(m + 1, c, self._cell(taken[c], bold=True))
        fit_columns(t)
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
            f"{went(step.example_before, step.example_after)}; "
            f"of the mini-batch: {went(step.batch_before, step.batch_after)}." + extra
        )
        self.values = {
            "params": params,
            "each": each,
            "average": average,
            "gradient": gradient,
            "step": taken,
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
        self.button = QPushButton("&Check all layers")
        self.button.setObjectName("check_all")
        self.button.clicked.connect(self.check_all)
        self.table = QTableWidget(0, 4)
        self.table.setTabKeyNavigation(False)  # arrows move in it; Tab leaves it, never traps
        self.table.setObjectName("check_table")
        self.table.setHorizontalHeaderLabels(
            ["parameter", "backprop", "numerical\nestimate", "relative\nerror"]  # narrow page
        )
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table)
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
        layout.setContentsMargins(0, 0, 0, 0)  # the page's width for the table
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
        fit_columns(self.table)
        self.values["all"] = results
