"""The headless command line: ``main.py train`` and ``main.py evaluate``.

Bad input prints one line on stderr and exits with status 2; a diverging run exits with 3.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import NoReturn, TextIO

import numpy as np

from engine.activations import ACTIVATIONS
from engine.costs import COSTS
from engine.errors import BackpropLabError, DivergenceError
from engine.network import INITS, Network, NetworkConfig
from engine.training import BatchReport, TrainConfig, Trainer, evaluate

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are a single line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem and exit with status 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (try --help)\n")


def parse_layers(text: str) -> tuple[int, ...]:
    """Parse "784,16,16,10" into layer sizes, for MNIST: 784 inputs, 10 outputs."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"layers must be numbers separated by commas: {text!r}"
        ) from None
    if len(sizes) < 2 or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"layers need two or more positive sizes: {text!r}")
    if sizes[0] != 784 or sizes[-1] != 10:
        raise argparse.ArgumentTypeError(f"MNIST needs 784 inputs and 10 outputs: {text!r}")
    return sizes


def _positive(kind: type) -> callable:
    """Return an argparse type that accepts positive numbers of ``kind`` only."""

    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be positive and finite, got {text!r}")
        return value

    return convert


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for the ``train`` and ``evaluate`` commands."""
    parser = _Parser(prog="backprop-lab", description="Train and evaluate networks on MNIST.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser("train", help="train a network and print per-epoch results")
    train.add_argument("--data", default="sample", help="sample (bundled), full, or a folder")
    train.add_argument("--layers", type=parse_layers, default=(784, 16, 16, 10))
    train.add_argument("--activation", choices=sorted(ACTIVATIONS), default="sigmoid")
    train.add_argument("--cost", choices=sorted(COSTS), default="quadratic")
    train.add_argument("--init", choices=INITS, default="normal")
    train.add_argument("--batch-size", type=_positive(int), default=10)
    train.add_argument("--lr", type=_positive(float), default=3.0, help="learning rate eta")
    train.add_argument("--momentum", type=float, default=0.0)
    train.add_argument("--l2", type=float, default=0.0, help="L2 regularisation lambda")
    train.add_argument("--epochs", type=_positive(int), default=1)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--save", metavar="PATH", help="save the trained network (.npz)")
    train.add_argument("--json", action="store_true", help="one JSON object per epoch")
    ev = commands.add_parser("evaluate", help="print a saved network's test cost and accuracy")
    ev.add_argument("model", help="a .npz model file saved by Backprop Lab")
    ev.add_argument("--data", default="sample", help="sample (bundled), full, or a folder")
    ev.add_argument("--json", action="store_true", help="print a JSON object")
    return parser


def _progress(out: TextIO, epoch: int, done: int, total: int, cost: float) -> None:
    """Draw a one-line progress bar for the current epoch."""
    width = 30
    filled = int(width * done / total)
    bar = "#" * filled + "-" * (width - filled)
    out.write(f"\repoch {epoch} [{bar}] {done}/{total} cost {cost:.4f}")
    out.flush()


def _train(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the ``train`` command."""
    from engine.datasets import load_data
    from engine.model_io import save_model

    data = load_data(args.data)
    config = NetworkConfig(args.layers, args.activation, args.cost, args.init)
    hyper = TrainConfig(args.lr, args.batch_size, args.momentum, args.l2)
    network = Network(config, np.random.default_rng(np.random.SeedSequence([args.seed, 0])))
    trainer = Trainer(network, data.train.images, data.train.labels, hyper, seed=args.seed)
    last_draw = 0.0
    for report in trainer.reports(data.test.images, data.test.labels, epochs=args.epochs):
        if isinstance(report, BatchReport):
            if not args.json and time.perf_counter() - last_draw > 0.1:
                last_draw = time.perf_counter()
                done = report.examples_seen - report.epoch * trainer.n_train
                _progress(err, report.epoch + 1, done, trainer.n_train, report.cost)
            continue
        row = {
            "epoch": report.epoch,
            "train_cost": report.train_cost,
            "test_cost": report.test_cost,
            "test_accuracy": report.test_accuracy,
            "train_seconds": round(report.seconds, 4),
            "examples_per_second": round(trainer.n_train / report.seconds, 1),
        }
        if args.json:
            out.write(json.dumps(row) + "\n")
        else:
            _progress(err, report.epoch, trainer.n_train, trainer.n_train, report.train_cost)
            err.write("\n")
            out.write(
                f"epoch {report.epoch}: test accuracy {report.test_correct}/{report.test_total} "
                f"({100 * report.test_accuracy:.2f}%), test cost {report.test_cost:.4f}, "
                f"{report.seconds:.2f} s ({row['examples_per_second']:,.0f} examples/s)\n"
            )
        out.flush()
    if args.save:
        save_model(args.save, network, hyper, trainer.epoch, trainer.examples_seen)
    return 0


def _evaluate(args: argparse.Namespace, out: TextIO) -> int:
    """Run the ``evaluate`` command."""
    from engine.datasets import load_data
    from engine.model_io import load_model

    saved = load_model(args.model)
    data = load_data(args.data)
    result = evaluate(saved.network, data.test.images, data.test.labels)
    if args.json:
        row = {"test_cost": result.cost, "test_accuracy": result.accuracy, "epoch": saved.epoch}
        out.write(json.dumps(row) + "\n")
    else:
        out.write(
            f"test accuracy {result.correct}/{result.total} ({100 * result.accuracy:.2f}%), "
            f"test cost {result.cost:.4f}\n"
        )
    return 0


def run(argv: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run a command line (without the program name) and return the exit status."""
    from engine import limit_blas_threads

    args = build_parser().parse_args(list(argv))
    limit_blas_threads()
    try:
        if args.command == "train":
            return _train(args, out, err)
        return _evaluate(args, out)
    except DivergenceError as exc:
        err.write(f"\nbackprop-lab: {exc}\n")
        return EXIT_DIVERGED
    except (BackpropLabError, ValueError) as exc:
        err.write(f"backprop-lab: {exc}\n")
        return EXIT_BAD_INPUT
    except OSError as exc:
        err.write(f"backprop-lab: {exc.strerror or exc}: {exc.filename or ''}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        err.write("\nbackprop-lab: interrupted\n")
        return 130
