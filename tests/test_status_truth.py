"""The status bar says what is on screen, in every state the walk found it lying in.

Scrubbed back in the History it kept describing the live network; during the first epoch it said
"(untrained)"; after Teach it and Undo, "Epoch 5, mini-batch 1000" became "Epoch 6"; and the guide's
stop on labelled data showed the last experiment's "cancelled" beside another experiment.
"""

from __future__ import annotations

import math

import pytest
from windows import open_window, train_batches

from engine.core.training import evaluate
from engine.session.snapshot import network_of
from engine.session.worker import PAUSED, RUNNING


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path / "settings.ini")
    qtbot.waitUntil(lambda: w.data is not None and w.record.accuracy_seen is not None)
    yield w
    w.close()


def status(window, key: str) -> str:
    """Return the status bar's text for ``key`` once it is refreshed."""
    window.feed.status_shown = 0.0
    window.feed.update_status()
    return window.status_labels[key].text()


def accuracy_of(window, snapshot) -> float:
    """Return a snapshot's test accuracy, measured here."""
    test = window.data.test
    return evaluate(network_of(snapshot), test.images, test.labels).accuracy


def where(seen: int, n_train: int, batch_size: int = 10) -> str:
    """Return "Epoch e, mini-batch b" for ``seen`` examples, counted by hand."""
    epoch = math.ceil(seen / n_train)
    return f"Epoch {epoch}, mini-batch {(seen - (epoch - 1) * n_train) // batch_size}"


def train(qtbot, window, batches: int) -> None:
    """Train ``batches`` mini-batches at full speed and wait until the window has them all."""
    window.set_speed(0)
    train_batches(qtbot, window, batches)
    window.feed.refresh()


def test_scrubbed_back_the_status_bar_describes_the_moment_shown(qtbot, window) -> None:
    train(qtbot, window, 250)
    qtbot.waitUntil(lambda: window.feed.kept_count >= 3, timeout=5000)
    n_train = len(window.data.train)
    assert status(window, "epoch") == where(2500, n_train)
    window.timeline.snapshot_chosen.emit(1)
    kept = window.worker.kept_snapshot(1).as_snapshot()
    assert 0 < kept.examples_seen < 2500
    assert status(window, "epoch") == where(kept.examples_seen, n_train)
    assert status(window, "examples") == f"{kept.examples_seen:,} examples seen"
    assert status(window, "speed") == ""  # nothing trains at a past moment
    accuracy = accuracy_of(window, kept)
    expected = f"Test accuracy {100 * accuracy:.2f}% (at {kept.examples_seen:,} examples)"
    qtbot.waitUntil(lambda: status(window, "accuracy") == expected)  # measured off the GUI thread
    # Back to live: the live network again, with its own accuracy.
    window.timeline.snapshot_chosen.emit(-1)
    live = window.worker.latest_snapshot()
    assert status(window, "epoch") == where(2500, n_train)
    assert status(window, "examples") == "2,500 examples seen"
    live_accuracy = f"{100 * accuracy_of(window, live):.2f}%"
    qtbot.waitUntil(lambda: live_accuracy in status(window, "accuracy"))


def test_a_running_heard_late_leaves_the_moment_scrubbed_to_on_screen(qtbot, window) -> None:
    """The worker's "running" and "paused" can reach the window after a scrub paused it.

    (CI: the window pulled a run's reports on its timer before the states arrived; the learner
    scrubbed, then "running" took the views back to live.) Only asking for training goes live.
    """
    train(qtbot, window, 250)
    qtbot.waitUntil(lambda: window.feed.kept_count >= 3)
    window.timeline.snapshot_chosen.emit(1)
    kept = window.worker.kept_snapshot(1).as_snapshot()
    window.worker.state_changed.emit(RUNNING)  # as a late delivery would, the worker paused
    window.worker.state_changed.emit(PAUSED)
    assert window.record.scrubbed == 1 and window.feed.snapshot.examples_seen == kept.examples_seen
    assert status(window, "examples") == f"{kept.examples_seen:,} examples seen"


@pytest.mark.parametrize("action", ["step_action", "epoch_end_action", "run_action"])
def test_asking_for_training_from_a_moment_scrubbed_to_shows_the_live_network(
    qtbot, window, action
) -> None:
    train(qtbot, window, 250)
    qtbot.waitUntil(lambda: window.feed.kept_count >= 3)
    window.timeline.snapshot_chosen.emit(1)
    assert status(window, "examples") != "2,500 examples seen"
    window.set_speed(0)
    with qtbot.waitSignal(window.lab.state_changed, check_params_cb=lambda state: state == RUNNING):
        getattr(window.menus, action).trigger()
    assert window.record.scrubbed is None and window.timeline.position == -1  # live
    if window.record.running:
        window.pause()
    qtbot.waitUntil(lambda: window.record.state == PAUSED)
    window.feed.refresh()
    live = window.worker.latest_snapshot()
    assert live.examples_seen > 2500  # the live network trained on, not the moment shown
    assert window.feed.snapshot.examples_seen == live.examples_seen
    assert status(window, "examples") == f"{live.examples_seen:,} examples seen"


def test_while_training_the_accuracy_says_when_it_was_measured(qtbot, window) -> None:
    untrained = accuracy_of(window, window.worker.latest_snapshot())
    assert status(window, "accuracy") == f"Test accuracy {100 * untrained:.2f}% (untrained)"
    window.set_speed(20)  # slow: the first epoch is still running when the status is read
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.state == RUNNING)
    qtbot.waitUntil(lambda: window.record.last_batch is not None, timeout=5000)
    text = status(window, "accuracy")
    window.pause()
    assert "untrained" not in text
    assert text == f"Test accuracy {100 * untrained:.2f}% (before training)"
    qtbot.waitUntil(lambda: window.record.state == PAUSED)
    assert status(window, "speed") == ""  # paused: no speed is claimed


def test_after_an_epoch_the_running_status_says_which_epoch_measured_it(qtbot, window) -> None:
    window.set_speed(0)
    window.menus.run_action.trigger()  # a Run of 5 epochs
    n_train = len(window.data.train)
    read: dict[str, str] = {}

    def read_while_training_past_epoch_1() -> bool:
        # A Run trains one epoch at a time: between two, the worker pauses for a moment and the
        # speed is rightly blank. Read the bar at a moment it trains (a busy machine may poll
        # in that pause).
        if window.record.last_epoch is None:
            return False
        if window.worker.latest_snapshot().examples_seen <= n_train:
            return False
        read.update((key, status(window, key)) for key in ("accuracy", "examples", "speed"))
        return "examples/s" in read["speed"]  # while it runs, it says how fast

    qtbot.waitUntil(read_while_training_past_epoch_1, timeout=30000)
    text, seen = read["accuracy"], read["examples"]
    epoch, measured = window.record.last_epoch, window.record.accuracy_seen
    window.pause()
    qtbot.waitUntil(lambda: window.record.state == PAUSED)
    accuracy = f"Test accuracy {100 * epoch.test_accuracy:.2f}%"
    if seen == f"{measured:,} examples seen":  # read at the very end of the epoch
        assert text == accuracy
    else:
        assert text == f"{accuracy} (after epoch {epoch.epoch})"


def test_teach_it_then_undo_gives_back_the_same_epoch_and_mini_batch(qtbot, window) -> None:
    n_train = len(window.data.train)
    train(qtbot, window, n_train // 10)  # to the very end of epoch 1
    before = {key: status(window, key) for key in ("epoch", "examples")}
    assert before == {"epoch": where(n_train, n_train), "examples": f"{n_train:,} examples seen"}
    window.digit_panel.load_test_digit(7)
    window.digit_panel.teach.step_button.click()
    qtbot.waitUntil(lambda: window.teach.taught is not None)
    assert {key: status(window, key) for key in ("epoch", "examples")} == before
    window.digit_panel.teach.undo_step_button.click()
    qtbot.waitUntil(lambda: not window.lab.undo_pending() and window.record.state == PAUSED)
    window.feed.refresh()
    assert {key: status(window, key) for key in ("epoch", "examples")} == before


def test_a_network_opened_from_a_run_says_where_its_history_ends(qtbot, window) -> None:
    train(qtbot, window, 130)
    window.reset(ask=False)
    qtbot.waitUntil(lambda: len(window.runs.registry.runs) == 1, timeout=10000)
    window.runs.open_run(window.runs.registry.runs[0])
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen == 1300, timeout=10000)
    qtbot.waitUntil(lambda: len(window.record.history) == 130, timeout=10000)
    window.feed.refresh()
    assert status(window, "epoch") == where(1300, len(window.data.train))
    assert status(window, "examples") == "1,300 examples seen"


def test_an_experiments_result_is_shown_beside_that_experiment_only(qtbot, window) -> None:
    runs, panel = window.runs, window.runs.panel
    with qtbot.waitSignal(runs.runner.experiment_finished, timeout=30000):
        runs.start_experiment("batch-size", 40)
        qtbot.waitUntil(lambda: runs.runner.progress()[0] > 5, timeout=10000)
        runs.runner.cancel()
    assert panel.progress.text().endswith(": cancelled.")
    panel.choose_experiment("data-size")  # another experiment, not yet run: no word of another's
    assert panel.experiment.currentData() == "data-size"
    assert panel.progress.text() == ""
    panel.choose_experiment("batch-size")  # its own result comes back with it
    assert "cancelled" in panel.progress.text()
