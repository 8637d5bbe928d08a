"""The window's dialogs: help (getting started, keys, links), About, and Preferences."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from gui.lab import Lab
from gui.window.help_dialog import HelpDialog
from gui.window.preferences_dialog import (
    Preferences,
    PreferencesDialog,
    load_preferences,
    save_preferences,
)

ABOUT = """<h3>Backprop Lab</h3>
<p>Watch a real neural network learn handwritten digits by backpropagation and stochastic
gradient descent, one mini-batch at a time.</p>
<p>The MNIST database of handwritten digits is by Yann LeCun, Corinna Cortes and Christopher
J. C. Burges (CC BY-SA 3.0). The bundled sample is a class-balanced subset of it.</p>
<p>The seed network and its notation follow Michael Nielsen's <i>Neural Networks and Deep
Learning</i> and 3Blue1Brown's <i>What is backpropagation really doing?</i>.</p>"""


class WindowDialogs:
    """Open the help, About and Preferences dialogs over the window, and apply preferences.

    Built from the lab, the widget the dialogs open over, the window's shortcut actions (for the
    keys table) and how to save the network (the answer Save to "save it first?").
    """

    def __init__(
        self,
        lab: Lab,
        parent: QWidget,
        shortcuts: Callable[[], list[QAction]],
        save: Callable[[], bool],
    ) -> None:
        self.lab = lab
        self.parent = parent
        self.shortcuts = shortcuts
        self.save = save
        self.help_dialog: HelpDialog | None = None

    def show_preferences(self) -> None:
        """Edit the theme, the training speed and the snapshot interval."""
        dialog = PreferencesDialog(load_preferences(self.lab.stored), self.parent)
        if dialog.exec():
            self.apply_preferences(dialog.preferences())

    def apply_preferences(self, prefs: Preferences) -> None:
        """Use and remember the preferences."""
        from PySide6.QtWidgets import QApplication

        from gui.theme import apply_theme

        save_preferences(self.lab.stored, prefs)
        apply_theme(QApplication.instance(), prefs.theme, prefs.colours, prefs.sign_marks)
        self.lab.choose(speed=prefs.speed)
        self.lab.worker.set_keep_interval(prefs.snapshot_interval)

    def show_about(self) -> None:
        """Show what the app is and whose work it builds on."""
        QMessageBox.about(self.parent, "About Backprop Lab", ABOUT)

    def help_actions(self) -> list[QAction]:
        """Return the actions the keyboard table lists: every one with a shortcut."""
        return self.shortcuts()

    def show_help(self, page: int = 0) -> HelpDialog:
        """Open the help on ``page``: 0 getting started, 1 keyboard shortcuts, 2 links."""
        dialog = self.help_dialog
        if dialog is None:
            dialog = self.help_dialog = HelpDialog(self.help_actions(), self.parent)
        dialog.show_page(page)
        dialog.show()
        return dialog

    def ask_to_save_first(self, title: str, text: str) -> bool:
        """Ask before trained work is lost, offering to save it first; True means go on."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.parent)
        box.setInformativeText("It has trained since it was last saved. Save it first?")
        b = QMessageBox.StandardButton
        box.setStandardButtons(b.Save | b.Discard | b.Cancel)
        box.setDefaultButton(b.Save)
        answer = box.exec()
        if answer == b.Save:
            return self.save()
        return answer == b.Discard

    def ask_yes_no(self, title: str, text: str) -> bool:
        """Ask a yes/no question."""
        answer = QMessageBox.question(self.parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def ask_save_on_quit(self) -> bool:
        """Offer to save trained work before quitting; return False to stay open."""
        b = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self.parent,
            "Save the trained network?",
            "This network has trained since it was last saved. Save it before quitting?",
            b.Save | b.Discard | b.Cancel,
        )
        if answer == b.Save:
            return self.save()
        return answer == b.Discard
