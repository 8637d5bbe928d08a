"""Render the README's pictures of the Compare tab and the guide from the real window.

The learning-rate experiment is trained for real on the bundled sample (or ``--data``), then two
guided stops are opened, tried and revealed. Run from the repository root::

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
from gui.main_window import MainWindow  # noqa: E402
from gui.theme import apply_theme  # noqa: E402
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

        window.worker.run_batches(300)  # the main network trains a little before the guide
        wait(app, lambda: window.worker.latest_snapshot().examples_seen >= 3000)
        wait(app, lambda: window.worker.state != "running")
        guide = window.guide
        guide.show(1)  # the gradient as sensitivity
        guide.open_view(1)
        wait(app, lambda: window.explorer.exploration is not None)
        window.explorer.gradient_page.slider.setValue(
            window.explorer.gradient_page.slider.value() + 20
        )
        guide.panel.choice.setCurrentIndex(0)  # predict "up"
        guide.panel.reveal_button.click()
        settle(app, 0.5)
        window.grab().save(str(out / "guide-sensitivity.png"))
        guide.panel.set_stop(5)  # averaging over examples
        guide.open_view(5)
        guide.panel.choice.setCurrentIndex(0)
        window.step_action.trigger()
        wait(app, lambda: guide._stepped is not None)
        guide.panel.reveal_button.click()
        window.feed.refresh()
        settle(app, 0.5)
        window.grab().save(str(out / "guide-averaging.png"))
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
