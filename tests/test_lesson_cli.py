"""`backprop-lab lesson.bplab` opens the lesson; a hostile one exits 2 with its one sentence."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings
from test_lesson_io import HOSTILE, make_lesson

from engine.data.lesson_io import lesson_members, save_lesson

ROOT = Path(__file__).resolve().parents[1]


def start(tmp_path: Path, lesson: Path) -> subprocess.CompletedProcess:
    """Start the app on ``lesson`` as a user does, take a screenshot and exit."""
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            str(lesson),
            "--screenshot",
            str(tmp_path / "shot.png"),
            "--size",
            "1366x768",
            "--settings",
            str(tmp_path / "s.ini"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )


def lesson_of(seed: int):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, 300).astype(np.uint8)
    images = (rng.random((300, 28, 28)) * 255).astype(np.uint8)
    return make_lesson(images, labels)


def test_the_command_line_opens_a_lesson(tmp_path) -> None:
    path = tmp_path / "class.bplab"
    save_lesson(path, replace(lesson_of(1), guide_stop=9, guide_open=False))
    done = start(tmp_path, path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "shot.png").is_file()
    stored = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert int(stored.value("guide/stop")) == 9  # the lesson's stop, which the guide keeps


def test_the_command_line_refuses_a_hostile_lesson_in_one_line(tmp_path) -> None:
    make, expected = HOSTILE["newer version"]
    path = tmp_path / "future.bplab"
    path.write_bytes(make(lesson_members(lesson_of(2))))
    done = start(tmp_path, path)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.startswith("backprop-lab:")]
    assert len(lines) == 1 and expected in lines[0]
    assert not (tmp_path / "shot.png").exists()
