"""What is under the mouse in the diagram, found and named without a widget."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer
from engine.session.snapshot import take_snapshot
from gui.diagram import hits
from gui.diagram.labels import fmt
from gui.diagram.layout import compute_layout

SIZES = (784, 5, 4, 10)


@pytest.fixture(scope="module")
def snapshot():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 10, 20).astype(np.uint8)
    images = (rng.random((20, 28, 28)) * 255).astype(np.uint8)
    net = Network(NetworkConfig(sizes=SIZES, dtype="float64"), np.random.default_rng(1))
    trainer = Trainer(net, images, labels, TrainConfig(batch_size=10), seed=3)
    trainer.step_batch()
    return take_snapshot(trainer, images)


@pytest.fixture(scope="module")
def layout():
    return compute_layout(SIZES, 1000, 640)


def test_every_neuron_is_found_at_its_centre(layout) -> None:
    for layer in range(1, len(SIZES)):
        for index, (x, y) in enumerate(layout.centers[layer].tolist()):
            assert hits.neuron_at(layout, x, y) == (layer, index)


def test_a_tile_and_an_input_pixel_are_found(layout) -> None:
    tx, ty, tw, th = layout.tile_rects[3]
    assert hits.tile_at(layout, tx + tw / 2, ty + th / 2) == 3
    x, y, w, h = layout.image_rect
    side = layout.image_side
    row, col = 5, 9  # the centre of pixel (5, 9)
    px, py = x + (col + 0.5) * w / side, y + (row + 0.5) * h / side
    assert hits.neuron_at(layout, px, py) == (0, row * side + col)
    assert hits.tile_at(layout, px, py) is None


def test_where_edges_cross_the_strongest_is_found(layout, snapshot) -> None:
    segments = [None] + [layout.segments(k) for k in range(1, len(SIZES) - 1)]
    x0, y0 = layout.centers[2][1]
    x1, y1 = layout.centers[3][7]
    mid = ((x0 + x1) / 2, (y0 + y1) / 2)
    weights = list(snapshot.weights)
    weights[2] = np.full((10, 4), 0.01)
    weights[2][7, 1] = -2.0  # the one strong edge, hidden 2 neuron 1 to output 7
    strong = dataclasses.replace(snapshot, weights=tuple(weights))
    assert hits.edge_at(layout, segments, strong, "weight", None, *mid) == (2, 7, 1)
    weights[2][7, 1] = 0.0  # now another edge through the same point wins
    weak = dataclasses.replace(snapshot, weights=tuple(weights))
    assert hits.edge_at(layout, segments, weak, "weight", None, *mid) != (2, 7, 1)


def test_tips_name_the_snapshot_numbers(layout, snapshot) -> None:
    trace = snapshot.example
    tip = hits.neuron_tip(layout, snapshot, trace, 2, 3).splitlines()
    assert tip[0] == "hidden 2 neuron 3"
    assert f"b = {fmt(snapshot.biases[1][3])}" in tip
    assert f"a = {fmt(trace.activations[2][3])}" in tip
    edge = hits.edge_tip(layout, snapshot, trace, 2, 7, 1).splitlines()
    assert edge[0] == "hidden 2 neuron 1 \u2192 output neuron 7 (digit 7)"
    assert edge[1] == f"w = {fmt(snapshot.weights[2][7, 1])}"
