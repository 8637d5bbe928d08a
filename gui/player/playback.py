"""Play one step in the window: the player over the diagram, its bar and its action."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget

from engine.session.snapshot import predict, trace_example
from engine.session.worker import FAILED, RUNNING
from gui.actions import add_action
from gui.diagram import NetworkView
from gui.lab import Lab
from gui.pad import DigitPanel
from gui.player.controls import StepPlayerControls
from gui.player.player import StepPlayer
from gui.training import LIVE, Timeline


class StepPlayback(QObject):
    """Take the next real mini-batch step on request and animate its story on the diagram.

    Built from the lab and the widgets it drives: the diagram it plays over, the pad whose digit
    it traces, the timeline (a step from a past moment returns it to live) and the tabs. It
    makes the player, its bar (``controls``) and the Play one step ``action``; the window puts
    them in its layout, toolbar and menus.
    """

    def __init__(
        self,
        lab: Lab,
        network_view: NetworkView,
        digit_panel: DigitPanel,
        timeline: Timeline,
        tabs: QTabWidget,
    ) -> None:
        super().__init__(lab)  # a QObject in the GUI thread: the worker's signals are queued
        self.lab = lab
        self.network_view, self.digit_panel = network_view, digit_panel
        self.timeline, self.tabs = timeline, tabs
        self.requested = False  # a step was asked for and its story has not come back yet
        self.player = StepPlayer(network_view, self)
        self.controls = StepPlayerControls(self.player)
        self.action = add_action(
            self,
            "Play one step",
            self.play,
            "P",
            "Animate the next real mini-batch step on this network: forward, cost, backward, "
            "the mini-batch's sum and average, the update. Press again to pause.",
        )
        bar = self.controls
        bar.export_gif_action.setText("Step animation as GIF\u2026")
        bar.export_mp4_action.setText("Step animation as MP4\u2026")
        bar.exported.connect(
            lambda path, frames: lab.say(
                f"Exported the step animation ({frames} frames) to {path}", 8000
            )
        )
        worker = lab.worker
        worker.step_played.connect(self.on_step_played)
        worker.state_changed.connect(self.on_state_for_player)
        # Bound methods of this QObject, never lambdas: a lambda would run in the worker's thread.
        worker.network_reset.connect(self.on_network_changed)
        worker.taught.connect(self.on_network_changed)
        timeline.snapshot_chosen.connect(lambda _index: self.player.close())
        # After the live feed's slots, which have traced the new drawing on the live network.
        digit_panel.input_changed.connect(self.on_pad_changed)
        digit_panel.label_group.idToggled.connect(self.on_pad_changed)

    def on_network_changed(self, _what: object) -> None:
        """A new network or a Teach step: the step being told is no longer this network's."""
        self.player.close()

    def on_pad_changed(self, *_what: object) -> None:
        """The learner drew or labelled a digit: close the step, so the diagram shows it."""
        if self.player.is_active():
            self.player.close()
            self.lab.say(
                "Play one step closed: the diagram shows your digit on the network after the step.",
                6000,
            )

    def play(self) -> None:
        """Take the next mini-batch step and animate it; while one plays, pause or resume it."""
        if self.player.is_active():
            self.player.toggle()
            return
        lab = self.lab
        if lab.worker.latest_snapshot() is None or lab.record.state == FAILED:
            lab.say("There is no trainable network to step.", 5000)
            return
        if lab.record.scrubbed is not None:  # step from the moment shown: a new branch
            lab.resume_from(lab.record.scrubbed)
            self.timeline.set_position(LIVE)
        self.tabs.setCurrentIndex(0)  # the diagram's tab
        before = self.network_view.render_image()
        self.network_view.set_frame_source(lambda p, _layout: p.drawImage(0, 0, before))
        self.requested = True
        lab.step(lab.worker.play_step)  # a Run toward its goal must not carry on after the step

    def on_step_played(self, story) -> None:
        """The worker took the step: play its story on the diagram (None: it could not)."""
        self.requested = False
        if story is None:
            self.network_view.set_frame_source(None)
            self.lab.say("The step could not be taken: training has failed.", 6000)
            return
        self.lab.record.unsaved = True
        self.player.start(story, hold_traces=self._drawing_traces(story))

    def show_story(self, story, focus: int, position: float) -> None:
        """Show a step already taken (a lesson reopened), paused at ``position`` on ``focus``."""
        self.player.start(story, focus=focus, play=False, hold_traces=self._drawing_traces(story))
        self.player.seek(position)

    def _drawing_traces(self, story) -> tuple:
        """Return the drawn digit run through the network before and after the step, if any."""
        drawing = self.digit_panel.network_input()
        if drawing is None:
            return (None, None)
        label = self.digit_panel.selected_label()  # the diagram shows it on both sides
        return tuple(
            trace_example(s, drawing, int(predict(s, drawing).argmax()) if label is None else label)
            for s in (story.before, story.after)
        )

    def on_state_for_player(self, state: str) -> None:
        """Training again, or failed: the animation gives the diagram back to the live network."""
        if state == FAILED or (state == RUNNING and not self.requested):
            self.requested = False
            self.player.close()
            self.network_view.set_frame_source(None)
