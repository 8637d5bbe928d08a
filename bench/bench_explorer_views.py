"""Time the explorer's whole-training-set views on the full MNIST at 784-16-16-10, float32.

Rows (median, lowest and highest of ``--rounds`` runs, each after one warm-up):

- full-batch gradient over all 60,000 training images (``engine.lessons.full_batch.full_gradient``):
  required <= 0.3 s;
- step 9 as the page computes it: that gradient plus the cost along both gradients at 16 points,
  over all 60,000 images (reported);
- step 10, -g against 200 random directions over the first 2,000 images (reported);
- step 11, the whole drunk-man picture over the first 10,000 images at equal work: three
  full-gradient steps, three epochs of SGD steps on a Trainer copy (3,000 mini-batches), the
  17 x 17 cost grid and every drawn point's real cost: required <= 1 s;
- step 12, training the networks on 100, 1,000, 10,000 and 60,000 examples (reported, one round).

The network is the video's after one epoch of SGD (mini-batch 10, eta 3), so the numbers are
those of a network that has learnt something. BLAS runs on one thread, as in the app, so the
process's CPU time is the time a free core needs; the limits are judged on its median, because
on the shared 2-core development machine the wall-clock time swings threefold with the load
(printed beside it, with the load average).
Run from the repository root: ``python bench/bench_explorer_views.py``; exit status 0 if both
requirements hold.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig, Trainer  # noqa: E402
from engine.data.datasets import load_mnist_dir  # noqa: E402
from engine.lessons import data_amount as da  # noqa: E402
from engine.lessons import descent_paths as dp  # noqa: E402
from engine.lessons import full_batch as fb  # noqa: E402
from engine.lessons import steepest_descent as sd  # noqa: E402
from engine.lessons.explorer import Exploration  # noqa: E402
from engine.lessons.explorer_gradient import line_search  # noqa: E402
from engine.session.snapshot import take_snapshot  # noqa: E402

FULL_GRADIENT_LIMIT = 0.3
PICTURE_LIMIT = 1.0


def timed(fn, rounds: int) -> tuple[list[float], list[float]]:
    """Return the wall-clock and CPU seconds of ``rounds`` calls of ``fn`` after a warm-up."""
    fn()
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def row(name: str, times: tuple[list[float], list[float]], limit: float | None = None) -> bool:
    """Print one row of figures; return False if the median CPU time misses its limit."""
    wall, cpu = times
    median = statistics.median(cpu)
    ok = limit is None or median <= limit
    verdict = "" if limit is None else f"  limit {limit:g} s: {'ok' if ok else 'TOO SLOW'}"
    print(
        f"{name:<52} CPU median {median:5.3f} s | wall median {statistics.median(wall):5.3f} s"
        f" (min {min(wall):5.3f}, max {max(wall):5.3f}){verdict}"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=Path, default=ROOT.parent / "shared" / "mnist")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    data = load_mnist_dir(args.mnist)
    images, labels = data.train.images, data.train.labels
    net = Network(NetworkConfig(), np.random.default_rng(0))
    trainer = Trainer(net, images, labels, TrainConfig(), seed=0)
    for _ in trainer.epoch_batches():
        pass
    snap = take_snapshot(trainer, images)
    e = Exploration(snap, snap.example.image, snap.example.label)
    live = net.copy()
    print(f"{len(labels):,} training images, 784-16-16-10 float32 after one epoch; ", end="")
    print(f"{args.rounds} rounds per row; load average {os.getloadavg()[0]:.1f}")
    ok = row(
        "full-batch gradient, all 60,000 images",
        timed(lambda: fb.full_gradient(live, images, labels), args.rounds),
        FULL_GRADIENT_LIMIT,
    )
    ts = np.linspace(0.0, 9.0, 16)
    row(
        "step 9: gradient + 2 x 16 costs, all 60,000 images",
        timed(lambda: line_search(e, images, labels, ts), args.rounds),
    )
    n = sd.EXAMPLES
    row(
        f"step 10: -g, {180 // sd.ANGLE_STEP + 1} angles and 200 random directions, {n:,} images",
        timed(lambda: sd.steepest_descent(live, images[:n], labels[:n], 3.0), args.rounds),
    )
    n = dp.EXAMPLES
    ok &= row(
        f"step 11: the whole drunk-man picture, {n:,} images",
        timed(lambda: dp.descent_picture(live, images[:n], labels[:n], TrainConfig()), args.rounds),
        PICTURE_LIMIT,
    )
    start = time.perf_counter()
    progress = list(
        da.train_on_amounts(
            NetworkConfig(), TrainConfig(), images, labels, data.test.images, data.test.labels
        )
    )[-1]
    seconds = time.perf_counter() - start
    accuracies = ", ".join(f"{r.n_examples:,}: {100 * r.accuracy:.1f}%" for r in progress.results)
    print(f"step 12: four networks, {da.EXAMPLES_SEEN:,} examples each: {seconds:.1f} s")
    print(f"         test accuracy by labelled examples: {accuracies}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
