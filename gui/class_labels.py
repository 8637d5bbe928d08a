"""What each output neuron is called on screen: the data's class names, cut to the room there is.

Every view that labels an output (the diagram, the pad's bars, Teach it's buttons, the confusion
matrix, the galleries, the explorer, the player) takes the names from the data it is shown and
asks here for them, so a name that does not fit is shortened the same way everywhere ("Ankle
b\u2026") while the full name stays in the sentences and tooltips.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF


def names_for(names: Sequence[str] | None, n: int) -> tuple[str, ...]:
    """Return ``names`` if there is one per output (n of them), else the outputs' numbers."""
    if names is not None and len(names) == n:
        return tuple(str(name) for name in names)
    return tuple(str(j) for j in range(n))


def are_digits(names: Sequence[str]) -> bool:
    """Return True when every name is its own label's number ("0" .. "9"): MNIST's digits."""
    return all(name == str(j) for j, name in enumerate(names))


def fitted(name: str, font: QFont, width: float) -> str:
    """Return ``name`` shortened with an ellipsis to ``width`` pixels in ``font`` (whole if it
    fits)."""
    metrics = QFontMetricsF(font)
    if metrics.horizontalAdvance(name) <= width:
        return name
    return metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(width, 0.0))


def widest(names: Sequence[str], font: QFont) -> float:
    """Return the advance of the widest name in ``font``, in pixels."""
    metrics = QFontMetricsF(font)
    return max((metrics.horizontalAdvance(name) for name in names), default=0.0)
