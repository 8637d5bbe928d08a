"""Explorer step 10: -g against random directions of the same length, as a histogram."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine import steepest_descent as sd
from engine.explorer import explored_network
from gui.colors import palette
from gui.explorer_pages import ExplorerState, bar_plot, fmt, info_label, same_key

BINS = 24


class SteepestPage(QWidget):
    """Step 10: the real cost change of a step along -g and along 200 random directions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: dict = {}
        self._key: tuple | None = None
        self._args: tuple | None = None
        self.seed = 0
        self.summary = info_label("steepest_summary")
        self.plot = bar_plot("random directions", "change of the cost C after the step")
        self.bars = pg.BarGraphItem(x=[0], height=[0], width=1, pen=None)
        self.plot.addItem(self.bars)
        self.cluster_label = pg.TextItem(anchor=(1, 0))
        self.plot.addItem(self.cluster_label)
        self.gradient_line = pg.InfiniteLine(angle=90, label="−g")
        self.plot.addItem(self.gradient_line)
        self.zero_line = pg.InfiniteLine(angle=90)
        self.plot.addItem(self.zero_line)
        self.reseed = QPushButton("Other random directions")
        self.reseed.setObjectName("steepest_reseed")
        self.reseed.clicked.connect(self.draw_other_directions)
        row = QHBoxLayout()
        row.addWidget(self.reseed)
        legend = QLabel("thick line: −g; bars: how many random directions changed C by that much")
        legend.setWordWrap(True)
        row.addWidget(legend, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        self.restyle()

    def restyle(self) -> None:
        """Draw the histogram and the lines in the theme's colours."""
        p = palette()
        self.bars.setOpts(brush=pg.mkBrush(*p.positive))
        self.cluster_label.setColor(p.positive)
        self.gradient_line.setPen(pg.mkPen(p.highlight, width=3))
        self.gradient_line.label.setColor(p.highlight)
        self.zero_line.setPen(pg.mkPen(p.text + (90,), width=1))

    def refresh(self, state: ExplorerState, images: np.ndarray | None, labels) -> None:
        """Compare -g with random directions for the explored network on the training set."""
        e = state.exploration
        if images is None or len(images) == 0:
            self.summary.setText("Load a training set to compare directions.")
            self.values, self._key, self._args = {}, None, None
            return
        key = (e.snapshot, images, self.seed)
        if same_key(self._key, key):
            return  # depends on the network, the data and the seed, not on the example
        self._args = (state, images, labels)
        n = min(sd.EXAMPLES, len(images))
        net = explored_network(e.snapshot, e.snapshot.config.dtype)
        eta = float(e.snapshot.train_config.learning_rate)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = sd.steepest_descent(net, images[:n], labels[:n], eta, seed=self.seed)
        finally:
            QApplication.restoreOverrideCursor()
        self._key = key
        self.show_result(result, len(images))

    def draw_other_directions(self) -> None:
        """Draw another 200 random directions (the next seed) and compare again."""
        self.seed += 1
        if self._args is not None:
            self.refresh(*self._args)

    def show_result(self, r: sd.SteepestDescent, n_train: int) -> None:
        """Draw the histogram and write the sentence from the same values."""
        counts, edges = np.histogram(r.random_changes, bins=BINS)
        centres = 0.5 * (edges[:-1] + edges[1:])
        self.bars.setOpts(x=centres, height=counts, width=float(edges[1] - edges[0]))
        self.gradient_line.setValue(r.gradient_change)
        lo = min(float(edges[0]), r.gradient_change)
        hi = max(float(edges[-1]), 0.0)
        pad = 0.06 * max(hi - lo, 1e-12)
        self.plot.setXRange(lo - pad, hi + pad, padding=0)
        self.plot.setYRange(0, max(int(counts.max()), 1) * 1.1, padding=0)
        self.plot.getAxis("bottom").setTicks(None)
        n_random = len(r.random_changes)
        self.cluster_label.setText(f"{n_random} random\ndirections")
        self.cluster_label.setPos(float(edges[0]), max(int(counts.max()), 1) * 1.05)
        beaten = "all" if r.beaten == n_random else f"{r.beaten} of the"
        where = "all" if r.n_examples == n_train else "the first"
        self.summary.setText(
            f"Cost C over {where} {r.n_examples:,} training images in use: {fmt(r.cost)}. A step "
            f"of length &eta;&middot;|g| = {fmt(r.step_length)} along &minus;g (g = &nabla;C, "
            "the gradient of this cost) changes it by "
            f"<b>{fmt(r.gradient_change)}</b>; the same step along {n_random} random directions "
            f"changes it by {fmt(r.random_changes.min())} to {fmt(r.random_changes.max())}. "
            f"&minus;g lowers the cost more than <b>{beaten} {n_random}</b> random directions."
        )
        self.values = {"descent": r, "counts": counts, "edges": edges}
