"""What the explorer is looking at: one object every page refreshes from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.lessons.explorer import Exploration


@dataclass
class ExplorerState:
    """What the explorer is looking at: the exploration, the selections and the full data."""

    exploration: Exploration
    target: int  # output neuron of step 4
    hidden: tuple[int, int] | None  # (layer, index) of step 5's hidden neuron
    formula: tuple[int, int]  # (layer, index) of step 1's neuron
    param: tuple[int, int, int]  # (weight layer, out, in) of steps 7 and 8
    back_to: int  # step 5: deltas shown from the output back to this neuron layer
    revealed: int  # step 1: activations shown up to this neuron layer
    full_images: np.ndarray | None = None  # steps 9-12: the whole training set in use
    full_labels: np.ndarray | None = None
