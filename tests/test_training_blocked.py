"""Run and Step are on exactly when training can run, and say why when they are off (22, 3.3)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel

from engine.session.worker import FAILED, PAUSED
from gui.window.main_window import MainWindow


def training_actions(window) -> list:
    return [
        window.menus.run_action,
        window.menus.step_action,
        window.menus.epoch_action,
        window.menus.epoch_end_action,
    ]


def says_why_or_runs(window) -> str:
    """Check the invariant and return the reason shown ('' when training can run).

    All four actions agree; off, a note under the buttons says why; on, no note is left.
    """
    enabled = {a.isEnabled() for a in training_actions(window)}
    assert len(enabled) == 1
    note = window.controls.findChild(QLabel, "training_blocked")
    shown = note.text() if note is not None and note.isVisibleTo(window) else ""
    assert enabled == {not shown}, shown
    return shown


def diverge(qtbot, window) -> None:
    """Train with a learning rate that blows the weights up, as the walk did with eta = 10,000.

    Cross-entropy, whose cost explodes: the quadratic cost's outputs only saturate and stall.
    """
    cost = window.controls.cost
    cost.setCurrentIndex(cost.findData("cross-entropy"))
    cost.activated.emit(cost.currentIndex())
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().config.cost == "cross-entropy")
    window.controls.learning_rate.setValue(10000.0)
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.state == FAILED, timeout=10000)
    qtbot.waitUntil(window.banner.isVisible, timeout=10000)


def test_after_a_divergence_dismiss_and_eta_back_the_buttons_say_why(qtbot, window) -> None:
    """The walk: diverge, Dismiss, eta back to 3; then Reset, as the note says, trains at eta 3."""
    diverge(qtbot, window)
    qtbot.mouseClick(window.banner.close_button, Qt.MouseButton.LeftButton)
    assert not window.banner.isVisible()
    window.controls.learning_rate.setValue(3.0)
    qtbot.waitUntil(lambda: window.worker.train_config.learning_rate == 3.0)
    reason = says_why_or_runs(window)
    assert "diverged" in reason and "Reset" in reason  # the banner is gone, the reason is not
    assert "settings below" in reason and window.controls.learning_rate.value() == 3.0
    window.menus.reset_action.trigger()  # what the note offers
    qtbot.waitUntil(lambda: window.record.state == PAUSED and window.menus.run_action.isEnabled())
    assert says_why_or_runs(window) == ""
    window.menus.step_action.trigger()
    qtbot.waitUntil(lambda: len(window.record.history) == 1, timeout=10000)
    assert window.record.last_batch.learning_rate == 3.0 and window.worker.state != FAILED


@pytest.mark.parametrize(
    "recover", ["reset_new_seed", "restore_defaults", "banner_reset", "banner_remedy", "teach"]
)
def test_every_way_out_of_a_divergence_turns_training_back_on(qtbot, window, recover) -> None:
    """Each way back to a trainable network enables Run and Step and clears the note."""
    diverge(qtbot, window)
    assert "diverged" in says_why_or_runs(window)
    if recover == "banner_reset":
        qtbot.mouseClick(window.banner.reset_button, Qt.MouseButton.LeftButton)
    elif recover == "banner_remedy":
        qtbot.waitUntil(window.banner.lower_button.isVisible, timeout=30000)  # the trials' offer
        qtbot.mouseClick(window.banner.lower_button, Qt.MouseButton.LeftButton)
    elif recover == "teach":  # one SGD step on a drawing makes a network to train on again
        window.worker.teach(window.data.test.images[0].astype("float32") / 255, 7)
    else:  # Train > Reset with new seed, Train > Restore defaults
        actions = {"reset_new_seed": "new_seed_action", "restore_defaults": "defaults_action"}
        getattr(window.menus, actions[recover]).trigger()
    qtbot.waitUntil(lambda: window.record.state == PAUSED, timeout=10000)
    qtbot.waitUntil(window.menus.run_action.isEnabled)
    assert says_why_or_runs(window) == ""
    seen = window.worker.latest_snapshot().examples_seen
    window.controls.learning_rate.setValue(3.0)
    window.menus.step_action.trigger()  # enabled means it trains
    if recover == "teach":  # Teach keeps the blown-up weights: the step runs, and may diverge
        qtbot.waitUntil(
            lambda: (
                window.worker.latest_snapshot().examples_seen > seen
                or window.worker.state == FAILED
            ),
            timeout=10000,
        )
        return
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen > seen, timeout=10000)


def test_before_the_data_arrives_the_buttons_say_they_wait_for_it(qtbot, tmp_path) -> None:
    """The window opens before its data is loaded: Run and Step wait, and say so."""
    window = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert window.data is None  # the data arrives through the event loop, not yet run
    assert "data" in says_why_or_runs(window)
    qtbot.waitUntil(
        lambda: window.data is not None and window.menus.run_action.isEnabled(), timeout=10000
    )
    assert says_why_or_runs(window) == ""
    window.close()
