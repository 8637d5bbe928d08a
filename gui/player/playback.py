"""Play one step in the window: the player over the diagram, its bar, action and menu entries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from engine.session.snapshot import predict, trace_example
from engine.session.worker import FAILED, RUNNING
from gui.actions import add_action

if TYPE_CHECKING:
    from gui.window import MainWindow


class StepPlayback(QObject):
    """Take the next real mini-batch step on request and animate its story on the diagram."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)  # a QObject in the GUI thread: the worker's signals are queued
        self.window = window
        self.requested = False  # a step was asked for and its story has not come back yet

    def build(self) -> None:
        """Play one step: the player over the diagram, its bar, action, menu entries and wiring."""
        from gui.player.controls import StepPlayerControls
        from gui.player.player import StepPlayer

        self.window.step_player = StepPlayer(self.window.network_view, self.window)
        self.window.step_player_controls = StepPlayerControls(self.window.step_player)
        self.requested = False
        # Right under the diagram, above the cost plot: showing it leaves the diagram's size.
        lower = self.window.middle.widget(self.window.middle.indexOf(self.window.network_view) + 1)
        lower.layout().insertWidget(0, self.window.step_player_controls)
        self.window.play_step_action = add_action(
            self.window,
            "Play one step",
            self.play,
            "P",
            "Animate the next real mini-batch step on this network: forward, cost, backward, "
            "the mini-batch's sum and average, the update. Press again to pause.",
        )
        toolbar = self.window.network_view.toolbar()
        toolbar.addSeparator()
        toolbar.addAction(self.window.play_step_action)
        train_menu = next(
            a.menu()
            for a in self.window.menuBar().actions()
            if a.text().replace("&", "") == "Train"
        )
        train_menu.insertAction(self.window.epoch_action, self.window.play_step_action)
        self.window.export_menu.addSeparator()
        bar = self.window.step_player_controls
        self.window.export_menu.addAction(bar.export_gif_action)
        self.window.export_menu.addAction(bar.export_mp4_action)
        bar.export_gif_action.setText("Step animation as GIF\u2026")
        bar.export_mp4_action.setText("Step animation as MP4\u2026")
        bar.exported.connect(
            lambda path, frames: self.window.statusBar().showMessage(
                f"Exported the step animation ({frames} frames) to {path}", 8000
            )
        )
        self.window.worker.step_played.connect(self.on_step_played)
        self.window.worker.state_changed.connect(self.on_state_for_player)
        # Bound methods of this QObject, never lambdas: a lambda would run in the worker's thread.
        self.window.worker.network_reset.connect(self.on_network_changed)
        self.window.worker.taught.connect(self.on_network_changed)
        self.window.timeline.snapshot_chosen.connect(lambda _index: self.window.step_player.close())
        # After the window's own slots, which have traced the new drawing on the live network.
        self.window.digit_panel.input_changed.connect(self.on_pad_changed)
        self.window.digit_panel.label_group.idToggled.connect(self.on_pad_changed)

    def on_network_changed(self, _what: object) -> None:
        """A new network or a Teach step: the step being told is no longer this network's."""
        self.window.step_player.close()

    def on_pad_changed(self, *_what: object) -> None:
        """The learner drew or labelled a digit: close the step, so the diagram shows it."""
        if self.window.step_player.is_active():
            self.window.step_player.close()
            self.window.statusBar().showMessage(
                "Play one step closed: the diagram shows your digit on the network after the step.",
                6000,
            )

    def play(self) -> None:
        """Take the next mini-batch step and animate it; while one plays, pause or resume it."""
        if self.window.step_player.is_active():
            self.window.step_player.toggle()
            return
        if self.window.worker.latest_snapshot() is None or self.window.record.state == FAILED:
            self.window.statusBar().showMessage("There is no trainable network to step.", 5000)
            return
        if self.window.record.scrubbed is not None:  # step from the moment shown: a new branch
            self.window.feed.resume_from(self.window.record.scrubbed)
            self.window.timeline.set_position(-1)
        self.window.tabs.setCurrentIndex(0)  # the diagram's tab
        before = self.window.network_view.render_image()
        self.window.network_view.set_frame_source(lambda p, _layout: p.drawImage(0, 0, before))
        self.requested = True
        self.window.run_goal.end()  # a run toward its epoch goal must not carry on after the step
        self.window.worker.play_step()

    def on_step_played(self, story) -> None:
        """The worker took the step: play its story on the diagram (None: it could not)."""
        self.requested = False
        if story is None:
            self.window.network_view.set_frame_source(None)
            self.window.statusBar().showMessage(
                "The step could not be taken: training has failed.", 6000
            )
            return
        self.window.record.unsaved = True
        drawing = self.window.digit_panel.network_input()
        traces = (None, None)
        if drawing is not None:  # the diagram shows the drawn digit before and after the step
            label = self.window.digit_panel.selected_label()
            traces = tuple(
                trace_example(
                    s, drawing, int(predict(s, drawing).argmax()) if label is None else label
                )
                for s in (story.before, story.after)
            )
        self.window.step_player.start(story, hold_traces=traces)

    def on_state_for_player(self, state: str) -> None:
        """Training again, or failed: the animation gives the diagram back to the live network."""
        if state == FAILED or (state == RUNNING and not self.requested):
            self.requested = False
            self.window.step_player.close()
            self.window.network_view.set_frame_source(None)
