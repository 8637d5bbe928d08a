"""The range of every setting, in one place: the window's controls and every file reader use it.

A value read from a model, a settings file or a "my digits" file passes the same limits as the
control that edits it, so nothing a file says can put the window in a state its controls could
not; ``check_*`` return a message naming the value and its range, or None when it is fine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.core.training import TrainConfig


@dataclass(frozen=True)
class Range:
    """A closed interval [low, high] with the number of decimals its control shows."""

    low: float
    high: float
    decimals: int = 0

    def snap(self, value: float) -> float:
        """Return value rounded to the decimals its control shows, so shown and used agree."""
        return round(value, self.decimals) if self.decimals else value

    def contains(self, value: object) -> bool:
        """Return whether value is a real number inside the range (bools and NaN are not)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        return self.low <= value <= self.high  # an int too big for a float compares exactly


LEARNING_RATE = Range(0.0001, 10000.0, 4)
BATCH_SIZE = Range(1, 10000)
MOMENTUM = Range(0.0, 0.99, 2)
L2 = Range(0.0, 100.0, 3)
SEED = Range(0, 2**31 - 1)
SNAPSHOT_INTERVAL = Range(1, 100_000)
SPEED = Range(0.0, 20.0)  # mini-batches per second, 0 for full speed (the speed menu's values)
HIDDEN_LAYERS = Range(1, 4)  # how many hidden layers the window edits
HIDDEN_SIZE = Range(1, 128)  # neurons in one hidden layer the window edits
LAYERS = Range(2, 12)  # layers, input and output included, train --layers builds
LAYER_SIZE = Range(1, 100_000)  # neurons in one layer train --layers builds
WEIGHTS = 100_000_000  # weights in a network train --layers builds: 400 MB as float32
EPOCHS = Range(0, 1_000_000)  # epochs a model file may say it has trained
EXAMPLES_SEEN = Range(0, 2**53)  # examples a model file may say it has seen (exact as a float)
RUNS_BUDGET_MB = Range(1, 4096)  # megabytes the Compare tab's kept runs may use
GOAL_EPOCHS = Range(0, 1000)  # epochs one Run trains before it pauses, 0 for until paused
MY_DIGITS = 10_000  # drawings a "my digits" file may hold (the cap on what it unpacks)

TRAIN_FIELDS = {
    "learning_rate": ("learning rate", LEARNING_RATE),
    "batch_size": ("mini-batch size", BATCH_SIZE),
    "momentum": ("momentum", MOMENTUM),
    "l2": ("L2 regularisation", L2),
}


def written(value: object) -> str:
    """Return value as a person writes it: 2,147,483,648, 10,000, 4096, 0.0001, 1e+30, nan.

    Thousands are grouped from five digits on (SI style: 4096, 10,000).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)[:40]
    if (
        isinstance(value, float)
        and math.isfinite(value)
        and value.is_integer()
        and abs(value) < 1e15
    ):
        value = int(value)  # exact as a whole number
    if isinstance(value, int) and value.bit_length() > 100:  # 31 digits or more
        return f"a number of about {int(value.bit_length() * math.log10(2)) + 1:,} digits"
    return f"{value:,}" if abs(value) >= 10_000 else f"{value}"


def out_of_range(what: str, value: object, limits: Range) -> str | None:
    """Return "<what> is <value>; it must be between <low> and <high>", or None if it is inside."""
    if limits.contains(value):
        return None
    return (
        f"{what} is {written(value)}; it must be between {written(limits.low)} and "
        f"{written(limits.high)}"
    )


def snap_train_config(config: TrainConfig) -> TrainConfig:
    """Return config with every value rounded as its control shows it (0.00015 shows 0.0002)."""
    return TrainConfig(
        *(TRAIN_FIELDS[name][1].snap(getattr(config, name)) for name in TRAIN_FIELDS)
    )


def check_train_config(config: TrainConfig) -> str | None:
    """Return what is out of range in config, or None when every value is within its control's."""
    for name, (what, limits) in TRAIN_FIELDS.items():
        problem = out_of_range(what, getattr(config, name), limits)
        if problem:
            return problem
    return None


def check_hidden(sizes: tuple[int, ...]) -> str | None:
    """Return why a network's hidden layers are beyond what the window edits, or None."""
    hidden = sizes[1:-1]
    if not HIDDEN_LAYERS.contains(len(hidden)) or not all(HIDDEN_SIZE.contains(n) for n in hidden):
        return (
            f"its hidden layers {','.join(map(str, hidden)) or '(none)'} are beyond the window's "
            f"{HIDDEN_LAYERS.low:g} to {HIDDEN_LAYERS.high:g} layers of up to "
            f"{HIDDEN_SIZE.high:g} neurons (the command line's evaluate reads it)"
        )
    return None
