"""Save and load trained networks as ``.npz`` files that never need pickle to read.

A model file holds ``meta`` (a JSON string: format, architecture, activation, cost, init, dtype,
hyper-parameters, epoch and any extra fields), ``params_<k>`` (n_out, n_in + 1) per layer, and
optional ``history_<name>`` 1-D arrays. It is read with ``allow_pickle=False`` and checked
completely before anything is returned, so a bad file never yields half a network. Writing goes
to a temporary file in the same folder that is then renamed over the target: a crash mid-save
leaves the previous file intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from engine.errors import ModelFileError
from engine.network import Network, NetworkConfig
from engine.training import TrainConfig
from engine.words import a, quantity

FORMAT = "backprop-lab-model"
VERSION = 1
MAX_BYTES = 256 * 1024 * 1024  # unpacked size cap, so a zip bomb cannot exhaust memory


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
    """Write the network, its hyper-parameters and optional history atomically to ``path``."""
    path = Path(path)
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
    for name, values in (history or {}).items():
        arrays[f"history_{name}"] = np.asarray(values)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fail(path: Path, problem: str) -> ModelFileError:
    """Return the error for a model file that cannot be used, naming the file."""
    return ModelFileError(f"{path.name} is not a usable Backprop Lab model: {problem}")


def load_model(path: str | os.PathLike, io_sizes: tuple[int, int] | None = (784, 10)) -> SavedModel:
    """Read a model file, validating every field; raise ModelFileError naming any problem.

    ``io_sizes`` (inputs, outputs) rejects a network of another shape, such as one not made for
    28x28 digits in ten classes; pass None to accept any.
    """
    path = Path(path)
    try:
        # Opened here, not by np.load, which leaks its handle when the archive is truncated.
        with open(path, "rb") as f:
            if f.read(4) != b"PK\x03\x04":
                raise _fail(path, "it is not a NumPy .npz archive")
            f.seek(0)
            with np.load(f, allow_pickle=False) as data:
                if sum(info.file_size for info in data.zip.infolist()) > MAX_BYTES:
                    raise _fail(path, f"it unpacks to more than {MAX_BYTES // 2**20} MB")
                arrays = {name: data[name] for name in data.files}
    except ModelFileError:
        raise
    except FileNotFoundError:
        raise ModelFileError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise ModelFileError(f"{path} is a folder, not a model file") from None
    except PermissionError:
        raise ModelFileError(f"{path} cannot be read (permission denied)") from None
    except ValueError as exc:
        if "pickle" in str(exc):
            raise _fail(path, "it contains Python objects, which are never loaded") from None
        raise _fail(path, "it is not a NumPy .npz archive") from None
    except Exception as exc:  # zipfile, zlib and NumPy's header parser each fail their own way
        raise _fail(path, f"it is damaged or truncated ({type(exc).__name__})") from None
    saved = _parse(path, arrays)
    sizes = saved.network.sizes
    if io_sizes is not None and (sizes[0], sizes[-1]) != tuple(io_sizes):
        raise _fail(
            path,
            f"it is {a('-'.join(map(str, sizes)))} network; this needs "
            f"{quantity(io_sizes[0], 'input')} and {quantity(io_sizes[1], 'output')}",
        )
    return saved


def _parse(path: Path, arrays: dict[str, np.ndarray]) -> SavedModel:
    """Turn a model file's arrays into a SavedModel, checking everything first."""
    if "meta" not in arrays or arrays["meta"].dtype.kind != "U" or arrays["meta"].shape != ():
        raise _fail(path, "the description ('meta') is missing")
    try:
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != FORMAT:
            raise _fail(path, "it was not written by Backprop Lab")
        if meta.get("version") != VERSION:
            raise _fail(path, f"format version {meta.get('version')} is not supported")
        config = NetworkConfig(**meta["network"])
        train_config = TrainConfig(**meta["train"])
        epoch, seen = int(meta["epoch"]), int(meta["examples_seen"])
        if epoch < 0 or seen < 0:
            raise ValueError(f"negative epoch {epoch} or examples seen {seen}")
        extra = dict(meta.get("extra", {}))
    except ModelFileError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError) as exc:
        raise _fail(path, f"its description is invalid ({exc})") from None
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
        if not np.isfinite(saved).all():
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
                raise _fail(path, f"history '{name[8:]}' is not a list of numbers")
            history[name[8:]] = values
    return SavedModel(network, train_config, epoch, seen, history, extra)
