"""Load read-only datasets: the bundled sample, a download (MNIST, Fashion, KMNIST), or a folder.

A folder holds either the four MNIST IDX files or one sub-folder of images per class
(``engine.data.image_folder``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.data.idx import read_idx
from engine.errors import DataError
from engine.words import quantity

STANDARD_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

DIGIT_NAMES = tuple(str(d) for d in range(10))


@dataclass(frozen=True)
class Dataset:
    """Labelled 28x28 digit images, MNIST's convention (0 = background, 255 = ink)."""

    images: np.ndarray  # (n, 28, 28) uint8
    labels: np.ndarray  # (n,) uint8 in 0..9
    name: str

    def __len__(self) -> int:
        """Return the number of labelled images."""
        return len(self.labels)


@dataclass(frozen=True)
class MnistData:
    """A training set and a test set loaded together, with where they came from."""

    train: Dataset
    test: Dataset
    source: str  # "sample", "full", or the directory path
    class_names: tuple[str, ...] = DIGIT_NAMES  # what each output neuron stands for, by label

    def class_name(self, label: int) -> str:
        """Return the name of one class ("7" for digits, "Sneaker" for Fashion-MNIST)."""
        return self.class_names[int(label)]

    @property
    def n_classes(self) -> int:
        """Return how many classes the labels (and the output layer) have."""
        return len(self.class_names)


def load_pair(
    images_path: str | os.PathLike[str],
    labels_path: str | os.PathLike[str],
    name: str,
    n_classes: int = 10,
    kinds: str = "digits",
) -> Dataset:
    """Read an images file and its labels file into a Dataset, checking they belong together."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    both = f"{Path(images_path).name} and {Path(labels_path).name}"
    if images.ndim != 3:
        raise DataError(f"{both}: the images file holds labels, not images.")
    if images.shape[1:] != (28, 28):
        rows, cols = images.shape[1:]
        raise DataError(f"{both}: the images are {rows}x{cols} pixels, not 28x28 as in MNIST.")
    if labels.ndim != 1:
        raise DataError(f"{both}: the labels file holds images, not labels.")
    if len(images) != len(labels):
        images_n, labels_n = quantity(len(images), "image"), quantity(len(labels), "label")
        raise DataError(f"{both} do not match: {images_n} but {labels_n}.")
    if len(labels) and labels.max() >= n_classes:
        raise DataError(
            f"{both}: a label is {labels.max()}, but {kinds} only go from 0 to {n_classes - 1}."
        )
    images.flags.writeable = False
    labels.flags.writeable = False
    return Dataset(images=images, labels=labels, name=name)


def _candidates(stem: str) -> list[str]:
    """Return the file names accepted for one standard MNIST file, most usual first."""
    dotted = stem.replace("-idx", ".idx")  # train-images.idx3-ubyte, a common renaming
    return [stem, stem + ".gz", dotted, dotted + ".gz"]


def load_mnist_dir(directory: str | os.PathLike[str]) -> MnistData:
    """Load the four standard MNIST files from a directory, raw or gzipped."""
    directory = Path(directory)
    if not directory.is_dir():
        raise DataError(f"{directory} is not a directory.")
    found: dict[str, Path] = {}
    missing = []
    for role, stem in STANDARD_NAMES.items():
        paths = [directory / name for name in _candidates(stem)]
        present = [path for path in paths if path.is_file()]
        if present:
            found[role] = present[0]
        else:
            missing.append(f"{stem}[.gz]")
    if missing:
        raise DataError(f"{directory} is missing the MNIST files: {', '.join(missing)}.")
    train = load_pair(found["train_images"], found["train_labels"], "train")
    test = load_pair(found["test_images"], found["test_labels"], "test")
    return MnistData(train=train, test=test, source=str(directory))


def sample_dir() -> Path:
    """Return the directory of the small MNIST sample bundled with the application."""
    return Path(__file__).resolve().parents[2] / "resources" / "mnist-sample"


def load_sample() -> MnistData:
    """Load the bundled sample: 10,000 training and 2,000 test images, balanced by digit."""
    data = load_mnist_dir(sample_dir())
    return MnistData(train=data.train, test=data.test, source="sample")


def handful_dir() -> Path:
    """Return the directory of the ten Fashion-MNIST test images bundled with the application."""
    return sample_dir().parent / "fashion-mnist-handful"


def load_handful() -> MnistData:
    """Load the bundled handful: ten real Fashion-MNIST test images, one per class, to look at.

    Ten images teach a network nothing; they are there to be seen without a network connection,
    so the same ten serve as the training and the test set.
    """
    from engine.data.catalog import FASHION

    directory = handful_dir()
    test = load_pair(
        directory / "t10k-images-idx3-ubyte.gz",
        directory / "t10k-labels-idx1-ubyte.gz",
        "test",
        len(FASHION.class_names),
        "its classes",
    )
    train = Dataset(images=test.images, labels=test.labels, name="train")
    return MnistData(train, test, source="fashion-handful", class_names=FASHION.class_names)


def load_download(
    key: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> MnistData:
    """Load a downloadable dataset ("full", "fashion", "kmnist"), downloading it first if needed."""
    from engine.data.catalog import DOWNLOADABLE
    from engine.data.download import (  # pooch loads only when needed
        cached_mnist_dir,
        download_mnist,
    )

    source = DOWNLOADABLE[key]
    directory = cached_mnist_dir(cache_dir, source=source)
    if directory is None:
        directory = download_mnist(
            cache_dir=cache_dir, progress=progress, cancel=cancel, source=source
        )
    # Exactly the checksummed .gz files: a stray uncompressed copy in the cache is never read.
    files = {role: directory / f"{stem}.gz" for role, stem in STANDARD_NAMES.items()}
    n, kinds = len(source.class_names), "digits" if key == "full" else "its classes"
    train = load_pair(files["train_images"], files["train_labels"], "train", n, kinds)
    test = load_pair(files["test_images"], files["test_labels"], "test", n, kinds)
    return MnistData(train=train, test=test, source=key, class_names=source.class_names)


def load_full(
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> MnistData:
    """Load the full MNIST (60,000 + 10,000), downloading it into the cache first if needed."""
    return load_download("full", progress=progress, cancel=cancel, cache_dir=cache_dir)


def is_downloadable(spec: str) -> bool:
    """Return whether ``spec`` names a downloadable dataset: "full", "fashion" or "kmnist"."""
    from engine.data.catalog import DOWNLOADABLE

    return spec in DOWNLOADABLE


def data_files(spec: str, cache_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """Return the files loading ``spec`` would read, so that a save can refuse to replace them."""
    if is_downloadable(spec):
        from engine.data.catalog import DOWNLOADABLE
        from engine.data.download import cache_dir_of

        directory = cache_dir_of(cache_dir, DOWNLOADABLE[spec])
        return [directory / f"{stem}.gz" for stem in STANDARD_NAMES.values()]
    if spec == "fashion-handful":
        return [
            handful_dir() / f"{STANDARD_NAMES[role]}.gz"
            for role in STANDARD_NAMES
            if "test" in role
        ]
    directory = sample_dir() if spec == "sample" else Path(spec)
    if spec != "sample" and is_image_folder(directory):
        from engine.data.image_folder import image_files

        return image_files(directory)
    return [directory / name for stem in STANDARD_NAMES.values() for name in _candidates(stem)]


def is_image_folder(directory: Path) -> bool:
    """Return whether a directory is meant as a folder of images: it holds no MNIST IDX file."""
    if not directory.is_dir():
        return False
    return not any(
        (directory / name).is_file()
        for stem in STANDARD_NAMES.values()
        for name in _candidates(stem)
    )


def load_data(
    spec: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> MnistData:
    """Load "sample", "full", "fashion", "kmnist", "fashion-handful", or the folder spec names.

    A folder with any of the MNIST IDX files is read as MNIST; any other folder as one
    sub-folder of images per class.
    """
    if spec == "sample":
        return load_sample()
    if spec == "fashion-handful":
        return load_handful()
    if is_downloadable(spec):
        return load_download(spec, progress=progress, cancel=cancel, cache_dir=cache_dir)
    if not Path(spec).exists():
        raise DataError(
            f"{spec} does not exist; choose 'sample', 'full', 'fashion', 'kmnist', "
            "'fashion-handful' or a folder."
        )
    if is_image_folder(Path(spec)):
        from engine.data.image_folder import load_image_folder

        return load_image_folder(spec, cancel=cancel)
    return load_mnist_dir(spec)
