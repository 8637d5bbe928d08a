"""Issue 15's classes of failure, each attacked through the engine, the command line and the window.

The bad model files are in tests/test_bad_inputs.py's corpus; here are the settings files, the
"my digits" files, saves, signals, streams, memory, hangs and stalled runs.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QPushButton
from windows import ENV, holds_sigterm_within, main_py, open_window, train_batches

import engine.data.download
import engine.data.model_io
import gui.window.model_reader
from engine import limits
from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig
from engine.data.atomic import atomic_write, check_target
from engine.data.datasets import load_data
from engine.data.idx import write_idx
from engine.data.model_io import load_model, save_model
from engine.data.my_digits import MyDigits
from engine.errors import DataError, SaveError, printable
from engine.session.history import TrainingHistory
from engine.session.stall import is_stalled
from gui.settings import DEFAULTS, load_session
from gui.window.memory_guard import MESSAGE, install_memory_guard
from gui.window.preferences_dialog import load_preferences

ROOT = Path(__file__).resolve().parents[1]


def lines_of(stderr: str) -> list[str]:
    """Return the non-empty lines of an error stream."""
    return [line for line in stderr.splitlines() if line.strip()]


def one_line(done: subprocess.CompletedProcess[str], status: int, *words: str) -> str:
    """Assert the exit status and exactly one stderr line holding every word; return it."""
    lines = lines_of(done.stderr)
    assert done.returncode == status, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("backprop-lab") and "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0], done.stderr
    return lines[0]


def tiny_model(path: Path, sizes: tuple[int, ...] = (784, 4, 10), **train: float) -> Path:
    """Save a small valid model and return its path."""
    network = Network(NetworkConfig(sizes), np.random.default_rng(1))
    save_model(path, network, TrainConfig(**train), 1, 100)
    return path


# ---- 1. values from settings files pass the controls' limits --------------------------------

# name: (INI text, words the message must contain)
BAD_SETTINGS = {
    "batch size 2^31": ("[train]\nbatch_size=2147483648\n", "train/batch_size is 2,147,483,648"),
    "learning rate 1e308": ("[train]\nlearning_rate=1e308\n", "train/learning_rate is 1e+308"),
    "learning rate inf": ("[train]\nlearning_rate=inf\n", "train/learning_rate is inf"),
    "momentum 1.5": ("[train]\nmomentum=1.5\n", "train/momentum is 1.5"),
    "L2 1e30": ("[train]\nl2=1e30\n", "train/l2 is 1e+30"),
    "batch size text": ("[train]\nbatch_size=many\n", "train/batch_size = 'many' is not"),
    "seed -1": ("[network]\nseed=-1\n", "network/seed is -1"),
    "seed 2^40": ("[network]\nseed=1099511627776\n", "network/seed is 1,099,511,627,776"),
    "snapshot interval inf": (
        "[prefs]\nsnapshot_interval=inf\n",
        "prefs/snapshot_interval = 'inf' is not",
    ),
    "snapshot interval 1e12": (
        "[prefs]\nsnapshot_interval=1000000000000\n",
        "prefs/snapshot_interval is 1,000,000,000,000",
    ),
    "hidden 4000,4000": ('[network]\nhidden="4000,4000"\n', "network/hidden = '4000,4000' cannot"),
}


@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_engine_reads_bad_settings_as_defaults_and_says_so(tmp_path: Path, case: str) -> None:
    text, words = BAD_SETTINGS[case]
    path = tmp_path / "s.ini"
    path.write_text(text)
    problems: list[str] = []
    session = load_session(QSettings(str(path), QSettings.Format.IniFormat), problems)
    prefs = load_preferences(QSettings(str(path), QSettings.Format.IniFormat), problems)
    assert session == DEFAULTS and prefs.snapshot_interval == 100
    assert len(problems) == 1 and words in problems[0], problems


def test_window_opens_on_every_bad_setting_with_defaults_and_a_message(
    qtbot, tmp_path: Path
) -> None:
    for case, (text, words) in BAD_SETTINGS.items():
        path = tmp_path / f"{len(text)}-{abs(hash(case))}.ini"
        path.write_text(text)
        window = open_window(qtbot, path)
        assert words in window.banner.last_message(), (case, window.banner.last_message())
        assert window.session.train == DEFAULTS.train and window.session.seed == 0
        assert (
            window.controls.batch_size.value() == 10 and window.controls.learning_rate.value() == 3
        )
        window.worker.step_batch()  # and it trains
        qtbot.waitUntil(lambda w=window: len(w.record.history) == 1)
        window.close()
        session = load_session(QSettings(str(path), QSettings.Format.IniFormat))
        assert session.train == DEFAULTS.train, "the window stored a value out of range"


def test_a_real_window_process_reports_every_bad_setting_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "all.ini"
    sections: dict[str, dict[str, str]] = {}  # the first bad value of every key
    for text, _ in BAD_SETTINGS.values():
        section, line = text.strip().split("\n")
        sections.setdefault(section, {}).setdefault(line.split("=")[0], line)
    path.write_text("".join(f"{s}\n" + "\n".join(k.values()) + "\n" for s, k in sections.items()))
    done = main_py(
        "--settings", str(path), "--screenshot", str(tmp_path / "w.png"), "--size", "900x700"
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "w.png").stat().st_size > 0
    for key in ("train/", "network/seed", "prefs/snapshot_interval"):
        assert f"backprop-lab: settings not used: {key}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_model_out_of_range_opened_via_the_menu_stores_nothing(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.npz"
    network = Network(NetworkConfig((784, 4, 10)), np.random.default_rng(1))
    save_model(bad, network, TrainConfig(batch_size=10), 1, 100)
    import zipfile

    with zipfile.ZipFile(bad) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    meta = json.loads(np.load(bad)["meta"].item())
    meta["train"]["batch_size"] = 2**31
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array(json.dumps(meta)))
    members["meta.npy"] = buffer.getvalue()
    with zipfile.ZipFile(bad, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    settings_path = tmp_path / "s.ini"
    window = open_window(qtbot, settings_path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    window.menus.open_action.trigger()
    assert (
        "mini-batch size is 2,147,483,648; it must be between 1 and 10,000"
        in window.banner.message()
    )
    window.close()
    again = open_window(qtbot, settings_path)  # and every later launch starts as before
    assert again.session.train.batch_size == 10 and again.settings_problems == []
    again.close()


# ---- "my digits" files: limits, size caps, pipes, plain-text messages -----------------------


def digits_file(path: Path, images: np.ndarray, labels: np.ndarray) -> Path:
    """Write a "my digits" archive holding exactly these arrays."""
    np.savez_compressed(path, images=images, labels=labels)
    return path


def pipe(path: Path) -> Path:
    """Make a named pipe at path."""
    os.mkfifo(path)
    return path


BAD_DIGITS = {  # name: (builder of the file in a folder, words the message must contain)
    "too many drawings": (
        lambda p: digits_file(p, np.zeros((10_001, 28, 28), np.uint8), np.zeros(10_001, int)),
        "holds 10,001 drawings; at most 10,000 are read",
    ),
    "float64 bomb": (
        lambda p: digits_file(p, np.zeros((20_000, 28, 28)), np.zeros(20_000, int)),
        "unpacks to more than 60 MB",
    ),
    "named pipe": (pipe, "is not a regular file"),
    "label 10": (
        lambda p: digits_file(p, np.zeros((2, 28, 28), np.uint8), np.array([1, 10])),
        "the labels must be whole numbers 0..9",
    ),
    "pixels of 1e300": (
        lambda p: digits_file(p, np.full((1, 28, 28), 1e300), np.array([1])),
        "float pixels must lie in [0, 1]",
    ),
}


@pytest.mark.parametrize("case", list(BAD_DIGITS))
def test_engine_refuses_bad_my_digits_files(tmp_path: Path, case: str) -> None:
    build, words = BAD_DIGITS[case]
    path = build(tmp_path / "<b>mine<b>.npz")
    with pytest.raises(DataError) as caught:
        MyDigits.load(path)
    assert words in str(caught.value) and "<b>mine<b>.npz" in str(caught.value)


def test_window_refuses_bad_my_digits_files_in_plain_text(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    window = open_window(qtbot, tmp_path / "s.ini")
    panel = window.digit_panel
    panel.my_digits.add(np.zeros((28, 28), np.uint8), 3)
    before = panel.my_digits
    shown: list[tuple[str, object]] = []
    monkeypatch.setattr(
        QMessageBox, "exec", lambda box: shown.append((box.text(), box.textFormat()))
    )
    for case, (build, words) in BAD_DIGITS.items():
        path = build(tmp_path / f"<b>{case}<b>.npz")
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, p=path, **k: (str(p), ""))
        qtbot.mouseClick(panel.teach.open_button, Qt.MouseButton.LeftButton)
        text, text_format = shown[-1]
        assert words in text and f"<b>{case}<b>.npz" in text, (case, text)
        assert text_format == Qt.TextFormat.PlainText
        assert panel.my_digits is before and len(panel.my_digits) == 1
    assert len(shown) == len(BAD_DIGITS)
    window.close()


def test_a_valid_my_digits_file_of_the_largest_size_loads_whole(tmp_path: Path) -> None:
    images = np.random.default_rng(2).random((limits.MY_DIGITS, 28, 28))
    labels = np.arange(limits.MY_DIGITS) % 10
    digits = MyDigits.load(digits_file(tmp_path / "big.npz", images, labels))
    got, got_labels = digits.as_uint8()
    assert (got == np.rint(images * 255).astype(np.uint8)).all() and (got_labels == labels).all()


# ---- 2. the finite check after the cast; strict JSON ----------------------------------------


def test_evaluate_json_is_strict_even_for_an_infinite_cost() -> None:
    from engine.cli import json_line

    line = json_line({"test_cost": float("inf"), "loss": float("nan"), "test_accuracy": 0.5})
    assert json.loads(line, parse_constant=lambda c: pytest.fail(c)) == {
        "test_cost": None,
        "loss": None,
        "test_accuracy": 0.5,
    }


def test_evaluate_json_of_a_real_model_parses_strictly(tmp_path: Path) -> None:
    model = tiny_model(tmp_path / "m.npz")
    done = main_py("evaluate", str(model), "--json")
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout, parse_constant=lambda c: pytest.fail(c))
    assert 0 <= row["test_accuracy"] <= 1 and row["epoch"] == 1


# ---- 3. out of memory -----------------------------------------------------------------------


def test_a_network_too_big_for_memory_is_one_line() -> None:
    done = main_py("train", "--layers", "784,30000000,10")  # refused before any memory is used
    one_line(done, 2, "layer 2's size is 30,000,000; it must be between 1 and 100,000")


@pytest.mark.parametrize(("megabytes", "words"), [(100, "ulimit -v"), (400, "not enough memory")])
def test_a_low_memory_limit_is_one_line(megabytes: int, words: str) -> None:
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (megabytes * 2**20, megabytes * 2**20))

    done = main_py("train", "--layers", "784,100000,10", preexec_fn=limit)
    one_line(done, 2, words)


def test_memory_error_in_a_window_slot_is_a_message_and_the_app_goes_on(
    qtbot, tmp_path: Path
) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    previous = install_memory_guard(window.banner)
    try:

        def greedy() -> None:
            raise MemoryError

        QTimer.singleShot(0, greedy)  # a slot that runs out of memory
        qtbot.waitUntil(window.banner.isVisible)
        assert window.banner.message() == MESSAGE
        window.worker.step_batch()  # the app keeps running
        qtbot.waitUntil(lambda: len(window.record.history) == 1)
    finally:
        sys.excepthook = previous
    window.close()


# ---- 4 and 5. saving: checked first, atomic, through symlinks, keeping modes ------------------


@pytest.mark.parametrize(
    ("target", "words"),
    [
        (".", "cannot save to .: it is a folder"),
        ("", "the file name to save to is empty"),
        ("/no/such/folder/m.npz", "the folder /no/such/folder does not exist"),
        ("/dev/null", "cannot save to /dev/null: it is not a regular file"),
        ("x" * 256 + ".npz", "File name too long"),
    ],
)
def test_save_targets_are_refused_before_training(target: str, words: str) -> None:
    done = main_py("train", "--epochs", "50", "--save", target)  # 50 epochs would take a while
    line = one_line(done, 2, words)
    assert ".tmp" not in line and done.stdout == ""


def test_save_onto_the_training_data_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    rng = np.random.default_rng(0)
    write_idx(folder / "train-images-idx3-ubyte", rng.integers(0, 255, (20, 28, 28), np.uint8))
    write_idx(folder / "train-labels-idx1-ubyte", (np.arange(20) % 10).astype(np.uint8))
    write_idx(folder / "t10k-images-idx3-ubyte", rng.integers(0, 255, (10, 28, 28), np.uint8))
    write_idx(folder / "t10k-labels-idx1-ubyte", (np.arange(10) % 10).astype(np.uint8))
    link = tmp_path / "innocent.npz"
    link.symlink_to(folder / "train-labels-idx1-ubyte")
    before = (folder / "train-labels-idx1-ubyte").read_bytes()
    for target in (folder / "train-images-idx3-ubyte", link):
        done = main_py("train", "--data", str(folder), "--save", str(target))
        one_line(done, 2, "it is one of the training data files", str(target))
    assert (folder / "train-labels-idx1-ubyte").read_bytes() == before


def test_names_of_243_to_255_characters_save(tmp_path: Path) -> None:
    network = Network(NetworkConfig((784, 4, 10)), np.random.default_rng(1))
    for length in (243, 250, 255):
        path = tmp_path / ("n" * (length - 4) + ".npz")
        save_model(path, network, TrainConfig())
        assert load_model(path).network.sizes == (784, 4, 10)
    assert sorted(len(p.name) for p in tmp_path.iterdir()) == [243, 250, 255]
    done = main_py("train", "--layers", "784,10", "--save", str(tmp_path / ("c" * 251 + ".npz")))
    assert done.returncode == 0, done.stderr


def test_a_replaced_file_keeps_its_mode_and_a_symlink_its_link(tmp_path: Path) -> None:
    network = Network(NetworkConfig((784, 4, 10)), np.random.default_rng(1))
    plain = tmp_path / "plain.npz"
    plain.write_bytes(b"old")
    plain.chmod(0o644)
    save_model(plain, network, TrainConfig())
    assert plain.stat().st_mode & 0o777 == 0o644
    plain.chmod(0o640)
    save_model(plain, network, TrainConfig())
    assert plain.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "fresh.npz"
    old_umask = os.umask(0o022)
    try:
        save_model(fresh, network, TrainConfig())
    finally:
        os.umask(old_umask)
    assert fresh.stat().st_mode & 0o777 == 0o644
    target = tmp_path / "real" / "model.npz"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    save_model(link, network, TrainConfig(), epoch=4)
    assert link.is_symlink() and load_model(target).epoch == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fresh.npz",
        "link.npz",
        "plain.npz",
        "real",
    ]


def test_non_regular_targets_are_refused_and_untouched(tmp_path: Path) -> None:
    fifo = pipe(tmp_path / "pipe.npz")
    for target, words in ((fifo, "not a regular file"), (tmp_path, "it is a folder")):
        with pytest.raises(SaveError, match=words):
            check_target(target)
    assert fifo.is_fifo()
    with pytest.raises(SaveError, match="is empty"):
        check_target("")


def test_a_failed_write_names_the_users_path_and_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.csv"
    path.write_text("old contents\n")

    def full_disk(file) -> None:
        file.write(b"x" * 16384)
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(SaveError) as caught:
        atomic_write(path, full_disk)
    assert str(caught.value) == f"could not save {path}: the disk is full"
    assert path.read_text() == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


SAVER = """
import signal
import sys
# The dispositions a process started from a terminal has: a shell's background job (&) starts
# with SIGINT ignored and nohup with SIGHUP ignored, and a child inherits that; held_signals
# rightly restores what it found, and an ignored signal then ends nothing.
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
signal.signal(signal.SIGHUP, signal.SIG_DFL)
sys.path.insert(0, {root!r})
import numpy as np
from engine.data.model_io import save_model
from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig
net = Network(NetworkConfig((784, 100, 10)), np.random.default_rng(0))
path = sys.argv[1]
save_model(path, net, TrainConfig())
print("ready", flush=True)
while True:
    save_model(path, net, TrainConfig())
"""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_no_signal_at_any_moment_of_a_save_leaves_a_temporary_file(
    tmp_path: Path, name: str
) -> None:
    rng = np.random.default_rng(sum(map(ord, name)))
    for round_ in range(4):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        saver = subprocess.Popen(
            [sys.executable, "-c", SAVER.format(root=str(ROOT)), str(folder / "m.npz")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert saver.stdout.readline() == "ready\n"
        time.sleep(float(rng.uniform(0.0, 0.2)))  # a random moment in a stream of saves
        saver.send_signal(getattr(signal, name))
        try:
            _out, err = saver.communicate(timeout=30)
        except subprocess.TimeoutExpired:  # the signal ended nothing: a saver saving forever
            saver.kill()  # not left to spin for the rest of the suite (it did, on a busy run)
            _out, err = saver.communicate()
            pytest.fail(f"the saver went on saving 30 s after {name}: {err[-2000:]}")
        assert saver.returncode != 0
        assert [p.name for p in folder.iterdir()] == ["m.npz"], list(folder.iterdir())
        assert load_model(folder / "m.npz").network.sizes == (784, 100, 10)


@pytest.mark.parametrize(("name", "status"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_stopped_run_saves_its_last_finished_epoch_and_says_so(
    tmp_path: Path, name: str, status: int
) -> None:
    model = tmp_path / "m.npz"
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "train",
            "--layers",
            "784,10",
            "--epochs",
            "1000",
            "--json",
            "--save",
            str(model),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=ENV,
    )
    first = json.loads(process.stdout.readline())  # one epoch has finished
    assert first["epoch"] == 1
    process.send_signal(getattr(signal, name))
    out, err = process.communicate(timeout=60)
    saved = load_model(model)
    epochs = [first["epoch"]] + [json.loads(line)["epoch"] for line in out.splitlines()]
    assert saved.epoch == epochs[-1]
    assert process.returncode == status, err
    assert lines_of(err) == [
        f"backprop-lab: stopped by {name}; saved epoch {saved.epoch} to {model}"
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_a_run_stopped_before_its_first_epoch_saves_nothing(tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "train",
            "--data",
            "sample",
            "--batch-size",
            "1",
            "--layers",
            "784,100,100,10",
            "--json",
            "--save",
            str(model),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=ENV,
    )
    # Importing and loading; then it holds SIGTERM.
    assert holds_sigterm_within(process, 60), process.stderr
    process.send_signal(signal.SIGTERM)  # during the first of 10,000 single-example steps
    out, err = process.communicate(timeout=60)
    if out:  # a very fast machine finished the epoch; then it was saved
        assert load_model(model).epoch >= 1
        return
    assert process.returncode == 143 and "nothing was saved" in err and not model.exists()
    assert "Traceback" not in err


@pytest.mark.parametrize("after_reports", [0, 5])
def test_a_signal_while_the_data_loads_or_mid_epoch_says_nothing_was_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after_reports: int
) -> None:
    """The signal lands at a known moment: as the data loads, or after five mini-batches."""
    import io

    import engine.data.datasets as datasets
    from engine import cli
    from engine.core.training import Trainer

    def signal_self() -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # the command's own handler turns it into a stop

    real_load, real_reports = datasets.load_data, Trainer.reports

    def loading(*args: object, **kwargs: object):
        if after_reports == 0:
            signal_self()
        return real_load(*args, **kwargs)

    def reports(self, *args: object, **kwargs: object):
        for i, report in enumerate(real_reports(self, *args, **kwargs)):
            if i == after_reports and after_reports:
                signal_self()
            yield report

    monkeypatch.setattr(datasets, "load_data", loading)
    monkeypatch.setattr(Trainer, "reports", reports)
    model, out, err = tmp_path / "m.npz", io.StringIO(), io.StringIO()
    status = cli.run(["train", "--data", "sample", "--save", str(model)], out, err)
    assert status == 128 + signal.SIGTERM and out.getvalue() == "" and not model.exists()
    assert err.getvalue() == (
        "backprop-lab: stopped by SIGTERM before the first epoch finished; nothing was saved\n"
    )


# ---- 6. size limits and a responsive window while a large file loads -------------------------


def test_histories_load_without_a_per_row_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.session import history as history_module

    def refuse(*args: object) -> None:
        raise AssertionError("one append per row")

    monkeypatch.setattr(history_module.Columns, "append", refuse)
    rows = 1_000_000
    arrays = {"batch_progress": np.linspace(0, 1, rows), "batch_cost": np.linspace(2, 1, rows)}
    rebuilt = TrainingHistory.from_arrays(arrays)
    assert len(rebuilt) == rows
    assert (rebuilt.batches.column("cost") == arrays["batch_cost"]).all()


def test_window_refuses_layers_its_controls_lack_but_the_command_line_reads_them(
    qtbot, tmp_path: Path
) -> None:
    model = tiny_model(tmp_path / "wide.npz", sizes=(784, 200, 10))
    done = main_py("evaluate", str(model))
    assert done.returncode == 0 and done.stdout.startswith("test accuracy"), done.stderr
    window = open_window(qtbot, tmp_path / "s.ini")
    assert not window.open_model(model)
    assert "its hidden layers 200 are beyond the window's 1 to 4 layers" in window.banner.message()
    assert window.session.network == DEFAULTS.network
    window.close()


def test_a_large_model_loads_behind_a_dialog_that_keeps_the_window_live_and_can_cancel(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tiny_model(tmp_path / "large.npz", sizes=(784, 16, 16, 10), learning_rate=0.5)
    monkeypatch.setattr(gui.window.model_reader, "LARGE_MODEL", 0)  # every file takes the slow path
    window = open_window(qtbot, tmp_path / "s.ini")
    release = threading.Event()
    real_load = engine.data.model_io.load_model

    def slow_load(*args, **kwargs):
        release.wait(20)  # a disk or a file far slower than this one
        return real_load(*args, **kwargs)

    monkeypatch.setattr(engine.data.model_io, "load_model", slow_load)
    ticks: list[float] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)

    def cancel(how: str) -> None:
        dialogs = window.findChildren(QProgressDialog)
        if not dialogs or not dialogs[-1].isVisible() or len(ticks) < 5:
            QTimer.singleShot(20, lambda: cancel(how))
            return
        if how == "button":  # as the learner does: the dialog's Cancel button, or Esc
            qtbot.mouseClick(dialogs[-1].findChild(QPushButton), Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(dialogs[-1], Qt.Key.Key_Escape)

    for how in ("button", "escape"):
        ticks.clear()
        QTimer.singleShot(0, lambda how=how: cancel(how))
        assert not window.open_model(model)  # cancelled: nothing changes
        assert len(ticks) >= 5, "the window's own timers ran while the file loaded"
        assert window.session.train.learning_rate == 3.0 and window.record.model_path is None
    release.set()
    ticks.clear()
    assert window.open_model(model)  # the same path completes when not cancelled
    assert window.session.train.learning_rate == 0.5 and window.record.model_path == model
    timer.stop()
    window.close()


# ---- 7. only verified files from the cache ---------------------------------------------------


def test_full_never_reads_a_stray_uncompressed_file_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(4)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": (np.arange(20) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": (np.arange(10) % 10).astype(np.uint8),
    }
    for name, array in arrays.items():
        write_idx(tmp_path / name, array)
    checksums = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in tmp_path.iterdir()}
    monkeypatch.setattr(engine.data.download, "MNIST_FILES", checksums)
    monkeypatch.setattr(engine.data.download, "MIRRORS", ("http://127.0.0.1:9/",))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.full(20, 7, np.uint8))  # stray, unchecked
    data = load_data("full", cache_dir=tmp_path)
    assert (data.train.labels == arrays["train-labels-idx1-ubyte.gz"]).all()


# ---- 8 and 9. hangs, and arguments the window takes ------------------------------------------


def test_settings_on_a_pipe_or_a_folder_is_refused_at_once(tmp_path: Path) -> None:
    fifo = pipe(tmp_path / "settings.ini")
    one_line(main_py("--settings", str(fifo), timeout=60), 2, "not a regular file")
    one_line(main_py("--settings", str(tmp_path), timeout=60), 2, "not a regular file")


def test_a_diverging_screenshot_run_stops_at_once_with_status_3(tmp_path: Path) -> None:
    settings = tmp_path / "s.ini"
    settings.write_text("[network]\ncost=cross-entropy\n[train]\nlearning_rate=10000\n")
    done = main_py(
        "--settings",
        str(settings),
        "--screenshot",
        str(tmp_path / "s.png"),
        "--train-batches",
        "100000",
        timeout=90,  # the old wait was 120 s
    )
    one_line(done, 3, "screenshot not taken", "learning rate")
    assert not (tmp_path / "s.png").exists()


@pytest.mark.parametrize(
    ("digit", "status", "words"),
    [
        ("2000", 2, "--pad-digit 2000 is out of range: the test set has digits 0 to 1999"),
        ("-1", 2, "--pad-digit: the test digit's number is -1; it must be between 0 and"),
        ("99999999999", 2, "--pad-digit: the test digit's number is 99,999,999,999"),
    ],
)
def test_pad_digit_out_of_range(tmp_path: Path, digit: str, status: int, words: str) -> None:
    done = main_py(
        "--screenshot", str(tmp_path / "p.png"), "--pad-digit", digit, "--size", "800x600"
    )
    one_line(done, status, words)


def test_the_last_pad_digit_works(tmp_path: Path) -> None:
    done = main_py(
        "--screenshot", str(tmp_path / "p.png"), "--pad-digit", "1999", "--size", "800x600"
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p.png").stat().st_size > 0


# ---- 10 and 11. file text is shown as plain text; no empty reason ---------------------------


def test_a_bad_model_on_the_command_line_prints_its_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 not really")
    done = main_py(str(bad), "--screenshot", str(tmp_path / "s.png"))
    one_line(done, 2, "bad.npz is not a usable Backprop Lab model: it is damaged or truncated")


def test_control_characters_in_a_file_name_never_reach_the_terminal(tmp_path: Path) -> None:
    name = "evil\x1b[2J\nbackprop-lab: all good\r.npz"
    bad = tmp_path / name
    bad.write_bytes(b"junk")
    done = main_py("evaluate", str(bad))
    line = one_line(done, 2, "evil?[2J?backprop-lab: all good?.npz")
    assert "\x1b" not in done.stderr and "\r" not in done.stderr
    assert printable("a\x1b\u2028b\u202ec") == "a??b?c" and line.count("backprop-lab:") == 2


def test_the_banner_shows_html_from_a_file_as_plain_text(qtbot, tmp_path: Path) -> None:
    from PySide6.QtCore import Qt

    window = open_window(qtbot, tmp_path / "s.ini")
    window.banner.show_failure("<h1>Big</h1><img src='/etc/hostname'>", offer_lower_rate=False)
    assert window.banner.label.textFormat() == Qt.TextFormat.PlainText
    assert window.banner.message() == "<h1>Big</h1><img src='/etc/hostname'>"
    window.close()


# ---- 12. one clear line -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["train", "--lr", "1e308"],
            "learning rate is 1e+308; it must be between 0.0001 and 10,000",
        ),
        (["train", "--l2", "1e30"], "L2 regularisation is 1e+30; it must be between 0 and 100"),
        (["train", "--batch-size", "2147483648"], "mini-batch size is 2,147,483,648"),
        (["train", "--momentum", "nan"], "momentum is nan"),
        (["train", "--seed", "-1"], "seed is -1"),
        (["evalute", "x.npz"], "unknown command 'evalute'; did you mean 'evaluate'?"),
        (["trian"], "did you mean 'train'?"),
    ],
)
def test_bad_arguments_are_one_clear_line(args: list[str], words: str) -> None:
    one_line(main_py(*args), 2, words)


def test_full_offline_is_one_line_without_the_downloaders_chatter(tmp_path: Path) -> None:
    env = {
        **ENV,
        "XDG_CACHE_HOME": str(tmp_path),
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }  # never reaches the internet
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "train", "--data", "full"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    one_line(done, 2, "the bundled sample still works")
    assert "Downloading" not in done.stderr


def test_an_idx_header_whose_size_overflows_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        write_idx(folder / name, np.zeros((10, 28, 28) if "images" in name else 10, np.uint8))
    header = bytes([0, 0, 8, 3]) + (2**32 - 1).to_bytes(4, "big") * 3
    (folder / "train-images-idx3-ubyte").write_bytes(header + bytes(100))
    with pytest.raises(DataError, match="train-images-idx3-ubyte claims an absurd shape"):
        load_data(str(folder))
    one_line(main_py("train", "--data", str(folder)), 2, "train-images-idx3-ubyte", "absurd")


# ---- 13. closed streams ---------------------------------------------------------------------


def test_a_closed_stdout_or_stderr_is_no_crash(tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    done = main_py(
        "train", "--layers", "784,10", "--save", str(model), preexec_fn=lambda: os.close(1)
    )
    one_line(done, 2, "the output (stdout) is closed")  # issue 25: refused, not lost
    assert not model.exists()
    assert main_py("train", "--layers", "784,10", "--save", str(model)).returncode == 0
    assert load_model(model).epoch == 1
    bad = main_py("train", "--lr", "-1", preexec_fn=lambda: os.close(2))
    assert bad.returncode == 2 and bad.stdout == ""
    fine = main_py("evaluate", str(model), preexec_fn=lambda: os.close(2))
    assert fine.returncode == 0 and fine.stdout.startswith("test accuracy")


# ---- 14. signals end the window cleanly -----------------------------------------------------


@pytest.mark.parametrize(("name", "status"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_signal_closes_the_window_cleanly(tmp_path: Path, name: str, status: int) -> None:
    settings = tmp_path / "s.ini"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--settings", str(settings)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=ENV,
    )
    deadline = time.monotonic() + 60
    while "[data]" not in (settings.read_text() if settings.exists() else ""):
        assert time.monotonic() < deadline and process.poll() is None, process.stderr
        time.sleep(0.1)  # the window is up once it has stored the data source it loaded
    process.send_signal(getattr(signal, name))
    out, err = process.communicate(timeout=30)
    assert process.returncode == status, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "geometry" in settings.read_text(), "the window closed through its own closeEvent"
    assert [p.name for p in tmp_path.iterdir()] == ["s.ini"]


# ---- 15. history CSV export is atomic -------------------------------------------------------


def test_history_export_is_atomic_and_says_why_it_failed(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    train_batches(qtbot, window, 30)
    path = tmp_path / "history.csv"
    path.write_text("old\n" * 10_000)
    real = window.files.write_history_csv

    def full_disk(file) -> None:
        real(file)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(window.files, "write_history_csv", full_disk)
    assert not window.files.export_history(path)
    assert (
        window.banner.message()
        == f"Could not export the history: could not save {path}: the disk is full"
    )
    assert path.read_text() == "old\n" * 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv", "s.ini"]
    monkeypatch.setattr(window.files, "write_history_csv", real)
    assert window.files.export_history(path)
    rows = path.read_text().splitlines()
    assert rows[0] == "kind,epoch,cost,test_cost,test_accuracy" and len(rows) == 31
    costs = [float(r.split(",")[2]) for r in rows[1:]]
    assert costs == pytest.approx(window.record.history.batches.column("cost"), rel=1e-5)
    window.close()


# ---- 16. a collapsed run is not a success ---------------------------------------------------


def test_is_stalled_tells_a_flat_run_at_chance_from_a_learning_one() -> None:
    flat = np.full(1000, 2.1) + np.random.default_rng(0).normal(0, 0.1, 1000)
    falling = np.linspace(2.4, 0.3, 1000)
    assert is_stalled(0.10, flat)
    assert not is_stalled(0.10, falling)  # at chance but learning: not yet a stall
    assert not is_stalled(0.85, flat)  # flat but accurate: converged, not stalled
    assert not is_stalled(0.10, np.array([np.nan, 1.0]))


def test_a_collapsed_relu_run_exits_3_and_marks_the_json() -> None:
    # When within its first epochs the network collapses depends on the floating-point details
    # of the machine; what must hold is that the run stops after the epoch that stalled.
    done = main_py("train", "--activation", "relu", "--lr", "5", "--epochs", "4", "--json")
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows and [row["stalled"] for row in rows] == [False] * (len(rows) - 1) + [True]
    assert len(rows) < 4, "stops after the epoch that stalled"
    line = one_line(done, 3, f"Training has stalled: after epoch {len(rows)} the test accuracy is")
    assert f"{100 * rows[-1]['test_accuracy']:.1f}%" in line and "lower the learning rate" in line
    healthy = main_py("train", "--layers", "784,10", "--json")
    assert healthy.returncode == 0 and json.loads(healthy.stdout)["stalled"] is False


def test_the_window_says_a_collapsed_run_has_stalled(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    config = NetworkConfig((784, 16, 16, 10), "relu")
    window.controls.network_edited.emit(config, 0)
    window.controls.train_config_edited.emit(TrainConfig(learning_rate=5.0))
    window.set_speed(0)  # full speed: what is checked is not the pace
    stalls: list[bool] = []
    window.record.stalled.connect(lambda: stalls.append(True))
    for epoch in range(1, 4):  # it collapses within its first epochs (when: the machine's floats)
        window.worker.step_epoch()
        qtbot.waitUntil(
            lambda epoch=epoch: (
                window.record.last_epoch is not None and window.record.last_epoch.epoch == epoch
            ),
            timeout=30000,
        )
        if stalls:  # the record judged the epoch as its report arrived
            break
    qtbot.waitUntil(window.banner.isVisible, timeout=5000)
    text = window.banner.message()
    accuracy = window.record.last_epoch.test_accuracy
    stalled_at = window.record.last_epoch.epoch
    assert text.startswith(f"Training has stalled: after epoch {stalled_at} the test accuracy is ")
    assert f"{100 * accuracy:.1f}%" in text and "learning rate 5" in text
    assert accuracy <= 0.2
    window.close()


def test_png_exports_and_screenshots_refuse_a_pipe_and_write_whole_files(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = pipe(tmp_path / "pad.png")
    window = open_window(qtbot, tmp_path / "s.ini")
    chosen = [str(fifo)]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (chosen[-1], ""))
    window.menus.export_pad_action.trigger()  # would block forever opening the FIFO for writing
    assert "it is not a regular file" in window.banner.message() and fifo.is_fifo()
    chosen.append(str(tmp_path / "pad-ok.png"))
    window.menus.export_pad_action.trigger()
    assert (tmp_path / "pad-ok.png").read_bytes().startswith(b"\x89PNG")
    window.close()
    one_line(main_py("--screenshot", str(fifo), timeout=60), 2, "--screenshot", "not a regular")


def test_a_diverged_runs_nan_cost_in_a_history_still_opens(qtbot, tmp_path: Path) -> None:
    network = Network(NetworkConfig((784, 4, 10)), np.random.default_rng(1))
    history = {
        "batch_progress": np.linspace(0, 1, 5),
        "batch_cost": np.array([2, 1, 3, np.nan, 1.0]),
    }
    path = tmp_path / "diverged.npz"
    save_model(path, network, TrainConfig(), 1, 50, history)
    assert np.isnan(load_model(path).history["batch_cost"][3])
    window = open_window(qtbot, tmp_path / "s.ini")
    assert window.open_model(path)
    window.close()


def test_an_opened_models_rates_are_used_exactly_as_their_boxes_show_them(
    qtbot, tmp_path: Path
) -> None:
    model = tiny_model(tmp_path / "fine.npz", learning_rate=0.123456, momentum=0.333, l2=0.0004)
    window = open_window(qtbot, tmp_path / "s.ini")
    assert window.open_model(model)
    shown = window.controls.train_config()
    assert window.session.train == shown == TrainConfig(0.1235, 10, 0.33, 0.0)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().train_config == shown)
    window.close()


def test_a_huge_settings_file_is_refused_and_a_huge_recent_list_is_cut(
    qtbot, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.ini"
    with huge.open("wb") as file:
        file.truncate(5 * 2**20)
    one_line(main_py("--settings", str(huge), timeout=60), 2, "larger than 4 MB")
    model = tiny_model(tmp_path / "m.npz")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("files/recent", [str(model)] + [f"/nowhere/{i}.npz" for i in range(10_000)])
    settings.sync()
    window = open_window(qtbot, tmp_path / "s.ini")
    assert window.files.recent_files() == [str(model)]
    window.close()


def test_a_history_longer_than_the_reader_takes_is_thinned_on_save_and_reopens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine.data.model_io, "MAX_HISTORY_ROWS", 1000)
    rows = 2501
    history = {"batch_progress": np.linspace(0, 5, rows), "batch_cost": np.linspace(3, 1, rows)}
    path = tmp_path / "long.npz"
    save_model(path, Network(NetworkConfig((784, 4, 10))), TrainConfig(), 5, 50, history)
    loaded = load_model(path).history
    assert len(loaded["batch_progress"]) == len(loaded["batch_cost"]) == 1000
    assert loaded["batch_progress"][0] == 0 and loaded["batch_progress"][-1] == 5
    assert loaded["batch_cost"] == pytest.approx(3 - 2 * loaded["batch_progress"] / 5)
