"""Save and load trained networks as ``.npz`` files that never need pickle to read.

A model file holds ``meta`` (a JSON string: format, architecture, activation, cost, init, dtype,
hyper-parameters, epoch and any extra fields), ``params_<k>`` (n_out, n_in + 1) per layer, and
optional ``history_<name>`` 1-D arrays. It is read with ``allow_pickle=False`` and checked
completely before anything is returned, so a bad file never yields half a network. Writing goes
to a temporary file in the same folder that is then renamed over the target: a crash mid-save
leaves the previous file intact. Every value in the description passes the limits of the
control that edits it (``engine.limits``), and weights are checked finite after the cast to the
network's dtype, so 1e300 stored as float64 cannot become infinity.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np

from engine import limits
from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig
from engine.data.atomic import atomic_write
from engine.errors import ModelFileError, refusals_to_open
from engine.words import a, quantity

FORMAT = "backprop-lab-model"
VERSION = 1
MAX_BYTES = 256 * 1024 * 1024  # unpacked size cap, so a zip bomb cannot exhaust memory
MAX_HISTORY_ROWS = 5_000_000  # per history column: 50 epochs of full MNIST at mini-batch 1 is 3M
MAX_EPOCH_ROWS = 10_000  # per epoch-result column ("history_epoch_*"): one row per test run


@dataclass(frozen=True)
class SavedModel:
    """A network read from a file together with how it was trained."""

    network: Network
    train_config: TrainConfig
    epoch: int
    examples_seen: int
    history: dict[str, np.ndarray] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def save_model(
    path: str | os.PathLike,
    network: Network,
    train_config: TrainConfig,
    epoch: int = 0,
    examples_seen: int = 0,
    history: dict[str, np.ndarray] | None = None,
    extra: dict | None = None,
) -> None:
    """Write the network, its hyper-parameters and optional history atomically to ``path``.

    Raises SaveError naming ``path`` when it cannot be written; the previous file is then kept.
    """
    arrays = model_arrays(network, train_config, epoch, examples_seen, history, extra)
    atomic_write(path, lambda file: np.savez_compressed(file, **arrays))


def model_arrays(
    network: Network,
    train_config: TrainConfig,
    epoch: int = 0,
    examples_seen: int = 0,
    history: dict[str, np.ndarray] | None = None,
    extra: dict | None = None,
) -> dict[str, np.ndarray]:
    """Return the arrays of a model file, as ``np.savez_compressed`` writes them (a lesson too)."""
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "network": asdict(network.config),
        "train": asdict(train_config),
        "epoch": int(epoch),
        "examples_seen": int(examples_seen),
        "extra": extra or {},
    }
    arrays = {"meta": np.array(json.dumps(meta))}
    for k, p in enumerate(network.params):
        arrays[f"params_{k}"] = p
    for name, values in _thinned(history or {}).items():
        arrays[f"history_{name}"] = np.asarray(values)
    return arrays


def _thinned(history: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return the history with every column past the reader's row cap thinned evenly to it.

    Columns of one length keep the same rows (the first and the last among them), so a long run
    saved by the window always opens again.
    """
    thinned = {}
    for name, values in history.items():
        values = np.asarray(values)
        most = MAX_EPOCH_ROWS if name.startswith("epoch_") else MAX_HISTORY_ROWS
        if values.ndim == 1 and len(values) > most:
            values = values[np.linspace(0, len(values) - 1, most).round().astype(np.int64)]
        thinned[name] = values
    return thinned


def _fail(path: Path, problem: str) -> ModelFileError:
    """Return the error for a model file that cannot be used, naming the file."""
    return ModelFileError(f"{path.name} is not a usable Backprop Lab model: {problem}")


def _quote(value: object) -> str:
    """Return a value taken from a file as a short quoted text (it is shown, never trusted)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def load_model(
    path: str | os.PathLike,
    io_sizes: tuple[int, int] | None = (784, 10),
    window: bool = False,
) -> SavedModel:
    """Read a model file, validating every field; raise ModelFileError naming any problem.

    ``io_sizes`` (inputs, outputs) rejects a network of another shape, such as one not made for
    28x28 digits in ten classes; pass None to accept any. ``window`` also refuses hidden layers
    beyond what the window's controls edit, before the weights are read.
    """
    path = Path(path)
    if not path.is_file() and path.exists() and not path.is_dir():
        raise _fail(path, "it is not a regular file (a pipe or a device)")
    # Opened here, not by np.load, which leaks its handle when the archive is truncated.
    with refusals_to_open(path, ModelFileError, "a model file"), open(path, "rb") as f:
        return read_model_file(f, str(path), io_sizes, window)


def read_model_file(
    file: BinaryIO, name: str, io_sizes: tuple[int, int] | None = (784, 10), window: bool = False
) -> SavedModel:
    """Read a model from an open binary file (a lesson's member), named ``name`` in messages.

    Checks everything ``load_model`` checks; raises ModelFileError naming the problem.
    """
    path = Path(name)
    try:
        arrays, described = _read(file, path, io_sizes, window)
    except ModelFileError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc):
            raise _fail(path, "it contains Python objects, which are never loaded") from None
        raise _fail(path, "it is not a NumPy .npz archive") from None
    except Exception as exc:  # zipfile, zlib and NumPy's header parser each fail their own way
        raise _fail(path, f"it is damaged or truncated ({type(exc).__name__})") from None
    return _parse(path, arrays, *described)


def _read(
    f: BinaryIO, path: Path, io_sizes: tuple[int, int] | None, window: bool
) -> tuple[dict[str, np.ndarray], tuple]:
    """Return a model file's arrays and its checked description, read from the open file ``f``."""
    if f.read(4) != b"PK\x03\x04":
        raise _fail(path, "it is not a NumPy .npz archive")
    f.seek(0)
    with np.load(f, allow_pickle=False) as data:
        if sum(info.file_size for info in data.zip.infolist()) > MAX_BYTES:
            raise _fail(path, f"it unpacks to more than {MAX_BYTES // 2**20} MB")
        if "meta" not in data.files:
            raise _fail(path, "the description ('meta') is missing")
        arrays = {"meta": data["meta"]}
        described = _describe(path, arrays, io_sizes, window)
        arrays.update({name: data[name] for name in data.files if name != "meta"})
    return arrays, described


def _describe(
    path: Path, arrays: dict[str, np.ndarray], io_sizes: tuple[int, int] | None, window: bool
) -> tuple[NetworkConfig, TrainConfig, int, int, dict]:
    """Read and check the description alone, before any weights are unpacked."""
    if arrays["meta"].dtype.kind != "U" or arrays["meta"].shape != ():
        raise _fail(path, "the description ('meta') is missing")
    try:
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != FORMAT:
            raise _fail(path, "it was not written by Backprop Lab")
        if meta.get("version") != VERSION:
            raise _fail(path, f"format version {_quote(meta.get('version'))} is not supported")
        network, train = dict(meta["network"]), dict(meta["train"])
        sizes = network.get("sizes")
        if isinstance(sizes, list) and not all(type(n) is int for n in sizes):
            raise ValueError("layer sizes must be whole numbers")
        config = NetworkConfig(**network)
        if type(train.get("batch_size")) is not int:
            raise ValueError(f"mini-batch size {_quote(train.get('batch_size'))} is not whole")
        for name in ("learning_rate", "momentum", "l2"):
            if type(train.get(name)) not in (int, float):
                raise ValueError(f"{name} {_quote(train.get(name))} is not a number")
        train_config = TrainConfig(**train)
        problem = limits.check_train_config(train_config)
        if problem:
            raise ValueError(problem)
        epoch, seen = meta["epoch"], meta["examples_seen"]
        for what, value, allowed in (
            ("epoch", epoch, limits.EPOCHS),
            ("examples seen", seen, limits.EXAMPLES_SEEN),
        ):
            if type(value) is not int:
                raise ValueError(f"{what} {_quote(value)} is not a whole number")
            problem = limits.out_of_range(what, value, allowed)
            if problem:
                raise ValueError(problem)
        extra = meta.get("extra", {})
        if not isinstance(extra, dict):
            raise ValueError("'extra' is not a mapping")
    except ModelFileError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        detail = str(exc) if len(str(exc)) <= 160 else str(exc)[:157] + "..."
        raise _fail(path, f"its description is invalid ({detail})") from None
    sizes = config.sizes
    if io_sizes is not None and (sizes[0], sizes[-1]) != tuple(io_sizes):
        raise _fail(
            path,
            f"it is {a('-'.join(map(str, sizes)))} network; this needs "
            f"{quantity(io_sizes[0], 'input')} and {quantity(io_sizes[1], 'output')}",
        )
    if window:
        problem = limits.check_hidden(sizes)
        if problem:
            raise _fail(path, problem)
    return config, train_config, epoch, seen, dict(extra)


def _history_problem(name: str, values: np.ndarray) -> str | None:
    """Return what is wrong with a history column's values, or None if the plot can show them.

    Every value fits a float32 (the plot's) and is finite, except a cost, which is NaN or
    infinite where a run diverged (the window then leaves that record out); epochs of training
    lie in [0, limits.EPOCHS.high], accuracies in [0, 1], costs are zero or positive.
    """
    finite = values[np.isfinite(values)] if name.endswith("cost") else values
    if not len(finite):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        shown = finite.astype(np.float32)
    if not np.isfinite(shown).all():
        return "holds NaN, infinite or out-of-range values"
    low, high = float(finite.min()), float(finite.max())
    if name.endswith(("progress", "epoch")) and not (low >= 0 and high <= limits.EPOCHS.high):
        return f"holds epochs from {low:g} to {high:g}, outside 0 to {limits.EPOCHS.high:g}"
    if name.endswith("accuracy") and not (low >= 0 and high <= 1):
        return f"holds accuracies from {low:g} to {high:g}, outside 0 to 1"
    if name.endswith("cost") and low < 0:
        return f"holds a negative cost, {low:g}"
    return None


def _parse(
    path: Path,
    arrays: dict[str, np.ndarray],
    config: NetworkConfig,
    train_config: TrainConfig,
    epoch: int,
    seen: int,
    extra: dict,
) -> SavedModel:
    """Turn a model file's arrays into a SavedModel, checking everything first."""
    params = []  # checked before a network is built: a forged description could ask for 1e9 neurons
    for k, (n_in, n_out) in enumerate(zip(config.sizes, config.sizes[1:])):
        saved = arrays.get(f"params_{k}")
        if saved is None:
            raise _fail(path, f"the weights of layer {k + 1} are missing")
        if saved.shape != (n_out, n_in + 1):
            raise _fail(
                path, f"layer {k + 1} has shape {saved.shape}, expected {(n_out, n_in + 1)}"
            )
        if saved.dtype.kind != "f":
            raise _fail(path, f"layer {k + 1} holds {saved.dtype} values, not numbers")
        with np.errstate(over="ignore", invalid="ignore"):
            saved = saved.astype(config.dtype, copy=False)  # then checked: 1e300 becomes inf
            shown = saved.astype(np.float32, copy=False)  # as the views draw them, any dtype
        if not (np.isfinite(saved).all() and np.isfinite(shown).all()):
            raise _fail(path, f"layer {k + 1} contains NaN or infinite weights")
        params.append(saved)
    if f"params_{len(params)}" in arrays:
        raise _fail(path, "it has more layers than its description says")
    network = Network(config, np.random.default_rng(0))
    for p, saved in zip(network.params, params):
        p[...] = saved
    history = {}
    for name, values in arrays.items():
        if name.startswith("history_"):
            if values.ndim != 1 or values.dtype.kind not in "fiu":
                raise _fail(path, f"history {_quote(name[8:])} is not a list of numbers")
            problem = _history_problem(name[8:], values)
            if problem:
                raise _fail(path, f"history {_quote(name[8:])} {problem}")
            most = MAX_EPOCH_ROWS if name.startswith("history_epoch_") else MAX_HISTORY_ROWS
            if len(values) > most:
                raise _fail(
                    path,
                    f"history {_quote(name[8:])} has {len(values):,} rows; "
                    f"at most {most:,} are read",
                )
            history[name[8:]] = values
    return SavedModel(network, train_config, epoch, seen, history, extra)
