"""The engine of two checkouts against each other, interleaved: did a change cost speed?

Each checkout trains the seed network (784-16-16-10, then 784-30-10; mini-batch 10, eta 3,
float32, full MNIST) in its own process, through ``Trainer.batches``, the generator the app
drives. The two processes take turns, 300 mini-batches at a time (who goes first alternates), so
both meet the same machine; an epoch is 20 such slices. The figure is the median over rounds of
the after/before ratio of epoch times within a round. Run from the repository root::

    .venv/bin/python bench/bench_compare.py BEFORE_DIR [AFTER_DIR] [--rounds N] [--mnist DIR]

(for instance ``git archive HEAD~5 | tar -x -C /tmp/before`` for BEFORE_DIR; AFTER_DIR defaults
to this checkout). Exit status 0 when the after/before median is at most 1.05 for both networks.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NETWORKS = ("784-16-16-10", "784-30-10")
SLICE = 300
LIMIT = 1.05


def child(mnist: str, sizes: str) -> None:
    """Train in the current directory's checkout, timing SLICE mini-batches per request."""
    sys.path.insert(0, ".")
    import numpy as np

    import engine

    try:  # engine/ in its four concerns (issue 24)
        from engine.core.network import Network, NetworkConfig
        from engine.core.training import TrainConfig, Trainer
        from engine.data.datasets import load_mnist_dir
    except ImportError:  # a checkout from before, with engine/ flat
        from engine.datasets import load_mnist_dir
        from engine.network import Network, NetworkConfig
        from engine.training import TrainConfig, Trainer

    engine.limit_blas_threads()
    data = load_mnist_dir(mnist)
    config = NetworkConfig(tuple(int(n) for n in sizes.split("-")))
    net = Network(config, np.random.default_rng(0))
    batches = Trainer(net, data.train.images, data.train.labels, TrainConfig(3.0, 10)).batches()
    print("ready", flush=True)
    for _ in sys.stdin:
        start = time.perf_counter()
        for _ in range(SLICE):
            next(batches)
        print(time.perf_counter() - start, flush=True)


def compare(trees: dict[str, Path], mnist: Path, sizes: str, rounds: int) -> list[float]:
    """Return the after/before ratio of each round's epoch time for one network."""
    procs = {}
    for name, tree in trees.items():
        procs[name] = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(mnist), sizes],
            cwd=tree,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if procs[name].stdout.readline().strip() != "ready":
            raise SystemExit(f"the {name} checkout at {tree} could not start training")
    ratios = []
    try:
        for r in range(rounds):
            epoch = dict.fromkeys(trees, 0.0)
            for s in range(20):
                for name in list(trees)[:: 1 if (r * 20 + s) % 2 else -1]:
                    procs[name].stdin.write("go\n")
                    procs[name].stdin.flush()
                    epoch[name] += float(procs[name].stdout.readline())
            ratios.append(epoch["after"] / epoch["before"])
            print(
                f"  {sizes} round {r + 1}: before {epoch['before'] * 1000:.0f} ms, "
                f"after {epoch['after'] * 1000:.0f} ms",
                file=sys.stderr,
            )
    finally:
        for p in procs.values():
            p.stdin.close()
            p.wait()
    return ratios


def main(argv: list[str] | None = None) -> int:
    """Compare the two checkouts on every network and print the ratios."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(*argv[1:3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path, nargs="?", default=ROOT)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--mnist", type=Path, default=ROOT.parent / "shared" / "mnist")
    args = parser.parse_args(argv)
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    passed = True
    for sizes in NETWORKS:
        ratios = compare(trees, args.mnist.resolve(), sizes, args.rounds)
        median = statistics.median(ratios)
        passed &= median <= LIMIT
        print(
            f"{sizes:<14} after/before {median:.3f} (rounds {min(ratios):.3f}-{max(ratios):.3f}, "
            f"{args.rounds} interleaved epochs)  {'PASS' if median <= LIMIT else 'FAIL'}"
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
