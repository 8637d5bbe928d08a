"""Render the README's picture of the Compare tab from the real window.

The learning-rate experiment is trained for real on the bundled sample (or ``--data``). The
guide's pictures are made by scripts/make_guide_walk.py. Run from the repository root::

    .venv/bin/python scripts/make_compare_screenshots.py [--out docs] [--epochs 3] [--data sample]
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
    wait,
)


def main() -> int:
    """Run the experiment, open two stops, and save the pictures."""
    parser = picture_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--data", default="sample")
    parser.add_argument("--size", default="1800x1000")
    args = parser.parse_args()
    out = out_folder(args)
    app = start_app()
    w, h = (int(v) for v in args.size.split("x"))
    with fresh_window(data=args.data) as window:
        show_ready(app, window, w, h)
        finished = []
        window.runs.runner.experiment_finished.connect(lambda *a: finished.append(a))
        window.runs.start_experiment("learning-rate", args.epochs)
        wait(app, lambda: finished, timeout=1800)
        panel = window.runs.panel
        panel.set_x_axis("epochs")
        settle(app, 0.5)
        window.grab().save(str(out / "compare-learning-rate.png"))
        for run in window.runs.registry.runs:
            print(f"{run.name}: {run.describe()}; final test accuracy {run.final_accuracy()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
