"""Plays one real mini-batch step on the network diagram: a clock over the story's beats.

The player owns no numbers: it holds a ``StepStory`` (made by the worker around the step it took),
the ``StepFrames`` that paint it, and a position in seconds at normal speed. A timer moves the
position on while playing; play, pause, step, scrub, speed, the example shown in full and pausing
at the end of each phase for reading are its public methods. While a story is loaded it paints the
diagram (``NetworkView.set_frame_source``); closing hands the diagram back to the live network,
which already is the network after the step.
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal
from PySide6.QtGui import QPainter

from engine.lessons.step_story import StepStory
from engine.session.snapshot import ExampleTrace
from gui.diagram import DiagramLayout, NetworkView
from gui.player.frames import Settings, StepFrames

TICK_MS = 16  # the clock's resolution; each tick repaints the diagram
SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0)
EPSILON = 1e-6
SETTLED = 0.5  # a paused beat is shown at least this far in: faded in, its arrows grown


class StepPlayer(QObject):
    """Plays, pauses, steps and scrubs a ``StepStory`` on a ``NetworkView``."""

    story_loaded = Signal(object)  # StepStory now shown, or None when the player closed
    position_changed = Signal(float)  # seconds into the story at normal speed
    playing_changed = Signal(bool)  # True while the clock runs
    beats_changed = Signal()  # the example shown in full changed, so did the beats

    def __init__(self, view: NetworkView, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.frames: StepFrames | None = None
        self._position = 0.0
        self._starts: list[float] = []
        self._speed = 1.0
        self._pause_for_reading = True
        self._playing = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._clock = QElapsedTimer()

    @property
    def story(self) -> StepStory | None:
        """Return the story loaded, or None."""
        return None if self.frames is None else self.frames.story

    def is_active(self) -> bool:
        """Return True while a story is loaded and painted on the diagram."""
        return self.frames is not None

    def is_playing(self) -> bool:
        """Return True while the clock runs."""
        return self._playing

    def start(
        self,
        story: StepStory,
        focus: int = 0,
        play: bool = True,
        hold_traces: tuple[ExampleTrace | None, ExampleTrace | None] = (None, None),
    ) -> None:
        """Load ``story`` with example ``focus`` shown in full and play it from the start.

        ``hold_traces`` are the examples the diagram shows before and after the step (a drawn
        digit's, say); None shows the snapshot's own, as the diagram does.
        """
        self.frames = StepFrames(story, min(max(focus, 0), story.batch_size - 1), hold_traces)
        self._index_beats()
        self._position = 0.0
        self.view.set_frame_source(self._paint)
        self.story_loaded.emit(story)
        self.position_changed.emit(0.0)
        if play:
            self.play()

    def close(self) -> None:
        """Stop and give the diagram back to the live network."""
        if self.frames is None:
            return
        self.pause()
        self.frames = None
        self.view.set_frame_source(None)
        self.view.refresh()
        self.story_loaded.emit(None)

    def _index_beats(self) -> None:
        """Recompute where each beat starts."""
        self._starts = []
        at = 0.0
        for beat in self.frames.beats:
            self._starts.append(at)
            at += beat.seconds
        self._duration = at

    @property
    def duration(self) -> float:
        """Return the story's length in seconds at normal speed (0 when none is loaded)."""
        return self._duration if self.frames is not None else 0.0

    @property
    def position(self) -> float:
        """Return the position in seconds at normal speed."""
        return self._position

    def beat_starts(self) -> list[float]:
        """Return each beat's start in seconds at normal speed."""
        return list(self._starts)

    def beat_index(self) -> int:
        """Return the index of the beat at the current position."""
        return max(bisect.bisect_right(self._starts, self._position) - 1, 0)

    def beat_fraction(self) -> float:
        """Return how far into its beat the position is, 0 to 1."""
        i = self.beat_index()
        return min((self._position - self._starts[i]) / self.frames.beats[i].seconds, 1.0)

    def caption(self) -> str:
        """Return the caption the diagram shows now (headline, newline, sentence)."""
        return "" if self.frames is None else self.frames.caption(self.beat_index())

    def play(self) -> None:
        """Run the clock; from the end, start again at the beginning."""
        if self.frames is None or self._playing:
            return
        if self._position >= self._duration - EPSILON:
            self.seek(0.0)
        else:  # resuming at a phase's end: step over the boundary it paused at
            i = self.beat_index()
            if i + 1 < len(self._starts) and self._starts[i + 1] - self._position < 1e-3:
                self.seek(self._starts[i + 1])
        self._playing = True
        self._clock.start()
        self._timer.start()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        """Stop the clock where it is."""
        if not self._playing:
            return
        self._playing = False
        self._timer.stop()
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        if self._playing:
            self.pause()
        else:
            self.play()

    def step_forward(self) -> None:
        """Pause and go to the start of the next beat (or the end of the last)."""
        if self.frames is None:
            return
        self.pause()
        i = self.beat_index()
        self.seek(self._starts[i + 1] if i + 1 < len(self._starts) else self._duration)

    def step_back(self) -> None:
        """Pause and go to the start of this beat, or of the previous one if already there."""
        if self.frames is None:
            return
        self.pause()
        i = self.beat_index()
        if self._position - self._starts[i] < 0.05 and i > 0:
            i -= 1
        self.seek(self._starts[i])

    def seek(self, seconds: float) -> None:
        """Show the story at ``seconds`` (normal speed), clamped to its length."""
        if self.frames is None:
            return
        self._position = min(max(float(seconds), 0.0), self._duration)
        self.position_changed.emit(self._position)
        self.view.update()

    def speed(self) -> float:
        """Return the playing speed, 1 being normal."""
        return self._speed

    def set_speed(self, speed: float) -> None:
        """Play ``speed`` times faster than normal (0.25 to 4)."""
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self._speed = float(speed)

    def pause_for_reading(self) -> bool:
        """Return True if playing stops at the end of each phase."""
        return self._pause_for_reading

    def set_pause_for_reading(self, on: bool) -> None:
        """Stop (or not) at the end of each phase so its caption can be read."""
        self._pause_for_reading = bool(on)

    def focus(self) -> int:
        """Return the mini-batch row of the example shown in full."""
        return -1 if self.frames is None else self.frames.focus

    def set_focus(self, focus: int) -> None:
        """Show example ``focus`` of the mini-batch in full, from its forward pass."""
        if self.frames is None or focus == self.frames.focus:
            return
        if not 0 <= focus < self.frames.story.batch_size:
            raise ValueError(f"example must be in 0 .. {self.frames.story.batch_size - 1}")
        self.frames = StepFrames(self.frames.story, focus, self.frames.hold_traces)
        self._index_beats()
        self.beats_changed.emit()
        self.seek(self._starts[1])

    def _on_tick(self) -> None:
        """Move the position on by the time since the last tick, pausing where asked."""
        elapsed = self._clock.restart() / 1000.0
        target = self._position + elapsed * self._speed
        if self._pause_for_reading:
            boundary = self._next_phase_end(self._position)
            if boundary is not None and target >= boundary:
                self.seek(boundary - EPSILON)
                self.pause()
                return
        if target >= self._duration:
            self.seek(self._duration)
            self.pause()
            return
        self.seek(target)
        layout = self.view.diagram_layout()
        if layout is not None:  # the next beat, a stage per tick, so changing beat costs little
            dpr = self.view.devicePixelRatioF()
            self.frames.prepare(self.beat_index() + 1, layout, self.settings(), dpr)

    def _next_phase_end(self, at: float) -> float | None:
        """Return where the phase playing at ``at`` ends, or None for the last phase."""
        beats = self.frames.beats
        i = max(bisect.bisect_right(self._starts, at) - 1, 0)
        if beats[i].phase == "before":  # nothing to read yet
            return None
        for j in range(i + 1, len(beats)):
            if beats[j].phase != beats[i].phase:
                return self._starts[j]
        return None

    def settings(self) -> Settings:
        """Return the view's edge mode, per-layer scale and emphasis, which frames follow."""
        power = 3.0 if self.view.emphasis_action.isChecked() else 1.0
        return self.view.edge_mode(), self.view.scale_action.isChecked(), power

    def _paint(self, p: QPainter, layout: DiagramLayout) -> None:
        """Paint the current moment on the view (its frame source)."""
        t = self.beat_fraction()
        if not self._playing:  # a still (".", ",", the slider) shows the beat, not its fade-in
            t = max(t, SETTLED)
        self.frames.paint(p, self.beat_index(), t, layout, self.settings())
