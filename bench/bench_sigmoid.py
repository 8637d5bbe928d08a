"""Does SciPy earn its place? The engine's step with scipy.special.expit against a NumPy sigmoid.

SciPy is a large dependency (about 140 MB installed) used for one function: the sigmoid as
``expit``, one overflow-free ufunc call. The NumPy-only alternative without overflow warnings,
sigma(z) = (1 + tanh(z / 2)) / 2, takes four calls. First each function alone, into a buffer,
on every shape the trainer and the views give it: batches of 10 to 1,000 examples times layers of
16 to 100 neurons, and the 60,000 x 16 of a whole training set's hidden layer (median of repeats,
interleaved). Then the decision: both trainers train the seed network on full MNIST in slices of
300 mini-batches, interleaved; the figure is the median slice. Run from the repository root::

    .venv/bin/python bench/bench_sigmoid.py [--mnist DIR] [--slices N]

Exit status 0 when the NumPy sigmoid is more than 5% slower (SciPy stays), 1 otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import engine  # noqa: E402
from engine.core import activations  # noqa: E402
from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig, Trainer  # noqa: E402
from engine.data.datasets import load_mnist_dir  # noqa: E402

HALF = np.array(0.5, np.float32)
WORTH_IT = 1.05  # SciPy stays if the NumPy sigmoid makes a mini-batch this much slower
SHAPES = [(10, 16), (10, 30), (10, 100), (100, 16), (100, 100), (1000, 16), (1000, 100)]
SHAPES.append((60000, 16))  # a whole training set's first hidden layer, as the views compute it


def numpy_sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return sigma(z) = (1 + tanh(z / 2)) / 2: no overflow anywhere, NumPy only."""
    out = np.multiply(z, HALF, out)
    np.tanh(out, out)
    np.multiply(out, HALF, out)
    return np.add(out, HALF, out)


def time_calls(fn, z: np.ndarray, out: np.ndarray, calls: int) -> float:
    """Return the seconds per call of ``fn(z, out)``, over ``calls`` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        fn(z, out)
    return (time.perf_counter() - start) / calls


def shape_table(expit, rounds: int = 15) -> None:
    """Print both sigmoids' time per call on each shape, median of interleaved rounds."""
    rng = np.random.default_rng(0)
    print(f"{'shape':>12} {'expit':>10} {'numpy tanh':>11} {'numpy/expit':>12}")
    for shape in SHAPES:
        z = rng.normal(0, 4, shape).astype(np.float32)
        out = np.empty_like(z)
        calls = max(3, 200_000 // z.size)
        times: dict[str, list[float]] = {"expit": [], "tanh": []}
        for i in range(rounds):
            pairs = (("expit", expit), ("tanh", numpy_sigmoid))
            for name, fn in pairs[:: 1 if i % 2 else -1]:
                times[name].append(time_calls(fn, z, out, calls))
        e, t = statistics.median(times["expit"]), statistics.median(times["tanh"])
        label = f"{shape[0]} x {shape[1]}"
        print(f"{label:>12} {e * 1e6:8.1f} us {t * 1e6:8.1f} us {t / e:12.2f}")


def main(argv: list[str] | None = None) -> int:
    """Time both sigmoids in the real training step and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=Path, default=ROOT.parent / "shared" / "mnist")
    parser.add_argument("--slices", type=int, default=40)
    args = parser.parse_args(argv)
    engine.limit_blas_threads()
    data = load_mnist_dir(args.mnist)
    expit = activations.Sigmoid.fn
    z = np.linspace(-100, 100, 2001, dtype=np.float32)
    difference = float(np.abs(expit(z) - numpy_sigmoid(z.copy())).max())
    shape_table(expit)
    trainers = {}
    for name, fn in (("scipy expit", expit), ("numpy tanh", numpy_sigmoid)):
        activations.Sigmoid.fn = fn  # the trainer's step is made once, with this function
        net = Network(NetworkConfig(), np.random.default_rng(0))
        trainers[name] = Trainer(net, data.train.images, data.train.labels, TrainConfig(), 0)
        trainers[name].step_batch()
    activations.Sigmoid.fn = expit
    times: dict[str, list[float]] = {name: [] for name in trainers}
    for i in range(args.slices):
        for name in list(trainers)[:: 1 if i % 2 else -1]:
            start = time.perf_counter()
            for _ in range(300):
                trainers[name].step_batch()
            times[name].append((time.perf_counter() - start) / 300)
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, seconds in medians.items():
        epoch = seconds * len(data.train.labels) / 10
        print(
            f"{name:<12} {seconds * 1e6:6.1f} us per mini-batch (784-16-16-10, batch 10), "
            f"{epoch:.3f} s per epoch"
        )
    ratio = medians["numpy tanh"] / medians["scipy expit"]
    print(f"numpy / scipy: {ratio:.3f}; largest |difference| on [-100, 100]: {difference:.1e}")
    return 0 if ratio > WORTH_IT else 1


if __name__ == "__main__":
    sys.exit(main())
