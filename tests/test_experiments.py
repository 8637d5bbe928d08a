"""The classic experiments: exactly the named configurations, trained for real, cancellable."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.datasets import Dataset, MnistData
from engine.experiments import EXPERIMENTS, VIDEO_NETWORK, plan, subset
from engine.runs import CANCELLED, DIVERGED, FINISHED
from gui.experiment_runner import ExperimentRunner


def configs(specs) -> list[tuple]:
    """Return what differs between the runs, plus their sizes and budgets."""
    return [
        (
            s.network.sizes,
            s.network.activation,
            s.network.cost,
            s.train.learning_rate,
            s.train.batch_size,
            s.train_size,
            s.batches,
        )
        for s in specs
    ]


V = VIDEO_NETWORK.sizes


def test_every_experiment_names_exactly_its_configurations() -> None:
    n = 10000
    assert configs(plan("learning-rate", 2, n)) == [
        (V, "sigmoid", "quadratic", 0.3, 10, None, 2000),
        (V, "sigmoid", "quadratic", 3.0, 10, None, 2000),
        (V, "sigmoid", "quadratic", 30.0, 10, None, 2000),
    ]
    assert configs(plan("batch-size", 2, n)) == [
        (V, "sigmoid", "quadratic", 3.0, 1, None, 20000),
        (V, "sigmoid", "quadratic", 3.0, 10, None, 2000),
        (V, "sigmoid", "quadratic", 3.0, 100, None, 200),
        (V, "sigmoid", "quadratic", 3.0, 1, None, 2000),
        (V, "sigmoid", "quadratic", 3.0, 10, None, 2000),
        (V, "sigmoid", "quadratic", 3.0, 100, None, 2000),
    ]
    assert configs(plan("activation", 1, n)) == [
        (V, a, "quadratic", 3.0, 10, None, 1000) for a in ("sigmoid", "relu", "tanh")
    ]
    assert configs(plan("cost", 1, n)) == [
        (V, "sigmoid", c, 3.0, 10, None, 1000) for c in ("quadratic", "cross-entropy")
    ]
    # Equal examples seen: 3 epochs of the 10,000 in use, whatever the subset's size.
    assert configs(plan("data-size", 3, n)) == [
        (V, "sigmoid", "quadratic", 3.0, 10, 100, 3000),
        (V, "sigmoid", "quadratic", 3.0, 10, 1000, 3000),
        (V, "sigmoid", "quadratic", 3.0, 10, None, 3000),
    ]
    assert configs(plan("architecture", 1, n)) == [
        (V, "sigmoid", "quadratic", 3.0, 10, None, 1000),
        ((784, 100, 10), "sigmoid", "quadratic", 3.0, 10, None, 1000),
    ]
    for e in EXPERIMENTS:  # one seed, the video's init and dtype, no momentum or L2 in every run
        for s in plan(e.key, 1, n, seed=5):
            assert (s.seed, s.network.init, s.network.dtype) == (5, "normal", "float32")
            assert (s.train.momentum, s.train.l2) == (0, 0)


def test_full_mnist_sizes_and_a_short_last_batch() -> None:
    specs = plan("data-size", 1, 60000)
    assert [s.train_size for s in specs] == [100, 1000, 10000]
    assert {s.batches for s in specs} == {6000}
    assert plan("learning-rate", 1, 1005)[0].batches == math.ceil(1005 / 10)
    small = plan("data-size", 1, 600)  # a folder with fewer examples than 1,000
    assert [(s.name, s.train_size) for s in small] == [("100 examples", 100), ("all 600", None)]


def test_bad_budgets_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="whole number of epochs"):
        plan("cost", 0, 100)
    with pytest.raises(ValueError, match="unknown experiment"):
        plan("momentum", 1, 100)


def test_subset_is_balanced_and_keeps_the_test_set(tiny_digits) -> None:
    images, labels = tiny_digits
    data = MnistData(Dataset(images, labels, "t"), Dataset(images[:50], labels[:50], "s"), "x")
    small = subset(data, 100, seed=3)
    assert len(small.train) == 100 and small.test is data.test
    counts = np.bincount(small.train.labels, minlength=10)
    assert counts.max() - counts.min() <= 1
    assert subset(data, 100, seed=3).train.labels.tolist() == small.train.labels.tolist()
    assert subset(data, 10000) is data


@pytest.fixture
def sample_data() -> MnistData:
    """The bundled sample cut to 1,000 training and 300 test digits, to keep the runs short."""
    from engine.datasets import load_sample

    d = load_sample()
    return MnistData(
        Dataset(d.train.images[:1000], d.train.labels[:1000], "train"),
        Dataset(d.test.images[:300], d.test.labels[:300], "test"),
        "sample",
    )


@pytest.fixture
def runner(qtbot):
    r = ExperimentRunner()
    yield r
    r.shutdown()


def test_learning_rate_experiment_trains_each_run_through_the_worker(
    qtbot, runner, sample_data
) -> None:
    finished = []
    runner.run_finished.connect(finished.append)
    with qtbot.waitSignal(runner.experiment_finished, timeout=30000) as blocker:
        specs = runner.start("learning-rate", sample_data, 1, seed=4)
    assert blocker.args == ["learning-rate", False]
    assert [r.train.learning_rate for r in finished] == [0.3, 3.0, 30.0]
    slow, video, huge = finished
    for run, spec in zip(finished, specs):
        assert (run.network, run.train, run.seed) == (spec.network, spec.train, 4)
    # Each finished run trained exactly its budget and was tested after its one epoch.
    for run in (slow, video):
        assert run.status == FINISHED
        assert run.updates == 100 and run.curves["epoch_epoch"].tolist() == [1.0]
        assert run.parameters.examples_seen == 1000
        # The final evaluation is the engine's, on the network kept.
        assert run.final_test[1] == pytest.approx(run.curves["epoch_test_accuracy"][-1])
    assert video.final_accuracy() > slow.final_accuracy()
    # eta = 30 trips the engine's divergence guard in its first mini-batch.
    assert huge.status == DIVERGED and "far too large" in huge.note and huge.updates == 0


def test_data_size_runs_train_on_subsets_and_see_equal_examples(qtbot, runner, sample_data) -> None:
    finished = []
    runner.run_finished.connect(finished.append)
    with qtbot.waitSignal(runner.experiment_finished, timeout=30000):
        runner.start("data-size", sample_data, 1)
    assert [r.n_train for r in finished] == [100, 1000]
    for run in finished:
        assert run.updates == 100
        assert run.x_values("examples", run.curves["batch_progress"])[-1] == 1000
    assert finished[0].curves["epoch_epoch"].tolist() == list(range(1, 11))
    assert "100 of 1,000" in finished[0].data


def test_cancel_stops_the_worker_within_a_mini_batch(qtbot, runner, sample_data) -> None:
    finished = []
    runner.run_finished.connect(finished.append)
    runner.start("batch-size", sample_data, 200)  # far more than the test will wait for
    worker = runner.worker
    qtbot.waitUntil(lambda: worker.examples_seen > 50, timeout=10000)
    with qtbot.waitSignal(runner.experiment_finished, timeout=5000) as blocker:
        at_cancel = worker.examples_seen
        runner.cancel()
    batch = worker.train_config.batch_size
    assert blocker.args == ["batch-size", True]
    assert worker.examples_seen - at_cancel <= batch  # the mini-batch under way, at most
    assert [r.status for r in finished] == [CANCELLED]
    assert finished[0].updates * batch == worker.examples_seen  # every batch is in the curves
    qtbot.wait(100)
    assert worker.examples_seen - at_cancel <= batch
    assert runner.worker is None and worker.state == "finished"  # its thread has ended
