"""The explorer's and the diagram's words: every number and sign they state, read back from the
displayed text, equals the value their chart shows and an independent float64 backprop.

The reference here is written from the book (BP1-BP4) in a few lines, without the engine, so a
sign slip in the engine's helpers or in a sentence cannot hide behind a second copy of itself.
"""

from __future__ import annotations

import dataclasses
import html
import re

import numpy as np
import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel
from trained import trainer_after

import pyqtgraph as pg  # isort: skip
from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from engine.lessons import explorer_gradient as eg
from engine.lessons.teach import teach_step
from engine.session.snapshot import edge_values, take_snapshot, trace_example
from gui.diagram.view import NetworkView
from gui.explorer.panel import ExplorerPanel
from gui.explorer.steps import STEPS
from gui.explorer.text import plain

NUM = r"(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
CONFIGS = {
    "sigmoid-quadratic": (NetworkConfig(sizes=(784, 16, 16, 10)), 3.0),
    "relu-cross-entropy": (
        NetworkConfig(sizes=(784, 24, 10), activation="relu", cost="cross-entropy", init="scaled"),
        0.1,
    ),
    "tanh-quadratic": (
        NetworkConfig(sizes=(784, 20, 12, 10), activation="tanh", init="scaled"),
        0.3,
    ),
}
HIDDEN = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
}


def reference(weights, biases, config: NetworkConfig, image: np.ndarray, label: int) -> dict:
    """Backprop one example in float64, straight from the book."""
    act, prime = HIDDEN[config.activation]
    x = image.reshape(-1).astype(np.float64) / 255.0
    activations, zs = [x], []
    for k, (w, b) in enumerate(zip(weights, biases)):
        z = w @ activations[-1] + b
        zs.append(z)
        if k < len(weights) - 1:
            activations.append(act(z))
        elif config.cost == "quadratic":
            activations.append(1 / (1 + np.exp(-z)))
        else:
            e = np.exp(z - z.max())
            activations.append(e / e.sum())
    y = np.zeros(len(activations[-1]))
    y[label] = 1.0
    a = activations[-1]
    dc_da = [None] * len(weights)
    deltas = [None] * len(weights)
    if config.cost == "quadratic":
        dc_da[-1] = a - y
        deltas[-1] = (a - y) * a * (1 - a)  # BP1
    else:
        deltas[-1] = a - y  # BP1, softmax with cross-entropy
    for k in range(len(weights) - 2, -1, -1):
        dc_da[k] = weights[k + 1].T @ deltas[k + 1]
        deltas[k] = dc_da[k] * prime(zs[k])  # BP2
    nabla_w = [np.outer(d, a_in) for d, a_in in zip(deltas, activations)]  # BP4
    return {"a": activations, "delta": deltas, "dc_da": dc_da, "nabla_w": nabla_w}


def before_step(snap) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return the parameters the snapshot's latest step started from (plain SGD, no decay)."""
    weights = [np.asarray(w, np.float64) - s for w, s in zip(snap.weights, snap.step_w)]
    biases = [np.asarray(b, np.float64) - s for b, s in zip(snap.biases, snap.step_b)]
    return weights, biases


@pytest.fixture(scope="module", params=list(CONFIGS))
def trained(request, sample):
    config, lr = CONFIGS[request.param]
    train = sample.train
    trainer = trainer_after(config, train.images, train.labels, TrainConfig(lr, 10), 150, 3, 4)
    return config, take_snapshot(trainer, train.images)


@pytest.fixture
def panel(open_explorer, trained, sample):
    train = (sample.train.images[:600], sample.train.labels[:600])
    return open_explorer(trained[1], train, size=(1200, 760))


def shown(panel: ExplorerPanel, name: str) -> str:
    """Return a label's text as the user reads it: no tags, entities resolved."""
    return html.unescape(plain(panel.findChild(QLabel, name).text()))


def bars(plot: pg.PlotWidget) -> np.ndarray:
    """Return the bar heights a chart draws."""
    items = [i for i in plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]
    assert len(items) == 1
    return np.asarray(items[0].opts["height"], np.float64)


def number(pattern: str, text: str) -> tuple:
    """Return the groups of ``pattern`` in ``text``, numbers as floats."""
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in {text!r}"
    return tuple(float(g) if re.fullmatch(NUM, g) else g for g in found.groups() if g is not None)


def close(printed: float, value: float) -> bool:
    """Return whether a number printed to four significant digits is ``value``."""
    return printed == pytest.approx(value, rel=6e-4, abs=1e-12)


def sign_word(value: float, up: str, down: str) -> str:
    return up if value > 0 else down


@pytest.mark.parametrize("example", [3, 11, 42])
def test_step4_sentences_match_bars_and_an_independent_backprop(panel, trained, sample, example):
    config, snap = trained
    image, label = sample.train.images[example], int(sample.train.labels[example])
    panel.set_example(image, label)
    panel.set_step(4)
    weights, biases = before_step(snap)
    ref = reference(weights, biases, config, image, label)
    page = panel.output_page
    for target in (label, (label + 3) % 10):
        panel.select_neuron(panel.exploration.n_layers, target)
        text = shown(panel, "output_summary")
        delta = ref["delta"][-1][target]
        eta, m = snap.train_config.learning_rate, len(snap.batch_labels)
        (j, d) = number(rf"∂Cx/∂b(\d+) = δ\d+ = {NUM}", text)
        assert int(j) == target and close(d, delta)
        wanted, word = number(
            rf"this example's share of the mini-batch step is −\(η/m\)δ{target} = [^=]*= {NUM} "
            r"\((\w+ it)\)",
            text,
        )
        assert close(wanted, -eta / m * delta)
        assert word == sign_word(-delta, "raise it", "lower it")
        (alone,) = number(rf"a step on it alone \(Teach it\) would be −ηδ{target} = {NUM}", text)
        assert close(alone, -eta * delta)
        x = panel.exploration.x[0]  # Teach it on this example alone moves the bias by that much
        taught = teach_step(panel.exploration.network.copy(), x, label, eta)
        assert close(alone, float(taught.step_b[-1][target]))
        j, taken, word = number(rf"Δb(\d+) = {NUM} \((\w+ it)", text)
        assert close(taken, float(snap.step_b[-1][target]))
        assert word == sign_word(taken, "raise it", "lower it")
        heights = bars(page.weights_plot)
        np.testing.assert_allclose(heights, -ref["nabla_w"][-1][target], atol=1e-9)
        k, _, value, word = number(
            rf"largest wish from neuron (\d+) \(a\d+ = {NUM}\), −a\d+δ\d+ = {NUM} "
            r"\((strengthen|weaken)",
            text,
        )
        assert int(k) == int(np.argmax(np.abs(heights)))
        assert close(value, heights[int(k)])
        assert word == sign_word(value, "strengthen", "weaken")
        previous = bars(page.previous_plot)
        np.testing.assert_allclose(previous, -weights[-1][target] * delta, atol=1e-9)
        i, value, word = number(
            rf"largest wish for neuron (\d+), −w\d+δ\d+ = {NUM} \((fire more|fire less)\)", text
        )
        assert close(value, previous[int(i)])
        assert word == sign_word(value, "fire more", "fire less")


@pytest.mark.parametrize("example", [5, 17])
def test_step5_sum_sentence_has_the_sign_of_the_sum_bar(panel, trained, sample, example):
    config, snap = trained
    image, label = sample.train.images[example], int(sample.train.labels[example])
    panel.set_example(image, label)
    panel.set_step(5)
    weights, biases = before_step(snap)
    ref = reference(weights, biases, config, image, label)
    last = len(weights)
    for j in (0, 5, 9):
        panel.select_neuron(last - 1, j)
        text = shown(panel, "hidden_summary")
        heights = bars(panel.back_page.plot)
        wanted = -ref["dc_da"][last - 2][j]
        assert close(heights[-1], wanted)
        np.testing.assert_allclose(heights[:-1].sum(), heights[-1], atol=1e-9)
        (s, word) = number(rf"desired change −∂Cx/∂a\d+ = {NUM}: all together a\d+ should "
                           r"(fire more|fire less)", text)  # fmt: skip
        assert close(s, heights[-1])
        assert word == sign_word(s, "fire more", "fire less")
        k, value = number(rf"the largest is neuron (\d+)'s, {NUM}\.", text)
        assert close(value, heights[int(k)])
        (d,) = number(rf"= {NUM} \(this example\)", text)
        assert close(d, ref["delta"][last - 2][j])


def test_step6_calls_the_average_the_negative_gradient(panel, trained, sample):
    config, snap = trained
    panel.set_step(6)
    words = shown(panel, "explanation")
    assert "negative of the mini-batch gradient" in words
    assert "is exactly the mini-batch gradient" not in words
    weights, biases = before_step(snap)
    page = panel.pages[5]
    for c, (layer, out, col) in enumerate(page.values["params"]):
        grads = [
            reference(weights, biases, config, img, int(lab))["nabla_w"][layer][out, col]
            for img, lab in zip(snap.batch_images, snap.batch_labels)
        ]
        cell = float(page.table.item(len(grads), c).text())
        assert close(cell, -np.mean(grads))


def bias_of(panel: ExplorerPanel, layer: int, out: int) -> tuple[int, int, int]:
    return layer, out, panel.snapshot.sizes[layer]


@pytest.mark.parametrize("step", [6, 7, 8])
def test_equations_show_the_selected_parameter_and_say_which_quantity(panel, trained, step):
    config, snap = trained
    panel.set_step(step)
    weights, biases = before_step(snap)
    ex = snap.example
    one = reference(weights, biases, config, ex.image, ex.label)
    batch = [
        reference(weights, biases, config, img, int(lab))
        for img, lab in zip(snap.batch_images, snap.batch_labels)
    ]
    last = len(weights) - 1
    for layer, out, col in (bias_of(panel, last, 4), (last, 2, 1), bias_of(panel, 0, 3)):
        panel.select_parameter(layer, out, col)
        text = html.unescape(panel.equations_text())
        is_bias = col == snap.sizes[layer]
        name = "BP3" if is_bias else "BP4"
        assert panel.highlighted_equations() == (name,)
        line = next(row for row in text.splitlines() if row.startswith(name))
        rest = text[text.index(line) + len(line) :].lstrip("\n").splitlines()[0]
        if is_bias:
            x_value = one["delta"][layer][out]
            mean = np.mean([r["delta"][layer][out] for r in batch])
            symbol = rf"∂Cx/∂b{layer + 1}{out}"
        else:
            x_value = one["nabla_w"][layer][out, col]
            mean = np.mean([r["nabla_w"][layer][out, col] for r in batch])
            symbol = rf"∂Cx/∂w{layer + 1}{out},{col}"
        printed, batch_mean = number(
            rf"{symbol} = (?:[^=]*= )?{NUM} \(Cx, this example\); mini-batch mean {NUM}",
            rest,
        )
        assert close(printed, x_value)
        assert close(batch_mean, mean)
        other = "BP4" if is_bias else "BP3"
        other_block = text[text.index(other) :].splitlines()
        assert len(other_block) < 2 or not other_block[1].strip().startswith("∂Cx")


def test_step7_names_a_bias_as_a_bias(panel, trained):
    snap = trained[1]
    panel.set_step(7)
    page = panel.gradient_page
    panel.select_parameter(*bias_of(panel, 1, 0))
    assert page.nudge_title.text() == "Nudge this bias:"
    assert "∂C/∂b" in shown(panel, "nudge_result") and "∂C/∂w" not in shown(panel, "nudge_result")
    assert "Δb" in html.unescape(page.plot.getPlotItem().getAxis("bottom").labelText)
    panel.select_parameter(1, 0, snap.sizes[1] - 1)
    assert page.nudge_title.text() == "Nudge this weight:"
    assert "∂C/∂w" in shown(panel, "nudge_result")


def test_step8_checks_only_parameters_with_a_gradient(panel, qtbot):
    panel.set_step(8)
    panel.check_page.check_all()
    results = panel.check_page.values["all"]
    assert results
    assert {r.layer for r in results} == set(range(panel.exploration.n_layers))
    assert all(r.backprop != 0 for r in results)
    assert all(r.relative_error < 1e-5 for r in results)


def test_every_step_names_the_idea_of_the_video(panel):
    for row in STEPS:
        panel.set_step(row.number)
        assert shown(panel, "explanation").startswith(f"In the video: {row.idea}.")


def test_the_factor_one_half_is_explained_where_the_cost_is_introduced(panel, trained):
    config = trained[0]
    panel.set_step(2)
    text = shown(panel, "explanation")
    if config.cost == "quadratic":
        assert "½Σ(a − y)2" in text
        # 2(a − y) is the video's gradient; its nudges, the change wanted, are 2(y − a)
        assert "gradient ∂C/∂a is 2(a − y)" in text
        assert re.search(r"nudges[^.]*are 2\(y − a\) where ours are y − a", text), text
        assert not re.search(r"nudges[^.:]*2\(a − y\)", text), text
    else:
        assert "−ln a" in text


def test_hebbian_mode_draws_fire_together_wire_together_blue(qtbot, trained_on_sample):
    snap, data = trained_on_sample
    images, labels = data.test.images[:200], data.test.labels[:200]
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.set_snapshot(snap)
    view.set_edge_mode("hebbian")
    view.show()
    qtbot.waitExposed(view)
    checked = 0
    for image, label in zip(images, labels):
        trace = trace_example(snap, image, int(label))
        if int(np.argmax(trace.outputs)) != label:
            continue
        last = len(snap.sizes) - 2
        values = edge_values(snap, "hebbian", last, trace)[label]
        bright = np.flatnonzero(trace.activations[last] > 0.5)
        strongest = bright[np.argsort(-np.abs(values[bright]))[:3]]
        assert np.all(values[strongest] > 0), values[strongest]
        view.set_trace(trace)
        view.refresh()
        i = int(strongest[0])
        x0, y0, x1, y1 = view.diagram_layout().segments(last)[label, i]
        picture = view.grab().toImage()
        blue = 0
        for t in (0.3, 0.45, 0.6, 0.75):
            c = picture.pixelColor(QPoint(round(x0 + t * (x1 - x0)), round(y0 + t * (y1 - y0))))
            blue += c.blue() > c.red() + 60
        assert blue >= 3, (label, i)
        checked += 1
        if checked == 5:
            break
    assert checked == 5


@pytest.mark.parametrize("change", [-3e-5, 3e-5, 1e-9, 0.0])
def test_step6_costs_before_and_after_show_digits_that_differ(panel, monkeypatch, change):
    real = eg.sgd_step

    def near_tie(e):  # the step's costs, moved by a few millionths
        step = real(e)
        return dataclasses.replace(
            step,
            example_after=step.example_before * (1 + change),
            batch_after=step.batch_before * (1 + change),
        )

    monkeypatch.setattr(eg, "sgd_step", near_tie)
    panel.set_step(6)
    text = shown(panel, "batch_costs")
    step = near_tie(panel.exploration)
    for name, before, after in (
        ("this example", step.example_before, step.example_after),
        ("the mini-batch", step.batch_before, step.batch_after),
    ):
        found = re.search(rf"{name}: {NUM} → {NUM}( \(the same[^)]*\))?", text)
        assert found, text
        first, second = found.group(1), found.group(2)
        for printed, value in ((first, before), (second, after)):  # each rounded as printed
            digits = len(re.sub(r"\D", "", printed.split("e")[0]).lstrip("0"))
            assert f"{value:.{digits}g}" == printed
        if change == 0.0:
            assert first == second and found.group(3) == " (the same)"
        elif abs(change) < 1e-6:  # alike to every digit shown: it says so
            assert first == second and found.group(3) == " (the same to 6 digits)"
        else:
            assert first != second and not found.group(3)
