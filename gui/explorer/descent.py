"""Explorer steps 9-11: the line search, steepest descent and the two ways down."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

import pyqtgraph as pg  # isort: skip  (after PySide6: it binds to the first Qt binding imported)
from engine.lessons import descent_paths as dp
from engine.lessons import explorer_gradient as eg
from engine.lessons.explorer import Exploration, explored_network
from engine.words import compared, quantity
from gui.colors import palette, qcolor
from gui.explorer.background import BackgroundPage
from gui.explorer.state import ExplorerState
from gui.explorer.text import fmt
from gui.explorer.widgets import (
    LINE_POINTS,
    LegendPlacer,
    bar_plot,
    chart_key,
    info_label,
    key_text,
    place_labels,
)
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
        self.key = chart_key("line_key")  # the legend's entries above the chart when it is small
        self.placer = LegendPlacer(self.plot, legend, self.key)
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
        layout.addWidget(self.key)
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
        self.placer.restyle()

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
    """Step 11: the drunk man and the careful man, at equal work or at equal steps, on one plane."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = dp.EQUAL_WORK
        self.summary = info_label("descent_summary")
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        item = self.plot.getPlotItem()
        item.setLabel("bottom", "along −∇C at the start (full gradient)")
        item.setLabel("left", "along SGD's drift (⊥)")
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).enableAutoSIPrefix(False)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.contours: list[pg.PlotCurveItem] = []
        self.plot.getPlotItem().getViewBox().sigResized.connect(self.place_labels)
        self.sgd_path = self.plot.plot(symbol="o", symbolSize=8, name="mini-batch SGD")
        self.full_path = self.plot.plot(symbol="s", symbolSize=8, name="full gradient")
        self.matched = self.plot.plot(pen=None, symbol="o", symbolSize=15, name="SGD matched")
        self.start = self.plot.plot(pen=None, symbol="star", symbolSize=16, name="start")
        # The key is a line of words above the picture, never a legend on it: the paths wander
        # anywhere over the plane, and a small plot has no corner they leave free.
        self.key = chart_key("descent_key")
        self._n_train = 0
        self.labels: list[pg.TextItem] = []  # each shown, clear of the others where it can be
        self.spare: list[pg.TextItem] = []  # shown only where they find room
        self.note = QLabel()
        self.note.setObjectName("descent_note")
        self.note.setWordWrap(True)
        self.reseed = QPushButton("Other bat&ches")
        self.reseed.setObjectName("descent_reseed")
        self.reseed.setToolTip("Draw SGD's mini-batches from the next seed")
        self.reseed.clicked.connect(self.draw_other_batches)
        self.equal_work = QPushButton("Eq&ual work")
        self.equal_work.setObjectName("descent_equal_work")
        self.equal_work.setToolTip(
            "Compare after the same number of training images looked at: one careful step "
            "against an epoch of mini-batch steps"
        )
        self.equal_steps = QPushButton("E&qual steps")
        self.equal_steps.setObjectName("descent_equal_steps")
        self.equal_steps.setToolTip("Compare after the same number of steps of each kind")
        self.views = QButtonGroup(self)
        for button, view in ((self.equal_work, dp.EQUAL_WORK), (self.equal_steps, dp.EQUAL_STEPS)):
            button.setCheckable(True)
            button.clicked.connect(lambda _checked, view=view: self.set_view(view))
            self.views.addButton(button)
        self.equal_work.setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.equal_work)
        row.addWidget(self.equal_steps)
        row.addWidget(self.reseed)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(self.key)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.note)
        self.restyle()

    def restyle(self) -> None:
        """Draw the picture in the theme's colours (the explorer calls this on a theme change)."""
        p = palette()
        style_plot(self.plot)
        self.image.setLookupTable(cost_lut())
        self.sgd_path.setPen(pg.mkPen(p.negative, width=2))
        self.sgd_path.setSymbolBrush(p.negative)
        self.sgd_path.setSymbolPen(pg.mkPen(p.negative))
        self.full_path.setPen(pg.mkPen(p.positive, width=2))
        self.full_path.setSymbolBrush(p.positive)
        self.matched.setSymbolBrush(None)
        self.matched.setSymbolPen(pg.mkPen(p.negative, width=2))
        self.start.setSymbolBrush(p.highlight)
        self.key.setText(key_text([self.sgd_path, self.full_path, self.matched, self.start]))
        if self.values.get("picture") is not None:
            self.draw((self.values["picture"], self._n_train))

    def set_view(self, view: str) -> None:
        """Compare the two ways down at equal work or at equal steps, and draw that picture."""
        self.view = view
        (self.equal_work if view == dp.EQUAL_WORK else self.equal_steps).setChecked(True)
        if self._state is not None:
            self.refresh(self._state)

    def refresh(self, state: ExplorerState) -> None:
        """Take both kinds of steps from the explored network and draw the picture."""
        images, labels = state.full_images, state.full_labels
        if images is None or len(images) == 0:
            self.data_missing("Load a training set to compare the two ways down.")
            return
        e, seed, view = state.exploration, self.seed, self.view
        n = min(dp.EXAMPLES, len(images))
        net = explored_network(e.snapshot, e.snapshot.config.dtype)
        config = e.snapshot.train_config
        m = int(config.batch_size)
        if view == dp.EQUAL_WORK:
            k, per = dp.CAREFUL_STEPS, -(-n // m)
            what = (
                f"{quantity(k, 'careful step')} against {quantity(k * per, 'mini-batch step')} "
                f"of {m} (the same {k * n:,} images looked at)"
            )
        else:
            what = f"{dp.STEPS} steps of each kind"
        self.compute(
            state,
            (e.snapshot, images, seed, view),
            lambda: (
                dp.descent_picture(net, images[:n], labels[:n], config, view=view, seed=seed),
                len(images),
            ),
            f"Taking SGD and full-gradient steps ({what}) and mapping the cost around them over "
            f"{n:,} training images\u2026",
        )

    def place_labels(self) -> int:
        """Put each cost label beside its point, clear of the others, the markers and the paths."""
        picture = self.values.get("picture") if self.values else None
        points = [] if picture is None else [*picture.sgd.coords, *picture.full.coords]
        lines = [] if picture is None else [picture.sgd.coords.T, picture.full.coords.T]
        return place_labels(self.plot, self.labels, points, lines=lines, optional=self.spare)

    def forget_notes(self) -> None:
        """The note under the summary states the old picture's distances: clear it."""
        self.note.setText("")

    def draw_other_batches(self) -> None:
        """Draw SGD's mini-batches from the next seed and draw the picture again."""
        self.draw_again()

    def draw(self, result: tuple[dp.DescentPicture, int]) -> None:
        """Draw the contour, both paths and their labels; write the sentences from them."""
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
        work = p.view == dp.EQUAL_WORK
        self.sgd_path.setData(p.sgd.coords[:, 0], p.sgd.coords[:, 1])
        self.sgd_path.setSymbolSize(5 if work else 8)
        self.full_path.setData(p.full.coords[:, 0], p.full.coords[:, 1])
        ringed = p.sgd.coords[p.marks[1:]]
        self.matched.setData(ringed[:, 0], ringed[:, 1])
        self.start.setData([0.0], [0.0])
        for label in [*self.labels, *self.spare]:
            self.plot.removeItem(label)
        self.labels = []
        self.spare = []
        for text, (x, y), colour, optional in point_labels(p):
            label = pg.TextItem(text, color=getattr(colours, colour))
            label.setPos(float(x), float(y))
            self.plot.addItem(label)
            (self.spare if optional else self.labels).append(label)
        self.plot.setXRange(a[0], a[-1], padding=0.02)
        self.plot.setYRange(b[0], b[-1], padding=0.02)
        self.summary.setText(descent_summary(p, n_train))
        self.note.setText(descent_note(p))
        self.values = {
            "picture": p,
            "verdict": dp.verdict(p),
            "labels": [lab.toPlainText() for lab in [*self.labels, *self.spare]],
        }
        self.place_labels()


def point_labels(p: dp.DescentPicture) -> list[tuple[str, np.ndarray, str, bool]]:
    """Return (text, point, palette colour name, optional) of every label, in placing order.

    Each label is the real cost at its point; at equal work the matched points' labels give the
    images looked at too. The start and the two ends are always labelled. The other matched
    points (SGD's rings, its steps at equal steps, the careful steps) sit close together or
    among SGD's zigzags: their labels are optional, shown where they find a clear place, SGD's
    first. The dots between the rings are not labelled.
    """
    work = p.view == dp.EQUAL_WORK
    last, end = len(p.full.costs) - 1, int(p.marks[-1])
    out = [(fmt(p.sgd.costs[0]), p.sgd.coords[0], "highlight", False)]
    for k in p.marks[1:]:
        text = fmt(p.sgd.costs[k])
        if work:
            text += f"\n{quantity(p.sgd.images[k], 'image')}"
        out.append((text, p.sgd.coords[k], "negative", k != end))
    for k in range(1, last + 1):
        text = fmt(p.full.costs[k])
        if work and k == last:
            text += f"\n{quantity(p.full.images[k], 'image')}"
        out.append((text, p.full.coords[k], "positive", k != last))
    return sorted(out, key=lambda label: label[3])  # the optional ones last


def outcome(v: dp.Verdict) -> str:
    """Return which path ended lower and by how much, from the verdict's own numbers."""
    if v.winner == "tie":
        return (
            f"<b>the two are the same to {dp.DIGITS} digits</b> (SGD {fmt(v.sgd_cost)}, careful "
            f"{fmt(v.careful_cost)})"
        )
    if v.winner == "sgd":
        return (
            f"<b>SGD is lower: {fmt(v.sgd_cost)} against the careful path's "
            f"{fmt(v.careful_cost)}, by {fmt(v.margin)}</b>"
        )
    return (
        f"<b>the careful path is lower: {fmt(v.careful_cost)} against SGD's {fmt(v.sgd_cost)}, "
        f"by {fmt(v.margin)}</b>"
    )


def why_not(p: dp.DescentPicture, v: dp.Verdict) -> str:
    """Return why SGD did not win at equal work, from the picture's measurements."""
    if p.per_careful == 1:
        return (
            f" A mini-batch of {p.batch_size:,} holds all {p.n_examples:,} images: each SGD step "
            "is a careful step, so there is no trade to win."
        )
    said = " SGD does not win here even at equal work."
    if v.sgd_uphill:
        said += f" It went uphill, from {fmt(p.sgd.costs[0])} to {fmt(v.sgd_cost)}."
    elif v.sgd_lowest < v.careful_cost and not dp.same_to_digits(v.sgd_lowest, v.careful_cost):
        said += (
            f" It was lower on the way ({fmt(v.sgd_lowest)} after "
            f"{v.sgd_lowest_images:,} images) but did not stay there."
        )
    ratio = p.noise / max(p.slope, 1e-300)
    careful = "still creep down" if v.careful_cost < p.full.costs[0] else "stay put"
    measured = (
        f"|&nabla;C| = {fmt(p.slope)} over all {p.n_examples:,} images, and a mini-batch of "
        f"{p.batch_size:,} misses it by {fmt(p.noise)} on average"
    )
    if ratio > 1:
        said += (
            f" Why: the slope left is gentle ({measured}, {ratio:.2g} times as much), so each "
            "mini-batch step is mostly noise: the drunk man stumbles about at a height his step "
            f"size sets (the noise floor), while the careful steps {careful}. A smaller learning "
            "rate or larger mini-batches lower that floor."
        )
    else:
        said += (
            f" Its steps are not mostly noise ({measured}, less than the slope itself): the "
            f"careful steps of the same &eta; = {fmt(p.learning_rate)} simply fit this stretch "
            "of the cost better."
        )
    if p.momentum > 0:
        said += (
            f" With momentum &mu; = {fmt(p.momentum)} each step carries on the ones before, so a "
            f"stumble can be up to 1/(1 &minus; &mu;) = {fmt(1 / (1 - p.momentum))} times as long."
        )
    return said


def descent_summary(p: dp.DescentPicture, n_train: int) -> str:
    """Return step 11's sentence: what is compared, and which path ended lower, by how much."""
    v = dp.verdict(p)
    where = "all" if p.n_examples == n_train else "the first"
    cost = (
        f"Cost C over {where} {p.n_examples:,} training images in use: {fmt(p.sgd.costs[0])} at "
        "the start."
    )
    careful = f"(full gradient, &eta; = {fmt(p.learning_rate)})"
    if p.view == dp.EQUAL_WORK:
        matched = v.careful_steps
        said = (
            f"<b>Equal work.</b> {cost} A careful step {careful} looks at all "
            f"{p.n_examples:,} images; SGD does the same work in "
            f"{quantity(p.per_careful, 'mini-batch step')} of {p.batch_size:,} (seed {p.seed}). "
            f"After {v.careful_images:,} images "
            f"({quantity(v.careful_steps, 'careful step')}, "
            f"{quantity(v.sgd_steps, 'mini-batch step')}) {outcome(v)}"
        )
        if matched > 1:
            ahead = {matched: "each", 0: "none"}.get(v.sgd_ahead, f"{v.sgd_ahead}")
            said += f"; SGD was lower at {ahead} of the {matched} matched points"
        said += "."
        return said + (why_not(p, v) if v.winner != "sgd" else "")
    said = (
        f"<b>Equal steps, not equal work.</b> {cost} After "
        f"{quantity(v.sgd_steps, 'mini-batch step')} of {p.batch_size:,} (seed {p.seed}) and "
        f"{quantity(v.careful_steps, 'careful step')} {careful} {outcome(v)}."
    )
    if v.careful_images == v.sgd_images:
        return said + " A mini-batch holds every image here, so equal steps are equal work."
    times = f"{v.careful_images / v.sgd_images:,.4g} times"
    if v.winner == "sgd":
        said += (
            f" And SGD looked at only {v.sgd_images:,} images, the careful path at "
            f"{v.careful_images:,}: {times} as many."
        )
    else:
        said += (
            f" {'But the' if v.winner == 'careful' else 'The'} careful path looked at "
            f"{v.careful_images:,} images, SGD at {v.sgd_images:,}: {times} fewer."
        )
    return said + " <i>Equal work</i> compares them after the same images."


def descent_note(p: dp.DescentPicture) -> str:
    """Return the note on what the picture draws: projections, real costs, the drawn states."""
    far = max(float(p.sgd.off_plane.max()), float(p.full.off_plane.max()))
    said = (
        f"Points after the start lie off this plane (up to {fmt(far)} away in parameter space), "
        "drawn at their projection"
    )
    if p.view == dp.EQUAL_STEPS:
        return said + " and labelled with their real cost C."
    return said + (
        f"; each label is the real cost C there. Rings: SGD after as many images as each careful "
        f"step; dots: {every(p.every)} of its {int(p.sgd.steps[-1]):,} states."
    )


def every(k: int) -> str:
    """Return "every one", "every 2nd", "every 20th", "every 21st" ... of a sequence."""
    if k == 1:
        return "every one"
    tens, unit = k % 100 // 10, k % 10
    suffix = "th" if tens == 1 or unit > 3 or unit == 0 else ("st", "nd", "rd")[unit - 1]
    return f"every {k:,}{suffix}"
