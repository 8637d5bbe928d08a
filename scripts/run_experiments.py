"""Run every classic experiment through the real window's runner and print what each showed.

Run from the repository root (``--data`` takes sample, full or a folder of MNIST IDX files)::

    .venv/bin/python scripts/run_experiments.py [--data sample] [--epochs 3] [--only cost]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from engine.experiments import EXPERIMENTS  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402
from scripts.make_screenshots import wait  # noqa: E402


def main() -> int:
    """Run the experiments one after another and print each run's outcome."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="sample")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=[e.key for e in EXPERIMENTS])
    args = parser.parse_args()
    engine.limit_blas_threads()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(
            QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat), data=args.data
        )
        window.confirm = lambda title, text: True
        window.show()
        wait(app, lambda: window.worker.latest_snapshot() is not None and window.data is not None)
        print(
            f"data: {window.data.source}, {len(window.data.train):,} training examples, "
            f"{args.epochs} epochs budget"
        )
        finished = []
        window.runs.runner.experiment_finished.connect(lambda *a: finished.append(a))
        for key in args.only:
            finished.clear()
            start = time.perf_counter()
            window.runs.start_experiment(key, args.epochs)
            wait(app, lambda: finished, timeout=36000)
            print(f"\n{key} ({time.perf_counter() - start:.0f} s)")
            for run in window.runs.runner.runs:
                c = run.curves
                costs = c["batch_cost"]
                last = costs[-100:].mean() if len(costs) else float("nan")
                acc = run.final_accuracy()
                acc_text = f"{100 * acc:.2f}%" if acc is not None else "-"
                test_cost = f"{run.final_test[0]:.4f}" if run.final_test else "-"
                print(
                    f"  {run.name:<26} {run.status:<9} updates {run.updates:>7,}  "
                    f"train cost (last 100) {last:.4f}  test cost {test_cost}  "
                    f"test accuracy {acc_text}"
                )
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
