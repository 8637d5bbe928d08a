"""How accuracy depends on the amount of labelled data: the same network trained on 100, 1,000 ...

Every run starts from the same freshly initialised network (the architecture, activation, cost
and initialisation of the current config, drawn from one seed) and trains with the same
hyper-parameters for the same number of mini-batches, so the only difference is how many
labelled examples it learns from. Its examples are the first n of one seeded shuffle of the
training set in use, so the smaller sets are part of the larger ones. Each network is then
scored on the whole test set. Training is a generator that reports as it goes and knows nothing
of threads; ``gui.explorer.data_amount_runner`` drives it in a QThread.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, evaluate

AMOUNTS = (100, 1000, 10000)
EXAMPLES_SEEN = 300000  # every network trains on this many examples in all, repeats included
REPORT_EVERY = 100  # mini-batches between progress reports


@dataclass(frozen=True)
class AmountResult:
    """One network's test accuracy after training on ``n_examples`` labelled examples."""

    n_examples: int
    accuracy: float
    correct: int
    total: int
    batches: int
    passes: float  # how many times it went through its examples


@dataclass(frozen=True)
class AmountProgress:
    """Where the runs are: the run in progress, its mini-batches, and the finished results."""

    run: int  # index of the run in progress (== runs when all are done)
    runs: int
    n_examples: int  # examples of the run in progress (of the last run when done)
    batches_done: int  # of the run in progress
    batches_total: int  # per run
    results: tuple[AmountResult, ...]  # the runs finished so far, smallest first

    @property
    def fraction(self) -> float:
        """The fraction of all the runs' mini-batches done."""
        per_run = max(self.batches_total, 1)
        return min((self.run + self.batches_done / per_run) / max(self.runs, 1), 1.0)


def amounts_for(n_train: int) -> tuple[int, ...]:
    """Return the amounts to compare: 100, 1,000, 10,000 that fit, and the whole set if larger.

    The whole set joins when it has at least twice the largest amount (60,000 does; 10,005 does
    not, so the sample with a few of the learner's digits compares 100, 1,000 and 10,000).
    """
    amounts = [n for n in AMOUNTS if n <= n_train]
    if not amounts or n_train >= 2 * amounts[-1]:
        amounts.append(n_train)
    return tuple(amounts)


def batches_per_run(batch_size: int, examples_seen: int = EXAMPLES_SEEN) -> int:
    """Return the number of mini-batches each network trains for."""
    return max(1, math.ceil(examples_seen / batch_size))


def train_on_amounts(
    config: NetworkConfig,
    train_config: TrainConfig,
    images: np.ndarray,
    labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    amounts: tuple[int, ...] | None = None,
    seed: int = 0,
    examples_seen: int = EXAMPLES_SEEN,
) -> Iterator[AmountProgress]:
    """Train one fresh network per amount and yield progress every ``REPORT_EVERY`` batches.

    The last report holds every result. Raises DivergenceError if training blows up.
    """
    n = len(labels)
    amounts = amounts or amounts_for(n)
    order = np.random.default_rng(np.random.SeedSequence([seed, 2])).permutation(n)
    total = batches_per_run(train_config.batch_size, examples_seen)
    results: list[AmountResult] = []
    for run, amount in enumerate(amounts):
        idx = np.sort(order[:amount])  # sorted: the gather reads memory in order
        network = Network(config, np.random.default_rng(np.random.SeedSequence([seed, 0])))
        trainer = Trainer(network, images[idx], labels[idx], train_config, seed)
        for done in range(1, total + 1):
            trainer.step_batch()
            if done % REPORT_EVERY == 0 and done < total:
                yield AmountProgress(run, len(amounts), amount, done, total, tuple(results))
        score = evaluate(network, test_images, test_labels)
        results.append(
            AmountResult(
                n_examples=amount,
                accuracy=score.accuracy,
                correct=score.correct,
                total=score.total,
                batches=total,
                passes=trainer.examples_seen / amount,
            )
        )
        yield AmountProgress(run + 1, len(amounts), amount, 0, total, tuple(results))
