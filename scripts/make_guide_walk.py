"""Walk the guide as a newcomer does and save one picture per stop: docs/guide-walk-NN.png.

A fresh settings file makes it a first launch: the window opens on Follow the video with Start
here highlighted. From there the script presses only the control the guide highlights (the one
whose ``guideHighlight`` property is set), with real mouse clicks and key presses, picking the
first answer each time it must predict, until the last stop's answer is revealed on explorer
step 12. After each stop's reveal it saves the whole window; guide-walk-00.png is the launch.
It prints how long the launch took to reach the playing animation.

Run from the repository root (under Xvfb with ``QT_QPA_PLATFORM=xcb`` for a real window)::

    .venv/bin/python scripts/make_guide_walk.py [--out docs] [--size 1366x768]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from _common import fresh_window, out_folder, picture_parser, settle, start_app, wait

# isort: split
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QWidget

from gui.guide import stops as gs
from gui.guide.panel import HIGHLIGHT
from gui.window.main_window import MainWindow


def highlighted(window: MainWindow) -> QWidget | None:
    """Return the control the guide highlights, found by its property, or None."""
    found = [w for w in window.findChildren(QWidget) if w.property(HIGHLIGHT) is True]
    return found[0] if found else None


def press(widget: QWidget) -> None:
    """Press it as a learner does: click a button, pick the first answer from a list."""
    if isinstance(widget, QComboBox):
        widget.setFocus()
        QTest.keyClick(widget, Qt.Key.Key_Down)
    else:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def walk(app: QApplication, window: MainWindow, out: Path, launched: float) -> float:
    """Press only what is highlighted, from launch to the last reveal; return launch-to-play."""
    panel = window.guide.panel
    wait(app, lambda: highlighted(window) is panel.start_button and panel.start_button.isEnabled())
    settle(app, 0.5)
    window.grab().save(str(out / "guide-walk-00.png"))
    press(panel.start_button)
    wait(app, window.step_player.is_playing)
    to_animation = time.perf_counter() - launched
    for _ in range(10 * len(gs.STOPS)):
        wait(app, lambda: (h := highlighted(window)) is not None and h.isEnabled(), 900)
        target, index = highlighted(window), panel.index
        press(target)
        if target is panel.reveal_button:
            wait(app, lambda: not window.explorer.busy())  # a page's picture is drawn
            settle(app, 1.0)  # the views catch up: plots redraw from their timers
            window.grab().save(str(out / f"guide-walk-{index + 1:02d}.png"))
            print(f"stop {index + 1}: {panel.answer.text()}")
            if index == len(gs.STOPS) - 1:
                break
    return to_animation


def main() -> int:
    """Launch as a newcomer, walk every stop, save the pictures."""
    parser = picture_parser(__doc__)
    parser.add_argument("--size", default="1366x768", help="the window's size, WxH")
    parser.add_argument(
        "--examples-seen", type=int, default=None, help="step 12: examples per network"
    )
    args = parser.parse_args()
    out = out_folder(args)
    app = start_app()
    w, h = (int(v) for v in args.size.lower().split("x"))
    launched = time.perf_counter()
    with fresh_window() as window:
        if args.examples_seen:
            window.explorer.data_amount_page.examples_seen = args.examples_seen
        if os.environ["QT_QPA_PLATFORM"] == "offscreen":
            window.resize(w, h)  # no screen to be maximised on
        window.show()
        seconds = walk(app, window, out, launched)
        print(
            f"launch to the playing animation: {seconds:.1f} s, the window "
            f"{window.width()}x{window.height()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
