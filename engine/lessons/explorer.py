"""One example's backward pass taken apart, step by step, for the backprop explorer.

The explorer looks at the network as it was just before the snapshot's latest mini-batch step, so
the gradient it computes is the one training used and the step it shows is the step training took (a
snapshot holds the parameters after that step, and the step itself). Everything is computed by the
engine's own functions (``Network.backprop``, ``engine.core.costs``) on a float64 copy: the same
network, with enough digits that a finite-difference check and a tiny "nudge" of one weight show
real differences, not rounding. Layers are numbered as in ``engine.core.network.BackpropRecord``:
neuron layer 0 is the input, layer L the output; weight layer k maps neuron layer k to k + 1. A
parameter is named (layer, out, in), with in == n_in meaning the bias of neuron ``out``
(``engine.core.gradcheck``'s convention).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine.core import update
from engine.core.network import BackpropRecord, Network
from engine.core.training import as_input, to_inputs
from engine.lessons.nudges import desired_nudges
from engine.session.snapshot import ExampleTrace, Snapshot


@dataclass(frozen=True)
class NeuronFormula:
    """One neuron's a = sigma(sum_i w_i a_i + b), with the live numbers of every term."""

    layer: int  # neuron layer, 1 .. L
    index: int
    weights: np.ndarray  # w_ji over the previous layer's neurons i, (n_in,)
    inputs: np.ndarray  # a_i of the previous layer, (n_in,)
    bias: float
    z: float
    a: float

    @property
    def terms(self) -> np.ndarray:
        """Return the products w_i * a_i, one per incoming edge."""
        return self.weights * self.inputs


@dataclass(frozen=True)
class OutputChange:
    """The three ways to change output neuron j: its bias, its weights, the previous activations."""

    index: int
    dc_da: float  # dC/da_j
    sigma_prime: float  # sigma'(z_j); nan for a softmax output, whose delta is a - y directly
    delta: float  # delta_j = dC/dz_j = dC/db_j (BP1, BP3)
    weight_gradients: np.ndarray  # a_i * delta_j over previous neurons i (BP4)
    previous_gradients: np.ndarray  # w_ji * delta_j: this neuron's share of dC/da_i


@dataclass(frozen=True)
class HiddenChange:
    """What every next-layer neuron k asks of hidden neuron j: w_kj * delta_k, summed (BP2)."""

    layer: int
    index: int
    contributions: np.ndarray  # w_kj * delta_k over next-layer neurons k
    dc_da: float  # their sum, dC/da_j
    sigma_prime: float
    delta: float  # dC/da_j * sigma'(z_j)


def explored_network(snapshot: Snapshot, dtype: str = "float64") -> Network:
    """Return the snapshot's network as it was before its latest step, in ``dtype``.

    The snapshot holds the parameters after the step and the step itself;
    ``engine.core.update.undo``, the update rule's inverse, takes the step back (weight decay
    included).
    """
    weights = [np.asarray(w, np.float64) for w in snapshot.weights]
    biases = [np.asarray(b, np.float64) for b in snapshot.biases]
    if snapshot.step_w is not None:
        tc = snapshot.train_config
        weights, biases = update.undo(
            weights,
            biases,
            snapshot.step_w,
            snapshot.step_b,
            tc.learning_rate,
            tc.l2,
            snapshot.n_train,
        )
    return Network.from_parameters(replace(snapshot.config, dtype=dtype), weights, biases)


class Exploration:
    """One example (and its mini-batch) run forward and backward through a snapshot's network."""

    def __init__(self, snapshot: Snapshot, image: np.ndarray, label: int) -> None:
        self.snapshot = snapshot
        self.network = explored_network(snapshot)
        self.image = np.asarray(image)
        self.label = int(label)
        self.x = as_input(image, np.float64)  # (1, 784)
        self.record: BackpropRecord = self.network.backprop(self.x, np.array([self.label]))
        if len(snapshot.batch_labels):
            self.batch_images = snapshot.batch_images
            self.batch_labels = np.asarray(snapshot.batch_labels, np.intp)
        else:  # before the first mini-batch, the example is a batch of one
            self.batch_images = self.image[None] if self.image.dtype == np.uint8 else None
            self.batch_labels = np.array([self.label])
        self.batch_x = (
            to_inputs(self.batch_images, np.float64) if self.batch_images is not None else self.x
        )
        self.batch: BackpropRecord = self.network.backprop(self.batch_x, self.batch_labels)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer sizes, input first."""
        return self.network.sizes

    @property
    def n_layers(self) -> int:
        """The number L of weight layers (the output is neuron layer L)."""
        return len(self.sizes) - 1

    @property
    def cost(self) -> float:
        """This example's cost C_x."""
        return float(self.record.cost)

    @property
    def y(self) -> np.ndarray:
        """The desired output: one-hot for the label."""
        return self.record.y[0]

    def activations(self, layer: int) -> np.ndarray:
        """Return neuron layer ``layer``'s activations for this example."""
        return self.record.activations[layer][0]

    def sigma_prime(self, layer: int) -> np.ndarray | None:
        """Return sigma'(z) of neuron layer ``layer`` (1 .. L), None for a softmax output."""
        a = self.activations(layer)
        if layer < self.n_layers:
            return self.network.activation.prime_from_output(a.copy())
        if hasattr(self.network.output_activation, "prime_from_output"):
            return self.network.output_activation.prime_from_output(a.copy())
        return None

    def trace(self) -> ExampleTrace:
        """Return this example's forward and backward pass as the main diagram draws it."""
        return ExampleTrace.from_record(self.record, 0, self.image, self.network.cost)

    def neuron_formula(self, layer: int, index: int) -> NeuronFormula:
        """Return the terms of a = sigma(w . a_prev + b) for neuron ``index`` of ``layer``."""
        return NeuronFormula(
            layer=layer,
            index=index,
            weights=self.network.weights[layer - 1][index].copy(),
            inputs=self.activations(layer - 1).copy(),
            bias=float(self.network.biases[layer - 1][index]),
            z=float(self.record.zs[layer - 1][0, index]),
            a=float(self.activations(layer)[index]),
        )

    def cost_breakdown(self) -> np.ndarray:
        """Return each output neuron's share of C_x (quadratic: 1/2 (a_j - y_j)^2)."""
        return self.network.cost.per_output(self.activations(self.n_layers), self.y)

    def desired_nudges(self) -> np.ndarray:
        """Return the nudge each output neuron wants, y - a (``engine.lessons.nudges``: on a or on
        z)."""
        return desired_nudges(self.network.config.cost, self.activations(self.n_layers), self.y)

    def output_change(self, index: int) -> OutputChange:
        """Return the bias, weight and previous-activation gradients of output neuron ``index``."""
        last = self.n_layers
        delta = float(self.record.deltas[-1][0, index])
        prime = self.sigma_prime(last)
        return OutputChange(
            index=index,
            dc_da=float(self.record.dc_da[-1][0, index]),
            sigma_prime=float("nan") if prime is None else float(prime[index]),
            delta=delta,
            weight_gradients=self.activations(last - 1) * delta,  # BP4
            previous_gradients=self.network.weights[-1][index] * delta,
        )

    def hidden_change(self, layer: int, index: int) -> HiddenChange:
        """Return the contributions w_kj * delta_k summing to dC/da_j of a hidden neuron (BP2)."""
        contributions = self.network.weights[layer][:, index] * self.record.deltas[layer][0]
        prime = float(self.sigma_prime(layer)[index])
        return HiddenChange(
            layer=layer,
            index=index,
            contributions=contributions,
            dc_da=float(self.record.dc_da[layer - 1][0, index]),
            sigma_prime=prime,
            delta=float(self.record.deltas[layer - 1][0, index]),  # BP2
        )

    def example_weight_gradients(self, layer: int, out: int, col: int) -> np.ndarray:
        """Return each batch example's own dC_x/dw for parameter (layer, out, col), shape (m,)."""
        deltas = self.batch.deltas[layer][:, out]
        if col == self.sizes[layer]:
            return deltas.copy()  # BP3
        return deltas * self.batch.activations[layer][:, col]  # BP4

    def batch_gradient(self, layer: int, out: int, col: int) -> float:
        """Return the mini-batch gradient (the mean over its examples) of one parameter."""
        if col == self.sizes[layer]:
            return float(self.batch.nabla_b[layer][out])
        return float(self.batch.nabla_w[layer][out, col])

    def featured_weights(self, count: int = 4) -> list[tuple[int, int, int]]:
        """Return a few weights worth watching: the largest mini-batch gradient of each layer."""
        found = []
        for layer, g in enumerate(self.batch.nabla_w):
            out, col = np.unravel_index(int(np.argmax(np.abs(g))), g.shape)
            found.append((layer, int(out), int(col)))
        return found[-count:]
