"""The classic experiments: exactly the named configurations, trained for real, cancellable."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.data.datasets import Dataset, MnistData
from engine.lessons.experiments import (
    EXPERIMENTS,
    FAIR,
    SAME,
    SWEEP_RATES,
    VIDEO_NETWORK,
    SweepResult,
    next_rate,
    pick_rate,
    plan,
    split_validation,
    subset,
)
from engine.lessons.experiments import plan as plan_in
from engine.session.runs import CANCELLED, FINISHED
from gui.runs.experiment_runner import ExperimentRunner


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
    """The same-settings mode: the video's set-up, changed only in what each experiment names."""
    n = 10000

    def plan(key, epochs, n, seed=0):
        return plan_in(key, epochs, n, seed, SAME)

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


def test_fair_mode_gives_each_variant_its_standard_init_and_a_sweep() -> None:
    n = 10000
    for e in EXPERIMENTS:
        same = plan(e.key, 2, n, mode=SAME)
        fair = plan(e.key, 2, n, mode=FAIR)
        assert configs(fair) == [
            c if e.key == "learning-rate" else (*c[:3], c[3], *c[4:]) for c in configs(same)
        ]
        for s in fair:
            if e.key in ("learning-rate", "datasets"):  # the video's weights: rate or data varies
                assert (s.network.init, s.rates) == ("normal", ())
            else:  # scaled: He's N(0, 2/n_in) for ReLU, Xavier's N(0, 1/n_in) for the others
                assert (s.network.init, s.rates) == ("scaled", SWEEP_RATES)
    three = plan("activation", 1, n, seed=4, seeds=3)
    assert [(s.variant, s.seed) for s in three][:4] == [
        ("sigmoid", 4),
        ("ReLU", 4),
        ("tanh", 4),
        ("sigmoid", 5),
    ]
    assert three[4].name == "ReLU, seed 5"


def test_unknown_keys_modes_and_seed_counts_are_refused() -> None:
    """An unknown experiment is an error, never the architecture runs by default."""
    for bad, words in (
        (dict(key="Architecture"), "unknown experiment"),
        (dict(key=""), "unknown experiment"),
        (dict(mode="fast"), "unknown mode"),
        (dict(seeds=0), "number of seeds"),
    ):
        args = dict(key="cost", epochs=1, n_train=100) | bad
        with pytest.raises(ValueError, match=words):
            plan(**args)


def test_the_sweep_picks_the_rate_its_own_numbers_favour() -> None:
    rates = (0.1, 0.3, 1.0, 3.0)
    assert pick_rate(rates, (0.80, 0.91, 0.88, 0.10), (1, 1, 1, 1)) == 0.3
    assert pick_rate(rates, (0.10, 0.20, 0.30, 0.95), (1, 1, 1, 1)) == 3.0
    # A tie in accuracy goes to the lower held-out cost, then to the lower rate.
    assert pick_rate(rates, (0.9, 0.9, 0.5, 0.5), (0.4, 0.3, 1, 1)) == 0.3
    assert pick_rate(rates, (0.9, 0.9, 0.5, 0.5), (0.3, 0.3, 1, 1)) == 0.1
    nan = float("nan")
    assert pick_rate(rates, (0.2, nan, nan, nan), (1, nan, nan, nan)) == 0.1
    # The best at an end of the rates tried: one more rate beyond it, else none.
    assert next_rate(SWEEP_RATES, (0,) * 7 + (0.9,), (1,) * 8) == 100
    assert next_rate((0.01, 0.03, 0.1), (0.9, 0.5, 0.1), (1, 1, 1)) == 0.003
    assert next_rate(rates, (0.80, 0.91, 0.88, 0.10), (1, 1, 1, 1)) is None
    sweep = SweepResult("ReLU", 0, rates, (0.80, 0.91, 0.88, nan), (1, 1, 1, nan), 20000, 5000)
    assert sweep.best == 0.3
    text = sweep.describe()
    assert "0.3: 91.0% \u2190 picked" in text and "3: diverged" in text
    assert text.count("picked") == 1


def test_the_sweeps_held_out_images_are_not_trained_on(tiny_digits) -> None:
    images, labels = tiny_digits
    data = MnistData(Dataset(images, labels, "t"), Dataset(images[:50], labels[:50], "s"), "x")
    part, held = split_validation(data, seed=1)
    assert len(held) == 100 and len(part.train) == 500 and part.test is data.test
    rows = {row.tobytes() for row in part.train.images}
    assert not any(row.tobytes() in rows for row in held.images)


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
    with pytest.raises(ValueError, match="unknown experiment"):
        plan("architecture ", 1, 100)  # not the architecture runs by default


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
    from engine.data.datasets import load_sample

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
    # eta = 30 does not diverge (the guard stops only a real divergence): it trains its budget,
    # and the sentence says what it reached.
    assert huge.status == FINISHED and huge.updates == 100
    story = next(f for f in runner.findings if f.startswith("\u03b7 = 30 trained"))
    assert f"to {100 * huge.final_accuracy():.1f}%" in story


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
    runner.start("batch-size", sample_data, 200, mode=SAME)  # far more than the test waits for
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
    qtbot.waitUntil(worker.thread_finished)  # nothing trains after this
    assert worker.examples_seen - at_cancel <= batch
    assert runner.worker is None and worker.state == "finished"  # its thread has ended


def test_fair_mode_sweeps_each_variant_then_trains_it_at_the_rate_picked(
    qtbot, runner, sample_data
) -> None:
    sweeps = []
    runner.sweep_finished.connect(sweeps.append)
    with qtbot.waitSignal(runner.experiment_finished, timeout=60000) as blocker:
        runner.start("cost", sample_data, 1, seed=2, mode=FAIR)
    assert blocker.args == ["cost", False]
    assert [s.variant for s in sweeps] == ["quadratic cost", "cross-entropy cost"]
    assert runner.sweeps == sweeps
    for sweep, spec, run in zip(sweeps, runner.specs, runner.runs):
        assert set(SWEEP_RATES) <= set(sweep.rates)  # and more when the best was at an end
        assert sweep.validation == len(sample_data.train) // 6
        assert sweep.examples == len(sample_data.train)  # the budget, under SWEEP_EXAMPLES
        # The run trains at the rate its own sweep measured best, with the scaled init named.
        best = max(
            range(len(sweep.rates)),
            key=lambda i: (np.nan_to_num(sweep.accuracies[i], nan=-1), -sweep.costs[i]),
        )
        assert spec.train.learning_rate == sweep.rates[best] == sweep.best
        assert run.train.learning_rate == sweep.best and run.network.init == "scaled"
        assert run.name == f"{spec.variant}, \u03b7 = {sweep.best:g}, Xavier init"
        assert run.status == FINISHED and run.seed == 2
        assert run.curves["epoch_epoch"].tolist() == [1.0]  # its epoch's test is in the curve
    # The findings rank the runs by the accuracy they reached.
    accs = {s.variant: r.final_accuracy() for s, r in zip(runner.specs, runner.runs)}
    best = max(accs, key=accs.get)
    assert runner.findings[0].startswith(
        f"Test accuracy after 1 epoch (seed 2): {best} {100 * accs[best]:.1f}%"
    )


def test_cancel_during_a_sweep_ends_the_experiment_without_runs(qtbot, runner, sample_data):
    started = []
    runner.trial_started.connect(started.append)
    runner.start("architecture", sample_data, 5, mode=FAIR)
    qtbot.waitUntil(lambda: len(started) >= 2, timeout=20000)
    with qtbot.waitSignal(runner.experiment_finished, timeout=10000) as blocker:
        runner.cancel()
    assert blocker.args == ["architecture", True]
    assert runner.runs == [] and runner.findings == []
    assert started[0] == "784-16-16-10: \u03b7 = 0.01 (sweep), 1 of 16"
