"""The Compare tab: kept runs overlaid on one cost plot and one accuracy plot, and experiments.

The cost plot draws each run's mini-batch costs straight from its curves (or their mean over the
last 100 mini-batches, when smoothing is on); the accuracy plot draws each epoch's test accuracy
and, as a star, the final network's when the run ended between epochs.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import NamedTuple, TextIO

import numpy as np
import pyqtgraph as pg
import PySide6  # noqa: F401  (pyqtgraph binds to the first Qt binding imported)
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from engine.experiments import EXPERIMENTS, FAIR, SAME, WHY_FAIR, WHY_SAME, SweepResult
from engine.runs import RUNNING, Run
from gui.atomic_export import write_png, write_text
from gui.colors import palette, qcolor, series_colour
from gui.theme import style_plot, theme_changed

SMOOTH_WINDOW = 100  # mini-batches in the smoothed cost
MODE_LABELS = {FAIR: "Fair: own \u03b7, standard init", SAME: "Same settings: \u03b7 = 3, N(0, 1)"}
RATE_ONLY = (
    "This experiment varies the learning rate itself: all its runs use the video's N(0, 1) "
    "weights, whichever mode is chosen."
)
AXIS_LABELS = {"epochs": "epochs of training", "examples": "examples seen", "updates": "updates"}


def smoothed(y: np.ndarray, window: int = SMOOTH_WINDOW) -> np.ndarray:
    """Return the mean of the last ``window`` values at every point (fewer at the start)."""
    y = np.asarray(y, float)
    if len(y) == 0:
        return y
    c = np.concatenate([[0.0], np.cumsum(y)])
    i = np.arange(1, len(y) + 1)
    lo = np.maximum(i - window, 0)
    return (c[i] - c[lo]) / (i - lo)


class DrawnRun(NamedTuple):
    """The (x, y) points one run's plot items hold: its cost, its accuracy and its final star."""

    cost: tuple[np.ndarray, np.ndarray]
    accuracy: tuple[np.ndarray, np.ndarray]
    final: tuple[np.ndarray, np.ndarray]


def _points(item: pg.PlotDataItem) -> tuple[np.ndarray, np.ndarray]:
    """Return the (x, y) a curve was given, before any log scale."""
    return np.asarray(item.xData), np.asarray(item.yData)


class ComparePanel(QWidget):
    """Overlays the chosen runs' curves; starts experiments; exports PNG and CSV."""

    open_requested = Signal(object)  # Run whose network the main window should open
    save_requested = Signal(object)  # Run to save as a model file
    remove_requested = Signal(object)  # Run to forget
    experiment_requested = Signal(str, int)  # experiment key, budget in epochs
    cancel_requested = Signal()
    budget_changed = Signal(int)  # bytes
    save_dropped_toggled = Signal(bool)  # save runs before the budget drops them

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[Run] = []
        self._hidden: set[int] = set()  # serials of runs toggled off
        self._cost_items: dict[int, pg.PlotDataItem] = {}
        self._accuracy_items: dict[int, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self._build()

    def _build(self) -> None:
        """Lay out the experiment and run controls on the left, the two plots on the right."""
        self.experiment = QComboBox()
        for e in EXPERIMENTS:
            self.experiment.addItem(e.title, e.key)
        self.experiment.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.experiment.setMinimumContentsLength(8)
        self.experiment.currentIndexChanged.connect(self._show_look_for)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100)
        self.epochs.setValue(3)
        self.epochs.setSuffix(" epochs")
        self.epochs.setToolTip("The budget of every run, in epochs of the training set in use.")
        self.mode = QComboBox()
        for key, label in MODE_LABELS.items():
            self.mode.addItem(label, key)
        self.mode.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.mode.setMinimumContentsLength(8)
        self.mode.setToolTip(
            "Fair: each variant at the learning rate a short sweep picks, with its standard "
            "initialisation. Same settings: the video's \u03b7 = 3 and N(0, 1) weights for all."
        )
        self.mode.currentIndexChanged.connect(self._show_look_for)
        self.seeds = QSpinBox()
        self.seeds.setRange(1, 5)
        self.seeds.setValue(1)
        self.seeds.setPrefix("Seeds: ")
        self.seeds.setToolTip(
            "Runs of each variant from consecutive seeds, so that a difference can be compared "
            "with the spread between seeds."
        )
        self.run_button = QPushButton("Run experiment")
        self.run_button.clicked.connect(self._on_run_clicked)
        self.other_mode_button = QPushButton()
        self.other_mode_button.setObjectName("other_mode")
        self.other_mode_button.clicked.connect(self._on_other_mode_clicked)
        self.other_mode_button.hide()
        self.look_for = QLabel()
        self.look_for.setObjectName("look_for")
        self.look_for.setWordWrap(True)
        self.mode_why = QLabel()
        self.mode_why.setObjectName("mode_why")
        self.mode_why.setWordWrap(True)
        self.progress = QLabel()
        self.progress.setObjectName("experiment_progress")
        self.progress.setWordWrap(True)
        self.sweep_text = QLabel()
        self.sweep_text.setObjectName("sweep_text")
        self.sweep_text.setWordWrap(True)
        self.findings = QLabel()
        self.findings.setObjectName("findings")
        self.findings.setWordWrap(True)
        self.findings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sweep_text.hide()  # until there is a sweep to list
        self.findings.hide()  # until an experiment has finished
        group = QGroupBox("Experiments in one click")
        grid = QGridLayout(group)
        for row, widget in enumerate(
            (
                self.experiment,
                self.mode,
                self.epochs,
                self.seeds,
                self.run_button,
                self.look_for,
                self.mode_why,
                self.progress,
                self.sweep_text,
                self.findings,
                self.other_mode_button,
            )
        ):
            grid.addWidget(widget, row, 0)

        self.run_list = QListWidget()
        self.run_list.setObjectName("run_list")
        self.run_list.setMinimumHeight(120)
        self.run_list.itemChanged.connect(self._on_item_changed)
        self.open_button = QPushButton("Open network")
        self.open_button.setToolTip("Open the selected run's network and history in the main view.")
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip("Save the selected run as a model file.")
        self.remove_button = QPushButton("Remove")
        for button, signal in (
            (self.open_button, self.open_requested),
            (self.save_button, self.save_requested),
            (self.remove_button, self.remove_requested),
        ):
            button.clicked.connect(lambda _=False, s=signal: self._emit_selected(s))
        self.memory = QLabel()
        self.memory.setObjectName("memory")
        self.memory.setWordWrap(True)
        self.budget = QSpinBox()
        self.budget.setRange(1, 4096)
        self.budget.setSuffix(" MB")
        self.budget.setPrefix("Budget ")
        self.budget.setToolTip("When the kept runs outgrow this, the oldest are dropped.")
        self.budget.valueChanged.connect(lambda mb: self.budget_changed.emit(mb * 1024 * 1024))
        self.save_dropped = QCheckBox("Save dropped runs")
        self.save_dropped.setToolTip("Ask for a folder; runs dropped to fit the budget go there.")
        self.save_dropped.toggled.connect(self.save_dropped_toggled.emit)
        self.png_button = QPushButton("PNG…")
        self.png_button.setObjectName("export_png")
        self.png_button.setToolTip("Export the comparison as a picture.")
        self.csv_button = QPushButton("CSV…")
        self.csv_button.setToolTip("Export every run's curves as a CSV file.")
        runs_box = QGroupBox("Kept runs")
        runs_layout = QGridLayout(runs_box)
        runs_layout.addWidget(self.run_list, 0, 0, 1, 2)
        runs_layout.addWidget(self.open_button, 1, 0, 1, 2)
        runs_layout.addWidget(self.save_button, 2, 0)
        runs_layout.addWidget(self.remove_button, 2, 1)
        runs_layout.addWidget(QLabel("Export the comparison:"), 3, 0, 1, 2)
        runs_layout.addWidget(self.png_button, 4, 0)
        runs_layout.addWidget(self.csv_button, 4, 1)
        runs_layout.addWidget(self.memory, 5, 0, 1, 2)
        runs_layout.addWidget(self.budget, 6, 0, 1, 2)
        runs_layout.addWidget(self.save_dropped, 7, 0, 1, 2)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 4, 0)
        side_layout.addWidget(group)
        side_layout.addWidget(runs_box, 1)
        side_scroll = QScrollArea()
        side_scroll.setWidget(side)
        side_scroll.setWidgetResizable(True)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = side_scroll.verticalScrollBar().sizeHint().width()
        side_scroll.setMinimumWidth(side.minimumSizeHint().width() + bar + 4)

        self.x_axis = QComboBox()
        for key, label in AXIS_LABELS.items():
            self.x_axis.addItem(label, key)
        self.x_axis.setToolTip("Compare runs per epoch, per example seen or per update made.")
        self.x_axis.currentIndexChanged.connect(self.redraw)
        self.log_x = QCheckBox("log x")
        self.log_y = QCheckBox("log cost")
        self.smooth = QCheckBox("smooth")
        self.smooth.setChecked(True)
        self.smooth.setToolTip(f"Draw the mean of the last {SMOOTH_WINDOW} mini-batch costs.")
        for box in (self.log_x, self.log_y, self.smooth):
            box.toggled.connect(self.redraw)
        self.x_axis.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.x_axis.setMinimumContentsLength(8)
        options = QHBoxLayout()  # wraps onto a second row in a narrow window
        options.addWidget(QLabel("x:"))
        options.addWidget(self.x_axis, 1)
        checks = QHBoxLayout()
        for widget in (self.log_x, self.log_y, self.smooth):
            checks.addWidget(widget)
        checks.addStretch(1)

        self.cost_plot = pg.PlotWidget()
        self.accuracy_plot = pg.PlotWidget()
        for plot, label in ((self.cost_plot, "cost"), (self.accuracy_plot, "test accuracy (%)")):
            item = plot.getPlotItem()
            item.setLabel("left", label)
            item.getAxis("bottom").enableAutoSIPrefix(False)
            item.showGrid(x=True, y=True, alpha=0.12)
            plot.setMinimumHeight(110)
        self.accuracy_plot.setXLink(self.cost_plot)
        self.legend = self.cost_plot.getPlotItem().addLegend(
            offset=(-10, 10), labelTextSize="8pt", labelTextColor=qcolor(palette().text)
        )
        for plot in (self.cost_plot, self.accuracy_plot):
            style_plot(plot)
        self.plots = QSplitter(Qt.Orientation.Vertical)
        self.plots.addWidget(self.cost_plot)
        self.plots.addWidget(self.accuracy_plot)
        self.plots.setStretchFactor(0, 3)
        self.plots.setStretchFactor(1, 2)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        right_layout.addLayout(options)
        right_layout.addLayout(checks)
        right_layout.addWidget(self.plots, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(side_scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self._show_look_for()
        self._update_axis_labels()

    def _show_look_for(self) -> None:
        """Show the chosen experiment's sentence on what to look for, and what its mode means."""
        key = self.experiment.currentData()
        self.other_mode_button.hide()  # it offered the experiment that finished
        self.look_for.setText(
            f"<i>What to look for:</i> {EXPERIMENTS[self.experiment.currentIndex()].look_for}"
        )
        if key == "learning-rate":
            self.mode_why.setText(RATE_ONLY)
        else:
            self.mode_why.setText(WHY_FAIR if self.mode_key() == FAIR else WHY_SAME)

    def mode_key(self) -> str:
        """Return the chosen mode: FAIR or SAME."""
        return self.mode.currentData()

    def set_mode(self, key: str) -> None:
        """Choose mode ``key`` (FAIR or SAME)."""
        self.mode.setCurrentIndex(self.mode.findData(key))

    def _on_run_clicked(self) -> None:
        """Start the chosen experiment, or cancel the one running."""
        if self.run_button.property("running"):
            self.cancel_requested.emit()
        else:
            self.experiment_requested.emit(self.experiment.currentData(), self.epochs.value())

    def _on_other_mode_clicked(self) -> None:
        """Run the same experiment again in the other mode: the comparison one click away."""
        self.set_mode(SAME if self.mode_key() == FAIR else FAIR)
        self.experiment_requested.emit(self.experiment.currentData(), self.epochs.value())

    def set_sweeps(self, sweeps: list[SweepResult]) -> None:
        """List each sweep: the rates tried, each one's held-out accuracy, and the one picked."""
        self.sweep_text.setVisible(bool(sweeps))  # no empty gap in the column
        if not sweeps:
            self.sweep_text.setText("")
            return
        first = sweeps[0]
        head = (
            f"<i>Learning-rate sweep:</i> each rate trained a fresh network on "
            f"{first.examples:,} examples, judged on {first.validation:,} held-out training "
            "images (not the test set)."
        )
        lines = "".join(f"<br>\u2022 {html.escape(s.describe())}" for s in sweeps)
        self.sweep_text.setText(head + lines)

    def set_findings(self, findings: list[str], finished_mode: str | None = None) -> None:
        """Show what the finished experiment showed, and offer it in the other mode."""
        self.findings.setVisible(bool(findings))
        if not findings:
            self.findings.setText("")
            self.other_mode_button.hide()
            return
        items = "".join(f"<br>\u2022 {html.escape(line)}" for line in findings)
        self.findings.setText(f"<b>What these runs showed:</b>{items}")
        if finished_mode is None or self.experiment.currentData() == "learning-rate":
            self.other_mode_button.hide()
            return
        other = SAME if finished_mode == FAIR else FAIR
        self.other_mode_button.setText(
            "Run again at the same settings" if other == SAME else "Run again, fair"
        )
        self.other_mode_button.setToolTip(MODE_LABELS[other])
        self.other_mode_button.show()

    def set_experiment_running(self, running: bool, text: str = "") -> None:
        """Show whether an experiment trains (the button becomes Cancel) and its progress."""
        self.run_button.setProperty("running", running)
        self.run_button.setText("Cancel" if running else "Run experiment")
        for widget in (self.experiment, self.epochs, self.mode, self.seeds):
            widget.setEnabled(not running)
        if running:
            self.other_mode_button.hide()
        self.progress.setText(text)

    def choose_experiment(self, key: str) -> None:
        """Select experiment ``key`` in the list, with its sentence."""
        self.experiment.setCurrentIndex(self.experiment.findData(key))

    def x_axis_key(self) -> str:
        """Return the x axis in use: "epochs", "examples" or "updates"."""
        return self.x_axis.currentData()

    def set_x_axis(self, key: str) -> None:
        """Put ``key`` on the x axis."""
        self.x_axis.setCurrentIndex(self.x_axis.findData(key))

    def set_memory(self, used: int, budget: int) -> None:
        """Show the memory the kept runs use and the budget."""
        self.memory.setText(f"Kept runs use {used / 2**20:.1f} MB of {budget / 2**20:.0f} MB.")
        self.budget.blockSignals(True)
        self.budget.setValue(max(1, round(budget / 2**20)))
        self.budget.blockSignals(False)

    def set_runs(self, runs: list[Run]) -> None:
        """Show these runs (oldest first), keeping each run's on/off choice."""
        self.runs = list(runs)
        serials = {r.serial for r in self.runs}
        self._hidden &= serials
        current = self.selected_run()
        self.run_list.blockSignals(True)
        self.run_list.clear()
        for index, run in enumerate(self.runs):
            item = QListWidgetItem(self._item_text(run))
            pixmap = QPixmap(12, 12)
            pixmap.fill(QColor(*series_colour(run.serial - 1)))
            item.setIcon(QIcon(pixmap))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            shown = run.serial not in self._hidden
            item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)
            item.setToolTip(run.describe())
            item.setData(Qt.ItemDataRole.UserRole, run.serial)
            self.run_list.addItem(item)
            if current is not None and run.serial == current.serial:
                self.run_list.setCurrentRow(index)
        self.run_list.blockSignals(False)
        self.redraw()

    def update_run(self, run: Run) -> None:
        """Redraw one growing run's curves and its line in the list."""
        for row in range(self.run_list.count()):
            item = self.run_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == run.serial:
                self.run_list.blockSignals(True)
                item.setText(self._item_text(run))
                item.setToolTip(run.describe())
                self.run_list.blockSignals(False)
        if run.serial in self._cost_items:
            self._draw_run(run)
        else:
            self.redraw()

    @staticmethod
    def _item_text(run: Run) -> str:
        """Return the list line: name, final test accuracy, and status when not finished."""
        acc = run.final_accuracy()
        text = run.name + (f": {100 * acc:.1f}%" if acc is not None else "")
        if run.status != "finished":
            text += f" ({run.status})"
        return text

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        serial = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self._hidden.discard(serial)
        else:
            self._hidden.add(serial)
        self.redraw()

    def selected_run(self) -> Run | None:
        """Return the run selected in the list, if any."""
        item = self.run_list.currentItem()
        if item is None:
            return None
        serial = item.data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.runs if r.serial == serial), None)

    def select_run(self, run: Run) -> None:
        """Select ``run`` in the list."""
        for row in range(self.run_list.count()):
            if self.run_list.item(row).data(Qt.ItemDataRole.UserRole) == run.serial:
                self.run_list.setCurrentRow(row)

    def _emit_selected(self, signal) -> None:
        run = self.selected_run()
        if run is not None:
            signal.emit(run)

    def shown_runs(self) -> list[Run]:
        """Return the runs toggled on, oldest first."""
        return [r for r in self.runs if r.serial not in self._hidden]

    def _update_axis_labels(self) -> None:
        label = AXIS_LABELS[self.x_axis_key()]
        for plot in (self.cost_plot, self.accuracy_plot):
            plot.getPlotItem().setLabel("bottom", label)
            plot.getPlotItem().setLogMode(x=self.log_x.isChecked())
        self.cost_plot.getPlotItem().setLogMode(x=self.log_x.isChecked(), y=self.log_y.isChecked())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Follow a change of theme: the plots' canvas and every run's colour."""
        super().changeEvent(event)
        if theme_changed(self, event):
            for plot in (self.cost_plot, self.accuracy_plot):
                style_plot(plot)
            self.legend.setLabelTextColor(qcolor(palette().text))
            self.redraw()

    def redraw(self) -> None:
        """Draw every shown run afresh (after a change of runs, axis or scale)."""
        self._update_axis_labels()
        for plot in (self.cost_plot, self.accuracy_plot):
            plot.getPlotItem().clear()
        self.legend.clear()
        self._cost_items = {}
        self._accuracy_items = {}
        for run in self.shown_runs():
            colour = series_colour(run.serial - 1)
            width = 2 if run.status != RUNNING else 1
            name = run.name if run.status == "finished" else f"{run.name} ({run.status})"
            cost = self.cost_plot.plot(pen=pg.mkPen(colour, width=width), name=name)
            cost.setDownsampling(auto=True, method="peak")
            cost.setClipToView(True)
            line = self.accuracy_plot.plot(
                pen=pg.mkPen(colour, width=1), symbol="o", symbolSize=6, symbolBrush=colour
            )
            final = self.accuracy_plot.plot(
                pen=None, symbol="star", symbolSize=12, symbolBrush=colour
            )
            self._cost_items[run.serial] = cost
            self._accuracy_items[run.serial] = (line, final)
            self._draw_run(run)

    def drawn(self) -> dict[int, DrawnRun]:
        """Return what the plots hold for each shown run, by serial: the curves on screen."""
        return {
            serial: DrawnRun(_points(cost), *(_points(i) for i in self._accuracy_items[serial]))
            for serial, cost in self._cost_items.items()
        }

    def cost_data(self, run: Run) -> tuple[np.ndarray, np.ndarray]:
        """Return the (x, cost) the plot draws for ``run`` on the current axis and smoothing."""
        x, y = run.cost_curve(self.x_axis_key())
        return x, smoothed(y) if self.smooth.isChecked() else np.asarray(y, float)

    def accuracy_data(self, run: Run) -> tuple[np.ndarray, np.ndarray]:
        """Return the (x, accuracy in %) the accuracy plot draws for ``run``."""
        x, acc = run.accuracy_curve(self.x_axis_key())
        return x, 100 * np.asarray(acc, float)

    def _draw_run(self, run: Run) -> None:
        """Hand one run's curves to its plot items."""
        cost = self._cost_items[run.serial]
        x, y = self.cost_data(run)
        if self.log_y.isChecked():
            keep = y > 0
            x, y = x[keep], y[keep]
        cost.setData(x, y)
        line, final = self._accuracy_items[run.serial]
        line.setData(*self.accuracy_data(run))
        fx, fy = [], []
        c = run.curves
        if run.final_test is not None and len(c["batch_progress"]):
            end = c["batch_progress"][-1]
            if not len(c["epoch_epoch"]) or c["epoch_epoch"][-1] != end:
                fx = run.x_values(self.x_axis_key(), np.array([end]))
                fy = [100 * run.final_test[1]]
        final.setData(fx, fy)

    def export_png(self, path: str | Path) -> bool:
        """Save the two plots with their legend as a PNG; return False if it cannot be written."""
        try:
            write_png(self.plots.grab(), path)
        except OSError:
            return False
        return True

    def export_csv(self, path: str | Path) -> None:
        """Write every kept run's curves: one row per mini-batch, per epoch and final test."""
        write_text(path, self._write_csv)

    def _write_csv(self, file: TextIO) -> None:
        """Write the CSV rows of ``export_csv`` to an open text file."""
        w = csv.writer(file)
        w.writerow(
            [
                "run",
                "configuration",
                "kind",
                "epochs",
                "examples",
                "updates",
                "cost",
                "test_cost",
                "test_accuracy",
            ]
        )
        for run in self.runs:
            c = run.curves
            head = [run.name, run.describe()]
            p = c["batch_progress"]
            ex, up = run.x_values("examples", p), run.x_values("updates", p)
            for x, n, u, cost in zip(p, ex, up, c["batch_cost"]):
                w.writerow([*head, "batch", f"{x:.6f}", int(n), int(u), f"{cost:.6g}", "", ""])
            e = c["epoch_epoch"]
            ex, up = run.x_values("examples", e), run.x_values("updates", e)
            tests = zip(c["epoch_train_cost"], c["epoch_test_cost"], c["epoch_test_accuracy"])
            for x, n, u, values in zip(e, ex, up, tests):
                costs = [f"{v:.6g}" for v in values]
                w.writerow([*head, "epoch", f"{x:.6f}", int(n), int(u), *costs])
            if run.final_test is not None and len(p):
                n = int(run.x_values("examples", p[-1:])[0])
                final = [f"{v:.6g}" for v in run.final_test]
                w.writerow([*head, "final", f"{p[-1]:.6f}", n, len(p), "", *final])
