"""How much memory the replay history of a 50-epoch run takes, and how well it covers the run.

Trains 784-16-16-10 (mini-batch 10, eta 3, float32) for 50 epochs with
``engine.core.training.Trainer`` and offers a snapshot to ``engine.session.replay.KeptSnapshots``
every K = 100 mini-batches, as the worker does, with the default budget
(engine.session.replay.DEFAULT_BUDGET, 24 MB). Prints the memory, the number of records and the
current record interval every few epochs, then the coverage: the first and last examples seen and
the largest gap between records. On the bundled sample (10,000 images) the run is 50,000
mini-batches; ``--data full`` (60,000 images, 300,000 mini-batches) makes the budget bite. Run from
the repository root::

    .venv/bin/python bench/bench_history.py [--data sample|full|DIR] [--epochs 50]
        [--interval 100] [--budget-mb 24]

The exit status is 0 when the memory never exceeded the budget and the records span the whole
run with no gap wider than the final interval, and 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig, Trainer  # noqa: E402
from engine.data.datasets import load_data, load_mnist_dir  # noqa: E402
from engine.session.replay import DEFAULT_BUDGET, KeptSnapshots  # noqa: E402
from engine.session.snapshot import take_parameters  # noqa: E402

SHARED_MNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "mnist"
MB = 1024 * 1024


def main() -> int:
    """Run the benchmark and print its figures; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="sample", help="sample, full, or an MNIST directory")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--interval", type=int, default=100, help="K, mini-batches per record")
    parser.add_argument("--budget-mb", type=float, default=DEFAULT_BUDGET / 2**20)
    args = parser.parse_args()
    if args.data == "full" and SHARED_MNIST.is_dir():
        data = load_mnist_dir(SHARED_MNIST)
    else:
        data = load_data(args.data)
    images, labels = data.train.images, data.train.labels
    net = Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(0))
    trainer = Trainer(net, images, labels, TrainConfig(learning_rate=3.0, batch_size=10), 0)
    budget = int(args.budget_mb * MB)
    history = KeptSnapshots(interval=args.interval, budget=budget)
    history.add(take_parameters(trainer), force=True)
    peak = history.memory_bytes()
    add_seconds = 0.0
    batch = 0
    start = time.perf_counter()
    print(
        f"{len(labels):,} training images, {args.epochs} epochs, K = {args.interval}, budget "
        f"{args.budget_mb:g} MB"
    )
    print(f"{'epoch':>6} {'batches':>9} {'MB':>8} {'records':>8} {'interval':>9}")
    report_every = max(1, args.epochs // 10)
    while trainer.epoch < args.epochs:
        report = trainer.step_batch()
        batch += 1
        if batch % args.interval == 0 or (report.epoch_done and trainer.epoch == args.epochs):
            t = time.perf_counter()
            final = trainer.epoch == args.epochs
            history.add(take_parameters(trainer), cost=report.cost, force=final)
            add_seconds += time.perf_counter() - t
            peak = max(peak, history.memory_bytes())
        if report.epoch_done and (trainer.epoch % report_every == 0 or trainer.epoch == 1):
            print(
                f"{trainer.epoch:>6} {batch:>9,} {history.memory_bytes() / MB:>8.2f} "
                f"{len(history):>8,} {history.interval:>9,}"
            )
    seconds = time.perf_counter() - start
    seen = history.examples_seen()
    gaps = np.diff(seen) // trainer.config.batch_size
    covered = seen[0] == 0 and seen[-1] == trainer.examples_seen
    even = gaps.max() <= history.interval
    ok = peak <= budget and covered and even
    print(f"trained {batch:,} mini-batches in {seconds:.1f} s; snapshots took {add_seconds:.2f} s")
    print(
        f"peak memory {peak / MB:.2f} MB of {args.budget_mb:g} MB; {len(history):,} records "
        f"of {history.get(0).nbytes():,} bytes, one every {history.interval:,} mini-batches now"
    )
    print(
        f"coverage: examples seen {seen[0]:,} .. {seen[-1]:,} of {trainer.examples_seen:,}; "
        f"gap between records {gaps.min():,} .. {gaps.max():,} mini-batches"
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
