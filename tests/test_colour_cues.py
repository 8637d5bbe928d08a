"""Sign does not rest on colour alone: with the sign marks on (the colour-blind scheme's default)
negative edges are dashed in the diagram and the step player, the explorer's signed bars carry
+ and −, and the diagram's legend says so. Checked on what is painted, marks on and off."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from colour_math import ciede2000
from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from test_step_story import TrainConfig, make_trainer, take_snapshot, told_step
from windows import rgb_pixels

from gui.colors import palette
from gui.diagram import NetworkView
from gui.diagram.labels import legend_boxes
from gui.diagram.layout import compute_layout
from gui.diagram.scene import LEVELS, blend
from gui.theme import apply_theme

SCHEME = {True: "colour-blind", False: "standard"}  # each scheme's own default for the marks
CASES = [("dark", True), ("dark", False), ("light", True), ("light", False)]
SPARSE = (784, 3, 2, 10)  # hidden 1 to hidden 2: six edges, two crossings
IDS = ["dark-marked", "dark-plain", "light-marked", "light-plain"]


@pytest.fixture(params=CASES, ids=IDS)
def marked(request):
    """Apply a scheme in a theme, its marks as the scheme chooses; the dark standard one after."""
    theme, on = request.param
    apply_theme(QApplication.instance(), theme, SCHEME[on], "auto")
    assert palette().sign_marks == on
    yield on
    apply_theme(QApplication.instance(), "dark", "standard", "auto")


def gap_share(image: QImage, line, lo: float = 0.3, hi: float = 0.7) -> float:
    """Return the share of a line's middle painted in the canvas colour: a dashed line's gaps."""
    pixels = rgb_pixels(image)
    dpr = image.devicePixelRatio()
    ts = np.linspace(lo, hi, 160)
    xs = np.rint((line.x1() + ts * (line.x2() - line.x1())) * dpr).astype(int)
    ys = np.rint((line.y1() + ts * (line.y2() - line.y1())) * dpr).astype(int)
    background = palette().background
    return float(np.mean([ciede2000(c, background) < 5 for c in pixels[ys, xs]]))


def diagram(qtbot, snapshot, sign: float) -> tuple[NetworkView, QImage]:
    """Return the diagram of ``snapshot`` with every weight into hidden 2 ``sign``, painted."""
    weights = list(snapshot.weights)
    weights[1] = np.full_like(weights[1], sign)
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(1000, 640)
    view.set_snapshot(replace(snapshot, weights=tuple(weights)))
    return view, view.render_image(QSize(1000, 640))


@pytest.fixture
def sparse(tiny_digits):
    """A snapshot of a 784-3-2-10 network: few enough edges between its hidden layers."""
    images, _ = tiny_digits
    return take_snapshot(make_trainer(tiny_digits, TrainConfig(), SPARSE), images)


def test_negative_edges_are_dashed_when_marked(qtbot, sparse, marked) -> None:
    for sign in (-1.0, 1.0):
        view, image = diagram(qtbot, sparse, sign)
        lines = [line for _pen, ls, _aa in view.scene().buckets[1] for line in ls]
        assert len(lines) == SPARSE[1] * SPARSE[2]
        shares = [gap_share(image, line) for line in lines]
        if sign < 0 and marked:
            assert min(shares) > 0.15, shares  # every negative edge broken into dashes
        else:
            assert max(shares) < 0.05, shares  # solid


def test_the_legend_says_what_the_dashes_mean(qtbot, sparse, marked) -> None:
    view, _image = diagram(qtbot, sparse, -1.0)
    text = " ".join(box.text for box in legend_boxes(view.diagram_layout(), view.scene())[0])
    p = palette()
    said = f"dashed edge: negative ({p.negative_word})" in text
    assert said == marked, text
    assert p.negative_word == ("orange" if marked else "red")


def test_the_step_players_frames_dash_negative_edges(qtbot, tiny_digits, marked) -> None:
    """The player's frames paint with the diagram's scene: its negative pens are dashed too."""
    from gui.player.frames import StepFrames

    images, _ = tiny_digits
    sizes = (784, 12, 8, 10)
    story = told_step(make_trainer(tiny_digits, TrainConfig(), sizes), images)
    frames = StepFrames(story)
    layout = compute_layout(sizes, 900, 600)
    settings = ("weight", True, 1.0)
    apply_theme(QApplication.instance(), palette().name, SCHEME[not marked])
    frames.base(0, layout, settings)  # cached in the other scheme: the switch must rebuild it
    apply_theme(QApplication.instance(), palette().name, SCHEME[marked])
    scene = frames.scene(0, layout, settings)
    strengths = [(level + 0.5) / LEVELS for level in range(1, LEVELS)]
    negatives = {blend(palette().negative, t).rgb() for t in strengths}
    seen = {True: 0, False: 0}
    for layer in scene.buckets[1:]:
        for pen, _lines, _aa in layer:
            is_negative = pen.color().rgb() in negatives
            dashed = pen.style() != Qt.PenStyle.SolidLine
            assert dashed == (is_negative and marked)
            seen[bool(is_negative)] += 1
    assert seen[True] and seen[False]
    painted = frames.base(0, layout, settings)
    apply_theme(QApplication.instance(), palette().name, SCHEME[marked], "off" if marked else "on")
    other = frames.base(0, layout, settings)
    assert not np.array_equal(rgb_pixels(painted), rgb_pixels(other))  # the marks show


def test_signed_bars_carry_plus_and_minus(qtbot, marked) -> None:
    """Each signed bar gets a "+" or "−" at its end, painted: the pixels there change."""
    from gui.explorer.widgets import bar_plot, set_bars

    heights = np.array([0.8, -0.6, 0.3, -0.9])
    plot = bar_plot("change", "neuron")
    qtbot.addWidget(plot)
    plot.resize(400, 260)
    plot.show()
    qtbot.waitExposed(plot)
    set_bars(plot, heights)
    marks = [item for item in plot.getPlotItem().items if hasattr(item, "textItem")]
    texts = [m.textItem.toPlainText() for m in marks]
    assert texts == (["+", "\u2212", "+", "\u2212"] if marked else [])
    with_marks = rgb_pixels(plot.grab().toImage())
    apply_theme(QApplication.instance(), palette().name, SCHEME[marked], "off")
    set_bars(plot, heights)
    plain = rgb_pixels(plot.grab().toImage())
    vb = plot.getPlotItem().getViewBox()
    for x, h in enumerate(heights):
        end = plot.mapFromScene(vb.mapViewToScene(QPointF(x, h)))
        ys = slice(end.y() - 16, end.y()) if h > 0 else slice(end.y(), end.y() + 16)
        xs = slice(end.x() - 6, end.x() + 6)
        changed = np.abs(with_marks[ys, xs] - plain[ys, xs]).max()
        assert (changed > 60) == marked, (x, h, changed)


def test_bars_coloured_by_another_value_are_marked_by_its_sign(qtbot, marked) -> None:
    """Step 3's bars are cost shares (all up) coloured by each output's wanted nudge."""
    from gui.explorer.widgets import bar_plot, set_bars, sign_brushes

    plot = bar_plot("share", "digit")
    qtbot.addWidget(plot)
    nudges = np.array([-0.2, 0.5, -0.1])
    set_bars(plot, np.array([0.3, 0.6, 0.1]), sign_brushes(nudges), signs=nudges)
    marks = [item for item in plot.getPlotItem().items if hasattr(item, "textItem")]
    texts = [m.textItem.toPlainText() for m in marks]
    assert texts == (["\u2212", "+", "\u2212"] if marked else [])


HUES = {"red": (345, 15), "orange": (15, 45), "blue": (190, 250)}  # HSV hue ranges, in degrees


def test_the_words_name_the_colours_drawn(marked) -> None:
    """What the text calls each sign is the hue painted: red is red, orange is orange."""
    from PySide6.QtGui import QColor

    p = palette()
    for word, rgb in ((p.positive_word, p.positive), (p.negative_word, p.negative)):
        hue = QColor(*rgb).hsvHue()
        low, high = HUES[word]
        assert (low <= hue <= high) if low < high else (hue >= low or hue <= high), (word, hue)


def test_the_step_players_caption_names_the_arrows_colours(tiny_digits, marked) -> None:
    from gui.player.frames import StepFrames

    images, _ = tiny_digits
    story = told_step(make_trainer(tiny_digits, TrainConfig(), (784, 12, 8, 10)), images)
    frames = StepFrames(story)
    cost = next(i for i, b in enumerate(frames.beats) if b.phase == "cost")
    frames.scene(cost, compute_layout((784, 12, 8, 10), 900, 600), ("weight", True, 1.0))
    p = palette()
    assert f"(arrows: up {p.positive_word}, down {p.negative_word})" in frames.caption(cost)


@pytest.mark.parametrize("size", [(480, 320), (620, 420), (900, 560)])
def test_the_legends_extra_line_still_fits(qtbot, trained_on_sample, size) -> None:
    """The dashes' line in the legend keeps every legend line inside a small diagram."""
    apply_theme(QApplication.instance(), "dark", "colour-blind", "auto")
    try:
        view = NetworkView()
        qtbot.addWidget(view)
        view.resize(*size)
        view.set_snapshot(trained_on_sample[0])
        view.refresh()
        legend = view.legend_boxes()
        texts = " ".join(b.text for b in legend_boxes(view.diagram_layout(), view.scene())[0])
        assert "dashed edge" in texts
        for i, box in enumerate(legend):
            assert view.rect().contains(box.toAlignedRect()), box
            assert not any(box.intersects(other) for other in legend[i + 1 :]), box
    finally:
        apply_theme(QApplication.instance(), "dark", "standard", "auto")
