"""The recovery offer's trials run off the GUI thread: the banner speaks at once, the window
stays live while the trials run, and an answer that comes after Dismiss or a newer failure is
dropped, never shown over what the learner now sees."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from windows import shown_text

from engine.session import diagnosis


@pytest.fixture
def slow_trials(monkeypatch):
    """Trials that wait for the test's word, then answer as the real ones do."""
    release = threading.Event()
    real = diagnosis.suggest_fix

    def slow(*args, **kwargs):
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(diagnosis, "suggest_fix", slow)
    yield release
    release.set()


def test_the_banner_speaks_at_once_and_the_window_stays_live(qtbot, window, slow_trials) -> None:
    ticks: list[float] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    started = time.perf_counter()
    window.recovery.offer("Training diverged.")
    # The trials wait 30 s for the test's word: run here, offer() would take that long. A busy
    # machine may take seconds to show the banner; the bound is far from both.
    assert time.perf_counter() - started < 10  # the trials are not run here
    assert window.banner.message().startswith("Training diverged. Looking for settings")
    assert window.banner.reset_button.isVisible() and not window.banner.lower_button.isVisible()
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=10000)  # timers run while trials wait
    assert window.recovery.searching()
    slow_trials.set()
    qtbot.waitUntil(lambda: not window.recovery.searching(), timeout=30000)
    remedy = window.recovery.remedy
    if remedy is None:  # nothing learned: the message stands alone, no offer
        assert window.banner.message() == "Training diverged."
    else:
        assert window.banner.lower_button.isVisible()
        assert shown_text(window.banner.lower_button).startswith("Reset with ")
        assert "a trial of" in window.banner.message()
    timer.stop()


def test_an_answer_after_dismiss_or_a_newer_failure_is_dropped(qtbot, window, slow_trials) -> None:
    window.recovery.offer("First failure.")
    qtbot.mouseClick(window.banner.close_button, Qt.MouseButton.LeftButton)
    assert not window.banner.isVisible()
    slow_trials.set()
    qtbot.waitUntil(lambda: not window.recovery.searching(), timeout=30000)
    assert not window.banner.isVisible() and window.recovery.remedy is None
    slow_trials.clear()
    window.recovery.offer("Second failure.")
    window.recovery.offer("Third failure.")  # the second's trials are dropped
    slow_trials.set()
    qtbot.waitUntil(lambda: not window.recovery.searching(), timeout=30000)
    assert window.banner.message().startswith("Third failure.")
    assert "Second failure." not in window.banner.message()
