"""Kept runs: curves equal the run's own history, x axes, the memory budget, saving."""

from __future__ import annotations

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import EpochReport, TrainConfig, Trainer
from engine.data.model_io import load_model
from engine.session.history import Columns, TrainingHistory
from engine.session.runs import FINISHED, RUNNING, KeptRun, RunRegistry
from engine.session.snapshot import take_parameters


def trained_run(
    tiny_digits, name: str = "r", batches: int = 130
) -> tuple[KeptRun, TrainingHistory]:
    """Train 784-16-10 on the tiny digits, recording a history as the window does."""
    images, labels = tiny_digits
    net = Network(NetworkConfig(sizes=(784, 16, 10)), np.random.default_rng(1))
    trainer = Trainer(net, images, labels, TrainConfig(batch_size=10), 1)
    history = TrainingHistory()
    for _ in range(batches):
        report = trainer.step_batch()
        history.add_batches(np.array([report.epoch_progress]), np.array([report.cost]))
        if report.epoch_done:
            history.add_epoch(EpochReport(trainer.epoch, report.cost, 0.5, 0.25, 0.0))
    return KeptRun.from_history(
        name,
        history,
        network=net.config,
        train=trainer.config,
        seed=1,
        data="tiny",
        n_train=len(labels),
        parameters=take_parameters(trainer),
    ), history


def test_curves_equal_the_runs_own_history_on_every_axis(tiny_digits) -> None:
    run, history = trained_run(tiny_digits)  # 600 examples: 60 batches an epoch, 2 epochs done
    x, cost = run.cost_curve("epochs")
    assert np.array_equal(x, history.batches.column("progress"))
    assert np.array_equal(cost, history.batches.column("cost"))
    assert np.array_equal(run.cost_curve("examples")[0], 10 * np.arange(1, 131))
    assert np.array_equal(run.cost_curve("updates")[0], np.arange(1, 131))
    x, acc = run.accuracy_curve("updates")
    assert x.tolist() == [60, 120] and acc.tolist() == [0.25, 0.25]
    assert run.accuracy_curve("examples")[0].tolist() == [600, 1200]
    # The curves are copies: the history growing later does not change the kept run.
    history.batches.append(99.0, 1.0)
    assert run.updates == 130
    with pytest.raises(ValueError, match="unknown x axis"):
        run.x_values("seconds", x)


def test_history_round_trip_and_save_opens_as_a_model(tiny_digits, tmp_path) -> None:
    run, history = trained_run(tiny_digits)
    again = run.history()
    for name, values in history.to_arrays().items():
        assert np.array_equal(again.to_arrays()[name], values)
    run.save(tmp_path / "run.npz")
    saved = load_model(tmp_path / "run.npz")
    assert saved.examples_seen == 1300 and saved.extra["run"] == "r"
    for p, q in zip(saved.network.params, run.parameters.weights):
        assert np.array_equal(p[:, :-1], q)
    assert np.array_equal(saved.history["batch_cost"], run.curves["batch_cost"])


def test_registry_drops_the_oldest_to_fit_the_budget_and_can_save_them(
    tiny_digits, tmp_path
) -> None:
    runs = [trained_run(tiny_digits, f"run {k}")[0] for k in range(3)]
    size = runs[0].nbytes()
    registry = RunRegistry(budget=int(2.5 * size))
    assert registry.add(runs[0]) == [] and registry.add(runs[1]) == []
    assert registry.nbytes() == 2 * size
    assert registry.add(runs[2]) == [runs[0]]
    assert [r.name for r in registry.runs] == ["run 1", "run 2"]
    registry.save_dir = tmp_path
    runs[2].status = RUNNING  # a run still training is never dropped
    assert registry.set_budget(size) == [runs[1]]
    assert [p.name[:6] for p in tmp_path.glob("*.npz")] == ["run_1-"]
    assert registry.runs == [runs[2]] and runs[2].status == RUNNING
    runs[2].status = FINISHED
    assert registry.unique_name("run 2") == "run 2 (2)"
    assert registry.unique_name("run 9") == "run 9"


def test_columns_double_when_full_and_keep_every_row_in_their_dtype() -> None:
    """The one growing buffer: the run's history (float64) and the cost plot (float32) use it."""
    columns = Columns(("x", "y"), 4, np.float32)
    columns.append(0.5, 1.5)
    columns.extend(np.arange(1, 6, dtype=np.float64), np.arange(10, 15))  # past the capacity
    assert columns.n == 6 and columns.column("x").dtype == np.float32
    assert columns.column("x").tolist() == [0.5, 1, 2, 3, 4, 5]
    assert columns.column("y").tolist() == [1.5, 10, 11, 12, 13, 14]
    columns.extend(np.arange(100.0), np.arange(100.0))  # more than double at once
    assert columns.n == 106 and columns.column("y")[-1] == 99
    assert not columns.column("y").flags.writeable
    columns.clear()
    assert columns.n == 0 and len(columns.column("x")) == 0
    with pytest.raises(ValueError):
        columns.extend(np.arange(3.0))  # a value for every column, or nothing
