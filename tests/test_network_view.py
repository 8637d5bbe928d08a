"""The network diagram: colour by sign and strength, engine numbers on hover, clicks, layout."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QImage

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer
from engine.session.snapshot import take_snapshot, trace_example
from gui.diagram.labels import MODE_TITLES, fmt, legend_boxes
from gui.diagram.layout import compute_layout
from gui.diagram.view import NetworkView

SIZES = (784, 4, 3, 10)


@pytest.fixture(scope="module")
def base():
    """A real snapshot of a small network after one mini-batch of fake digits."""
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 10, 40).astype(np.uint8)
    images = (rng.random((40, 28, 28)) * 255).astype(np.uint8)
    net = Network(NetworkConfig(sizes=SIZES, dtype="float64"), np.random.default_rng(1))
    trainer = Trainer(net, images, labels, TrainConfig(batch_size=10), seed=3)
    trainer.step_batch()
    return take_snapshot(trainer, images)


def known(n_out: int, n_in: int, strong: float) -> np.ndarray:
    """Return a matrix of zeros with +strong at [0, 0], +strong/2 at [1, 1], -strong at [2, 3]."""
    m = np.zeros((n_out, n_in))
    m[0, 0], m[1, 1], m[2, 3] = strong, strong / 2, -strong
    return m


def hand_made(base, mode: str):
    """Return a snapshot whose weight layer 1 holds the known pattern in ``mode``'s values."""
    w = list(base.weights)
    if mode == "weight":
        w[1] = known(3, 4, 5.0)
        return dataclasses.replace(base, weights=tuple(w))
    if mode in ("gradient", "update"):
        values = list(base.grad_w if mode == "gradient" else base.step_w)
        values[1] = known(3, 4, 1e-3)
        return dataclasses.replace(
            base, **{"grad_w" if mode == "gradient" else "step_w": tuple(values)}
        )
    ex = base.example
    acts = list(ex.activations)
    deltas = list(ex.deltas)
    deltas[1] = np.array([-0.2, 0.0, 0.2])  # hebbian(1) = -outer(delta, a): +0.2 at [0, 0],
    acts[1] = np.array([1.0, 0.5, 0.0, 1.0])  # +0.1 at [0, 1], -0.2 at [2, 3]
    trace = dataclasses.replace(ex, activations=tuple(acts), deltas=tuple(deltas))
    return dataclasses.replace(base, example=trace)


@pytest.fixture
def view(qtbot, base):
    """A shown 900x600 view of the base snapshot."""
    v = NetworkView()
    qtbot.addWidget(v)
    v.resize(900, 600)
    v.set_snapshot(base)
    v.refresh()
    v.show()
    qtbot.waitExposed(v)
    return v


def midpoint(v: NetworkView, j: int, i: int) -> QPoint:
    """Return the pixel halfway along the edge from layer-1 neuron i to layer-2 neuron j."""
    x0, y0, x1, y1 = v.diagram_layout().segments(1)[j, i]
    return QPoint(round((x0 + x1) / 2), round((y0 + y1) / 2))


def colour_at(v: NetworkView, point: QPoint) -> tuple[int, int, int]:
    """Return the rendered (r, g, b) at a point of the view."""
    c = v.grab().toImage().pixelColor(point)
    return c.red(), c.green(), c.blue()


@pytest.mark.parametrize(
    ("mode", "pairs"),
    [
        ("weight", ((0, 0), (1, 1), (2, 3))),
        ("gradient", ((0, 0), (1, 1), (2, 3))),
        ("update", ((0, 0), (1, 1), (2, 3))),
        ("hebbian", ((0, 0), (0, 1), (2, 3))),
    ],
)
def test_each_mode_draws_positive_blue_negative_red_and_stronger_brighter(view, base, mode, pairs):
    view.set_snapshot(hand_made(base, mode))
    view.set_edge_mode(mode)
    view.refresh()
    (js, is_), (jh, ih), (jn, in_) = pairs
    strong = colour_at(view, midpoint(view, js, is_))
    half = colour_at(view, midpoint(view, jh, ih))
    negative = colour_at(view, midpoint(view, jn, in_))
    assert strong[2] > strong[0] + 100, strong  # blue
    assert negative[0] > negative[2] + 100, negative  # red
    assert half[2] > half[0] and half[2] < strong[2] - 30, (half, strong)  # weaker, still blue


def test_neuron_tooltip_carries_the_engine_numbers(qtbot, view, base):
    ex = base.example
    centre = view.diagram_layout().centers[2][1]
    qtbot.mouseMove(view, QPoint(round(centre[0]), round(centre[1])))
    text = view.hover_text()
    assert "hidden 2 neuron 1" in text
    for name, value in [
        ("a", ex.activations[2][1]),
        ("z", ex.zs[1][1]),
        ("b", base.biases[1][1]),
        ("dC/da", ex.dc_da[1][1]),
        ("delta = dC/dz", ex.deltas[1][1]),
    ]:
        assert f"{name} = {fmt(value)}" in text


def test_edge_tooltip_names_source_target_weight_and_gradient(qtbot, view, base):
    snap = hand_made(base, "weight")
    view.set_snapshot(snap)
    view.refresh()
    qtbot.mouseMove(view, midpoint(view, 2, 3))
    text = view.hover_text()
    assert "hidden 1 neuron 3 \u2192 hidden 2 neuron 2" in text
    assert "w = -5" in text
    assert f"dC/dw = {fmt(snap.grad_w[1][2, 3])}" in text


def test_tile_pixel_tooltip_is_the_input_weight(view, base):
    x, y, w, h = view.diagram_layout().tile_rects[2]
    pos = QPointF(x + (5 + 0.5) * w / 28, y + (9 + 0.5) * h / 28)  # row 9, column 5
    assert view.edge_at(pos) == (0, 2, 9 * 28 + 5)
    assert f"w = {fmt(base.weights[0][2, 9 * 28 + 5])}" in view.tooltip_at(pos)


def test_click_emits_neuron_clicked_and_opens_the_panel_with_its_bias(qtbot, view, base):
    centre = view.diagram_layout().centers[3][7]
    with qtbot.waitSignal(view.neuron_clicked) as blocker:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(*np.rint(centre).astype(int)))
    assert blocker.args == [3, 7]
    assert view.panel.isVisible()
    assert view.panel.bias == pytest.approx(base.biases[2][7])
    assert f"b = {fmt(base.biases[2][7])}" in view.panel.details.text()
    z = base.example.zs[2][7]
    assert f"\u03c3({fmt(z)}) = {fmt(base.example.activations[3][7])}" in view.panel.details.text()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.panel.isVisible()


def test_first_layer_panel_shows_the_28x28_weights(qtbot, view, base):
    x, y, w, h = view.diagram_layout().tile_rects[1]
    with qtbot.waitSignal(view.neuron_clicked) as blocker:
        qtbot.mouseClick(
            view, Qt.MouseButton.LeftButton, pos=QPoint(int(x + w / 2), int(y + h / 2))
        )
    assert blocker.args == [1, 1]
    assert view.panel.weights.image() is not None
    assert view.panel.weights.image().size() == QSize(28, 28)


def test_trace_override_changes_the_neuron_fill(view, base):
    centre = view.diagram_layout().centers[1][0]
    point = QPoint(round(centre[0]), round(centre[1]))
    for a, expected in ((1.0, 255), (0.0, 0)):
        acts = list(base.example.activations)
        acts[1] = np.array([a, 0.5, 0.5, 0.5])
        view.set_trace(dataclasses.replace(base.example, activations=tuple(acts)))
        view.refresh()
        assert colour_at(view, point) == (expected,) * 3
    view.set_trace(None)
    view.refresh()
    gray = round(float(base.example.activations[1][0]) * 255)
    assert abs(colour_at(view, point)[0] - gray) <= 1


def assert_no_overlap(layout) -> None:
    """Fail if two neuron circles, two tiles, or a tile and its column's neurons overlap."""
    for k in range(1, len(layout.sizes)):
        c, r = layout.centers[k], layout.radii[k]
        if len(c) > 1:
            assert np.diff(c[:, 1]).min() > 2 * r
        assert c[:, 1].min() - r >= 0 and c[:, 1].max() + r <= layout.height
    for k in range(1, len(layout.sizes) - 1):
        assert layout.column_x[k + 1] - layout.column_x[k] > layout.radii[k] + layout.radii[k + 1]
    t = layout.tile_rects
    for a in range(len(t)):
        for b in range(a + 1, len(t)):
            apart_x = t[a, 0] + t[a, 2] <= t[b, 0] or t[b, 0] + t[b, 2] <= t[a, 0]
            apart_y = t[a, 1] + t[a, 3] <= t[b, 1] or t[b, 1] + t[b, 3] <= t[a, 1]
            assert apart_x or apart_y, (a, b)
    assert (t[:, 0] + t[:, 2]).max() < layout.column_x[1] - layout.radii[1]
    assert layout.image_rect[0] + layout.image_rect[2] < t[:, 0].min()
    assert t[:, 1].min() >= 40 and (t[:, 1] + t[:, 3]).max() <= layout.legend_rect[1]


@pytest.mark.parametrize(
    "sizes",
    [
        (784, 16, 16, 10),
        (784, 128, 64, 10),
        (784, 32, 10),
        (784, 1, 10),
        (784, 128, 128, 128, 128, 10),
    ],
)
@pytest.mark.parametrize("canvas", [(1280, 800), (480, 320), (1920, 1080)])
def test_layout_never_overlaps(sizes, canvas):
    assert_no_overlap(compute_layout(sizes, *canvas))


def test_resize_and_new_architecture_relayout(qtbot, view, base):
    rng = np.random.default_rng(0)
    for sizes in [(784, 128, 64, 10), (784, 8, 8, 8, 8, 10), (784, 32, 10)]:
        net = Network(NetworkConfig(sizes=sizes), rng)
        snap = dataclasses.replace(
            base,
            config=net.config,
            weights=tuple(net.weights),
            biases=tuple(net.biases),
            grad_w=None,
            grad_b=None,
            step_w=None,
            step_b=None,
            example=None,
        )
        view.set_snapshot(snap)
        for w, h in [(1000, 700), (520, 340)]:
            view.resize(w, h)
            view.refresh()
            view.grab()
            layout = view.diagram_layout()
            assert layout.sizes == sizes and (layout.width, layout.height) == (w, h)
            assert_no_overlap(layout)
        view.set_edge_mode("gradient")  # nothing to show before a step: no error
        view.grab()
        view.set_edge_mode("weight")


def test_nan_weights_render_and_show_a_dash(qtbot, view, base):
    w = [np.array(x) for x in base.weights]
    w[1][0, 0] = np.nan
    w[1][1, 1] = np.inf
    w[0][:] = np.nan
    b = [np.array(x) for x in base.biases]
    b[1][0] = np.nan
    view.set_snapshot(dataclasses.replace(base, weights=tuple(w), biases=tuple(b)))
    for power in (1.0, 3.0):
        view.set_emphasis(power)
        view.set_scale_mode(power == 1.0)
        view.refresh()
        assert not view.grab().isNull()
    assert view.edge_at(QPointF(midpoint(view, 0, 0))) == (1, 0, 0)
    tip = view.tooltip_at(QPointF(midpoint(view, 0, 0)))
    assert "w = \u2014" in tip
    centre = view.diagram_layout().centers[2][0]
    assert "b = \u2014" in view.tooltip_at(QPointF(*centre))


def test_mode_actions_switch_and_the_legend_names_the_mode(qtbot, view):
    actions = view.mode_actions()
    gradient = next(a for a in actions if a.text() == "Gradient")
    gradient.trigger()
    assert view.edge_mode() == "gradient" and gradient.isChecked()
    title = legend_boxes(view.diagram_layout(), view.scene())[0][0].text
    assert title.startswith(f"edges and tiles: {MODE_TITLES['gradient']}")
    assert view.toolbar().actions() == actions
    with pytest.raises(ValueError, match="unknown edge mode"):
        view.set_edge_mode("momentum")


def test_export_png_and_svg(view, tmp_path):
    view.export_png(tmp_path / "net.png")
    image = QImage(str(tmp_path / "net.png"))
    assert image.size() == view.size()
    view.export_svg(tmp_path / "net.svg")
    svg = (tmp_path / "net.svg").read_text()
    assert "<svg" in svg and "<image" in svg


def test_hebbian_without_an_example_draws_and_explains(view, base):
    view.set_snapshot(dataclasses.replace(base, example=None))
    view.set_edge_mode("hebbian")
    view.refresh()
    assert not view.grab().isNull()
    assert view.scene().missing.startswith("no example yet")


def test_exported_png_shows_a_drawn_float_input_like_the_screen(qtbot, view, base, tmp_path):
    image = np.zeros((28, 28), np.float32)
    image[4:24, 12:16] = 1.0  # a bar of ink on black, as the drawing pad sends it
    view.set_trace(trace_example(base, image, 1))
    view.refresh()
    view.export_png(tmp_path / "net.png")
    exported = QImage(str(tmp_path / "net.png"))
    x, y, w, h = view.diagram_layout().image_rect
    corner = exported.pixelColor(int(x + 0.1 * w), int(y + 0.1 * h))
    ink = exported.pixelColor(int(x + w * 14 / 28), int(y + h * 14 / 28))
    assert corner.lightness() < 40 and ink.lightness() > 200


def test_a_new_architecture_drops_the_old_networks_drawn_trace(qtbot, view, base) -> None:
    """The window may hand over a new architecture's snapshot before it traces the drawing again
    (the storm found it on a busy machine): the old network's trace is not drawn over the new."""
    image = np.zeros((28, 28), np.float32)
    image[4:24, 12:16] = 1.0
    view.set_trace(trace_example(base, image, 1))
    view.refresh()
    net = Network(
        NetworkConfig(sizes=(784, 6, 5, 4, 10), dtype="float64"), np.random.default_rng(2)
    )
    labels = np.arange(10, dtype=np.uint8)
    images = np.zeros((10, 28, 28), np.uint8)
    trainer = Trainer(net, images, labels, TrainConfig(batch_size=10), seed=3)
    trainer.step_batch()
    other = take_snapshot(trainer, images)
    view.set_snapshot(other)
    view.refresh()  # raised IndexError in the neuron fills: 4 layers of trace, 5 of network
    assert not view.render_image().isNull()
    assert view.snapshot() is other
    view.set_trace(trace_example(other, image, 1))  # the drawing traced through the new one
    view.refresh()
    assert not view.render_image().isNull()


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(batch_size=10),
        TrainConfig(batch_size=10, momentum=0.9),
        TrainConfig(batch_size=10, l2=5.0),
        TrainConfig(batch_size=10, momentum=0.5, l2=5.0),
    ],
)
@pytest.mark.parametrize("size", [QSize(520, 347), QSize(900, 600)])
def test_the_update_legend_says_what_the_trainer_applied(qtbot, config, size):
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 10, 40).astype(np.uint8)
    images = (rng.random((40, 28, 28)) * 255).astype(np.uint8)
    net = Network(NetworkConfig(sizes=SIZES, dtype="float64"), np.random.default_rng(1))
    trainer = Trainer(net, images, labels, config, seed=3)
    for _ in range(3):  # so momentum has a past
        w_before = [w.copy() for w in trainer.network.weights]
        trainer.step_batch()
    snap = take_snapshot(trainer, images)
    factor = 1 - config.learning_rate * config.l2 / snap.n_train
    for w0, w1, v in zip(w_before, snap.weights, snap.step_w):  # what the trainer really did
        np.testing.assert_allclose(w1, factor * w0 + v, rtol=1e-12, atol=1e-12)
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(size)
    view.set_snapshot(snap)
    view.set_edge_mode("update")
    view.refresh()
    boxes = legend_boxes(view.diagram_layout(), view.scene())[0]
    title, lines = boxes[0].text, [b.text for b in boxes[1:]]
    if config.momentum:  # the edges are the velocity v, not -eta dC/dw
        assert f"update v = {config.momentum:g}v \u2212 \u03b7 dC/dw" in title
    else:
        assert "update -\u03b7 dC/dw (the step just applied)" in title
    decay = [t for t in lines if t.startswith("L2 ")]
    if config.l2:  # L2 multiplied w by 1 - eta lambda / n, outside the edges
        said = f"L2 also multiplied every w by 1 \u2212 \u03b7\u03bb/n = {factor:.6g}"
        assert decay == [f"{said} (not in the edges)"]
    else:
        assert decay == []
