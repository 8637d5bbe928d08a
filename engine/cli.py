"""The headless command line: ``main.py train`` and ``main.py evaluate``.

Bad input, and running out of memory, print one line on stderr and exit with status 2; a
diverging or stalled run exits with 3; Ctrl+C, SIGTERM or SIGHUP exit with 128 + the signal,
after saving the last finished epoch when ``--save`` was given. ``--json`` output is strict JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from typing import NoReturn, TextIO

import numpy as np

from engine import limits
from engine.core.activations import ACTIVATIONS
from engine.core.costs import COSTS
from engine.core.network import INITS, Network, NetworkConfig
from engine.core.training import BatchReport, TrainConfig, Trainer, evaluate
from engine.errors import BackpropLabError, DataError, DivergenceError, SaveError, printable
from engine.session import interrupts
from engine.session.interrupts import STOP_SIGNALS, Stopped
from engine.session.stall import is_stalled, stall_message
from engine.session.streams import Output

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3
DATA_HELP = (
    "sample (bundled), full (MNIST), fashion (Fashion-MNIST), kmnist, fashion-handful (ten "
    "bundled images), or a folder of IDX files or of class folders of images"
)
# the --data choices whose ten classes are known before loading; a folder's are counted after
TEN_CLASS_DATA = {
    "sample": "MNIST",
    "full": "MNIST",
    "fashion": "Fashion-MNIST",
    "kmnist": "Kuzushiji-MNIST",
    "fashion-handful": "Fashion-MNIST",
}


class CliParser(argparse.ArgumentParser):
    """An argument parser whose errors are a single line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line naming the problem and exit with status 2."""
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (try --help)\n")

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001, ANN201 - argparse's
        """Parse as argparse does, then refuse an output layer that cannot fit a named dataset."""
        namespace, extras = super().parse_known_args(args, namespace)
        layers, data = getattr(namespace, "layers", None), getattr(namespace, "data", None)
        if layers is not None and data in TEN_CLASS_DATA and layers[-1] != 10:
            text = ",".join(map(str, layers))
            self.error(f"{TEN_CLASS_DATA[data]} needs 784 inputs and 10 outputs: {text!r}")
        return namespace, extras

    def print_help(self, file: TextIO | None = None) -> None:
        """Print the help; a stdout that cannot take it raises (argparse would say nothing)."""
        out = Output(file or sys.stdout)
        out.write(self.format_help())
        out.flush()


def parse_layers(text: str) -> tuple[int, ...]:
    """Parse "784,16,16,10" into layer sizes: 784 inputs, one output per class (2 to 10)."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise argparse.ArgumentTypeError(
            f"layers must be whole numbers separated by commas: {shown!r}"
        ) from None
    problem = limits.out_of_range("the number of layers", len(sizes), limits.LAYERS)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    for layer, size in enumerate(sizes, 1):
        problem = limits.out_of_range(f"layer {layer}'s size", size, limits.LAYER_SIZE)
        if problem:
            raise argparse.ArgumentTypeError(problem)
    weights = sum(n_in * n_out for n_in, n_out in zip(sizes, sizes[1:], strict=False))
    if weights > limits.WEIGHTS:
        raise argparse.ArgumentTypeError(
            f"layers {text} make {weights:,} weights; a network may have at most {limits.WEIGHTS:,}"
        )
    if sizes[0] != 784 or not 2 <= sizes[-1] <= 10:
        raise argparse.ArgumentTypeError(
            f"the network needs 784 inputs and 2 to 10 outputs, one per class: {text!r}"
        )
    return sizes


def _number(kind: type, text: str) -> int | float:
    """Return ``text`` as a number of ``kind`` (int or float), or raise the error argparse shows."""
    try:
        return kind(text)
    except ValueError:
        digits = text.strip().lstrip("+-")
        if kind is int and digits.isdigit():  # too long for int(): beyond every range
            return 10 ** len(digits) * (-1 if text.strip().startswith("-") else 1)
        if len(text) > 40:
            text = text[:40] + "..."
        wanted = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}") from None


def number_in(kind: type, what: str, allowed: limits.Range) -> callable:
    """Return an argparse type for a number of ``kind`` inside the range its window control has."""

    def convert(text: str):
        value = _number(kind, text)
        problem = limits.out_of_range(what, value, allowed)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return value

    return convert


def _save_path(text: str) -> str:
    """Accept a --save path only if it names a file (checked again, in full, before training)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the file name to save to is empty")
    return text


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for the ``train`` and ``evaluate`` commands."""
    parser = CliParser(
        prog="backprop-lab",
        description="Train and evaluate networks on MNIST, Fashion-MNIST, KMNIST or your images.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CliParser)
    train = commands.add_parser("train", help="train a network and print per-epoch results")
    train.add_argument("--data", default="sample", help=DATA_HELP)
    train.add_argument(
        "--layers",
        type=parse_layers,
        help="layer sizes, default 784,16,16,N for the data's N classes (10 for digits)",
    )
    train.add_argument("--activation", choices=sorted(ACTIVATIONS), default="sigmoid")
    train.add_argument("--cost", choices=sorted(COSTS), default="quadratic")
    train.add_argument("--init", choices=INITS, default="normal")
    train.add_argument(
        "--batch-size", type=number_in(int, "mini-batch size", limits.BATCH_SIZE), default=10
    )
    train.add_argument(
        "--lr",
        type=number_in(float, "learning rate", limits.LEARNING_RATE),
        default=3.0,
        help="learning rate eta",
    )
    train.add_argument(
        "--momentum", type=number_in(float, "momentum", limits.MOMENTUM), default=0.0
    )
    train.add_argument(
        "--l2",
        type=number_in(float, "L2 regularisation", limits.L2),
        default=0.0,
        help="L2 regularisation lambda",
    )
    train.add_argument(
        "--epochs",
        type=number_in(int, "the number of epochs", limits.Range(1, limits.GOAL_EPOCHS.high)),
        default=1,
    )
    train.add_argument("--seed", type=number_in(int, "seed", limits.SEED), default=0)
    train.add_argument(
        "--save", metavar="PATH", type=_save_path, help="save the trained network (.npz)"
    )
    train.add_argument("--json", action="store_true", help="one JSON object per epoch")
    ev = commands.add_parser("evaluate", help="print a saved network's test cost and accuracy")
    ev.add_argument("model", help="a .npz model file saved by Backprop Lab")
    ev.add_argument("--data", default="sample", help=DATA_HELP)
    ev.add_argument("--json", action="store_true", help="print a JSON object")
    return parser


def _progress(out: TextIO, epoch: int, done: int, total: int, cost: float) -> None:
    """Draw a one-line progress bar for the current epoch."""
    width = 30
    filled = int(width * done / total)
    bar = "#" * filled + "-" * (width - filled)
    out.write(f"\repoch {epoch} [{bar}] {done}/{total} cost {cost:.4f}")
    out.flush()


def _is_terminal(stream: TextIO) -> bool:
    """Return whether stream is an open terminal (a progress bar makes sense only there)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def json_line(row: dict) -> str:
    """Return row as one line of strict JSON: a NaN or infinite number becomes null."""
    clean = {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()
    }
    return json.dumps(clean, allow_nan=False) + "\n"


def _check_save_target(path: str, data_spec: str) -> None:
    """Refuse a --save target before any training: unwritable, not a file, or the input data."""
    from engine.data.atomic import check_target
    from engine.data.datasets import data_files

    target = check_target(path)
    for data_file in data_files(data_spec):
        try:
            same = data_file.exists() and os.path.samefile(data_file, target)
        except OSError:  # the target does not exist yet, or the data file vanished
            same = False
        if same:
            raise SaveError(f"cannot save to {path}: it is one of the training data files")


@contextlib.contextmanager
def _stop_signals() -> Iterator[None]:
    """Turn Ctrl+C, SIGTERM and SIGHUP into Stopped for the duration of the block.

    A signal held since start-up (``engine.session.interrupts.hold``) is raised at once, inside it.
    """
    previous = {}

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    for sig in STOP_SIGNALS:
        previous[sig] = signal.signal(sig, stop)
    try:
        interrupts.check()
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _train(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the ``train`` command."""
    from engine.data.datasets import load_data
    from engine.data.model_io import save_model

    if args.save:
        _check_save_target(args.save, args.data)
    bar = not args.json and _is_terminal(err)
    finished = None  # (network copy, epoch, examples seen) after the last complete epoch
    costs: list[float] = []  # this epoch's mini-batch costs
    last_draw = 0.0
    try:  # a signal while the data loads is "before the first epoch finished" too
        data = load_data(args.data)
        layers = args.layers or (784, 16, 16, data.n_classes)
        if layers[-1] != data.n_classes:
            raise DataError(
                f"{args.data} has {data.n_classes} classes, so the last layer needs "
                f"{data.n_classes} neurons, not {layers[-1]}: --layers "
                f"{','.join(map(str, layers))}"
            )
        config = NetworkConfig(layers, args.activation, args.cost, args.init)
        hyper = TrainConfig(args.lr, args.batch_size, args.momentum, args.l2)
        network = Network(config, np.random.default_rng(np.random.SeedSequence([args.seed, 0])))
        trainer = Trainer(network, data.train.images, data.train.labels, hyper, seed=args.seed)
        for report in trainer.reports(data.test.images, data.test.labels, epochs=args.epochs):
            if isinstance(report, BatchReport):
                costs.append(report.cost)
                if bar and time.perf_counter() - last_draw > 0.1:
                    last_draw = time.perf_counter()
                    done = report.examples_seen - report.epoch * trainer.n_train
                    _progress(err, report.epoch + 1, done, trainer.n_train, report.cost)
                continue
            stalled = is_stalled(report.test_accuracy, np.array(costs))
            costs = []
            if not stalled:  # kept before it is reported, so a signal after the report saves it
                finished = (network.copy(), trainer.epoch, trainer.examples_seen)
            row = {
                "epoch": report.epoch,
                "train_cost": report.train_cost,
                "test_cost": report.test_cost,
                "test_accuracy": report.test_accuracy,
                "train_seconds": round(report.seconds, 4),
                "examples_per_second": round(trainer.n_train / report.seconds, 1),
                "stalled": stalled,
            }
            if args.json:
                out.write(json_line(row))
            else:
                if bar:
                    _progress(
                        err, report.epoch, trainer.n_train, trainer.n_train, row["train_cost"]
                    )
                    err.write("\n")
                out.write(
                    f"epoch {report.epoch}: test accuracy {report.test_correct}/"
                    f"{report.test_total} ({100 * report.test_accuracy:.2f}%), test cost "
                    f"{report.test_cost:.4f}, {report.seconds:.2f} s "
                    f"({row['examples_per_second']:,.0f} examples/s)\n"
                )
            out.flush()
            if stalled:
                message = stall_message(
                    report.epoch, report.test_accuracy, args.activation, args.lr
                )
                if args.save:
                    message += f" {args.save} was not saved."
                err.write(f"backprop-lab: {message}\n")
                return EXIT_DIVERGED
        if args.save:  # stopped while saving: the last finished epoch is saved instead
            save_model(args.save, network, hyper, trainer.epoch, trainer.examples_seen)
        return 0
    except (Stopped, DivergenceError) as exc:
        if bar:
            err.write("\n")  # end the progress bar's line before the message
        if isinstance(exc, DivergenceError):
            raise  # run() says what happened
        name = signal.Signals(exc.signum).name
        if args.save and finished is not None:
            save_model(args.save, finished[0], hyper, finished[1], finished[2])
            err.write(
                f"backprop-lab: stopped by {name}; saved epoch {finished[1]} to {args.save}\n"
            )
        elif args.save:
            err.write(
                f"backprop-lab: stopped by {name} before the first epoch finished; "
                "nothing was saved\n"
            )
        else:
            err.write(f"backprop-lab: stopped by {name}\n")
        return 128 + exc.signum


def _evaluate(args: argparse.Namespace, out: TextIO) -> int:
    """Run the ``evaluate`` command."""
    from engine.data.datasets import load_data
    from engine.data.model_io import load_model

    data = load_data(args.data)
    saved = load_model(args.model, io_sizes=(784, data.n_classes))
    result = evaluate(saved.network, data.test.images, data.test.labels)
    if args.json:
        row = {"test_cost": result.cost, "test_accuracy": result.accuracy, "epoch": saved.epoch}
        out.write(json_line(row))
    else:
        out.write(
            f"test accuracy {result.correct}/{result.total} ({100 * result.accuracy:.2f}%), "
            f"test cost {result.cost:.4f}\n"
        )
    return 0


def _say(err: TextIO, message: object) -> None:
    """Write one line on stderr, its control characters (escapes, newlines) made harmless."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        err.write(f"backprop-lab: {printable(message)}\n")
        err.flush()


def _bad_input(exc: BackpropLabError | ValueError | MemoryError | OSError) -> object:
    """Return what to tell the user about an error that leaves the command nothing to work on."""
    if isinstance(exc, BackpropLabError | ValueError):  # SaveError too, though an OSError
        return exc
    if isinstance(exc, MemoryError):
        return "not enough memory for this network or data; try fewer or smaller layers"
    if isinstance(exc, BrokenPipeError):
        return "the output was closed before everything was written"
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def run(argv: Sequence[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run a command line (without the program name) and return the exit status."""
    from engine import limit_blas_threads

    args = build_parser().parse_args(list(argv))
    out = Output(out)  # a full disk or a closed pipe says so as "could not write the output: ..."
    limit_blas_threads()
    try:
        with (
            _stop_signals(),
            np.errstate(all="ignore"),  # a diverging step says so once, as a DivergenceError
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore", RuntimeWarning)
            if args.command == "train":
                return _train(args, out, err)
            return _evaluate(args, out)
    except DivergenceError as exc:
        _say(err, exc)
        return EXIT_DIVERGED
    except (BackpropLabError, ValueError, MemoryError, OSError) as exc:
        _say(err, _bad_input(exc))
        return EXIT_BAD_INPUT
    except Stopped as stop:  # before a command began (a signal held since start-up)
        message = f"stopped by {signal.Signals(stop.signum).name}"
        if args.command == "train" and args.save:
            message += " before the first epoch finished; nothing was saved"
        _say(err, message)
        return 128 + stop.signum
    except KeyboardInterrupt:
        _say(err, "interrupted")
        return 128 + signal.SIGINT
