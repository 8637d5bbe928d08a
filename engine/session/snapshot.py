"""Immutable copies of the training state, the only thing that crosses from the worker to views.

A snapshot pairs the parameters AFTER the latest step with what that step was computed from:
the mini-batch, its mean gradient, the update applied, and the forward/backward record of the
batch's last example (the neuron fills and nudges the diagram shows while training).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine.core.network import BackpropRecord, Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, as_input


def frozen_copy(a: np.ndarray) -> np.ndarray:
    """Return a read-only copy of ``a``: what may cross from the worker thread to the views."""
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class ExampleTrace:
    """One example's forward and backward pass: per layer k = 0 .. L, vectors of n_k values.

    ``activations[0]`` is the input; ``zs``, ``deltas`` and ``dc_da`` start at layer 1 (their
    index 0 is layer 1), as in ``engine.core.network.BackpropRecord``.
    """

    image: np.ndarray  # (28, 28) uint8 for MNIST examples, float32 in [0, 1] for drawings
    label: int | None  # None for a drawing nobody labelled: forward pass only, no deltas
    activations: tuple[np.ndarray, ...]
    zs: tuple[np.ndarray, ...]
    deltas: tuple[np.ndarray, ...]
    dc_da: tuple[np.ndarray, ...]
    cost: float = float("nan")  # this example's cost C_x

    @classmethod
    def from_record(cls, record: BackpropRecord, i: int, image: np.ndarray, cost) -> ExampleTrace:
        """Return example ``i`` of a backward pass as frozen copies; ``cost`` gives its C_x."""
        out, y = record.activations[-1][[i]], record.y[[i]]  # (1, n_L): a batch of one
        return cls(
            image=frozen_copy(image),
            label=int(np.argmax(record.y[i])),
            activations=tuple(frozen_copy(a[i]) for a in record.activations),
            zs=tuple(frozen_copy(z[i]) for z in record.zs),
            deltas=tuple(frozen_copy(d[i]) for d in record.deltas),
            dc_da=tuple(frozen_copy(d[i]) for d in record.dc_da),
            cost=float(cost.fn(out, y)),
        )

    @property
    def outputs(self) -> np.ndarray:
        """Return the output layer's activations a^L."""
        return self.activations[-1]

    def hebbian(self, layer: int) -> np.ndarray:
        """Return the change this example wants for weight layer ``layer``: -delta_out a_in^T.

        This is minus BP4 for this one example (-dC_x/dw; the step scales it by eta/m): an edge
        from a bright source into a neuron that should fire more wants to grow (positive, drawn
        blue), "fire together, wire together". Layer 0 maps the input to the first hidden layer.
        """
        return -np.outer(self.deltas[layer], self.activations[layer])

    def wanted_bias_change(self, layer: int) -> np.ndarray:
        """Return the change of weight layer ``layer``'s biases this example wants: -delta (BP3)."""
        return -np.asarray(self.deltas[layer])


@dataclass(frozen=True)
class Snapshot:
    """The network and its latest mini-batch, frozen for drawing in another thread."""

    config: NetworkConfig
    train_config: TrainConfig
    epoch: int
    examples_seen: int
    n_train: int
    weights: tuple[np.ndarray, ...]  # (n_out, n_in) per layer
    biases: tuple[np.ndarray, ...]  # (n_out,)
    grad_w: tuple[np.ndarray, ...] | None  # mean dC/dw of the latest mini-batch, None before one
    grad_b: tuple[np.ndarray, ...] | None
    step_w: tuple[np.ndarray, ...] | None  # the update applied: -eta * grad (+ momentum, decay)
    step_b: tuple[np.ndarray, ...] | None
    batch_images: np.ndarray  # (m, 28, 28) uint8
    batch_labels: np.ndarray  # (m,)
    example: ExampleTrace | None  # the batch's last example

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer sizes, input first."""
        return self.config.sizes


EDGE_MODES = ("weight", "gradient", "update", "hebbian")


def edge_values(snapshot: Snapshot, mode: str, layer: int, trace: ExampleTrace | None = None):
    """Return the (n_out, n_in) values an edge mode shows for weight layer ``layer``, or None.

    ``weight``: w; ``gradient``: the latest mini-batch's mean dC/dw; ``update``: the step applied,
    -eta dC/dw (plus momentum and decay when set); ``hebbian``: the change ``trace`` wants,
    -a_in * delta_out (default: the snapshot's example). None when the mode has nothing yet
    (before the first step).
    """
    if mode == "weight":
        return snapshot.weights[layer]
    if mode == "gradient":
        return None if snapshot.grad_w is None else snapshot.grad_w[layer]
    if mode == "update":
        return None if snapshot.step_w is None else snapshot.step_w[layer]
    if mode == "hebbian":
        trace = trace if trace is not None else snapshot.example
        return None if trace is None or trace.label is None else trace.hebbian(layer)
    raise ValueError(f"unknown edge mode {mode!r}; use one of {list(EDGE_MODES)}")


def network_of(snapshot: Snapshot) -> Network:
    """Return a Network holding the snapshot's parameters (a copy the caller may change)."""
    return Network.from_parameters(snapshot.config, snapshot.weights, snapshot.biases)


def predict(snapshot: Snapshot, image: np.ndarray) -> np.ndarray:
    """Return the output activations for one image, (28, 28) floats in [0, 1] or uint8 pixels."""
    return network_of(snapshot).feedforward(as_input(image, snapshot.config.dtype))[0].copy()


def trace_example(snapshot: Snapshot, image: np.ndarray, label: int | None) -> ExampleTrace:
    """Run one example forward and backward through the snapshot's network, labelled ``label``.

    With ``label`` None (a drawing nobody labelled) there is no desired output, so no cost and
    no backward pass: the deltas, dC/da and the cost are NaN.
    """
    net = network_of(snapshot)
    record = net.backprop(
        as_input(image, snapshot.config.dtype), np.array([0 if label is None else label])
    )
    trace = ExampleTrace.from_record(record, 0, image, net.cost)
    if label is not None:
        return trace
    unknown = tuple(frozen_copy(np.full_like(d, np.nan)) for d in trace.deltas)
    return replace(  # nobody gave a label: the forward pass only, no backward pass to show
        trace,
        label=None,
        deltas=unknown,
        dc_da=tuple(frozen_copy(np.full_like(d, np.nan)) for d in trace.dc_da),
        cost=float("nan"),
    )


def parameters_snapshot(
    config: NetworkConfig,
    train_config: TrainConfig,
    epoch: int,
    examples_seen: int,
    n_train: int,
    weights: tuple[np.ndarray, ...],
    biases: tuple[np.ndarray, ...],
) -> Snapshot:
    """Return a Snapshot of parameters alone: no mini-batch, gradient, update or example."""
    size = config.sizes[0]
    side = int(round(size**0.5))
    shape = (0, side, side) if side * side == size else (0, size)
    return Snapshot(
        config=config,
        train_config=train_config,
        epoch=epoch,
        examples_seen=examples_seen,
        n_train=n_train,
        weights=weights,
        biases=biases,
        grad_w=None,
        grad_b=None,
        step_w=None,
        step_b=None,
        batch_images=np.zeros(shape, np.uint8),
        batch_labels=np.zeros(0, np.uint8),
        example=None,
    )


def take_parameters(trainer: Trainer) -> Snapshot:
    """Copy only the trainer's parameters and position: what the history keeps, at little cost.

    A full ``take_snapshot`` also copies the mini-batch, its gradients and an example's trace,
    ten times the work, all of which the history would throw away.
    """
    net = trainer.network
    return parameters_snapshot(
        net.config,
        trainer.config,
        trainer.epoch,
        trainer.examples_seen,
        trainer.n_train,
        tuple(frozen_copy(w) for w in net.weights),
        tuple(frozen_copy(b) for b in net.biases),
    )


def take_snapshot(trainer: Trainer, images: np.ndarray) -> Snapshot:
    """Copy the trainer's current state; ``images`` is the uint8 training set it indexes into."""
    net = trainer.network
    idx = trainer.last_batch
    record = trainer.latest_record()
    grad_w = grad_b = step_w = step_b = example = None
    if record is not None:
        grad_w = tuple(frozen_copy(g) for g in record.nabla_w)
        grad_b = tuple(frozen_copy(g) for g in record.nabla_b)
        steps = trainer.last_step()
        step_w = tuple(frozen_copy(s[:, :-1]) for s in steps)
        step_b = tuple(frozen_copy(s[:, -1]) for s in steps)
        example = ExampleTrace.from_record(record, -1, images[idx[-1]], net.cost)
    return Snapshot(
        config=net.config,
        train_config=trainer.config,
        epoch=trainer.epoch,
        examples_seen=trainer.examples_seen,
        n_train=trainer.n_train,
        weights=tuple(frozen_copy(w) for w in net.weights),
        biases=tuple(frozen_copy(b) for b in net.biases),
        grad_w=grad_w,
        grad_b=grad_b,
        step_w=step_w,
        step_b=step_b,
        batch_images=frozen_copy(images[idx]),
        batch_labels=frozen_copy(trainer.labels[idx]),
        example=example,
    )
