"""The training worker in its own thread: signals in order, commands obeyed, clean shutdown."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QObject, Signal

from engine.core.network import NetworkConfig
from engine.core.training import BatchReport, TrainConfig, Trainer
from engine.data.datasets import Dataset, MnistData
from engine.errors import DataError
from engine.session.worker import FAILED, FINISHED, PAUSED, RUNNING, NetworkStarted, TrainingWorker


class Relay(QObject):
    """Re-emits the worker's signals in the GUI thread, as the window's own slots receive them.

    pytest-qt's blockers are plain callables; connected straight to a signal emitted in the worker
    thread they would run there and touch their QTimer from the wrong thread.
    """

    epoch_finished = Signal(object)
    state_changed = Signal(object)
    training_failed = Signal(str)
    network_reset = Signal(object)
    data_loaded = Signal(object)
    data_failed = Signal(str)

    def __init__(self, worker: TrainingWorker) -> None:
        super().__init__()
        self.worker = worker
        for name in NAMES:
            getattr(worker, name).connect(getattr(self, name))

    def __getattr__(self, name: str):
        return getattr(self.worker, name)


NAMES = [
    "epoch_finished",
    "state_changed",
    "training_failed",
    "network_reset",
    "data_loaded",
    "data_failed",
]


@pytest.fixture
def data(tiny_digits) -> MnistData:
    images, labels = tiny_digits
    return MnistData(
        train=Dataset(images[:500], labels[:500], "train"),
        test=Dataset(images[500:], labels[500:], "test"),
        source="test",
    )


@pytest.fixture
def worker(qtbot, data):
    w = TrainingWorker(
        NetworkConfig(sizes=(784, 16, 10)), TrainConfig(learning_rate=3.0, batch_size=10), 7
    )
    relay = Relay(w)
    w.start()
    with qtbot.waitSignals([relay.data_loaded, relay.network_reset], order="strict", timeout=5000):
        w.load_data(lambda: data)
    yield relay
    assert w.shutdown(5000)


def batches(reports: list) -> list[BatchReport]:
    """Return the mini-batch reports among the worker's reports."""
    return [r for r in reports if isinstance(r, BatchReport)]


def test_step_batch_reports_once_and_publishes(qtbot, worker) -> None:
    first = worker.latest_snapshot()
    assert first.grad_w is None and first.examples_seen == 0
    assert [type(r) for r in worker.take_reports()] == [NetworkStarted]
    with qtbot.waitSignals(
        [worker.state_changed, worker.state_changed],
        order="strict",
        check_params_cbs=[lambda s: s == RUNNING, lambda s: s == PAUSED],
        timeout=5000,
    ):
        worker.step_batch()
    reports = worker.take_reports()
    assert len(reports) == 1 and reports[0].batch == 0 and reports[0].examples_seen == 10
    snap = worker.latest_snapshot()
    assert snap.examples_seen == 10 and snap.grad_w is not None
    assert worker.snapshot_serial >= 2


def test_snapshots_are_taken_only_when_someone_looks(qtbot, worker) -> None:
    worker.latest_snapshot()
    start = worker.snapshot_serial
    with qtbot.waitSignal(
        worker.state_changed, check_params_cb=lambda s: s == PAUSED, timeout=30000
    ):
        worker.run_batches(3000)  # 60 epochs of the 500 examples; nobody looks meanwhile
    # At most one copy after the last look, and the one published on pausing.
    assert worker.snapshot_serial - start <= 2
    assert worker.latest_snapshot().examples_seen == 30000  # and that one is current
    start = worker.snapshot_serial
    worker.train_until_paused()
    # A view looking every 10 ms (waitUntil's pace) gets fresh copies all along.
    qtbot.waitUntil(lambda: (worker.latest_snapshot(), worker.snapshot_serial - start >= 5)[1])
    with qtbot.waitSignal(
        worker.state_changed, check_params_cb=lambda s: s == PAUSED, timeout=5000
    ):
        worker.pause()
    assert worker.snapshot_serial - start >= 5


def test_step_epoch_reports_every_batch_then_the_epoch(qtbot, worker) -> None:
    worker.take_reports()
    with qtbot.waitSignal(worker.epoch_finished, timeout=10000) as blocker:
        worker.step_epoch()
    qtbot.waitUntil(lambda: worker.state == PAUSED)
    epoch = blocker.args[0]
    reports = worker.take_reports()
    assert reports[-1] == epoch and len(batches(reports)) == 50 == len(reports) - 1
    assert reports[-2].epoch_done and not any(r.epoch_done for r in reports[:-2])
    assert epoch.epoch == 1 and epoch.test_accuracy > 0.5  # the bars are easy to learn
    assert epoch.test_total == 100 and epoch.test_correct == round(100 * epoch.test_accuracy)
    np.testing.assert_allclose(epoch.train_cost, np.mean([r.cost for r in reports[:-1]]))


def test_run_then_pause_stops_within_a_batch(qtbot, worker) -> None:
    seen = []
    worker.train_until_paused()
    qtbot.waitUntil(lambda: seen.extend(batches(worker.take_reports())) or len(seen) >= 3)
    with qtbot.waitSignal(worker.state_changed, timeout=5000) as blocker:
        worker.pause()
    assert blocker.args == [PAUSED]
    seen += batches(worker.take_reports())
    assert worker.latest_snapshot().examples_seen == seen[-1].examples_seen
    qtbot.waitUntil(worker.at_rest)
    assert worker.take_reports() == []  # nothing is reported after the pause


def test_learning_rate_change_applies_at_next_batch(qtbot, worker) -> None:
    with qtbot.waitSignal(worker.state_changed, check_params_cb=lambda s: s == PAUSED):
        worker.step_batch()
    worker.set_train_config(TrainConfig(learning_rate=0.5, batch_size=5))
    assert worker.train_config.learning_rate == 0.5  # what the next mini-batch will use
    with qtbot.waitSignal(worker.state_changed, check_params_cb=lambda s: s == PAUSED):
        worker.step_batch()
    last = worker.take_reports()[-1]
    assert last.learning_rate == 0.5 and last.batch_size == 5


def test_the_last_of_many_edits_always_wins(qtbot, worker, monkeypatch) -> None:
    """Edits arriving while the loop hands the previous one to the trainer are never lost.

    The trainer's config setter is slowed down so that most edits land in that moment: a worker
    that reads the pending edit, applies it and only then clears it drops the edit that came in
    between, and if it was the last one, training carries on at a rate the user no longer sees.
    """
    setter = Trainer.config.fset

    def slow_setter(trainer: Trainer, value: TrainConfig) -> None:
        time.sleep(0.001)
        setter(trainer, value)

    monkeypatch.setattr(Trainer, "config", property(Trainer.config.fget, slow_setter))
    latest: list[BatchReport] = []
    worker.train_until_paused()
    for burst in range(6):
        for i in range(30):
            worker.set_train_config(TrainConfig(learning_rate=1 + burst + i / 100, batch_size=10))
            time.sleep(0.0003)
        rate = 1 + burst + 0.29
        assert worker.train_config.learning_rate == rate

        def trains_at_the_last_rate(rate: float = rate) -> bool:
            latest.extend(batches(worker.take_reports()))
            return latest[-1].learning_rate == rate if latest else False

        qtbot.waitUntil(trains_at_the_last_rate, timeout=10000)  # generous: only stops a hang
        assert worker.train_config.learning_rate == rate
    worker.pause()
    qtbot.waitUntil(lambda: worker.state == PAUSED)


def test_slow_motion_waits_between_batches_until_the_speed_changes(qtbot, worker) -> None:
    seen = []
    worker.take_reports()
    worker.set_speed(0.01)  # one mini-batch every 100 seconds
    worker.train_until_paused()
    qtbot.waitUntil(lambda: seen.extend(batches(worker.take_reports())) or len(seen) == 1)
    qtbot.waitUntil(lambda: worker.pacing)  # waiting for the second, due in 100 seconds
    assert len(seen + batches(worker.take_reports())) == 1 and worker.state == RUNNING
    worker.set_speed(0)  # full speed wakes the waiting loop at once
    qtbot.waitUntil(lambda: seen.extend(batches(worker.take_reports())) or len(seen) > 20)
    with qtbot.waitSignal(worker.state_changed, check_params_cb=lambda s: s == PAUSED):
        worker.pause()


def test_pause_voids_queued_steps(qtbot, worker) -> None:
    worker.take_reports()
    worker.set_speed(0.01)  # the first mini-batch, then a 100-second wait for the next
    worker.run_batches(100)
    for _ in range(5):
        worker.step_batch()
    worker.pause()
    qtbot.waitUntil(worker.at_rest)  # the run paused, the five steps voided
    assert worker.state == PAUSED and len(batches(worker.take_reports())) <= 1


def test_divergence_fails_and_reset_recovers(qtbot, worker) -> None:
    with qtbot.waitSignal(worker.network_reset, timeout=5000):  # its cost can explode
        worker.reset(NetworkConfig(sizes=(784, 16, 10), cost="cross-entropy"), seed=7)
    worker.set_train_config(TrainConfig(learning_rate=1e6, batch_size=10))
    with qtbot.waitSignal(worker.training_failed, timeout=5000) as blocker:
        worker.train_until_paused()
    assert "learning rate" in blocker.args[0]
    qtbot.waitUntil(lambda: worker.state == FAILED)
    snap = worker.latest_snapshot()
    assert all(np.isfinite(w).all() for w in snap.weights)
    worker.set_train_config(TrainConfig(learning_rate=3.0, batch_size=10))
    with qtbot.waitSignal(worker.network_reset, timeout=5000):
        worker.reset(seed=8)
    assert worker.state == PAUSED
    worker.take_reports()
    with qtbot.waitSignal(worker.state_changed, check_params_cb=lambda s: s == PAUSED):
        worker.step_batch()
    assert len(batches(worker.take_reports())) == 1


def test_reset_with_same_seed_is_identical(qtbot, worker) -> None:
    with qtbot.waitSignal(worker.network_reset, timeout=5000):
        worker.reset(seed=3)
    a = worker.latest_snapshot().weights[0]
    with qtbot.waitSignal(worker.network_reset, timeout=5000):
        worker.reset(NetworkConfig(sizes=(784, 16, 10)), seed=3)
    np.testing.assert_array_equal(a, worker.latest_snapshot().weights[0])
    with qtbot.waitSignal(worker.network_reset, timeout=5000):
        worker.reset(NetworkConfig(sizes=(784, 8, 8, 10)), seed=3)
    assert worker.latest_snapshot().sizes == (784, 8, 8, 10)


def test_failed_load_keeps_old_data(qtbot, worker) -> None:
    def broken():
        raise DataError("train-images.gz is truncated")

    before = worker.latest_snapshot()
    with qtbot.waitSignal(worker.data_failed, timeout=5000) as blocker:
        worker.load_data(broken)
    assert "truncated" in blocker.args[0]
    assert worker.latest_snapshot() is before
    with qtbot.waitSignal(worker.state_changed, check_params_cb=lambda s: s == PAUSED):
        worker.step_batch()
    assert worker.latest_snapshot().examples_seen == before.examples_seen + 10


def test_shutdown_while_running_is_prompt(qtbot, data) -> None:
    w = TrainingWorker(NetworkConfig(sizes=(784, 16, 10)), TrainConfig(), 1)
    w.start()
    w.load_data(lambda: data)
    w.train_until_paused()
    qtbot.waitUntil(lambda: w.state == RUNNING, timeout=5000)
    assert w.shutdown(5000)  # how quickly: bench/bench_gui.py; here, that it stops at all
    assert w.state == FINISHED


def test_a_loader_failing_with_a_plain_error_is_reported_and_the_thread_lives(qtbot, data):
    w = TrainingWorker(NetworkConfig(sizes=(784, 16, 10)), TrainConfig(), 1)
    relay = Relay(w)
    w.start()

    def unreadable():
        raise PermissionError(13, "Permission denied", "/data/train-images.gz")

    with qtbot.waitSignal(relay.data_failed, timeout=5000) as blocker:
        w.load_data(unreadable)
    assert "Permission denied" in blocker.args[0]
    with qtbot.waitSignal(relay.data_loaded, timeout=5000):
        w.load_data(lambda: data)  # the worker still serves commands
    assert w.shutdown(5000)
