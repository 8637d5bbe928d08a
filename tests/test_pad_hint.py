"""The empty drawing pad's hint can be read on the black pad in both themes (issue 22, 3.6).

The pad is black in every theme (MNIST's ground), but the hint was drawn in the theme's text
colour at 43 % opacity: near black on black in the light theme, 3.4:1 in the dark one.
"""

from __future__ import annotations

import numpy as np
import pytest
from colour_math import contrast
from PySide6.QtWidgets import QApplication
from windows import rgb_pixels

from gui.pad.drawing_pad import DrawingPad
from gui.theme import apply_theme

WCAG_AA = 4.5  # the least contrast for body text


def pixels(pad: DrawingPad) -> np.ndarray:
    """Return the pad as drawn on screen, (height, width, 3) RGB."""
    return rgb_pixels(pad.grab().toImage()).astype(int)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_the_hint_reads_on_the_pad_in_both_themes(qtbot, theme) -> None:
    apply_theme(QApplication.instance(), theme)
    try:
        pad = DrawingPad()
        qtbot.addWidget(pad)
        pad.show()
        qtbot.waitExposed(pad)
        assert pad.is_empty()
        rgb = pixels(pad)
        h, w, _ = rgb.shape
        ground = rgb[h // 4, w // 2]  # the empty pad, above the hint
        band = rgb[h // 2 - 12 : h // 2 + 12, w // 8 : w - w // 8].reshape(-1, 3)
        text = max(band, key=lambda c: contrast(c, ground))  # the hint's most inked pixel
        assert contrast(text, ground) >= WCAG_AA, (theme, text, ground)
    finally:
        apply_theme(QApplication.instance(), "dark")


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_text_on_a_surface_the_theme_does_not_paint_reads(theme) -> None:
    """Fixed grounds keep their text readable whatever the theme: the pad, the failure banner,
    a highlight-filled button (its fill follows the theme, its black label does not)."""
    from gui import colors

    p = colors.PALETTES[theme]
    pairs = {
        "pad hint": (colors.PAD_HINT, colors.NO_INK),
        "failure banner": (colors.FAILURE_TEXT, colors.FAILURE_BACKGROUND),
        "label on the highlight": (p.on_highlight, p.highlight),
    }
    for name, (text, ground) in pairs.items():
        assert contrast(text, ground) >= WCAG_AA, name
    assert contrast(colors.PAD_HINT, colors.NO_INK) < contrast(colors.INK, colors.NO_INK)
