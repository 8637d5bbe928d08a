"""Render the README's pictures from the real window: the whole window on a 1366x768 and a
1920x1080 screen in the dark and the light theme, each edge mode, the pad, and every step of the
backprop explorer, after real training on the bundled sample.

Run from the repository root::

    .venv/bin/python scripts/make_screenshots.py [--out docs] [--batches 1500]
"""

from __future__ import annotations

import sys
from pathlib import Path

from _common import (
    fresh_window,
    out_folder,
    picture_parser,
    settle,
    show_ready,
    start_app,
    train,
    wait,
)

# isort: split
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QPushButton

from gui.theme import apply_theme
from gui.window.main_window import MainWindow

SCREENS = ((1366, 768), (1920, 1080))
DESKTOP_CHROME = 56  # a maximised window leaves a panel and a title bar of the screen


def whole_windows(app: QApplication, window: MainWindow, out: Path) -> None:
    """Save the window as it fills each screen, in both themes: the workbench and the explorer."""
    for theme in ("dark", "light"):
        apply_theme(app, theme)
        for width, height in SCREENS:
            window.resize(QSize(width, height - DESKTOP_CHROME))
            settle(app, 0.2)
            window.size_docks()  # the pad dock as a first launch on that screen sets it
            window.tabs.setCurrentIndex(0)
            settle(app, 0.6)
            window.grab().save(str(out / f"workbench-{width}-{theme}.png"))
            window.tabs.setCurrentIndex(1)
            wait(app, lambda: window.explorer.snapshot is not None)
            window.explorer.set_step(4)
            settle(app, 0.6)
            window.grab().save(str(out / f"explorer-{width}-{theme}.png"))
            window.explorer.set_step(1)
    apply_theme(app, "dark")
    window.tabs.setCurrentIndex(0)
    window.resize(QSize(1800, 1000))
    settle(app, 0.2)
    window.size_docks()
    settle(app, 0.5)


def main() -> int:
    """Train, then save each picture."""
    parser = picture_parser(__doc__)
    parser.add_argument("--batches", type=int, default=1500)
    args = parser.parse_args()
    out = out_folder(args)
    app = start_app("dark")
    with fresh_window() as window:
        show_ready(app, window, 1800, 1000)
        window.worker.set_speed(0)  # the pictures need not be watched: train at full speed
        train(app, window, args.batches)  # a bit more than an epoch of the sample
        window.digit_panel.load_test_digit(0)
        settle(app)
        whole_windows(app, window, out)
        for mode in ("weight", "gradient", "update", "hebbian"):
            window.network_view.set_edge_mode(mode)
            window.network_view.set_emphasis(3.0 if mode != "weight" else 1.0)
            window.network_view.refresh()
            settle(app, 0.1)
            window.network_view.export_png(out / f"diagram-{mode}.png")
        window.network_view.set_edge_mode("weight")
        window.network_view.set_emphasis(1.0)
        window.digit_panel.select_label(int(window.data.test.labels[0]))
        window.digit_panel.apply_step()
        wait(app, lambda: window.digit_panel.findChild(object) is not None)
        settle(app, 0.5)
        window.pad_area.widget().grab().save(str(out / "drawing-pad.png"))
        window.tabs.setCurrentIndex(2)
        for tab, name in enumerate(("mistakes", "neurons", "dataset")):
            window.insight.tabs.setCurrentIndex(tab)
            window.insight.recompute()
            settle(app, 0.5)
            window.tabs.currentWidget().grab().save(str(out / f"insight-{name}.png"))
        window.timeline.set_position(max(window.worker.kept_count() // 3, 0))
        window.feed.scrub_to(window.timeline.position)
        window.tabs.setCurrentIndex(0)
        settle(app, 0.5)
        window.centralWidget().grab().save(str(out / "timeline.png"))
        window.feed.scrub_to(-1)
        window.tabs.setCurrentIndex(1)
        wait(app, lambda: window.explorer.snapshot is not None)
        window.explorer.resize(1180, 780)
        for step in range(1, 10):
            window.explorer.set_step(step)
            wait(app, lambda: not window.explorer.busy())
            settle(app, 0.3)
            if step == 8:  # fill the table, as a learner would by pressing the button
                for button in window.explorer.findChildren(QPushButton):
                    if button.text() == "Check all layers" and button.isVisible():
                        button.click()
                settle(app, 1.0)
            window.explorer.grab().save(str(out / f"explorer-step{step}.png"))
    print(f"saved pictures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
