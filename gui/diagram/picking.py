"""The diagram's keyboard pick: a neuron, and optionally one edge into it, moved by keys.

Left and Right go between layers, Up and Down between the neurons of a layer, E (Shift+E back)
walks the edges into the picked neuron. Plain logic on layer sizes: no Qt widgets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import Qt

K = Qt.Key
PICK_KEYS = {K.Key_Left, K.Key_Right, K.Key_Up, K.Key_Down, K.Key_E, K.Key_Return, K.Key_Enter}


@dataclass(frozen=True)
class Pick:
    """A neuron (layer >= 1, index) and, if ``source`` is set, the edge from that source."""

    layer: int
    index: int
    source: int | None = None


def first_pick(sizes: tuple[int, ...]) -> Pick:
    """Return where a pick starts: the first neuron of the first hidden layer."""
    return Pick(1, 0) if len(sizes) > 1 else Pick(0, 0)


def move(pick: Pick, key: int, sizes: tuple[int, ...], backwards: bool = False) -> Pick:
    """Return the pick after ``key``; a layer change keeps the neuron's place, clamped."""
    last = len(sizes) - 1
    if key in (K.Key_Left, K.Key_Right):
        layer = min(max(pick.layer + (1 if key == K.Key_Right else -1), 1), last)
        return Pick(layer, min(pick.index, sizes[layer] - 1))
    if key in (K.Key_Up, K.Key_Down):
        step = 1 if key == K.Key_Down else -1
        return Pick(pick.layer, (pick.index + step) % sizes[pick.layer])
    if key == K.Key_E:
        n_in = sizes[pick.layer - 1]
        if pick.source is None:
            return replace(pick, source=n_in - 1 if backwards else 0)
        return replace(pick, source=(pick.source + (-1 if backwards else 1)) % n_in)
    return pick
