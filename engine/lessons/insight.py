"""What a trained network gets right and wrong: the confusion matrix, its mistakes, the data itself.

Everything here reads a frozen ``Snapshot`` and a labelled dataset and returns plain NumPy arrays,
so the insight views never do network math. Images are MNIST's uint8 (n, 28, 28); the network's
answer for an image is the arg-max of its output layer, exactly as ``engine.core.training.evaluate``
counts it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.training import to_inputs
from engine.session.snapshot import Snapshot, network_of

N_CLASSES = 10
CHUNK = 10000  # evaluate's chunk: the same products give the same arg-max, bit for bit


@dataclass(frozen=True)
class ConfusionResult:
    """The network's answer for every image of a dataset, and their tally by true digit."""

    matrix: np.ndarray  # (10, 10) int counts, [true digit, predicted digit]
    predictions: np.ndarray  # (n,) the arg-max output per image
    confidences: np.ndarray  # (n,) the winning output's activation
    accuracy: float  # fraction of images whose prediction equals the label

    @property
    def total(self) -> int:
        """Return the number of images tallied."""
        return int(self.matrix.sum())

    @property
    def correct(self) -> int:
        """Return the number of images classified correctly (the matrix's trace)."""
        return int(np.trace(self.matrix))


def _frozen(a: np.ndarray) -> np.ndarray:
    """Return ``a`` marked read-only."""
    a.flags.writeable = False
    return a


def confusion_matrix(
    snapshot: Snapshot, images: np.ndarray, labels: np.ndarray, chunk: int = CHUNK
) -> ConfusionResult:
    """Run the snapshot's network over a dataset in chunks and tally [true, predicted] counts."""
    net = network_of(snapshot)
    labels = np.asarray(labels, np.intp)
    n = len(labels)
    predictions = np.empty(n, np.intp)
    confidences = np.empty(n, np.float64)
    for start in range(0, n, chunk):
        a = net.feedforward(to_inputs(images[start : start + chunk], net.dtype))  # (m, n_L)
        winner = np.argmax(a, axis=1)
        predictions[start : start + len(a)] = winner
        confidences[start : start + len(a)] = a[np.arange(len(a)), winner]
    classes = max(N_CLASSES, net.sizes[-1])
    flat = np.bincount(labels * classes + predictions, minlength=classes * classes)
    matrix = flat.reshape(classes, classes)[:N_CLASSES, :N_CLASSES].astype(np.int64)
    accuracy = float(np.count_nonzero(predictions == labels)) / max(n, 1)
    return ConfusionResult(
        matrix=_frozen(matrix),
        predictions=_frozen(predictions),
        confidences=_frozen(confidences),
        accuracy=accuracy,
    )


def _by_confidence(result: ConfusionResult, indices: np.ndarray) -> np.ndarray:
    """Return ``indices`` ordered by the network's confidence, highest first (ties: by index)."""
    order = np.argsort(-result.confidences[indices], kind="stable")
    return indices[order]


def misclassified(result: ConfusionResult, labels: np.ndarray) -> np.ndarray:
    """Return the indices of wrongly classified images, the most confident mistakes first."""
    wrong = np.flatnonzero(result.predictions != np.asarray(labels))
    return _by_confidence(result, wrong)


def examples_in_cell(
    result: ConfusionResult, labels: np.ndarray, true: int, predicted: int
) -> np.ndarray:
    """Return the indices of images labelled ``true`` that the network called ``predicted``."""
    cell = np.flatnonzero((np.asarray(labels) == true) & (result.predictions == predicted))
    return _by_confidence(result, cell)


def class_counts(labels: np.ndarray) -> np.ndarray:
    """Return how many examples each digit 0..9 has, shape (10,)."""
    return np.bincount(np.asarray(labels, np.intp), minlength=N_CLASSES)[:N_CLASSES]


def average_images(images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Return the mean image of each digit, (10, 28, 28) floats in [0, 1] (zeros if absent)."""
    labels = np.asarray(labels)
    averages = np.zeros((N_CLASSES,) + images.shape[1:], np.float64)
    for digit in range(N_CLASSES):
        chosen = images[labels == digit]
        if len(chosen):
            averages[digit] = chosen.sum(axis=0, dtype=np.float64) / (255.0 * len(chosen))
    return averages
