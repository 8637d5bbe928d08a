"""The hand-off to the backprop explorer: pause training, then explore the exact network."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QTabWidget

from gui.explorer import ExplorerPanel
from gui.lab import Lab
from gui.pad import DigitPanel

EXPLORER_TAB = 1


class ExploreHandoff(QObject):
    """Give the explorer the latest snapshot once the worker has paused, or a chosen digit.

    Built from the lab and the widgets it drives: the tabs, the explorer and the pad.
    """

    def __init__(
        self, lab: Lab, tabs: QTabWidget, explorer: ExplorerPanel, digit_panel: DigitPanel
    ) -> None:
        super().__init__(lab)
        self.lab = lab
        self.tabs, self.explorer, self.digit_panel = tabs, explorer, digit_panel
        self.waiting = False  # the explorer tab is open and training is pausing for it
        lab.state_changed.connect(self.on_state_changed)
        tabs.currentChanged.connect(self.on_tab_changed)

    def on_digit_chosen(self, image, label: int) -> None:
        """A digit picked in the insight panel goes to the pad and the explorer."""
        self.digit_panel.pad.set_image(image)
        self.digit_panel.select_label(int(label))
        self.explorer.set_example(image, int(label))

    def explore_drawing(self) -> None:
        """Open the explorer on the drawn digit with the label chosen under Teach it."""
        drawing = self.digit_panel.network_input()
        if drawing is None:
            self.lab.say("Draw a digit on the pad first.", 5000)
            return
        label = self.digit_panel.selected_label()
        if label is None:  # the backward pass needs the right answer; never invent one
            self.lab.say(
                "Pick the digit it is under Teach it first: the backward pass starts from the "
                "right answer.",
                8000,
            )
            return
        self.tabs.setCurrentIndex(EXPLORER_TAB)
        self.explorer.set_example(drawing, label)

    def on_tab_changed(self, index: int) -> None:
        """Entering the explorer pauses training and explores the exact current network."""
        self.waiting = index == EXPLORER_TAB
        if not self.waiting:
            return
        self.lab.pause()
        if not self.lab.record.running:  # else the worker's "paused" brings the network
            QTimer.singleShot(0, self.load)

    def on_state_changed(self, state: object) -> None:
        """The worker paused (or failed) while the explorer waited for it: explore now."""
        if self.waiting and not self.lab.record.running:
            self.load()

    def load(self) -> None:
        """Give the explorer the latest snapshot (the worker is paused)."""
        self.waiting = False
        snapshot = self.lab.worker.latest_snapshot()
        if snapshot is None:
            return
        self.lab.refresh_views()
        data, explorer = self.lab.data, self.explorer
        if data is not None and explorer.property("data_source") != id(data):
            train, test = data.train, data.test  # the whole sets in use
            explorer.set_full_batch(train.images, train.labels)
            explorer.set_test_set(test.images, test.labels)
            explorer.setProperty("data_source", id(data))
        explorer.set_snapshot(snapshot)
