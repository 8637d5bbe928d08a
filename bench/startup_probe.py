"""``python main.py`` as a user starts it, printing when its window first shows, then closing it.

bench/bench_gui.py launches this instead of main.py to time start-up: the only difference is
that the main window reports the moment the event loop first runs after ``show`` (its first
paint) and closes. The hook lives here, so the application itself has no benchmark branch.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402  (PySide6 before pyqtgraph)

import main  # noqa: E402
from gui.window.main_window import MainWindow  # noqa: E402


def report_first_paint(window: MainWindow) -> None:
    """Print the wall-clock time now, as the window has painted, and close the window."""
    print(f"first paint at {time.time():.6f}", flush=True)
    window.close()


def show_and_report(window: MainWindow, show=MainWindow.show) -> None:
    """Show the window as usual, then report its first paint from the event loop."""
    show(window)
    QTimer.singleShot(0, lambda: report_first_paint(window))


if __name__ == "__main__":
    MainWindow.show = show_and_report
    sys.exit(main.main(sys.argv[1:]))
