"""What an experiment says it showed comes from its runs: planted outcomes, planted sentences."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest

from engine.data.datasets import load_sample
from engine.lessons.experiment_findings import findings, start_saturation
from engine.lessons.experiments import FAIR, SAME, plan
from engine.session.runs import DIVERGED, FINISHED, KeptRun


def planted(spec, accuracies, costs=None, status=FINISHED, note="") -> KeptRun:
    """Return a run of ``spec`` whose test accuracy after epoch 1, 2 ... is ``accuracies``."""
    accuracies = np.asarray(accuracies, float)
    epochs = np.arange(1, len(accuracies) + 1, dtype=float)
    costs = np.linspace(1.0, 0.1, 50 * len(accuracies)) if costs is None else np.asarray(costs)
    curves = {
        "batch_progress": np.linspace(0, len(accuracies), len(costs) + 1)[1:],
        "batch_cost": costs,
        "epoch_epoch": epochs if status == FINISHED else epochs[:0],
        "epoch_train_cost": np.full(len(epochs), 0.5) if status == FINISHED else epochs[:0],
        "epoch_test_cost": np.full(len(epochs), 0.5) if status == FINISHED else epochs[:0],
        "epoch_test_accuracy": accuracies if status == FINISHED else accuracies[:0],
    }
    final = (0.5, float(accuracies[-1])) if status == FINISHED else None
    return KeptRun(
        spec.name,
        spec.network,
        spec.train,
        spec.seed,
        "test",
        10000,
        curves,
        None,
        status,
        note,
        final,
    )


def activation_specs(seeds=1):
    return plan("activation", 3, 10000, mode=FAIR, seeds=seeds)


def test_the_sentence_names_the_planted_winner_and_its_margin() -> None:
    sigmoid, relu, tanh = activation_specs()
    for winner, accs in (("ReLU", (0.90, 0.95, 0.91)), ("tanh", (0.90, 0.85, 0.93))):
        runs = [planted(s, [a - 0.02, a - 0.01, a]) for s, a in zip((sigmoid, relu, tanh), accs)]
        text = findings("activation", list(zip((sigmoid, relu, tanh), runs)))
        best = max(accs)
        assert text[0].startswith(f"Test accuracy after 3 epochs (seed 0): {winner} {best:.1%}")
        second = sorted(accs)[-2]
        loser = ("sigmoid", "ReLU", "tanh")[accs.index(second)]
        gap = 100 * (best - second)
        assert f"{winner} ended {gap:.1f} points above {loser}." in text
        assert any("One seed only" in line for line in text)


def test_a_late_winner_is_said_to_take_the_lead_at_its_epoch() -> None:
    narrow, wide = plan("architecture", 3, 10000, mode=SAME)
    runs = [planted(narrow, [0.80, 0.85, 0.86]), planted(wide, [0.50, 0.84, 0.90])]
    text = findings("architecture", list(zip((narrow, wide), runs)))
    lead = next(line for line in text if " led after epoch" in line)
    assert lead == (  # at epoch 2 it is still behind: 84% against 85%
        "784-16-16-10 led after epoch 1 (80.0% against 50.0% for 784-100-10); "
        "784-100-10 took the lead at epoch 3."
    )
    assert not any("not caught up" in line for line in text)  # it won


def test_a_wider_network_still_climbing_is_said_not_to_have_caught_up() -> None:
    narrow, wide = plan("architecture", 2, 10000, mode=SAME)
    runs = [planted(narrow, [0.85, 0.86]), planted(wide, [0.40, 0.70])]
    text = findings("architecture", list(zip((narrow, wide), runs)))
    assert (
        "784-100-10 is behind but gained 30.0 points in its last epoch against 1.0 for "
        "784-16-16-10: it has not caught up yet; give it more epochs."
    ) in text


def test_three_seeds_within_their_spread_are_called_that() -> None:
    specs = [s for s in activation_specs(seeds=3) if s.variant != "tanh"]
    accs = {"sigmoid": (0.91, 0.93, 0.92), "ReLU": (0.92, 0.90, 0.925)}  # ranges overlap
    runs = [planted(s, [accs[s.variant][s.seed] - 0.01, accs[s.variant][s.seed]]) for s in specs]
    text = findings("activation", list(zip(specs, runs)))
    assert text[0].startswith("Test accuracy after 2 epochs, mean of 3 seeds")
    assert "sigmoid 92.0% (91.0% to 93.0%)" in text[0]
    assert "ReLU 91.5% (90.0% to 92.5%)" in text[0]
    assert (
        "sigmoid is 0.5 points above ReLU on average, within the spread of the seeds (their "
        "ranges overlap): these runs cannot tell the two apart."
    ) in text
    # Move ReLU clear of sigmoid in every seed: the sentence changes with the numbers.
    accs["ReLU"] = (0.95, 0.94, 0.96)
    runs = [planted(s, [accs[s.variant][s.seed] - 0.01, accs[s.variant][s.seed]]) for s in specs]
    text = findings("activation", list(zip(specs, runs)))
    assert "ReLU beat sigmoid in every seed, by 3.0 points on average." in text


def test_what_eta_30_did_is_read_from_its_curves() -> None:
    slow, video, huge = plan("learning-rate", 1, 10000)
    flat = np.r_[2.5, 1.2, np.full(998, 0.5)]  # saturated: the cost froze at 0.5 at once
    pairs = [
        (slow, planted(slow, [0.3])),
        (video, planted(video, [0.9])),
        (huge, planted(huge, [0.1], costs=flat)),
    ]
    text = findings("learning-rate", pairs)
    story = next(line for line in text if line.startswith("\u03b7 = 30"))
    assert story == (
        "\u03b7 = 30 trained all 1,000 mini-batches to 10.0%, chance level: it did not diverge, "
        "but its cost reached 0.500 by mini-batch 3 and stayed within 1% of it, so it stopped "
        "learning."
    )
    pairs[2] = (huge, planted(huge, [0.415]))
    text = findings("learning-rate", pairs)
    assert "\u03b7 = 30 trained all 50 mini-batches to 41.5%." in text
    note = "In epoch 1, mini-batch 22, the cost exploded: training diverged."
    pairs[2] = (huge, planted(huge, [0.1], status=DIVERGED, note=note))
    text = findings("learning-rate", pairs)
    assert f"\u03b7 = 30 diverged: {note}" in text
    assert text[0] == "Test accuracy after 1 epoch (seed 0): \u03b7 = 3 90.0%, \u03b7 = 0.3 30.0%."


def test_data_size_compares_training_cost_with_test_accuracy() -> None:
    specs = plan("data-size", 1, 60000, mode=FAIR)
    sizes = {100: (0.01, 0.60), 1000: (0.05, 0.85), 10000: (0.10, 0.93)}
    runs = []
    for s in specs:
        cost, acc = sizes[s.train_size]
        epochs = 2000 // s.train_size or 1  # 2,000 examples seen: 20 epochs of 100 ...
        run = planted(s, [acc] * epochs, costs=np.full(200, cost))
        runs.append(replace(run, n_train=s.train_size))
    text = findings("data-size", list(zip(specs, runs)))
    assert text[0].startswith("Test accuracy after 2,000 examples seen (seed 0): 10,000 examples")
    assert (
        "100 examples: training cost 0.01, test accuracy 60.0%; 10,000 examples: training "
        "cost 0.1, test accuracy 93.0%."
    ) in text
    assert any(line.endswith("it memorised them rather than learning digits.") for line in text)
    runs[0] = replace(runs[0], curves=dict(runs[0].curves, batch_cost=np.full(200, 0.5)))
    text = findings("data-size", list(zip(specs, runs)))
    assert not any("memorised" in line for line in text)
    assert "More labelled data gave the better test accuracy, by 33.0 points." in text


def test_one_epoch_cannot_say_whether_the_wider_network_catches_up() -> None:
    narrow, wide = plan("architecture", 1, 10000, mode=SAME)
    runs = [planted(narrow, [0.9]), planted(wide, [0.6])]
    text = findings("architecture", list(zip((narrow, wide), runs)))
    assert text[-1] == (
        "784-100-10 is behind 784-16-16-10; with one epoch these runs cannot show whether it is "
        "catching up: give it more epochs."
    )
    runs = [planted(narrow, [0.85, 0.9]), planted(wide, [0.58, 0.6])]
    text = findings("architecture", list(zip((narrow, wide), runs)))
    assert text[-1] == (
        "784-100-10 is behind 784-16-16-10 and gained 2.0 points in its last epoch against 5.0: "
        "it is not catching up at this budget."
    )


def test_the_architectures_start_saturation_is_measured_not_assumed() -> None:
    images = load_sample().train.images[:500]
    narrow, wide = plan("architecture", 1, 10000, mode=SAME)
    shares = {s.variant: start_saturation(s, images) for s in (narrow, wide)}
    runs = [planted(narrow, [0.9]), planted(wide, [0.6])]
    text = findings("architecture", list(zip((narrow, wide), runs)), shares)
    line = next(t for t in text if t.startswith("At the start (N(0, 1) weights)"))
    numbers = [int(n) for n in re.findall(r"(\d+)%", line)]
    a, b = shares["784-16-16-10"], shares["784-100-10"]
    assert numbers == [round(100 * v) for v in (a[0], b[0], a[-1], b[-1])]
    # The first layer (fan-in 784 in both) is about as saturated in both; the outputs fed by
    # 100 saturated neurons far more than those fed by 16.
    assert abs(a[0] - b[0]) < 0.1 and b[-1] > a[-1] + 0.1
    fair = [replace(s, network=replace(s.network, init="scaled")) for s in (narrow, wide)]
    assert all(max(start_saturation(s, images)) < 0.01 for s in fair)


@pytest.mark.parametrize("key", ["cost", "batch-size"])
def test_every_group_and_variant_is_named_from_its_runs(key) -> None:
    specs = plan(key, 1, 10000, mode=FAIR)
    rng = np.random.default_rng(3)
    runs = [planted(s, [float(rng.uniform(0.5, 0.95))]) for s in specs]
    text = " ".join(findings(key, list(zip(specs, runs))))
    best = max(zip(specs, runs), key=lambda p: p[1].final_accuracy())
    assert f"{best[0].variant} {best[1].final_accuracy():.1%}" in text
