"""A log-scale axis whose ticks read as the numbers they stand for: 100, 1,000, 10,000.

pyqtgraph labels a log axis with powers written as "10³" or "1e+01" next to "0.1" and "2";
hand-made log axes (log10 of the data plotted on a linear axis) show the exponents themselves,
"2  2.5  3", which no learner reads as 100 to 1,000. Every log axis of the app uses this one.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFontMetricsF  # (pyqtgraph binds to the first Qt binding imported)

import pyqtgraph as pg  # isort: skip

LABEL_GAP = 6.0  # pixels between two tick labels
SIGNIFICANT = 3  # a tick at 10**2.301 reads 200, not 199.99


def count_text(value: float) -> str:
    """Return a positive number as a person writes it: 1,000 and 0.001, never 1e+03 or 10⁻³."""
    rounded = float(f"{value:.{SIGNIFICANT}g}")
    if rounded >= 1 and rounded == round(rounded):
        return f"{round(rounded):,}"
    return np.format_float_positional(rounded, trim="-")


class CountAxis(pg.AxisItem):
    """A pyqtgraph axis that, in log mode, labels its ticks with plain numbers."""

    def logTickStrings(self, values, scale, spacing) -> list[str]:  # noqa: N802 - pyqtgraph's name
        """Return each tick's number (the axis holds log10 of it), written out in full.

        pyqtgraph puts a log axis's 20, 30 ... 90 in the same level as 10 and 100; a label
        that would run into one already placed is left blank, the powers of ten placed first.
        """
        texts = [count_text(10.0 ** float(v) * scale) for v in values]
        low, high = self.range
        length = self.width() if self.orientation in ("bottom", "top") else self.height()
        if high <= low or length <= 0 or self.orientation not in ("bottom", "top"):
            return texts
        metrics = QFontMetricsF(self.style["tickFont"] or self.font())
        spans = []
        for v, text in zip(values, texts):
            x = (float(v) - low) / (high - low) * length
            half = metrics.horizontalAdvance(text) / 2 + LABEL_GAP / 2
            spans.append((x - half, x + half))
        minor = [abs(v - round(v)) > 1e-6 for v in values]  # not a power of ten
        order = sorted(range(len(texts)), key=lambda i: (minor[i], i))
        kept: list[tuple[float, float]] = []
        shown = [""] * len(texts)
        for i in order:
            a, b = spans[i]
            if all(b <= c or a >= d for c, d in kept):
                kept.append(spans[i])
                shown[i] = texts[i]
        return shown


def count_axes() -> dict[str, CountAxis]:
    """Return a plot's left and bottom axes (the ones log mode applies to), for ``axisItems``.

    Only these two: pyqtgraph shows every axis it is given, and a top axis would appear.
    """
    return {side: CountAxis(side) for side in ("left", "bottom")}
