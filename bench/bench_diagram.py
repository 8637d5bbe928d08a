"""Time full redraws of the network diagram offscreen at 1280x800 against naive edge drawing.

A full redraw is what the window's timer triggers after a training step: take a new snapshot,
rebuild the frame (``refresh``) and paint the whole widget. The naive baseline paints the same
frame but draws the same edges the obvious way: one translucent, antialiased QPen per edge in a
Python loop, one drawLine each. Two more baselines are printed for context, not judged: the same
loop with this view's opaque colours (what batching alone buys), and a naive diagram that draws
all 12,960 edges of 784-16-16-10 as lines, the input layer included.

Run from the repository root: ``python bench/bench_diagram.py``; exit status 0 if all hold.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PySide6.QtCore import QLineF, QPointF, QSize  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig, Trainer  # noqa: E402
from engine.data.datasets import load_sample  # noqa: E402
from engine.session.snapshot import EDGE_MODES, edge_values, take_snapshot  # noqa: E402
from gui.colors import NEGATIVE, POSITIVE, emphasise  # noqa: E402
from gui.diagram.paint import paint_scene  # noqa: E402
from gui.diagram.scene import Scene, finite  # noqa: E402
from gui.diagram.view import NetworkView  # noqa: E402

SIZE = QSize(1280, 800)
TRAIN_BATCHES = 300
SNAPSHOTS = 6  # consecutive mini-batches cycled through, so every frame has new numbers
REPS = 40
WARMUP = 5


def snapshots(sizes: tuple[int, ...]) -> list:
    """Return snapshots of consecutive mini-batches after a short training run on the sample."""
    data = load_sample()
    net = Network(NetworkConfig(sizes=sizes), np.random.default_rng(0))
    trainer = Trainer(net, data.train.images, data.train.labels, TrainConfig(), seed=0)
    for _ in range(TRAIN_BATCHES):
        trainer.step_batch()
    out = []
    for _ in range(SNAPSHOTS):
        trainer.step_batch()
        out.append(take_snapshot(trainer, data.train.images))
    return out


class NaiveView(NetworkView):
    """The same view, but its edges drawn one QPen and one drawLine per edge in Python."""

    def __init__(self, opaque: bool = False, every_edge: bool = False) -> None:
        super().__init__()
        self.opaque = opaque
        self.every_edge = every_edge

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Paint the frame without its batched edges, then every edge by itself."""
        scene, layout = self.scene(), self.diagram_layout()
        bare = Scene(**{**scene.__dict__, "buckets": [[] for _ in scene.buckets]})
        p = QPainter(self)
        paint_scene(p, layout, bare, [])
        p.setRenderHint(QPainter.RenderHint.Antialiasing, not self.opaque)
        first = 0 if self.every_edge else 1
        for layer in range(first, len(layout.sizes) - 1):
            values = edge_values(self.snapshot(), self.edge_mode(), layer, self.shown_trace())
            t = emphasise(finite(values), scene.scales[layer], scene.power)
            if layer == 0:  # an input column of 784 points down the left edge
                ys = np.linspace(40, self.height() - 80, layout.sizes[0])
                src = np.column_stack([np.full(len(ys), 20.0), ys])
            else:
                src = layout.centers[layer]
            dst = layout.centers[layer + 1]
            for j in range(t.shape[0]):
                for i in range(t.shape[1]):
                    v = float(t[j, i])
                    rgb = POSITIVE if v >= 0 else NEGATIVE
                    if self.opaque:
                        level = min(int(abs(v) * 16), 15) / 16
                        colour = QColor(*(int(20 + (c - 20) * level) for c in rgb))
                    else:
                        colour = QColor(*rgb, int(255 * abs(v)))
                    pen = QPen(colour)
                    pen.setWidthF(0.5 + 3.0 * abs(v))
                    p.setPen(pen)
                    p.drawLine(QLineF(QPointF(*src[i]), QPointF(*dst[j])))
        p.end()


def time_redraws(view: NetworkView, snaps: list, mode: str, reps: int = REPS) -> list[float]:
    """Return milliseconds per full redraw: new snapshot, refresh, paint the whole widget."""
    view.set_edge_mode(mode)
    image = QImage(SIZE, QImage.Format.Format_ARGB32_Premultiplied)
    times = []
    for n in range(reps + WARMUP):
        start = time.perf_counter()
        view.set_snapshot(snaps[n % len(snaps)])
        view.refresh()
        view.render(image)
        if n >= WARMUP:
            times.append(1000 * (time.perf_counter() - start))
    return times


def summary(times: list[float]) -> tuple[float, float]:
    """Return the median and the 90th percentile of a list of times."""
    return statistics.median(times), float(np.percentile(times, 90))


def make(view: NetworkView) -> NetworkView:
    """Size a view to the benchmark canvas."""
    view.resize(SIZE)
    return view


def main() -> int:
    """Run every measurement, print the table and the verdicts, return the exit status."""
    app = QApplication.instance() or QApplication([])
    small = snapshots((784, 16, 16, 10))
    large = snapshots((784, 128, 64, 10))
    view = make(NetworkView())
    results: dict[str, tuple[float, float]] = {}
    for mode in EDGE_MODES:
        results[f"784-16-16-10 {mode}"] = summary(time_redraws(view, small, mode))
    for mode in EDGE_MODES:
        results[f"784-128-64-10 {mode}"] = summary(time_redraws(view, large, mode))
    naive = summary(time_redraws(make(NaiveView()), small, "weight", reps=15))
    opaque = summary(time_redraws(make(NaiveView(opaque=True)), small, "weight", reps=15))
    every = summary(time_redraws(make(NaiveView(every_edge=True)), small, "weight", reps=3))
    app.processEvents()

    print(f"Full redraw at {SIZE.width()}x{SIZE.height()} offscreen, ms (median / p90):")
    for name, (med, p90) in results.items():
        print(f"  {name:<28} {med:7.2f} / {p90:7.2f}")
    print("Baselines, 784-16-16-10 weight mode:")
    print(f"  naive: translucent pen per edge      {naive[0]:7.2f} / {naive[1]:7.2f}")
    print(f"  (context) opaque pen per edge        {opaque[0]:7.2f} / {opaque[1]:7.2f}")
    print(f"  (context) all 12,960 edges as lines  {every[0]:7.2f} / {every[1]:7.2f}")
    small_worst = max(results[f"784-16-16-10 {m}"][0] for m in EDGE_MODES)
    large_worst = max(results[f"784-128-64-10 {m}"][0] for m in EDGE_MODES)
    ratio = naive[0] / results["784-16-16-10 weight"][0]
    checks = [
        (
            f"784-16-16-10 median <= 16 ms in every mode (worst {small_worst:.2f})",
            small_worst <= 16,
        ),
        (f"at least 5x faster than the naive baseline ({ratio:.1f}x)", ratio >= 5),
        (
            f"784-128-64-10 median <= 40 ms in every mode (worst {large_worst:.2f})",
            large_worst <= 40,
        ),
    ]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    print(
        f"(for context: {every[0] / results['784-16-16-10 weight'][0]:.0f}x vs drawing all edges)"
    )
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
