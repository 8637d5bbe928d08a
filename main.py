"""Backprop Lab's launcher: the window by default; ``train`` and ``evaluate`` run headless."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence

HEADLESS_COMMANDS = ("train", "evaluate")
EXIT_BAD_INPUT = 2
MIN_ADDRESS_SPACE = 256 * 2**20  # below this NumPy's and SciPy's libraries fail or hang loading


def _memory_limit_problem() -> str | None:
    """Return a message if ``ulimit -v`` leaves too little memory to even load the libraries."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft >= MIN_ADDRESS_SPACE:
        return None
    return (
        f"backprop-lab: out of memory: the memory limit (ulimit -v) is {soft // 2**20} MB, "
        f"below the {MIN_ADDRESS_SPACE // 2**20} MB it needs to start"
    )


def _mistyped_command(argv: Sequence[str]) -> str | None:
    """Return the message for a first word that looks like a misspelt command, else None."""
    if not argv or argv[0].startswith("-") or argv[0] in HEADLESS_COMMANDS:
        return None
    import difflib

    word = argv[0]
    if os.path.exists(word) or word.endswith((".npz", ".bplab")):
        return None
    close = difflib.get_close_matches(word, HEADLESS_COMMANDS, n=1, cutoff=0.6)
    if not close:
        return None
    return f"backprop-lab: unknown command {word!r}; did you mean {close[0]!r}? (try --help)"


def main(argv: Sequence[str] | None = None) -> int:
    """Run Backprop Lab with the given arguments (default: the process's) and return its status.

    Ctrl+C, SIGTERM and SIGHUP are held from the first moment (an interrupted import of PySide6
    aborts the process): each part acts on them where stopping is safe, with 128 + the signal.
    """
    from engine.session import interrupts, streams

    previous = interrupts.hold()
    try:
        try:
            status = _main(argv)
        except SystemExit as done:  # argparse's --help and errors: their words are printed
            status = done.code if isinstance(done.code, int) else int(done.code is not None)
        except streams.OutputError as exc:  # results printed to a closed or full stdout
            return _lost_output(exc)
        try:
            sys.stdout.flush()  # a full disk or a closed pipe may show only now
        except (OSError, ValueError) as exc:
            return _lost_output(streams.output_error(exc))
        return status
    finally:
        if argv is not None:  # called as a function, not as the program: give back the handlers
            interrupts.release(previous)
        else:  # the program's status is decided: a signal now must not turn it into a kill
            interrupts.too_late()


def _lost_output(exc: OSError) -> int:
    """Say in one line on stderr that stdout could not take what was printed; return 2."""
    from engine.session import streams

    streams.drop_output()
    with contextlib.suppress(OSError, ValueError):
        print(f"backprop-lab: {exc.strerror}", file=sys.stderr, flush=True)
    return EXIT_BAD_INPUT


def _main(argv: Sequence[str] | None) -> int:
    """Run the command or the window ``argv`` asks for and return the exit status."""
    from engine.session import interrupts, streams

    streams.open_closed_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    prints_results = bool(argv) and argv[0] in ("--version", "-V", *HEADLESS_COMMANDS)
    if prints_results:
        streams.refuse_closed_stdout()  # before any work, not after it
    if argv[:1] in (["--version"], ["-V"]):  # before Qt or NumPy load: instant
        from engine import __version__

        streams.print_out(f"backprop-lab {__version__}")
        return 0
    problem = _memory_limit_problem() or _mistyped_command(argv)
    if problem:
        print(problem.encode("ascii", "backslashreplace").decode(), file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        if argv and argv[0] in HEADLESS_COMMANDS:
            # A signal held meanwhile stops the command as it begins, where it knows what it was
            # asked: "train --save" then says that nothing was saved.
            from engine.cli import run

            return run(argv)
        interrupts.check()  # a signal during start-up: stop before the slow imports
        from PySide6.QtCore import QCoreApplication

        QCoreApplication.setOrganizationName("Backprop Lab")
        QCoreApplication.setApplicationName("Backprop Lab")
        from gui.app import run_gui

        return run_gui(argv)
    except KeyboardInterrupt as stop:  # held until start-up could stop (no thread to end yet)
        signum = getattr(stop, "signum", signal.SIGINT)
        print(f"backprop-lab: {interrupts.message(signum)}", file=sys.stderr)
        return 128 + signum
    except MemoryError:  # the last resort: too little memory even to report it properly
        print("backprop-lab: out of memory", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ImportError as exc:  # a library that could not be mapped into memory
        if "failed to map" not in str(exc) and "memory" not in str(exc).lower():
            raise
        print("backprop-lab: out of memory while loading its libraries", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
