"""Opening a kept run or a model shows its settings but never makes them the next launch's.

A learner who opens the eta = 0.3 run of an experiment and closes the app expects the next
launch's fresh network to train with the learning rate they chose themselves, not 0.3.
"""

from __future__ import annotations

from windows import open_window, train_batches


def trained_and_kept(qtbot, window, batches: int = 20):
    """Train ``batches`` mini-batches, then start afresh: the run ends and is kept."""
    kept = len(window.runs.registry.runs)
    train_batches(qtbot, window, batches)
    window.reset(ask=False)
    qtbot.waitUntil(lambda: len(window.runs.registry.runs) == kept + 1, timeout=10000)
    return window.runs.registry.runs[-1]


def shown_train(window) -> tuple[float, int]:
    """Return the learning rate and mini-batch size the controls show and the window uses."""
    c = window.controls
    train = window.session.train
    assert (c.learning_rate.value(), c.batch_size.value()) == (
        train.learning_rate,
        train.batch_size,
    )
    return c.learning_rate.value(), c.batch_size.value()


def test_an_opened_runs_settings_are_not_the_next_launchs(qtbot, tmp_path) -> None:
    settings = tmp_path / "s.ini"
    window = open_window(qtbot, settings)
    qtbot.waitUntil(lambda: window.data is not None, timeout=10000)
    window.controls.learning_rate.setValue(0.3)
    window.controls.hidden.setText("20")
    window.controls.hidden.editingFinished.emit()
    slow = trained_and_kept(qtbot, window)
    assert slow.train.learning_rate == 0.3 and slow.network.sizes == (784, 20, 10)
    # The learner's own choices: eta = 2, the video's network.
    window.controls.learning_rate.setValue(2.0)
    window.controls.hidden.setText("16,16")
    window.controls.hidden.editingFinished.emit()
    assert window.runs.open_run(slow)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen == 200, timeout=10000)
    assert shown_train(window) == (0.3, 10)  # the opened run trains on as it was made
    assert window.controls.hidden.text() == "20"
    window.controls.batch_size.setValue(20)  # typed now: this choice is the learner's
    qtbot.waitUntil(lambda: shown_train(window) == (0.3, 20))
    slow.save(tmp_path / "slow.npz")
    window.close()

    again = open_window(qtbot, settings)  # the next launch, with the same settings file
    assert shown_train(again) == (2.0, 20)
    fresh = again.worker.latest_snapshot()
    assert (fresh.train_config.learning_rate, fresh.examples_seen) == (2.0, 0)
    assert again.controls.hidden.text() == "16,16"
    assert again.worker.latest_snapshot().config.sizes == (784, 16, 16, 10)
    # A model file opened is the same: shown and used, not saved as the learner's choice.
    qtbot.waitUntil(lambda: again.data is not None, timeout=10000)
    assert again.open_model(tmp_path / "slow.npz")
    qtbot.waitUntil(lambda: again.worker.latest_snapshot().examples_seen == 200, timeout=10000)
    assert shown_train(again)[0] == 0.3 and again.controls.hidden.text() == "20"
    again.close()

    third = open_window(qtbot, settings)
    assert shown_train(third) == (2.0, 20) and third.controls.hidden.text() == "16,16"
    third.close()
