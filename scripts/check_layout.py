"""Walk the window at every screen, theme and window state the learner may use, and list faults.

The default test suite walks each screen once (tests/test_layout.py); this walks all 16
combinations: 1280x720, 1366x768, 1920x1080 and 2560x1440 at 2x, dark and light, maximised by a
window manager and not. Run: ``python scripts/check_layout.py``; exits 1 if any fault is found.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from layout_checks import SCREENS  # noqa: E402
from test_layout import launch  # noqa: E402


def main() -> int:
    """Walk every combination and print its faults; return 1 if there were any."""
    faults = 0
    for (width, height, scale), theme, manager in itertools.product(
        SCREENS, ("dark", "light"), (True, False)
    ):
        with tempfile.TemporaryDirectory() as folder:
            report = launch(width, height, scale, Path(folder), manager, LAYOUT_THEME=theme)
        state = "maximised" if manager else "bare"
        name = f"{width}x{height}@{scale}x {theme} {state}"
        print(f"{name}: {len(report['problems'])} faults, window {report['window']}")
        for problem in report["problems"]:
            print(f"  {problem}")
        faults += len(report["problems"])
    print(f"{faults} faults in all")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
