"""A fully connected network: its configuration, its parameters and a full record of backprop.

See ``engine.core.backprop`` for the conventions: weights (n_out, n_in) with the bias folded in as
the last column of ``params[k]``; every array this module takes or returns holds one example per
row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.core import backprop
from engine.core.activations import ACTIVATIONS
from engine.core.costs import COSTS

INITS = ("normal", "scaled")


@dataclass(frozen=True)
class NetworkConfig:
    """The architecture and numerics of a network; changing any of these means a new network.

    ``init``: "normal" draws every weight and bias from N(0, 1) as the seed's network does;
    "scaled" draws weights from N(0, 1/n_in) (N(0, 2/n_in), He's, for ReLU) and biases from N(0, 1).
    """

    sizes: tuple[int, ...] = (784, 16, 16, 10)
    activation: str = "sigmoid"
    cost: str = "quadratic"
    init: str = "normal"
    dtype: str = "float32"

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", tuple(int(n) for n in self.sizes))
        if len(self.sizes) < 2 or any(n < 1 for n in self.sizes):
            raise ValueError(f"layer sizes must be two or more positive numbers, got {self.sizes}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {self.activation!r}; use one of {list(ACTIVATIONS)}"
            )
        if self.cost not in COSTS:
            raise ValueError(f"unknown cost {self.cost!r}; use one of {list(COSTS)}")
        if self.init not in INITS:
            raise ValueError(f"unknown initialisation {self.init!r}; use one of {list(INITS)}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be float32 or float64, got {self.dtype!r}")


@dataclass(frozen=True)
class BackpropRecord:
    """Everything one backward pass computed for a mini-batch, as copies the caller may keep.

    Per layer k = 1 .. L (index k - 1 in the weight-layer lists): ``activations[k]`` (m, n_k),
    ``zs[k - 1]``, ``deltas[k - 1]`` = dC/dz and ``dc_da[k - 1]`` = dC/da, each (m, n_k), one row
    per example;
    ``nabla_w`` and ``nabla_b``: the gradient of the MEAN cost over the batch, as SGD uses it.
    """

    activations: tuple[np.ndarray, ...]
    zs: tuple[np.ndarray, ...]
    deltas: tuple[np.ndarray, ...]
    dc_da: tuple[np.ndarray, ...]
    nabla_w: tuple[np.ndarray, ...]
    nabla_b: tuple[np.ndarray, ...]
    cost: float
    y: np.ndarray = field(repr=False)

    @classmethod
    def of(cls, ws: backprop.Workspace, cost, mean_cost: float) -> BackpropRecord:
        """Copy a workspace after its backward pass; ``cost`` is the cost class that ran BP1."""
        m = ws.batch_size
        n_layers = len(ws.deltas)  # L weight layers
        dc_da = [ws.dc_da[k].copy() for k in range(1, n_layers)]  # hidden layers 1 .. L-1
        dc_da.append(np.ascontiguousarray(cost.dc_da(ws.acts[-1], ws.y)))
        return cls(
            activations=tuple(ws.outputs(k).copy() for k in range(n_layers + 1)),
            zs=tuple(z.copy() for z in ws.zs),
            deltas=tuple(d.copy() for d in ws.deltas),
            dc_da=tuple(dc_da),
            nabla_w=tuple(g[:, :-1] / m for g in ws.grads),
            nabla_b=tuple(g[:, -1] / m for g in ws.grads),
            cost=mean_cost,
            y=ws.y.copy(),
        )

    def per_example(self, i: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return example i's own gradient (nabla_w, nabla_b) before averaging (BP4, BP3)."""
        nabla_w = [np.outer(d[i], a[i]) for d, a in zip(self.deltas, self.activations)]  # BP4
        nabla_b = [d[i].copy() for d in self.deltas]  # BP3
        return nabla_w, nabla_b


class Network:
    """A fully connected feed-forward network with one activation for hidden layers."""

    def __init__(self, config: NetworkConfig, rng: np.random.Generator | None = None) -> None:
        self._allocate(config)
        rng = rng if rng is not None else np.random.default_rng()
        for p in self.params:
            n_in = p.shape[1] - 1
            scale = 1.0
            if config.init == "scaled":
                scale = np.sqrt((2.0 if config.activation == "relu" else 1.0) / n_in)
            p[:, :-1] = rng.standard_normal((len(p), n_in)) * scale
            p[:, -1] = rng.standard_normal(len(p))

    @classmethod
    def from_parameters(
        cls, config: NetworkConfig, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
    ) -> Network:
        """Return a network holding copies of the given weights and biases, drawing nothing."""
        net = cls.__new__(cls)
        net._allocate(config)
        net.set_parameters(weights, biases)
        return net

    def _allocate(self, config: NetworkConfig) -> None:
        """Set the configuration and its plug-ins, and allocate the parameters uninitialised."""
        self.config = config
        self.activation = ACTIVATIONS[config.activation]
        self.cost = COSTS[config.cost]
        self.output_activation = self.cost.output_activation
        self.dtype = np.dtype(config.dtype)
        sizes = config.sizes
        self.params = [
            np.empty((n_out, n_in + 1), self.dtype) for n_in, n_out in zip(sizes, sizes[1:])
        ]

    @property
    def sizes(self) -> tuple[int, ...]:
        """The number of neurons in each layer, input first."""
        return self.config.sizes

    @property
    def weights(self) -> list[np.ndarray]:
        """Views of each layer's weights (n_out, n_in); writing to them changes the network."""
        return [p[:, :-1] for p in self.params]

    @property
    def biases(self) -> list[np.ndarray]:
        """Views of each layer's biases, shape (n_out,); writing to them changes the network."""
        return [p[:, -1] for p in self.params]

    def copy(self) -> Network:
        """Return an independent network with the same configuration and parameters."""
        twin = Network.__new__(Network)
        twin.__dict__.update(self.__dict__)
        twin.params = [p.copy() for p in self.params]
        return twin

    def set_parameters(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> None:
        """Replace every weight and bias (shapes must match the architecture)."""
        for p, w, b in zip(self.params, weights, biases, strict=True):
            if w.shape != (p.shape[0], p.shape[1] - 1) or b.shape != (p.shape[0],):
                raise ValueError(f"shape mismatch: {w.shape}, {b.shape} for layer {p.shape}")
            p[:, :-1] = w
            p[:, -1] = b

    def all_finite(self) -> bool:
        """Return True if no weight or bias is NaN or infinite."""
        return all(bool(np.isfinite(p).all()) for p in self.params)

    def workspace(self, x: np.ndarray) -> backprop.Workspace:
        """Return a fresh workspace holding the inputs x (m, n_0), forward pass already done."""
        x = np.atleast_2d(x)
        ws = backprop.Workspace(self.sizes, len(x), self.dtype)
        ws.x[:, :-1] = x
        backprop.forward(self.params, self.activation, self.output_activation, ws)
        return ws

    def feedforward(self, x: np.ndarray) -> np.ndarray:
        """Return the output activations a^L for the inputs x, one example per row."""
        return np.ascontiguousarray(self.workspace(x).acts[-1])

    def one_hot(self, labels: np.ndarray) -> np.ndarray:
        """Return the desired outputs y for integer labels, shape (m, n_L)."""
        labels = np.atleast_1d(labels)
        y = np.zeros((len(labels), self.sizes[-1]), self.dtype)
        y[np.arange(len(labels)), labels] = 1.0
        return y

    def mean_cost(self, x: np.ndarray, labels: np.ndarray) -> np.floating:
        """Return the cost C averaged over the examples x with their labels."""
        return self.cost.fn(self.feedforward(x), self.one_hot(labels))

    def backward_workspace(
        self, x: np.ndarray, labels: np.ndarray
    ) -> tuple[backprop.Workspace, float]:
        """Run forward and backward on a mini-batch; return the workspace and the SUMMED cost."""
        ws = self.workspace(x)
        ws.y[:] = self.one_hot(labels)
        return ws, backprop.backward(self.params, self.activation, self.cost, ws)

    def backprop(self, x: np.ndarray, labels: np.ndarray) -> BackpropRecord:
        """Run forward and backward on a mini-batch and return a full record for the views."""
        ws, total = self.backward_workspace(x, labels)
        return BackpropRecord.of(ws, self.cost, total / len(ws.y))
