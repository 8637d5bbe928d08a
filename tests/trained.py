"""A network trained for a test: one helper for every test file that needs a real trainer."""

from __future__ import annotations

import numpy as np

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer


def trainer_after(
    config: NetworkConfig,
    images: np.ndarray,
    labels: np.ndarray,
    train: TrainConfig,
    batches: int,
    weight_seed: int,
    seed: int,
) -> Trainer:
    """Return a trainer after ``batches`` mini-batches, its weights and its order seeded.

    The weights are drawn from ``weight_seed`` and the order of the examples from ``seed``, so
    the same call gives the same network.
    """
    trainer = Trainer(
        Network(config, np.random.default_rng(weight_seed)), images, labels, train, seed
    )
    for _ in range(batches):
        trainer.step_batch()
    return trainer
