"""A storm of random learner actions on the real window, and a divergence no view may see.

The storm fires well over a thousand seeded random actions (run, pause, steps, resets, every
hyper-parameter and architecture control, drawing, edge modes, tabs, speeds) as fast as the event
loop takes them. Afterwards the window must be alive, quiet (pytest-qt fails on any Qt warning),
and show exactly the worker's state.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QComboBox
from windows import drain, open_window, train_batches

from engine.session.snapshot import EDGE_MODES, Snapshot
from engine.session.worker import FAILED, PAUSED, RUNNING
from gui.settings import SPEEDS, parse_hidden
from gui.window.main_window import MainWindow

ACTIONS_TO_FIRE = 1500
DEADLOCK_S = 150  # far beyond the storm's time: only a hung event loop or thread gets here


def finite(snapshot: Snapshot) -> bool:
    """Return whether every number a view could draw from the snapshot is finite."""
    arrays = [*snapshot.weights, *snapshot.biases]
    for part in (snapshot.grad_w, snapshot.grad_b, snapshot.step_w, snapshot.step_b):
        arrays += list(part or ())
    return all(np.isfinite(a).all() for a in arrays)


def record_snapshots(window: MainWindow) -> list[Snapshot]:
    """Record every snapshot the window hands to its diagram."""
    seen: list[Snapshot] = []
    original = window.network_view.set_snapshot

    def spy(snapshot: Snapshot) -> None:
        seen.append(snapshot)
        original(snapshot)

    window.network_view.set_snapshot = spy
    return seen


def record_failures(window: MainWindow) -> list[str]:
    """Record every message the window shows in its failure banner."""
    messages: list[str] = []
    original = window.banner.show_failure

    def spy(message: str, *args: object, **kwargs: object) -> None:
        messages.append(message)
        original(message, *args, **kwargs)

    window.banner.show_failure = spy
    return messages


def draw(window: MainWindow, rng: np.random.Generator, moves: int = 8) -> None:
    """Draw one random stroke on the pad with a real press, moves and release."""
    pad = window.digit_panel.pad
    side = min(pad.width(), pad.height())
    points = [QPointF(*(rng.uniform(0.15, 0.85, 2) * side)) for _ in range(moves)]
    kinds = [QEvent.Type.MouseButtonPress] + [QEvent.Type.MouseMove] * (moves - 2)
    kinds.append(QEvent.Type.MouseButtonRelease)
    for kind, point in zip(kinds, points):
        button = (
            Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
        )
        buttons = (
            Qt.MouseButton.NoButton
            if kind == QEvent.Type.MouseButtonRelease
            else Qt.MouseButton.LeftButton
        )
        event = QMouseEvent(
            kind, point, pad.mapToGlobal(point), button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(pad, event)


def choose(box: QComboBox, index: int) -> None:
    """Pick an item in a combo box as a learner does: the current item changes, then activated."""
    box.setCurrentIndex(index)
    box.activated.emit(index)


def storm_actions(window: MainWindow, rng: np.random.Generator) -> dict[str, Callable[[], None]]:
    """Return the learner's actions by name, each a callable that performs one of them."""
    c = window.controls

    def hidden() -> None:
        c.hidden.setText(str(rng.choice(["16,16", "32", "8,8,8", "16", "12,10", "0", "200", ","])))
        c.hidden.editingFinished.emit()

    def remedy() -> None:
        if window.banner.isVisible():
            button = (
                window.banner.reset_button if rng.random() < 0.5 else window.banner.lower_button
            )
            button.click()

    return {
        "run/pause": window.menus.run_action.trigger,
        "step": window.menus.step_action.trigger,
        "step epoch": window.menus.epoch_action.trigger,
        "run to epoch end": window.menus.epoch_end_action.trigger,
        "reset": window.menus.reset_action.trigger,
        "new seed": window.menus.new_seed_action.trigger,
        "learning rate": lambda: c.learning_rate.setValue(
            float(
                rng.choice([0.05, 0.5, 1.0, 3.0, 8.0, 1000.0], p=[0.2, 0.2, 0.2, 0.2, 0.15, 0.05])
            )
        ),
        "batch size": lambda: c.batch_size.setValue(int(rng.choice([1, 5, 10, 32, 100]))),
        "momentum": lambda: c.momentum.setValue(float(rng.choice([0.0, 0.5, 0.9]))),
        "hidden layers": hidden,
        "activation": lambda: choose(c.activation, int(rng.integers(c.activation.count()))),
        "cost": lambda: choose(c.cost, int(rng.integers(c.cost.count()))),
        "draw": lambda: draw(window, rng),
        "clear pad": window.digit_panel.clear_button.click,
        "edge mode": lambda: window.network_view.mode_actions()[
            int(rng.integers(len(EDGE_MODES)))
        ].trigger(),
        "tab": lambda: window.tabs.setCurrentIndex(int(rng.choice([0, 0, 1, 2]))),
        "speed": lambda: choose(c.speed, int(rng.integers(len(SPEEDS)))),
        "remedy": remedy,
    }


def quiesce(qtbot, window: MainWindow) -> None:
    """Pause, go back to the live network tab, and wait until nothing is left to happen."""
    window.tabs.setCurrentIndex(0)
    worker = window.worker
    window.pause()  # as the learner pauses: a Run between two epochs ends too

    def settled() -> bool:
        """The worker has done all it was asked, and the window has heard it and shows it."""
        return (
            worker.at_rest()
            and window.record.state == worker.state
            and window.feed.shown_serial == worker.snapshot_serial
        )

    for _ in range(2):  # and again after what the window's own handlers did once it heard
        qtbot.waitUntil(settled, timeout=10000)
        drain()
    window.feed.refresh()  # the last reports, on the window's next look
    assert worker.state in (PAUSED, FAILED)


def assert_shows_the_workers_state(window: MainWindow) -> None:
    """Assert that every part of the window agrees with the worker."""
    worker = window.worker
    snap = worker.latest_snapshot()
    assert window.menus.run_action.text() == ("Pause" if worker.state == RUNNING else "Run")
    assert window.menus.step_action.isEnabled() == (worker.state != FAILED)
    assert window.cost_plot.point_count() == len(window.record.history)
    seen = window.record.last_batch.examples_seen if window.record.last_batch else 0
    assert window.status_labels["examples"].text() == f"{seen:,} examples seen"
    if worker.state == FAILED:  # the last finite network stays: at most one publish behind
        assert snap.examples_seen <= seen
    else:
        assert snap.examples_seen == seen
    assert parse_hidden(window.controls.hidden.text()) == snap.sizes[1:-1]
    assert window.controls.network_config() == snap.config == window.session.network
    assert window.controls.train_config() == worker.train_config == window.session.train
    assert window.feed.snapshot is snap, "the views must show the latest snapshot"


@pytest.mark.timeout(DEADLOCK_S)  # a deadlock fails this test, never hangs or ends the run
def test_a_storm_of_random_actions_leaves_the_window_consistent(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path / "settings.ini")
    shown = record_snapshots(window)
    failures = record_failures(window)
    rng = np.random.default_rng(2024)
    actions = storm_actions(window, rng)
    names = sorted(actions)
    weights = np.array([4 if n in ("run/pause", "step") else 1 for n in names], float)
    fired: Counter[str] = Counter()
    app = QApplication.instance()
    for _ in range(ACTIONS_TO_FIRE):
        name = str(rng.choice(names, p=weights / weights.sum()))
        actions[name]()
        fired[name] += 1
        app.processEvents()
    quiesce(qtbot, window)
    assert_shows_the_workers_state(window)
    assert sum(fired.values()) == ACTIONS_TO_FIRE >= 1000
    assert set(fired) == set(actions), "every kind of action must have been fired"
    assert all(finite(s) for s in shown), "a non-finite network reached the diagram"
    assert not window.worker.thread_finished()
    # Random settings may diverge or stall (the guard stops only a real divergence, and a huge
    # rate on the quadratic cost saturates and stalls): the banner says those, nothing else.
    said = ("learning rate", "Training has stalled")
    internal = [m for m in failures if not any(s in m for s in said)]
    assert internal == [], "only a divergence or a stall may show the banner in the storm"
    print(f"storm: {ACTIONS_TO_FIRE} actions, {dict(fired)}")

    window.menus.defaults_action.trigger()  # and the window still trains normally afterwards
    qtbot.waitUntil(lambda: window.record.last_batch is None and window.record.state == PAUSED)
    train_batches(qtbot, window, 30)
    quiesce(qtbot, window)
    assert_shows_the_workers_state(window)
    window.close()
    assert window.worker.thread_finished()


def test_relu_divergence_never_reaches_a_view_and_reset_recovers(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path / "settings.ini")
    shown = record_snapshots(window)
    c = window.controls
    choose(c.activation, c.activation.findData("relu"))
    choose(c.init, c.init.findData("normal"))  # N(0, 1): large weights, unbounded ReLUs
    choose(c.cost, c.cost.findData("cross-entropy"))  # a cost that can explode
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().config.cost == "cross-entropy")
    assert window.worker.latest_snapshot().config.activation == "relu"
    draw(window, np.random.default_rng(1), moves=12)
    c.learning_rate.setValue(10000.0)
    window.menus.run_action.trigger()
    qtbot.waitUntil(window.banner.isVisible, timeout=10000)
    message = window.banner.message()
    assert "learning rate" in message and "reset" in message.lower()
    qtbot.waitUntil(window.banner.lower_button.isVisible, timeout=30000)  # the remedy's trials
    assert window.banner.reset_button.isVisible()
    quiesce(qtbot, window)
    assert window.worker.state == FAILED and not window.menus.run_action.isEnabled()
    assert shown and all(finite(s) for s in shown), "a non-finite network reached the diagram"
    assert finite(window.feed.snapshot)
    outputs = window.digit_panel.outputs()
    assert outputs is not None and np.isfinite(outputs).all()
    assert np.isfinite(window.record.history.batches.column("cost")).all()
    assert_shows_the_workers_state(window)

    window.banner.reset_button.click()
    qtbot.waitUntil(lambda: window.record.state == PAUSED and not window.banner.isVisible())
    c.learning_rate.setValue(0.01)
    train_batches(qtbot, window, 50)
    quiesce(qtbot, window)
    assert window.worker.state == PAUSED and window.menus.run_action.isEnabled()
    assert np.isfinite(window.record.history.batches.column("cost")).all()
    assert all(finite(s) for s in shown)
    assert_shows_the_workers_state(window)
    window.close()


def test_activations_and_output_layers_are_quiet_at_extreme_mixed_inputs() -> None:
    from engine.core.activations import ACTIVATIONS
    from engine.core.costs import COSTS

    for z in (-1e30, -1000.0, -88.8, 88.8, 1000.0, 1e30):
        column = np.full((10, 3), z, np.float32)
        column[0] = -z  # a mixed column, as a diverging layer produces
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for activation in ACTIVATIONS.values():
                assert np.isfinite(activation.fn(column.copy())).all()
            for cost in COSTS.values():
                out = cost.output_activation.fn(column.copy())
                assert np.isfinite(out).all() and (out >= 0).all() and (out <= 1).all()
