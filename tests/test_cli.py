"""The headless command line, run as a user runs it: ``python main.py train|evaluate``."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from windows import main_py

from engine import cli
from engine.cli import Stopped
from engine.data import datasets
from engine.errors import DataError, DivergenceError, SaveError

ROOT = Path(__file__).resolve().parents[1]


def test_three_epochs_on_the_sample_learn_and_save(tmp_path: Path) -> None:
    model = tmp_path / "net.npz"
    done = main_py("train", "--epochs", "3", "--json", "--seed", "1", "--save", str(model))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [row["epoch"] for row in rows] == [1, 2, 3]
    for key in ("test_accuracy", "test_cost", "train_seconds", "examples_per_second"):
        assert all(isinstance(row[key], float) for row in rows), key
    assert rows[-1]["test_accuracy"] >= 0.85
    assert rows[-1]["test_cost"] < rows[0]["test_cost"]

    evaluated = main_py("evaluate", str(model), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    row = json.loads(evaluated.stdout)
    assert row["test_accuracy"] == pytest.approx(rows[-1]["test_accuracy"])
    assert row["epoch"] == 3


def test_progress_bar_on_a_terminal_only() -> None:
    import os
    import pty

    leader, follower = pty.openpty()  # stderr is a terminal: the bar is drawn there
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "train", "--layers", "784,10", "--epochs", "1"],
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
        cwd=ROOT,
    )
    os.close(follower)
    out, _ = process.communicate(timeout=120)
    terminal = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal is closed once the process has exited
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    assert process.returncode == 0
    assert b"[##############################]" in terminal
    assert out.startswith("epoch 1: test accuracy ")
    piped = main_py("train", "--layers", "784,10", "--epochs", "1")  # stderr a pipe: no bar
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout.startswith("epoch 1: test accuracy ")


@pytest.mark.parametrize(
    ("cost", "words"),
    [("cross-entropy", "the cost exploded"), ("quadratic", "Training has stalled")],
)
def test_divergence_exits_3_with_one_line(cost: str, words: str) -> None:
    # The largest rate allowed: cross-entropy's cost explodes; the quadratic cost's sigmoid
    # outputs saturate and the cost freezes, which the stall check names after the epoch.
    done = main_py("train", "--lr", "10000", "--epochs", "1", "--cost", cost)
    assert done.returncode == 3
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "learning rate" in lines[0] and words in lines[0]
    assert done.stderr.startswith("backprop-lab: ")  # no empty line first: no bar was drawn
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["train", "--layers", "784,banana,10"], "layers must be whole numbers"),
        (["train", "--layers", "100,10"], "784 inputs"),
        (["train", "--lr", "-1"], "learning rate is -1; it must be between 0.0001 and 10,000"),
        (["train", "--activation", "swish"], "invalid choice"),
        (["train", "--data", "/no/such/folder"], "does not exist"),
        (["train", "--momentum", "1.5"], "momentum"),
        (["evaluate", "/no/such/model.npz"], "model.npz"),
        (["frobnicate"], "no such model file"),
        (["--size", "12"], "--size"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(args: list[str], words: str) -> None:
    done = main_py(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0], done.stderr


def test_bad_model_file_and_bad_data_dir(tmp_path: Path) -> None:
    junk = tmp_path / "random.npz"
    junk.write_bytes(bytes(range(256)) * 10)
    done = main_py("evaluate", str(junk))
    assert done.returncode == 2 and "random.npz" in done.stderr and "Traceback" not in done.stderr
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    done = main_py("train", "--data", str(tmp_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("error", "status", "line"),
    [
        (
            MemoryError(),
            2,
            "not enough memory for this network or data; try fewer or smaller layers",
        ),
        (
            BrokenPipeError(32, "Broken pipe"),
            2,
            "the output was closed before everything was written",
        ),
        (
            PermissionError(13, "Permission denied", "/data/x.gz"),
            2,
            "Permission denied: /data/x.gz",
        ),
        (OSError("disk on fire"), 2, "disk on fire"),
        (SaveError("cannot save to m.npz: read-only"), 2, "cannot save to m.npz: read-only"),
        (DataError("not MNIST:\nline two"), 2, "not MNIST:?line two"),
        (ValueError("bad value"), 2, "bad value"),
        (DivergenceError("the cost became nan"), 3, "the cost became nan"),
        (Stopped(signal.SIGTERM), 128 + signal.SIGTERM, "stopped by SIGTERM"),
        (KeyboardInterrupt(), 128 + signal.SIGINT, "interrupted"),
    ],
)
def test_each_failure_is_one_line_and_its_exit_status(monkeypatch, error, status, line) -> None:
    """What ``run`` says and returns for every kind of failure that ends a command early."""

    def fail(spec: str) -> None:
        raise error

    monkeypatch.setattr(datasets, "load_data", fail)
    out, err = io.StringIO(), io.StringIO()
    assert cli.run(["train", "--epochs", "1"], out, err) == status
    assert err.getvalue() == f"backprop-lab: {line}\n" and out.getvalue() == ""
