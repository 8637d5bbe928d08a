"""Step 12: the same network trained on more labelled data scores better, trained for real."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QLabel

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, evaluate
from engine.lessons import data_amount as da
from gui.explorer.data_amount import percent
from gui.explorer.data_amount_runner import AmountJob, DataAmountRunner

SEEN = 20000  # examples per network in these tests (the app uses EXAMPLES_SEEN)


def test_amounts_for_the_sets_in_use() -> None:
    assert da.amounts_for(10000) == (100, 1000, 10000)
    assert da.amounts_for(60000) == (100, 1000, 10000, 60000)
    assert da.amounts_for(10037) == (100, 1000, 10000)  # the sample plus a few own digits
    assert da.amounts_for(5000) == (100, 1000, 5000)
    assert da.amounts_for(60) == (60,)
    assert da.batches_per_run(10, 20000) == 2000 and da.batches_per_run(32, 100) == 4


def test_more_labelled_data_means_higher_test_accuracy(trained_on_sample) -> None:
    _, data = trained_on_sample
    config, tc = NetworkConfig(), TrainConfig()
    reports = list(
        da.train_on_amounts(
            config,
            tc,
            data.train.images,
            data.train.labels,
            data.test.images,
            data.test.labels,
            seed=5,
            examples_seen=SEEN,
        )
    )
    progress = [r.fraction for r in reports]
    assert progress == sorted(progress) and progress[-1] == 1.0
    results = reports[-1].results
    assert [r.n_examples for r in results] == [100, 1000, 10000]
    assert all(r.batches == 2000 and r.total == len(data.test.labels) for r in results)
    assert [r.passes for r in results] == [200.0, 20.0, 2.0]
    accuracies = [r.accuracy for r in results]
    assert accuracies[0] < accuracies[1] < accuracies[2]
    assert accuracies[2] - accuracies[0] > 0.2
    # Real training: an independent Trainer from the same start on the same 1,000 examples.
    order = np.random.default_rng(np.random.SeedSequence([5, 2])).permutation(10000)
    idx = np.sort(order[:1000])
    net = Network(config, np.random.default_rng(np.random.SeedSequence([5, 0])))
    trainer = Trainer(net, data.train.images[idx], data.train.labels[idx], tc, 5)
    for _ in range(2000):
        trainer.step_batch()
    score = evaluate(net, data.test.images, data.test.labels)
    assert results[1].correct == score.correct


class Relay(QObject):
    """Re-emits the runner's signals in the GUI thread, where pytest-qt's blockers must run."""

    runs_progressed = Signal(object)
    runs_finished = Signal(object)
    runs_failed = Signal(str)
    runs_cancelled = Signal()

    def __init__(self, runner: DataAmountRunner) -> None:
        super().__init__()
        for name in ("runs_progressed", "runs_finished", "runs_failed", "runs_cancelled"):
            getattr(runner, name).connect(getattr(self, name))


def job(data, seen: int = SEEN) -> AmountJob:
    return AmountJob(
        NetworkConfig(),
        TrainConfig(),
        data.train.images,
        data.train.labels,
        data.test.images,
        data.test.labels,
        seed=1,
        examples_seen=seen,
    )


def test_runner_trains_in_its_thread_and_reports(qtbot, trained_on_sample) -> None:
    _, data = trained_on_sample
    runner = DataAmountRunner()
    relay = Relay(runner)
    seen = []
    relay.runs_progressed.connect(seen.append)
    with qtbot.waitSignal(relay.runs_finished, timeout=60000) as blocker:
        runner.start(job(data))
    final = blocker.args[0]
    assert [r.n_examples for r in final.results] == [100, 1000, 10000]
    assert seen and seen[-1] is final
    assert {p.run for p in seen} == {0, 1, 2, 3}
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)  # idle: no thread
    assert runner.shutdown()


def test_runner_cancels_within_a_report(qtbot, trained_on_sample) -> None:
    _, data = trained_on_sample
    runner = DataAmountRunner()
    relay = Relay(runner)
    finished = []
    relay.runs_finished.connect(finished.append)
    with qtbot.waitSignal(relay.runs_progressed, timeout=60000):
        runner.start(job(data, seen=10**7))  # hours of training if never cancelled
    with qtbot.waitSignal(relay.runs_cancelled, timeout=10000):
        runner.cancel()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert not finished
    assert runner.shutdown()


def test_divergence_is_reported(qtbot, trained_on_sample) -> None:
    _, data = trained_on_sample
    runner = DataAmountRunner()
    bad = AmountJob(
        NetworkConfig(cost="cross-entropy"),  # its cost explodes; the quadratic one saturates
        TrainConfig(learning_rate=1e6),
        data.train.images,
        data.train.labels,
        data.test.images,
        data.test.labels,
        examples_seen=2000,
    )
    relay = Relay(runner)
    with qtbot.waitSignal(relay.runs_failed, timeout=60000) as blocker:
        runner.start(bad)
    assert "learning rate" in blocker.args[0]
    assert runner.shutdown()


@pytest.fixture
def panel(open_explorer, trained_on_sample):
    snap, data = trained_on_sample
    train, test = data.train, data.test
    widget = open_explorer(
        snap, (train.images, train.labels), (test.images, test.labels), size=None, show=False
    )
    widget.data_amount_page.examples_seen = SEEN
    widget.set_step(12)
    return widget


def tick_labels(axis) -> list[str]:
    """Return the tick labels an axis paints, as pyqtgraph lays them out for drawing."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in texts]


def test_page_trains_on_click_and_plots_what_it_says(qtbot, panel) -> None:
    page = panel.data_amount_page
    summary = panel.findChild(QLabel, "data_summary").text()
    assert "784-16-16-10 sigmoid" in summary and "100, 1,000, 10,000" in summary
    assert "2,000 mini-batches" in summary and "all 2,000 test digits" in summary
    assert not page.cancel_button.isEnabled()
    qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
    assert page.cancel_button.isEnabled() and not page.train_button.isEnabled()
    qtbot.waitUntil(lambda: "results" in panel.displayed_values(), timeout=60000)
    results = panel.displayed_values()["results"]
    xs, ys = page.curve.getData()
    np.testing.assert_allclose(10**xs, [100, 1000, 10000])  # log x: the curve holds log10
    assert tick_labels(page.plot.getAxis("bottom")) == ["100", "1,000", "10,000"]
    np.testing.assert_allclose(ys, [100 * r.accuracy for r in results])
    assert [label.toPlainText() for label in page.point_labels] == [
        percent(r.accuracy) for r in results
    ]
    status = panel.findChild(QLabel, "data_status").text()
    for r in results:
        assert f"{r.n_examples:,} examples: <b>{percent(r.accuracy)}</b>" in status
    gap = 100 * (results[-1].accuracy - results[0].accuracy)
    assert f"{gap:.1f} percentage points apart" in status
    assert "learns more" in status
    assert page.progress.value() == page.progress.maximum()
    assert page.train_button.isEnabled() and not page.cancel_button.isEnabled()


def test_page_cancel_keeps_the_chart(qtbot, panel) -> None:
    page = panel.data_amount_page
    page.examples_seen = 10**7
    qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
    status = panel.findChild(QLabel, "data_status")
    qtbot.waitUntil(lambda: "examples: mini-batch" in status.text(), timeout=60000)
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Cancelled" in status.text(), timeout=10000)
    assert page.train_button.isEnabled() and not page.cancel_button.isEnabled()
    assert "results" not in panel.displayed_values()


def test_chart_says_when_it_no_longer_fits_the_config(qtbot, panel, trained_on_sample) -> None:
    from dataclasses import replace

    snap, _ = trained_on_sample
    page = panel.data_amount_page
    qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "results" in panel.displayed_values(), timeout=60000)
    status = panel.findChild(QLabel, "data_status")
    assert "another configuration" not in status.text()
    panel.set_snapshot(snap)  # the same network and data again: the chart still fits
    assert "another configuration" not in status.text()
    panel.set_snapshot(replace(snap, train_config=TrainConfig(learning_rate=0.5)))
    assert "another configuration" in status.text()
    assert "&eta; = 0.5" in panel.findChild(QLabel, "data_summary").text()


def test_closing_the_window_stops_the_training(qtbot, tmp_path) -> None:
    from windows import open_window

    window = open_window(qtbot, tmp_path / "settings.ini")
    window.tabs.setCurrentIndex(1)
    explorer = window.explorer
    qtbot.waitUntil(lambda: explorer.state is not None, timeout=10000)
    explorer.set_step(12)
    page = explorer.data_amount_page
    page.examples_seen = 10**7
    qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
    status = explorer.findChild(QLabel, "data_status")
    qtbot.waitUntil(lambda: "examples: mini-batch" in status.text(), timeout=60000)
    assert page.runner.busy()
    window.close()
    assert not page.runner.busy()
