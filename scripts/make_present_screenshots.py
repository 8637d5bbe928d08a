"""Render the README's pictures of present mode (F11) from the real window after real training.

Present mode fills the screen, so the picture's size is the screen's: run it once per projector
size, on a real display of that size, for both themes::

    Xvfb :48 -screen 0 1280x720x24 &
    DISPLAY=:48 QT_QPA_PLATFORM=xcb .venv/bin/python scripts/make_present_screenshots.py

It saves docs/present-WxH-dark.png and docs/present-WxH-light.png (W x H: the screen's size),
and docs/present-explorer-WxH-THEME.png: the explorer's page shown too, at step 4.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from gui.theme import apply_theme  # noqa: E402
from gui.window import MainWindow  # noqa: E402
from scripts.make_screenshots import settle, wait  # noqa: E402


def shoot(app: QApplication, theme: str, batches: int, out: Path) -> list[Path]:
    """Train a fresh window, enter present mode at the guide's third stop, and save it; then
    show the explorer's page too (the teacher's choice) at step 4, and save that."""
    apply_theme(app, theme)
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
        window.confirm = lambda title, text: True
        window.show()
        wait(app, lambda: window.worker.latest_snapshot() is not None and window.data is not None)
        window.worker.set_speed(0)
        window.worker.run_batches(batches)
        wait(app, lambda: window.worker.latest_snapshot().examples_seen >= 10 * batches)
        wait(app, lambda: window.worker.state != "running")
        window.guide.panel.set_stop(2)
        window.digit_panel.load_test_digit(0)
        window.menus.present_action.trigger()
        wait(app, lambda: window.present.is_active() and window.isFullScreen())
        screen = window.screen().geometry()
        wait(app, lambda: window.size() == screen.size())
        settle(app, 1.5)
        size = f"{screen.width()}x{screen.height()}"
        path = out / f"present-{size}-{theme}.png"
        window.grab().save(str(path))
        window.present.set_shows("explorer", True)
        window.tabs.setCurrentWidget(window.explorer)
        window.explorer.set_step(4)
        wait(app, lambda: window.explorer.step() == 4 and not window.explorer.busy())
        settle(app, 1.5)
        explorer = out / f"present-explorer-{size}-{theme}.png"
        window.grab().save(str(explorer))
        window.present.leave()
        window.close()
    return [path, explorer]


def main() -> int:
    """Save present mode in the dark and the light theme at the screen's size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--batches", type=int, default=2000)
    parser.add_argument("--themes", default="dark,light")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    engine.limit_blas_threads()
    app = QApplication.instance() or QApplication([])
    for theme in args.themes.split(","):
        for path in shoot(app, theme, args.batches, out):
            print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
