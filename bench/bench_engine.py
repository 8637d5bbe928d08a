"""How fast the engine trains the seed's network, against a textbook loop and PyTorch, in one run.

Every row trains one epoch over the 60,000 MNIST training images with Nielsen's ``network.py``
settings: mini-batch 10, eta 3.0, sigmoid neurons, the quadratic cost, weights and biases drawn
from N(0, 1), here in float32 on one BLAS thread. All rows run in the same process, interleaved,
so the ratios hold even when the machine is busy with other work.

Rows:

- engine: ``Trainer.epoch_batches`` from ``engine.core.training``, the code the app runs.
- textbook: Nielsen's ``update_mini_batch`` and ``backprop`` copied into this file, one column
  vector per example, the gradients of the mini-batch accumulated one example at a time (one epoch),
  with the sigmoid of ``engine.core.reference``.
- torch: the same network, cost and initial weights in PyTorch CPU with ``torch.optim.SGD`` and a
  plain zero_grad / backward / step loop on one thread.

Each round trains one epoch of every implementation from the same initial weights, the three
epochs cut into 20 slices of 300 mini-batches and interleaved slice by slice, so that all three
meet the same machine: on a shared 2-vCPU machine the same epoch takes 0.4 s one minute and 0.8 s
the next, and a textbook epoch timed a minute apart from the engine's moved the ratio by +-30%.
A speed-up is the median over rounds (5, 1 with --quick, or --rounds N) of the ratio within a
round; the table also shows the lowest and highest round.

Then the test accuracy after 1 epoch (784-30-10) and 10 epochs (784-16-16-10), and a cross-check
that one mini-batch step of all three, and of ``engine.core.reference`` (the whole algorithm as the
book writes it, in float64, the yardstick of tests/test_reference.py), gives the same weights.
Run from the repository root::

    /work/venv/bin/python bench/bench_engine.py [--quick] [--rounds N] [--json] [--mnist DIR]

The exit status is 0 when every requirement holds and 1 otherwise; a skipped row is not a failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmark the checkout's engine, wherever it is run from

import engine  # noqa: E402
from engine.core import reference  # noqa: E402
from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.reference import sigmoid, sigmoid_prime  # noqa: E402
from engine.core.training import TrainConfig, Trainer, evaluate, to_inputs  # noqa: E402
from engine.data.datasets import load_mnist_dir  # noqa: E402

ARCHITECTURES = ((784, 30, 10), (784, 16, 16, 10))
ETA = 3.0
BATCH_SIZE = 10
DTYPE = np.float32
INIT_SEED = 0  # the seed of the initial weights every implementation starts from
SHUFFLE_SEED = 0
REQUIRED_VS_TEXTBOOK = 10.0  # the engine must be at least this many times faster
REQUIRED_VS_TORCH = 5.0
REQUIRED_ACCURACY = {(784, 30, 10): (1, 0.90), (784, 16, 16, 10): (10, 0.93)}  # epochs, accuracy
# torch.testing.assert_close's tolerance for float32.
RTOL = 1.3e-6
ATOL = 1e-5
SLOW_EPOCH_WARNING = 0.5  # seconds per engine epoch of 784-16-16-10 worth a warning
SLICE = 300  # mini-batches per slice of the interleaved epochs: 20 slices per MNIST epoch
INTERLEAVED = f"interleaved, slices of {SLICE}"


def name_of(sizes: tuple[int, ...]) -> str:
    """Return an architecture's usual name, such as 784-30-10."""
    return "-".join(str(n) for n in sizes)


def progress(message: str) -> None:
    """Tell the person waiting what is being measured, on stderr so stdout stays clean."""
    print(f"  ... {message}", file=sys.stderr, flush=True)


def initial_network(sizes: tuple[int, ...]) -> Network:
    """Return the engine's seed network (sigmoid, quadratic cost, N(0, 1) init, float32)."""
    config = NetworkConfig(sizes, "sigmoid", "quadratic", "normal", "float32")
    return Network(config, np.random.default_rng(INIT_SEED))


def network_with(
    sizes: tuple[int, ...], weights: list[np.ndarray], biases: list[np.ndarray]
) -> Network:
    """Return an engine network holding the given weights (n_out, n_in) and biases (n_out,)."""
    net = initial_network(sizes)
    net.set_parameters(weights, biases)
    return net


class TextbookNetwork:
    """Nielsen's ``network.py`` training step, kept line for line, in float32.

    Two changes from the book, both needed for float32: the zero arrays take the parameters'
    dtype (``np.zeros`` would make them float64), and exp's overflow warning for very negative z
    is silenced by the caller (the book's sigmoid then returns 0, the right limit).
    """

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        self.num_layers = len(weights) + 1
        self.weights = [w.copy() for w in weights]  # (n_out, n_in)
        self.biases = [b.reshape(-1, 1).copy() for b in biases]  # (n_out, 1), a column

    def sgd_epoch(
        self, training_data: list[tuple[np.ndarray, np.ndarray]], eta: float
    ) -> Iterator[None]:
        """Shuffle the training data and train on each of its mini-batches, as ``SGD`` does.

        A generator that pauses after every SLICE mini-batches, so the benchmark can interleave.
        """
        random.shuffle(training_data)
        n = len(training_data)
        mini_batches = [training_data[k : k + BATCH_SIZE] for k in range(0, n, BATCH_SIZE)]
        for i, mini_batch in enumerate(mini_batches, 1):
            self.update_mini_batch(mini_batch, eta)
            if i % SLICE == 0:
                yield

    def update_mini_batch(
        self, mini_batch: list[tuple[np.ndarray, np.ndarray]], eta: float
    ) -> None:
        """Apply one gradient-descent step, summing backprop's gradients one example at a time."""
        nabla_b = [np.zeros(b.shape, b.dtype) for b in self.biases]
        nabla_w = [np.zeros(w.shape, w.dtype) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x: np.ndarray, y: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return the gradient (nabla_b, nabla_w) of one example's cost, x and y as columns."""
        nabla_b = [np.zeros(b.shape, b.dtype) for b in self.biases]
        nabla_w = [np.zeros(w.shape, w.dtype) for w in self.weights]
        activation = x
        activations = [x]  # every layer's activations, (n_k, 1)
        zs = []  # every layer's weighted inputs z, (n_k, 1)
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])  # BP1
        nabla_b[-1] = delta  # BP3
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())  # BP4
        for layer in range(2, self.num_layers):
            z = zs[-layer]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-layer + 1].transpose(), delta) * sp  # BP2
            nabla_b[-layer] = delta  # BP3
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].transpose())  # BP4
        return (nabla_b, nabla_w)

    def parameters(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return the weights (n_out, n_in) and the biases as flat (n_out,) arrays."""
        return [w.copy() for w in self.weights], [b.ravel().copy() for b in self.biases]


def textbook_data(x: np.ndarray, labels: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return Nielsen's training data: (x, y) pairs of column vectors (784, 1) and (10, 1)."""
    y = np.zeros((len(labels), 10, 1), DTYPE)
    y[np.arange(len(labels)), labels, 0] = 1.0
    columns = np.ascontiguousarray(x).reshape(len(x), -1, 1)  # (n, 784, 1); each [i] is a view
    return list(zip(columns, y))


class TorchNetwork:
    """The same network, cost and SGD in PyTorch, trained with the usual plain loop."""

    def __init__(self, torch, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        self.torch = torch
        layers = []
        for w, b in zip(weights, biases):
            linear = torch.nn.Linear(w.shape[1], w.shape[0])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(w))
                linear.bias.copy_(torch.from_numpy(b))
            layers += [linear, torch.nn.Sigmoid()]
        self.model = torch.nn.Sequential(*layers)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=ETA)
        self.generator = torch.Generator().manual_seed(SHUFFLE_SEED)

    def step(self, xb, yb) -> None:
        """Take one SGD step on a mini-batch; cost 1/2 sum_j (a_j - y_j)^2, mean over the batch."""
        self.optimizer.zero_grad()
        a = self.model(xb)
        cost = self.torch.nn.functional.mse_loss(a, yb, reduction="sum") / (2 * len(xb))
        cost.backward()
        self.optimizer.step()

    def epoch(self, x, y) -> Iterator[None]:
        """Train one epoch over the tensors x (n, 784) and y (n, 10) in a fresh random order.

        A generator that pauses after every SLICE mini-batches, so the benchmark can interleave.
        """
        order = self.torch.randperm(len(x), generator=self.generator)
        for i, k in enumerate(range(0, len(x), BATCH_SIZE), 1):
            idx = order[k : k + BATCH_SIZE]
            self.step(x[idx], y[idx])
            if i % SLICE == 0:
                yield

    def parameters(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return the weights (n_out, n_in) and biases (n_out,) as NumPy copies."""
        linears = [m for m in self.model if isinstance(m, self.torch.nn.Linear)]
        weights = [m.weight.detach().numpy().copy() for m in linears]
        biases = [m.bias.detach().numpy().copy() for m in linears]
        return weights, biases


def import_torch() -> tuple[object | None, str]:
    """Return torch set to one thread and its version, or None and why it is missing."""
    try:
        import torch
    except ImportError as exc:
        return None, f"torch is not installed ({exc})"
    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):  # already set once in this process
        torch.set_num_interop_threads(1)
    engine.limit_blas_threads()  # covers any BLAS torch brought in
    return torch, torch.__version__


@dataclass
class SpeedRow:
    """One implementation's time for one epoch of one architecture."""

    implementation: str
    network: str
    seconds: list[float] = field(default_factory=list)
    accuracy: float | None = None  # on the test set, after the first timed epoch
    required: float | None = None  # the engine's required speed-up over this row
    speedup: float | None = None
    round_speedups: list[float] = field(default_factory=list)  # the ratio within each round
    passed: bool | None = None
    note: str = ""

    @property
    def median(self) -> float:
        """Return the median epoch time in seconds."""
        return statistics.median(self.seconds)


def engine_parameters(net: Network) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Return copies of an engine network's weights and biases."""
    return [w.copy() for w in net.weights], [b.copy() for b in net.biases]


def measure_speed(data, x_train, x_test_uint8, repeats: int, torch) -> list[SpeedRow]:
    """Time one epoch of every implementation on every architecture, interleaved in rounds."""
    train = data.train
    rows: list[SpeedRow] = []
    jobs: list[
        tuple[SpeedRow, Callable[[], None], Callable[[], Iterator[None]], Callable[[], Network]]
    ] = []
    text_data = textbook_data(x_train, train.labels)
    if torch is not None:
        tx = torch.from_numpy(x_train)
        ty = torch.from_numpy(initial_network((784, 10)).one_hot(train.labels))
    for sizes in ARCHITECTURES:
        name = name_of(sizes)
        start = initial_network(sizes)
        w0, b0 = engine_parameters(start)
        net = start.copy()
        trainer = Trainer(
            net, train.images, train.labels, TrainConfig(ETA, BATCH_SIZE), SHUFFLE_SEED
        )

        def engine_reset(net=net, trainer=trainer, w0=w0, b0=b0) -> None:
            """Put the engine back to the initial weights and the start of its shuffling."""
            net.set_parameters(w0, b0)
            trainer.reset_schedule(SHUFFLE_SEED)

        def engine_run(trainer=trainer) -> Iterator[None]:
            """Train the engine for one epoch through the generator the app drives."""
            for i, _ in enumerate(trainer.epoch_batches(), 1):
                if i % SLICE == 0:
                    yield

        row = SpeedRow("engine", name, note=INTERLEAVED)
        jobs.append((row, engine_reset, engine_run, lambda net=net: net))
        rows.append(row)

        book = {}

        def book_reset(book=book, w0=w0, b0=b0) -> None:
            """Start a fresh textbook network from the initial weights."""
            book["net"] = TextbookNetwork(w0, b0)
            random.seed(SHUFFLE_SEED)

        def book_run(book=book) -> Iterator[None]:
            """Train the textbook network for one epoch, silencing exp's overflow warning."""
            with np.errstate(over="ignore"):
                yield from book["net"].sgd_epoch(text_data, ETA)

        def book_result(book=book, sizes=sizes) -> Network:
            """Return the trained textbook weights in an engine network for evaluation."""
            return network_with(sizes, *book["net"].parameters())

        row = SpeedRow("textbook loop", name, required=REQUIRED_VS_TEXTBOOK, note=INTERLEAVED)
        jobs.append((row, book_reset, book_run, book_result))
        rows.append(row)

        if torch is None:
            rows.append(SpeedRow("torch", name, required=REQUIRED_VS_TORCH, note="SKIP"))
            continue
        box = {}

        def torch_reset(box=box, w0=w0, b0=b0) -> None:
            """Start a fresh PyTorch network from the initial weights."""
            box["net"] = TorchNetwork(torch, w0, b0)

        def torch_run(box=box) -> Iterator[None]:
            """Train the PyTorch network for one epoch."""
            yield from box["net"].epoch(tx, ty)

        def torch_result(box=box, sizes=sizes) -> Network:
            """Return the trained PyTorch weights in an engine network for evaluation."""
            return network_with(sizes, *box["net"].parameters())

        row = SpeedRow(
            f"torch {torch.__version__.split('+')[0]}",
            name,
            required=REQUIRED_VS_TORCH,
            note=INTERLEAVED,
        )
        jobs.append((row, torch_reset, torch_run, torch_result))
        rows.append(row)

    # One epoch of each implementation per round, cut into slices of SLICE mini-batches and
    # interleaved per architecture: slice 1 of the engine, of the textbook loop, of torch, then
    # slice 2 of each, and so on (the order rotating), so that every implementation meets the
    # same machine. Each row's time is the sum of its slices.
    for round_ in range(repeats):
        for sizes in ARCHITECTURES:
            name = name_of(sizes)
            group = [job for job in jobs if job[0].network == name]
            progress(f"round {round_ + 1}/{repeats}: {name}, all implementations interleaved")
            runs = []
            for _row, reset, run, _result in group:
                reset()
                runs.append(run())
            totals = [0.0] * len(group)
            live = list(range(len(group)))
            turn = 0
            while live:
                order = live[turn % len(live) :] + live[: turn % len(live)]
                turn += 1
                for j in order:
                    start = time.perf_counter()
                    more = next(runs[j], StopIteration) is not StopIteration
                    totals[j] += time.perf_counter() - start
                    if not more:
                        live.remove(j)
            for (row, _reset, _run, result), seconds in zip(group, totals, strict=True):
                row.seconds.append(seconds)
                if row.accuracy is None:
                    row.accuracy = evaluate(result(), x_test_uint8, data.test.labels).accuracy
    by_network = {row.network: row for row in rows if row.implementation == "engine"}
    for row in rows:
        if row.required is not None and row.seconds:
            # The median over rounds of the ratio within each round (same machine, same minute).
            engine_seconds = by_network[row.network].seconds
            row.round_speedups = [t / e for t, e in zip(row.seconds, engine_seconds, strict=True)]
            row.speedup = statistics.median(row.round_speedups)
            row.passed = row.speedup >= row.required
            if len(row.round_speedups) > 1:
                low, high = min(row.round_speedups), max(row.round_speedups)
                row.note += f"; rounds {low:.1f}-{high:.1f}x"
    return rows


@dataclass
class AccuracyRow:
    """The test accuracy the engine reaches after some epochs."""

    network: str
    epochs: int
    accuracy: float | None
    required: float
    passed: bool | None


def measure_accuracy(data, speed_rows: list[SpeedRow], full: bool) -> list[AccuracyRow]:
    """Return the test accuracy after the required epochs (1 epoch comes free from the timing)."""
    rows = []
    for sizes in ARCHITECTURES:
        name = name_of(sizes)
        epochs, required = REQUIRED_ACCURACY[sizes]
        if epochs == 1:
            accuracy = next(
                r.accuracy for r in speed_rows if r.implementation == "engine" and r.network == name
            )
        elif full:
            progress(f"training {name} for {epochs} epochs")
            net = initial_network(sizes)
            trainer = Trainer(
                net,
                data.train.images,
                data.train.labels,
                TrainConfig(ETA, BATCH_SIZE),
                SHUFFLE_SEED,
            )
            for _ in trainer.batches(epochs):
                pass
            accuracy = evaluate(net, data.test.images, data.test.labels).accuracy
        else:
            accuracy = None
        passed = None if accuracy is None else accuracy >= required
        rows.append(AccuracyRow(name, epochs, accuracy, required, passed))
    return rows


@dataclass
class CrossCheckRow:
    """How far apart the weights are after one identical mini-batch step."""

    network: str
    textbook_vs_engine: float
    reference_vs_engine: float
    torch_vs_engine: float | None
    largest_step: float
    passed: bool


def max_difference(a: list[np.ndarray], b: list[np.ndarray]) -> tuple[float, bool]:
    """Return the largest |a - b| over all layers and whether every layer is allclose."""
    diff = max(float(np.max(np.abs(p - q))) for p, q in zip(a, b, strict=True))
    close = all(np.allclose(p, q, rtol=RTOL, atol=ATOL) for p, q in zip(a, b, strict=True))
    return diff, close


def cross_check(data, x_train: np.ndarray, torch) -> list[CrossCheckRow]:
    """Take one mini-batch step with all three from the same weights and compare the results."""
    images = data.train.images[:BATCH_SIZE]
    labels = data.train.labels[:BATCH_SIZE]
    rows = []
    for sizes in ARCHITECTURES:
        net = initial_network(sizes)
        w0, b0 = engine_parameters(net)
        trainer = Trainer(net, images, labels, TrainConfig(ETA, BATCH_SIZE), SHUFFLE_SEED)
        trainer.step_batch()  # the batch is these 10 examples in shuffled order; the sum is not
        w_engine, b_engine = engine_parameters(net)

        book = TextbookNetwork(w0, b0)
        with np.errstate(over="ignore"):
            book.update_mini_batch(textbook_data(x_train[:BATCH_SIZE], labels), ETA)
        w_book, b_book = book.parameters()
        diff_book, close_book = max_difference(w_book + b_book, w_engine + b_engine)

        x = x_train[:BATCH_SIZE].astype(np.float64).T  # one example per column, as the book
        columns = [b.astype(np.float64).reshape(-1, 1) for b in b0]
        zeros = [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(w0, columns)]
        w_ref, b_ref, _ = reference.sgd_step(
            [w.astype(np.float64) for w in w0], columns, zeros, x,
            reference.one_hot(labels, 10), "sigmoid", "quadratic", ETA, 0.0, 0.0, len(labels),
        )  # fmt: skip
        diff_ref, close_ref = max_difference(
            w_ref + [b.ravel() for b in b_ref], w_engine + b_engine
        )

        diff_torch, close_torch = None, True
        if torch is not None:
            twin = TorchNetwork(torch, w0, b0)
            y = initial_network((784, 10)).one_hot(labels)
            twin.step(torch.from_numpy(x_train[:BATCH_SIZE]), torch.from_numpy(y))
            w_torch, b_torch = twin.parameters()
            diff_torch, close_torch = max_difference(w_torch + b_torch, w_engine + b_engine)

        step = max(
            float(np.max(np.abs(p - q))) for p, q in zip(w_engine + b_engine, w0 + b0, strict=True)
        )
        rows.append(
            CrossCheckRow(
                name_of(sizes),
                diff_book,
                diff_ref,
                diff_torch,
                step,
                close_book and close_ref and close_torch,
            )
        )
    return rows


def machine_info(torch, torch_note: str) -> dict:
    """Return what the numbers depend on: versions, thread counts, CPUs and the current load."""
    from threadpoolctl import threadpool_info

    blas = [
        f"{lib['internal_api']} {lib['version']} ({lib['num_threads']} thread"
        f"{'s' if lib['num_threads'] != 1 else ''})"
        for lib in threadpool_info()
        if lib["user_api"] == "blas"
    ]
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas,
        "blas_threads": [
            lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
        ],
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "processor": cpu_model(),
        "load_average": [round(v, 2) for v in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "torch": torch.__version__ if torch is not None else None,
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "torch_note": torch_note,
    }


def cpu_model() -> str:
    """Return the CPU's model name from /proc/cpuinfo, or the platform's guess."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def verdict(passed: bool | None) -> str:
    """Return PASS, FAIL or SKIP for a requirement's outcome."""
    return {True: "PASS", False: "FAIL", None: "SKIP"}[passed]


def print_report(report: dict) -> None:
    """Print the machine, the speed table, the accuracy and the cross-check for a person."""
    m = report["machine"]
    n = report["train_examples"]
    print(
        f"Backprop Lab engine benchmark: 1 epoch = {n:,} MNIST training images, mini-batch "
        f"{BATCH_SIZE}, eta {ETA}, float32, sigmoid + quadratic cost, N(0,1) init"
    )
    print(
        f"machine: {m['processor']}, {m['cpu_count']} CPUs ({m['cpus_usable']} usable), "
        f"load average {m['load_average']}"
    )
    torch_text = f"torch {m['torch']} ({m['torch_threads']} thread)" if m["torch"] else "no torch"
    print(f"python {m['python']}, numpy {m['numpy']}, BLAS {', '.join(m['blas'])}, {torch_text}")
    print()
    header = (
        f"{'implementation':<15}{'network':<14}{'ms/epoch':>10}{'examples/s':>12}"
        f"{'test acc':>10}{'engine is':>15}{'required':>10}  {'result':<7}timing"
    )
    print(header)
    print("-" * len(header))
    for row in report["speed"]:
        if not row["seconds"]:
            reason = report["machine"]["torch_note"]
            print(f"{row['implementation']:<15}{row['network']:<14}{'':>57}  SKIP   {reason}")
            continue
        median = statistics.median(row["seconds"])
        speedup = "" if row["speedup"] is None else f"{row['speedup']:.1f}x faster"
        required = "" if row["required"] is None else f">= {row['required']:g}x"
        result = "" if row["passed"] is None else verdict(row["passed"])
        print(
            f"{row['implementation']:<15}{row['network']:<14}{median * 1000:>10,.0f}"
            f"{n / median:>12,.0f}{row['accuracy']:>10.2%}{speedup:>15}{required:>10}  "
            f"{result:<7}{row['note']}"
        )
    print()
    heading = "test accuracy (10,000 images)"
    print(f"{heading:<30}{'epochs':>7}{'accuracy':>10}{'required':>10}  result")
    for row in report["accuracy"]:
        acc = "-" if row["accuracy"] is None else f"{row['accuracy']:.2%}"
        print(
            f"{'engine ' + row['network']:<30}{row['epochs']:>7}{acc:>10}"
            f"{'>= ' + format(row['required'], '.0%'):>10}  {verdict(row['passed'])}"
        )
    print()
    print(
        "cross-check: one mini-batch step from identical weights, max |difference| of the updated"
        f" weights and biases (allclose rtol {RTOL:g}, atol {ATOL:g})"
    )
    print(
        f"{'network':<16}{'textbook-engine':>17}{'reference-engine':>18}{'torch-engine':>14}"
        f"{'largest step':>14}  result"
    )
    for row in report["cross_check"]:
        torch_diff = (
            "skipped" if row["torch_vs_engine"] is None else f"{row['torch_vs_engine']:.2e}"
        )
        print(
            f"{row['network']:<16}{row['textbook_vs_engine']:>17.2e}"
            f"{row['reference_vs_engine']:>18.2e}{torch_diff:>14}"
            f"{row['largest_step']:>14.3f}  {verdict(row['passed'])}"
        )
    print()
    for warning in report["warnings"]:
        print(f"WARNING: {warning}")
    print(f"overall: {'PASS' if report['passed'] else 'FAIL'} ({report['wall_seconds']:.0f} s)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Return the command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mnist",
        type=Path,
        default=ROOT.parent / "shared" / "mnist",
        help="directory holding the four MNIST IDX files (default: ../shared/mnist from the repo)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer engine repeats, no torch row and no 10-epoch accuracy run "
        "(the slow baseline still trains a full epoch)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="interleaved rounds of one epoch each; the speed-up is their median "
        "(default 5, or 1 with --quick)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    if args.rounds < 0:
        parser.error("--rounds must be 1 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every measurement, print the report and return the exit status."""
    args = parse_args(argv)
    began = time.perf_counter()
    engine.limit_blas_threads()
    if args.quick:
        torch, torch_note = None, "skipped by --quick"
    else:
        torch, torch_note = import_torch()
    progress(f"loading MNIST from {args.mnist}")
    data = load_mnist_dir(args.mnist)
    x_train = to_inputs(data.train.images, DTYPE)  # (60000, 784) in [0, 1]
    repeats = args.rounds or (1 if args.quick else 5)

    progress("cross-checking one mini-batch step")
    checks = cross_check(data, x_train, torch)
    speed = measure_speed(data, x_train, data.test.images, repeats, torch)
    accuracy = measure_accuracy(data, speed, full=not args.quick)

    warnings = []
    for row in speed:
        if row.implementation == "engine" and row.median > SLOW_EPOCH_WARNING:
            warnings.append(
                f"the engine took {row.median:.2f} s per epoch for {row.network} "
                f"(expected under {SLOW_EPOCH_WARNING} s)"
            )
    outcomes = [r.passed for r in speed] + [r.passed for r in accuracy] + [r.passed for r in checks]
    report = {
        "machine": machine_info(torch, torch_note),
        "settings": {
            "batch_size": BATCH_SIZE,
            "eta": ETA,
            "dtype": "float32",
            "activation": "sigmoid",
            "cost": "quadratic",
            "init": "normal",
            "init_seed": INIT_SEED,
            "repeats": repeats,
            "quick": args.quick,
        },
        "train_examples": len(data.train),
        "speed": [asdict(r) for r in speed],
        "accuracy": [asdict(r) for r in accuracy],
        "cross_check": [asdict(r) for r in checks],
        "warnings": warnings,
        "passed": all(p is not False for p in outcomes),
        "wall_seconds": time.perf_counter() - began,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
