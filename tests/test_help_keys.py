"""Help names every key the window answers to, derived from the window itself, and its getting
started covers every feature a learner meets first."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from windows import open_window

from gui.window.help_dialog import UNDESCRIBED, HelpDialog

NATIVE = QKeySequence.SequenceFormat.NativeText


def window_keys(window) -> dict[str, str]:
    """Return every shortcut of the window's actions and QShortcuts, with whose it is."""
    keys = {}
    for action in window.findChildren(QAction):
        if not action.shortcut().isEmpty():
            keys[action.shortcut().toString(NATIVE)] = action.text() or action.parent().objectName()
    for shortcut in window.findChildren(QShortcut):
        keys[shortcut.key().toString(NATIVE)] = shortcut.objectName()
    return keys


def rows(page_text: str) -> dict[str, str]:
    """Return the keyboard table's rows as the learner reads them: a key's cell, then its words."""
    lines = page_text.split("\n")
    cells = lines[1 : lines.index("")]  # after the heading, up to the notes
    return dict(zip(cells[::2], cells[1::2]))


def test_help_names_every_shortcut_and_every_feature(qtbot, tmp_path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    dialog = window.dialogs.show_help(1)
    table = rows(dialog.pages[1].toPlainText())
    keys = window_keys(window)
    assert {"P", ",", ".", "Shift+F1", "F1", "Space", "Right", "Ctrl+E"} <= set(keys)
    for key in keys:
        assert key in table, f"Help does not name {key} ({keys[key]})"
        assert table[key] and table[key] != UNDESCRIBED, key
    assert table["P"] == "Play one step" and table["Shift+F1"] == "Follow the video"
    assert "beat" in table[","] and "beat" in table["."]
    notes = dialog.pages[1].toPlainText()
    assert "Esc closes a neuron's panel" in notes and "Left and Right" in notes
    guide = dialog.pages[0].toPlainText()
    for words in (
        "Start here: play one step", "Play one step (P", ", and . go back and on by one beat",
        "Follow the video", "Shift+F1", "Step 10: steepest descent", "Step 11: the drunk man",
        "Step 12: lots of labelled data", "Compare runs", "\u00bd\u03a3(a \u2212 y)2",
    ):  # fmt: skip
        assert words in guide, words
    dialog.close()
    window.close()


def test_a_new_shortcut_reaches_help_by_itself_and_an_undescribed_one_shows(qtbot, tmp_path):
    window = open_window(qtbot, tmp_path / "s.ini")
    zap = QAction("Zap the weights", window)
    zap.setShortcut(QKeySequence("Ctrl+Alt+J"))
    window.addAction(zap)
    mute = QAction(window)
    mute.setShortcut(QKeySequence("Ctrl+Alt+K"))
    dialog = HelpDialog(window.dialogs.help_actions(), window)
    table = rows(dialog.pages[1].toPlainText())
    assert table["Ctrl+Alt+J"] == "Zap the weights"
    assert table["Ctrl+Alt+K"] == UNDESCRIBED  # what the test above refuses
    dialog.close()
    window.close()
