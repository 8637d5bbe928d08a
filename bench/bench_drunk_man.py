"""Does step 11's drunk man win at equal work? Seeds 0-2, the sample and full MNIST, timed.

For each data set (the bundled sample, and the full MNIST in ``--mnist``) and each seed, the
untrained 784-16-16-10 network's default step-11 picture is made exactly as the page makes it
(the first 10,000 training images, mini-batches of 10, eta 3, equal work): three careful
full-gradient steps against three epochs of mini-batch steps. Printed per row: the costs at each
matched point (after 10,000, 20,000 and 30,000 images), who ended lower and by how much, and the
picture's wall-clock and CPU time. A row for the network after one epoch of SGD follows each set.

Run from the repository root: ``python bench/bench_drunk_man.py``; exit status 0 if SGD is ahead
at every matched point of every untrained row, and every picture takes at most 1 s of CPU.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig, Trainer  # noqa: E402
from engine.data.datasets import load_mnist_dir, load_sample  # noqa: E402
from engine.lessons import descent_paths as dp  # noqa: E402

PICTURE_LIMIT = 1.0


def row(name: str, net: Network, images, labels) -> tuple[bool, bool]:
    """Make the page's default picture, print its verdict; return (SGD ahead everywhere, fast)."""
    n = min(dp.EXAMPLES, len(labels))
    start, start_cpu = time.perf_counter(), time.process_time()
    p = dp.descent_picture(net, images[:n], labels[:n], TrainConfig())
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    v = dp.verdict(p)
    pairs = ", ".join(
        f"{p.full.images[k]:,}: SGD {p.sgd.costs[p.marks[k]]:.4g} / careful {p.full.costs[k]:.4g}"
        for k in range(1, len(p.full.costs))
    )
    print(
        f"{name:<24} start {p.sgd.costs[0]:.4g} | {pairs} | {v.winner} lower by {v.margin:.4g} "
        f"| noise/slope {p.noise / p.slope:.2g} | {wall:.2f} s wall, {cpu:.2f} s CPU"
    )
    return v.sgd_ahead == len(p.full.costs) - 1, cpu <= PICTURE_LIMIT


def main(argv: list[str] | None = None) -> int:
    """Run every row and print it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=Path, default=ROOT.parent / "shared" / "mnist")
    args = parser.parse_args(argv)
    sets = [("sample", load_sample())]
    if args.mnist.is_dir():
        sets.append(("full MNIST", load_mnist_dir(args.mnist)))
    else:
        print(f"no full MNIST in {args.mnist}: the sample only")
    print(f"load average {os.getloadavg()[0]:.1f}; BLAS on one thread, as in the app")
    ok = True
    for name, data in sets:
        images, labels = data.train.images, data.train.labels
        for seed in range(3):
            net = Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(seed))
            ahead, fast = row(f"{name}, seed {seed}", net, images, labels)
            ok &= ahead and fast
        net = Network(NetworkConfig(sizes=(784, 16, 16, 10)), np.random.default_rng(0))
        trainer = Trainer(net, images, labels, TrainConfig(), 0)
        for _ in range(-(-len(labels) // 10)):
            trainer.step_batch()
        _, fast = row(f"{name}, 1 epoch, seed 0", net, images, labels)
        ok &= fast
    print("ok" if ok else "FAILED: SGD not ahead everywhere, or a picture too slow")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
