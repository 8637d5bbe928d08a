"""The "Play one step" animation as a list of beats, and the values each beat draws.

A beat is one still state of the diagram, held for a few seconds; the player moves through them.
The phases follow the video: the forward pass of the example shown in full, layer by layer; its
cost and the nudges its outputs want; the backward pass, layer by layer back; the mini-batch,
each example's wanted change added to a running sum, the shown example first and the others fast;
the average; and the update. A ``before`` and an ``after`` beat hold the plain diagram at either
end; the ``after`` beat's activations are the shown example's on the network after the step, so
its outputs are seen to move. Values are per weight layer k (n_out, n_in) for edges and (n_out,)
for the rings, and per neuron layer for activations and nudges; None means "not reached yet".
Nothing here imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.lessons.step_story import StepStory

PHASE_TITLES = {
    "before": "Before the step",
    "forward": "1 \u00b7 Forward pass",
    "cost": "2 \u00b7 Cost and desired nudges",
    "backward": "3 \u00b7 Backward: the wishes flow back",
    "mini-batch": "4 \u00b7 Add up the mini-batch",
    "average": "4 \u00b7 Average over the mini-batch",
    "update": "5 \u00b7 The update",
    "after": "After the step",
}
EDGE_KINDS = {
    "weight": "the weights w",
    "carried": "w\u00b7a, each weight times the activation it carries",
    "wanted": "the change this example wants, \u2212a_in\u00b7\u03b4_out (blue: strengthen)",
    "sum": "the running sum of the wanted changes",
    "average": "the average wanted change, \u2212\u2202C/\u2202w",
    "update": "the real update \u0394w",
}
SECONDS = {  # each beat's length at normal speed
    "before": 0.8,
    "forward": 0.9,
    "cost": 2.2,
    "backward": 1.0,
    "example": 1.4,  # the shown example added to the sum
    "fast": 0.35,  # every other example
    "average": 2.0,
    "update": 2.4,
    "after": 1.2,
}


@dataclass(frozen=True)
class Beat:
    """One still state of the animation: its phase, example and how far the wave has got."""

    phase: str
    example: int  # row of the mini-batch shown (-1: none)
    layer: int  # forward: neuron layer reached; backward: weight layer reached; else -1
    added: int  # mini-batch phase: how many examples are summed so far
    seconds: float  # how long it lasts at normal speed


@dataclass(frozen=True)
class BeatValues:
    """What one beat draws: the numbers the painter is given."""

    edge_kind: str  # a key of EDGE_KINDS, the same for every weight layer
    edges: tuple[np.ndarray, ...]  # per weight layer (n_out, n_in); zeros where not reached
    rings: tuple[np.ndarray, ...]  # per weight layer (n_out,): the bias counterpart of edges
    activations: tuple[np.ndarray | None, ...]  # per neuron layer 0 .. L; None: not reached
    nudges: tuple[np.ndarray | None, ...]  # layers 1 .. L: hidden -dC/da, output y - a; None: off
    scales: tuple[float, ...] | None  # fixed full-colour |value| per weight layer, or None


def example_order(story: StepStory, focus: int) -> list[int]:
    """Return the order the mini-batch is summed in: the shown example first, then the rest."""
    return [focus] + [i for i in range(story.batch_size) if i != focus]


def plan_beats(story: StepStory, focus: int = 0) -> list[Beat]:
    """Return the animation's beats with example ``focus`` of the mini-batch shown in full."""
    if not 0 <= focus < story.batch_size:
        raise ValueError(f"example must be in 0 .. {story.batch_size - 1}, got {focus}")
    n_layers = len(story.sizes) - 1
    beats = [Beat("before", -1, -1, 0, SECONDS["before"])]
    beats += [Beat("forward", focus, k, 0, SECONDS["forward"]) for k in range(n_layers + 1)]
    beats.append(Beat("cost", focus, -1, 0, SECONDS["cost"]))
    beats += [
        Beat("backward", focus, k, 0, SECONDS["backward"]) for k in range(n_layers - 1, -1, -1)
    ]
    for n, i in enumerate(example_order(story, focus), start=1):
        beats.append(Beat("mini-batch", i, -1, n, SECONDS["example" if n == 1 else "fast"]))
    beats.append(Beat("average", focus, -1, story.batch_size, SECONDS["average"]))
    beats.append(Beat("update", focus, -1, story.batch_size, SECONDS["update"]))
    beats.append(Beat("after", focus, -1, 0, SECONDS["after"]))  # its outputs after the step
    return beats


def sum_scales(story: StepStory, order: list[int]) -> tuple[float, ...]:
    """Return per weight layer the largest |running sum| over the whole mini-batch phase.

    The mini-batch beats share it, so the sum is seen to grow rather than rescaled every beat.
    """
    out = []
    for layer in range(len(story.sizes) - 1):
        running = np.zeros(story.before.weights[layer].shape)  # (n_out, n_in)
        top = 0.0
        for i in order:
            running -= np.outer(story.deltas[layer][i], story.activations[layer][i])
            top = max(top, float(np.abs(running).max(initial=0.0)))
        out.append(top or 1.0)
    return tuple(out)


def beat_values(story: StepStory, beat: Beat, order: list[int]) -> BeatValues:
    """Return the values ``beat`` draws; ``order`` is ``example_order`` for the shown example."""
    n_layers = len(story.sizes) - 1
    i = beat.example
    acts: list[np.ndarray | None] = [
        None if i < 0 else story.activations[k][i] for k in range(n_layers + 1)
    ]
    nudges: list[np.ndarray | None] = [None] * n_layers
    scales = None
    if beat.phase in ("before", "after"):
        snap = story.before if beat.phase == "before" or story.after is None else story.after
        kind, edges, rings = "weight", list(snap.weights), list(snap.biases)
        moved = story.trace_after(i) if beat.phase == "after" and i >= 0 else None
        acts = list(moved.activations) if moved is not None else [None] * (n_layers + 1)
    elif beat.phase == "forward":
        kind, edges, rings = "carried", [], []
        for k in range(n_layers):
            reached = k < beat.layer
            w = story.before.weights[k]
            edges.append(w * story.activations[k][i] if reached else np.zeros_like(w))
            b = story.before.biases[k]
            rings.append(b if reached else np.zeros_like(b))
        acts = [a if k <= beat.layer else None for k, a in enumerate(acts)]
    elif beat.phase in ("cost", "backward"):
        front = n_layers if beat.phase == "cost" else beat.layer
        kind = "carried" if beat.phase == "cost" else "wanted"
        edges, rings = [], []
        for k in range(n_layers):
            if k >= front:
                edges.append(story.wanted_change(i, k))
                rings.append(story.wanted_bias_change(i, k))
            else:
                edges.append(story.before.weights[k] * story.activations[k][i])
                rings.append(story.before.biases[k])
        first = n_layers if beat.phase == "cost" else beat.layer + 1
        nudges = [-story.dc_da[k - 1][i] if k >= first else None for k in range(1, n_layers)]
        nudges.append(story.output_nudges(i))  # the video's arrows, y - a (engine.lessons.nudges)
    elif beat.phase == "mini-batch":
        kind = "sum"
        sums = [story.running_sum(order[: beat.added], k) for k in range(n_layers)]
        edges, rings = [s[0] for s in sums], [s[1] for s in sums]
        scales = sum_scales(story, order)
    elif beat.phase == "average":
        kind = "average"
        means = [story.average(k) for k in range(n_layers)]
        edges, rings = [s[0] for s in means], [s[1] for s in means]
    elif beat.phase == "update":
        kind = "update"
        changes = [story.change(k) for k in range(n_layers)]
        edges, rings = [c[0] for c in changes], [c[1] for c in changes]
    else:
        raise ValueError(f"unknown phase {beat.phase!r}")
    return BeatValues(
        edge_kind=kind,
        edges=tuple(np.asarray(e) for e in edges),
        rings=tuple(np.asarray(r) for r in rings),
        activations=tuple(acts),
        nudges=tuple(nudges),
        scales=scales,
    )
