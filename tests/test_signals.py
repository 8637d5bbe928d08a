"""Ctrl+C, SIGTERM and SIGHUP at any moment of a real process end it cleanly with 128 + signal.

Each case starts ``main.py`` as a user does and sends the signal at a different moment after
the program began holding signals (read from /proc: the moment SIGTERM becomes caught), so the
cases fall in the imports, the window's construction, the data loading, the training, the
drawing and the save. Every exit must be the signal's status with one line and no Qt warning.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QApplication
from windows import holds_sigterm_within, open_window

from gui import app

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
DELAYS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4]
DELAYS += [1.7, 2.0, 2.5, 3.0]  # 20 moments, denser where start-up ends and training begins
READY_WITHIN = 5.0  # seconds; a program that never holds signals is signalled after this
EXIT_WITHIN = 60.0  # seconds from the signal to the exit, far above the second it takes


def signalled(args: list[str], name: str, delay: float, cwd: Path) -> subprocess.Popen[str]:
    """Start main.py with ``args``, send signal ``name`` ``delay`` s after it holds signals."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=cwd,
        env=ENV,
    )
    holds_sigterm_within(process, READY_WITHIN)
    time.sleep(delay)
    process.send_signal(getattr(signal, name))
    return process


def finished(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Wait for the process (bounded) and return its stdout and stderr."""
    try:
        return process.communicate(timeout=EXIT_WITHIN)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"no exit {EXIT_WITHIN} s after the signal: {err}")


def screenshot_args(tmp_path: Path) -> list[str]:
    """A screenshot run far longer than any delay: a million mini-batches."""
    shot = ["--screenshot", str(tmp_path / "shot.png"), "--train-batches", "1000000"]
    return [*shot, "--settings", str(tmp_path / "s.ini"), "--size", "900x700"]


def test_ctrl_c_at_any_moment_of_a_screenshot_run_exits_130_with_one_line(
    tmp_path: Path,
) -> None:
    outcomes = []
    for delay in DELAYS:
        process = signalled(screenshot_args(tmp_path), "SIGINT", delay, tmp_path)
        out, err = finished(process)
        outcomes.append((delay, process.returncode, out, err))
    wrong = [o for o in outcomes if o[1:] != (130, "", "backprop-lab: interrupted\n")]
    assert not wrong, "\n".join(
        f"{d:.2f} s: exit {rc}, {out!r} {err[-300:]!r}" for d, rc, out, err in wrong
    )
    assert not (tmp_path / "shot.png").exists()


def test_ctrl_c_while_a_short_run_draws_or_saves_is_honoured_or_too_late(tmp_path: Path) -> None:
    """Near the end, the run either stops (130, one line) or had finished (0, saved whole)."""
    shot = tmp_path / "shot.png"
    args = ["--screenshot", str(shot), "--settings", str(tmp_path / "s.ini"), "--size", "900x700"]
    outcomes = set()
    for delay in (0.5, 0.7, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5, 1.8, 2.2):
        shot.unlink(missing_ok=True)
        process = signalled([*args, "--train-batches", "20"], "SIGINT", delay, tmp_path)
        out, err = finished(process)
        if process.returncode == 0:
            assert (out, err) == (f"saved {shot}\n", "") and shot.stat().st_size > 0
        else:
            assert (process.returncode, out, err) == (130, "", "backprop-lab: interrupted\n")
        outcomes.add(process.returncode)
    assert 130 in outcomes, "no signal came before the end: the delays are too long"


@pytest.mark.parametrize(("name", "status"), [("SIGTERM", 143), ("SIGHUP", 129)])
def test_sigterm_and_sighup_stop_a_screenshot_run_with_their_status(
    tmp_path: Path, name: str, status: int
) -> None:
    for delay in (0.0, 0.3, 0.8, 1.5, 2.5):
        process = signalled(screenshot_args(tmp_path), name, delay, tmp_path)
        out, err = finished(process)
        assert (process.returncode, out, err) == (
            status,
            "",
            f"backprop-lab: stopped by {name}\n",
        ), delay


def test_ctrl_c_while_the_window_starts_or_runs_closes_it_with_one_line(tmp_path: Path) -> None:
    settings = tmp_path / "s.ini"
    for delay in (0.0, 0.2, 0.5, 0.8, 1.2, 2.0):
        process = signalled(["--settings", str(settings)], "SIGINT", delay, tmp_path)
        out, err = finished(process)
        assert (process.returncode, err) == (130, "backprop-lab: interrupted\n"), (delay, err)


def test_ctrl_c_at_any_moment_of_a_training_command_exits_130(tmp_path: Path) -> None:
    for delay in (0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2):
        process = signalled(["train", "--epochs", "1000"], "SIGINT", delay, tmp_path)
        out, err = finished(process)
        assert process.returncode == 130, (delay, err)
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0] in {
            "backprop-lab: interrupted",
            "backprop-lab: stopped by SIGINT",
        }, (delay, err)


class RacingClock:
    """A stand-in for gui.app's ``time`` whose clocks run an hour ahead at every reading."""

    def __init__(self) -> None:
        self.hours = 0

    def _now(self) -> float:
        self.hours += 1
        return time.monotonic() + 3600.0 * self.hours

    monotonic = perf_counter = _now

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds)


def test_a_screenshot_run_has_no_time_limit(qtbot, tmp_path: Path, monkeypatch, capsys) -> None:
    """However long the run takes by the clock, it trains every batch asked and saves."""
    window = open_window(qtbot, tmp_path / "s.ini")
    monkeypatch.setattr(app, "time", RacingClock())
    args = SimpleNamespace(train_batches=200, pad_digit=None, tab="network", explorer_step=1)
    shot = tmp_path / "shot.png"
    assert app._screenshot(QApplication.instance(), window, shot, args) == 0, (
        capsys.readouterr().err
    )
    assert len(window.record.history) >= 200 and shot.stat().st_size > 0


def test_a_long_screenshot_run_shows_its_progress_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal, a run longer than a few seconds says what it does, and Ctrl+C stops it."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *screenshot_args(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
        env=ENV,
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + EXIT_WITHIN
    try:
        while b"mini-batches" not in seen or seen.count(b"\r") < 2:
            assert time.monotonic() < deadline and process.poll() is None, seen
            seen += os.read(leader, 4096)
        process.send_signal(signal.SIGINT)
        assert process.wait(EXIT_WITHIN) == 130
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
        out = process.stdout.read()
        process.stdout.close()
    assert out == b""
    text = seen.decode()
    line = [part for part in text.split("\r") if "mini-batches" in part][-1]
    assert line.startswith("backprop-lab: screenshot: trained ")
    assert " of 1,000,000 mini-batches" in line and "Ctrl+C stops" in line
    trained = int(line.split("trained ")[1].split(" of")[0].replace(",", ""))
    assert trained > 0
    assert text.endswith("\r\nbackprop-lab: interrupted\r\n"), text[-200:]
