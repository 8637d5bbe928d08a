"""A corpus of malformed data folders and model files, each refused with a clear message.

Every bad input is built here, in the test, from a valid one. Each must be refused (a) by the
engine with a DataError or ModelFileError naming the file, (b) by the command line with exit
status 2 and one line on stderr, and (c) by the window with a banner, the current data and
network untouched. Property tests then throw random bytes and random mutations of valid files at
the model, dataset and "my digits" readers: only the documented error type may escape.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QFileDialog
from windows import drain, open_window, train_batches

from engine.cli import EXIT_BAD_INPUT, run
from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig
from engine.data.datasets import load_data, load_mnist_dir
from engine.data.idx import write_idx
from engine.data.model_io import load_model, save_model
from engine.data.my_digits import MyDigits
from engine.errors import DataError, ModelFileError
from gui.window.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """Return the raw IDX encoding of an array (any type code, for forging bad files)."""
    header = bytes([0, 0, type_code, array.ndim])
    return header + b"".join(int(n).to_bytes(4, "big") for n in array.shape) + array.tobytes()


def mnist_arrays(n: int = 30) -> dict[str, np.ndarray]:
    """Return a tiny valid MNIST: n training and n // 3 test digits."""
    rng = np.random.default_rng(7)
    return {
        TRAIN_IMAGES: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        TRAIN_LABELS: (np.arange(n) % 10).astype(np.uint8),
        TEST_IMAGES: rng.integers(0, 256, (n // 3, 28, 28), dtype=np.uint8),
        TEST_LABELS: (np.arange(n // 3) % 10).astype(np.uint8),
    }


def write_folder(folder: Path) -> Path:
    """Write a valid raw (uncompressed) four-file MNIST into folder and return it."""
    folder.mkdir(parents=True)
    for name, array in mnist_arrays().items():
        write_idx(folder / name, array)
    return folder


def replace(name: str, content: bytes, new_name: str | None = None) -> Callable[[Path], None]:
    """Return a corruption that replaces one file's bytes (and optionally its name)."""

    def corrupt(folder: Path) -> None:
        (folder / name).unlink()
        (folder / (new_name or name)).write_bytes(content)

    return corrupt


A = mnist_arrays()
VALID_TRAIN_IMAGES = idx_bytes(A[TRAIN_IMAGES])

# name: (corruption of a valid folder, the file the message must name, words it must contain)
BAD_FOLDERS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "truncated IDX": (
        replace(TRAIN_IMAGES, VALID_TRAIN_IMAGES[:-100]),
        TRAIN_IMAGES,
        "is truncated: header promises 23,520 pixel bytes but only 23,420 are present",
    ),
    "oversized IDX": (
        replace(TRAIN_LABELS, idx_bytes(A[TRAIN_LABELS]) + b"\x00" * 5),
        TRAIN_LABELS,
        "is oversized: 5 unexpected bytes",
    ),
    "wrong magic": (
        replace(TEST_IMAGES, b"\x50\x4b\x03\x04" + idx_bytes(A[TEST_IMAGES])[4:]),
        TEST_IMAGES,
        "is not an IDX file (its magic number is 0x504b0304)",
    ),
    "float IDX": (
        replace(TEST_LABELS, idx_bytes(A[TEST_LABELS].astype(np.float32), 0x0D)),
        TEST_LABELS,
        "holds float32 values; only unsigned bytes are supported",
    ),
    "two dimensions": (
        replace(TRAIN_IMAGES, idx_bytes(A[TRAIN_IMAGES].reshape(30, 784))),
        TRAIN_IMAGES,
        "has 2 dimensions; expected 1 (labels) or 3 (images)",
    ),
    "28x27 images": (
        replace(TRAIN_IMAGES, idx_bytes(A[TRAIN_IMAGES][:, :, :27].copy())),
        TRAIN_IMAGES,
        "the images are 28x27 pixels, not 28x28",
    ),
    "count mismatch": (
        replace(TRAIN_LABELS, idx_bytes(A[TRAIN_LABELS][:29])),
        TRAIN_IMAGES,
        "do not match: 30 images but 29 labels",
    ),
    "labels swapped for images": (
        replace(TEST_IMAGES, idx_bytes(A[TEST_LABELS])),
        TEST_IMAGES,
        "the images file holds labels, not images",
    ),
    "label 10": (
        replace(TRAIN_LABELS, idx_bytes(np.full(30, 10, np.uint8))),
        TRAIN_LABELS,
        "a label is 10, but digits only go from 0 to 9",
    ),
    "not gzip": (
        replace(TEST_LABELS, idx_bytes(A[TEST_LABELS]), TEST_LABELS + ".gz"),
        TEST_LABELS + ".gz",
        "is named .gz but is not gzip-compressed",
    ),
    "damaged gzip": (
        replace(
            TRAIN_IMAGES,
            gzip.compress(VALID_TRAIN_IMAGES, mtime=0)[:-40],
            TRAIN_IMAGES + ".gz",
        ),
        TRAIN_IMAGES + ".gz",
        "is a damaged gzip file",
    ),
    "empty file": (replace(TEST_IMAGES, b""), TEST_IMAGES, "is empty"),
    "missing file": (lambda folder: (folder / TEST_LABELS).unlink(), TEST_LABELS, "is missing"),
}


def bad_folder(tmp_path: Path, case: str) -> Path:
    """Build the named bad data folder under tmp_path and return it."""
    corrupt = BAD_FOLDERS[case][0]
    folder = write_folder(tmp_path / case.replace(" ", "_"))
    corrupt(folder)
    return folder


def small_network(sizes: tuple[int, ...] = (784, 4, 10)) -> Network:
    """Return a small seeded network, so model files stay a few kilobytes."""
    return Network(NetworkConfig(sizes), np.random.default_rng(5))


def valid_model(path: Path, sizes: tuple[int, ...] = (784, 4, 10)) -> Path:
    """Save a valid model with a short history to path and return it."""
    history = {"batch_progress": np.linspace(0, 1, 20), "batch_cost": np.linspace(2, 1, 20)}
    save_model(path, small_network(sizes), TrainConfig(), 1, 200, history)
    return path


def members(path: Path) -> dict[str, np.ndarray]:
    """Return every array of a valid model file."""
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def write_members(path: Path, arrays: dict[str, object]) -> None:
    """Write arrays (objects too, pickled, as an attacker would) into an .npz at path."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, value, allow_pickle=True)
            archive.writestr(f"{name}.npy", buffer.getvalue())


def edit(
    drop: tuple[str, ...] = (),
    meta: Callable[[dict], object] | None = None,
    raw_meta: object = None,
    **put: object,
) -> Callable[[Path], None]:
    """Return a damage that rewrites a valid model: drop members, replace them, edit its meta."""

    def damage(path: Path) -> None:
        arrays: dict[str, object] = {k: v for k, v in members(path).items() if k not in drop}
        if meta is not None:
            arrays["meta"] = np.array(json.dumps(meta(json.loads(str(arrays["meta"])))))
        if raw_meta is not None:
            arrays["meta"] = raw_meta
        arrays.update(put)
        write_members(path, arrays)

    return damage


def write_zip(path: Path, files: dict[str, bytes]) -> None:
    """Write a plain zip archive holding the given files."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)


def lying_header(path: Path) -> None:
    """Add a member whose .npy header claims 800 GB while holding 64 bytes."""
    arrays: dict[str, object] = dict(members(path))
    write_members(path, {k: v for k, v in arrays.items() if k != "history_batch_cost"})
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**11,)}
    )
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("history_batch_cost.npy", header.getvalue() + bytes(64))


def huge_member(path: Path) -> None:
    """Add 8 MB of zeros that compress to a few kilobytes (the cap is lowered in the test)."""
    arrays: dict[str, object] = dict(members(path))
    arrays["history_bomb"] = np.zeros(2**20)
    write_members(path, arrays)


def with_train(**changes: object) -> Callable[[dict], dict]:
    """Return a meta edit that changes hyper-parameters."""
    return lambda meta: {**meta, "train": {**meta["train"], **changes}}


def float64_weights(value: float) -> Callable[[Path], None]:
    """Return a damage that stores layer 1 as float64 values, finite before the float32 cast."""
    return edit(params_0=np.full((4, 785), value, np.float64))


def fifo(path: Path) -> None:
    """Replace the file with a named pipe, which blocks a reader forever."""
    path.unlink()
    os.mkfifo(path)


def long_history(rows: int, name: str = "batch_cost") -> Callable[[Path], None]:
    """Return a damage adding a history column of ``rows`` zeros (they compress to little)."""
    return edit(**{f"history_{name}": np.zeros(rows)})


HTML = "<h1>Big</h1><a href='http://x.invalid'>link</a><img src='/etc/hostname'>"
FORGED = "1\x1b[2J\x1b[31m\nbackprop-lab: all good\r\u2028ok"


def other_program(meta: dict) -> dict:
    """Return a description written by some other program."""
    return {"format": "keras", "version": 1}


def with_network(**changes: object) -> Callable[[dict], dict]:
    """Return a meta edit that changes fields of the network description."""
    return lambda meta: {**meta, "network": {**meta["network"], **changes}}


def with_field(**changes: object) -> Callable[[dict], dict]:
    """Return a meta edit that changes top-level fields."""
    return lambda meta: {**meta, **changes}


RNG_BYTES = np.random.default_rng(11).bytes(6000)

# name: (damage applied to a valid model file, words the message must contain)
BAD_MODELS: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty file": (lambda p: p.write_bytes(b""), "it is not a NumPy .npz archive"),
    "renamed random file": (lambda p: p.write_bytes(RNG_BYTES), "it is not a NumPy .npz archive"),
    "renamed IDX file": (
        lambda p: p.write_bytes(VALID_TRAIN_IMAGES),
        "it is not a NumPy .npz archive",
    ),
    "renamed text file": (
        lambda p: p.write_text("weights = [1, 2, 3]\n"),
        "it is not a NumPy .npz archive",
    ),
    "truncated archive": (
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        "it is damaged or truncated",
    ),
    "flipped byte": (
        lambda p: p.write_bytes(p.read_bytes()[:200] + b"\xff" + p.read_bytes()[201:]),
        "it is damaged or truncated",
    ),
    "zip of other files": (
        lambda p: write_zip(p, {"readme.txt": b"hello"}),
        "the description ('meta') is missing",
    ),
    "missing meta": (edit(drop=("meta",)), "the description ('meta') is missing"),
    "numeric meta": (edit(raw_meta=np.arange(3)), "description ('meta') is missing"),
    "missing weights": (edit(drop=("params_1",)), "the weights of layer 2 are missing"),
    "wrong shape": (
        edit(params_0=np.zeros((4, 784), np.float32)),
        "layer 1 has shape (4, 784), expected (4, 785)",
    ),
    "NaN weights": (
        edit(params_1=np.full((10, 5), np.nan, np.float32)),
        "layer 2 contains NaN or infinite weights",
    ),
    "infinite weights": (
        edit(params_0=np.full((4, 785), np.inf, np.float32)),
        "layer 1 contains NaN or infinite weights",
    ),
    "string weights": (
        edit(params_1=np.full((10, 5), "w", "<U1")),
        "layer 2 holds <U1 values, not numbers",
    ),
    "pickled object weights": (
        edit(params_0=np.array([{"__reduce__": "os.system"}], dtype=object)),
        "it contains Python objects, which are never loaded",
    ),
    "pickled object meta": (
        edit(raw_meta=np.array([{"format": "x"}], dtype=object)),
        "it contains Python objects, which are never loaded",
    ),
    "extra layer": (edit(params_2=np.zeros((10, 11), np.float32)), "it has more layers than"),
    "meta not JSON": (edit(raw_meta=np.array("{nope")), "description is invalid"),
    "meta a JSON list": (edit(meta=lambda m: [1, 2]), "its description is invalid"),
    "deeply nested meta": (
        edit(raw_meta=np.array("[" * 100_000 + "]" * 100_000)),
        "its description is invalid",
    ),
    "another program's file": (edit(meta=other_program), "it was not written by Backprop Lab"),
    "future version": (edit(meta=with_field(version=99)), "format version 99 is not supported"),
    "negative epoch": (edit(meta=with_field(epoch=-3)), "its description is invalid"),
    "infinite epoch": (edit(meta=with_field(epoch=float("inf"))), "its description is invalid"),
    "bad learning rate": (
        edit(meta=lambda m: {**m, "train": {**m["train"], "learning_rate": -1}}),
        "learning rate must be a positive number",
    ),
    "unknown activation": (edit(meta=with_network(activation="swish")), "unknown activation"),
    "forged huge layer": (
        edit(meta=with_network(sizes=[784, 10**9, 10])),
        "layer 1 has shape (4, 785), expected (1000000000, 785)",
    ),
    "sizes not numbers": (edit(meta=with_network(sizes=["a", "b"])), "description is invalid"),
    "another architecture": (
        lambda p: valid_model(p, sizes=(100, 5, 3)),
        "it is a 100-5-3 network; this needs 784 inputs and 10 outputs",
    ),
    "2-D history": (edit(history_batch_cost=np.zeros((2, 2))), "history 'batch_cost'"),
    "lying .npy header": (lying_header, "it is damaged or truncated (MemoryError)"),
    "zip bomb": (huge_member, "it unpacks to more than 1 MB"),
    "batch size 2^31": (
        edit(meta=with_train(batch_size=2**31)),
        "mini-batch size is 2,147,483,648; it must be between 1 and 10,000",
    ),
    "batch size 2^63": (edit(meta=with_train(batch_size=2**63)), "mini-batch size is"),
    "learning rate 1e308": (
        edit(meta=with_train(learning_rate=1e308)),
        "learning rate is 1e+308; it must be between 0.0001 and 10,000",
    ),
    "learning rate below the control": (
        edit(meta=with_train(learning_rate=1e-9)),
        "learning rate is 1e-09; it must be between",
    ),
    "momentum 0.999": (edit(meta=with_train(momentum=0.999)), "momentum is 0.999"),
    "L2 1e30": (edit(meta=with_train(l2=1e30)), "L2 regularisation is 1e+30"),
    "batch size 2.5": (edit(meta=with_train(batch_size=2.5)), "mini-batch size 2.5 is not whole"),
    "batch size true": (edit(meta=with_train(batch_size=True)), "mini-batch size True is not"),
    "learning rate text": (edit(meta=with_train(learning_rate="3")), "learning_rate '3' is not"),
    "epoch 2^63": (
        edit(meta=with_field(epoch=2**63)),
        "epoch is 9,223,372,036,854,775,808; it must be",
    ),
    "examples seen 1e300": (
        edit(meta=with_field(examples_seen=1e300)),
        "examples seen 1e+300 is not a whole number",
    ),
    "layer sizes true": (edit(meta=with_network(sizes=[784, True, 10])), "whole numbers"),
    "float64 weights of 1e300": (
        float64_weights(1e300),
        "layer 1 contains NaN or infinite weights",
    ),
    "float64 weights of -1e39": (
        float64_weights(-1e39),
        "layer 1 contains NaN or infinite weights",
    ),
    "HTML version": (edit(meta=with_field(version=HTML)), 'format version "<h1>Big</h1>'),
    "escape codes in version": (edit(meta=with_field(version=FORGED)), "format version '1"),
    "HTML activation": (edit(meta=with_network(activation=HTML)), "unknown activation"),
    "extra not a mapping": (edit(meta=with_field(extra=[1, 2])), "'extra' is not a mapping"),
    "batch history too long": (
        long_history(50_001),
        "history 'batch_cost' has 50,001 rows; at most 50,000 are read",
    ),
    "epoch history too long": (
        long_history(101, "epoch_test_cost"),
        "history 'epoch_test_cost' has 101 rows; at most 100 are read",
    ),
    "named pipe": (fifo, "it is not a regular file"),
    "float64 network of 1e300": (
        edit(
            meta=with_network(dtype="float64"),
            params_1=np.full((10, 5), 1e300),
        ),
        "layer 2 contains NaN or infinite weights",
    ),
    "history epochs of 1e300": (
        edit(history_batch_progress=np.full(20, 1e300)),
        "history 'batch_progress' holds NaN, infinite or out-of-range values",
    ),
    "history epochs below zero": (
        edit(history_batch_progress=np.linspace(-5, 1, 20)),
        "history 'batch_progress' holds epochs from -5 to 1, outside 0 to 1e+06",
    ),
    "history accuracy 2": (
        edit(history_epoch_test_accuracy=np.array([0.5, 2.0])),
        "history 'epoch_test_accuracy' holds accuracies from 0.5 to 2, outside 0 to 1",
    ),
    "history negative cost": (
        edit(history_batch_cost=np.linspace(-1, 1, 20)),
        "history 'batch_cost' holds a negative cost, -1",
    ),
}


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lower the model reader's caps (1 MB unpacked, 50,000 history rows) so bombs stay cheap.

    The real caps are tested with real-sized files in real processes, below.
    """
    monkeypatch.setattr("engine.data.model_io.MAX_BYTES", 2**20)
    monkeypatch.setattr("engine.data.model_io.MAX_HISTORY_ROWS", 50_000)
    monkeypatch.setattr("engine.data.model_io.MAX_EPOCH_ROWS", 100)


def bad_model(tmp_path: Path, case: str) -> Path:
    """Build the named bad model file under tmp_path and return it."""
    path = valid_model(tmp_path / (case.replace(" ", "_").replace("'", "") + ".npz"))
    BAD_MODELS[case][0](path)
    return path


def test_the_corpus_starts_from_valid_files(tmp_path: Path) -> None:
    data = load_data(str(write_folder(tmp_path / "good")))
    assert len(data.train) == 30 and len(data.test) == 10
    assert load_model(valid_model(tmp_path / "good.npz")).examples_seen == 200


@pytest.mark.parametrize("case", list(BAD_FOLDERS))
def test_engine_refuses_bad_data_naming_the_file(tmp_path: Path, case: str) -> None:
    folder = bad_folder(tmp_path, case)
    _, name, words = BAD_FOLDERS[case]
    with pytest.raises(DataError) as caught:
        load_data(str(folder))
    assert name in str(caught.value) and words in str(caught.value)


@pytest.mark.usefixtures("small_cap")
@pytest.mark.parametrize("case", list(BAD_MODELS))
def test_engine_refuses_bad_models_naming_the_file(tmp_path: Path, case: str) -> None:
    path = bad_model(tmp_path, case)
    with pytest.raises(ModelFileError) as caught:
        load_model(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name} is not a usable Backprop Lab model: ")
    assert BAD_MODELS[case][1] in message


def one_clear_line(status: int, stderr: str, name: str, words: str) -> None:
    """Assert exit status 2 and a single stderr line naming the file and the problem."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert status == EXIT_BAD_INPUT, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("backprop-lab: ") and name in lines[0] and words in lines[0]
    assert "Traceback" not in stderr


@pytest.mark.usefixtures("small_cap")
def test_command_line_refuses_every_bad_input_with_one_line(tmp_path: Path) -> None:
    tried = 0
    for case, (_, words) in BAD_MODELS.items():
        path = bad_model(tmp_path, case)
        out, err = io.StringIO(), io.StringIO()
        one_clear_line(run(["evaluate", str(path)], out, err), err.getvalue(), path.name, words)
        assert out.getvalue() == ""
        tried += 1
    for case, (_, name, words) in BAD_FOLDERS.items():
        folder = bad_folder(tmp_path, case)
        out, err = io.StringIO(), io.StringIO()
        status = run(["train", "--data", str(folder), "--epochs", "1"], out, err)
        one_clear_line(status, err.getvalue(), name, words)
        tried += 1
    assert tried == len(BAD_MODELS) + len(BAD_FOLDERS)


WINDOW_WORDS = {  # the window refuses these first for another reason: layers its controls lack
    "forged huge layer": "its hidden layers 1000000000 are beyond the window's 1 to 4 layers",
}
SMALL_CAP_CASES = ("zip bomb", "batch history too long", "epoch history too long")


def real_zip_bomb(path: Path) -> None:
    """Add a member of 300 MB of zeros, past the real 256 MB cap, written in 1 MB pieces."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (300 * 2**17,)}
    )
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("history_bomb.npy", "w", force_zip64=True) as member,
    ):
        member.write(header.getvalue())
        zeros = bytes(2**20)
        for _ in range(300):
            member.write(zeros)


REAL_CAPS: dict[str, tuple[Callable[[Path], None], str]] = {  # the real caps, in real processes
    "real zip bomb": (real_zip_bomb, "it unpacks to more than 256 MB"),
    "real long history": (
        long_history(5_000_001),
        "history 'batch_cost' has 5,000,001 rows; at most 5,000,000 are read",
    ),
    "real long epoch history": (
        long_history(10_001, "epoch_test_cost"),
        "history 'epoch_test_cost' has 10,001 rows; at most 10,000 are read",
    ),
}


def run_processes(runs: list[tuple[list[str], str, str]], width: int = 4) -> None:
    """Run main.py for each (arguments, file name, words), ``width`` at a time; assert one line."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    for start in range(0, len(runs), width):
        batch = runs[start : start + width]
        processes = [  # started together: each costs about a second, mostly importing NumPy
            subprocess.Popen(
                [sys.executable, str(ROOT / "main.py"), *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                cwd=ROOT,
                env=env,
            )
            for args, _, _ in batch
        ]
        for process, (args, name, words) in zip(processes, batch):
            out, err = process.communicate(timeout=60)
            one_clear_line(process.returncode, err, name, words)
            assert out == "", args
            assert "\x1b" not in err and "\r" not in err, "control characters reach the terminal"


def test_every_bad_input_in_a_real_process_exits_2_with_one_line(tmp_path: Path) -> None:
    runs = []
    for case, (_, words) in BAD_MODELS.items():
        if case not in SMALL_CAP_CASES:
            path = bad_model(tmp_path, case)
            runs.append((["evaluate", str(path)], path.name, words))
    for case, (damage, words) in REAL_CAPS.items():
        path = valid_model(tmp_path / (case.replace(" ", "_") + ".npz"))
        damage(path)
        runs.append((["evaluate", str(path)], path.name, words))
    for case, (_, name, words) in BAD_FOLDERS.items():
        runs.append((["train", "--data", str(bad_folder(tmp_path, case))], name, words))
    run_processes(runs)
    assert len(runs) == len(BAD_MODELS) - len(SMALL_CAP_CASES) + len(REAL_CAPS) + len(BAD_FOLDERS)


def open_trained_window(qtbot, tmp_path: Path) -> MainWindow:
    """Open the real window on the bundled sample and train it a little."""
    window = open_window(qtbot, tmp_path / "settings.ini")
    train_batches(qtbot, window, 5)
    qtbot.waitUntil(lambda: window.feed.shown_serial == window.worker.snapshot_serial)
    return window


@pytest.mark.usefixtures("small_cap")
def test_window_refuses_bad_models_and_keeps_its_network(qtbot, tmp_path: Path) -> None:
    window = open_trained_window(qtbot, tmp_path)
    before = window.worker.latest_snapshot()
    serial, session, seen, requests = (
        window.worker.snapshot_serial,
        window.session,
        len(window.record.history),
        window.worker.requests_sent,
    )
    asked: list[str] = []
    window.confirm = lambda title, text: asked.append(title) or True
    for case, (_, words) in BAD_MODELS.items():
        path = bad_model(tmp_path, case)
        words = WINDOW_WORDS.get(case, words)
        window.banner.hide()
        assert not window.open_model(path)
        message = window.banner.message()
        assert path.name in message and words in message, (case, message)
        assert not window.banner.lower_button.isVisible()  # no divergence remedy for a file
    drain()
    assert window.worker.requests_sent == requests, "a bad file must not reach the worker"
    assert asked == [], "a bad file must be refused before asking to replace the network"
    assert window.worker.latest_snapshot() is before
    assert window.worker.snapshot_serial == serial and window.session == session
    assert len(window.record.history) == window.cost_plot.point_count() == seen
    assert window.record.model_path is None
    good = valid_model(tmp_path / "good.npz")
    assert window.open_model(good)  # the same path does accept a valid file
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().sizes == (784, 4, 10))
    window.close()


def test_window_refuses_bad_data_folders_and_keeps_data_and_network(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_trained_window(qtbot, tmp_path)
    data, before = window.data, window.worker.latest_snapshot()
    serial, seen = window.worker.snapshot_serial, len(window.record.history)
    requests = window.worker.requests_sent
    chosen: list[str] = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: chosen[-1])
    for case, (_, name, words) in BAD_FOLDERS.items():
        chosen.append(str(bad_folder(tmp_path, case)))
        window.banner.hide()
        window.menus.open_idx_action.trigger()  # Data > Open IDX folder…, the dialog answered
        qtbot.waitUntil(window.banner.isVisible, timeout=5000)
        message = window.banner.message()
        assert name in message and words in message, (case, message)
    # Each folder is read in the worker's thread, which refused it before the banner showed.
    assert window.worker.requests_sent == requests + len(BAD_FOLDERS)  # one load each, no more
    assert window.data is data and window.worker.latest_snapshot() is before
    assert window.worker.snapshot_serial == serial and window.session.data == "sample"
    assert len(window.record.history) == seen
    assert window.status_labels["data"].text().startswith("Data: sample")
    chosen.append(str(write_folder(tmp_path / "good")))
    window.menus.open_idx_action.trigger()  # and the same path accepts a valid folder
    qtbot.waitUntil(lambda: window.data is not data and len(window.data.train) == 30)
    window.close()


def mutate(data: st.DataObject, content: bytes, max_changes: int = 4) -> bytes:
    """Return content with a few random flips, deletions, insertions or a truncation."""
    packed = bytearray(content)
    for _ in range(data.draw(st.integers(1, max_changes))):
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        where = data.draw(st.integers(0, max(0, len(packed) - 1)))
        if action == "flip" and packed:
            packed[where] ^= data.draw(st.integers(1, 255))
        elif action == "delete":
            del packed[where : where + data.draw(st.integers(1, 64))]
        elif action == "insert":
            packed[where:where] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            del packed[where:]
    return bytes(packed)


@pytest.fixture(scope="module")
def model_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a valid small model file."""
    return valid_model(tmp_path_factory.mktemp("model") / "valid.npz").read_bytes()


@settings(FUZZ, max_examples=300)
@given(content=st.binary(max_size=400), zip_magic=st.booleans())
def test_random_bytes_only_raise_model_file_error(
    tmp_path: Path, content: bytes, zip_magic: bool
) -> None:
    path = tmp_path / "random.npz"
    path.write_bytes((b"PK\x03\x04" if zip_magic else b"") + content)
    with pytest.raises(ModelFileError, match="random.npz"):
        load_model(path)


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_mutated_model_bytes_only_raise_model_file_error(
    tmp_path: Path, model_bytes: bytes, data: st.DataObject
) -> None:
    path = tmp_path / "mutant.npz"
    path.write_bytes(mutate(data, model_bytes))
    try:
        saved = load_model(path)
    except ModelFileError as error:
        assert "mutant.npz" in str(error)
    else:
        assert saved.network.all_finite() and saved.network.sizes[::2] == (784, 10)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
ARRAYS = st.builds(
    lambda dtype, shape: np.zeros(shape, dtype),
    st.sampled_from(["f4", "f8", "i8", "u1", "?", "c8", "U2", "S2", "V4", "M8[s]"]),
    st.lists(st.integers(0, 6), max_size=3).map(tuple),
)


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_structurally_mutated_models_only_raise_model_file_error(
    tmp_path: Path, model_bytes: bytes, data: st.DataObject
) -> None:
    path = tmp_path / "edited.npz"
    path.write_bytes(model_bytes)
    arrays: dict[str, object] = dict(members(path))
    meta = json.loads(str(arrays["meta"]))
    for _ in range(data.draw(st.integers(1, 3))):
        action = data.draw(st.sampled_from(["drop", "array", "meta", "nested"]))
        if action == "drop" and arrays:
            del arrays[data.draw(st.sampled_from(sorted(arrays)))]
        elif action == "array":
            name = data.draw(st.sampled_from(["meta", "params_0", "params_1", "history_x"]))
            arrays[name] = data.draw(ARRAYS)
        elif action == "meta":
            meta[data.draw(st.sampled_from(sorted(meta)))] = data.draw(JSON)
            arrays["meta"] = np.array(json.dumps(meta))
        else:
            section = data.draw(st.sampled_from(["network", "train"]))
            if isinstance(meta.get(section), dict) and meta[section]:
                meta[section][data.draw(st.sampled_from(sorted(meta[section])))] = data.draw(JSON)
                arrays["meta"] = np.array(json.dumps(meta))
    write_members(path, arrays)
    try:
        saved = load_model(path)
    except ModelFileError as error:
        assert "edited.npz" in str(error)
    else:
        assert saved.network.all_finite() and saved.epoch >= 0 and saved.examples_seen >= 0


@pytest.fixture(scope="module")
def folder_bytes() -> dict[str, bytes]:
    """The four files of a valid tiny MNIST: train images gzipped, the rest raw."""
    files = {name: idx_bytes(array) for name, array in mnist_arrays(12).items()}
    files[TRAIN_IMAGES + ".gz"] = gzip.compress(files.pop(TRAIN_IMAGES), mtime=0)
    return files


@settings(FUZZ, max_examples=200)
@given(data=st.data())
def test_mutated_data_folders_only_raise_data_error(
    tmp_path_factory: pytest.TempPathFactory, folder_bytes: dict[str, bytes], data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    victim = data.draw(st.sampled_from(sorted(folder_bytes)))
    for name, content in folder_bytes.items():
        (folder / name).write_bytes(mutate(data, content) if name == victim else content)
    try:
        loaded = load_mnist_dir(folder)
    except DataError as error:
        assert victim in str(error)
    else:
        for part in (loaded.train, loaded.test):
            assert part.images.shape[1:] == (28, 28) and len(part.images) == len(part.labels)
            assert part.labels.max() <= 9


@pytest.fixture(scope="module")
def digits_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a valid "my digits" file with three drawings."""
    digits = MyDigits(np.full((3, 28, 28), 200, np.uint8), np.array([1, 2, 3]))
    path = tmp_path_factory.mktemp("digits") / "mine.npz"
    digits.save(path)
    return path.read_bytes()


@settings(FUZZ, max_examples=200)
@given(data=st.data())
def test_mutated_my_digits_only_raise_data_error(
    tmp_path: Path, digits_bytes: bytes, data: st.DataObject
) -> None:
    path = tmp_path / "mine.npz"
    path.write_bytes(mutate(data, digits_bytes))
    try:
        digits = MyDigits.load(path)
    except DataError as error:
        assert "mine.npz" in str(error)
    else:
        images, labels = digits.as_uint8()
        assert images.shape == (len(labels), 28, 28) and labels.max(initial=0) <= 9


NUMBERS = (
    st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, 1, 2**31, 2**63, 1e-300, 1e300, 0.99, 0.999, 10000, 10000.5])
    | st.booleans()
    | st.text(max_size=4)
    | st.none()
)


@settings(FUZZ, max_examples=300)
@given(
    field=st.sampled_from(
        ["learning_rate", "batch_size", "momentum", "l2", "epoch", "examples_seen", "sizes"]
    ),
    value=NUMBERS,
    weight=st.floats(allow_nan=True, allow_infinity=True, width=64),
    where=st.integers(0, 4 * 785 - 1),
)
def test_values_inside_valid_models_are_within_limits_or_refused(
    tmp_path: Path, model_bytes: bytes, field: str, value: object, weight: float, where: int
) -> None:
    path = tmp_path / "values.npz"
    path.write_bytes(model_bytes)
    arrays: dict[str, object] = dict(members(path))
    meta = json.loads(str(arrays["meta"]))
    if field in ("epoch", "examples_seen"):
        meta[field] = value
    elif field == "sizes":
        meta["network"]["sizes"] = [784, value, 10]
    else:
        meta["train"][field] = value
    arrays["meta"] = np.array(json.dumps(meta))
    weights = np.asarray(arrays["params_0"], np.float64).copy()
    weights.flat[where] = weight  # float64: finite here may be infinite as float32
    arrays["params_0"] = weights
    write_members(path, arrays)
    try:
        saved = load_model(path, window=True)
    except ModelFileError as error:
        assert str(error).startswith("values.npz is not a usable Backprop Lab model: ")
        assert "\n" not in str(error)
    else:
        from engine import limits

        assert limits.check_train_config(saved.train_config) is None
        assert isinstance(saved.train_config.batch_size, int)
        assert limits.EPOCHS.contains(saved.epoch) and isinstance(saved.epoch, int)
        assert limits.EXAMPLES_SEEN.contains(saved.examples_seen)
        assert limits.check_hidden(saved.network.sizes) is None
        assert saved.network.all_finite() and saved.network.params[0].dtype == np.float32
