"""The classic experiments: a few runs that differ in one named thing, compared fairly.

An experiment has two ways to run. **Fair** (the default): each variant trains with its standard
initialisation (He's N(0, 2/n_in) for ReLU, Xavier's N(0, 1/n_in) for sigmoid and tanh: the
engine's "scaled") at its own learning rate, which a short sweep picks: a fresh network from the
run's seed trains for SWEEP_EXAMPLES examples at each rate of SWEEP_RATES, and the rate with the
best accuracy on held-out training images (never the test set) wins. **Same settings**: every run
uses the video's set-up (N(0, 1) weights, eta = 3), which may suit one variant and not another.
Both keep the video's 784-16-16-10 sigmoid network, quadratic cost and mini-batches of 10 except
where the experiment changes them, and every run of a seed starts from that seed.

The budget is in epochs of the training set in use: each run trains ceil(n / m) mini-batches per
epoch, except where an experiment says it compares equal updates or equal examples seen.

The data-sets experiment trains the video's network, with the video's settings, on several data
sets (digits, clothes, kuzushiji) given to it by name and size: every run trains the same number
of mini-batches from the same seed, so only the data differs. Its plan is in its record.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from engine.data.datasets import Dataset, MnistData

VIDEO_NETWORK = NetworkConfig()
VIDEO_TRAIN = TrainConfig()
FAIR, SAME = "fair", "same"
MODES = (FAIR, SAME)
SWEEP_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
SWEEP_EXAMPLES = 60_000  # examples each trial trains on at most: one epoch of full MNIST (a
# third of an epoch favoured rates at which ReLU and tanh later lose neurons: 58% at 3 epochs)
SWEEP_EXTRA = 2  # rates tried beyond either end of SWEEP_RATES when the best is at that end
VALIDATION = 5_000  # held-out training images the sweep's trials are judged on (at most)


@dataclass(frozen=True)
class ExperimentArm:
    """One arm of an experiment: what it trains, on how many examples, for how many batches.

    ``variant`` is what the experiment compares (the findings group seeds by it); ``group``
    separates comparisons within one experiment (equal epochs, equal updates); ``rates`` are the
    learning rates a sweep tries before the run (empty: ``train.learning_rate`` is fixed).
    """

    name: str
    network: NetworkConfig
    train: TrainConfig
    seed: int
    train_size: int | None  # None: every training example in use
    batches: int  # mini-batches to train
    variant: str = ""
    group: str = ""
    rates: tuple[float, ...] = ()
    dataset: str = ""  # the data set it trains on, by name (empty: the data in use)


Sizes = Sequence[tuple[str, int]]  # data sets by name, with their training set's size
DATASET_KINDS = ("digits", "clothes", "kuzushiji")  # the data-sets experiment's, in order


@dataclass(frozen=True)
class Experiment:
    """A named experiment: its title, what to look for, and the x axis that compares it fairly.

    ``plan`` (when given) returns its runs from (epochs, data sets by name and size, seed); an
    experiment with a plan trains on the data sets it names, not on the data in use.
    """

    key: str
    title: str
    look_for: str
    x_axis: str  # "epochs", "examples" or "updates"
    plan: Callable[[int, Sizes, int], list[ExperimentArm]] | None = None


def same_budget(epochs: int, datasets: Sizes, seed: int) -> list[ExperimentArm]:
    """Return one run of the video's network and settings per data set, all from ``seed`` and
    all training the same number of mini-batches: ``epochs`` epochs of the largest set."""
    if len(datasets) < 2:
        raise ValueError("comparing data sets needs at least two of them")
    names = [name for name, _n in datasets]
    if len(set(names)) != len(names):
        raise ValueError(f"each data set must appear once, got {names}")
    if min(n for _name, n in datasets) < 1:
        raise ValueError("a data set's training set is empty")
    batches = batches_for(epochs, max(n for _name, n in datasets), VIDEO_TRAIN.batch_size)
    return [
        ExperimentArm(name, VIDEO_NETWORK, VIDEO_TRAIN, seed, None, batches, name, dataset=name)
        for name in names
    ]


EXPERIMENTS = (
    Experiment(
        "learning-rate",
        "Learning rate 0.3 / 3 / 30",
        "The video's network at three learning rates, nothing else changed. How fast does each "
        "cost fall, and does any run stop learning? The sentence under the plots says what each "
        "one did.",
        "epochs",
    ),
    Experiment(
        "batch-size",
        "Mini-batch 1 / 10 / 100 (equal epochs, then equal updates)",
        "Equal epochs see the same examples; equal updates take the same number of steps, and a "
        "bigger mini-batch sees more examples for them. Which wins each race, and by how much?",
        "updates",
    ),
    Experiment(
        "activation",
        "Sigmoid vs ReLU vs tanh",
        "Which activation reaches the best test accuracy, and how soon? ReLU's outputs are "
        "unbounded and tanh's are centred on 0: each has its own best learning rate.",
        "epochs",
    ),
    Experiment(
        "cost",
        "Quadratic vs cross-entropy cost",
        "Compare test accuracy, not cost (the two costs are different functions). Cross-entropy "
        "(on a softmax output) has no \u03c3\u2032(z) in its output error, so a badly wrong output "
        "does not learn slowly: watch the first epoch as well as the end.",
        "epochs",
    ),
    Experiment(
        "data-size",
        "100 / 1,000 / 10,000 labelled examples",
        "Each run sees the same number of examples. Compare each run's training cost with its "
        "test accuracy: does a low training cost on few examples carry over to new digits?",
        "examples",
    ),
    Experiment(
        "architecture",
        "784-16-16-10 vs 784-100-10",
        "One hidden layer of 100 has six times the weights of two layers of 16. Does it learn "
        "better, and how many epochs does it need to show it?",
        "epochs",
    ),
    Experiment(
        "datasets",
        "Digits vs clothes vs kuzushiji (same network, same budget)",
        "The video's 784-16-16-10 network, its settings and one seed, trained for the same "
        "number of mini-batches on handwritten digits (MNIST), clothes (Fashion-MNIST) and "
        "kuzushiji (KMNIST). Which is hardest (the highest test error)? Under the plots, the "
        "16 first-layer neurons of each run show what they look for on each data set.",
        "examples",
        same_budget,
    ),
)
BY_KEY = {e.key: e for e in EXPERIMENTS}
DATA_SIZES = (100, 1000, 10000)
ACTIVATION_NAMES = {"sigmoid": "sigmoid", "relu": "ReLU", "tanh": "tanh"}
WHY_FAIR = (
    "Fair: each variant trains at its own learning rate, picked by a short sweep from the same "
    "seed (the rates tried and the winner are listed below), with its standard initialisation: "
    "He N(0, 2/n_in) for ReLU, Xavier N(0, 1/n_in) for sigmoid and tanh."
)
WHY_SAME = (
    "Same settings: every run uses the video's \u03b7 = 3 and N(0, 1) weights. One learning "
    "rate and one initialisation do not suit every variant (each has its own best rate, and "
    "N(0, 1) weights saturate neurons fed by many inputs), so a variant can lose here only "
    "because these settings do not suit it. Fair mode gives each its own rate and standard "
    "initialisation."
)


def init_name(network: NetworkConfig) -> str:
    """Return the initialisation's name as the learner sees it, e.g. "He N(0, 2/n_in)"."""
    if network.init == "normal":
        return "N(0, 1) weights"
    if network.activation == "relu":
        return "He N(0, 2/n_in) weights"
    return "Xavier N(0, 1/n_in) weights"


def batches_for(epochs: int, n: int, batch_size: int) -> int:
    """Return the mini-batches of ``epochs`` epochs over n examples (a short last batch counts)."""
    return max(1, math.ceil(n / batch_size) * int(epochs))


def plan(
    key: str,
    epochs: int,
    n_train: int,
    seed: int = 0,
    mode: str = FAIR,
    seeds: int = 1,
    datasets: Sizes | None = None,
) -> list[ExperimentArm]:
    """Return the runs of experiment ``key`` for an ``epochs`` budget on ``n_train`` examples.

    ``mode`` is FAIR (standard initialisation, each variant's rate found by a sweep) or SAME (the
    video's settings for every run); ``seeds`` runs of each variant, from ``seed`` upwards.
    ``datasets`` (name, training size) are the data sets of an experiment with its own plan
    (default: DATASET_KINDS, each of ``n_train`` examples); such an experiment keeps the
    video's settings in either mode.
    """
    if key not in BY_KEY:
        raise ValueError(f"unknown experiment {key!r}; use one of {list(BY_KEY)}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {list(MODES)}")
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"the budget must be a whole number of epochs, got {epochs}")
    if int(seeds) != seeds or seeds < 1:
        raise ValueError(f"the number of seeds must be a whole number from 1, got {seeds}")
    if n_train < 1:
        raise ValueError("the training set is empty")
    own = BY_KEY[key].plan
    if own is not None:
        sizes = [(name, n_train) for name in DATASET_KINDS] if datasets is None else datasets
    elif datasets is not None:
        raise ValueError(f"experiment {key!r} trains on the data in use, not on named data sets")
    runs: list[ExperimentArm] = []
    for s in range(seed, seed + int(seeds)):
        specs = own(int(epochs), sizes, s) if own is not None else None
        for spec in specs or _plan_one(key, int(epochs), n_train, s, mode):
            runs.append(replace(spec, name=f"{spec.name}, seed {s}") if seeds > 1 else spec)
    return runs


def _plan_one(key: str, epochs: int, n_train: int, seed: int, mode: str) -> list[ExperimentArm]:
    """Return the runs of experiment ``key`` from one seed."""
    fair = mode == FAIR and key != "learning-rate"  # that one varies the rate itself
    net = replace(VIDEO_NETWORK, init="scaled") if fair else VIDEO_NETWORK
    train = VIDEO_TRAIN
    rates = SWEEP_RATES if fair else ()

    def spec(
        name, variant, network=net, t=train, size=None, batches=None, group=""
    ) -> ExperimentArm:
        n = n_train if size is None else size
        count = batches if batches is not None else batches_for(epochs, n, t.batch_size)
        return ExperimentArm(name, network, t, seed, size, count, variant, group, rates)

    if key == "learning-rate":
        return [
            spec(f"\u03b7 = {lr:g}", f"\u03b7 = {lr:g}", t=replace(train, learning_rate=lr))
            for lr in (0.3, 3, 30)
        ]
    if key == "batch-size":
        updates = batches_for(epochs, n_train, 10)  # what mini-batches of 10 make in the budget
        runs = []
        for group, count in (
            (f"{epochs} epoch{'s' if epochs > 1 else ''}", None),
            (f"{updates:,} updates", updates),
        ):
            runs += [
                spec(
                    f"m = {m}, {group}",
                    f"m = {m}",
                    t=replace(train, batch_size=m),
                    batches=count,
                    group=group,
                )
                for m in (1, 10, 100)
            ]
        return runs
    if key == "activation":
        return [
            spec(ACTIVATION_NAMES[a], ACTIVATION_NAMES[a], network=replace(net, activation=a))
            for a in ("sigmoid", "relu", "tanh")
        ]
    if key == "cost":
        return [
            spec(f"{c} cost", f"{c} cost", network=replace(net, cost=c))
            for c in ("quadratic", "cross-entropy")
        ]
    if key == "data-size":
        examples = epochs * n_train  # every run sees as many examples as the full set's budget
        sizes = sorted({min(s, n_train) for s in DATA_SIZES})
        runs = []
        for s in sizes:
            name = f"{s:,} examples" if s < n_train or s in DATA_SIZES else f"all {s:,}"
            size = s if s < n_train else None
            runs.append(spec(name, name, size=size, batches=math.ceil(examples / train.batch_size)))
        return runs
    if key == "architecture":
        wide = replace(net, sizes=(784, 100, 10))
        return [spec("784-16-16-10", "784-16-16-10"), spec("784-100-10", "784-100-10", wide)]
    raise AssertionError(f"no plan for {key!r}")  # BY_KEY and this function disagree


def sweep_key(spec: ExperimentArm) -> tuple:
    """Return what a sweep depends on: runs that share it share one sweep (equal updates)."""
    return (spec.network, spec.train.batch_size, spec.train_size, spec.seed, spec.dataset)


def trial(spec: ExperimentArm, rate: float) -> ExperimentArm:
    """Return the sweep's trial of ``spec`` at ``rate``: a fresh network, SWEEP_EXAMPLES at most."""
    m = spec.train.batch_size
    examples = min(SWEEP_EXAMPLES, spec.batches * m)
    return replace(
        spec,
        name=f"{spec.variant}: \u03b7 = {rate:g} (sweep)",
        train=replace(spec.train, learning_rate=rate),
        batches=max(1, math.ceil(examples / m)),
        rates=(),
    )


def with_rate(spec: ExperimentArm, rate: float) -> ExperimentArm:
    """Return ``spec`` trained at the rate its sweep picked, named with it and its initialisation,
    e.g. "ReLU, \u03b7 = 0.3, He init, seed 1"."""
    name, _, seed = spec.name.partition(", seed ")
    short = init_name(spec.network).split(" ")[0]
    name = f"{name}, \u03b7 = {rate:g}, {short} init" + (f", seed {seed}" if seed else "")
    return replace(spec, name=name, train=replace(spec.train, learning_rate=rate), rates=())


@dataclass(frozen=True)
class SweepResult:
    """What a learning-rate sweep measured for one variant and seed, and the rate it picked."""

    variant: str
    seed: int
    rates: tuple[float, ...]
    accuracies: tuple[float, ...]  # on the held-out images; NaN where the trial diverged
    costs: tuple[float, ...]
    examples: int  # training examples each trial saw
    validation: int  # held-out training images each trial was judged on

    @property
    def best(self) -> float:
        """Return the picked rate (``pick_rate``)."""
        return pick_rate(self.rates, self.accuracies, self.costs)

    def describe(self) -> str:
        """Return the rates tried with their accuracies, and the winner, in one line."""
        best = self.best
        tried = ", ".join(
            f"{r:g}: "
            + ("diverged" if math.isnan(a) else f"{100 * a:.1f}%")
            + (" \u2190 picked" if r == best else "")
            for r, a in sorted(zip(self.rates, self.accuracies))
        )
        return f"{self.variant} (seed {self.seed}): \u03b7 {tried}"


def pick_rate(
    rates: tuple[float, ...], accuracies: tuple[float, ...], costs: tuple[float, ...]
) -> float:
    """Return the rate with the highest accuracy; a tie goes to the lower cost, then the lower
    rate. A diverged trial (NaN) never wins unless every trial diverged (then the lowest rate)."""
    if not rates:
        raise ValueError("a sweep needs at least one rate")

    def score(i: int) -> tuple:
        a, c = accuracies[i], costs[i]
        return (
            -1.0 if math.isnan(a) else a,
            -(math.inf if math.isnan(c) else c),
            -rates[i],
        )

    return rates[max(range(len(rates)), key=score)]


def _neighbour(rate: float, up: bool) -> float:
    """Return the next rate of the 1, 3, 10, 30 ... sequence above (or below) ``rate``."""
    k = math.floor(math.log10(rate))
    ladder = sorted(float(f"{m * 10.0**e:.3g}") for e in range(k - 2, k + 3) for m in (1, 3))
    if up:
        return next(r for r in ladder if r > rate * 1.01)
    return next(r for r in reversed(ladder) if r < rate / 1.01)


def next_rate(rates: tuple[float, ...], accuracies: tuple[float, ...], costs) -> float | None:
    """Return one more rate to try when the best so far is the smallest or largest tried (the
    best may lie beyond), up to SWEEP_EXTRA beyond SWEEP_RATES on each side; else None."""
    best = pick_rate(rates, accuracies, costs)
    low, high = min(rates), max(rates)
    if len(rates) < 2 or best not in (low, high):
        return None
    top, bottom = SWEEP_RATES[-1], SWEEP_RATES[0]
    for _ in range(SWEEP_EXTRA):
        top, bottom = _neighbour(top, True), _neighbour(bottom, False)
    if best == high and high < top:
        return _neighbour(high, True)
    if best == low and low > bottom:
        return _neighbour(low, False)
    return None


def split_validation(data: MnistData, seed: int = 0) -> tuple[MnistData, Dataset]:
    """Return the training set without its held-out images, and those images (a seeded draw of
    VALIDATION, at most a sixth of the set) on which the sweep judges its trials."""
    train = data.train
    n = min(VALIDATION, len(train) // 6)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    order = rng.permutation(len(train))
    held, rest = np.sort(order[:n]), np.sort(order[n:])
    name = f"{train.name} ({len(rest):,} of {len(train):,})"
    part = MnistData(
        Dataset(train.images[rest], train.labels[rest], name),
        data.test,
        f"{data.source} ({len(rest):,} of {len(train):,} training examples)",
        data.class_names,
    )
    return part, Dataset(train.images[held], train.labels[held], f"{train.name} (held out)")


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
        data.class_names,
    )
