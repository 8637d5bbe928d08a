"""The state of a training run, without Qt: reports, snapshots, history, edits and loading."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from engine.core.network import NetworkConfig
from engine.core.training import BatchReport, EpochReport, TrainConfig
from engine.data.datasets import Dataset, MnistData
from engine.errors import DataError
from engine.session.training_run import (
    PUBLISH_INTERVAL,
    NetworkStarted,
    Pacer,
    TrainingRun,
    load_in_background,
)


@pytest.fixture
def run(tiny_digits) -> TrainingRun:
    images, labels = tiny_digits
    run = TrainingRun(NetworkConfig((784, 12, 10)), TrainConfig(3.0, 10), seed=4)
    run.data = MnistData(
        train=Dataset(images[:500], labels[:500], "train"),
        test=Dataset(images[500:], labels[500:], "test"),
        source="test",
    )
    assert run.reset(None, None)
    return run


def test_reports_flow_in_order_with_the_epochs_evaluation(run) -> None:
    reports = [run.next_report() for _ in range(52)]
    assert isinstance(reports[50], EpochReport) and reports[49].epoch_done
    assert all(isinstance(r, BatchReport) for r in reports[:50] + reports[51:])
    assert run.take_reports() == [NetworkStarted(False), *reports]
    assert run.take_reports() == []


def test_a_snapshot_is_published_only_when_looked_at_and_due(run) -> None:
    serial = run.serial
    run.next_report()
    run.publish(when_due=True)  # the first snapshot was never looked at
    assert run.serial == serial
    run.latest_snapshot()
    time.sleep(1.5 * PUBLISH_INTERVAL)
    run.publish(when_due=True)
    assert run.serial == serial + 1 and run.latest_snapshot().examples_seen == 10


def test_history_keeps_every_k_batches_and_resume_branches(run) -> None:
    run.set_keep_interval(5)
    for _ in range(30):
        run.next_report()
    assert list(run.kept.examples_seen()) == [0, 60, 110, 160, 210, 260]  # K after the first
    assert run.resume(2) and run.trainer.examples_seen == 110
    assert len(run.kept) == 3 and not run.resume(7)


def test_the_newest_edit_wins_against_a_training_thread(run) -> None:
    done = threading.Event()

    def train() -> None:
        while not done.is_set():
            run.next_report()

    thread = threading.Thread(target=train)
    thread.start()
    try:
        for i in range(2000):
            run.set_train_config(TrainConfig(1.0 + i / 1000, 10))
    finally:
        done.set()
        thread.join()
    run.next_report()
    assert run.trainer.config.learning_rate == run.train_config.learning_rate == 2.999


def test_loading_in_background_reports_bad_data_and_stops_on_request() -> None:
    def unreadable():
        raise PermissionError(13, "Permission denied", "train-images.gz")

    with pytest.raises(DataError, match="Could not load the data: .*Permission denied"):
        load_in_background(unreadable, threading.Event())
    with pytest.raises(KeyError):  # a bug is not dressed up as bad data
        load_in_background(lambda: {}["missing"], threading.Event())
    release, stop = threading.Event(), threading.Event()
    stop.set()
    assert load_in_background(lambda: release.wait(5), stop) is None
    release.set()
    assert np.array_equal(load_in_background(lambda: np.arange(3), threading.Event()), [0, 1, 2])


def test_a_run_loads_new_data_and_keeps_the_old_when_stopped(run) -> None:
    old = run.data
    stop = threading.Event()
    stop.set()
    assert run.load(lambda: time.sleep(5), stop) is None and run.data is old
    new = MnistData(old.train, old.test, "other")
    assert run.load(lambda: new, threading.Event()) is new and run.data is new


def test_an_epoch_takes_as_many_batches_as_the_batch_size_in_use_says(run) -> None:
    assert run.batches_per_epoch() == 50  # 500 examples, 10 a batch
    run.set_train_config(TrainConfig(3.0, 30))
    assert run.batches_per_epoch() == 17  # the last batch holds the 20 left over


def wait_in_thread(pacer: Pacer, interrupted) -> threading.Thread:
    """Start ``pacer.wait(interrupted)`` in a thread and return the thread."""
    thread = threading.Thread(target=pacer.wait, args=(interrupted,), daemon=True)
    thread.start()
    return thread


def test_slow_motion_waits_until_woken_interrupted_or_set_to_full_speed() -> None:
    pacer = Pacer()
    assert pacer.interval == 0
    pacer.begin()
    pacer.wait(lambda: False)  # full speed: returns at once, or this test hangs
    pacer.set_speed(4)
    assert pacer.interval == 0.25
    pacer.set_speed(0.001)  # one mini-batch every 1000 seconds
    pacer.begin()
    waiting = wait_in_thread(pacer, lambda: False)
    waiting.join(0.2)
    assert waiting.is_alive()  # it waits for the next mini-batch
    pacer.wake()  # a command arrives
    waiting.join(10)  # generous: only stops a hang
    assert not waiting.is_alive()
    waiting = wait_in_thread(pacer, lambda: True)  # a newer command is already queued
    waiting.join(10)
    assert not waiting.is_alive()
    waiting = wait_in_thread(pacer, lambda: False)
    pacer.set_speed(0)  # full speed wakes the wait too
    waiting.join(10)
    assert not waiting.is_alive() and pacer.interval == 0
