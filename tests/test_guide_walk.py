"""The first minute as a newcomer lives it: launch, press only what the guide highlights, and
arrive at the animation within ten seconds and, stop by stop, at explorer step 12."""

from __future__ import annotations

import time

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QWidget

from gui.guide import stops as gs
from gui.guide.panel import HIGHLIGHT
from gui.settings import LAUNCHED_KEY
from gui.window.main_window import MainWindow

ANIMATION_SECONDS = 10  # from launch to the step playing, pressing the one highlighted button


def highlighted(window: MainWindow) -> QWidget | None:
    """Return the one control the highlighting marks (found by its property), or None."""
    found = [w for w in window.findChildren(QWidget) if w.property(HIGHLIGHT) is True]
    assert len(found) <= 1, [w.objectName() or w.text() for w in found]
    return found[0] if found else None


def press(qtbot, widget: QWidget) -> None:
    """Press a control as a learner does: click a button, pick an answer from a list."""
    if isinstance(widget, QComboBox):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Down)  # the first answer: the walk is not a quiz
        assert widget.currentIndex() == 0
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_fresh(qtbot, path) -> MainWindow:
    window = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    window.confirm = lambda title, text: True
    qtbot.addWidget(window)
    return window


def test_a_newcomer_pressing_only_the_highlighted_control_reaches_step_12(qtbot, tmp_path) -> None:
    path = tmp_path / "s.ini"
    launched = time.process_time()  # the app's own CPU seconds: other processes do not count
    window = open_fresh(qtbot, path)
    window.explorer.data_amount_page.examples_seen = 2000  # step 12's networks train briefly
    window.resize(1366, 768)
    window.show()
    panel = window.guide.panel
    assert window.guide.dock.isVisible() and panel.index == 0  # the lesson starts itself
    start = highlighted(window)
    assert start is panel.start_button and "Start here" in start.text()
    qtbot.waitUntil(start.isEnabled, timeout=ANIMATION_SECONDS * 1000)
    press(qtbot, start)
    qtbot.waitUntil(window.step_player.is_playing, timeout=ANIMATION_SECONDS * 1000)
    assert time.process_time() - launched < ANIMATION_SECONDS  # about 2 s of wall time idle
    story = window.step_player.story
    assert window.tabs.currentIndex() == 0 and window.step_player_controls.isVisible()
    assert story.after is not None and story.before.examples_seen == 0  # the live network's step
    assert len(story.labels) == window.session.train.batch_size

    revealed: dict[int, str] = {}
    for _ in range(10 * len(gs.STOPS)):
        if panel.index == len(gs.STOPS) - 1 and panel.index in revealed:
            break
        qtbot.waitUntil(
            lambda: (h := highlighted(window)) is not None and h.isEnabled(), timeout=60000
        )
        target, index = highlighted(window), panel.index
        if target is panel.next_button:  # the sentence still agrees with the numbers shown
            shown = window.guide.answer(index).verdict(panel.choice.currentIndex())
            assert panel.answer.text() == shown, (index, panel.answer.text(), shown)
        press(qtbot, target)
        if target is panel.reveal_button:
            revealed[index] = panel.answer.text()
        if target is panel.show_button and gs.STOPS[index].view.tab == "explorer":
            live = window.worker.latest_snapshot()  # the explorer shows the live network
            qtbot.waitUntil(lambda s=live: window.explorer.snapshot is s, timeout=5000)
        if target is panel.next_button:
            assert index in revealed and panel.index == index + 1
    assert sorted(revealed) == list(range(len(gs.STOPS)))
    for text in revealed.values():
        assert text.startswith(("Right. ", "Not this time. ")), text
    assert highlighted(window) is None  # the path is walked
    assert window.tabs.currentIndex() == 1 and window.explorer.step() == 12
    qtbot.waitUntil(lambda: window.guide.done == set(gs.BY_KEY), timeout=10000)
    window.guide.dock.close()
    window.close()

    assert QSettings(str(path), QSettings.Format.IniFormat).value(LAUNCHED_KEY) is not None
    second = open_fresh(qtbot, path)
    second.show()
    assert not second.guide.dock.isVisible()  # never forced again
    assert second.guide.panel.index == len(gs.STOPS) - 1  # where the learner left
    second.close()
