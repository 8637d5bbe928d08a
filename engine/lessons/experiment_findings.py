"""What an experiment showed, in sentences computed from its own runs, never written in advance.

``findings`` reads each run's final test accuracy, its test accuracy after every epoch and its
mini-batch costs, groups the seeds of each variant, and says which variant won, by how much and
from which epoch on; with several seeds, a difference no larger than the spread between seeds is
called that. Experiments add what their lesson needs: what each learning rate did (η = 30 too),
training cost against test accuracy for the data sizes, and the saturation at the start for the
architectures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.core.network import Network
from engine.lessons.experiments import ExperimentArm, SweepResult, init_name
from engine.session.diagnosis import saturated_shares
from engine.session.runs import DIVERGED, KeptRun
from engine.session.stall import CHANCE_ACCURACY

TAIL = 100  # mini-batches whose mean cost is a run's final training cost
FLAT = 0.01  # a cost within this fraction of its final value has stopped moving


@dataclass(frozen=True)
class Outcome:
    """One run as the findings read it: which variant and seed, and what it reached."""

    variant: str
    group: str
    seed: int
    accuracy: float | None  # the final network's test accuracy; None if it has none
    epochs: np.ndarray  # where the test accuracy was measured, in epochs
    epoch_accuracy: np.ndarray
    costs: np.ndarray  # every mini-batch's cost
    status: str
    note: str
    n_train: int
    batch_size: int


def outcome(spec: ExperimentArm, run: KeptRun) -> Outcome:
    """Return what ``run`` (trained from ``spec``) reached."""
    c = run.curves
    return Outcome(
        spec.variant or run.name,
        spec.group,
        run.seed,
        run.final_accuracy() if run.status != DIVERGED else None,
        np.asarray(c["epoch_epoch"], float),
        np.asarray(c["epoch_test_accuracy"], float),
        np.asarray(c["batch_cost"], float),
        run.status,
        run.note,
        run.n_train,
        run.train.batch_size,
    )


def start_saturation(spec: ExperimentArm, images: np.ndarray) -> list[float]:
    """Return, per layer, the share of (image, neuron) pairs saturated in ``spec``'s fresh
    network (the one its seed draws, as a reset does) on ``images`` (uint8, (n, 28, 28))."""
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 0]))
    return saturated_shares(Network(spec.network, rng), images)


def pct(a: float) -> str:
    """Return an accuracy in per cent with one decimal, e.g. "91.2%"."""
    return f"{100 * a:.1f}%"


def _variants(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    """Group the outcomes by variant, in the order the variants first appear."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.variant, []).append(o)
    return groups


def _when(outcomes: Sequence[Outcome]) -> str:
    """Return "after 3 epochs" when every run ended at the same epoch, else "after 30,000
    examples seen" when they saw as many examples, else the group's name."""
    ends = {float(o.epochs[-1]) for o in outcomes if len(o.epochs)}
    if len(ends) == 1 and all(len(o.epochs) for o in outcomes):
        end = ends.pop()
        return f"after {end:g} epoch{'' if end == 1 else 's'}"
    seen = {len(o.costs) * o.batch_size for o in outcomes}
    if len(seen) == 1 and outcomes:
        return f"after {seen.pop():,} examples seen"
    group = outcomes[0].group if outcomes else ""
    return f"after {group}" if group else "at the end of each run"


def compare(outcomes: Sequence[Outcome], failures: bool = True) -> list[str]:
    """Return the sentences that rank the variants by final test accuracy, from their runs;
    ``failures``: also name the variants that diverged or stayed near chance."""
    groups = _variants(outcomes)
    text: list[str] = []
    finals: dict[str, list[float]] = {}
    for variant, runs in groups.items():
        diverged = [o for o in runs if o.accuracy is None]
        if diverged and failures:
            seeds = ", ".join(str(o.seed) for o in diverged)
            text.append(f"{variant} diverged (seed {seeds}): {diverged[0].note}")
        accs = [o.accuracy for o in runs if o.accuracy is not None]
        if accs:
            finals[variant] = accs
    if not finals:
        return text
    ranked = sorted(finals, key=lambda v: -float(np.mean(finals[v])))
    n = min(len(a) for a in finals.values())
    when = _when([o for o in outcomes if o.accuracy is not None])
    if n == 1:
        seed = outcomes[0].seed
        parts = ", ".join(f"{v} {pct(finals[v][0])}" for v in ranked)
        text.append(f"Test accuracy {when} (seed {seed}): {parts}.")
    else:
        parts = ", ".join(
            f"{v} {pct(np.mean(finals[v]))} ({pct(min(finals[v]))} to {pct(max(finals[v]))})"
            for v in ranked
        )
        text.append(f"Test accuracy {when}, mean of {n} seeds (lowest to highest): {parts}.")
    best = ranked[0]
    for other in ranked[1:]:
        gap = 100 * (np.mean(finals[best]) - np.mean(finals[other]))
        if n == 1:
            text.append(f"{best} ended {gap:.1f} points above {other}.")
        elif min(finals[best]) <= max(finals[other]):
            text.append(
                f"{best} is {gap:.1f} points above {other} on average, within the spread of the "
                f"seeds (their ranges overlap): these runs cannot tell the two apart."
            )
        else:
            text.append(f"{best} beat {other} in every seed, by {gap:.1f} points on average.")
    if n == 1 and len(ranked) > 1:
        text.append(
            "One seed only: run several seeds to see whether a gap is larger than the spread "
            "between seeds."
        )
    text += _lead(groups, ranked)
    for v in ranked if failures else []:
        if np.mean(finals[v]) <= CHANCE_ACCURACY:
            text.append(f"{v} stayed near chance ({pct(np.mean(finals[v]))}): it did not learn.")
    return text


def _lead(groups: dict[str, list[Outcome]], ranked: list[str]) -> list[str]:
    """Say from which epoch's test the winner led, when the runs were tested at the same epochs."""
    curves = {}
    for v in ranked:
        runs = groups[v]
        points = {tuple(o.epochs) for o in runs}
        if len(points) != 1 or not runs[0].epochs.size:
            return []
        curves[v] = np.mean([o.epoch_accuracy for o in runs], axis=0)
    points = {tuple(groups[v][0].epochs) for v in ranked}
    if len(points) != 1 or len(ranked) < 2:
        return []
    epochs = groups[ranked[0]][0].epochs
    if len(epochs) < 2:
        return []
    best, second = ranked[0], ranked[1]
    leaders = [max(curves, key=lambda v, i=i: curves[v][i]) for i in range(len(epochs))]
    if all(v == best for v in leaders):
        return [
            f"{best} was ahead at every epoch's test, from epoch {epochs[0]:g} "
            f"({pct(curves[best][0])} against {pct(curves[second][0])} for {second})."
        ]
    first = leaders[0]
    since = len(leaders) - next(i for i, v in enumerate(reversed(leaders)) if v != best)
    text = f"{first} led after epoch {epochs[0]:g} ({pct(curves[first][0])} against "
    text += f"{pct(curves[best][0])} for {best})"
    if leaders[-1] == best:
        text += f"; {best} took the lead at epoch {epochs[since]:g}."
    else:
        text += "."
    return [text]


def _rate_story(o: Outcome, seed: bool = False) -> str:
    """Say what one learning-rate run did: diverged, stopped learning, or how far it got
    (``seed``: name the run's seed)."""
    name = f"{o.variant} (seed {o.seed})" if seed else o.variant
    if o.accuracy is None:
        return f"{name} diverged: {o.note}"
    story = f"{name} trained all {len(o.costs):,} mini-batches to {pct(o.accuracy)}"
    if o.accuracy > CHANCE_ACCURACY or len(o.costs) < 2:
        return story + "."
    final = float(np.median(o.costs[-TAIL:]))
    moving = np.flatnonzero(np.abs(o.costs - final) > FLAT * max(abs(final), 1e-12))
    since = int(moving[-1]) + 2 if moving.size else 1
    return (
        f"{story}, chance level: it did not diverge, but its cost reached {final:.3f} by "
        f"mini-batch {since:,} and stayed within {FLAT:.0%} of it, so it stopped learning."
    )


def _data_size(groups: dict[str, list[Outcome]]) -> list[str]:
    """Compare the smallest and the largest training set: training cost against test accuracy."""
    usable = {
        v: runs
        for v, runs in groups.items()
        if all(o.accuracy is not None and len(o.costs) for o in runs)
    }
    if len(usable) < 2:
        return []
    by_size = sorted(usable, key=lambda v: usable[v][0].n_train)
    small, large = by_size[0], by_size[-1]

    def cost(v: str) -> float:
        return float(np.mean([o.costs[-TAIL:].mean() for o in usable[v]]))

    def acc(v: str) -> float:
        return float(np.mean([o.accuracy for o in usable[v]]))

    text = [
        f"{small}: training cost {cost(small):.3g}, test accuracy {pct(acc(small))}; "
        f"{large}: training cost {cost(large):.3g}, test accuracy {pct(acc(large))}."
    ]
    if cost(small) < cost(large) and acc(small) < acc(large):
        text.append(
            f"The {small} run fits its own examples better (a lower training cost) yet does "
            "worse on the test digits: it memorised them rather than learning digits."
        )
    elif acc(small) < acc(large):
        text.append(
            f"More labelled data gave the better test accuracy, by "
            f"{100 * (acc(large) - acc(small)):.1f} points."
        )
    else:
        text.append(f"Here {small} did not do worse on the test digits than {large}.")
    return text


def _architecture(
    groups: dict[str, list[Outcome]], specs: dict[str, ExperimentArm], start: dict[str, list[float]]
) -> list[str]:
    """Say how saturated each network starts, and whether the wider one is still catching up."""
    text = []
    if len(start) == 2:
        (a, sa), (b, sb) = start.items()
        fan_a, fan_b = specs[a].network.sizes[-2], specs[b].network.sizes[-2]
        text.append(
            f"At the start ({init_name(specs[a].network)}), the share of neuron-image pairs "
            f"saturated (\u03c3\u2032(z) < 0.001): the first hidden layer {sa[0]:.0%} in {a} and "
            f"{sb[0]:.0%} in {b} (fan-in 784 in both); the 10 outputs {sa[-1]:.0%} (fed by "
            f"{fan_a} neurons) and {sb[-1]:.0%} (fed by {fan_b})."
        )
    finals = {
        v: float(np.mean([o.accuracy for o in runs]))
        for v, runs in groups.items()
        if runs and all(o.accuracy is not None for o in runs)
    }
    if len(finals) != 2:
        return text
    wide = max(finals, key=lambda v: sum(specs[v].network.sizes[1:-1]))
    narrow = next(v for v in finals if v != wide)

    def last_gain(v: str) -> float | None:
        runs = groups[v]
        if any(len(o.epoch_accuracy) < 2 for o in runs):
            return None
        return float(np.mean([o.epoch_accuracy[-1] - o.epoch_accuracy[-2] for o in runs]))

    if finals[wide] < finals[narrow]:
        gw, gn = last_gain(wide), last_gain(narrow)
        if gw is not None and gn is not None and gw > gn:
            text.append(
                f"{wide} is behind but gained {100 * gw:.1f} points in its last epoch against "
                f"{100 * gn:.1f} for {narrow}: it has not caught up yet; give it more epochs."
            )
        elif gw is None or gn is None:
            text.append(
                f"{wide} is behind {narrow}; with one epoch these runs cannot show whether it is "
                "catching up: give it more epochs."
            )
        else:
            text.append(
                f"{wide} is behind {narrow} and gained {100 * gw:.1f} points in its last epoch "
                f"against {100 * gn:.1f}: it is not catching up at this budget."
            )
    return text


def findings(
    key: str,
    pairs: Sequence[tuple[ExperimentArm, KeptRun]],
    start: dict[str, list[float]] | None = None,
) -> list[str]:
    """Return what experiment ``key`` showed, from its runs (each with the spec it trained).

    ``start`` holds, per variant, ``start_saturation`` of its network (the architectures).
    """
    outcomes = [outcome(s, r) for s, r in pairs]
    if not outcomes:
        return []
    text: list[str] = []
    groups_in_order: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups_in_order.setdefault(o.group, []).append(o)
    if key == "datasets":  # "won" is not the word for data: it ranks them by test error
        return _datasets(outcomes, pairs)
    for members in groups_in_order.values():  # their first sentence says "after <group>"
        text += compare(members, failures=key != "learning-rate")  # that one tells each run
    if key == "learning-rate":
        seeds = len({o.seed for o in outcomes}) > 1
        text += [_rate_story(o, seeds) for o in outcomes]
    if key == "batch-size":
        last = list(groups_in_order)[-1]
        seen = {o.variant: len(o.costs) * o.batch_size for o in groups_in_order[last]}
        if len(seen) > 1:
            text.append(
                f"At {last}, the runs saw "
                + ", ".join(f"{n:,} examples ({v})" for v, n in seen.items())
                + ": a bigger mini-batch pays for each better-aimed step with more examples."
            )
    if key == "data-size":
        text += _data_size(_variants(outcomes))
    if key == "architecture":
        specs = {s.variant: s for s, _ in pairs}
        text += _architecture(_variants(outcomes), specs, start or {})
    return text


def _datasets(
    outcomes: Sequence[Outcome], pairs: Sequence[tuple[ExperimentArm, KeptRun]]
) -> list[str]:
    """Rank the data sets by test error after the same budget, hardest first, and say where
    each run's first layer learned (the pixels whose incoming weights moved from the start)."""
    groups = _variants(outcomes)
    text = [
        f"{o.variant} diverged (seed {o.seed}): {o.note}" for o in outcomes if o.accuracy is None
    ]
    errors = {
        v: [1.0 - o.accuracy for o in runs if o.accuracy is not None] for v, runs in groups.items()
    }
    errors = {v: e for v, e in errors.items() if e}
    if not errors:
        return text
    ranked = sorted(errors, key=lambda v: -float(np.mean(errors[v])))  # hardest first
    n = min(len(e) for e in errors.values())
    when = _when([o for o in outcomes if o.accuracy is not None])
    seeds = "" if n > 1 else f" (seed {outcomes[0].seed})"
    mean = {v: float(np.mean(errors[v])) for v in ranked}
    parts = ", ".join(f"{v} {pct(mean[v])}" for v in ranked)
    text.append(f"Test error {when}{seeds}, hardest first: {parts}.")
    if len(ranked) > 1:
        hardest, second = ranked[0], ranked[1]
        gap = 100 * (mean[hardest] - mean[second])
        if n > 1 and max(errors[second]) >= min(errors[hardest]):
            text.append(
                f"{hardest} and {second} are within the spread of the seeds (their error ranges "
                f"overlap): these runs cannot say which of the two is harder."
            )
        else:
            text.append(
                f"Hardest: {hardest}, {gap:.1f} points more test error than {second}; "
                f"easiest: {ranked[-1]} ({pct(mean[ranked[-1]])})."
            )
    sizes = {o.variant: o.n_train for o in outcomes}
    if len(set(sizes.values())) > 1:
        text.append(
            "The training sets differ in size ("
            + ", ".join(f"{v} {n:,} images" for v, n in sizes.items())
            + "): every run saw as many examples, so the smaller sets were seen more times."
        )
    moved = {}
    for spec, run in pairs:
        if run.parameters is not None and spec.variant not in moved:
            moved[spec.variant] = learned_pixels(spec, run.parameters.weights[0])
    if moved:
        text.append(
            "Pixels whose 16 incoming first-layer weights moved from where the seed put them: "
            + ", ".join(f"{v} {k} of 784" for v, k in moved.items())
            + ". A pixel that is blank in every training image gets no gradient, so its "
            "weights never move: the tiles of what each first layer learned are blank there."
        )
    return text


def first_layer_start(spec: ExperimentArm) -> np.ndarray:
    """Return the (n_1, 784) first-layer weights ``spec``'s seed draws, as a reset does."""
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 0]))
    return Network(spec.network, rng).weights[0]


def first_layer_change(spec: ExperimentArm, weights: np.ndarray) -> np.ndarray:
    """Return how far training moved each first-layer weight from its start, (n_1, 784):
    what the data taught each neuron to look for, without the random start's noise."""
    return np.asarray(weights, np.float64) - first_layer_start(spec)


def learned_pixels(spec: ExperimentArm, weights: np.ndarray) -> int:
    """Return how many input pixels have a first-layer weight that moved from its start (the
    network ``spec``'s seed draws, as a reset does): the pixels the data taught anything."""
    start = first_layer_start(spec)
    return int(np.count_nonzero(np.any(np.asarray(weights) != start, axis=0)))


def sweep_summary(sweeps: Sequence[SweepResult]) -> str:
    """Return the rates each variant's sweep picked, e.g. "sigmoid 3, ReLU 0.3" (per seed)."""
    by_seed: dict[int, list[str]] = {}
    for s in sweeps:
        by_seed.setdefault(s.seed, []).append(f"{s.variant} {s.best:g}")
    return "; ".join(f"seed {seed}: " + ", ".join(v) for seed, v in by_seed.items())
