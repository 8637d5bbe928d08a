"""Every command whose stdout is closed, full or a closed pipe says so in one line and exits 2.

A closed stdout (``>&-``) is refused before any work (nothing trained, saved or installed); a
full disk (``>/dev/full``) and a pipe whose reader has gone show when the first line is written.
The window itself opens without a stdout: it prints nothing there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig
from engine.data.model_io import save_model

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
CLOSED = (
    "backprop-lab: the output (stdout) is closed, so nothing printed could be seen "
    "(send it to /dev/null to discard it)"
)
FULL = "backprop-lab: could not write the output: No space left on device"
GONE = "backprop-lab: the output was closed before everything was written"


NAMES = [
    "version", "short version", "help", "train help", "evaluate help", "train", "train json",
    "evaluate", "evaluate json", "screenshot", "install desktop", "uninstall desktop",
]  # fmt: skip


def commands(tmp_path: Path) -> dict[str, list[str]]:
    """Every command that prints its results, with what it needs to run in ``tmp_path``."""
    model = tmp_path / "m.npz"
    if not model.exists():
        network = Network(NetworkConfig((784, 10)), np.random.default_rng(0))
        save_model(model, network, TrainConfig(), 0, 0)
    return {
        "version": ["--version"],
        "short version": ["-V"],
        "help": ["--help"],
        "train help": ["train", "--help"],
        "evaluate help": ["evaluate", "--help"],
        "train": ["train", "--layers", "784,10", "--save", str(tmp_path / "new.npz")],
        "train json": ["train", "--layers", "784,10", "--json"],
        "evaluate": ["evaluate", str(model)],
        "evaluate json": ["evaluate", str(model), "--json"],
        "screenshot": ["--screenshot", str(tmp_path / "s.png"), "--settings", str(tmp_path / "s")],
        "install desktop": ["--install-desktop"],
        "uninstall desktop": ["--uninstall-desktop"],
    }


def run(args: list[str], tmp_path: Path, stdout, before: Callable[[], None] | None = None):
    """Run main.py with ``args`` and the given stdout; return its status and stderr."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**ENV, "XDG_DATA_HOME": str(tmp_path / "share")},
        preexec_fn=before,
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize("name", NAMES)
def test_a_closed_stdout_is_refused_before_any_work(tmp_path: Path, name: str) -> None:
    args = commands(tmp_path)[name]
    assert list(commands(tmp_path)) == NAMES
    before = {p.relative_to(tmp_path) for p in tmp_path.rglob("*")}
    status, err = run(args, tmp_path, None, lambda: os.close(1))
    assert (status, err) == (2, CLOSED + "\n")
    assert {p.relative_to(tmp_path) for p in tmp_path.rglob("*")} == before, "it did work"


@pytest.mark.parametrize("name", NAMES)
def test_a_full_disk_for_stdout_is_one_line_and_status_2(tmp_path: Path, name: str) -> None:
    with open("/dev/full", "w") as full:
        status, err = run(commands(tmp_path)[name], tmp_path, full)
    assert (status, err) == (2, FULL + "\n")


@pytest.mark.parametrize("name", NAMES)
def test_a_pipe_whose_reader_is_gone_is_one_line_and_status_2(tmp_path: Path, name: str) -> None:
    reader, writer = os.pipe()
    os.close(reader)
    try:
        status, err = run(commands(tmp_path)[name], tmp_path, writer)
    finally:
        os.close(writer)
    assert (status, err) == (2, GONE + "\n")


def test_the_window_opens_without_a_stdout_and_still_closes_on_a_signal(tmp_path: Path) -> None:
    settings = tmp_path / "s.ini"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--settings", str(settings)],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env=ENV,
        preexec_fn=lambda: os.close(1),
    )
    deadline = time.monotonic() + 60
    while "[data]" not in (settings.read_text() if settings.exists() else ""):
        assert time.monotonic() < deadline and process.poll() is None, process.stderr
        time.sleep(0.1)  # the window is up once it has stored the data source it loaded
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (143, "backprop-lab: stopped by SIGTERM\n")


def test_a_closed_stderr_still_runs_and_reports_by_status(tmp_path: Path) -> None:
    model = tmp_path / "m.npz"
    status, _ = run(["train", "--layers", "784,10", "--save", str(model)], tmp_path, None)
    assert status == 0
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "evaluate", str(model)],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        preexec_fn=lambda: os.close(2),
    )
    assert done.returncode == 0 and done.stdout.startswith("test accuracy")
    bad = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "train", "--lr", "-1"],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        preexec_fn=lambda: os.close(2),
    )
    assert bad.returncode == 2 and bad.stdout == ""
