"""Explorer step 12: the same network trained on more labelled examples scores higher."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine.lessons import data_amount as da
from engine.lessons.data_amount import AmountProgress
from gui.colors import palette
from gui.explorer.data_amount_runner import AmountJob, DataAmountRunner
from gui.explorer.state import ExplorerState
from gui.explorer.widgets import bar_plot, info_label, same_key
from gui.log_axis import CountAxis
from gui.theme import style_plot


def percent(accuracy: float) -> str:
    """Return an accuracy as the page prints it: one decimal, a percent sign."""
    return f"{100 * accuracy:.1f}%"


class DataAmountPage(QWidget):
    """Step 12: real training on growing amounts of labelled data, in a background thread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self.examples_seen = da.EXAMPLES_SEEN  # per network; tests make it smaller
        self._state: ExplorerState | None = None
        self._data: tuple | None = None  # training images and labels in use
        self._test: tuple | None = None
        self._shown_key: tuple | None = None  # what the chart's results were trained with
        self._running_key: tuple | None = None
        self.runner = DataAmountRunner()
        self.runner.runs_progressed.connect(self._on_runs_progressed)
        self.runner.runs_finished.connect(self._on_runs_finished)
        self.runner.runs_failed.connect(self._on_runs_failed)
        self.runner.runs_cancelled.connect(self._on_runs_cancelled)
        self.summary = info_label("data_summary")
        self.train_button = QPushButton("Train the networks")
        self.train_button.setObjectName("data_train")
        self.train_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setObjectName("data_cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)  # not the runner's slot: its thread is busy
        self.progress = QProgressBar()
        self.progress.setObjectName("data_progress")
        self.progress.setRange(0, 1000)
        self.status = info_label("data_status")
        self.status.setText(
            "Training runs in the background, a few seconds per network; Cancel stops it."
        )
        row = QHBoxLayout()  # the buttons whole; the progress bar under them on a narrow page
        row.addWidget(self.train_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        self.plot = bar_plot("test accuracy (%)", "labelled training examples (log scale)")
        item = self.plot.getPlotItem()
        item.setAxisItems({"bottom": CountAxis("bottom")})  # ticks read 100, 1,000, 10,000
        item.setLabel("bottom", "labelled training examples (log scale)")
        item.getAxis("bottom").enableAutoSIPrefix(False)
        item.setLogMode(x=True, y=False)
        style_plot(self.plot)
        item.showGrid(x=True, y=True, alpha=0.15)
        self.curve = self.plot.plot(symbol="o", symbolSize=10)
        self.point_labels: list[pg.TextItem] = []
        self.plot.setXRange(1.7, 4.9, padding=0)  # the view holds log10 of 50 .. 80,000 examples
        self.plot.setYRange(0, 105, padding=0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.plot, 1)
        self.restyle()

    def restyle(self) -> None:
        """Draw the curve and its labels in the theme's colours."""
        p = palette()
        self.curve.setPen(pg.mkPen(p.positive, width=2))
        self.curve.setSymbolBrush(p.highlight)
        for label in self.point_labels:
            label.setColor(p.highlight)

    def set_test_set(self, images: np.ndarray, labels: np.ndarray) -> None:
        """Score the networks on these test images."""
        self._test = (images, labels)

    def refresh(self, state: ExplorerState) -> None:
        """Describe what the button will train; keep the chart if it still fits the config."""
        images, labels = state.full_images, state.full_labels
        self._state = state
        self._data = None if images is None or len(images) == 0 else (images, labels)
        running = self._running_key is not None
        self.train_button.setEnabled(self._data is not None and self._test is not None)
        self.cancel_button.setEnabled(running)
        if self._data is None or self._test is None:
            missing = "training" if self._data is None else "test"
            self.summary.setText(f"Load a {missing} set to train and score networks.")
            return
        snap = state.exploration.snapshot
        amounts = da.amounts_for(len(labels))
        tc = snap.train_config
        batches = da.batches_per_run(tc.batch_size, self.examples_seen)
        sizes = "-".join(str(n) for n in snap.config.sizes)
        self.summary.setText(
            f"Train a fresh {sizes} {snap.config.activation} network (cost "
            f"{snap.config.cost}, &eta; = {tc.learning_rate:g}, mini-batches of {tc.batch_size}) "
            f"from the same random start on {', '.join(f'{n:,}' for n in amounts)} labelled "
            f"examples of the training set in use, each for {batches:,} mini-batches "
            f"({self.examples_seen:,} examples seen), and score each on all "
            f"{len(self._test[1]):,} test {self._images()}."
        )
        if self._shown_key is not None and not same_key(self._shown_key, self._key()):
            self.status.setText(
                "The chart shows networks trained with another configuration or data; train "
                "again to compare with this one."
            )

    def _key(self) -> tuple:
        """Return what a result depends on: the data in use and the configs."""
        snap = self._state.exploration.snapshot
        return (self._data[0], self._test[0], snap.config, snap.train_config)

    def start(self) -> None:
        """Train the networks in the background."""
        if self._state is None or self._data is None or self._test is None:
            return
        snap = self._state.exploration.snapshot
        job = AmountJob(
            config=snap.config,
            train_config=snap.train_config,
            images=self._data[0],
            labels=self._data[1],
            test_images=self._test[0],
            test_labels=self._test[1],
            examples_seen=self.examples_seen,
        )
        self._running_key = self._key()
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.status.setText("Training…")
        self.runner.start(job)

    def cancel(self) -> None:
        """Stop the training in progress."""
        self.runner.cancel()

    def shutdown(self) -> None:
        """Stop training and end the runner's thread."""
        self.runner.shutdown()

    def _on_runs_progressed(self, p: AmountProgress) -> None:
        self.progress.setValue(round(1000 * p.fraction))
        if p.run < p.runs:
            self.status.setText(
                f"Training on {p.n_examples:,} examples: mini-batch {p.batches_done:,} of "
                f"{p.batches_total:,} (network {p.run + 1} of {p.runs})."
            )

    def _on_runs_finished(self, p: AmountProgress) -> None:
        self._shown_key = self._running_key
        self._idle()
        self.progress.setValue(1000)
        self.show_results(p.results)

    def _on_runs_failed(self, message: str) -> None:
        self._idle()
        self.status.setText(f"Training stopped: {message}")

    def _on_runs_cancelled(self) -> None:
        self._idle()
        self.progress.setValue(0)
        self.status.setText("Cancelled; the chart is unchanged.")

    def _images(self) -> str:
        """Return "digits" for MNIST's digits, else "images"."""
        named = self._state is not None and self._state.kind != "digit"
        return "images" if named else "digits"

    def _idle(self) -> None:
        """Enable Train again and disable Cancel."""
        self._running_key = None
        self.train_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def show_results(self, results: tuple[da.AmountResult, ...]) -> None:
        """Plot test accuracy against the number of examples and say it in a sentence."""
        counts = np.array([r.n_examples for r in results], np.float64)
        xs = np.log10(counts)  # where the log axis puts them
        ys = np.array([100 * r.accuracy for r in results])
        self.curve.setData(counts, ys)
        ticks = [(float(x), f"{r.n_examples:,}") for x, r in zip(xs, results)]
        self.plot.getAxis("bottom").setTicks([ticks, []])
        for label in self.point_labels:
            self.plot.removeItem(label)
        self.point_labels = []
        for x, r in zip(xs, results):
            label = pg.TextItem(percent(r.accuracy), color=palette().highlight, anchor=(0.5, 1.3))
            label.setPos(float(x), 100 * r.accuracy)
            self.plot.addItem(label)
            self.point_labels.append(label)
        self.plot.setXRange(xs.min() - 0.3, xs.max() + 0.3, padding=0)
        self.plot.setYRange(0, 105, padding=0)
        parts = [f"{r.n_examples:,} examples: <b>{percent(r.accuracy)}</b>" for r in results]
        best, worst = results[-1], results[0]
        more = "more" if best.accuracy > worst.accuracy else "no more"
        self.status.setText(
            f"Test accuracy after training on {'; '.join(parts)} (of {worst.total:,} test "
            f"{self._images()}). The same network learns {more} from {best.n_examples:,} "
            f"labelled examples than from {worst.n_examples:,}: "
            f"{100 * (best.accuracy - worst.accuracy):.1f} percentage points apart."
        )
        self.values = {"results": results, "xs": xs, "ys": ys}
