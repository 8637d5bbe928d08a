"""The snapshot history keeps exact parameters, covers the whole run and stays within its budget."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer
from engine.session.replay import KeptSnapshots
from engine.session.snapshot import Snapshot, network_of, take_snapshot

BATCH = 10
N_TRAIN = 10000


@pytest.fixture(scope="module")
def base(tiny_digits_module) -> Snapshot:
    images, labels = tiny_digits_module
    net = Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(0))
    trainer = Trainer(net, images, labels, TrainConfig(batch_size=BATCH), 0)
    trainer.step_batch()
    snap = take_snapshot(trainer, images)
    return dataclasses.replace(snap, n_train=N_TRAIN)


@pytest.fixture(scope="module")
def tiny_digits_module() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 10, 100).astype(np.uint8)
    images = (rng.random((100, 28, 28)) * 255).astype(np.uint8)
    return images, labels


def at(base: Snapshot, batch: int) -> Snapshot:
    """Return a snapshot after ``batch`` mini-batches whose parameters all equal ``batch``."""
    return dataclasses.replace(
        base,
        examples_seen=batch * BATCH,
        epoch=batch * BATCH // N_TRAIN,
        weights=tuple(np.full_like(w, batch) for w in base.weights),
        biases=tuple(np.full_like(b, batch) for b in base.biases),
    )


def test_fifty_epochs_stay_within_budget_and_cover_the_run(base) -> None:
    budget = 5 * 1024 * 1024
    history = KeptSnapshots(interval=100, budget=budget)
    batches = 50 * N_TRAIN // BATCH  # 50,000 mini-batches
    for batch in range(0, batches + 1, 10):  # every 10th: the history keeps every 100th anyway
        history.add(at(base, batch), cost=1.0 / (1 + batch))
        assert history.memory_bytes() <= budget
    assert batches * BATCH - history.examples_seen()[-1] < history.interval * BATCH
    assert history.add(at(base, batches), cost=1.0 / (1 + batches), force=True)  # run's end
    assert history.memory_bytes() <= budget
    seen = history.examples_seen()
    assert seen[0] == 0 and seen[-1] == batches * BATCH
    assert np.all(np.diff(seen) > 0)
    per_record = history.get(0).nbytes()
    assert len(history) >= budget // per_record // 2
    assert np.diff(seen).max() <= history.interval * BATCH  # evenly covered, no hole
    for i in (0, len(history) // 2, -1):
        record = history.get(i)
        value = record.examples_seen // BATCH
        assert np.all(record.flat == value)
        assert record.cost == pytest.approx(1.0 / (1 + value))


def test_get_returns_exactly_the_stored_parameters(base) -> None:
    history = KeptSnapshots(interval=1)
    history.add(base)
    record = history.get(0)
    for kept, original in zip(record.weights + record.biases, base.weights + base.biases):
        assert kept.shape == original.shape
        np.testing.assert_array_equal(kept, original)
        assert not kept.flags.writeable
    snap = record.as_snapshot()
    x = np.linspace(0, 1, 784)[None, :].astype(np.float32)
    np.testing.assert_array_equal(network_of(snap).feedforward(x), network_of(base).feedforward(x))
    assert "epoch 0.00" in record.describe() and "10 examples" in record.describe()


def test_add_keeps_one_every_k_batches(base) -> None:
    history = KeptSnapshots(interval=100)
    kept = [b for b in range(0, 1000, 7) if history.add(at(base, b))]
    assert np.all(np.diff(kept) >= 100)
    assert history.add(at(base, 1001), force=True)
    assert not history.add(at(base, 1001))  # the same moment again, while paused
    history.set_interval(5)
    assert history.add(at(base, 1006))


def test_branch_from_drops_the_later_records(base) -> None:
    history = KeptSnapshots(interval=1)
    for batch in range(10):
        history.add(at(base, batch))
    history.branch_from(3)
    assert len(history) == 4 and history.get(-1).examples_seen == 3 * BATCH
    assert history.add(at(base, 7))
    assert [r.examples_seen // BATCH for r in map(history.get, range(len(history)))] == [
        0,
        1,
        2,
        3,
        7,
    ]
    history.add(at(base, 2), force=True)  # resumed further back: a new branch from batch 1
    assert history.examples_seen().tolist() == [0, 10, 20]


def test_another_architecture_clears(base) -> None:
    history = KeptSnapshots(interval=1)
    history.add(at(base, 5))
    other = dataclasses.replace(
        at(base, 9), config=NetworkConfig(sizes=(784, 16, 16, 10), init="scaled")
    )
    history.add(other)
    assert len(history) == 1 and history.get(0).config == other.config
