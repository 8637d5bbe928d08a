"""What the scripts share: the repository on the path, the app, a fresh window trained for real.

A script run as ``python scripts/NAME.py`` finds this module beside it; importing it first puts
the repository on ``sys.path`` and, unless ``QT_QPA_PLATFORM`` names a platform, draws offscreen.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QSettings, QSize  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from gui.theme import apply_theme  # noqa: E402
from gui.window.main_window import MainWindow  # noqa: E402


def picture_parser(doc: str) -> argparse.ArgumentParser:
    """Return a parser described by the script's first docstring line, with ``--out`` (docs/)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"), help="the folder for the pictures")
    return parser


def out_folder(args: argparse.Namespace) -> Path:
    """Return the ``--out`` folder, made if need be."""
    out = Path(args.out)
    out.mkdir(exist_ok=True)
    return out


def settle(app: QApplication, seconds: float = 0.3) -> None:
    """Let timers and paints run for a moment."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def wait(app: QApplication, condition: Callable[[], object], timeout: float = 120.0) -> None:
    """Process events until condition() holds."""
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def start_app(theme: str | None = "system") -> QApplication:
    """Return the application, BLAS kept to its threads, in ``theme`` (None: no theme at all)."""
    engine.limit_blas_threads()
    app = QApplication.instance() or QApplication([])
    if theme is not None:
        apply_theme(app, theme)
    return app


@contextmanager
def fresh_window(**options: object) -> Iterator[MainWindow]:
    """Yield a window on fresh settings (a first launch) that answers yes to every question.

    ``options`` go to ``MainWindow`` (``data=...``); the window is closed at the end.
    """
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, **options)
        window.confirm = lambda title, text: True
        try:
            yield window
        finally:
            window.close()


def show_ready(app: QApplication, window: MainWindow, width: int, height: int) -> None:
    """Show the window at width x height and wait for its first network and its data."""
    window.resize(QSize(width, height))
    window.show()
    wait(app, lambda: window.worker.latest_snapshot() is not None and window.data is not None)


def train(app: QApplication, window: MainWindow, batches: int) -> None:
    """Train ``batches`` mini-batches for real and wait until the worker has paused."""
    target = window.worker.latest_snapshot().examples_seen
    target += window.worker.train_config.batch_size * batches
    window.worker.run_batches(batches)
    wait(app, lambda: window.worker.latest_snapshot().examples_seen >= target)
    wait(app, lambda: window.worker.state != "running")
