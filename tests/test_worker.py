"""The training worker in its own thread: signals in order, commands obeyed, clean shutdown."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QObject, Signal

from engine.datasets import Dataset, MnistData
from engine.errors import DataError
from engine.network import NetworkConfig
from engine.training import TrainConfig
from engine.worker import FAILED, FINISHED, PAUSED, RUNNING, TrainingWorker


class Relay(QObject):
    """Re-emits the worker's signals in the GUI thread, as the window's own slots receive them.

    pytest-qt's blockers are plain callables; connected straight to a signal emitted in the worker
    thread they would run there and touch their QTimer from the wrong thread.
    """

    batch_trained = Signal(object)
    epoch_finished = Signal(object)
    state_changed = Signal(str)
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
    "batch_trained",
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


def test_step_batch_emits_one_report_and_publishes(qtbot, worker) -> None:
    first = worker.latest_snapshot()
    assert first.grad_w is None and first.examples_seen == 0
    with qtbot.waitSignals(
        [worker.state_changed, worker.batch_trained, worker.state_changed],
        order="strict",
        check_params_cbs=[lambda s: s == RUNNING, lambda r: r.batch == 0, lambda s: s == PAUSED],
        timeout=5000,
    ):
        worker.step_batch()
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
    worker.run()
    for _ in range(40):  # a view looking every 10 ms gets fresh copies all along
        qtbot.wait(10)
        worker.latest_snapshot()
    with qtbot.waitSignal(
        worker.state_changed, check_params_cb=lambda s: s == PAUSED, timeout=5000
    ):
        worker.pause()
    assert worker.snapshot_serial - start >= 5


def test_step_epoch_reports_accuracy(qtbot, worker) -> None:
    reports = []
    worker.batch_trained.connect(reports.append)
    with qtbot.waitSignal(worker.epoch_finished, timeout=10000) as blocker:
        worker.step_epoch()
    qtbot.waitUntil(lambda: worker.state == PAUSED)
    epoch = blocker.args[0]
    assert epoch.epoch == 1 and 0.0 <= epoch.test_accuracy <= 1.0
    assert epoch.test_accuracy > 0.5  # the bars are easy to learn
    assert len(reports) == 50
    np.testing.assert_allclose(epoch.train_cost, np.mean([r.cost for r in reports]), rtol=1e-6)


def test_run_then_pause_stops_within_a_batch(qtbot, worker) -> None:
    reports = []
    worker.batch_trained.connect(reports.append)
    with qtbot.waitSignal(worker.batch_trained, timeout=5000):
        worker.run()
    with qtbot.waitSignal(worker.state_changed, timeout=5000) as blocker:
        worker.pause()
    assert blocker.args == [PAUSED]
    qtbot.wait(50)
    count = len(reports)
    assert worker.latest_snapshot().examples_seen == reports[-1].examples_seen
    qtbot.wait(100)
    assert len(reports) == count


def test_learning_rate_change_applies_at_next_batch(qtbot, worker) -> None:
    with qtbot.waitSignal(worker.state_changed, check_params_cb=lambda s: s == PAUSED):
        worker.step_batch()
    worker.set_train_config(TrainConfig(learning_rate=0.5, batch_size=5))
    with qtbot.waitSignal(worker.batch_trained, timeout=5000) as blocker:
        worker.step_batch()
    assert blocker.args[0].learning_rate == 0.5 and blocker.args[0].batch_size == 5


def test_slow_motion_paces_batches(qtbot, worker) -> None:
    worker.set_speed(20)
    reports = []
    worker.batch_trained.connect(reports.append)
    worker.run()
    qtbot.wait(400)
    worker.pause()
    qtbot.waitUntil(lambda: worker.state == PAUSED)
    assert 4 <= len(reports) <= 12  # about 8 at 20 per second


def test_pause_voids_queued_steps(qtbot, worker) -> None:
    worker.set_speed(5)
    reports = []
    worker.batch_trained.connect(reports.append)
    worker.run_batches(100)
    for _ in range(5):
        worker.step_batch()
    worker.pause()
    qtbot.wait(300)
    assert worker.state == PAUSED and len(reports) <= 2


def test_divergence_fails_and_reset_recovers(qtbot, worker) -> None:
    worker.set_train_config(TrainConfig(learning_rate=1e6, batch_size=10))
    with qtbot.waitSignal(worker.training_failed, timeout=5000) as blocker:
        worker.run()
    assert "learning rate" in blocker.args[0]
    qtbot.waitUntil(lambda: worker.state == FAILED)
    snap = worker.latest_snapshot()
    assert all(np.isfinite(w).all() for w in snap.weights)
    worker.set_train_config(TrainConfig(learning_rate=3.0, batch_size=10))
    with qtbot.waitSignal(worker.network_reset, timeout=5000):
        worker.reset(seed=8)
    assert worker.state == PAUSED
    with qtbot.waitSignal(worker.batch_trained, timeout=5000):
        worker.step_batch()


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
    with qtbot.waitSignal(worker.batch_trained, timeout=5000):
        worker.step_batch()


def test_shutdown_while_running_is_prompt(qtbot, data) -> None:
    w = TrainingWorker(NetworkConfig(sizes=(784, 16, 10)), TrainConfig(), 1)
    w.start()
    w.load_data(lambda: data)
    w.run()
    qtbot.waitUntil(lambda: w.state == RUNNING, timeout=5000)
    assert w.shutdown(1000)
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
