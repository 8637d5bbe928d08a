"""Tell a stalled run from a learning one: after an epoch, accuracy at chance and a flat cost.

A collapsed network (dead ReLUs after a too-large step, saturated sigmoids) still trains without
a NaN: its cost sits still and it guesses one digit for everything. Divergence checks miss it, so
the command line and the window ask ``is_stalled`` after every epoch.
"""

from __future__ import annotations

import numpy as np

CHANCE_ACCURACY = 0.2  # ten classes: 0.1 is guessing; a learning network passes 0.2 in one epoch
FLAT = 0.1  # the cost fell by less than this fraction of its value from the epoch's start to end
TAIL = 0.1  # the fraction of the epoch's mini-batches averaged at its start and at its end


def is_stalled(test_accuracy: float, batch_costs: np.ndarray) -> bool:
    """Return whether an epoch ended at chance accuracy with a cost that barely moved.

    ``batch_costs`` are the epoch's mini-batch costs in order; the means of its first and last
    tenth are compared, which smooths the noise of single mini-batches.
    """
    costs = np.asarray(batch_costs, np.float64)
    if test_accuracy > CHANCE_ACCURACY or len(costs) < 2 or not np.isfinite(costs).all():
        return False
    k = max(1, int(len(costs) * TAIL))
    start, end = costs[:k].mean(), costs[-k:].mean()
    return bool(start - end < FLAT * abs(start))


def stall_summary(epoch: int, test_accuracy: float, learning_rate: float) -> str:
    """Return the sentence that says the run has stalled, with its numbers."""
    return (
        f"Training has stalled: after epoch {epoch} the test accuracy is "
        f"{100 * test_accuracy:.1f}% (chance is 10%) and the cost has stopped falling at "
        f"learning rate {learning_rate:g}."
    )


def stall_message(epoch: int, test_accuracy: float, activation: str, learning_rate: float) -> str:
    """Return one sentence saying the run has stalled, its numbers, and what to try."""
    advice = (
        "lower the learning rate (ReLU neurons die after a too-large step) or use the scaled "
        "initialisation"
        if activation == "relu"
        else "if the cost barely moved, raise the learning rate; if it jumped, lower it"
    )
    return f"{stall_summary(epoch, test_accuracy, learning_rate)} Try this: {advice}, then reset."
