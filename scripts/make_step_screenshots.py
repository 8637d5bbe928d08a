"""Render the README's "Play one step" pictures from the real window, and an exported GIF.

After real training on the bundled sample, one step is played and paused in each phase; the
diagram is saved as it shows that moment, the whole window once with the player bar, and the
animation exported as a GIF the way a teacher would (File > Export > Step animation as GIF).

Run from the repository root (under Xvfb with ``QT_QPA_PLATFORM=xcb`` for a real window)::

    .venv/bin/python scripts/make_step_screenshots.py [--out docs] [--batches 1500]
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

PHASES = [  # (file name, phase, which beat of that phase: 0 first, -1 last)
    ("step-forward", "forward", 2),
    ("step-output", "forward", -1),
    ("step-cost", "cost", 0),
    ("step-backward", "backward", 1),
    ("step-minibatch", "mini-batch", 3),
    ("step-average", "average", 0),
    ("step-update", "update", 0),
    ("step-after", "after", 0),
]


def main() -> int:
    """Train, play one step, and save a picture of each phase and the GIF."""
    parser = picture_parser(__doc__)
    parser.add_argument("--batches", type=int, default=1500)
    args = parser.parse_args()
    out = out_folder(args)
    app = start_app()
    with fresh_window() as window:
        show_ready(app, window, 1800, 1000)
        train(app, window, args.batches)
        settle(app)
        window.play_step_action.trigger()
        wait(app, window.step_player.is_active)
        player = window.step_player
        player.pause()
        beats = player.frames.beats
        starts = player.beat_starts()
        for name, phase, which in PHASES:
            index = [i for i, b in enumerate(beats) if b.phase == phase][which]
            player.seek(starts[index] + 0.8 * beats[index].seconds)  # arrows grown, fills in
            settle(app, 0.2)
            window.network_view.grab().save(str(out / f"{name}.png"))
            if name == "step-cost":
                window.centralWidget().grab().save(str(out / "step-player.png"))
        player.set_speed(2.0)
        frames = window.step_player_controls.export(out / "step.gif", "gif")
        print(f"step.gif: {frames} frames at {window.network_view.width()}x"
              f"{window.network_view.height()}")  # fmt: skip
    print(f"saved pictures in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
