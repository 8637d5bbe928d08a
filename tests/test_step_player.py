"""Play one step in the real window: the step taken, play, pause, step, scrub, cancel, layout."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QComboBox
from windows import drain, heard_pause, train_batches

from engine.core.training import Trainer
from engine.lessons.step_beats import beat_values, example_order
from engine.session.snapshot import network_of
from engine.session.worker import PAUSED, RUNNING
from gui.colors import activation_gray, palette


def play(qtbot, window):
    """Press Play one step and return the player once its story is on the diagram."""
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    return window.step_player


def reference_step(window, before):
    """Return an independent trainer at ``before``'s network after the step training takes."""
    data = window.data.train
    trainer = Trainer(
        network_of(before),
        data.images,
        data.labels,
        window.worker.train_config,
        window.worker.seed,
    )
    trainer.step_batch()
    return trainer


def assert_same_parameters(snapshot, network) -> None:
    """Assert a snapshot holds exactly the network's weights and biases."""
    for k in range(len(network.params)):
        np.testing.assert_array_equal(snapshot.weights[k], network.weights[k])
        np.testing.assert_array_equal(snapshot.biases[k], network.biases[k])


def test_the_animation_ends_at_the_trainers_next_state_and_training_goes_on(qtbot, window):
    before = window.worker.latest_snapshot()
    player = play(qtbot, window)
    story = player.story
    assert window.network_view.frame_source() is not None
    assert story.before.examples_seen == before.examples_seen == 0
    reference = reference_step(window, before)
    np.testing.assert_array_equal(story.indices, reference.last_batch)
    assert_same_parameters(story.after, reference.network)  # the story's end ...
    assert_same_parameters(window.worker.latest_snapshot(), reference.network)  # ... is live
    player.set_pause_for_reading(False)
    player.set_speed(4.0)
    qtbot.waitUntil(lambda: player.position == player.duration, timeout=15000)
    assert not player.is_playing() and player.frames.beats[player.beat_index()].phase == "after"
    assert "Training continues from exactly this network" in player.caption()
    with heard_pause(qtbot, window):  # the window has the step once it hears the pause after it
        window.worker.step_batch()  # training continues from the animated step
    assert window.worker.latest_snapshot().examples_seen == 20
    reference.step_batch()
    assert_same_parameters(window.worker.latest_snapshot(), reference.network)
    assert len(window.record.history) == 2  # the played step is on the cost curve like any other


def test_the_painter_is_given_the_beats_values(qtbot, window):
    player = play(qtbot, window)
    player.pause()
    frames = player.frames
    layout = window.network_view.diagram_layout()
    order = example_order(player.story, frames.focus)
    for index, beat in enumerate(frames.beats):
        values = frames.values(index)
        expected = beat_values(player.story, beat, order)
        for got, want in zip(values.edges, expected.edges):
            np.testing.assert_array_equal(got, want)
        scene = frames.scene(index, layout, player.settings())
        if beat.phase != "forward":
            continue
        for k, a in enumerate(values.activations[1:]):  # fills: activation, or not reached
            want = np.tile(palette().no_data, (len(scene.fills[k]), 1)) if a is None else None
            if a is not None:
                want = np.repeat(activation_gray(a)[:, None], 3, axis=1)
            np.testing.assert_array_equal(scene.fills[k], want)


def test_play_pause_step_and_scrub(qtbot, window):
    player = play(qtbot, window)
    bar = window.step_player_controls
    assert bar.isVisible() and player.is_playing()
    qtbot.mouseClick(bar.play_button, Qt.MouseButton.LeftButton)
    assert not player.is_playing() and bar.play_button.text().endswith("Play")
    starts = player.beat_starts()
    player.seek(0.0)
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert player.position == starts[1] and player.beat_index() == 1
    bar.step_forward_action.trigger()  # the "." key
    assert player.beat_index() == 2
    qtbot.mouseClick(bar.back_button, Qt.MouseButton.LeftButton)
    assert player.beat_index() == 1
    bar.slider.setValue(int(starts[6] * 1000) + 100)  # scrub
    assert player.beat_index() == 6 and not player.is_playing()
    assert player.caption() == player.frames.caption(6)
    assert bar.beat_label.text() == f"7/{len(starts)}"
    window.play_step_action.trigger()  # P again: resume
    assert player.is_playing()
    window.play_step_action.trigger()
    assert not player.is_playing()
    bar.speed_box.setCurrentIndex(bar.speed_box.findData(2.0))
    bar.speed_box.activated.emit(bar.speed_box.currentIndex())
    assert player.speed() == 2.0
    bar.example_box.setCurrentIndex(4)
    bar.example_box.activated.emit(4)
    assert player.focus() == 4
    assert {b.example for b in player.frames.beats if b.phase == "backward"} == {4}
    assert player.frames.beats[player.beat_index()].phase == "forward"
    assert "example 5 of 10" in player.caption()


def test_phases_pause_for_reading(qtbot, window):
    player = play(qtbot, window)
    player.pause()
    player.set_speed(4.0)
    assert player.pause_for_reading()
    player.seek(0.0)
    player.play()
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=10000)
    beat = player.frames.beats[player.beat_index()]
    assert beat.phase == "forward" and beat.layer == len(player.story.sizes) - 1
    assert player.beat_fraction() == pytest.approx(1.0, abs=1e-4)
    assert "guesses" in player.caption()  # the phase's last caption stays to be read
    player.play()
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=10000)
    assert player.frames.beats[player.beat_index()].phase == "cost"


def test_cancelling_midway_leaves_the_network_exactly_stepped(qtbot, window):
    before = window.worker.latest_snapshot()
    player = play(qtbot, window)
    player.pause()
    player.seek(player.beat_starts()[8])  # in the backward pass
    qtbot.mouseClick(window.step_player_controls.close_button, Qt.MouseButton.LeftButton)
    assert not player.is_active() and window.network_view.frame_source() is None
    assert not window.step_player_controls.isVisible()
    live = window.worker.latest_snapshot()
    assert live.examples_seen == before.examples_seen + 10
    assert_same_parameters(live, reference_step(window, before).network)
    window.feed.refresh()
    assert window.network_view.snapshot().examples_seen == live.examples_seen
    rgb = QImage.Format.Format_RGB32
    shown = window.network_view.grab().toImage().convertToFormat(rgb)
    assert shown == window.network_view.render_image().convertToFormat(rgb)  # live again


def test_play_while_training_pauses_first_and_running_closes_the_player(qtbot, window):
    window.set_speed(20)
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.state == RUNNING and len(window.record.history) >= 2)
    asked = window.worker.requests_sent
    player = play(qtbot, window)
    assert window.worker.state == PAUSED
    story = player.story
    drain()
    assert window.worker.requests_sent == asked + 1  # the played step; the Run asks no more
    assert window.worker.latest_snapshot().examples_seen == story.before.examples_seen + 10
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: not player.is_active())
    assert window.network_view.frame_source() is None


@pytest.mark.parametrize("change", ["teach", "reset"])
def test_a_teach_step_or_a_new_network_closes_the_player_in_the_window_s_thread(
    qtbot, window, change
):
    import threading

    player = play(qtbot, window)
    closed_in = []
    player.story_loaded.connect(
        lambda story: closed_in.append(threading.current_thread()) if story is None else None
    )
    if change == "teach":
        window.digit_panel.load_test_digit(3)
        window.digit_panel.teach.step_button.click()
    else:
        window.reset(ask=False)
    qtbot.waitUntil(lambda: not player.is_active())
    assert closed_in == [threading.main_thread()]  # its timers live there (Qt warns otherwise)
    assert window.network_view.frame_source() is None
    rgb = QImage.Format.Format_RGB32
    shown = window.network_view.grab().toImage().convertToFormat(rgb)  # painted now
    assert shown == window.network_view.render_image().convertToFormat(rgb)  # the network again


def test_worker_signals_reach_the_window_through_its_queue_never_a_lambda() -> None:
    """A lambda has no thread of its own: connected to a worker signal, it runs in the worker's."""
    import re
    from pathlib import Path

    gui = Path(__file__).resolve().parents[1] / "gui"
    pattern = re.compile(r"(worker|runner)\.\w+\.connect\(\s*lambda")
    found = [
        f"{path.name}:{source[: m.start()].count(chr(10)) + 1}"
        for path in sorted(gui.rglob("*.py"))
        for source in [path.read_text(encoding="utf-8")]
        for m in pattern.finditer(source)
    ]
    assert found == []


def test_play_from_a_scrubbed_snapshot_branches_from_it(qtbot, window):
    window.set_speed(0)  # full speed: what is checked is not the pace
    train_batches(qtbot, window, 120)
    qtbot.waitUntil(lambda: window.record.state == PAUSED and window.feed.kept_count >= 2)
    record = window.worker.kept_snapshot(1)
    window.timeline.snapshot_chosen.emit(1)
    player = play(qtbot, window)
    story = player.story
    assert story.before.examples_seen == record.examples_seen == 1000
    for k in range(3):
        np.testing.assert_array_equal(story.before.weights[k], record.weights[k])
    assert window.worker.latest_snapshot().examples_seen == 1010


def test_the_player_bar_fits_a_small_window(qtbot, window):
    window.resize(QSize(1366, 768))
    play(qtbot, window).pause()
    drain()  # the bar's layout, asked for by the resize and the pause, is done
    bar = window.step_player_controls
    for widget in bar.findChildren(QAbstractButton) + bar.findChildren(QComboBox):
        if not widget.isVisible():
            continue
        top_left = widget.mapTo(window, QPoint(0, 0))
        assert window.rect().contains(top_left), widget
        assert window.rect().contains(top_left + QPoint(widget.width() - 1, widget.height() - 1))
        assert widget.width() >= widget.minimumSizeHint().width(), widget


def test_a_step_that_diverges_says_so_and_gives_the_diagram_back(qtbot, window):
    from engine.core.training import TrainConfig

    before = window.worker.latest_snapshot()
    # So large that the one step's weights are too large to compute with: a real divergence.
    window.worker.set_train_config(TrainConfig(learning_rate=1e30))
    window.play_step_action.trigger()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert not window.step_player.is_active()
    assert window.network_view.frame_source() is None
    assert "learning rate" in window.banner.message().lower()
    window.play_step_action.trigger()  # a failed network is not stepped again
    assert "no trainable network" in window.statusBar().currentMessage()
    assert before.examples_seen == 0


def test_a_pause_right_after_play_still_plays_the_step(qtbot, window):
    window.play_step_action.trigger()
    window.toggle_run()  # Space at once, twice: the play command is kept, as Teach it is
    window.toggle_run()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    assert window.step_player.story.before.examples_seen == 0
    qtbot.waitUntil(lambda: window.record.state == PAUSED)
