"""The frames of "Play one step": each beat's scene, built once, and any moment of it painted.

A beat's scene is the diagram's own (``build_scene`` and ``paint_scene``) given the beat's values
in place of a snapshot's, so it looks like the diagram the learner knows. On top of it, each frame
paints what moves within a beat: the diagram cross-fades from the beat before (so the layer the
wave reaches lights up), that layer is outlined, the nudge arrows grow, and the caption sits where
the legend was. The ``before`` and ``after`` beats are the plain diagram of the network before and
after the step, pixel for pixel; after the step it shows the example played in full (or the drawn
digit) run through the new network, so its outputs are seen to have moved.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF

from engine.lessons.step_beats import Beat, BeatValues, beat_values, example_order, plan_beats
from engine.lessons.step_story import StepStory
from engine.session.snapshot import ExampleTrace
from gui.colors import palette
from gui.diagram import (
    DiagramLayout,
    Scene,
    build_scene,
    edge_lines,
    output_labels_right,
    paint_scene,
)
from gui.player.captions import caption

Settings = tuple[str, bool, float]  # the view's edge mode, per-layer scale, emphasis power
HOLD_PHASES = ("before", "after")
FADE = 0.35  # the first part of each beat cross-fades from the beat before
BASES_BUDGET = 96 * 2**20  # bytes of painted beats kept: all at screen size, a few at 4K


def ease(t: float) -> float:
    """Return a smooth 0 -> 1 ramp for t in [0, 1] (smoothstep)."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


class StepFrames:
    """One story's beats with the example shown in full, their scenes cached per layout."""

    def __init__(
        self,
        story: StepStory,
        focus: int = 0,
        hold_traces: tuple[ExampleTrace | None, ExampleTrace | None] = (None, None),
    ) -> None:
        self.story = story
        self.focus = focus
        self.hold_traces = hold_traces  # the example the diagram shows before and after
        self.beats: list[Beat] = plan_beats(story, focus)
        self.order = example_order(story, focus)
        self._values: dict[int, BeatValues] = {}
        self._captions: dict[int, str] = {}
        self._scenes: dict[int, Scene] = {}
        self._bases: dict[tuple[int, bool, float], QImage] = {}
        self._key: tuple | None = None
        self._lines: list = []

    def values(self, index: int) -> BeatValues:
        """Return beat ``index``'s values (computed once)."""
        if index not in self._values:
            self._values[index] = beat_values(self.story, self.beats[index], self.order)
        return self._values[index]

    def caption(self, index: int) -> str:
        """Return beat ``index``'s caption: a headline line and a sentence with its numbers."""
        if index not in self._captions:
            self._captions[index] = caption(self.story, self.beats[index], self.values(index))
        return self._captions[index]

    def scene(self, index: int, layout: DiagramLayout, settings: Settings) -> Scene:
        """Return beat ``index``'s scene for this layout and view settings (built once)."""
        key = self._scene_key(layout, settings)
        if key != self._key:
            self._key = key
            self._scenes = {}
            self._bases = {}
            self._lines = edge_lines(layout)
        if index not in self._scenes:
            self._scenes[index] = self._build(index, layout, settings)
        return self._scenes[index]

    @staticmethod
    def _scene_key(layout: DiagramLayout, settings: Settings) -> tuple:
        """Return what the cached scenes depend on: the canvas and the view settings."""
        return (layout.sizes, layout.width, layout.height, settings)

    def _build(self, index: int, layout: DiagramLayout, settings: Settings) -> Scene:
        """Build beat ``index``'s scene with the diagram's own scene builder."""
        mode, per_layer, power = settings
        beat = self.beats[index]
        story = self.story
        if beat.phase in HOLD_PHASES:
            after = beat.phase == "after" and story.after is not None
            snap, trace = (
                (story.after, self.hold_traces[1]) if after else (story.before, self.hold_traces[0])
            )
            if after and trace is None:  # the example shown in full, through the new network
                trace = story.trace_after(beat.example)
            return build_scene(snap, trace, mode, per_layer, power, layout, self._lines)
        values = self.values(index)
        snap = replace(story.before, weights=values.edges, biases=values.rings)
        acts = [
            np.zeros(n, np.float32) if a is None else np.asarray(a, np.float32)
            for a, n in zip(values.activations, story.sizes)
        ]
        i = beat.example
        trace = ExampleTrace(
            image=story.images[i],
            label=int(story.labels[i]),
            activations=tuple(acts),
            zs=(),
            deltas=(),
            dc_da=(),
            cost=float(story.costs[i]),
        )
        scales = None
        if values.scales is not None:
            scales = list(values.scales) if per_layer else [max(values.scales)] * len(acts[1:])
        scene = build_scene(snap, trace, "weight", per_layer, power, layout, self._lines, scales)
        fills = list(scene.fills)
        for k, a in enumerate(values.activations[1:]):
            if a is None:
                fills[k] = np.tile(np.array(palette().no_data, np.uint8), (len(fills[k]), 1))
        outputs = scene.outputs if values.activations[-1] is not None else None
        return replace(scene, fills=fills, outputs=outputs)

    def base(
        self,
        index: int,
        layout: DiagramLayout,
        settings: Settings,
        hold_captions: bool = True,
        dpr: float = 1.0,
    ) -> QImage:
        """Return beat ``index``'s still part painted once: the scene, counter and caption.

        Every frame of the beat blits it and paints only what moves on top.
        """
        self.scene(index, layout, settings)  # resets the caches if the layout or settings moved
        key = (index, hold_captions, dpr)
        if key not in self._bases:
            size = QSize(round(layout.width * dpr), round(layout.height * dpr))
            image = QImage(size, QImage.Format.Format_RGB32)
            image.setDevicePixelRatio(dpr)
            p = QPainter(image)
            beat = self.beats[index]
            paint_scene(p, layout, self.scene(index, layout, settings), [])
            if beat.phase not in HOLD_PHASES:
                self._paint_counter(p, layout, beat)
            if beat.phase not in HOLD_PHASES or hold_captions:
                _paint_caption(p, layout, self.caption(index))
            p.end()
            self._bases[key] = image
            while len(self._bases) > 1 and self._bases_bytes() > BASES_BUDGET:
                del self._bases[next(iter(self._bases))]  # the oldest: a large export's past beat
        return self._bases[key]

    def _bases_bytes(self) -> int:
        """Return the memory the painted beats hold."""
        return sum(image.sizeInBytes() for image in self._bases.values())

    def prepare(
        self, index: int, layout: DiagramLayout, settings: Settings, dpr: float = 1.0
    ) -> None:
        """Do the next stage of preparing beat ``index`` ahead of time: its scene, then its image.

        One stage per call, so a player can spread the work over its ticks.
        """
        if not 0 <= index < len(self.beats) or (index, True, dpr) in self._bases:
            return
        if index not in self._scenes or self._key != self._scene_key(layout, settings):
            self.scene(index, layout, settings)
        else:
            self.base(index, layout, settings, True, dpr)

    def paint(
        self,
        p: QPainter,
        index: int,
        t: float,
        layout: DiagramLayout,
        settings: Settings,
        hold_captions: bool = True,
    ) -> None:
        """Paint beat ``index`` at fraction t of its length; captions on hold beats if asked."""
        dpr = p.device().devicePixelRatioF() if p.device() is not None else 1.0
        beat = self.beats[index]
        base = self.base(index, layout, settings, hold_captions, dpr)
        fade = ease(t / FADE) if index > 0 else 1.0
        if fade < 1.0:  # the diagram cross-fades from the beat before; the caption just changes
            before = self.base(index - 1, layout, settings, hold_captions, dpr)
            p.drawImage(QPointF(0.0, 0.0), before)
            split = layout.legend_rect[1] - 6
            top = QRectF(0.0, 0.0, layout.width, split)
            bottom = QRectF(0.0, split, layout.width, layout.height - split)
            p.setOpacity(fade)
            p.drawImage(top, base, _pixels(top, dpr))
            p.setOpacity(1.0)
            p.drawImage(bottom, base, _pixels(bottom, dpr))
        else:
            p.drawImage(QPointF(0.0, 0.0), base)
        if beat.phase in HOLD_PHASES:
            return
        front = self._front(beat)
        if front is not None and front > 0:
            _outline_layer(p, layout, front, t)
        grow = ease(2.0 * t) if beat.phase in ("cost", "backward") else 1.0
        for k, nudge in enumerate(self.values(index).nudges, start=1):
            if nudge is not None:
                _paint_arrows(p, layout, k, np.asarray(nudge, np.float64), grow)

    def _front(self, beat: Beat) -> int | None:
        """Return the neuron layer the wave has reached in this beat, or None."""
        if beat.phase == "forward":
            return beat.layer
        if beat.phase == "backward":
            return beat.layer + 1
        if beat.phase == "cost":
            return len(self.story.sizes) - 1
        return None

    def _paint_counter(self, p: QPainter, layout: DiagramLayout, beat: Beat) -> None:
        """Write which example the input shows, and in the mini-batch phase how many are added."""
        x, y, w, h = layout.image_rect
        story = self.story
        i = beat.example
        text = f"example {i + 1} of {story.batch_size}\na {int(story.labels[i])}"
        if beat.phase == "mini-batch":
            text = f"{beat.added} of {story.batch_size}\nexamples added"
        elif beat.phase in ("average", "update"):
            text = f"all {story.batch_size}\nexamples"
        p.setPen(QColor(*palette().highlight))
        font = p.font()
        font.setPixelSize(12)
        font.setBold(True)
        p.setFont(font)
        left = max(x + w / 2 - 70, 0.0)
        p.drawText(QRectF(left, y + h + 6, 140, 34), Qt.AlignmentFlag.AlignHCenter, text)


def _pixels(rect: QRectF, dpr: float) -> QRectF:
    """Return a rectangle in the device pixels of an image of device pixel ratio ``dpr``."""
    return QRectF(rect.x() * dpr, rect.y() * dpr, rect.width() * dpr, rect.height() * dpr)


def _outline_layer(p: QPainter, layout: DiagramLayout, layer: int, t: float) -> None:
    """Outline every neuron of ``layer``: the front of the wave, pulsing once per beat."""
    r = layout.radii[layer]
    glow = 0.5 + 0.5 * np.sin(np.pi * min(max(t, 0.0), 1.0))
    colour = QColor(*palette().highlight)
    colour.setAlphaF(float(0.35 + 0.65 * glow))
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(colour, 1.5))
    p.setBrush(Qt.BrushStyle.NoBrush)
    for cx, cy in layout.centers[layer].tolist():
        p.drawEllipse(QPointF(cx, cy), r + 4, r + 4)


ARROW_GAP = 7.0  # between an arrow and what it stands beside
ARROW_LONGEST = 44.0


def arrow_segments(
    layout: DiagramLayout, layer: int, nudge: np.ndarray, grow: float = 1.0
) -> list[tuple[float, float, float, float]]:
    """Return each neuron's nudge arrow as (x, tail y, tip y, value); too short ones left out.

    As in the video each arrow stands beside its neuron, centred on it: the output layer's right
    of the digits and activations, a hidden layer's left of the neuron. The longest is 85% of the
    spacing, so arrows of neighbours never overlap; lengths are in proportion to |nudge|.
    """
    centers = layout.centers[layer]
    spacing = float(np.diff(centers[:, 1]).min(initial=60.0))
    longest = min(0.85 * spacing, ARROW_LONGEST) * grow
    top = float(np.abs(nudge).max(initial=0.0))
    if top <= 0 or longest < 3:
        return []
    r = layout.radii[layer]
    out = []
    for (cx, cy), v in zip(centers.tolist(), np.asarray(nudge, np.float64).tolist()):
        length = longest * v / top
        if abs(length) < 3:
            continue
        if layer == len(layout.sizes) - 1:
            x = min(output_labels_right(layout) + ARROW_GAP, layout.width - 6.0)
        else:
            x = cx - r - ARROW_GAP
        out.append((x, cy + length / 2, cy - length / 2, v))
    return out


def _paint_arrows(
    p: QPainter, layout: DiagramLayout, layer: int, nudge: np.ndarray, grow: float
) -> None:
    """Draw each neuron's desired change as a vertical arrow beside it: up blue, down red."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for x, tail, tip_y, v in arrow_segments(layout, layer, nudge, grow):
        colour = QColor(*(palette().positive if v > 0 else palette().negative))
        tip = QPointF(x, tip_y)
        head = min(5.0, abs(tip_y - tail) / 2) * (1.0 if tip_y < tail else -1.0)
        p.setPen(QPen(colour, 2.5))
        p.drawLine(QLineF(QPointF(x, tail), QPointF(x, tip_y + head)))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawPolygon(
            QPolygonF([tip, QPointF(x - 4, tip.y() + head), QPointF(x + 4, tip.y() + head)])
        )


def _paint_caption(p: QPainter, layout: DiagramLayout, text: str) -> None:
    """Paint the caption over the legend: the headline bold, the sentence wrapped under it."""
    x, y, w, h = layout.legend_rect
    p.fillRect(
        QRectF(0.0, y - 6, layout.width, layout.height - y + 6), QColor(*palette().background)
    )
    head, _, body = text.partition("\n")
    font = p.font()
    font.setPixelSize(13)
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor(*palette().highlight))
    p.drawText(QRectF(x, y - 4, w, 18), Qt.AlignmentFlag.AlignLeft, head)
    font.setBold(False)
    font.setPixelSize(12)
    p.setFont(font)
    p.setPen(QColor(*palette().text))
    flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
    p.drawText(QRectF(x, y + 14, w, h - 12), int(flags), body)
