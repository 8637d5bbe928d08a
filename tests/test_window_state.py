"""Every view tells the truth after every action: the real window on the newcomer's path.

Pacing (Run's goal, full speed, the plot's axes), Teach it with its accuracy and Undo, saving
without overwriting another model, the history strip after Resume and Reset, the status bar,
focused controls keeping their keys, recovery from a diverged or stalled run, and help.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QStandardPaths, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from windows import drain, heard_pause, open_window, shown_text, train_batches

from engine.core.network import NetworkConfig
from engine.core.training import evaluate
from engine.session.snapshot import network_of
from engine.session.worker import PAUSED, RUNNING
from gui.diagram.labels import titles
from gui.settings import GOAL_EPOCHS, WATCHABLE
from gui.training.timeline import LIVE, LIVE_TEXT


def accuracy_of(window, snapshot) -> float:
    """Return the test accuracy of a snapshot's network on the window's test set."""
    test = window.data.test
    return evaluate(network_of(snapshot), test.images, test.labels).accuracy


def status(window, key: str) -> str:
    """Return the status bar's text for ``key`` once it is refreshed."""
    window.feed.status_shown = 0.0
    window.feed.update_status()
    return window.status_labels[key].text()


def test_a_first_run_is_watchable_and_stops_at_its_goal(qtbot, window) -> None:
    assert window.session.speed == WATCHABLE and window.controls.speed.currentData() == WATCHABLE
    assert window.worker.batch_interval == pytest.approx(1 / WATCHABLE)
    assert window.controls.goal.value() == GOAL_EPOCHS == 5
    window.controls.full_speed.click()  # full speed is one click away
    assert window.worker.batch_interval == 0 and window.controls.speed.currentData() == 0
    window.controls.goal.setValue(2)
    assert window.session.goal_epochs == 2
    seen = []  # at each epoch's end: the epoch, the Run's goal, the run button
    window.worker.epoch_finished.connect(
        lambda r: seen.append((r.epoch, window.goal.goal, window.menus.run_action.text()))
    )
    window.menus.run_action.trigger()
    assert window.menus.run_action.text() == "Pause"
    qtbot.waitUntil(lambda: window.menus.run_action.text() == "Run", timeout=30000)
    assert seen[0] == (1, 2, "Pause")  # between epochs the Run goes on
    assert window.worker.state == PAUSED
    snapshot = window.worker.latest_snapshot()
    assert snapshot.epoch == 2 and snapshot.examples_seen == 2 * len(window.data.train)
    assert window.record.last_epoch.epoch == 2 and window.record.history.epochs.n == 2
    assert "Trained to epoch 2, the end of this Run" in window.statusBar().currentMessage()
    window.controls.full_speed.click()  # and back to the watchable speed
    assert window.controls.speed.currentData() == WATCHABLE


def test_pause_ends_a_run_and_a_step_is_one_step(qtbot, window) -> None:
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.state == RUNNING)
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.state == PAUSED)
    drain()
    assert window.menus.run_action.text() == "Run" and window.goal.goal is None
    seen, asked = window.worker.latest_snapshot().examples_seen, window.worker.requests_sent
    with heard_pause(qtbot, window):
        window.menus.step_action.trigger()
    assert window.worker.latest_snapshot().examples_seen == seen + 10
    drain()
    assert window.worker.requests_sent == asked + 1  # the step, and nothing more is trained
    assert window.worker.state == PAUSED and window.menus.run_action.text() == "Run"
    stepped = window.worker.latest_snapshot()
    expected = (
        f"Test accuracy {100 * accuracy_of(window, stepped):.2f}% "
        f"(at {stepped.examples_seen:,} examples)"
    )
    qtbot.waitUntil(lambda: status(window, "accuracy") == expected)  # not the untrained one


def test_reset_resets_the_cost_plots_axes_and_the_axis_mode_persists(qtbot, tmp_path) -> None:
    path = tmp_path / "settings.ini"
    window = open_window(qtbot, path)
    window.set_speed(0)
    train_batches(qtbot, window, 400)
    window.cost_plot.flush()
    window.cost_plot.plot.getPlotItem().vb.setXRange(0.30, 0.35)  # the learner zoomed in
    window.reset(ask=False)
    qtbot.waitUntil(lambda: window.cost_plot.point_count() == 0)
    x0, x1 = window.cost_plot.x_range()
    assert x0 <= 0.0 + 1e-6 and 0.99 <= x1 <= 1.1
    assert window.cost_plot.plot.getPlotItem().vb.autoRangeEnabled()[0]
    box = window.cost_plot.x_mode_box
    box.setCurrentIndex(box.findData("log"))
    box.activated.emit(box.currentIndex())
    window.close()
    again = open_window(qtbot, path)
    assert again.cost_plot.x_mode() == "log" and again.session.plot_x == "log"
    again.close()


def test_after_resume_and_reset_the_history_strip_is_live_and_the_status_true(
    qtbot, window
) -> None:
    window.set_speed(0)
    train_batches(qtbot, window, 250)
    qtbot.waitUntil(lambda: window.record.state == PAUSED and window.feed.kept_count >= 3)
    window.timeline.slider.setValue(1)  # the learner drags back to the second kept snapshot
    assert window.timeline.position == 1 and window.record.scrubbed == 1
    assert window.timeline.resume_button.isEnabled()
    window.timeline.resume_button.click()
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen == 1000)
    qtbot.waitUntil(lambda: window.timeline.position == LIVE)
    assert window.timeline.label.text() == LIVE_TEXT
    assert not window.timeline.resume_button.isEnabled()
    qtbot.waitUntil(lambda: status(window, "examples") == "1,000 examples seen")
    assert status(window, "epoch") == "Epoch 1, mini-batch 100"  # where the branch starts
    resumed = window.worker.latest_snapshot()
    expected = f"Test accuracy {100 * accuracy_of(window, resumed):.2f}% (resumed)"
    qtbot.waitUntil(lambda: status(window, "accuracy") == expected)
    window.timeline.slider.setValue(0)  # scrub again, then Reset
    assert window.timeline.position == 0
    window.reset(ask=False)
    qtbot.waitUntil(lambda: window.timeline.position == LIVE)
    qtbot.waitUntil(lambda: status(window, "examples") == "0 examples seen")
    assert window.record.scrubbed is None and not window.cost_plot.marker.isVisible()


def test_opening_a_model_shows_its_examples_and_accuracy(qtbot, window, tmp_path) -> None:
    window.set_speed(0)
    train_batches(qtbot, window, 30)
    path = tmp_path / "m.npz"
    assert window.save_model_to(path)
    trained = window.worker.latest_snapshot()
    window.reset(ask=False)
    qtbot.waitUntil(lambda: status(window, "examples") == "0 examples seen")
    assert window.open_model(path)
    qtbot.waitUntil(lambda: status(window, "examples") == "300 examples seen")
    expected = f"Test accuracy {100 * accuracy_of(window, trained):.2f}% (opened model)"
    qtbot.waitUntil(lambda: status(window, "accuracy") == expected)
    assert window.windowTitle() == "m.npz[*] \u2014 Backprop Lab" and not window.isWindowModified()


def test_teach_shows_test_accuracy_before_and_after_and_undo_restores_exactly(
    qtbot, window, tmp_path
) -> None:
    window.set_speed(0)
    train_batches(qtbot, window, 200)
    qtbot.waitUntil(lambda: window.record.state == PAUSED)
    assert window.save_model_to(tmp_path / "before.npz") and not window.isWindowModified()
    before = window.worker.latest_snapshot()
    window.feed.refresh()
    kept, scrubbable = window.worker.kept_count(), window.timeline.slider.maximum()
    assert kept > 2
    window.digit_panel.load_test_digit(7)
    window.digit_panel.teach.step_button.click()
    qtbot.waitUntil(lambda: window.teach.taught is not None)
    after = window.worker.latest_snapshot()
    a0, a1 = accuracy_of(window, before), accuracy_of(window, after)
    text = window.digit_panel.teach.result_label.text()
    assert f"Test accuracy {100 * a0:.2f}% &rarr; <b>{100 * a1:.2f}%</b>" in text
    expected = f"Test accuracy {100 * a1:.2f}% (after Teach it)"
    qtbot.waitUntil(lambda: status(window, "accuracy") == expected)  # the status bar follows
    assert window.isWindowModified() and window.digit_panel.teach.undo_step_button.isEnabled()
    window.digit_panel.teach.undo_step_button.click()
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen == 2000)
    qtbot.waitUntil(lambda: not window.lab.undo_pending() and window.record.state == PAUSED)
    restored = window.worker.latest_snapshot()
    for k in range(3):
        np.testing.assert_array_equal(restored.weights[k], before.weights[k])
        np.testing.assert_array_equal(restored.biases[k], before.biases[k])
    assert len(window.record.history) == 200 and window.cost_plot.point_count() == 200
    assert not window.isWindowModified()  # exactly the network that was saved
    assert window.record.model_path == tmp_path / "before.npz"
    undone = f"Test accuracy {100 * a0:.2f}% (Teach it undone)"
    qtbot.waitUntil(lambda: status(window, "accuracy") == undone)  # measured once it is back
    assert "Undone" in window.digit_panel.teach.result_label.text()
    assert not window.menus.undo_teach_action.isEnabled()
    # The same run goes on: the timeline keeps every moment before the step, and its last one
    # is the network restored.
    window.feed.refresh()
    assert window.worker.kept_count() == kept and window.timeline.slider.maximum() == scrubbable
    last = window.worker.kept_snapshot(kept - 1).as_snapshot()
    assert last.examples_seen == 2000
    for k in range(3):
        np.testing.assert_array_equal(last.weights[k], before.weights[k])


def test_training_after_teach_cannot_be_undone_past(qtbot, window) -> None:
    window.digit_panel.load_test_digit(1)
    window.digit_panel.teach.step_button.click()
    qtbot.waitUntil(lambda: window.menus.undo_teach_action.isEnabled())
    window.menus.step_action.trigger()
    qtbot.waitUntil(lambda: not window.menus.undo_teach_action.isEnabled())
    assert not window.digit_panel.teach.undo_step_button.isEnabled()


def test_a_drawn_digit_gets_no_invented_label(qtbot, window) -> None:
    window.digit_panel.pad.set_image(window.data.test.images[0])  # drawn, nobody labelled it
    assert window.digit_panel.selected_label() is None
    trace = window.network_view.shown_trace()
    assert trace.label is None and np.isnan(trace.deltas[-1]).all()
    window.network_view.refresh()
    guess = int(np.argmax(trace.outputs))
    last = titles(window.worker.latest_snapshot().sizes, window.network_view.scene())[-1]
    assert last.endswith(f"\nguess {guess}") and "label" not in last
    window.network_view.set_edge_mode("hebbian")
    window.network_view.refresh()
    assert "no label" in window.network_view.scene().missing
    window.digit_panel.select_label(4)  # Teach's chosen digit is a label the learner gave
    trace = window.network_view.shown_trace()
    assert trace.label == 4 and np.isfinite(trace.deltas[-1]).all()
    window.network_view.refresh()
    last = titles(window.worker.latest_snapshot().sizes, window.network_view.scene())[-1]
    assert last.endswith(f"\nlabel 4 \u00b7 guess {guess}")
    window.digit_panel.select_label(None)  # the learner takes the label back
    assert window.network_view.shown_trace().label is None


def test_a_fresh_network_is_untitled_and_save_keeps_the_typed_name(
    qtbot, window, tmp_path, monkeypatch
) -> None:
    first = tmp_path / "first.npz"
    assert window.save_model_to(first)
    saved_bytes = first.read_bytes()
    assert window.windowTitle() == "first.npz[*] \u2014 Backprop Lab"
    window.menus.step_action.trigger()
    qtbot.waitUntil(window.isWindowModified)
    window.reset(ask=False)
    qtbot.waitUntil(lambda: window.record.model_path is None)
    assert window.windowTitle() == "untitled[*] \u2014 Backprop Lab"
    asked = []
    typed = tmp_path / "run.v2"

    def dialog(parent, caption, start, filters):
        asked.append(start)
        return str(typed), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    assert window.save_model()  # after Reset, Save asks: it never overwrites first.npz
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(asked[0]) == Path(documents) / "784-16-16-10-sigmoid-quadratic-epoch0.npz"
    assert (tmp_path / "run.v2.npz").is_file() and not (tmp_path / "run.npz").exists()
    assert first.read_bytes() == saved_bytes
    assert window.windowTitle() == "run.v2.npz[*] \u2014 Backprop Lab"
    questions = []
    window.confirm_replace = lambda title, text: questions.append(text) or False
    before = (tmp_path / "run.v2.npz").read_bytes()
    window.menus.step_action.trigger()
    qtbot.waitUntil(window.isWindowModified)
    assert not window.save_model(ask_path=True)  # typed run.v2 again: it would replace a file
    assert "run.v2.npz, which already exists" in questions[0]
    assert (tmp_path / "run.v2.npz").read_bytes() == before


def test_the_reset_question_offers_save(qtbot, window, tmp_path, monkeypatch) -> None:
    window.confirm = (
        window.dialogs.ask_to_save_first
    )  # the real question, answered by clicking its buttons
    window.menus.step_action.trigger()
    qtbot.waitUntil(lambda: window.record.unsaved)
    target = tmp_path / "kept.npz"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))

    def click(button) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        box.button(button).click()

    QTimer.singleShot(50, lambda: click(QMessageBox.StandardButton.Cancel))
    assert not window.reset()
    assert window.record.unsaved and not target.exists()
    QTimer.singleShot(50, lambda: click(QMessageBox.StandardButton.Save))
    assert window.reset()
    assert target.is_file()
    qtbot.waitUntil(lambda: window.cost_plot.point_count() == 0)


def test_space_presses_the_focused_button_and_shortcuts_are_never_ambiguous(qtbot, window) -> None:
    window.digit_panel.pad.set_image(window.data.test.images[0])
    clear = window.digit_panel.clear_button
    clear.setFocus()
    qtbot.waitUntil(clear.hasFocus)
    asked = window.worker.requests_sent
    qtbot.keyClick(clear, Qt.Key.Key_Space)
    assert window.digit_panel.pad.is_empty()  # the button was pressed
    drain()  # a Run starts from a queued call: it would be asked for by now
    assert window.worker.requests_sent == asked
    assert window.worker.state == PAUSED and window.menus.run_action.text() == "Run"  # not Run
    window.set_speed(0)
    train_batches(qtbot, window, 250)
    qtbot.waitUntil(lambda: window.worker.kept_count() >= 3, timeout=10000)
    qtbot.waitUntil(lambda: window.feed.kept_count >= 3 and window.record.state == PAUSED)
    slider = window.timeline.slider
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus)
    asked = window.worker.requests_sent
    qtbot.keyClick(slider, Qt.Key.Key_Left)  # moves the slider; does not step the network
    assert window.timeline.position == window.feed.kept_count - 1
    drain()
    assert window.worker.requests_sent == asked + 1  # the pause a scrub asks for; no step
    window.network_view.setFocus()  # a control that uses no keys: Space is Run
    qtbot.waitUntil(window.network_view.hasFocus)
    qtbot.keyClick(window.network_view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.record.state == RUNNING)
    window.pause()
    keys: dict[str, list[str]] = {}
    for action in window.findChildren(type(window.menus.run_action)):
        if action.isEnabled() and not action.shortcut().isEmpty():
            keys.setdefault(action.shortcut().toString(), []).append(action.text())
    for shortcut in window.findChildren(QShortcut):
        if shortcut.isEnabled() and shortcut.parent().isVisible():
            keys.setdefault(shortcut.key().toString(), []).append("shortcut")
    assert {k: v for k, v in keys.items() if len(v) > 1} == {}
    assert QKeySequence("Space").toString() in keys


def test_a_stalled_run_says_why_and_offers_a_remedy_that_learns(qtbot, window) -> None:
    window.controls.network_edited.emit(NetworkConfig(activation="relu"), 0)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().config.activation == "relu")
    window.set_speed(0)
    window.controls.goal.setValue(0)  # until paused
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=60000)
    qtbot.waitUntil(lambda: window.record.state == PAUSED)
    message = window.banner.message()
    assert message.startswith("Training has stalled: after epoch ")
    assert "10 of the 10 output neurons are saturated" in message
    qtbot.waitUntil(lambda: not window.recovery.searching(), timeout=30000)  # trials, off-thread
    message = window.banner.message()
    remedy = window.recovery.remedy
    assert remedy is not None and remedy.config.init == "scaled"
    assert shown_text(window.banner.lower_button) == (
        f"Reset with learning rate {remedy.learning_rate:g} and 'Scaled 1/sqrt(n)' initial weights"
    )
    window.banner.lower_button.click()
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().config.init == "scaled")
    assert window.session.train.learning_rate == remedy.learning_rate
    assert window.controls.init.currentData() == "scaled"


def test_slow_motion_shows_each_steps_update_and_its_mini_batch(qtbot, window) -> None:
    assert window.network_view.edge_mode() == "weight" and not window.batch_strip.isVisible()
    window.set_speed(5)
    assert window.network_view.edge_mode() == "update" and window.batch_strip.isVisible()
    window.menus.step_action.trigger()
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen == 10)
    qtbot.waitUntil(lambda: len(window.batch_strip.batch()[1]) == 10)
    snapshot = window.worker.latest_snapshot()
    images, labels = window.batch_strip.batch()
    np.testing.assert_array_equal(images, snapshot.batch_images)
    np.testing.assert_array_equal(labels, snapshot.batch_labels)
    assert window.batch_strip.caption().startswith("Mini-batch of 10: the step averages")
    window.set_speed(WATCHABLE)
    assert window.network_view.edge_mode() == "weight" and not window.batch_strip.isVisible()


def test_help_has_the_guide_the_keys_and_the_links(qtbot, window) -> None:
    from gui.window.help_dialog import BOOK_URL, VIDEO_URL, shortcut_rows

    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "help_dialog", None) is not None)
    dialog = window.help_dialog
    assert dialog.isVisible() and dialog.tabs.currentIndex() == 0
    guide = dialog.pages[0].toPlainText()
    order = ["Watch it learn", "Look at the weights", "Draw a digit", "One example's wishes"]
    order += ["Slow motion", "Teach it", "Go back in time"]
    assert [guide.index(step) for step in order] == sorted(guide.index(step) for step in order)
    keys = dialog.pages[1].toPlainText()
    for key, text in shortcut_rows(window.dialogs.help_actions()):
        assert f"{key}\t{text}" in keys or f"{key}\n{text}" in keys
    assert "Space" in keys and "Run" in keys
    links = dialog.pages[2].toHtml()
    assert VIDEO_URL in links and BOOK_URL in links and "chap2" in BOOK_URL
    assert "What is backpropagation really doing?" in dialog.pages[2].toPlainText()
    dialog.close()


def test_the_new_settings_keys_fall_back_to_their_defaults(tmp_path) -> None:
    from PySide6.QtCore import QSettings

    from gui.settings import load_session, save_session

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("run/goal_epochs", "banana")
    settings.setValue("plot/x_mode", "sideways")
    session = load_session(settings)
    assert session.goal_epochs == GOAL_EPOCHS and session.plot_x == "all"
    settings.setValue("run/goal_epochs", -3)
    assert load_session(settings).goal_epochs == GOAL_EPOCHS
    save_session(settings, replace(session, goal_epochs=0, plot_x="window"))
    again = load_session(settings)
    assert again.goal_epochs == 0 and again.plot_x == "window"


def test_the_explorer_never_invents_a_label_for_a_drawing(qtbot, window) -> None:
    window.digit_panel.pad.set_image(window.data.test.images[0])
    window.menus.explore_drawing_action.trigger()
    assert window.tabs.currentIndex() == 0  # it stays: nobody said what the drawing is
    assert "Pick the digit it is under Teach it" in window.statusBar().currentMessage()
    window.digit_panel.select_label(2)
    window.menus.explore_drawing_action.trigger()
    assert window.tabs.currentIndex() == 1
    qtbot.waitUntil(lambda: window.explorer.exploration is not None, timeout=10000)
    assert window.explorer.exploration.label == 2 == window.explorer.diagram.label


def test_export_dialogs_start_in_documents_with_descriptive_names(qtbot, window, monkeypatch):
    starts = []
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda parent, caption, start, f: starts.append(start) or ("", f),
    )
    window.files.export_history_dialog()
    window.files.export_diagram_dialog("svg")
    window.files.export_panel_dialog()
    documents = Path(
        QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    )
    stem = "784-16-16-10-sigmoid-quadratic-epoch0"
    assert [Path(s) for s in starts] == [
        documents / f"{stem}-history.csv",
        documents / f"{stem}-diagram.svg",
        documents / f"{stem}-network-and-cost.png",
    ]


def test_examples_per_second_is_the_real_rate_when_steps_are_paced(monkeypatch, tiny_digits):
    import engine.core.training as training
    from engine.core.network import Network
    from engine.core.training import Trainer

    clock = iter(np.cumsum(np.tile([0.001, 0.019], 200)))  # 100 mini-batches a second, uneven
    monkeypatch.setattr(training.time, "perf_counter", lambda: float(next(clock)))
    images, labels = tiny_digits
    trainer = Trainer(Network(NetworkConfig(), np.random.default_rng(0)), images, labels)
    reports = [trainer.step_batch() for _ in range(300)]
    assert reports[-1].examples_per_second == pytest.approx(1000, rel=0.05)  # not 5,000


def test_a_window_opened_in_slow_motion_shows_it(qtbot, tmp_path) -> None:
    from PySide6.QtCore import QSettings

    path = tmp_path / "settings.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("run/speed", 1.0)
    settings.sync()
    window = open_window(qtbot, path)
    assert window.controls.speed.currentData() == 1.0
    assert window.network_view.edge_mode() == "update" and window.batch_strip.isVisible()
    window.close()


@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("run.v2", "run.v2.npz"),
        ("model", "model.npz"),
        ("net.NPZ", "net.NPZ"),
        ("a.b.npz", "a.b.npz"),
    ],
)
def test_a_typed_model_name_is_kept_whole(typed: str, saved: str) -> None:
    from gui.file_names import model_file_path, model_name

    assert model_file_path(Path("/x") / typed) == Path("/x") / saved
    assert model_name(NetworkConfig(cost="cross-entropy"), 3) == (
        "784-16-16-10-sigmoid-cross-entropy-epoch3.npz"
    )
