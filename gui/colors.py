"""The one colour convention of the app, 3Blue1Brown's: blue positive, red negative, grey fill.

Every view that colours a weight, a gradient or an activation takes its colours from here, so a
learner reads blue as "more" and red as "less" everywhere. Values are mapped to colours with NumPy
lookup tables, never one QColor per value in a Python loop.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

POSITIVE = (88, 196, 221)  # 3Blue1Brown's blue
NEGATIVE = (252, 98, 85)  # 3Blue1Brown's red
BACKGROUND = (20, 22, 28)  # the dark canvas the diagram and tiles sit on
HIGHLIGHT = (255, 210, 70)  # selection, the winning output, the current step
TEXT = (225, 228, 235)

LUT_SIZE = 256


def qcolor(rgb: tuple[int, int, int], alpha: int = 255) -> QColor:
    """Return a QColor for an (r, g, b) tuple of this module."""
    return QColor(rgb[0], rgb[1], rgb[2], alpha)


def emphasise(values: np.ndarray, scale: float, power: float = 1.0) -> np.ndarray:
    """Return values / scale clipped to [-1, 1], raised to ``power`` keeping the sign.

    power 1 is linear; power 3 is 3Blue1Brown's (|w| / max)^3, which lets the big ones stand out.
    """
    scale = float(scale) if scale > 0 and np.isfinite(scale) else 1.0
    t = np.clip(np.asarray(values, dtype=np.float32) / scale, -1.0, 1.0)
    if power != 1.0:
        t = np.sign(t) * np.abs(t) ** power
    return t


def signed_lut(size: int = LUT_SIZE, background: tuple[int, int, int] = BACKGROUND) -> np.ndarray:
    """Return a (size, 4) uint8 table from red (index 0) through the background to blue (last)."""
    t = np.linspace(-1.0, 1.0, size, dtype=np.float32)[:, None]
    neg, pos, bg = (np.array(c, np.float32) for c in (NEGATIVE, POSITIVE, background))
    rgb = np.where(t < 0, bg + (neg - bg) * -t, bg + (pos - bg) * t)
    lut = np.empty((size, 4), np.uint8)
    lut[:, :3] = np.rint(rgb).astype(np.uint8)
    lut[:, 3] = 255
    return lut


def signed_rgba(
    values: np.ndarray, scale: float, power: float = 1.0, min_alpha: int = 0
) -> np.ndarray:
    """Return (..., 4) uint8 colours for signed values: hue by sign, opacity by magnitude."""
    t = emphasise(values, scale, power)
    out = np.empty(t.shape + (4,), np.uint8)
    out[..., :3] = np.where((t >= 0)[..., None], POSITIVE, NEGATIVE)
    out[..., 3] = np.rint(min_alpha + (255 - min_alpha) * np.abs(t)).astype(np.uint8)
    return out


def signed_image(values: np.ndarray, scale: float, power: float = 1.0) -> np.ndarray:
    """Return an opaque (h, w, 4) uint8 image: red-background-blue, for 28x28 weight tiles."""
    t = emphasise(values, scale, power)
    index = np.rint((t + 1.0) * 0.5 * (LUT_SIZE - 1)).astype(np.intp)
    return _SIGNED_LUT[index]


def activation_gray(a: np.ndarray) -> np.ndarray:
    """Return gray levels 0..255 for activations in [0, 1]: black 0, white 1, as in the video."""
    return np.rint(np.clip(np.asarray(a, np.float32), 0.0, 1.0) * 255).astype(np.uint8)


_SIGNED_LUT = signed_lut()

# Runs compared side by side: distinct hues that read on the dark canvas, in the order runs are
# added (the first three are an experiment's usual runs: blue, orange, green).
SERIES = (
    (88, 196, 221),
    (255, 170, 60),
    (120, 210, 110),
    (236, 110, 180),
    (180, 150, 255),
    (240, 230, 110),
    (252, 98, 85),
    (160, 170, 185),
)


def series_colour(index: int) -> tuple[int, int, int]:
    """Return the colour of the index-th run in a comparison (the palette repeats)."""
    return SERIES[index % len(SERIES)]
