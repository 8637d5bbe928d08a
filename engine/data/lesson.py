"""What a lesson file holds: everything the learner sees, as plain data (``engine.data.lesson_io``).

A lesson is the window as a teacher left it: the network with its history and hyper-parameters (an
``engine.data.model_io.SavedModel``), the data it trains on, the tab, the diagram's edge mode and
scale, the drawing and its label, the explorer's example, step and selections, the guide's stop, the
step being played and where, and the kept runs with the ones shown in Compare. Nothing here knows
Qt; the window's lesson room reads these from the widgets and sets them back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.training import to_inputs
from engine.data.model_io import SavedModel
from engine.lessons.step_story import StepStory, finish_story
from engine.session.runs import KeptRun
from engine.session.snapshot import Snapshot, frozen_copy, parameters_snapshot

TABS = ("network", "explorer", "insight", "compare")  # the window's tabs, in order
EXPLORER_STEPS = 12


@dataclass(frozen=True)
class ExplorerView:
    """The explorer's example, step and selections (see ``gui.explorer.state.ExplorerState``)."""

    step: int  # 1 .. EXPLORER_STEPS
    image: np.ndarray  # (28, 28): uint8 pixels (a training digit) or float32 ink in [0, 1]
    label: int
    target: int  # output neuron of step 4
    hidden: tuple[int, int] | None  # (layer, index) of step 5's hidden neuron
    formula: tuple[int, int]  # (layer, index) of step 1's neuron
    param: tuple[int, int, int]  # (weight layer, out, in) of steps 7 and 8; in == n_in: bias
    back_to: int  # step 5: deltas shown back to this neuron layer
    revealed: int  # step 1: activations shown up to this neuron layer


@dataclass(frozen=True)
class PlayerView:
    """The mini-batch step being played, which example is shown in full, and the position."""

    story: StepStory
    focus: int  # mini-batch row shown in full
    position: float  # seconds into the story at normal speed


@dataclass(frozen=True)
class LastBatch:
    """The latest mini-batch step: what the gradient, update and Hebbian edges and the explorer
    show, which a network's parameters alone do not hold."""

    n_train: int  # training examples per epoch
    images: np.ndarray  # (m, 28, 28) uint8
    labels: np.ndarray  # (m,)
    grad_w: tuple[np.ndarray, ...]  # mean dC/dw per layer, (n_out, n_in)
    grad_b: tuple[np.ndarray, ...]  # (n_out,)
    step_w: tuple[np.ndarray, ...]  # the update applied, (n_out, n_in)
    step_b: tuple[np.ndarray, ...]  # (n_out,)


@dataclass(frozen=True)
class ComparedRun:
    """A kept run and whether Compare shows it."""

    run: KeptRun
    shown: bool


@dataclass(frozen=True)
class Lesson:
    """Everything the learner sees, as the lesson file holds it."""

    model: SavedModel  # the network, its hyper-parameters, epoch and history
    seed: int
    data: str  # "sample", "full" or a folder of IDX files
    tab: str  # one of TABS
    edge_mode: str  # one of engine.session.snapshot.EDGE_MODES
    per_layer: bool  # the diagram's per-layer colour scale
    emphasis: float  # the diagram's strength power: 1 linear, 3 emphasised
    drawing: np.ndarray | None  # (H, W) float32 ink in [0, 1] on the pad, None when empty
    label: int | None  # the label chosen under Teach it
    guide_stop: int
    guide_open: bool
    explorer: ExplorerView | None = None
    player: PlayerView | None = None
    runs: tuple[ComparedRun, ...] = ()
    selected_run: int | None = None  # index into runs of the run selected in Compare
    last_batch: LastBatch | None = None  # the network's latest step, None before its first


def last_batch_of(snapshot: Snapshot) -> LastBatch | None:
    """Return the snapshot's latest step, or None if it has none (a fresh or opened network)."""
    s = snapshot
    if s.grad_w is None or s.step_w is None or not len(s.batch_labels):
        return None
    return LastBatch(
        s.n_train, s.batch_images, s.batch_labels, s.grad_w, s.grad_b, s.step_w, s.step_b
    )


def full_snapshot(model: SavedModel, last: LastBatch) -> Snapshot:
    """Return the snapshot the window showed: the network with its latest step and example.

    The example is the mini-batch's last, run through the network before the step, as
    ``engine.session.snapshot.take_snapshot`` takes it from the trainer's own record.
    """
    from dataclasses import replace

    from engine.lessons.explorer import explored_network
    from engine.session.snapshot import ExampleTrace

    plain = _snapshot(model, last.n_train)
    snap = replace(
        plain,
        grad_w=tuple(frozen_copy(g) for g in last.grad_w),
        grad_b=tuple(frozen_copy(g) for g in last.grad_b),
        step_w=tuple(frozen_copy(s) for s in last.step_w),
        step_b=tuple(frozen_copy(s) for s in last.step_b),
        batch_images=frozen_copy(last.images),
        batch_labels=frozen_copy(last.labels),
    )
    before = explored_network(snap, snap.config.dtype)
    labels = np.asarray(last.labels[-1:], np.intp)
    record = before.backprop(to_inputs(last.images[-1:], before.dtype), labels)
    return replace(snap, example=ExampleTrace.from_record(record, 0, last.images[-1], before.cost))


def story_parts(story: StepStory) -> dict[str, np.ndarray]:
    """Return the arrays that, with the networks before and after, rebuild ``story``."""
    parts = {
        "indices": np.asarray(story.indices),
        "images": np.asarray(story.images),
        "labels": np.asarray(story.labels),
    }
    for k, v in enumerate(story.velocity):
        parts[f"velocity_{k}"] = np.asarray(v)
    return parts


def rebuild_story(
    before: SavedModel, after: SavedModel, n_train: int, parts: dict[str, np.ndarray]
) -> StepStory:
    """Return the step's story from both networks and ``story_parts``, as the worker told it.

    Each example's forward and backward pass is computed again on the network before the step,
    exactly as ``engine.lessons.step_story.prepare_story`` does; the arrays must be checked first.
    """
    net = before.network
    images, labels = parts["images"], np.asarray(parts["labels"], np.intp)
    record = net.backprop(to_inputs(images, net.dtype), labels)
    y = net.one_hot(labels)
    out = record.activations[-1]
    costs = np.array([float(net.cost.fn(out[i : i + 1], y[i : i + 1])) for i in range(len(labels))])
    velocity = tuple(frozen_copy(parts[f"velocity_{k}"]) for k in range(len(net.params)))
    story = StepStory(
        before=_snapshot(before, n_train),
        train_config=before.train_config,
        indices=frozen_copy(parts["indices"]),
        images=frozen_copy(images),
        labels=frozen_copy(parts["labels"]),
        activations=tuple(frozen_copy(a) for a in record.activations),
        deltas=tuple(frozen_copy(d) for d in record.deltas),
        dc_da=tuple(frozen_copy(d) for d in record.dc_da),
        costs=frozen_copy(costs),
        velocity=velocity,
    )
    return finish_story(story, _snapshot(after, n_train))


def _snapshot(saved: SavedModel, n_train: int) -> Snapshot:
    """Return a parameters-only snapshot of a saved network."""
    net = saved.network
    return parameters_snapshot(
        net.config,
        saved.train_config,
        saved.epoch,
        saved.examples_seen,
        n_train,
        tuple(frozen_copy(w) for w in net.weights),
        tuple(frozen_copy(b) for b in net.biases),
    )
