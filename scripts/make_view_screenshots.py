"""Render the README's pictures of explorer steps 10-12 from the real window after real training.

Step 12's networks are trained by pressing its button, as a learner would. With ``--size`` the
whole window is saved too, to check the layout at that size.

Run from the repository root (a real display: ``DISPLAY=:N QT_QPA_PLATFORM=xcb``)::

    .venv/bin/python scripts/make_view_screenshots.py [--out docs] [--size 1920x1080]
"""

from __future__ import annotations

import sys

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
from gui.window.explore_handoff import EXPLORER_TAB

NAMES = {10: "steepest", 11: "descent", 12: "data"}


def main() -> int:
    """Train, walk to steps 10, 11 and 12, and save each."""
    parser = picture_parser(__doc__)
    parser.add_argument("--batches", type=int, default=1500)
    parser.add_argument("--size", default="1920x1080", help="window size WxH")
    parser.add_argument("--window-only", action="store_true", help="save only whole windows")
    args = parser.parse_args()
    out = out_folder(args)
    width, height = (int(v) for v in args.size.split("x"))
    app = start_app()
    with fresh_window() as window:
        show_ready(app, window, width, height)
        train(app, window, args.batches)
        window.tabs.setCurrentIndex(EXPLORER_TAB)
        explorer = window.explorer
        wait(app, lambda: explorer.snapshot is not None)
        for step, name in NAMES.items():
            explorer.set_step(step)
            wait(app, lambda: not explorer.busy())
            settle(app, 0.5)
            if step == 12:
                explorer.data_amount_page.train_button.click()
                wait(app, lambda: "results" in explorer.displayed_values())
                settle(app, 0.5)
            window.grab().save(str(out / f"explorer-{name}-{width}x{height}.png"))
            if not args.window_only:
                explorer.grab().save(str(out / f"explorer-{name}.png"))
    print(f"saved pictures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
