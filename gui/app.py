"""Start the window: parse the GUI's arguments, open a model, or render a screenshot and exit."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for ``python main.py [MODEL.npz] [--screenshot PATH ...]``."""
    from engine.cli import _Parser

    parser = _Parser(
        prog="backprop-lab",
        description="Watch a neural network learn MNIST by backpropagation. Headless commands: "
        "'train' and 'evaluate' (see 'backprop-lab train --help').",
    )
    parser.add_argument("model", nargs="?", help="a saved model (.npz) to open")
    parser.add_argument("--data", help="sample (bundled), full, or a folder of IDX files")
    parser.add_argument("--screenshot", metavar="PATH", help="save a PNG of the window and exit")
    parser.add_argument(
        "--train-batches", type=int, default=0, metavar="N", help="with --screenshot: train N first"
    )
    parser.add_argument("--size", metavar="WxH", help="window size (default: as last time)")
    parser.add_argument("--settings", metavar="INI", help="read and write settings in this file")
    parser.add_argument(
        "--pad-digit", type=int, metavar="I", help="put MNIST test digit I on the drawing pad"
    )
    parser.add_argument("--tab", choices=("network", "explorer"), default="network")
    parser.add_argument("--explorer-step", type=int, default=1, metavar="S", help="1 to 9")
    return parser


def _size(text: str) -> tuple[int, int]:
    """Parse "1440x900"."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size must look like 1440x900, got {text!r}") from None
    if not (320 <= w <= 8000 and 240 <= h <= 8000):
        raise ValueError(f"--size out of range: {text!r}")
    return w, h


def run_gui(argv: Sequence[str]) -> int:
    """Open the main window (or render a screenshot) and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    try:
        size = _size(args.size) if args.size else None
    except ValueError as exc:
        parser.error(str(exc))
    if args.model and not Path(args.model).is_file():
        parser.error(
            f"{args.model}: no such model file (expected a .npz model, or a command: train, "
            "evaluate)"
        )
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if (args.screenshot or headless) and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QSettings, QTimer, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from engine import limit_blas_threads
    from gui.main_window import MainWindow
    from gui.theme import apply_theme

    limit_blas_threads()
    qInstallMessageHandler(_quiet_offscreen)
    from gui.preferences_dialog import load_preferences

    app = QApplication.instance() or QApplication([sys.argv[0]])
    settings = QSettings(args.settings, QSettings.Format.IniFormat) if args.settings else None
    apply_theme(app, load_preferences(settings or QSettings()).theme)
    window = MainWindow(settings=settings, data=args.data)
    if size is not None:
        window.resize(*size)
    elif args.screenshot:
        window.resize(window.DEFAULT_SIZE)
    if args.model and not window.open_model(args.model):
        print(f"backprop-lab: {window.banner.message()}", file=sys.stderr)
    if args.screenshot:
        return _screenshot(app, window, Path(args.screenshot), args)
    window.confirm_quit = window.ask_save_on_quit
    window.show()
    QTimer.singleShot(0, lambda: _report_startup(window))
    return app.exec()


def _quiet_offscreen(mode, context, message: str) -> None:
    """Print Qt's messages as usual, except the offscreen platform's harmless size-hint notice."""
    if "does not support propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def _report_startup(window) -> None:
    """Print the wall-clock time of the first paint and quit (for bench/bench_gui.py)."""
    if os.environ.get("BACKPROP_LAB_STARTUP"):
        print(f"first paint at {time.time():.6f}", flush=True)
        window.close()


def _screenshot(app, window, path: Path, args: argparse.Namespace) -> int:
    """Train, set up the views as asked, let them draw, save the window as PNG and exit."""
    batches = args.train_batches
    from PySide6.QtCore import QEventLoop

    window.show()
    deadline = time.perf_counter() + 120

    def wait(condition, message: str) -> None:
        while not condition():
            if time.perf_counter() > deadline:
                raise TimeoutError(message)
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)

    try:
        wait(lambda: window.worker.latest_snapshot() is not None, "the data did not load")
        if batches > 0:
            window.worker.set_speed(0)  # a picture need not be watched: train at full speed
            window.worker.run_batches(batches)
            wait(lambda: len(window.history) >= batches, "training did not finish")
            wait(lambda: window.worker.state != "running", "training did not pause")
        wait(lambda: window._shown_serial == window.worker.snapshot_serial, "views did not draw")
        if args.pad_digit is not None:
            wait(lambda: window.data is not None, "the data did not load")
            window.digit_panel.load_test_digit(args.pad_digit)
        if args.tab == "explorer":
            window.tabs.setCurrentIndex(1)
            wait(lambda: window.explorer.snapshot is not None, "the explorer did not open")
            window.explorer.set_step(args.explorer_step)
        settle = time.perf_counter() + 0.3  # two refreshes of every view's timer
        wait(lambda: time.perf_counter() > settle, "")
    except TimeoutError as exc:
        print(f"backprop-lab: screenshot failed: {exc}", file=sys.stderr)
        window.close()
        return 1
    ok = window.grab().save(str(path))
    window.close()
    app.processEvents()
    if not ok:
        print(f"backprop-lab: could not write {path}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"saved {path}")
    return 0
