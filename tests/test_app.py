"""The app as a user starts it: the screenshot mode trains, draws and writes a real PNG."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[1]


def test_screenshot_after_training(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--screenshot",
            str(out),
            "--train-batches",
            "50",
            "--size",
            "1500x900",
            "--settings",
            str(tmp_path / "s.ini"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1500, 900)
    assert "Traceback" not in done.stderr
    orange = 0  # the moving-average line, left of the legend; drawn only once batches trained
    for y in range(0, image.height(), 2):
        for x in range(0, image.width() * 6 // 10, 2):
            c = image.pixelColor(x, y)
            orange += c.red() > 230 and 160 < c.green() < 215 and c.blue() < 100
    assert orange > 30
