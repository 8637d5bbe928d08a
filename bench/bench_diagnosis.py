"""How long the window waits while a remedy is tried: ``engine.session.diagnosis.suggest_fix``.

When training diverges or stalls the window tries candidate settings before it offers one (a
short trial run each), in the GUI thread. This prints the time of each case, median of a few
rounds, and what was found:

- divergence at eta = 1000 (sigmoid, quadratic): smaller rates, largest first;
- the ReLU stall at eta = 3 with N(0, 1) weights: smaller rates, then scaled weights;
- the stall diagnosis itself (stuck neurons on 1,000 training images).

Run from the repository root::

    /work/venv/bin/python bench/bench_diagnosis.py [--data sample|full|DIR] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig  # noqa: E402
from engine.data.datasets import load_data  # noqa: E402
from engine.session.diagnosis import diagnose, suggest_fix  # noqa: E402


def timed(fn, rounds: int) -> tuple[float, object]:
    """Return the median seconds of ``rounds`` calls and the last result."""
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    """Time the three cases and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="sample")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = load_data(args.data)
    images, labels = data.train.images, data.train.labels
    print(f"data: {data.source}, {len(labels):,} training images, {args.rounds} rounds")
    cases = [
        ("divergence, sigmoid eta 1000", NetworkConfig(), 1000.0),
        ("stall, ReLU eta 3, N(0, 1)", NetworkConfig(activation="relu"), 3.0),
    ]
    for name, config, eta in cases:
        seconds, remedy = timed(
            lambda c=config, e=eta: suggest_fix(c, images, labels, TrainConfig(e), 0), args.rounds
        )
        found = "none" if remedy is None else remedy.describe(config)
        print(f"{name:32s} {seconds:6.2f} s  -> {found}")
    net = Network(NetworkConfig(activation="relu"), np.random.default_rng(0))
    seconds, _ = timed(lambda: diagnose(net, images[:1000]), args.rounds)
    print(f"{'diagnose on 1,000 images':32s} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
