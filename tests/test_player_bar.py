"""The step player's bar and the buttons around it: painted icons, Esc, and the pad while it plays.

A button's symbol is a painted icon, never a Unicode glyph a font may lack (the pause sign was an
empty box); Esc closes the player; a digit drawn while a step plays reaches the diagram.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QFontMetrics, QIcon, QImage, QMouseEvent
from PySide6.QtWidgets import QAbstractButton, QApplication


def play(qtbot, window):
    """Press Play one step and return the player once its story is on the diagram."""
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    return window.step_player


def portable(ch: str) -> bool:
    """Return True for a character every text font has: Latin, Greek, punctuation, maths."""
    cp = ord(ch)
    return cp < 0x250 or 0x370 <= cp < 0x400 or 0x2000 <= cp < 0x20D0 or 0x2200 <= cp < 0x2300


def icon_alpha(icon: QIcon, size: int = 16) -> np.ndarray:
    """Return the (size, size) alpha channel of an icon painted at ``size`` pixels."""
    image = icon.pixmap(size, size).toImage().convertToFormat(QImage.Format.Format_ARGB32)
    return np.array(
        [[image.pixelColor(x, y).alpha() for x in range(size)] for y in range(size)], float
    )


def test_every_buttons_symbol_is_painted_not_a_font_glyph(qtbot, window) -> None:
    player = play(qtbot, window)
    assert player.is_playing()  # the bar shows Pause, the glyph that was an empty box
    window.guide.show()
    buttons = window.findChildren(QAbstractButton)
    assert len(buttons) > 50
    for button in buttons:
        text = button.text().replace("&", "")
        odd = [c for c in text if not portable(c)]
        assert not odd, f"{text!r} draws {odd} from a font: paint an icon instead"
        metrics = QFontMetrics(button.font())
        missing = [c for c in text if not c.isspace() and not metrics.inFontUcs4(ord(c))]
        assert not missing, f"{text!r}: no font here has {missing}"
    bar = window.step_player_controls
    for button in (bar.back_button, bar.play_button, bar.next_button, bar.close_button):
        assert icon_alpha(button.icon()).sum() > 0, button.text()  # a visible painted symbol
    assert bar.export_button.text() == "Export" and bar.export_button.menu() is not None


def test_the_play_button_shows_pause_while_playing_and_play_when_paused(qtbot, window) -> None:
    player = play(qtbot, window)
    bar = window.step_player_controls
    assert player.is_playing() and bar.play_button.text() == "Pause"
    alpha = icon_alpha(bar.play_button.icon())
    assert alpha[8, 8] == 0 and alpha[8, 5] > 0 and alpha[8, 10] > 0  # two bars, a gap between
    player.pause()
    assert bar.play_button.text() == "Play"
    alpha = icon_alpha(bar.play_button.icon())
    assert alpha[8, 8] > 0 and alpha[2, 8] == 0  # a triangle: solid in the middle, not at the top


@pytest.mark.parametrize("focus", ["window", "slider", "example"])
def test_esc_closes_the_player_wherever_the_focus_is(qtbot, window, focus) -> None:
    player = play(qtbot, window)
    bar = window.step_player_controls
    target = {"window": window, "slider": bar.slider, "example": bar.example_box}[focus]
    target.setFocus()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not player.is_active())
    assert window.network_view.frame_source() is None and not bar.isVisible()


def stroke(pad, points: list[tuple[float, float]]) -> None:
    """Draw one stroke on the pad through the points, in the pad's own mouse events."""
    button, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    events = [(QEvent.Type.MouseButtonPress, points[0], button, button)]
    events += [(QEvent.Type.MouseMove, p, none, button) for p in points[1:]]
    events.append((QEvent.Type.MouseButtonRelease, points[-1], button, none))
    for kind, (x, y), which, held in events:
        pos = QPointF(x * pad.width(), y * pad.height())
        event = QMouseEvent(
            kind, pos, pad.mapToGlobal(pos), which, held, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(pad, event)


def test_a_digit_drawn_while_a_step_plays_reaches_the_diagram(qtbot, window) -> None:
    player = play(qtbot, window)
    player.pause()
    window.pad_dock.show()
    pad = window.digit_panel.pad
    stroke(pad, [(0.5, 0.2), (0.5, 0.4), (0.5, 0.6), (0.5, 0.8)])  # a 1
    qtbot.waitUntil(lambda: window.digit_panel.network_input() is not None, timeout=5000)
    qtbot.waitUntil(lambda: not player.is_active())
    drawing = window.digit_panel.network_input()
    shown = window.network_view.shown_trace()
    np.testing.assert_array_equal(shown.image, drawing)  # the diagram traces the drawing
    assert window.network_view.frame_source() is None
    assert shown.activations[0].shape[0] == drawing.size
    assert "your digit" in window.statusBar().currentMessage()
    # Labelling it (Teach it's digit buttons) while a new step plays also reaches the diagram.
    player = play(qtbot, window)
    window.digit_panel.select_label(1)
    qtbot.waitUntil(lambda: not player.is_active())
    assert window.network_view.shown_trace().label == 1


def test_esc_on_the_focused_pad_clears_it_and_the_cleared_pad_reaches_the_diagram(
    qtbot, window
) -> None:
    window.pad_dock.show()
    window.digit_panel.load_test_digit(3)
    player = play(qtbot, window)
    pad = window.digit_panel.pad
    pad.setFocus()
    qtbot.waitUntil(pad.hasFocus)
    qtbot.keyClick(pad, Qt.Key.Key_Escape)  # the pad keeps its own key: it clears
    qtbot.waitUntil(lambda: window.digit_panel.network_input() is None, timeout=5000)
    qtbot.waitUntil(lambda: not player.is_active())  # and the diagram shows the live network
    assert window.network_view.frame_source() is None
