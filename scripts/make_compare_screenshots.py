"""Render the README's picture of the Compare tab from the real window.

The learning-rate experiment is trained for real on the bundled sample (or ``--data``). The
guide's pictures are made by scripts/make_guide_walk.py. Run from the repository root::

    .venv/bin/python scripts/make_compare_screenshots.py [--out docs] [--epochs 3] [--data sample]
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

from PySide6.QtCore import QSettings, QSize  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from gui.theme import apply_theme  # noqa: E402
from gui.window.main_window import MainWindow  # noqa: E402
from scripts.make_screenshots import settle, wait  # noqa: E402


def main() -> int:
    """Run the experiment, open two stops, and save the pictures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--data", default="sample")
    parser.add_argument("--size", default="1800x1000")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    engine.limit_blas_threads()
    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    w, h = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(
            QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat), data=args.data
        )
        window.confirm = lambda title, text: True
        window.resize(QSize(w, h))
        window.show()
        wait(app, lambda: window.worker.latest_snapshot() is not None and window.data is not None)
        finished = []
        window.runs.runner.experiment_finished.connect(lambda *a: finished.append(a))
        window.runs.start_experiment("learning-rate", args.epochs)
        wait(app, lambda: finished, timeout=1800)
        panel = window.runs.panel
        panel.set_x_axis("epochs")
        settle(app, 0.5)
        window.grab().save(str(out / "compare-learning-rate.png"))
        for run in window.runs.registry.runs:
            print(f"{run.name}: {run.describe()}; final test accuracy {run.final_accuracy()}")

        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
