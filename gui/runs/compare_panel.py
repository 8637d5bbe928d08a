"""The Compare tab: kept runs overlaid on one cost plot and one accuracy plot, and experiments.

The cost plot draws each run's mini-batch costs straight from its curves (or their mean over the
last 100 mini-batches, when smoothing is on); the accuracy plot draws each epoch's test accuracy
and, as a star, the final network's when the run ended between epochs. The legend is a row above
the curves, never over them; each kept run keeps a colour no other kept run has (twelve of them).
The PNG export paints the same curves afresh at a slide's size, 1600x900.
"""

from __future__ import annotations

import contextlib
import csv
import html
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple, TextIO

import numpy as np
import pyqtgraph as pg
import PySide6  # noqa: F401  (pyqtgraph binds to the first Qt binding imported)
from PySide6.QtCore import QEvent, QPointF, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QImage,
    QPainter,
    QPixmap,
    QShowEvent,
)
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

from engine.lessons.experiments import (
    BY_KEY,
    EXPERIMENTS,
    FAIR,
    SAME,
    WHY_FAIR,
    WHY_SAME,
    SweepResult,
)
from engine.limits import RUNS_BUDGET_MB
from engine.session.history import trailing_mean
from engine.session.runs import FINISHED, RUNNING, KeptRun
from gui.atomic_export import write_png, write_text
from gui.colors import SERIES, palette, qcolor, series_colour
from gui.log_axis import count_axes
from gui.runs.first_layer_tiles import FirstLayerTiles
from gui.theme import style_plot, theme_changed

SMOOTH_WINDOW = 100  # mini-batches in the smoothed cost
DRAW_SLICE_S = 0.02  # drawing queued runs, per turn of the event loop (issue 24: < 100 ms)
POINTS_ON_SCREEN = 30_000  # cost-curve points of all runs together, after downsampling
THIN_LINES_FROM = 24  # more shown runs than this draw their cost curves 1 px wide
EXPORT_SIZE = (1600, 900)  # pixels of the exported picture: a slide's
EXPORT_HEIGHT = 600.0  # the picture is laid out this tall, then painted at its pixel size
LEGEND_SAMPLE = 34  # a legend entry's line sample and its gaps, in pixels
EXPORT_TEXT = 13  # the exported legend's text, in the picture's layout units
EXPORT_MARGIN = 12.0
EXPORT_AXIS = 64  # the width of both plots' left axes in the picture, so their x axes line up
MODE_LABELS = {FAIR: "Fair: own \u03b7, standard init", SAME: "Same settings: \u03b7 = 3, N(0, 1)"}
RATE_ONLY = (
    "This experiment varies the learning rate itself: all its runs use the video's N(0, 1) "
    "weights, whichever mode is chosen."
)
DATA_ONLY = (
    "This experiment varies the data itself: every run uses the video's \u03b7 = 3, N(0, 1) "
    "weights and mini-batches of 10, from the same seed and for the same number of "
    "mini-batches, whichever mode is chosen."
)
AXIS_LABELS = {"epochs": "epochs of training", "examples": "examples seen", "updates": "updates"}


def smoothed(y: np.ndarray, window: int = SMOOTH_WINDOW) -> np.ndarray:
    """Return the mean of the last ``window`` values at every point (fewer at the start)."""
    return trailing_mean(np.asarray(y, float), window)


class DrawnRun(NamedTuple):
    """The (x, y) points one run's plot items hold: its cost, its accuracy and its final star."""

    cost: tuple[np.ndarray, np.ndarray]
    accuracy: tuple[np.ndarray, np.ndarray]
    final: tuple[np.ndarray, np.ndarray]


def _points(item: pg.PlotDataItem) -> tuple[np.ndarray, np.ndarray]:
    """Return the (x, y) a curve was given, before any log scale (empty arrays if none)."""
    if item.xData is None:
        return np.empty(0), np.empty(0)
    return np.asarray(item.xData), np.asarray(item.yData)


class _Styled(NamedTuple):
    """A plot of the export's own layout, in the shape ``style_plot`` styles."""

    item: pg.PlotItem

    def setBackground(self, _colour: QColor) -> None:  # noqa: N802 - the PlotWidget's name
        """The export's layout has one background, set once."""

    def getPlotItem(self) -> pg.PlotItem:  # noqa: N802 - the PlotWidget's name
        """Return the plot."""
        return self.item


def above_plot(item: pg.PlotItem) -> pg.LegendItem:
    """Return a legend placed in a row of its own above ``item``'s curves, never over them."""
    legend = pg.LegendItem(
        labelTextSize="8pt", frame=False, labelTextColor=qcolor(palette().dim), verSpacing=-6
    )
    item.layout.removeItem(item.titleLabel)
    item.titleLabel.setVisible(False)
    item.layout.addItem(legend, 0, 1)
    item.legend = legend  # curves given a name join it
    return legend


def fit_columns(legend: pg.LegendItem, width: float) -> None:
    """Give ``legend`` as many columns as fit ``width`` pixels (its widest entries decide)."""
    entries = [label.item.boundingRect().width() + LEGEND_SAMPLE for _s, label in legend.items]
    columns = max(len(entries), 1)
    while columns > 1:
        rows = [entries[i : i + columns] for i in range(0, len(entries), columns)]
        widths = [max(row[c] for row in rows if c < len(row)) for c in range(columns)]
        if sum(widths) <= width:
            break
        columns -= 1
    if legend.columnCount != columns:
        legend.setColumnCount(columns)


class ComparePanel(QWidget):
    """Overlays the chosen runs' curves; starts experiments; exports PNG and CSV."""

    open_requested = Signal(object)  # KeptRun whose network the main window should open
    save_requested = Signal(object)  # KeptRun to save as a model file
    remove_requested = Signal(object)  # KeptRun to forget
    experiment_requested = Signal(str, int)  # experiment key, budget in epochs
    cancel_requested = Signal()
    budget_changed = Signal(int)  # bytes
    save_dropped_toggled = Signal(bool)  # save runs before the budget drops them

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[KeptRun] = []
        self._hidden: set[int] = set()  # serials of runs toggled off
        self._cost_items: dict[int, pg.PlotDataItem] = {}
        self._accuracy_items: dict[int, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        self._colours: dict[int, int] = {}  # serial -> index of the run's colour, while it is kept
        self._progress: dict[str, str] = {}  # experiment key -> its latest progress or result
        self._styles: dict[int, tuple] = {}  # serial -> the style its items were made with
        self._drawn_as: dict[int, tuple] = {}  # serial -> what its items' points came from
        self._smooth_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # costs, their mean
        self._queue: list[int] = []  # serials of shown runs whose points are not drawn yet
        self._legend_holes = False  # an entry left the legend's grid
        self._many = False  # so many runs shown that their cost curves are drawn 1 px wide
        self._ds_factor = 5.0  # pyqtgraph's points per pixel, fewer when many curves are shown
        self._log_modes = (False, False)  # the log x and log cost the plots are set to
        self._draw_timer = QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(0)
        self._draw_timer.timeout.connect(self._draw_slice)
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
        self.experiment.currentIndexChanged.connect(self._show_progress)
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
        self.data_sets = QLabel()
        self.data_sets.setObjectName("data_sets")
        self.data_sets.setWordWrap(True)
        self.data_sets.hide()  # shown for an experiment that compares data sets
        self._data_sets_ready = False
        self.first_layers = FirstLayerTiles()
        self.first_layers.hide()  # until the data-sets experiment has finished
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
                self.data_sets,
                self.progress,
                self.sweep_text,
                self.findings,
                self.first_layers,
                self.other_mode_button,
            )
        ):
            grid.addWidget(widget, row, 0)

        self.run_list = QListWidget()
        self.run_list.setObjectName("run_list")
        self.run_list.setMinimumHeight(120)
        self.run_list.itemChanged.connect(self._on_item_changed)
        self.open_button = QPushButton("Open networ&k")
        self.open_button.setToolTip("Open the selected run's network and history in the main view.")
        self.save_button = QPushButton("Sav&e…")
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
        self.budget.setRange(int(RUNS_BUDGET_MB.low), int(RUNS_BUDGET_MB.high))
        self.budget.setSuffix(" MB")
        self.budget.setPrefix("Budget ")
        self.budget.setToolTip("When the kept runs outgrow this, the oldest are dropped.")
        self.budget.valueChanged.connect(lambda mb: self.budget_changed.emit(mb * 1024 * 1024))
        self.save_dropped = QCheckBox("Save dropped r&uns")
        self.save_dropped.setToolTip("Ask for a folder; runs dropped to fit the budget go there.")
        self.save_dropped.toggled.connect(self.save_dropped_toggled.emit)
        self.save_warning = (
            QLabel()
        )  # stays until a dropped run is saved again, or the folder changes
        self.save_warning.setObjectName("save_warning")
        self.save_warning.setWordWrap(True)
        self.save_warning.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_warning.hide()
        self.png_button = QPushButton("PNG…")
        self.png_button.setObjectName("export_png")
        self.png_button.setToolTip("Export the comparison as a picture.")
        self.csv_button = QPushButton("&CSV…")
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
        runs_layout.addWidget(self.save_warning, 8, 0, 1, 2)

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

        self.cost_plot = pg.PlotWidget(axisItems=count_axes())  # log ticks: 1,000 not 10³
        self.accuracy_plot = pg.PlotWidget(axisItems=count_axes())
        for plot, label in ((self.cost_plot, "cost"), (self.accuracy_plot, "test accuracy (%)")):
            item = plot.getPlotItem()
            item.setLabel("left", label)
            item.getAxis("bottom").enableAutoSIPrefix(False)
            item.showGrid(x=True, y=True, alpha=0.12)
            plot.setMinimumHeight(110)
        self.accuracy_plot.setXLink(self.cost_plot)
        self.legend = above_plot(self.cost_plot.getPlotItem())
        self.cost_plot.getPlotItem().vb.sigResized.connect(self._fit_legend)
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
        elif self.names_data_sets():
            self.mode_why.setText(DATA_ONLY)
        else:
            self.mode_why.setText(WHY_FAIR if self.mode_key() == FAIR else WHY_SAME)
        self.data_sets.setVisible(self.names_data_sets() and bool(self.data_sets.text()))
        self._enable_run()

    def names_data_sets(self, key: str | None = None) -> bool:
        """Return True if experiment ``key`` (default: the chosen one) compares data sets."""
        key = self.experiment.currentData() if key is None else key
        return key in BY_KEY and BY_KEY[key].plan is not None

    def set_data_sets(self, text: str, ready: bool) -> None:
        """Say which data sets the data-sets experiment found and which are missing; it can run
        only when ``ready`` (two of them at least)."""
        self.data_sets.setText(text)
        self._data_sets_ready = ready
        self.data_sets.setVisible(self.names_data_sets() and bool(text))
        self._enable_run()

    def _enable_run(self) -> None:
        """Offer KeptRun for the chosen experiment only when its data is there (Cancel always)."""
        running = bool(self.run_button.property("running"))
        self.run_button.setEnabled(running or not self.names_data_sets() or self._data_sets_ready)

    def set_first_layers(self, rows: list[tuple[str, np.ndarray]]) -> None:
        """Show each run's first-layer neurons as 28x28 tiles, under its caption (none: hide)."""
        self.first_layers.set_rows(rows)

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
        fixed = self.experiment.currentData() == "learning-rate" or self.names_data_sets()
        if finished_mode is None or fixed:
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
        self._progress[self.experiment.currentData()] = text  # the one running is the one shown
        self.progress.setText(text)
        self._enable_run()

    def _show_progress(self) -> None:
        """Show the chosen experiment's own latest progress or result, never another's."""
        self.progress.setText(self._progress.get(self.experiment.currentData(), ""))

    def choose_experiment(self, key: str) -> None:
        """Select experiment ``key`` in the list, with its sentence."""
        self.experiment.setCurrentIndex(self.experiment.findData(key))

    def x_axis_key(self) -> str:
        """Return the x axis in use: "epochs", "examples" or "updates"."""
        return self.x_axis.currentData()

    def set_x_axis(self, key: str) -> None:
        """Put ``key`` on the x axis."""
        self.x_axis.setCurrentIndex(self.x_axis.findData(key))

    def set_save_warning(self, text: str) -> None:
        """Show why dropped runs could not be saved (in the tab, where no message replaces it)."""
        self.save_warning.setText(text)
        self.save_warning.setVisible(bool(text))

    def set_memory(self, used: int, budget: int) -> None:
        """Show the memory the kept runs use and the budget."""
        self.memory.setText(f"Kept runs use {used / 2**20:.1f} MB of {budget / 2**20:.0f} MB.")
        self.budget.blockSignals(True)
        self.budget.setValue(max(1, round(budget / 2**20)))
        self.budget.blockSignals(False)

    def set_runs(self, runs: list[KeptRun]) -> None:
        """Show these runs (oldest first), keeping each run's on/off choice and colour."""
        self.runs = list(runs)
        serials = {r.serial for r in self.runs}
        self._hidden &= serials
        self._smooth_cache = {s: c for s, c in self._smooth_cache.items() if s in serials}
        self._colours = {s: c for s, c in self._colours.items() if s in serials}
        for run in self.runs:  # a new run takes the first colour no kept run has
            if run.serial not in self._colours:
                used = list(self._colours.values())
                free = [c for c in range(len(SERIES)) if c not in used]
                self._colours[run.serial] = free[0] if free else len(used) % len(SERIES)
        current = self.selected_run()
        self.run_list.blockSignals(True)
        self.run_list.clear()
        for index, run in enumerate(self.runs):
            item = QListWidgetItem(self._item_text(run))
            pixmap = QPixmap(12, 12)
            pixmap.fill(QColor(*self.colour_of(run)))
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

    def update_run(self, run: KeptRun) -> None:
        """Redraw one growing run's curves and its line in the list."""
        for row in range(self.run_list.count()):
            item = self.run_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == run.serial:
                self.run_list.blockSignals(True)
                item.setText(self._item_text(run))
                item.setToolTip(run.describe())
                self.run_list.blockSignals(False)
        if run.serial in self._cost_items and self.isVisible():
            self._draw_run(run)
        else:
            self.redraw()  # queued: drawn when the tab is shown

    @staticmethod
    def _item_text(run: KeptRun) -> str:
        """Return the list line: name, final test accuracy, and status when not finished."""
        acc = run.final_accuracy()
        text = run.name + (f": {100 * acc:.1f}%" if acc is not None else "")
        if run.status != FINISHED:
            text += f" ({run.status})"
        return text

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        serial = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self._hidden.discard(serial)
        else:
            self._hidden.add(serial)
        self.redraw()

    def colour_of(self, run: KeptRun) -> tuple[int, int, int]:
        """Return the colour ``run`` is drawn in (in the theme in use)."""
        return series_colour(self._colours.get(run.serial, run.serial - 1))

    def selected_run(self) -> KeptRun | None:
        """Return the run selected in the list, if any."""
        item = self.run_list.currentItem()
        if item is None:
            return None
        serial = item.data(Qt.ItemDataRole.UserRole)
        return next((r for r in self.runs if r.serial == serial), None)

    def select_run(self, run: KeptRun) -> None:
        """Select ``run`` in the list."""
        for row in range(self.run_list.count()):
            if self.run_list.item(row).data(Qt.ItemDataRole.UserRole) == run.serial:
                self.run_list.setCurrentRow(row)

    def _emit_selected(self, signal) -> None:
        run = self.selected_run()
        if run is not None:
            signal.emit(run)

    def set_shown(self, run: KeptRun, shown: bool) -> None:
        """Show ``run``'s curves or hide them, as its box in the list does."""
        if shown:
            self._hidden.discard(run.serial)
        else:
            self._hidden.add(run.serial)
        self.set_runs(self.runs)

    def shown_runs(self) -> list[KeptRun]:
        """Return the runs toggled on, oldest first."""
        return [r for r in self.runs if r.serial not in self._hidden]

    def _update_axis_labels(self) -> None:
        label = AXIS_LABELS[self.x_axis_key()]
        for plot in (self.cost_plot, self.accuracy_plot):
            plot.getPlotItem().setLabel("bottom", label)
        modes = (self.log_x.isChecked(), self.log_y.isChecked())
        if modes == self._log_modes:
            return
        # pyqtgraph maps every curve's points to the new scale at once (0.5-0.9 s for 20 runs of
        # full MNIST): the curves are emptied first and refilled by the queue, a few at a time.
        for serial, cost in self._cost_items.items():
            for item in (cost, *self._accuracy_items[serial]):
                item.setData([], [])
            self._drawn_as.pop(serial, None)
        self._log_modes = modes
        self.accuracy_plot.getPlotItem().setLogMode(x=modes[0])
        self.cost_plot.getPlotItem().setLogMode(x=modes[0], y=modes[1])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Follow a change of theme: the plots' canvas and every run's colour."""
        super().changeEvent(event)
        if theme_changed(self, event):
            for plot in (self.cost_plot, self.accuracy_plot):
                style_plot(plot)
            self.set_runs(self.runs)  # the list's swatches and the curves in the new colours

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Draw what changed while the tab was hidden."""
        super().showEvent(event)
        self._schedule()

    def redraw(self) -> None:
        """Bring the plots up to date with the shown runs, axis and scale: only what changed.

        A run newly shown gets its plot items, one no longer shown loses them, a run whose
        colour or status changed is restyled in place, and only the runs whose data or view
        changed are queued for new points. The queue is drawn in slices of DRAW_SLICE_S
        between turns of the event loop, and only while the tab is visible.
        """
        self._paint_plots(False)  # one paint for the whole change, once drawn
        self._update_axis_labels()
        shown = self.shown_runs()
        want = {r.serial: r for r in shown}
        self._many = len(shown) > THIN_LINES_FROM  # thin lines: legible, and half the paint
        with self._legend_batch():
            for serial in [s for s in self._cost_items if s not in want]:
                self._remove_items(serial)
            for serial in self._cost_items:
                if self._styles[serial] != self._style(want[serial]):
                    self._restyle(want[serial])
            self._set_downsampling(len(shown))
        self._queue = [r.serial for r in shown if self._drawn_as.get(r.serial) != self._key(r)]
        self._fit_legend()
        if self._queue:
            self._schedule()  # the last slice lets the plots paint
        else:
            self._paint_plots(True)

    def _style(self, run: KeptRun) -> tuple:
        """Return what a run's plot items look like: colour, line style and width, legend name.

        A run past the palette's last colour shares an earlier run's colour, so it is dashed.
        """
        name = run.name if run.status == FINISHED else f"{run.name} ({run.status})"
        width = 2 if run.status != RUNNING and not self._many else 1
        slot = self._colours.get(run.serial, run.serial - 1)
        repeats = slot % len(SERIES) >= len(palette().series)
        line = Qt.PenStyle.DashLine if repeats else Qt.PenStyle.SolidLine
        return self.colour_of(run), (line, width), name

    def _key(self, run: KeptRun) -> tuple:
        """Return what a run's drawn points depend on: the view and how far the run got."""
        c = run.curves
        view = (self.x_axis_key(), self.log_y.isChecked(), self.smooth.isChecked())
        return view, len(c["batch_cost"]), len(c["epoch_epoch"]), run.final_test

    def _make_items(self, run: KeptRun) -> None:
        """Give ``run`` its cost curve (with a legend entry), accuracy line and final star."""
        colour, (line, width), name = style = self._style(run)
        cost = self.cost_plot.plot(pen=pg.mkPen(colour, width=width, style=line), name=name)
        cost.setDownsampling(auto=True, method="peak")
        cost.opts["autoDownsampleFactor"] = self._ds_factor
        cost.setClipToView(True)
        line = self.accuracy_plot.plot(
            pen=pg.mkPen(colour, width=1), symbol="o", symbolSize=6, symbolBrush=colour
        )
        final = self.accuracy_plot.plot(pen=None, symbol="star", symbolSize=12, symbolBrush=colour)
        self._cost_items[run.serial] = cost
        self._accuracy_items[run.serial] = (line, final)
        self._styles[run.serial] = style

    def _restyle(self, run: KeptRun) -> None:
        """Give a run's existing items its colour, width and name now (theme, status)."""
        colour, (line, width), name = style = self._style(run)
        cost = self._cost_items[run.serial]
        cost.setPen(pg.mkPen(colour, width=width, style=line))
        cost.opts["name"] = name
        label = self.legend.getLabel(cost)
        if label is not None:
            label.setText(name)
        line, final = self._accuracy_items[run.serial]
        line.setPen(pg.mkPen(colour, width=1))
        line.setSymbolBrush(colour)
        final.setSymbolBrush(colour)
        self._styles[run.serial] = style

    def _remove_items(self, serial: int) -> None:
        """Take a run's items off the plots (and its legend entry)."""
        self.cost_plot.removeItem(self._cost_items.pop(serial))
        for item in self._accuracy_items.pop(serial):
            self.accuracy_plot.removeItem(item)
        self._styles.pop(serial, None)
        self._drawn_as.pop(serial, None)
        self._legend_holes = True  # its entry's place in the legend's grid stays empty

    def _set_downsampling(self, curves: int) -> None:
        """Thin each cost curve so that all of them together paint about POINTS_ON_SCREEN.

        pyqtgraph keeps autoDownsampleFactor points per pixel (2 per bin with "peak"); 150
        curves of 3,000 points took 0.35 s to paint. A few curves keep pyqtgraph's 5.
        """
        factor = float(min(5.0, max(0.1, POINTS_ON_SCREEN / (2000 * max(curves, 1)))))
        factor = float(f"{factor:.1g}")  # steps, so that one run more or less changes nothing
        if factor == self._ds_factor:
            return
        self._ds_factor = factor
        for cost in self._cost_items.values():
            cost.opts["autoDownsampleFactor"] = factor
            cost.updateItems(styleUpdate=False)

    @contextlib.contextmanager
    def _legend_batch(self) -> Iterator[None]:
        """Lay the legend out once after many entries come and go (pyqtgraph does it per entry)."""
        legend = self.legend
        legend.updateSize = lambda: None  # an instance attribute hides the method meanwhile
        try:
            yield
        finally:
            del legend.updateSize
            legend.updateSize()

    def _order_legend(self, force: bool = False) -> None:
        """Lay the legend out in the order of the shown runs, with no hole where one left."""
        legend = self.legend
        order = [
            self._cost_items[r.serial] for r in self.shown_runs() if r.serial in self._cost_items
        ]
        in_order = [s.item for s, _label in legend.items] == order
        if not force and not self._legend_holes and in_order:
            return  # in order already: a run added at the end
        self._legend_holes = False
        entries = {id(sample.item): (sample, label) for sample, label in legend.items}
        legend.items = [entries[id(item)] for item in order if id(item) in entries]
        layout = legend.layout
        for i in range(layout.count() - 1, -1, -1):
            layout.removeAt(i)
        columns = max(1, legend.columnCount)
        legend.rowCount = -(-len(legend.items) // columns)
        middle = Qt.AlignmentFlag.AlignVCenter
        for k, (sample, label) in enumerate(legend.items):  # as its _addItemToLayout would
            row, column = divmod(k, columns)
            layout.addItem(sample, row, 2 * column, alignment=middle)
            layout.addItem(label, row, 2 * column + 1)
        self._size_legend()

    def _size_legend(self) -> None:
        """Size the legend to its entries' own sizes (pyqtgraph sums their current geometry,
        which is stale, too wide, right after a re-layout)."""
        layout = self.legend.layout
        layout.invalidate()
        hint = layout.effectiveSizeHint(Qt.SizeHint.PreferredSize)
        self.legend.setGeometry(QRectF(0.0, 0.0, hint.width(), hint.height()))

    def _schedule(self) -> None:
        """Draw the queued runs soon, if the tab is visible (else when it is shown)."""
        if self._queue and self.isVisible() and not self._draw_timer.isActive():
            self._paint_plots(False)  # painted once, when all are drawn
            self._draw_timer.start()

    def _draw_slice(self) -> None:
        """Draw queued runs for DRAW_SLICE_S, then let the event loop run; again until done."""
        if not self.isVisible():
            return  # drawn when shown
        start = time.perf_counter()
        with self._legend_batch():
            while self._queue and time.perf_counter() - start < DRAW_SLICE_S:
                self._draw_queued(self._queue.pop(0))
        if self._queue:
            self._paint_plots(False)  # half-drawn states are not painted: one paint at the end
            self._draw_timer.start()
        else:  # the legend, the range and the paint each in a turn of their own
            QTimer.singleShot(0, self, self._fit_legend)
            QTimer.singleShot(0, self, lambda: self._paint_plots(not self._queue))

    def _paint_plots(self, on: bool) -> None:
        """Let the plots paint (True), or hold their paint while many runs are drawn (False)."""
        for plot in (self.cost_plot, self.accuracy_plot):
            if plot.updatesEnabled() != on:
                if on:  # fit the range to the new curves first: one paint, not one per change
                    plot.getPlotItem().vb.prepareForPaint()
                plot.setUpdatesEnabled(on)

    def _draw_queued(self, serial: int) -> None:
        """Make (if new) and fill one queued run's items."""
        run = next((r for r in self.runs if r.serial == serial), None)
        if run is None or serial in self._hidden:
            return
        if serial not in self._cost_items:
            self._make_items(run)
        self._draw_run(run)

    def draw_now(self) -> None:
        """Draw everything queued at once (before the plots are read or exported)."""
        with self._legend_batch():
            while self._queue:
                self._draw_queued(self._queue.pop(0))
        self._fit_legend()
        self._paint_plots(True)

    def _fit_legend(self) -> None:
        """Lay the legend over as many columns as fit the plot's width, in the runs' order."""
        columns = self.legend.columnCount
        fit_columns(self.legend, self.cost_plot.getPlotItem().vb.width())
        self._order_legend(force=self.legend.columnCount != columns)

    def drawn(self) -> dict[int, DrawnRun]:
        """Return what the plots hold for each shown run, by serial: the curves on screen."""
        self.draw_now()
        return {
            serial: DrawnRun(_points(cost), *(_points(i) for i in self._accuracy_items[serial]))
            for serial, cost in self._cost_items.items()
        }

    def cost_data(self, run: KeptRun) -> tuple[np.ndarray, np.ndarray]:
        """Return the (x, cost) the plot draws for ``run`` on the current axis and smoothing."""
        x, y = run.cost_curve(self.x_axis_key())
        return x, self._smoothed(run, y) if self.smooth.isChecked() else np.asarray(y, float)

    def _smoothed(self, run: KeptRun, y: np.ndarray) -> np.ndarray:
        """Return the run's smoothed costs, computed once per length of its curve."""
        cached = self._smooth_cache.get(run.serial)
        if cached is None or cached[0] is not y or len(cached[1]) != len(y):
            cached = (y, smoothed(y))
            self._smooth_cache[run.serial] = cached
        return cached[1]

    def accuracy_data(self, run: KeptRun) -> tuple[np.ndarray, np.ndarray]:
        """Return the (x, accuracy in %) the accuracy plot draws for ``run``."""
        x, acc = run.accuracy_curve(self.x_axis_key())
        return x, 100 * np.asarray(acc, float)

    def _draw_run(self, run: KeptRun) -> None:
        """Hand one run's curves to its plot items."""
        cost = self._cost_items[run.serial]
        x, y = self.cost_data(run)
        if self.log_y.isChecked():
            keep = y > 0
            x, y = x[keep], y[keep]
        cost.setData(x, y)
        self._drawn_as[run.serial] = self._key(run)
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
        final.setVisible(len(fx) > 0)  # an empty scatter still costs its paint

    def export_png(self, path: str | Path, size: tuple[int, int] = EXPORT_SIZE) -> bool:
        """Save the two plots with their legend as a PNG; return False if it cannot be written."""
        try:
            self.write_png(path, size)
        except OSError:
            return False
        return True

    def write_png(self, path: str | Path, size: tuple[int, int] = EXPORT_SIZE) -> None:
        """Save the two plots with their legend as a PNG; raises OSError saying why not."""
        write_png(self.render_picture(size), path)

    def render_picture(self, size: tuple[int, int] = EXPORT_SIZE) -> QImage:
        """Return the comparison painted afresh at ``size`` pixels: legend, cost and accuracy.

        The curves, scales and ranges are the ones on screen; the picture is laid out
        EXPORT_HEIGHT units tall and painted at size / that pixels per unit, so its text and
        lines are sharp at a slide's size whatever the size of the tab. The legend is a band of
        rows above the plots, never over the curves.
        """
        self.draw_now()
        for plot in (self.cost_plot, self.accuracy_plot):
            plot.getPlotItem().vb.prepareForPaint()  # the view's range, fitted to every curve
        width, height = size
        ratio = height / EXPORT_HEIGHT
        logical = QSizeF(width / ratio, EXPORT_HEIGHT)
        entries = [
            (self._cost_items[r.serial].name(), self.colour_of(r)) for r in self.shown_runs()
        ]
        font = QFont(self.font())
        font.setPixelSize(EXPORT_TEXT)
        line = QFontMetrics(font).height() + 4
        widest = max((QFontMetrics(font).horizontalAdvance(n) for n, _c in entries), default=0)
        column = widest + LEGEND_SAMPLE + 16
        columns = max(1, min(len(entries), int((logical.width() - 2 * EXPORT_MARGIN) // column)))
        rows = -(-len(entries) // columns)
        band = 2 * EXPORT_MARGIN + rows * line
        view = self._export_plots(QSizeF(logical.width(), logical.height() - band))
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(qcolor(palette().background))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(ratio, ratio)  # the layout's units to the picture's pixels: painted sharp
        painter.setFont(font)
        for k, (name, colour) in enumerate(entries):
            x = EXPORT_MARGIN + (k % columns) * column
            y = EXPORT_MARGIN + (k // columns) * line + line / 2
            painter.setPen(pg.mkPen(colour, width=3))
            painter.drawLine(QPointF(x, y), QPointF(x + LEGEND_SAMPLE - 8, y))
            painter.setPen(qcolor(palette().text))
            box = QRectF(x + LEGEND_SAMPLE, y - line / 2, column - LEGEND_SAMPLE, line)
            painter.drawText(box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, name)
        target = QRectF(0.0, band, logical.width(), logical.height() - band)
        view.scene().render(painter, target, view.ci.sceneBoundingRect())
        painter.end()
        view.close()
        view.deleteLater()
        return image

    def _export_plots(self, size: QSizeF) -> pg.GraphicsLayoutWidget:
        """Return an unseen view of ``size`` holding the two plots as shown, ready to render."""
        view = pg.GraphicsLayoutWidget()
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        view.setBackground(qcolor(palette().background))
        view.resize(round(size.width()), round(size.height()))
        shown = (self.cost_plot, self.accuracy_plot)
        cost, accuracy = plots = [view.addPlot(row=row, col=0) for row in range(2)]
        for plot, source in zip(plots, shown):
            for side in ("left", "bottom"):
                plot.setLabel(side, source.getPlotItem().getAxis(side).labelText)
                plot.getAxis(side).enableAutoSIPrefix(False)
            log_y = source is self.cost_plot and self.log_y.isChecked()
            plot.setLogMode(x=self.log_x.isChecked(), y=log_y)
            plot.showGrid(x=True, y=True, alpha=0.12)
        view.ci.layout.setRowStretchFactor(0, 3)
        view.ci.layout.setRowStretchFactor(1, 2)
        for run in self.shown_runs():
            colour = self.colour_of(run)
            cost.plot(*_points(self._cost_items[run.serial]), pen=pg.mkPen(colour, width=2))
            line, final = self._accuracy_items[run.serial]
            accuracy.plot(
                *_points(line),
                pen=pg.mkPen(colour, width=1.5),
                symbol="o",
                symbolSize=6,
                symbolBrush=colour,
            )
            accuracy.plot(
                *_points(final), pen=None, symbol="star", symbolSize=12, symbolBrush=colour
            )
        x_range = self.cost_plot.getPlotItem().vb.viewRange()[0]
        for plot, source in zip(plots, shown):
            style_plot(_Styled(plot))
            plot.getAxis("left").setWidth(EXPORT_AXIS)  # the two x axes line up
            y_range = source.getPlotItem().vb.viewRange()[1]
            plot.vb.setRange(xRange=x_range, yRange=y_range, padding=0)
        view.show()
        view.ci.layout.activate()
        return view

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
                "data",
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
            head = [run.name, run.describe(), run.data]
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
