"""The learner's own labelled drawings: a small set to save, load and mix into training.

Images are kept in MNIST's convention, (n, 28, 28) uint8 with 0 = background and 255 = ink, so
they concatenate directly with the training set. Files are ``.npz`` archives with two arrays,
``images`` and ``labels``; they are written atomically and read without pickle.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from engine.data.atomic import atomic_write
from engine.errors import DataError
from engine.limits import MY_DIGITS

SHAPE = (28, 28)
MAX_BYTES = MY_DIGITS * (28 * 28 * 8 + 8) + 2**20  # float64 pixels at most; caps a zip bomb


def _to_uint8(image: np.ndarray) -> np.ndarray:
    """Return one (28, 28) image as uint8 pixels; floats are read as ink in [0, 1]."""
    image = np.asarray(image)
    if image.shape != SHAPE:
        raise ValueError(f"a digit must be 28x28 pixels, got shape {image.shape}")
    if image.dtype == np.uint8:
        return image.copy()
    if not np.issubdtype(image.dtype, np.number) or not np.isfinite(image).all():
        raise ValueError("a digit's pixels must be finite numbers")
    return np.rint(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)


class MyDigits:
    """A list of labelled 28x28 drawings in MNIST's uint8 convention."""

    def __init__(self, images: np.ndarray | None = None, labels: np.ndarray | None = None) -> None:
        self._images: list[np.ndarray] = []
        self._labels: list[int] = []
        if images is not None and labels is not None:
            for image, label in zip(images, labels, strict=True):
                self.add(image, int(label))

    def __len__(self) -> int:
        """Return how many digits the set holds."""
        return len(self._labels)

    @property
    def images(self) -> np.ndarray:
        """The drawings, (n, 28, 28) uint8 (a copy)."""
        if not self._images:
            return np.zeros((0, *SHAPE), np.uint8)
        return np.stack(self._images)

    @property
    def labels(self) -> np.ndarray:
        """The labels, (n,) uint8 in 0..9 (a copy)."""
        return np.array(self._labels, np.uint8)

    def add(self, image: np.ndarray, label: int) -> None:
        """Append a drawing, (28, 28) float ink in [0, 1] or uint8 pixels, with its label."""
        if not 0 <= int(label) <= 9:
            raise ValueError(f"a label must be a digit 0..9, got {label}")
        if len(self._labels) >= MY_DIGITS:
            raise ValueError(f"'my digits' holds at most {MY_DIGITS:,} drawings")
        self._images.append(_to_uint8(image))
        self._labels.append(int(label))

    def remove(self, index: int) -> None:
        """Delete the drawing at ``index`` (negative indices count from the end)."""
        del self._images[index]
        del self._labels[index]

    def as_uint8(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (images (n, 28, 28) uint8, labels (n,) uint8), ready to join the training set."""
        return self.images, self.labels

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the set to an ``.npz`` file atomically; SaveError names ``path`` on failure."""
        images, labels = self.images, self.labels
        atomic_write(path, lambda file: np.savez(file, images=images, labels=labels))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MyDigits:
        """Read a set saved by ``save``; raises DataError saying what is wrong with a bad file."""
        name = Path(path).name
        if not Path(path).exists():
            raise DataError(f"{name} does not exist.")
        if not Path(path).is_file():
            raise DataError(f"{name} is not a regular file (a folder, a pipe or a device).")
        if not zipfile.is_zipfile(path):
            raise DataError(f"{name} is not a 'my digits' file: it is not an .npz archive.")
        try:
            # Opened here, not by np.load, which leaks its handle when the archive is truncated.
            with open(path, "rb") as file, np.load(file, allow_pickle=False) as archive:
                if sum(info.file_size for info in archive.zip.infolist()) > MAX_BYTES:
                    raise DataError(
                        f"{name} unpacks to more than {MAX_BYTES // 2**20} MB; a 'my digits' "
                        f"file holds at most {MY_DIGITS:,} drawings."
                    )
                missing = {"images", "labels"} - set(archive.files)
                if missing:
                    which = " or ".join(sorted(missing))
                    raise DataError(f"{name} is not a 'my digits' file: it has no {which} array.")
                images, labels = archive["images"], archive["labels"]
        except DataError:
            raise
        except ValueError as exc:
            if "object arrays" in str(exc).lower():
                raise DataError(f"{name} holds Python objects, not plain arrays.") from exc
            raise DataError(f"{name} is not a readable .npz file ({exc}).") from exc
        except Exception as exc:  # a damaged archive fails in zipfile, zlib or the .npy header
            raise DataError(f"{name} is not a readable .npz file ({exc}).") from exc
        images, labels = _checked(name, images, labels)
        digits = cls()
        if images.dtype != np.uint8:  # all at once: a Python loop over the drawings is slow
            images = np.rint(images * 255).astype(np.uint8)
        digits._images = list(images.copy())
        digits._labels = labels.tolist()
        return digits


def _checked(name: str, images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the loaded arrays as uint8 if they form a valid set, else raise DataError."""
    if images.ndim != 3 or images.shape[1:] != SHAPE:
        raise DataError(f"{name}: the images have shape {images.shape}, not (n, 28, 28).")
    if len(images) > MY_DIGITS:
        raise DataError(f"{name} holds {len(images):,} drawings; at most {MY_DIGITS:,} are read.")
    if labels.shape != (len(images),):
        raise DataError(
            f"{name}: {len(images)} images but labels of shape {labels.shape}; they must match."
        )
    if not np.issubdtype(labels.dtype, np.integer) or not np.isin(labels, np.arange(10)).all():
        raise DataError(f"{name}: the labels must be whole numbers 0..9.")
    if images.dtype != np.uint8:
        if not np.issubdtype(images.dtype, np.floating):
            raise DataError(f"{name}: the images are {images.dtype}, not uint8 or float pixels.")
        if not np.isfinite(images).all():
            raise DataError(f"{name}: some pixels are NaN or infinite.")
        if images.min(initial=0.0) < 0.0 or images.max(initial=0.0) > 1.0:
            raise DataError(f"{name}: float pixels must lie in [0, 1].")
    return images, labels.astype(np.uint8)
