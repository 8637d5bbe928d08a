"""Lesson files in the window: saved, the window closed, a new one opened: every item comes back.

Also: a damaged or hostile lesson changes nothing in the window and says why in its banner; a
.bplab dropped on the window opens; data the machine lacks is asked about first.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from test_lesson_io import HOSTILE, make_lesson, with_json
from windows import open_window, train_batches

from engine.core.training import TrainConfig
from engine.data.lesson_io import lesson_members, save_lesson
from gui.guide import STOPS
from gui.lesson import capture


def wait_lesson(qtbot, window) -> None:
    """Wait until the lesson being opened is fully restored."""
    qtbot.waitUntil(lambda: not window.lessons.busy(), timeout=20000)


def trained_window(qtbot, path):
    """Open a window and give every part of a lesson something to show."""
    w = open_window(qtbot, path)
    w.controls.seed.setValue(5)
    w.controls.seed.editingFinished.emit()
    qtbot.waitUntil(lambda: w.session.seed == 5)
    train_batches(qtbot, w, 40)
    w.feed.refresh()
    first = w.runs.keep_current()
    train_batches(qtbot, w, 20)
    w.feed.refresh()
    second = w.runs.keep_current()
    w.runs.panel.set_shown(first, False)
    w.runs.panel.select_run(second)
    w.controls.learning_rate.setValue(1.5)  # as the learner types them
    w.controls.batch_size.setValue(12)
    w.controls.momentum.setValue(0.25)
    qtbot.waitUntil(lambda: w.session.train == TrainConfig(1.5, 12, 0.25))
    w.digit_panel.load_test_digit(17)
    w.digit_panel.select_label(3)  # not the digit's own label: a teacher's chosen one
    w.play_step_action.trigger()
    qtbot.waitUntil(lambda: w.step_player.is_active(), timeout=20000)
    w.step_player.pause()
    w.step_player.set_focus(4)
    w.step_player.seek(3.5)
    w.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: w.explorer.state is not None and not w.explore.waiting, timeout=20000)
    qtbot.waitUntil(lambda: w.explorer.snapshot is w.worker.latest_snapshot(), timeout=20000)
    w.explorer.set_step(7)
    w.explorer.select_neuron(2, 5)
    w.explorer.select_neuron(3, 2)
    w.explorer.select_parameter(1, 4, 9)
    w.network_view.set_edge_mode("hebbian")
    w.network_view.set_scale_mode(False)
    w.network_view.set_emphasis(3.0)
    w.guide.set_stop(6, True)
    return w


def test_a_saved_lesson_comes_back_item_by_item(qtbot, tmp_path) -> None:
    a = trained_window(qtbot, tmp_path / "a.ini")
    path = tmp_path / "class.bplab"
    seen, left_out = capture(a.lab, a.lessons.views)
    assert left_out == []
    snap = a.worker.latest_snapshot()
    shown = {
        "tab": a.tabs.currentIndex(),
        "history": a.record.history.to_arrays(),
        "runs": [(r.name, on) for r, on in a.runs.kept_runs()],
        "selected run": a.runs.selected_run().name,
        "pad input": a.digit_panel.network_input(),
        "guess": a.digit_panel.outputs(),
        "explorer text": a.explorer.equations_text(),
        "caption": a.step_player.caption(),
    }
    assert a.lessons.save_to(path)
    a.close()

    b = open_window(qtbot, tmp_path / "b.ini")
    assert b.lessons.open_path(path), b.banner.last_message()
    wait_lesson(qtbot, b)
    now = b.worker.latest_snapshot()
    for k, (w_a, w_b) in enumerate(zip(snap.weights, now.weights, strict=True)):
        np.testing.assert_array_equal(w_b, w_a, err_msg=f"network: weights of layer {k + 1}")
    for k, (b_a, b_b) in enumerate(zip(snap.biases, now.biases, strict=True)):
        np.testing.assert_array_equal(b_b, b_a, err_msg=f"network: biases of layer {k + 1}")
    assert now.examples_seen == snap.examples_seen, "network: examples seen"
    history = b.record.history.to_arrays()
    for name, column in shown["history"].items():
        np.testing.assert_array_equal(history[name], column, err_msg=f"history: {name}")
    assert b.cost_plot.point_count() > 0, "history: the cost curve is drawn"
    assert b.session.train == TrainConfig(1.5, 12, 0.25), "hyper-parameters: the session's"
    typed = (b.controls.learning_rate.value(), b.controls.batch_size.value())
    assert typed + (b.controls.momentum.value(),) == (1.5, 12, 0.25), "hyper-parameters: shown"
    assert b.worker.train_config == TrainConfig(1.5, 12, 0.25), "hyper-parameters: in use"
    assert b.controls.seed.value() == b.session.seed == 5, "hyper-parameters: the seed"
    assert b.data.source == "sample", "data choice"
    assert b.tabs.currentIndex() == shown["tab"] == 1, "tab"
    assert not b.explore.waiting, "explorer: not waiting for another network"
    view = b.explorer.view()
    assert view.step == 7, "explorer: step"
    np.testing.assert_array_equal(view.image, seen.explorer.image, err_msg="explorer: example")
    assert view.label == seen.explorer.label, "explorer: example's label"
    for field in ("target", "hidden", "formula", "param", "back_to", "revealed"):
        assert getattr(view, field) == getattr(seen.explorer, field), f"explorer: {field}"
    assert b.explorer.equations_text() == shown["explorer text"], "explorer: its equations"
    assert b.network_view.edge_mode() == "hebbian", "diagram: edge mode"
    assert b.network_view.per_layer_scale() is False, "diagram: scale"
    assert b.network_view.emphasis() == 3.0, "diagram: emphasis"
    drawn = b.network_view.snapshot()
    for name in ("grad_w", "step_w"):
        for k, (v_a, v_b) in enumerate(zip(getattr(snap, name), getattr(drawn, name))):
            np.testing.assert_array_equal(v_b, v_a, err_msg=f"diagram: {name} of layer {k + 1}")
    np.testing.assert_array_equal(b.digit_panel.drawing(), seen.drawing, err_msg="pad: drawing")
    np.testing.assert_allclose(
        b.digit_panel.network_input(), shown["pad input"], atol=1e-6, err_msg="pad: input"
    )
    np.testing.assert_allclose(b.digit_panel.outputs(), shown["guess"], err_msg="pad: guess")
    assert b.digit_panel.selected_label() == 3, "pad: label"
    assert (b.guide.current_stop(), b.guide.is_open()) == (6, True), "guide: stop"
    player = b.step_player
    assert player.is_active() and not player.is_playing(), "step player: shown, paused"
    assert player.position == pytest.approx(3.5), "step player: position"
    assert player.focus() == 4, "step player: example in full"
    np.testing.assert_array_equal(player.story.indices, seen.player.story.indices)
    assert player.caption() == shown["caption"], "step player: caption"
    assert [(r.name, on) for r, on in b.runs.kept_runs()] == shown["runs"], "kept runs, shown"
    assert b.runs.selected_run().name == shown["selected run"], "Compare: selected run"
    for (r_b, _), kept in zip(b.runs.kept_runs(), seen.runs, strict=True):
        for key, values in kept.run.curves.items():
            np.testing.assert_array_equal(r_b.curves[key], values, err_msg=f"{r_b.name}: {key}")
    assert not b.banner.isVisible() or "gradient" not in b.banner.message()
    assert "Opened the lesson class.bplab" in b.statusBar().currentMessage()
    b.close()


def state_of(window) -> tuple:
    """Return what the learner sees, to compare before and after a refused lesson."""
    snap = window.worker.latest_snapshot()
    digest = hashlib.sha256(b"".join(w.tobytes() for w in snap.weights)).hexdigest()
    drawing = window.digit_panel.drawing()
    view = window.explorer.view()
    return (
        digest,
        len(window.record.history),
        window.session,
        window.data.source,
        window.tabs.currentIndex(),
        window.network_view.edge_mode(),
        window.network_view.per_layer_scale(),
        window.network_view.emphasis(),
        None if drawing is None else drawing.tobytes(),
        window.digit_panel.selected_label(),
        window.guide.current_stop(),
        window.guide.is_open(),
        None if view is None else (view.step, view.target, view.param),
        window.step_player.is_active(),
        [(r.name, on) for r, on in window.runs.kept_runs()],
    )


@pytest.fixture(scope="module")
def shared_window(qapp, tmp_path_factory):
    """One trained window for every hostile file (opening 37 windows would take minutes)."""
    from PySide6.QtCore import QSettings

    from gui.window.main_window import MainWindow

    path = tmp_path_factory.mktemp("hostile") / "s.ini"
    w = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    w.confirm = lambda title, text: True
    w.show()
    deadline = time.monotonic() + 30
    while w.worker.latest_snapshot() is None or w.data is None:
        assert time.monotonic() < deadline, "the window's data did not load"
        qapp.processEvents()
    w.digit_panel.load_test_digit(3)
    w.network_view.set_edge_mode("gradient")
    yield w
    w.close()


@pytest.fixture(scope="module")
def good_members():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 300).astype(np.uint8)
    images = (rng.random((300, 28, 28)) * 255).astype(np.uint8)
    return lesson_members(make_lesson(images, labels))


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_lesson_changes_nothing_in_the_window(
    shared_window, good_members, tmp_path, case
) -> None:
    w = shared_window
    make, expected = HOSTILE[case]
    path = tmp_path / "hostile.bplab"
    path.write_bytes(make(good_members))
    before = state_of(w)
    assert not w.lessons.open_path(path)
    assert expected in w.banner.message(), case
    assert "\n" not in w.banner.message()
    QApplication.processEvents()
    assert not w.lessons.busy()
    assert state_of(w) == before


def test_a_guide_stop_this_version_lacks_is_refused(shared_window, good_members, tmp_path):
    path = tmp_path / "future.bplab"
    path.write_bytes(with_json(good_members, lambda d: d["guide"].update(stop=len(STOPS))))
    before = state_of(shared_window)
    assert not shared_window.lessons.open_path(path)
    assert f"this version's guide has {len(STOPS)} stops" in shared_window.banner.message()
    assert state_of(shared_window) == before


def drop(window, path) -> QDropEvent:
    """Drag ``path`` onto the window and drop it there, as a file manager does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted(), "the window takes a .bplab"
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, event)
    return event


def test_a_dropped_lesson_opens(qtbot, window, tmp_path) -> None:
    lesson, _ = capture(window.lab, window.lessons.views)
    path = tmp_path / "dropped.bplab"
    save_lesson(path, replace(lesson, tab="compare", edge_mode="update", guide_stop=2))
    event = drop(window, path)
    assert event.isAccepted()
    wait_lesson(qtbot, window)
    assert window.tabs.currentWidget() is window.runs.panel
    assert window.network_view.edge_mode() == "update"
    assert window.guide.current_stop() == 2


def test_a_dropped_other_file_is_not_taken(window, tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_missing_data_is_asked_about_and_the_sample_is_used(qtbot, window, tmp_path) -> None:
    lesson, _ = capture(window.lab, window.lessons.views)
    path = tmp_path / "full.bplab"
    save_lesson(path, replace(lesson, data=str(tmp_path / "gone"), edge_mode="update"))
    asked = []
    window.lessons.ask_missing_data = lambda source: asked.append(source) or None
    before = state_of(window)
    assert not window.lessons.open_path(path)  # Cancel: nothing changes
    assert asked == [str(tmp_path / "gone")]
    assert state_of(window) == before
    window.lessons.ask_missing_data = lambda source: "sample"
    assert window.lessons.open_path(path)
    wait_lesson(qtbot, window)
    message = window.banner.message()
    assert f"its data, the folder {tmp_path / 'gone'}, which this machine does not have" in message
    assert "it trains on the bundled sample instead" in message
    assert window.network_view.edge_mode() == "update"


def test_the_menu_offers_the_lesson_actions(window) -> None:
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    texts = [a.text() for a in file_menu.actions()]
    assert "Open lesson…" in texts and "Save lesson…" in texts
    saved = []
    window.lessons.ask_save_path = lambda start: saved.append(start) or ""
    window.lessons.save_action.trigger()
    assert saved and saved[0].endswith(".bplab")


def test_a_lesson_on_other_data_switches_the_data_first(qtbot, window, tmp_path) -> None:
    from engine.data.idx import write_idx

    folder = tmp_path / "digits"
    folder.mkdir()
    train, test = window.data.train, window.data.test
    write_idx(folder / "train-images-idx3-ubyte", train.images[:600])
    write_idx(folder / "train-labels-idx1-ubyte", train.labels[:600])
    write_idx(folder / "t10k-images-idx3-ubyte", test.images[:100])
    write_idx(folder / "t10k-labels-idx1-ubyte", test.labels[:100])
    train_batches(qtbot, window, 15)
    lesson, _ = capture(window.lab, window.lessons.views)
    path = tmp_path / "folder.bplab"
    save_lesson(path, replace(lesson, data=str(folder), tab="insight"))
    weights = window.worker.latest_snapshot().weights
    window.reset(ask=False)
    assert window.lessons.open_path(path)
    wait_lesson(qtbot, window)
    assert window.data.source == str(folder) and len(window.data.train) == 600, "data choice"
    for k, (w_a, w_b) in enumerate(zip(weights, window.worker.latest_snapshot().weights)):
        np.testing.assert_array_equal(w_b, w_a, err_msg=f"network: layer {k + 1}")
    assert len(window.record.history) == len(lesson.model.history["batch_cost"]), "history"
    assert window.tabs.currentIndex() == 2, "tab"
    assert not window.banner.isVisible()


def test_a_large_lesson_is_written_and_read_off_the_gui_thread(
    qtbot, window, tmp_path, monkeypatch
) -> None:
    import threading

    from engine.data import lesson_io
    from gui.lesson import waiting

    monkeypatch.setattr(waiting, "LARGE", -1)  # every lesson counts as large
    threads = []
    real_save, real_load = lesson_io.save_lesson, lesson_io.load_lesson
    files = __import__("gui.lesson.files", fromlist=["files"])
    monkeypatch.setattr(
        files, "save_lesson", lambda *a: threads.append(threading.current_thread()) or real_save(*a)
    )
    monkeypatch.setattr(
        files, "load_lesson", lambda *a: threads.append(threading.current_thread()) or real_load(*a)
    )
    window.network_view.set_edge_mode("update")
    path = tmp_path / "big.bplab"
    assert window.lessons.save_to(path)
    window.network_view.set_edge_mode("weight")
    assert window.lessons.open_path(path)
    wait_lesson(qtbot, window)
    assert window.network_view.edge_mode() == "update"
    assert len(threads) == 2 and threading.main_thread() not in threads
    path.write_bytes(path.read_bytes()[:-100])  # truncated: the thread's error is shown
    assert not window.lessons.open_path(path)
    assert "damaged or truncated" in window.banner.message()
