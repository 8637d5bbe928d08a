"""The classic experiments: a few runs of the video's network that differ in one named thing.

Every run starts from the video's set-up (784-16-16-10, sigmoid, quadratic cost, N(0, 1)
initialisation, eta = 3, mini-batches of 10) and the same seed, and changes only what the
experiment names. The budget is in epochs of the training set in use: each run trains
ceil(n / m) mini-batches per epoch, except where an experiment says it compares equal updates
or equal examples seen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from engine.datasets import Dataset, MnistData
from engine.network import NetworkConfig
from engine.training import TrainConfig

VIDEO_NETWORK = NetworkConfig()
VIDEO_TRAIN = TrainConfig()


@dataclass(frozen=True)
class RunSpec:
    """One run of an experiment: what it trains, on how many examples, for how many batches."""

    name: str
    network: NetworkConfig
    train: TrainConfig
    seed: int
    train_size: int | None  # None: every training example in use
    batches: int  # mini-batches to train


@dataclass(frozen=True)
class Experiment:
    """A named experiment: its title, what to look for, and the x axis that compares it fairly."""

    key: str
    title: str
    look_for: str
    x_axis: str  # "epochs", "examples" or "updates"


EXPERIMENTS = (
    Experiment(
        "learning-rate",
        "Learning rate 0.3 / 3 / 30",
        "Look at how fast each cost falls: 0.3 crawls downhill, 3 (the video's) falls fast, and "
        "30 takes steps so large the neurons saturate and training stops at once.",
        "epochs",
    ),
    Experiment(
        "batch-size",
        "Mini-batch 1 / 10 / 100 (equal epochs, then equal updates)",
        "With equal epochs, mini-batches of 10 win: 100 makes ten times fewer steps, and 1 makes "
        "steps too noisy at eta = 3. With equal updates, bigger mini-batches aim each step better "
        "and win, but they see ten or a hundred times more examples for it.",
        "updates",
    ),
    Experiment(
        "activation",
        "Sigmoid vs ReLU vs tanh",
        "With the video's N(0, 1) weights and eta = 3, ReLU's unbounded outputs blow up or die "
        "and it stays at chance; tanh learns, sigmoid learns steadily.",
        "epochs",
    ),
    Experiment(
        "cost",
        "Quadratic vs cross-entropy cost",
        "Compare test accuracy, not cost (the two costs are different functions): cross-entropy "
        "(on a softmax output) does not slow down when an output is badly wrong, so watch the "
        "first epoch; the two may end close.",
        "epochs",
    ),
    Experiment(
        "data-size",
        "100 / 1,000 / 10,000 labelled examples",
        "Each run sees the same number of examples. With 100 the training cost falls, yet test "
        "accuracy stays poor: it memorises; more labelled data generalises better.",
        "examples",
    ),
    Experiment(
        "architecture",
        "784-16-16-10 vs 784-100-10",
        "The wider single hidden layer has six times the weights, but with the video's N(0, 1) "
        "weights its 100 neurons start saturated: watch whether it catches up with more epochs.",
        "epochs",
    ),
)
BY_KEY = {e.key: e for e in EXPERIMENTS}
DATA_SIZES = (100, 1000, 10000)


def batches_for(epochs: int, n: int, batch_size: int) -> int:
    """Return the mini-batches of ``epochs`` epochs over n examples (a short last batch counts)."""
    return max(1, math.ceil(n / batch_size) * int(epochs))


def plan(key: str, epochs: int, n_train: int, seed: int = 0) -> list[RunSpec]:
    """Return the runs of experiment ``key`` for an ``epochs`` budget on ``n_train`` examples."""
    if key not in BY_KEY:
        raise ValueError(f"unknown experiment {key!r}; use one of {list(BY_KEY)}")
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"the budget must be a whole number of epochs, got {epochs}")
    if n_train < 1:
        raise ValueError("the training set is empty")
    net, train = VIDEO_NETWORK, VIDEO_TRAIN

    def spec(name: str, network=net, t=train, size=None, batches=None) -> RunSpec:
        n = n_train if size is None else size
        count = batches if batches is not None else batches_for(epochs, n, t.batch_size)
        return RunSpec(name, network, t, seed, size, count)

    if key == "learning-rate":
        return [spec(f"\u03b7 = {lr:g}", t=replace(train, learning_rate=lr)) for lr in (0.3, 3, 30)]
    if key == "batch-size":
        updates = batches_for(epochs, n_train, 10)  # what mini-batches of 10 make in the budget
        runs = [
            spec(
                f"m = {m}, {epochs} epoch{'s' if epochs > 1 else ''}",
                t=replace(train, batch_size=m),
            )
            for m in (1, 10, 100)
        ]
        runs += [
            spec(f"m = {m}, {updates:,} updates", t=replace(train, batch_size=m), batches=updates)
            for m in (1, 10, 100)
        ]
        return runs
    if key == "activation":
        return [spec(a, network=replace(net, activation=a)) for a in ("sigmoid", "relu", "tanh")]
    if key == "cost":
        return [
            spec(f"{c} cost", network=replace(net, cost=c)) for c in ("quadratic", "cross-entropy")
        ]
    if key == "data-size":
        examples = epochs * n_train  # every run sees as many examples as the full set's budget
        sizes = sorted({min(s, n_train) for s in DATA_SIZES})
        return [
            spec(
                f"{s:,} examples" if s < n_train or s in DATA_SIZES else f"all {s:,}",
                size=s if s < n_train else None,
                batches=math.ceil(examples / train.batch_size),
            )
            for s in sizes
        ]
    return [spec("784-16-16-10"), spec("784-100-10", network=replace(net, sizes=(784, 100, 10)))]


def subset(data: MnistData, n: int, seed: int = 0) -> MnistData:
    """Return ``data`` with only n training examples (a seeded draw, every digit as evenly as
    possible); the test set stays whole so that every run is judged on the same test digits."""
    train = data.train
    if n >= len(train):
        return data
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    order = rng.permutation(len(train))
    labels = train.labels[order]
    # Round-robin over the digits, in the shuffled order: 100 examples are about 10 of each.
    rank = np.empty(len(order), np.int64)
    for digit in np.unique(labels):
        where = np.flatnonzero(labels == digit)
        rank[where] = np.arange(len(where))
    chosen = np.sort(order[np.lexsort((labels, rank))[:n]])
    name = f"{train.name} ({n:,} of {len(train):,})"
    return MnistData(
        Dataset(train.images[chosen], train.labels[chosen], name),
        data.test,
        f"{data.source} ({n:,} of {len(train):,} training examples)",
    )
