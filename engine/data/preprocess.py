"""Turn a drawing of any size into a 28x28 network input the way MNIST itself was made.

MNIST's recipe (LeCun, Cortes and Burges): crop the digit to its bounding box, scale it so the
longer side is 20 pixels keeping the aspect ratio, with anti-aliasing, then put it in a 28x28
frame so that its centre of mass sits at the centre. Images here are floats, 0 = background and
1 = ink, one row per image row.

Scaling is exact area averaging (a box filter): output pixel i covers [i, i + 1) and input pixel j
covers [j * s, (j + 1) * s) in output units, so the output is

    out = R @ crop @ C^T,   R[i, j] = length of [i, i + 1) intersected with [j * s, (j + 1) * s)

per axis. A uniform block stays uniform, and the total ink is multiplied by exactly s^2.

The centring shift is a whole number of pixels, as in MNIST: on its 10,000 test digits the centre
of mass (in pixel indices) averages (13.99, 14.01) with a spread of 0.29 = 1/sqrt(12) per axis,
the signature of rounding 14 - centre to the nearest pixel. An integer shift also keeps the
digit's longer side exactly 20 pixels and adds no blur; a bilinear sub-pixel shift would do both.
"""

from __future__ import annotations

import numpy as np

SIZE = 28  # the frame, pixels per side
BOX = 20  # the longer side of the scaled digit
CENTRE = SIZE / 2  # where the centre of mass goes, in pixel indices (MNIST's measured 14.0)
INK_THRESHOLD = 0.15  # a pixel above this counts as ink for the bounding box
MIN_INK = 0.5  # less total ink than half a fully covered pixel counts as an empty canvas


def _as_ink(image: np.ndarray) -> np.ndarray:
    """Return the image as a 2-D float32 array clipped to [0, 1], rejecting other shapes."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 2:
        raise ValueError(f"expected a 2-D grayscale image, got shape {image.shape}")
    return np.minimum(np.where(image > 0.0, image, 0.0), 1.0)  # NaN and -inf become 0, inf 1


def _has_ink(ink: np.ndarray) -> bool:
    """Return True if an image already clipped to [0, 1] holds enough ink to be a digit."""
    return bool(ink.max(initial=0.0) > INK_THRESHOLD and float(ink.sum()) >= MIN_INK)


def _ink_extent(mask: np.ndarray) -> tuple[int, int]:
    """Return the first and one-past-last index where a 1-D boolean mask is True."""
    hits = np.flatnonzero(mask)
    return int(hits[0]), int(hits[-1]) + 1


def ink_present(image: np.ndarray) -> bool:
    """Return True if the image holds enough ink to be a digit rather than an empty canvas."""
    return _has_ink(_as_ink(image))


def overlap_matrix(n_in: int, scale: float) -> np.ndarray:
    """Return the (n_out, n_in) box-filter matrix that resamples n_in pixels by ``scale``.

    n_out = ceil(n_in * scale); entry [i, j] is the length of the overlap of output pixel i with
    input pixel j, both measured in output pixels, so each fully covered output row sums to 1.
    """
    n_out = max(1, int(np.ceil(n_in * scale - 1e-6)))
    out_lo = np.arange(n_out, dtype=np.float64)[:, None]  # (n_out, 1)
    in_lo = np.arange(n_in, dtype=np.float64)[None, :] * scale  # (1, n_in)
    overlap = np.minimum(out_lo + 1.0, in_lo + scale) - np.maximum(out_lo, in_lo)
    return np.maximum(overlap, 0.0).astype(np.float32)


def fit_box(ink: np.ndarray, box: int = BOX) -> np.ndarray:
    """Return the ink cropped to its bounding box, area-averaged to a longer side of ``box``."""
    mask = ink > INK_THRESHOLD
    top, bottom = _ink_extent(mask.any(axis=1))
    left, right = _ink_extent(mask.any(axis=0))
    crop = ink[top:bottom, left:right]  # (h, w)
    scale = box / max(crop.shape)
    rows = overlap_matrix(crop.shape[0], scale)  # (h', h)
    cols = overlap_matrix(crop.shape[1], scale)  # (w', w)
    return rows @ crop @ cols.T  # (h', w'), the longer of h', w' is ``box``


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """Return the (row, column) centre of mass of an image in pixel indices."""
    total = float(image.sum())
    rows = float(image.sum(axis=1) @ np.arange(image.shape[0])) / total
    cols = float(image.sum(axis=0) @ np.arange(image.shape[1])) / total
    return rows, cols


def to_mnist(image: np.ndarray) -> np.ndarray:
    """Return the (28, 28) float32 network input for a drawing; zeros for an empty canvas."""
    ink = _as_ink(image)
    frame = np.zeros((SIZE, SIZE), np.float32)
    if not _has_ink(ink):
        return frame
    digit = fit_box(ink)
    com_row, com_col = centre_of_mass(digit)
    top = int(np.floor(CENTRE - com_row + 0.5))  # round half up, the same way on both axes
    left = int(np.floor(CENTRE - com_col + 0.5))
    # Paste the digit at (top, left); whatever falls outside the frame is cut off, as in MNIST.
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + digit.shape[0], SIZE), min(left + digit.shape[1], SIZE)
    if r1 > r0 and c1 > c0:
        frame[r0:r1, c0:c1] = digit[r0 - top : r1 - top, c0 - left : c1 - left]
    return np.clip(frame, 0.0, 1.0, out=frame)
