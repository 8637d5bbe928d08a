"""Preferences: the theme, the training speed, and how often the timeline keeps a snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from engine import limits
from engine.session.replay import DEFAULT_BUDGET
from gui.settings import SPEEDS, WATCHABLE, reader
from gui.settings_reader import SettingsReader
from gui.training import SPEED_LABELS


@dataclass(frozen=True)
class Preferences:
    """What the preferences dialog sets."""

    theme: str = "system"  # the desktop's light or dark setting
    speed: float = WATCHABLE
    snapshot_interval: int = 100  # mini-batches between the timeline's kept snapshots


def load_preferences(
    settings: QSettings | SettingsReader, problems: list[str] | None = None
) -> Preferences:
    """Read the preferences; anything missing, foreign or out of range gives its default.

    ``problems`` collects a message for every stored value that was not used, and why.
    """
    stored = reader(settings)
    before = len(stored.problems)
    prefs = Preferences(
        theme=stored.value("prefs/theme"),
        speed=stored.value("run/speed"),
        snapshot_interval=stored.value("prefs/snapshot_interval"),
    )
    if problems is not None:
        problems.extend(stored.problems[before:])
    return prefs


def save_preferences(settings: QSettings | SettingsReader, prefs: Preferences) -> None:
    """Write the preferences."""
    settings.setValue("prefs/theme", prefs.theme)
    settings.setValue("run/speed", prefs.speed)
    settings.setValue("prefs/snapshot_interval", prefs.snapshot_interval)


class PreferencesDialog(QDialog):
    """Edits a Preferences value."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        form = QFormLayout(self)
        self.theme = QComboBox()
        for value, text in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            self.theme.addItem(text, value)
        self.theme.setCurrentIndex(self.theme.findData(prefs.theme))
        self.theme.setToolTip(
            "The colours of the window, the diagram and every chart. Follow the system matches "
            "the desktop's light or dark setting."
        )
        self.speed = QComboBox()
        for value in SPEEDS:
            self.speed.addItem(SPEED_LABELS[value], value)
        self.speed.setCurrentIndex(self.speed.findData(prefs.speed))
        self.speed.setToolTip("How fast Run trains: full speed, or slowly enough to watch.")
        self.interval = QSpinBox()
        self.interval.setRange(
            int(limits.SNAPSHOT_INTERVAL.low), int(limits.SNAPSHOT_INTERVAL.high)
        )
        self.interval.setValue(prefs.snapshot_interval)
        self.interval.setSuffix(" mini-batches")
        self.interval.setToolTip(
            "How often the timeline keeps a copy of every weight. Memory stays under "
            f"{DEFAULT_BUDGET // 2**20} MB whatever the run's length: older copies are thinned out."
        )
        form.addRow("Theme", self.theme)
        form.addRow("Training speed", self.speed)
        form.addRow("Keep a snapshot every", self.interval)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def preferences(self) -> Preferences:
        """Return the values chosen."""
        return Preferences(
            theme=self.theme.currentData(),
            speed=self.speed.currentData(),
            snapshot_interval=self.interval.value(),
        )
