"""Start the window: parse the GUI's arguments, open a model, or render a screenshot and exit.

Ctrl+C in the terminal, SIGTERM and SIGHUP, at any moment, close the window as its Quit does
(without asking to save): the worker stops and its thread ends, one line says so, and the exit
status is 128 + the signal. Until the window exists the signals are held
(``engine.session.interrupts``) and acted on as soon as stopping is safe; a screenshot run checks
for them while it waits.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from engine.session import interrupts, streams

EXIT_BAD_INPUT = 2
EXIT_NO_PLATFORM = 1
# The libraries Qt's xcb platform plugin (Qt 6.5+) loads, and the Debian/Ubuntu package of each.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "EGL": "libegl1",
    "GL": "libgl1",
}
XCB_APT = "sudo apt install " + " ".join(XCB_LIBRARIES.values())
XCB_HELP = (
    "Qt cannot open a window: its X11 (xcb) platform plugin needs system libraries this "
    "machine lacks{missing}. On Debian or Ubuntu install them with:\n\n    {apt}\n\n"
    '(see "Linux: the libraries Qt needs" in the README; other systems have the same '
    "libraries under similar names)."
)
EXIT_DIVERGED = 3
SIGNAL_POLL_MS = 100  # how often Python gets the chance to run a signal handler in Qt's loop
PROGRESS_AFTER = 2.0  # seconds a screenshot run waits before it shows what it is waiting for
PROGRESS_EVERY = 1.0  # seconds between two updates of that line
MAX_TRAIN_BATCHES = 1_000_000
MAX_SETTINGS_BYTES = 4 * 2**20  # ours are a few kilobytes; Qt would parse a huge file for long


def _count(low: int, high: int, what: str):
    """Return an argparse type for a whole number from low to high."""
    from engine.cli import number_in
    from engine.limits import Range

    return number_in(int, what, Range(low, high))


def build_parser() -> argparse.ArgumentParser:
    """Return the parser for ``python main.py [MODEL.npz] [--screenshot PATH ...]``."""
    from engine.cli import CliParser

    parser = CliParser(
        prog="backprop-lab",
        description="Watch a neural network learn MNIST by backpropagation. Headless commands: "
        "'train' and 'evaluate' (see 'backprop-lab train --help').",
    )
    parser.add_argument(
        "model", nargs="?", help="a saved model (.npz) or a lesson (.bplab) to open"
    )
    parser.add_argument(
        "-V", "--version", action="store_true", help="print the version and exit"
    )  # answered by main.py before anything loads; listed here so --help shows it
    parser.add_argument(
        "--data",
        help="sample (bundled), full, fashion, kmnist, fashion-handful, or a folder of IDX files "
        "or of class folders of images",
    )
    parser.add_argument("--screenshot", metavar="PATH", help="save a PNG of the window and exit")
    parser.add_argument(
        "--train-batches",
        type=_count(0, MAX_TRAIN_BATCHES, "the number of mini-batches"),
        default=0,
        metavar="N",
        help="with --screenshot: train N first",
    )
    parser.add_argument("--size", metavar="WxH", help="window size (default: as last time)")
    parser.add_argument("--settings", metavar="INI", help="read and write settings in this file")
    parser.add_argument(
        "--pad-digit",
        type=_count(0, 2**31 - 1, "the test digit's number"),
        metavar="I",
        help="put MNIST test digit I on the drawing pad",
    )
    parser.add_argument("--tab", choices=("network", "explorer"), default="network")
    parser.add_argument(
        "--explorer-step",
        type=_count(1, 12, "the explorer's step"),
        default=1,
        metavar="S",
        help="1 to 12",
    )
    parser.add_argument(
        "--install-desktop",
        action="store_true",
        help="add Backprop Lab and its icon to this user's app menu (Linux desktops) and exit",
    )
    parser.add_argument(
        "--uninstall-desktop", action="store_true", help="remove them again and exit"
    )
    return parser


def _desktop_entry(install: bool) -> int:
    """Install or remove the app-menu entry and icon; print what changed."""
    from gui import desktop_entry

    try:
        files = desktop_entry.install() if install else desktop_entry.uninstall()
    except OSError as exc:
        print(f"backprop-lab: could not change the desktop entry: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    verb = "installed" if install else "removed"
    for path in files:
        streams.print_out(f"{verb} {path}")
    for tool in desktop_entry.refresh_caches():
        streams.print_out(f"ran {tool}")
    if install:
        streams.print_out(
            "Backprop Lab is in the app menu (Education), and opens .bplab lessons on a double "
            "click; some desktops show it after a re-login."
        )
    elif not files:
        streams.print_out("nothing to remove: no desktop entry was installed")
    return 0


def _size(text: str) -> tuple[int, int]:
    """Parse "1440x900"."""
    from engine.limits import Range, out_of_range

    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise ValueError(f"--size must look like 1440x900, got {shown!r}") from None
    problem = out_of_range("the width", w, Range(320, 8000)) or out_of_range(
        "the height", h, Range(240, 8000)
    )
    if problem:
        raise ValueError(f"--size {text}: {problem}")
    return w, h


def missing_xcb_libraries(find=None) -> list[str]:
    """Return the packages of the xcb plugin's libraries that cannot be found (Linux only)."""
    if find is None:
        from ctypes.util import find_library as find
    return [package for name, package in XCB_LIBRARIES.items() if find(name) is None]


def xcb_help(missing: Sequence[str] = ()) -> str:
    """Return the message that explains a platform plugin that cannot load, and the fix."""
    named = f" ({', '.join(missing)})" if missing else ""
    return XCB_HELP.format(missing=named, apt=XCB_APT)


def _uses_xcb() -> bool:
    """Return True if Qt is about to open a window through X11 (xcb) on Linux."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or (platform and not platform.startswith("xcb")):
        return False
    return bool(os.environ.get("DISPLAY")) and not (
        os.environ.get("WAYLAND_DISPLAY") and not platform
    )


def run_gui(argv: Sequence[str]) -> int:
    """Open the main window (or render a screenshot) and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(list(argv))
    try:
        size = _size(args.size) if args.size else None
    except ValueError as exc:
        parser.error(str(exc))
    if args.screenshot or args.install_desktop or args.uninstall_desktop:
        streams.refuse_closed_stdout()  # they say on stdout what they did
    if args.install_desktop or args.uninstall_desktop:
        return _desktop_entry(install=args.install_desktop)
    from engine.errors import printable

    if args.model and Path(args.model).exists() and not Path(args.model).is_file():
        parser.error(f"{printable(args.model)}: not a regular file (a folder, a pipe or a device)")
    if args.model and not Path(args.model).is_file():
        parser.error(
            f"{printable(args.model)}: no such model file (expected a .npz model, a .bplab lesson, "
            "or a command: train, evaluate)"
        )
    problem = _settings_problem(args.settings)
    if args.settings is None:  # QSettings() on a FIFO at the default path would never return
        from gui.settings_reader import default_settings_problem

        problem = default_settings_problem()
    if problem:
        parser.error(problem)
    if args.screenshot is not None:
        from engine.data.atomic import check_target
        from engine.errors import SaveError

        try:
            check_target(args.screenshot)  # before minutes of training, and never onto a FIFO
        except SaveError as exc:
            parser.error(f"--screenshot: {printable(exc)}")
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if (args.screenshot or headless) and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    if _uses_xcb():
        missing = missing_xcb_libraries()
        if missing:  # Qt would print a riddle and abort; say what to install instead
            print(f"backprop-lab: {xcb_help(missing)}", file=sys.stderr)
            return EXIT_NO_PLATFORM
    from PySide6.QtCore import QSettings, Qt, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from engine import limit_blas_threads
    from gui.theme import apply_theme
    from gui.window import MainWindow

    limit_blas_threads()
    qInstallMessageHandler(filter_qt_messages)
    from gui.window import install_memory_guard, load_preferences

    app = QApplication.instance() or QApplication([sys.argv[0]])
    from gui.app_icon import NAME, app_icon
    from gui.gc_guard import collect_on_gui_thread

    collect_on_gui_thread()  # before the training thread exists: it must never collect widgets

    app.setWindowIcon(app_icon())
    app.setDesktopFileName(NAME)  # Wayland and task bars match the window to its menu entry
    settings = QSettings(args.settings, QSettings.Format.IniFormat) if args.settings else None
    prefs = load_preferences(settings or QSettings())
    apply_theme(app, prefs.theme, prefs.colours, prefs.sign_marks)
    interrupts.hold()  # from here on a signal must not end Python under the training thread
    interrupts.check()  # the last moment to stop with no thread to end: main.py says so
    window = MainWindow(settings=settings, data=args.data)
    install_memory_guard(window.banner)
    for problem in window.settings_problems:
        print(f"backprop-lab: settings not used: {printable(problem)}", file=sys.stderr)
    if size is not None or args.screenshot:  # an asked-for size, not a maximised first launch
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMaximized)
        window.resize(*(size or window.DEFAULT_SIZE.toTuple()))
    from engine.data.lesson_io import SUFFIX

    lesson = Path(args.model or "").suffix.lower() == SUFFIX
    opener = window.lessons.open_path if lesson else window.open_model
    if args.model and not opener(args.model):
        print(f"backprop-lab: {printable(window.banner.last_message())}", file=sys.stderr)
        if args.screenshot:
            window.close()
            return EXIT_BAD_INPUT
    if args.screenshot:
        return _screenshot(app, window, Path(args.screenshot), args)
    window.ask_before_quitting(window.dialogs.ask_save_on_quit)
    window.show()
    stopped = quit_on_signals(app, window)
    status = 0 if stopped else app.exec()  # a signal held while the window was built: no loop
    if stopped:
        print(f"backprop-lab: {interrupts.message(stopped[0])}", file=sys.stderr)
        return 128 + stopped[0]
    return status


def quit_on_signals(app, window) -> list[int]:
    """Close the window cleanly on SIGINT, SIGTERM or SIGHUP; the list receives the signal.

    The signal is only noted where it lands (``engine.session.interrupts``); a timer looks for it a
    few times a second, from the event loop, and closes the window there. A signal that came while
    the window was being built closes it at once.
    """
    from PySide6.QtCore import QTimer

    stopped: list[int] = []

    def stop() -> None:
        signum = interrupts.held()
        if signum is None or stopped:
            return
        stopped.append(signum)
        window.ask_before_quitting(None)  # a signal means quit now, not a question on screen
        window.close()
        app.quit()

    interrupts.hold()
    poll = QTimer(window)
    poll.timeout.connect(stop)
    poll.start(SIGNAL_POLL_MS)
    stop()
    return stopped


def _settings_problem(path: str | None) -> str | None:
    """Return why --settings cannot be used (a folder, a FIFO, a device), or None if it can."""
    if path is None:
        return None
    from engine.errors import printable

    if not path.strip():
        return "--settings needs a file name"
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None if Path(path).parent.is_dir() else f"--settings {printable(path)}: no folder"
    except OSError as exc:
        return f"--settings {printable(path)}: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return f"--settings {printable(path)}: not a regular file (a folder, a pipe or a device)"
    if os.stat(path).st_size > MAX_SETTINGS_BYTES:
        return (
            f"--settings {printable(path)}: larger than {MAX_SETTINGS_BYTES // 2**20} MB, "
            "so not a Backprop Lab settings file"
        )
    return None


def filter_qt_messages(mode, _context, message: str) -> None:
    """Print Qt's messages as usual, except the offscreen platform's harmless size-hint notice.

    When the platform plugin cannot load (Qt aborts next), add what to install.
    """
    if "does not support propagateSizeHints" not in message:
        print(message, file=sys.stderr)
    if 'Could not load the Qt platform plugin "xcb"' in message:
        print(f"backprop-lab: {xcb_help()}", file=sys.stderr, flush=True)


class _Progress:
    """On a terminal, one line on stderr saying what a long screenshot run is waiting for."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.start = time.monotonic()
        self.shown = 0.0  # when the line was last drawn; 0: never
        try:
            self.terminal = stream.isatty()
        except (AttributeError, ValueError, OSError):
            self.terminal = False

    def show(self, doing: str) -> None:
        """Redraw the line with ``doing`` if the run is long and the line is due."""
        now = time.monotonic()
        if not self.terminal or now - self.start < PROGRESS_AFTER:
            return
        if now - self.shown < PROGRESS_EVERY:
            return
        self.shown = now
        self.stream.write(
            f"\rbackprop-lab: screenshot: {doing}, {now - self.start:.0f} s (Ctrl+C stops)\x1b[K"
        )
        self.stream.flush()

    def end(self) -> None:
        """End the line, if one was drawn, so what is printed next starts on its own."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _screenshot(app, window, path: Path, args: argparse.Namespace) -> int:
    """Train, set up the views as asked, let them draw, save the window as PNG and exit.

    There is no time limit (a slow machine only takes longer): a long wait shows its progress on
    a terminal, and Ctrl+C, SIGTERM or SIGHUP stop it at any moment, the worker first.
    """
    batches = args.train_batches
    from PySide6.QtCore import QEventLoop

    window.show()
    progress = _Progress(sys.stderr)

    def wait(condition, doing) -> None:
        """Run the event loop until ``condition()``; ``doing()`` says what for, if it is long."""
        while not condition():
            interrupts.check()
            progress.show(doing())
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)
        interrupts.check()

    from engine.errors import printable
    from engine.session.worker import FAILED, RUNNING

    failed = [False]

    def trained() -> bool:
        failed[0] = window.worker.state == FAILED
        return failed[0] or len(window.record.history) >= batches

    try:
        wait(lambda: window.worker.latest_snapshot() is not None, lambda: "loading the data")
        wait(lambda: not window.lessons.busy(), lambda: "opening the lesson")
        if batches > 0:
            window.worker.set_speed(0)  # a picture need not be watched: train at full speed
            window.worker.run_batches(batches)
            wait(
                trained,
                lambda: f"trained {len(window.record.history):,} of {batches:,} mini-batches",
            )
            if failed[0]:
                wait(lambda: bool(window.banner.last_message()), lambda: "reporting the failure")
                progress.end()
                message = printable(window.banner.last_message())
                print(f"backprop-lab: screenshot not taken: {message}", file=sys.stderr)
                window.close()
                return EXIT_DIVERGED
            wait(lambda: window.worker.state != RUNNING, lambda: "pausing the training")
        wait(
            lambda: window.feed.shown_serial == window.worker.snapshot_serial,
            lambda: "drawing the views",
        )
        if args.pad_digit is not None:
            wait(lambda: window.data is not None, lambda: "loading the data")
            count = len(window.data.test)
            if args.pad_digit >= count:
                progress.end()
                print(
                    f"backprop-lab: --pad-digit {args.pad_digit} is out of range: the test set "
                    f"has digits 0 to {count - 1}",
                    file=sys.stderr,
                )
                window.close()
                return EXIT_BAD_INPUT
            window.digit_panel.load_test_digit(args.pad_digit)
        if args.tab == "explorer":
            window.tabs.setCurrentIndex(1)
            wait(lambda: window.explorer.snapshot is not None, lambda: "opening the explorer")
            window.explorer.set_step(args.explorer_step)
            wait(lambda: not window.explorer.busy(), lambda: "making the explorer's picture")
        settle = time.monotonic() + 0.3  # two refreshes of every view's timer
        wait(lambda: time.monotonic() > settle, lambda: "letting the views draw")
    except interrupts.Stopped as stop:
        return _stopped(app, window, progress, stop.signum)
    from gui.atomic_export import write_png

    picture = window.grab()
    window.close()
    app.processEvents()
    if interrupts.held() is not None:  # came while the window closed: no file, as asked
        return _stopped(app, window, progress, interrupts.held())
    progress.end()
    try:
        write_png(picture, path)
    except OSError as exc:
        print(f"backprop-lab: could not write {printable(path)}: {printable(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if interrupts.held() is not None:  # came while the file was written (whole, or not at all)
        print(f"backprop-lab: {interrupts.message(interrupts.held())}", file=sys.stderr)
        return 128 + interrupts.held()
    streams.print_out(f"saved {printable(path)}")
    return 0


def _stopped(app, window, progress: _Progress, signum: int) -> int:
    """Close the window (its worker stops and its thread ends), say so and return 128 + signum."""
    window.close()
    app.processEvents()
    progress.end()
    print(f"backprop-lab: {interrupts.message(signum)}", file=sys.stderr)
    return 128 + signum
