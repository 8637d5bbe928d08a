"""Explorer step 10: steepest descent, one step's length at every angle and along random ones."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine.lessons import steepest_descent as sd
from engine.lessons.explorer import explored_network
from gui.colors import palette
from gui.explorer.angle_chart import AngleChart, key
from gui.explorer.background import BUSY_OPACITY, BackgroundPage
from gui.explorer.state import ExplorerState
from gui.explorer.text import fmt
from gui.explorer.widgets import bar_plot, info_label

BINS = 24
SIDE_CHART = 300  # each of step 10's charts needs this width to stand beside the other
SIDE_ASPECT = 1.6  # side by side once the charts' room is this much wider than high


class SteepestPage(BackgroundPage):
    """Step 10: the real change of C after one step at every angle from -g and along random ones."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = info_label("steepest_summary")
        self.angle_chart = AngleChart()
        self.plot = bar_plot("random directions", "change of the cost C after the step")
        self.bars = pg.BarGraphItem(x=[0], height=[0], width=1, pen=None)
        self.plot.addItem(self.bars)
        self.cluster_label = pg.TextItem(anchor=(1, 0))
        self.plot.addItem(self.cluster_label)
        self.gradient_line = pg.InfiniteLine(angle=90, label="−g")
        self.plot.addItem(self.gradient_line)
        self.zero_line = pg.InfiniteLine(angle=90)
        self.plot.addItem(self.zero_line)
        self.reseed = QPushButton("Other random dire&ctions")
        self.reseed.setObjectName("steepest_reseed")
        self.reseed.clicked.connect(self.draw_other_directions)
        row = QHBoxLayout()
        row.addWidget(self.reseed)
        self.key = QLabel()
        self.key.setObjectName("steepest_key")
        self.key.setWordWrap(True)
        row.addWidget(self.key, 1)
        self.charts = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.charts.addWidget(self.angle_chart, 1)
        self.charts.addWidget(self.plot, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addLayout(self.charts, 1)
        self.restyle()

    def restyle(self) -> None:
        """Draw the histogram, the angle chart and the lines in the theme's colours."""
        p = palette()
        self.angle_chart.restyle()
        shown = self.values.get("descent")
        self.key.setText(key(sd.N_RANDOM if shown is None else len(shown.random_changes)))
        self.bars.setOpts(brush=pg.mkBrush(*p.positive))
        self.cluster_label.setColor(p.positive)
        self.gradient_line.setPen(pg.mkPen(p.highlight, width=3))
        self.gradient_line.label.setColor(p.highlight)
        self.zero_line.setPen(pg.mkPen(p.text + (90,), width=1))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Put the two charts side by side when their room is wide enough, else stack them."""
        super().resizeEvent(event)
        self.arrange()

    def arrange(self) -> None:
        """Stack the charts, or put them side by side where that leaves each a wider shape."""
        width = self.width()
        room = self.height() - self.summary.heightForWidth(width) - self.reseed.sizeHint().height()
        side = width >= max(2 * SIDE_CHART, SIDE_ASPECT * room)
        direction = QBoxLayout.Direction.LeftToRight if side else QBoxLayout.Direction.TopToBottom
        if self.charts.direction() != direction:
            self.charts.setDirection(direction)

    def _dim(self, busy: bool) -> None:
        """Fade both old charts while the new ones are made."""
        super()._dim(busy)
        self.angle_chart.getPlotItem().setOpacity(BUSY_OPACITY if busy else 1.0)

    def refresh(self, state: ExplorerState) -> None:
        """Measure the step at every angle and along random directions on the training set."""
        images, labels = state.full_images, state.full_labels
        if images is None or len(images) == 0:
            self.data_missing("Load a training set to compare directions.")
            return
        e, seed = state.exploration, self.seed
        n = min(sd.EXAMPLES, len(images))
        net = explored_network(e.snapshot, e.snapshot.config.dtype)
        eta = float(e.snapshot.train_config.learning_rate)
        self.compute(
            state,
            (e.snapshot, images, seed),
            lambda: (sd.steepest_descent(net, images[:n], labels[:n], eta, seed=seed), len(images)),
            f"Stepping along \u2212g, at angles from it and along {sd.N_RANDOM} random directions "
            f"over {n:,} training images\u2026",
        )

    def draw_other_directions(self) -> None:
        """Draw another 200 random directions (the next seed) and compare again."""
        self.draw_again()

    def draw(self, result: tuple[sd.SteepestDescent, int]) -> None:
        """Draw both charts and write the sentence from the same values."""
        r, n_train = result
        self.angle_chart.set_result(r)
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
        self.summary.setText(steepest_sentence(r, n_train))
        self.values = {"descent": r, "counts": counts, "edges": edges}
        self.key.setText(key(n_random))
        self.arrange()


def steepest_sentence(r: sd.SteepestDescent, n_train: int) -> str:
    """Return step 10's sentence: every number read from the result both charts draw."""
    n_random = len(r.random_changes)
    beaten = "all" if r.beaten == n_random else f"{r.beaten} of the"
    where = "all" if r.n_examples == n_train else "the first"
    best = r.best_angle
    # Where the measured curve is lowest is read from it, never written in advance.
    along = " (along &minus;g)" if best == r.angles[0] else ", not along &minus;g"
    slope = r.first_order[0]
    gap = abs(r.angle_changes[0] - slope) / max(abs(slope), 1e-300)
    return (
        f"C over {where} {r.n_examples:,} training images in use: {fmt(r.cost)}. A step of "
        f"length &eta;|g| = {fmt(r.step_length)} turned by &theta; from &minus;g (g = &nabla;C), "
        f"measured every {r.angles[1] - r.angles[0]:g}&deg;: the change of C is lowest at "
        f"<b>&theta; = {best:g}&deg;</b>{along} and is {fmt(r.angle_changes[-1])} at "
        f"180&deg;; the first order &minus;&eta;|g|&sup2; cos &theta; = {fmt(slope)} cos &theta; "
        f"is {100 * gap:.1f}% off at 0&deg;. In n = {r.n_params:,} dimensions (weights and "
        "biases) a random direction's cosine with g is about &plusmn;1/&radic;n = "
        f"&plusmn;{r.typical_cosine:.4f}, so it is nearly perpendicular to g: these {n_random} "
        f"lie {r.random_angles.min():.1f}&deg; to {r.random_angles.max():.1f}&deg; from "
        f"&minus;g and change C by {fmt(r.random_changes.min())} to "
        f"{fmt(r.random_changes.max())}. &minus;g changes it by <b>{fmt(r.gradient_change)}</b>, "
        f"lower than <b>{beaten} {n_random}</b> random directions do."
    )
