"""The real window driven as a learner drives it: step, run, pause, change settings, close."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from windows import drain, heard_pause, open_window, shown_text, train_batches

from engine.core.network import NetworkConfig
from engine.data.model_io import load_model
from engine.session.worker import FAILED, FINISHED, PAUSED, RUNNING


def test_step_mini_batch_adds_exactly_one_point(qtbot, window) -> None:
    assert window.cost_plot.point_count() == 0
    asked = window.worker.requests_sent
    with heard_pause(qtbot, window):
        qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.cost_plot.point_count() == 1)
    drain()
    assert window.worker.requests_sent == asked + 1  # the one step, and nothing after it
    assert window.cost_plot.point_count() == 1 and len(window.record.history) == 1
    assert window.worker.latest_snapshot().examples_seen == 10
    assert "10 examples seen" in window.status_labels["examples"].text()


def test_run_pause_keeps_the_state_consistent(qtbot, window) -> None:
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.menus.run_action.text() == "Pause")
    qtbot.waitUntil(lambda: window.record.state == RUNNING)
    qtbot.waitUntil(lambda: len(window.record.history) > 20)
    with heard_pause(qtbot, window):
        qtbot.keyClick(window, Qt.Key.Key_Space)
    asked = window.worker.requests_sent
    drain()
    assert window.menus.run_action.text() == "Run" and window.worker.requests_sent == asked
    assert window.worker.state == PAUSED  # and no Run goes on after the pause
    seen = window.worker.latest_snapshot().examples_seen
    assert seen == 10 * len(window.record.history) == window.record.last_batch.examples_seen


def test_step_epoch_reports_test_accuracy(qtbot, window) -> None:
    window.lab.choose(speed=0)  # full speed: what is checked is not the pace
    window.menus.epoch_action.trigger()
    qtbot.waitUntil(lambda: window.record.last_epoch is not None, timeout=20000)
    assert window.record.last_epoch.epoch == 1 and window.record.last_epoch.test_accuracy > 0.5
    assert len(window.record.history) == 1000
    assert window.record.history.epochs.n == 1
    expected = f"Test accuracy {100 * window.record.last_epoch.test_accuracy:.2f}%"
    qtbot.waitUntil(lambda: window.status_labels["accuracy"].text() == expected)


def test_learning_rate_change_applies_at_the_next_batch(qtbot, window) -> None:
    window.set_speed(20)
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: len(window.record.history) >= 2)
    window.controls.learning_rate.setValue(0.5)
    changed_at = len(window.record.history)
    qtbot.waitUntil(lambda: len(window.record.history) >= changed_at + 3)
    window.worker.pause()
    assert window.record.last_batch.learning_rate == 0.5
    assert window.worker.train_config.learning_rate == 0.5


def test_divergence_shows_the_banner_and_reset_recovers(qtbot, window) -> None:
    cost = window.controls.cost  # cross-entropy's cost can explode; quadratic's only saturates
    cost.setCurrentIndex(cost.findData("cross-entropy"))
    cost.activated.emit(cost.currentIndex())
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().config.cost == "cross-entropy")
    window.controls.learning_rate.setValue(10000.0)
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert "learning rate" in window.banner.message()
    assert window.worker.state == FAILED and not window.menus.step_action.isEnabled()
    snap = window.worker.latest_snapshot()
    assert all(np.isfinite(w).all() for w in snap.weights)
    qtbot.waitUntil(lambda: window.recovery.remedy is not None, timeout=30000)  # trials, off-thread
    offered = window.recovery.remedy.learning_rate  # tried from the same seed before it is offered
    assert offered < 1000.0 / 10  # x0.1 would be 1,000, which diverges again
    assert f"Reset with learning rate {offered:g}" == shown_text(window.banner.lower_button)
    assert f"Try learning rate {offered:g}: a trial of" in window.banner.message()
    window.banner.lower_button.click()
    qtbot.waitUntil(lambda: window.record.state == PAUSED and window.menus.step_action.isEnabled())
    assert window.controls.learning_rate.value() == pytest.approx(offered)
    assert not window.banner.isVisible()
    window.worker.run_batches(300)  # the offered rate really trains: no divergence
    qtbot.waitUntil(lambda: len(window.record.history) == 300, timeout=10000)
    assert window.worker.state == PAUSED and not window.banner.isVisible()


def test_architecture_change_resets_and_settings_persist(qtbot, tmp_path) -> None:
    path = tmp_path / "settings.ini"
    first = open_window(qtbot, path)
    first.worker.step_batch()
    qtbot.waitUntil(lambda: len(first.record.history) == 1)
    first.controls.hidden.setText("32")
    first.controls.hidden.editingFinished.emit()
    qtbot.waitUntil(lambda: first.worker.latest_snapshot().sizes == (784, 32, 10))
    qtbot.waitUntil(lambda: first.cost_plot.point_count() == 0)
    first.controls.batch_size.setValue(25)
    first.close()
    assert first.worker.state == FINISHED
    second = open_window(qtbot, path)
    assert second.session.network.sizes == (784, 32, 10)
    assert second.controls.hidden.text() == "32" and second.controls.batch_size.value() == 25
    second.lab.restore_defaults()
    qtbot.waitUntil(lambda: second.worker.latest_snapshot().sizes == (784, 16, 16, 10))
    assert second.controls.batch_size.value() == 10
    assert second.worker.train_config.learning_rate == 3.0
    second.close()


def test_corrupt_settings_fall_back_to_defaults(qtbot, tmp_path) -> None:
    path = tmp_path / "settings.ini"
    path.write_bytes(b"[network]\nhidden=banana\nseed=-5\n[train]\nlearning_rate=nan\n\x00\xff")
    w = open_window(qtbot, path)
    assert w.session.network == NetworkConfig() and w.session.train.learning_rate == 3.0
    w.close()


def test_save_and_open_model_round_trip(qtbot, window, tmp_path) -> None:
    window.controls.learning_rate.setValue(2.5)
    window.controls.momentum.setValue(0.5)
    train_batches(qtbot, window, 30)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen == 300)
    path = tmp_path / "m.npz"
    assert window.save_model_to(path) and not window.record.unsaved
    saved = load_model(path)
    snap = window.worker.latest_snapshot()
    np.testing.assert_array_equal(saved.network.weights[1], snap.weights[1])
    costs = window.record.history.batches.column("cost").copy()
    window.controls.learning_rate.setValue(3.0)
    window.controls.momentum.setValue(0.0)
    window.reset(ask=False)
    qtbot.waitUntil(lambda: window.cost_plot.point_count() == 0)
    assert window.open_model(path)
    qtbot.waitUntil(lambda: window.cost_plot.point_count() == 30)
    restored = window.worker.latest_snapshot()
    for k in range(3):
        np.testing.assert_array_equal(restored.weights[k], snap.weights[k])
        np.testing.assert_array_equal(restored.biases[k], snap.biases[k])
    assert restored.examples_seen == 300
    assert window.controls.learning_rate.value() == 2.5 and window.controls.momentum.value() == 0.5
    assert window.worker.train_config.learning_rate == 2.5
    np.testing.assert_array_equal(window.record.history.batches.column("cost"), costs)
    assert not window.record.unsaved


def test_quit_with_unsaved_training_asks_and_can_stay_open(qtbot, window) -> None:
    train_batches(qtbot, window, 3)
    qtbot.waitUntil(lambda: window.record.unsaved)
    asked = []
    window.confirm_quit = lambda: asked.append(True) or False  # the learner picks Cancel
    window.close()
    assert asked and window.isVisible() and not window.worker.thread_finished()
    window.confirm_quit = None


def test_bad_model_file_changes_nothing(qtbot, window, tmp_path) -> None:
    before, asked = window.worker.latest_snapshot(), window.worker.requests_sent
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"PK\x03\x04 definitely not a zip")
    assert not window.open_model(junk)
    assert "junk.npz" in window.banner.message()
    drain()
    assert window.worker.requests_sent == asked  # nothing was asked of the worker
    assert window.worker.latest_snapshot() is before


def test_close_while_training_stops_the_worker(qtbot, window) -> None:
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.state == RUNNING)
    window.close()
    assert window.worker.state == FINISHED
    assert window.worker.thread_finished()


def test_export_history_csv(qtbot, window, tmp_path) -> None:
    train_batches(qtbot, window, 5)
    path = tmp_path / "h.csv"
    window.files.export_history(path)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("kind,epoch,cost") and len(lines) == 6


def test_data_folder_switch_and_a_bad_folder_changes_nothing(qtbot, window, tmp_path) -> None:
    from engine.data.idx import write_idx

    rng = np.random.default_rng(1)
    good = tmp_path / "mnist"
    good.mkdir()
    write_idx(good / "train-images-idx3-ubyte.gz", rng.integers(0, 256, (50, 28, 28), np.uint8))
    write_idx(good / "train-labels-idx1-ubyte.gz", (np.arange(50) % 10).astype(np.uint8))
    write_idx(good / "t10k-images-idx3-ubyte.gz", rng.integers(0, 256, (20, 28, 28), np.uint8))
    write_idx(good / "t10k-labels-idx1-ubyte.gz", (np.arange(20) % 10).astype(np.uint8))
    window.data_sources.load(str(good))
    qtbot.waitUntil(lambda: window.data is not None and len(window.data.train) == 50)
    assert window.controls.data.currentData() == str(good)
    assert window.controls.data.currentText().startswith("Folder:")
    before = window.worker.latest_snapshot()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "train-images-idx3-ubyte.gz").write_bytes(b"not an IDX file")
    window.data_sources.load(str(bad))
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert "bad" in window.banner.message()
    assert len(window.data.train) == 50 and window.worker.latest_snapshot() is before
    window.controls.data.setCurrentIndex(0)
    window.controls.data.activated.emit(0)
    qtbot.waitUntil(lambda: window.data.source == "sample", timeout=10000)


def test_teach_it_takes_exactly_one_sgd_step_through_the_worker(qtbot, window) -> None:
    from engine.session.snapshot import network_of

    window.digit_panel.load_test_digit(3)
    label = int(window.data.test.labels[3])
    assert window.digit_panel.selected_label() == label
    x = window.digit_panel.network_input()
    before = window.worker.latest_snapshot()
    expected = network_of(before)
    record = expected.backprop(x.reshape(1, -1), np.array([label]))
    window.digit_panel.apply_step()
    qtbot.waitUntil(lambda: window.worker.latest_snapshot() is not before)
    after = window.worker.latest_snapshot()
    for k in range(len(after.weights)):
        np.testing.assert_allclose(
            after.weights[k], before.weights[k] - 3.0 * record.nabla_w[k], atol=1e-6
        )
    qtbot.waitUntil(lambda: window.record.unsaved)
    # the diagram shows the drawn digit's forward pass with the chosen label
    trace = window.network_view.shown_trace()
    assert trace.label == label
    np.testing.assert_allclose(trace.activations[0], x.reshape(-1), atol=1e-6)


def test_explorer_tab_pauses_and_explores_the_current_network(qtbot, window) -> None:
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.state == RUNNING)
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.explorer.snapshot is not None, timeout=10000)
    assert window.worker.state == PAUSED
    snap = window.worker.latest_snapshot()
    assert window.explorer.snapshot.examples_seen == snap.examples_seen
    window.explorer.next_step()
    assert window.explorer.step() == 2
    window.tabs.setCurrentIndex(0)
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen > snap.examples_seen)
    window.worker.pause()


def test_my_digits_are_mixed_into_training(qtbot, window) -> None:
    window.digit_panel.load_test_digit(0)
    window.digit_panel.add_to_my_digits()
    window.digit_panel.load_test_digit(1)
    window.digit_panel.add_to_my_digits()
    n = len(window.data.train)
    window.data_sources.mix_my_digits()
    qtbot.waitUntil(lambda: len(window.data.train) == n + 2)
    np.testing.assert_array_equal(window.data.train.labels[-2:], window.data.test.labels[:2])
    assert "2 of my digits" in window.data.source
    assert window.session.data == "sample"  # a mixed set is not remembered as a source


def test_scrub_the_timeline_and_resume_from_a_past_snapshot(qtbot, window) -> None:
    window.set_speed(0)  # full speed: what is checked is not the pace
    train_batches(qtbot, window, 350)
    qtbot.waitUntil(lambda: window.record.state == PAUSED and window.feed.kept_count >= 4)
    record = window.worker.kept_snapshot(1)
    assert record.examples_seen == 1000  # one kept every 100 mini-batches of 10
    window.timeline.snapshot_chosen.emit(1)
    assert window.cost_plot.marker.isVisible()
    assert window.cost_plot.marker.value() == pytest.approx(0.1)  # 1,000 of 10,000 examples
    shown = window.network_view.snapshot()
    for k in range(3):
        np.testing.assert_array_equal(shown.weights[k], record.weights[k])
    for _ in range(2):  # the live refresh, twice, must not overwrite a scrubbed view
        with qtbot.waitSignal(window.feed.timer.timeout):
            pass
    assert window.network_view.snapshot() is shown
    window.timeline.resume_requested.emit(1)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().examples_seen == 1000)
    qtbot.waitUntil(lambda: len(window.record.history) == 100)
    np.testing.assert_array_equal(window.worker.latest_snapshot().weights[0], record.weights[0])
    assert window.cost_plot.point_count() == 100
    window.worker.step_batch()
    qtbot.waitUntil(lambda: len(window.record.history) == 101)
    assert window.record.history.batches.column("progress")[-1] == pytest.approx(1010 / 10000)


def test_training_or_teaching_from_a_scrubbed_view_returns_to_the_live_network(
    qtbot, window
) -> None:
    from gui.training.timeline import LIVE

    window.set_speed(0)  # full speed: what is checked is not the pace
    train_batches(qtbot, window, 250)
    qtbot.waitUntil(lambda: window.record.state == PAUSED and window.feed.kept_count >= 3)
    window.timeline.slider.setValue(1)  # the learner looks back at 1,000 examples
    assert window.record.scrubbed == 1 and window.network_view.snapshot().examples_seen == 1000
    with heard_pause(qtbot, window):  # and steps training on: the live network moves, shown live
        window.menus.step_action.trigger()
    assert window.worker.latest_snapshot().examples_seen == 2510
    qtbot.waitUntil(lambda: window.network_view.snapshot().examples_seen == 2510)
    assert window.timeline.position == LIVE and window.record.scrubbed is None
    assert not window.cost_plot.marker.isVisible() and len(window.record.history) == 251
    window.timeline.slider.setValue(0)  # looks back again, then teaches a digit
    live = window.worker.latest_snapshot()
    window.digit_panel.load_test_digit(2)
    window.digit_panel.teach.step_button.click()
    assert window.timeline.position == LIVE and window.record.scrubbed is None
    qtbot.waitUntil(lambda: window.teach.taught is not None)
    result = window.teach.taught[0]
    np.testing.assert_array_equal(result.network_before().weights[0], live.weights[0])


def test_the_explorer_loads_when_the_worker_says_it_paused_not_before(qtbot, window) -> None:
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.running)
    window.tabs.setCurrentIndex(1)  # asks the worker to pause; its answer comes as a signal
    assert window.explorer.snapshot is None and window.explore.waiting
    window.tabs.setCurrentIndex(0)  # left before the worker answered: nothing to load
    qtbot.waitUntil(lambda: window.record.state == PAUSED and not window.record.running)
    drain()
    assert window.explorer.snapshot is None and not window.explore.waiting
    window.tabs.setCurrentIndex(1)  # paused already: the explorer loads at once
    qtbot.waitUntil(lambda: window.explorer.snapshot is not None)
    assert window.explorer.snapshot.examples_seen == window.worker.latest_snapshot().examples_seen


def test_a_mistake_chosen_in_the_insight_panel_goes_to_the_pad_and_explorer(qtbot, window):
    image = window.data.test.images[5]
    label = int(window.data.test.labels[5])
    window.insight.digit_chosen.emit(image, label)
    assert window.digit_panel.selected_label() == label
    assert window.digit_panel.network_input() is not None
    window.tabs.setCurrentIndex(1)  # the explorer, opened, explores that mistake
    qtbot.waitUntil(lambda: window.explorer.exploration is not None, timeout=10000)
    assert window.explorer.exploration.label == label == window.explorer.diagram.label
    np.testing.assert_array_equal(window.explorer.exploration.image, image)


def test_recent_files_preferences_and_panel_export(qtbot, window, tmp_path) -> None:
    from gui.window.preferences_dialog import Preferences, load_preferences

    path = tmp_path / "net.npz"
    assert window.save_model_to(path)
    assert window.files.recent_files() == [str(path.resolve())]
    window.files.fill_recent_menu(window.menus.recent_menu)
    assert [a.text() for a in window.menus.recent_menu.actions()] == ["net.npz"]
    path.unlink()
    assert window.files.recent_files() == []  # a model that is gone is not offered
    window.dialogs.apply_preferences(Preferences(theme="light", speed=5.0, snapshot_interval=7))
    assert load_preferences(window.settings) == Preferences("light", 5.0, 7)
    assert window.controls.speed.currentData() == 5.0
    window.set_speed(0)
    train_batches(qtbot, window, 15)
    qtbot.waitUntil(lambda: window.record.state == PAUSED)
    assert window.worker.kept_count() >= 3  # the start, every 7 mini-batches, the end
    window.dialogs.apply_preferences(Preferences())
    assert window.tabs.currentWidget().grab().save(str(tmp_path / "tab.png"))
