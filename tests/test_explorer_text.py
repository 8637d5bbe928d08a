"""The explorer's words as pure text: built from one state, without a widget, checked by value."""

from __future__ import annotations

import html
import subprocess
import sys

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer
from engine.data.datasets import load_sample
from engine.lessons.explorer import Exploration
from engine.session.snapshot import take_snapshot
from gui.explorer.state import ExplorerState
from gui.explorer.steps import STEPS, step_row
from gui.explorer.text import (
    equation_parameter,
    equations_html,
    explanation,
    fmt,
    highlighted_equations,
    plain,
)


def shown(rich: str) -> str:
    """Return rich text as a reader sees it: no tags, entities as characters."""
    return html.unescape(plain(rich))


@pytest.fixture(scope="module")
def state() -> ExplorerState:
    sample = load_sample()
    train = sample.train
    trainer = Trainer(
        Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(3)),
        train.images,
        train.labels,
        TrainConfig(learning_rate=3.0, batch_size=10),
        seed=4,
    )
    for _ in range(20):
        trainer.step_batch()
    snap = take_snapshot(trainer, train.images)
    e = Exploration(snap, train.images[3], int(train.labels[3]))
    last = e.n_layers
    return ExplorerState(
        exploration=e,
        target=e.label,
        hidden=(last - 1, 2),
        formula=(last, e.label),
        param=(1, 4, 16),  # the bias of neuron 4 in layer 2
        back_to=1,
        revealed=last,
    )


def test_text_module_needs_no_widgets() -> None:
    code = "import sys, gui.explorer.text; print('PySide6.QtWidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_step_has_a_title_and_an_explanation(state: ExplorerState) -> None:
    for row in STEPS:
        assert row.title
        words = plain(explanation(row.key, state.exploration))
        assert len(words) > 80 and "<" not in words


def test_bp1_shows_the_engine_delta_of_the_chosen_output(state: ExplorerState) -> None:
    e = state.exploration
    c = e.output_change(state.target)
    text = shown(equations_html(state, step_row(3)))
    assert f"= {fmt(c.delta)} (C" in text
    assert highlighted_equations(state, step_row(3)) == ("BP1",)


def test_steps_six_to_eight_show_the_selected_parameter(state: ExplorerState) -> None:
    e = state.exploration
    assert equation_parameter(state, step_row(7)) == state.param
    assert highlighted_equations(state, step_row(7)) == ("BP3",)  # a bias
    mean = fmt(e.batch_gradient(*state.param))
    assert f"mini-batch mean {mean}" in shown(equations_html(state, step_row(7)))
    weight = ExplorerState(**{**state.__dict__, "param": (1, 4, 0)})
    assert highlighted_equations(weight, step_row(8)) == ("BP4",)
    a = float(e.activations(1)[0])
    delta = float(e.record.deltas[1][0, 4])
    assert f"= {fmt(a)} × {fmt(delta)} = {fmt(a * delta)}" in shown(
        equations_html(weight, step_row(8))
    )
