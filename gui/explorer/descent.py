"""Explorer steps 9-11: the line search, steepest descent and the two ways down."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine import descent_paths as dp
from engine import explorer_gradient as eg
from engine.explorer import Exploration, explored_network
from engine.words import compared, quantity
from gui.colors import palette, qcolor
from gui.explorer.background import BackgroundPage
from gui.explorer.state import ExplorerState
from gui.explorer.text import fmt
from gui.explorer.widgets import LINE_POINTS, LegendPlacer, bar_plot, info_label, place_labels
from gui.theme import style_plot


class LineSearchPage(BackgroundPage):
    """Step 9: the cost along the mini-batch and the full-batch gradients, and their cosine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = info_label("line_summary")
        self.plot = bar_plot("cost C on the training set", "t: the step is &minus;t&middot;g")
        self.plot.getPlotItem().showGrid(x=True, y=True, alpha=0.15)
        legend = self.plot.getPlotItem().addLegend(offset=(-10, 10), labelTextSize="9pt")
        legend.setBrush(pg.mkBrush(*palette().panel, 200))
        self.legend = legend
        self.placer = LegendPlacer(self.plot, legend)
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

    def refresh(self, state: ExplorerState) -> None:
        """Run the line search over the whole training set in use and plot it."""
        images, labels = state.full_images, state.full_labels
        e = state.exploration
        if images is None or len(images) == 0:
            self.data_missing("Load a training set to compare with the full-batch gradient.")
            return
        eta = float(e.snapshot.train_config.learning_rate)
        ts = np.linspace(0.0, 3.0 * eta, LINE_POINTS)
        self.compute(
            state,
            (e.snapshot, images),  # the search depends on the network and the data, not the example
            lambda: (eg.line_search(e, images, labels, ts), e),
            f"Computing the cost along both gradients over all {len(images):,} training images "
            "in use\u2026",
        )

    def draw(self, result: tuple[eg.LineSearch, Exploration]) -> None:
        """Plot the search and write the sentence from the same values."""
        search, e = result
        eta = search.learning_rate
        self.batch_curve.setData(search.ts, search.batch_curve)
        self.full_curve.setData(search.ts, search.full_curve)
        self.landing.setData([eta], [search.landing])
        self.eta_line.setValue(eta)
        self.placer.set_lines(
            (search.ts, search.batch_curve),
            (search.ts, search.full_curve),
            ([eta], [search.landing]),
        )
        angle = float(np.degrees(np.arccos(np.clip(search.cosine, -1.0, 1.0))))
        now, landed, word = compared(search.full_curve[0], search.landing)
        self.summary.setText(
            f"Cost C on all {search.n_examples:,} training images in use, now "
            f"{now}; the full-batch gradient is the mean over all "
            f"{search.n_examples:,}. The SGD step (t = &eta; = {fmt(eta)} along the "
            f"mini-batch gradient of {quantity(len(e.batch_labels), 'example')}) lands at "
            f"<b>{landed}</b> ({'higher: this time uphill' if word == 'higher' else word})."
            " Cosine between the two gradients: "
            f"<b>{search.cosine:.3f}</b> (an angle of {angle:.0f}&deg;)."
        )
        self.values = {"search": search}


LEVELS = 9  # contour lines between the lowest and highest cost of the picture


def cost_lut(size: int = 256) -> np.ndarray:
    """Return a sequential colour table from the theme's canvas (low cost) toward its text."""
    p = palette()
    t = np.linspace(0.0, 0.35, size)[:, None]
    rgb = np.array(p.background, float) * (1 - t) + np.array(p.text, float) * t
    lut = np.empty((size, 4), np.uint8)
    lut[:, :3] = np.rint(rgb).astype(np.uint8)
    lut[:, 3] = 255
    return lut


def contour_lines(
    costs: np.ndarray, alphas: np.ndarray, betas: np.ndarray, level: float
) -> list[np.ndarray]:
    """Return the isocurves of ``costs`` at ``level`` as (k, 2) arrays in plane coordinates."""
    lines = []
    for line in pg.functions.isocurve(costs, level, connected=True):
        index = np.array(line, float) - 0.5  # isocurve puts data[i, j] at (i + 0.5, j + 0.5)
        a = np.interp(index[:, 0], np.arange(len(alphas)), alphas)
        b = np.interp(index[:, 1], np.arange(len(betas)), betas)
        lines.append(np.stack([a, b], axis=1))
    return lines


class DescentPage(BackgroundPage):
    """Step 11: the drunk man stumbling downhill, on the plane through the start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = info_label("descent_summary")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "along −∇C at the start (the full-gradient direction)")
        item.setLabel("left", "along SGD's drift (⊥)")
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.contours: list[pg.PlotCurveItem] = []
        self.legend = item.addLegend(offset=(-10, 10), labelTextSize="9pt")
        self.placer = LegendPlacer(self.plot, self.legend)
        self.plot.getPlotItem().getViewBox().sigResized.connect(self.place_labels)
        self.sgd_path = self.plot.plot(symbol="o", symbolSize=8, name="mini-batch SGD steps")
        self.full_path = self.plot.plot(symbol="s", symbolSize=8, name="full-gradient steps")
        self.start = self.plot.plot(pen=None, symbol="star", symbolSize=16, name="start")
        self._n_train = 0
        self.labels: list[pg.TextItem] = []
        self.note = QLabel()
        self.note.setObjectName("descent_note")
        self.note.setWordWrap(True)
        self.reseed = QPushButton("Other mini-batches")
        self.reseed.setObjectName("descent_reseed")
        self.reseed.clicked.connect(self.draw_other_batches)
        row = QHBoxLayout()
        row.addWidget(self.reseed)
        row.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)
        self.restyle()

    def restyle(self) -> None:
        """Draw the picture in the theme's colours (the explorer calls this on a theme change)."""
        p = palette()
        style_plot(self.plot)
        self.image.setLookupTable(cost_lut())
        self.legend.setBrush(pg.mkBrush(*p.panel, 200))
        self.legend.setLabelTextColor(p.text)
        self.sgd_path.setPen(pg.mkPen(p.negative, width=2))
        self.sgd_path.setSymbolBrush(p.negative)
        self.full_path.setPen(pg.mkPen(p.positive, width=2))
        self.full_path.setSymbolBrush(p.positive)
        self.start.setSymbolBrush(p.highlight)
        if self.values.get("picture") is not None:
            self.draw((self.values["picture"], self._n_train))

    def refresh(self, state: ExplorerState) -> None:
        """Take both kinds of steps from the explored network and draw the picture."""
        images, labels = state.full_images, state.full_labels
        if images is None or len(images) == 0:
            self.data_missing("Load a training set to compare the two ways down.")
            return
        e, seed = state.exploration, self.seed
        n = min(dp.EXAMPLES, len(images))
        net = explored_network(e.snapshot, e.snapshot.config.dtype)
        config = e.snapshot.train_config
        self.compute(
            state,
            (e.snapshot, images, seed),
            lambda: (
                dp.descent_picture(net, images[:n], labels[:n], config, seed=seed),
                len(images),
            ),
            f"Taking SGD and full-gradient steps and mapping the cost around them over "
            f"{n:,} training images\u2026",
        )

    def place_labels(self) -> int:
        """Put each cost label beside its point, clear of the others, the markers and the legend."""
        picture = self.values.get("picture") if self.values else None
        points = [] if picture is None else [*picture.sgd.coords, *picture.full.coords]
        legend = self.legend.sceneBoundingRect()
        lines = [] if picture is None else [picture.sgd.coords.T, picture.full.coords.T]
        return place_labels(self.plot, self.labels, points, avoid=[legend], lines=lines)

    def forget_notes(self) -> None:
        """The note under the summary states the old picture's distances: clear it."""
        self.note.setText("")

    def draw_other_batches(self) -> None:
        """Draw SGD's mini-batches from the next seed and draw the picture again."""
        self.draw_again()

    def draw(self, result: tuple[dp.DescentPicture, int]) -> None:
        """Draw the contour, both paths and their labels; write the sentence from them."""
        p, n_train = result
        self._n_train = n_train
        a, b = p.alphas, p.betas
        da, db = a[1] - a[0], b[1] - b[0]
        self.image.setImage(p.costs, autoLevels=True)
        self.image.setRect(QRectF(a[0] - da / 2, b[0] - db / 2, da * len(a), db * len(b)))
        for curve in self.contours:
            self.plot.removeItem(curve)
        self.contours = []
        levels = np.linspace(p.costs.min(), p.costs.max(), LEVELS + 2)[1:-1]
        colours = palette()
        pen = pg.mkPen(colours.text + (110,), width=1)
        for level in levels:
            for line in contour_lines(p.costs, a, b, float(level)):
                curve = pg.PlotCurveItem(line[:, 0], line[:, 1], pen=pen)
                self.plot.addItem(curve)
                self.contours.append(curve)
        self.sgd_path.setData(p.sgd.coords[:, 0], p.sgd.coords[:, 1])
        self.full_path.setData(p.full.coords[:, 0], p.full.coords[:, 1])
        self.start.setData([0.0], [0.0])
        for label in self.labels:
            self.plot.removeItem(label)
        self.labels = []
        for path, colour in ((p.sgd, colours.negative), (p.full, colours.positive)):
            for k, ((x, y), cost) in enumerate(zip(path.coords, path.costs)):
                if k == 0 and path is p.full:
                    continue  # the start is labelled once, with the SGD path
                label = pg.TextItem(fmt(cost), color=colours.highlight if k == 0 else colour)
                label.setPos(float(x), float(y))
                self.plot.addItem(label)
                self.labels.append(label)
        self.plot.setXRange(a[0], a[-1], padding=0.02)
        self.plot.setYRange(b[0], b[-1], padding=0.02)
        self.placer.set_lines(tuple(p.sgd.coords.T), tuple(p.full.coords.T))
        steps = len(p.sgd.costs) - 1
        where = "all" if p.n_examples == n_train else "the first"
        self.summary.setText(
            f"The cost C over {where} {p.n_examples:,} training images in use, on the plane "
            f"through the network now. From C = {fmt(p.sgd.costs[0])}, {steps} real SGD steps "
            f"(mini-batches of {p.batch_size}, drawn as training draws them, seed {p.seed}; "
            f"{steps * p.batch_size} images looked at) reach <b>{fmt(p.sgd.costs[-1])}</b>; "
            f"{steps} careful full-gradient steps (&eta; = {fmt(p.learning_rate)}, each over all "
            f"{p.n_examples:,} images: {steps * p.n_examples:,} looked at) reach "
            f"<b>{fmt(p.full.costs[-1])}</b>."
        )
        far = max(float(p.sgd.off_plane.max()), float(p.full.off_plane.max()))
        self.note.setText(
            "Points after the start lie off this plane (up to "
            f"{fmt(far)} away in parameter space): they are drawn at their projection and "
            "labelled with their real cost C."
        )
        self.values = {"picture": p, "labels": [lab.toPlainText() for lab in self.labels]}
        self.place_labels()
