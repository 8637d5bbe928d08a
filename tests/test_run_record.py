"""The run's record, on its own: what it keeps, when it says it changed, and which history wins."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import BatchReport, EpochReport, TrainConfig, evaluate
from engine.session.history import TrainingHistory
from engine.session.snapshot import parameters_snapshot
from engine.session.training_run import NetworkStarted
from gui.run_record import NO_ACCURACY, RunRecord

CONFIG = NetworkConfig(sizes=(4, 3, 2))


def batch(examples_seen: int, cost: float, n_train: int = 100) -> BatchReport:
    """A mini-batch report of 10 examples at ``examples_seen``."""
    return BatchReport(
        epoch=(examples_seen - 1) // n_train,
        batch=((examples_seen - 1) % n_train) // 10,
        examples_seen=examples_seen,
        cost=cost,
        learning_rate=3.0,
        batch_size=10,
        epoch_progress=examples_seen / n_train,
        epoch_done=examples_seen % n_train == 0,
        examples_per_second=1000.0,
    )


def epoch(n: int, accuracy: float) -> EpochReport:
    """The end of epoch ``n`` with ``accuracy`` on the test set."""
    return EpochReport(epoch=n, train_cost=0.4, test_cost=0.3, test_accuracy=accuracy, seconds=0.1)


@pytest.fixture
def record(qtbot):
    """A record with its signals counted."""
    r = RunRecord()
    r.seen = {"changed": 0, "replaced": 0, "stalled": 0, "accuracy": 0, "batches": []}
    r.changed.connect(lambda: r.seen.__setitem__("changed", r.seen["changed"] + 1))
    r.replaced.connect(lambda: r.seen.__setitem__("replaced", r.seen["replaced"] + 1))
    r.stalled.connect(lambda: r.seen.__setitem__("stalled", r.seen["stalled"] + 1))
    r.accuracy_changed.connect(lambda: r.seen.__setitem__("accuracy", r.seen["accuracy"] + 1))
    r.batches_added.connect(lambda p, c: r.seen["batches"].append((p.copy(), c.copy())))
    return r


def test_batches_go_to_the_history_and_the_plot_in_order_and_mark_the_run_unsaved(record):
    assert not record.unsaved and len(record.history) == 0
    record.add_batches([batch(10, 2.0), batch(20, 1.5), batch(30, 1.2)])
    record.add_batches([])  # nothing new: nothing said
    assert record.unsaved and record.seen["changed"] == 1
    np.testing.assert_allclose(record.history.batches.column("cost"), [2.0, 1.5, 1.2])
    [(progress, costs)] = record.seen["batches"]
    np.testing.assert_allclose(progress, [0.1, 0.2, 0.3])
    np.testing.assert_allclose(costs, [2.0, 1.5, 1.2])
    assert record.last_batch.examples_seen == 30


def test_the_unsaved_flag_and_the_file_say_they_changed_only_when_they_did(record):
    record.unsaved = False
    assert record.seen["changed"] == 0
    record.unsaved = True
    record.unsaved = True
    assert record.seen["changed"] == 1
    record.model_path = None
    assert record.seen["changed"] == 2  # the title is redrawn for a new (or no) file


def test_an_epoch_sets_the_accuracy_text_and_a_stall_is_said_once(record):
    record.add_batches([batch(10 * k, 2.3) for k in range(1, 11)])  # a flat cost
    record.add_epoch(epoch(1, 0.1135))
    assert record.accuracy_text == "Test accuracy 11.35%"
    assert record.accuracy_seen == 100
    assert record.seen["stalled"] == 1
    record.add_batches([batch(100 + 10 * k, 2.3) for k in range(1, 11)])
    record.add_epoch(epoch(2, 0.1135))
    assert record.seen["stalled"] == 1  # once per network


def test_a_learning_run_is_not_stalled(record):
    record.add_batches([batch(10 * k, 2.0 / k) for k in range(1, 11)])
    record.add_epoch(epoch(1, 0.1))
    assert record.seen["stalled"] == 0


def test_a_fresh_network_starts_an_untitled_empty_history(record, tmp_path):
    record.model_path = tmp_path / "a.npz"
    record.add_batches([batch(10, 2.0)])
    record.scrubbed = 3
    record.begin(NetworkStarted(False), undone=None)
    assert len(record.history) == 0 and not record.unsaved and record.model_path is None
    assert record.scrubbed is None and record.last_batch is None
    assert record.seen["replaced"] == 1


def test_an_opened_model_brings_its_own_history_and_keeps_its_file(record, tmp_path):
    opened = TrainingHistory()
    opened.add_batches(np.array([0.5, 1.0]), np.array([0.9, 0.8]))
    record.add_batches([batch(10, 2.0)])
    record.pending_history = opened
    record.model_path = tmp_path / "m.npz"
    record.begin(NetworkStarted(False), undone=None)
    assert record.history is opened and record.pending_history is None
    assert not record.unsaved and record.model_path == tmp_path / "m.npz"


def test_a_branch_keeps_the_past_up_to_where_it_resumes(record):
    record.add_batches([batch(10 * k, 1.0 / k) for k in range(1, 11)])
    record.resume_point = 0.5
    record.begin(NetworkStarted(True), undone=None)
    assert record.history.batches.column("progress").max() <= 0.5
    assert len(record.history) == 5 and record.unsaved and record.resume_point is None


def test_undoing_a_teach_step_keeps_the_run_and_its_saved_state(record, tmp_path):
    record.add_batches([batch(10, 2.0)])
    record.model_path = tmp_path / "m.npz"
    record.unsaved = True
    record.begin(NetworkStarted(False), undone=False)
    assert len(record.history) == 1 and not record.unsaved
    assert record.model_path == tmp_path / "m.npz"


def test_accuracy_is_measured_once_per_point_and_labelled_as_the_network_began(qtbot, record):
    net = Network(CONFIG, np.random.default_rng(1))
    rng = np.random.default_rng(0)
    test = SimpleNamespace(images=rng.random((50, 4)), labels=rng.integers(0, 2, 50))
    data = SimpleNamespace(test=test)
    snap = parameters_snapshot(
        CONFIG, TrainConfig(), 0, 40, 100, tuple(net.weights), tuple(net.biases)
    )
    expected = evaluate(net, test.images, test.labels).accuracy
    assert record.accuracy_text == NO_ACCURACY
    record.start_notes[40] = "opened model"
    record.measure_new(snap, data)  # measured off the GUI thread: said when it arrives
    qtbot.waitUntil(lambda: not record.measuring(), timeout=10000)
    assert record.accuracy_text == f"Test accuracy {100 * expected:.2f}% (opened model)"
    assert record.seen["accuracy"] == 1 and 40 not in record.start_notes
    record.measure(snap, data)  # the same point: not measured again
    assert not record.measuring() and record.seen["accuracy"] == 1
    record.measure_new(snap, data)  # a new network at the same point is measured anew
    qtbot.waitUntil(lambda: not record.measuring(), timeout=10000)
    assert record.accuracy_text == f"Test accuracy {100 * expected:.2f}% (at 40 examples)"
    record.measure(None, data)
    record.measure(snap, None)
    assert not record.measuring() and record.seen["accuracy"] == 2


def test_a_newer_network_drops_the_measurement_of_the_one_it_replaced(qtbot, record):
    """Only the newest request is said: an answer for a replaced network never shows."""
    rng = np.random.default_rng(0)
    test = SimpleNamespace(images=rng.random((50, 4)), labels=rng.integers(0, 2, 50))
    data = SimpleNamespace(test=test)
    nets = [Network(CONFIG, np.random.default_rng(seed)) for seed in (1, 2)]
    snaps = [
        parameters_snapshot(CONFIG, TrainConfig(), 0, 0, 100, tuple(n.weights), tuple(n.biases))
        for n in nets
    ]
    record.measure_new(snaps[0], data)
    record.measure_new(snaps[1], data)  # a reset before the first answer arrived
    qtbot.waitUntil(lambda: not record.measuring(), timeout=10000)
    expected = evaluate(nets[1], test.images, test.labels).accuracy
    assert record.seen["accuracy"] == 1
    assert record.accuracy_text == f"Test accuracy {100 * expected:.2f}% (untrained)"
