"""Backprop Lab's launcher: the window by default; ``train`` and ``evaluate`` run headless."""

from __future__ import annotations

import sys
from collections.abc import Sequence

HEADLESS_COMMANDS = ("train", "evaluate")


def main(argv: Sequence[str] | None = None) -> int:
    """Run Backprop Lab with the given arguments (default: the process's) and return its status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in HEADLESS_COMMANDS:
        from engine.cli import run

        return run(argv)
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.setOrganizationName("Backprop Lab")
    QCoreApplication.setApplicationName("Backprop Lab")
    from gui.app import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main())
