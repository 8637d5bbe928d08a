"""Render the colour-blind scheme's pictures from the real window: the diagram and Compare.

The learning-rate experiment is trained for real on the bundled sample, then the same window is
shown in the dark and the light theme with the colour-blind scheme (Preferences → Colours), its
negative edges dashed. Run from the repository root, on a display (Xvfb is fine)::

    DISPLAY=:46 .venv/bin/python scripts/make_palette_screenshots.py [--out docs] [--epochs 1]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QSize  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from gui.window.main_window import MainWindow  # noqa: E402
from gui.window.preferences_dialog import Preferences  # noqa: E402
from scripts.make_screenshots import settle, wait  # noqa: E402


def main() -> int:
    """Train, run the experiment, and save the diagram and Compare in both themes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--data", default="sample")
    parser.add_argument("--size", default="1366x768")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    engine.limit_blas_threads()
    app = QApplication.instance() or QApplication([])
    w, h = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(
            QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat), data=args.data
        )
        window.confirm = lambda title, text: True
        window.dialogs.apply_preferences(Preferences(theme="dark", colours="colour-blind"))
        window.resize(QSize(w, h))
        window.show()
        wait(app, lambda: window.worker.latest_snapshot() is not None and window.data is not None)
        finished = []
        window.runs.runner.experiment_finished.connect(lambda *a: finished.append(a))
        window.runs.start_experiment("learning-rate", args.epochs)
        wait(app, lambda: finished, timeout=1800)
        window.runs.panel.set_x_axis("epochs")
        window.worker.run_batches(600)
        wait(app, lambda: len(window.record.history) >= 600, timeout=600)
        window.digit_panel.load_test_digit(0)
        for theme in ("dark", "light"):
            window.dialogs.apply_preferences(Preferences(theme=theme, colours="colour-blind"))
            for tab, name in ((window.middle, "diagram"), (window.runs.panel, "compare")):
                window.tabs.setCurrentWidget(tab)
                settle(app, 1.0)
                path = out / f"colour-blind-{name}-{theme}.png"
                window.grab().save(str(path))
                print(path)
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
