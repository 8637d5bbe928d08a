"""The explorer panel: walk all nine steps both ways, and every number shown is the engine's."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from trained import trainer_after

from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from engine.lessons import explorer_gradient as eg
from engine.lessons.explorer import Exploration, explored_network
from engine.session.snapshot import take_snapshot
from gui.explorer.panel import ExplorerPanel
from gui.explorer.steps import N_STEPS, step_row
from gui.explorer.text import fmt, param_name

ARCHITECTURES = {
    "sigmoid-quadratic": (NetworkConfig(sizes=(784, 16, 16, 10)), 3.0),
    "relu-cross-entropy": (
        NetworkConfig(sizes=(784, 32, 10), activation="relu", cost="cross-entropy", init="scaled"),
        0.1,
    ),
}


@pytest.fixture(scope="module", params=list(ARCHITECTURES))
def snapshot(request, sample):
    config, lr = ARCHITECTURES[request.param]
    train = sample.train
    trainer = trainer_after(config, train.images, train.labels, TrainConfig(lr, 10), 40, 5, 6)
    return take_snapshot(trainer, train.images)


@pytest.fixture
def panel(open_explorer, snapshot, sample):
    train, test = sample.train, sample.test
    return open_explorer(
        snapshot, (train.images[:1000], train.labels[:1000]), (test.images, test.labels)
    )


def text(panel: ExplorerPanel, name: str) -> str:
    from PySide6.QtWidgets import QLabel

    return panel.findChild(QLabel, name).text()


def check_step(panel: ExplorerPanel, sample) -> None:
    """Compare what the current step shows with a fresh engine computation."""
    snap = panel.snapshot
    e = Exploration(snap, snap.example.image, snap.example.label)  # the default example
    last = e.n_layers
    shown = panel.displayed_values()
    step = panel.step()
    assert f"Step {step} of {N_STEPS}" in text(panel, "step_title")
    assert "BP1" in panel.equations_text() and "BP4" in panel.equations_text()
    if step == 1:
        f = e.neuron_formula(last, e.label)
        assert shown["z"] == pytest.approx(f.z) and shown["a"] == pytest.approx(f.a)
        assert shown["z"] == pytest.approx(shown["terms_sum"] + shown["bias"])
        assert fmt(f.a) in text(panel, "formula")
    elif step == 2:
        np.testing.assert_allclose(shown["shares"], e.cost_breakdown())
        assert shown["shares"].sum() == pytest.approx(e.cost)
        assert fmt(e.cost) in text(panel, "cost_total")
    elif step == 3:
        np.testing.assert_allclose(shown["nudges"], e.desired_nudges())
        assert fmt(e.desired_nudges()[e.label]) in text(panel, "nudge_table")
    elif step == 4:
        c = e.output_change(e.label)
        assert shown["delta"] == pytest.approx(c.delta)
        np.testing.assert_allclose(
            shown["weight_gradients"], e.record.per_example(0)[0][-1][e.label]
        )
        assert fmt(c.delta) in text(panel, "output_summary")
        assert f"= {fmt(c.delta)}" in panel.equations_text()  # BP1 substituted
    elif step == 5:
        layer, j = panel.state.hidden
        assert shown["dc_da"] == pytest.approx(e.record.dc_da[layer - 1][0, j])
        assert shown["contributions"].sum() == pytest.approx(shown["dc_da"])
        assert shown["delta"] == pytest.approx(e.record.deltas[layer - 1][0, j])
        assert fmt(shown["delta"]) in text(panel, "hidden_summary")
    elif step == 6:
        np.testing.assert_allclose(shown["average"], shown["gradient"], atol=1e-12)
        for (layer, out, col), g in zip(shown["params"], shown["gradient"]):
            assert g == pytest.approx(float(snap.grad_w[layer][out, col]), rel=1e-3, abs=1e-7)
        step_result = eg.sgd_step(e)
        assert shown["costs"] == pytest.approx(
            (
                step_result.example_before,
                step_result.example_after,
                step_result.batch_before,
                step_result.batch_after,
            )
        )
        table = panel.findChild(type(panel.pages[5].table), "batch_table")
        m = len(snap.batch_labels)
        assert table.item(m, 0).text() == fmt(-shown["gradient"][0])
    elif step == 7:
        top = eg.top_components(e, 12)
        assert shown["top"] == top
        page = panel.gradient_page
        assert page.top.item(0).text().endswith(f"{top[0][3]:+.4g}")
        page.slider.setValue(60)
        nudge = page.values["nudge"]
        layer, out, col = panel.state.param
        net = explored_network(snap)
        c0 = float(net.mean_cost(e.batch_x, e.batch_labels))
        net.params[layer][out, col] += 0.6
        real = float(net.mean_cost(e.batch_x, e.batch_labels)) - c0
        assert nudge.real == pytest.approx(real)
        assert nudge.predicted == pytest.approx(e.batch_gradient(layer, out, col) * 0.6)
        assert fmt(real) in text(panel, "nudge_result")
    elif step == 8:
        checked = shown["selected"]
        assert checked.backprop == e.batch_gradient(*panel.state.param)
        assert checked.relative_error < 1e-6
        assert f"{checked.backprop:.10g}" in text(panel, "check_selected")
    elif step == 9:
        search = shown["search"]
        images, labels = sample.train.images[:1000], sample.train.labels[:1000]
        direct = eg.line_search(e, images[: search.n_examples], labels[: search.n_examples],
                                search.ts)  # fmt: skip
        np.testing.assert_allclose(search.batch_curve, direct.batch_curve)
        assert search.cosine == pytest.approx(direct.cosine)
        assert f"{direct.cosine:.3f}" in text(panel, "line_summary")
    elif step == 10:
        r = shown["descent"]
        assert r.n_examples == 1000 and r.gradient_change < r.random_changes.min()
        assert fmt(r.gradient_change) in text(panel, "steepest_summary")
    elif step == 11:
        p = shown["picture"]
        np.testing.assert_array_equal(p.sgd.states[0], p.full.states[0])
        assert fmt(p.sgd.costs[-1]) in text(panel, "descent_summary")
    elif step == 12:
        assert "on 100, 1,000 labelled examples" in text(panel, "data_summary")


def shows_step(panel: ExplorerPanel, step: int) -> bool:
    """Return whether the panel shows ``step``: its title, its page and its number."""
    title = f"Step {step} of {N_STEPS} · {step_row(step).title}"
    page = panel.stack.currentWidget() is panel.pages[step - 1]
    return panel.step() == step and text(panel, "step_title") == title and page


def test_walks_all_steps_with_buttons_and_keys(qtbot, panel, sample) -> None:
    assert panel.step() == 1
    check_step(panel, sample)
    for expected in range(2, N_STEPS + 1):
        qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
        assert shows_step(panel, expected)
        qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)  # steps 9-11's pictures
        check_step(panel, sample)
    assert not panel.next_button.isEnabled()
    for expected in range(N_STEPS - 1, 0, -1):
        qtbot.keyClick(panel, Qt.Key.Key_Left)
        assert shows_step(panel, expected)
        qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)  # steps 9-11's pictures
        check_step(panel, sample)
    qtbot.keyClick(panel, Qt.Key.Key_Right)
    assert panel.step() == 2
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert panel.step() == 1


def test_selections_show_the_clicked_neuron_and_weight(qtbot, panel) -> None:
    panel.set_step(5)
    diagram = panel.diagram
    center = diagram.position(1, 3).toPoint()
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=center)
    assert diagram.selected == (1, 3)  # ringed on the diagram
    assert panel.state.hidden == (1, 3)
    assert panel.displayed_values()["dc_da"] == pytest.approx(
        panel.exploration.record.dc_da[0][0, 3]
    )
    panel.set_step(7)
    page = panel.gradient_page
    sizes = panel.exploration.sizes
    rows = [page.top.item(i) for i in range(page.top.count())]
    item = next(
        r
        for r in rows
        if r.data(Qt.ItemDataRole.UserRole)[2] < sizes[r.data(Qt.ItemDataRole.UserRole)[0]]
    )
    wanted = tuple(item.data(Qt.ItemDataRole.UserRole))
    rect = page.top.visualItemRect(item)
    qtbot.mouseClick(page.top.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert panel.state.param == wanted
    assert text(panel, "nudge_result").startswith(param_name(wanted, sizes))  # the page says so
    assert panel.displayed_values()["gradient"] == panel.exploration.batch_gradient(*wanted)
    panel.set_step(8)
    qtbot.mouseClick(panel.check_page.button, Qt.MouseButton.LeftButton)
    results = panel.displayed_values()["all"]
    assert {r.layer for r in results} == set(range(panel.exploration.n_layers))
    assert panel.check_page.table.rowCount() == len(results)
    assert all(r.relative_error < 1e-5 or abs(r.backprop) < 1e-9 for r in results)


def test_explores_a_drawing(qtbot, panel) -> None:
    drawing = np.zeros((28, 28), np.float32)
    drawing[6:22, 13:15] = 1.0
    with qtbot.waitSignal(panel.trace_changed) as blocker:
        panel.set_example(drawing, 1)
    trace = blocker.args[0]
    assert trace.label == 1
    e = Exploration(panel.snapshot, drawing, 1)
    np.testing.assert_allclose(trace.outputs, e.activations(e.n_layers))
    panel.set_step(2)
    assert panel.displayed_values()["cost"] == pytest.approx(e.cost)
