"""The one colour convention of the app, 3Blue1Brown's: blue positive, red negative, grey fill.

Every view that colours a weight, a gradient or an activation takes its colours from here, so a
learner reads blue as "more" and red as "less" everywhere. There is one ``Palette`` per theme and
colour scheme; views ask ``palette()`` when they paint and restyle on Qt's palette-change event.
Values are mapped to colours with NumPy lookup tables, never one QColor per value in a Python loop.

The colour-blind scheme (Preferences) swaps red for orange: blue against orange is the diverging
pair of Okabe & Ito's palette and of ColorBrewer's PuOr, which differ along the blue-yellow axis
that protanopes and deuteranopes keep and in lightness, which tritanopes keep. Its other colours
are Okabe-Ito's too, deepened or lightened to read on each theme's canvas; it also draws negative
values with a second cue (dashed edges, a minus sign on bars), so sign never rests on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtGui import QColor

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """Every colour a view paints with, for one theme: the convention stays, the canvas changes."""

    name: str
    background: RGB  # the canvas the diagram, plots and tiles sit on
    panel: RGB  # a box on the canvas: the equations, a readout, a popup
    text: RGB
    dim: RGB  # secondary text and notes
    outline: RGB  # neuron and tile frames, axes
    positive: RGB  # 3Blue1Brown's blue
    negative: RGB  # 3Blue1Brown's red
    highlight: RGB  # selection, the winning output, the current step
    accent: RGB  # the moving average and other curves that are neither sign
    muted: RGB  # bars that did not win, "before" bars
    no_data: RGB  # a tile or image with nothing to show yet
    success: RGB  # test accuracy
    faint: RGB  # text meant to recede: a zero count in the confusion matrix
    window: str  # Qt palette: the window's background
    base: str  # Qt palette: text fields and lists
    button: str
    selected_text: str  # Qt palette: the text of a selected item, on the selection colour
    shadow: str  # Qt palette: the darkest edge of a raised frame
    on_highlight: RGB = (0, 0, 0)  # text and frame on a highlight-filled button
    series: tuple[RGB, ...] = ()  # runs compared side by side, in the order they are added
    scheme: str = "standard"  # "standard" (3Blue1Brown's) or "colour-blind"
    positive_word: str = "blue"  # what the text calls the positive colour
    negative_word: str = "red"
    sign_marks: bool = False  # negatives also dashed or marked "−", not only coloured


# Runs compared side by side: twelve hues told apart in each theme (every pair at least 30 apart
# in CIELAB, each at least 40 from the canvas), in the order runs are added (the first three are an
# experiment's usual runs: blue, orange, green). The light theme's are deeper, to read on white.
SERIES = (
    (88, 196, 221),
    (255, 170, 60),
    (120, 210, 110),
    (236, 110, 180),
    (180, 150, 255),
    (240, 230, 110),
    (252, 98, 85),
    (200, 200, 200),
    (50, 110, 255),
    (170, 110, 60),
    (0, 170, 130),
    (130, 140, 20),
)
LIGHT_SERIES = (
    (31, 119, 180),
    (230, 110, 0),
    (44, 150, 44),
    (200, 60, 150),
    (150, 100, 230),
    (170, 150, 0),
    (214, 39, 40),
    (120, 120, 120),
    (20, 40, 140),
    (120, 60, 40),
    (0, 160, 170),
    (0, 0, 0),
)


DARK = Palette(
    name="dark",
    background=(20, 22, 28),
    panel=(30, 33, 41),
    text=(225, 228, 235),
    dim=(150, 156, 168),
    outline=(92, 98, 112),
    positive=(88, 196, 221),
    negative=(252, 98, 85),
    highlight=(255, 210, 70),
    accent=(255, 190, 60),
    muted=(105, 115, 135),
    no_data=(48, 52, 60),
    success=(90, 210, 120),
    faint=(130, 136, 150),  # dimmer than ``dim``, still 4.5:1 on the panel
    window="#1c1f26",
    base="#14161c",
    button="#2a2e38",
    selected_text="#ffffff",
    shadow="#000000",
    series=SERIES,
)
LIGHT = Palette(
    name="light",
    background=(250, 250, 252),
    panel=(236, 238, 243),
    text=(28, 30, 36),
    dim=(92, 98, 110),
    outline=(150, 156, 168),
    positive=(14, 108, 156),  # the same hues, deep enough for 4.5:1 as text on every light canvas
    negative=(192, 46, 36),
    highlight=(146, 90, 0),  # amber, not yellow: yellow on white cannot be read
    accent=(214, 120, 0),
    muted=(150, 158, 172),
    no_data=(222, 225, 232),
    success=(20, 118, 56),
    faint=(80, 86, 100),
    window="#eff0f3",
    base="#ffffff",
    button="#e4e6eb",
    selected_text="#ffffff",
    shadow="#000000",
    on_highlight=(255, 255, 255),  # the amber is deep: white reads on it, black would not
    series=LIGHT_SERIES,
)
PALETTES = {"dark": DARK, "light": LIGHT}

# Okabe & Ito's colour-blind-safe colours, in the order runs are added: next to each other every
# two stay apart under protanopia, deuteranopia and tritanopia (tests/test_colour_blind.py).
SAFE_SERIES = (
    (86, 180, 233),  # sky blue
    (230, 159, 0),  # orange
    (240, 240, 240),  # white
    (204, 121, 167),  # reddish purple
    (0, 165, 120),  # bluish green
    (240, 228, 66),  # yellow
    (40, 130, 210),  # blue
    (213, 94, 0),  # vermillion
)
LIGHT_SAFE_SERIES = (
    (0, 114, 178),  # blue
    (213, 94, 0),  # vermillion
    (0, 0, 0),  # black
    (190, 90, 150),  # reddish purple, deepened
    (0, 140, 100),  # bluish green, deepened
    (136, 34, 85),  # Paul Tol's wine
    (40, 145, 205),  # sky blue, deepened
    (120, 120, 120),  # grey
)
SCHEMES = ("standard", "colour-blind")
SAFE = {
    "dark": replace(
        DARK,
        scheme="colour-blind",
        positive=(86, 180, 233),  # Okabe-Ito sky blue
        negative=(230, 120, 20),  # Okabe-Ito vermillion, lightened for 4.5:1 on the panel
        highlight=(240, 228, 66),  # Okabe-Ito yellow: apart from both signs
        accent=(230, 159, 0),  # Okabe-Ito orange
        success=(0, 175, 130),  # Okabe-Ito bluish green, lightened
        series=SAFE_SERIES,
        negative_word="orange",
        sign_marks=True,
    ),
    "light": replace(
        LIGHT,
        scheme="colour-blind",
        positive=(0, 98, 160),  # Okabe-Ito blue, deepened for 4.5:1 on the panel
        negative=(176, 72, 0),  # Okabe-Ito vermillion, deepened
        highlight=(110, 28, 70),  # Paul Tol's wine: amber would meet the vermillion
        accent=(204, 102, 0),
        success=(0, 120, 90),  # Okabe-Ito bluish green, deepened
        series=LIGHT_SAFE_SERIES,
        negative_word="orange",
        sign_marks=True,
    ),
}


def for_scheme(theme: Palette, scheme: str, sign_marks: bool | None = None) -> Palette:
    """Return ``theme``'s palette in a colour scheme, with negatives marked or not.

    ``sign_marks`` None keeps the scheme's own choice: on in the colour-blind scheme, off otherwise.
    """
    chosen = SAFE[theme.name] if scheme == "colour-blind" else PALETTES[theme.name]
    if sign_marks is None or sign_marks == chosen.sign_marks:
        return chosen
    return replace(chosen, sign_marks=sign_marks)


# The dark theme's colours under their old names, for code that needs a fixed colour (bench,
# tests); views call ``palette()`` so that they follow the theme.
POSITIVE = DARK.positive
NEGATIVE = DARK.negative
BACKGROUND = DARK.background
HIGHLIGHT = DARK.highlight
TEXT = DARK.text

# Colours that stay the same in every theme.
FAILURE_BACKGROUND = (90, 30, 30)  # the failure banner: a dark red strip, read in both themes
FAILURE_BORDER = (192, 80, 77)
FAILURE_TEXT = (255, 236, 236)
INK = (255, 255, 255)  # the drawing pad's ink: white on black, as MNIST digits are stored
NO_INK = (0, 0, 0)  # the pad's empty canvas, and what the eraser leaves
PAD_HINT = (150, 150, 150)  # words on the empty pad: on NO_INK in every theme, 7:1, dimmer than ink

LUT_SIZE = 256


def palette() -> Palette:
    """Return the palette of the theme in use."""
    return _current[0]


def use_palette(chosen: Palette) -> None:
    """Paint with ``chosen`` from now on (``gui.theme.apply_theme`` calls this)."""
    global _SIGNED_LUT
    _current[0] = chosen
    _SIGNED_LUT = signed_lut(background=chosen.background)


def qcolor(rgb: tuple[int, int, int], alpha: int = 255) -> QColor:
    """Return a QColor for an (r, g, b) tuple of this module."""
    return QColor(rgb[0], rgb[1], rgb[2], alpha)


def css(rgb: tuple[int, int, int]) -> str:
    """Return an (r, g, b) colour as a style-sheet or HTML colour, "#rrggbb"."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def emphasise(values: np.ndarray, scale: float, power: float = 1.0) -> np.ndarray:
    """Return values / scale clipped to [-1, 1], raised to ``power`` keeping the sign.

    power 1 is linear; power 3 is 3Blue1Brown's (|w| / max)^3, which lets the big ones stand out.
    """
    scale = float(scale) if scale > 0 and np.isfinite(scale) else 1.0
    t = np.clip(np.asarray(values, dtype=np.float32) / scale, -1.0, 1.0)
    if power != 1.0:
        t = np.sign(t) * np.abs(t) ** power
    return t


def signed_lut(size: int = LUT_SIZE, background: tuple[int, int, int] | None = None) -> np.ndarray:
    """Return a (size, 4) uint8 table from red (index 0) through the background to blue (last)."""
    p = palette()
    background = p.background if background is None else background
    t = np.linspace(-1.0, 1.0, size, dtype=np.float32)[:, None]
    neg, pos, bg = (np.array(c, np.float32) for c in (p.negative, p.positive, background))
    rgb = np.where(t < 0, bg + (neg - bg) * -t, bg + (pos - bg) * t)
    lut = np.empty((size, 4), np.uint8)
    lut[:, :3] = np.rint(rgb).astype(np.uint8)
    lut[:, 3] = 255
    return lut


def signed_image(values: np.ndarray, scale: float, power: float = 1.0) -> np.ndarray:
    """Return an opaque (h, w, 4) uint8 image: red-background-blue, for 28x28 weight tiles."""
    t = emphasise(values, scale, power)
    index = np.rint((t + 1.0) * 0.5 * (LUT_SIZE - 1)).astype(np.intp)
    return _SIGNED_LUT[index]


def activation_gray(a: np.ndarray) -> np.ndarray:
    """Return gray levels 0..255 for activations in [0, 1]: black 0, white 1, as in the video."""
    return np.rint(np.clip(np.asarray(a, np.float32), 0.0, 1.0) * 255).astype(np.uint8)


_current = [DARK]
_SIGNED_LUT = signed_lut()


def series_colour(index: int) -> tuple[int, int, int]:
    """Return the colour of the index-th run in a comparison, in the theme in use.

    Twelve runs get twelve colours (eight in the colour-blind scheme); then the first comes again.
    """
    series = palette().series
    return series[index % len(series)]
