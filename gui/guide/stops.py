"""The guided path through the video's ideas: the stops, their words, and their answers.

Pure data and NumPy, no widgets: each stop says what to read, which view to open, what to try
(and which real action counts as having tried it), and a question to answer before the answer is
shown; its ``reveal_*`` function computes the answer, and the sentence that states it, from the
engine's own numbers of the moment. No answer is written in advance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.core.training import to_inputs
from engine.lessons import explorer_gradient as eg
from engine.lessons import full_batch as fb
from engine.lessons.data_amount import AmountResult, amounts_for
from engine.lessons.explorer import Exploration
from engine.lessons.steepest_descent import steepest_descent
from engine.lessons.step_story import StepStory
from engine.lessons.teach import TeachResult
from engine.session.snapshot import network_of

NUDGE_DW = 0.25  # the sensitivity question nudges the chosen weight by this much
N_DIRECTIONS = 50  # random directions the steepest-descent reveal compares -g with
FULL_EXAMPLES = 2000  # training images the drunk-man reveal's "whole data" gradient is over
FEW_BEATEN = 5  # "a few" random directions, in the steepest-descent question

# The real actions a try-it waits for.
STEP_PLAYED = "step_played"  # Play one step took a step and its animation started
EXPLORE_DRAWING = "explore_drawing"  # the explorer explores the digit on the pad
TEACH = "teach"  # one SGD step on the pad's digit (Teach it)
CHOOSE_OUTPUT = "choose_output"  # step 4: another output neuron chosen
BACK_SLIDER = "back_slider"  # step 5: the deltas propagated to another layer
NUDGE_SLIDER = "nudge_slider"  # step 7's "nudge this weight" slider moved
STEP_BATCH = "step_batch"  # one mini-batch stepped (Step mini-batch)
DRUNK_VIEWS = "drunk_views"  # step 11 drawn at equal steps, after its equal-work default
DATA_AMOUNT = "data_amount"  # step 12 trained its networks on growing amounts of data


@dataclass(frozen=True)
class View:
    """What a stop opens: a tab, an explorer step, a diagram mode, the pad."""

    tab: str  # "network" or "explorer"
    explorer_step: int | None = None
    edge_mode: str | None = None
    pad: bool = False


@dataclass(frozen=True)
class Stop:
    """One idea of the video: words, a view, a try-it and a predict-then-reveal question."""

    key: str
    title: str
    text: str
    view: View
    try_it: str  # what to do, in words
    try_label: str  # the Try-it button, which does it for the learner
    event: str  # the action that completes the try-it, one of the constants above
    question: str
    choices: str  # which answers are offered: see ``choices``
    start_here: bool = False  # the first action is the Try it, before any prediction


STOPS = (
    Stop(
        "play",
        "Start here: one real step of learning",
        "One step of training holds the whole video. Start here takes the next real "
        "mini-batch step of this network and plays it on the diagram with the live numbers: "
        "each example forward, its cost, the nudges its outputs want, the wishes carried "
        "backwards, their average, and the update. P pauses and plays; , and . go back and on "
        "by one beat.",
        View("network"),
        "Play one step (P, or the toolbar's Play one step) and watch it to the end.",
        "Start here: play one step",
        STEP_PLAYED,
        "The step moves every weight by the mini-batch's average wish. Did the cost of every "
        "example in that mini-batch go down?",
        "every_example",
        start_here=True,
    ),
    Stop(
        "cost",
        "The cost of one example",
        "The network's ten outputs a are compared with what we want, y: 1 for the right digit, "
        "0 for the others. This app's cost of one example is "
        "C_x = \u00bd \u03a3 (a \u2212 y)\u00b2, half the sum of the "
        "squared differences (the \u00bd as in Nielsen's book; the video leaves it out, "
        "so its costs are twice these). It is small when the network is right "
        "and confident, and large when it is wrong.",
        View("explorer", explorer_step=2, pad=True),
        "Draw a digit on the pad (or load a test digit), then choose View > Explore the drawn "
        "digit (Ctrl+E) and read each output's share \u00bd (a \u2212 y)\u00b2.",
        "Try it: explore the pad's digit (Ctrl+E)",
        EXPLORE_DRAWING,
        "Which output neuron adds the most to this example's cost?",
        "outputs",
    ),
    Stop(
        "nudges",
        "Desired nudges on the outputs",
        "For this example we want the right output to go up and every other output to go down, "
        "each in proportion to how far it is from its target. Those wishes are the nudges "
        "\u2212dC/da the outputs ask for.",
        View("explorer", explorer_step=3, pad=True),
        "On the pad, pick the right digit under Teach it and press 'Apply one SGD step': the "
        "right output goes up and the others go down.",
        "Try it: teach it this digit",
        TEACH,
        "After one step on your digit, will its cost go up or down?",
        "up_down",
    ),
    Stop(
        "three-ways",
        "Three ways to change an activation",
        "An output neuron's activation can rise three ways: raise its bias, raise the weights "
        "from bright neurons (in proportion to their activation), or change the previous "
        "layer's activations (in proportion to the weights).",
        View("explorer", explorer_step=4),
        "Choose another output neuron in step 4 and compare its three ways.",
        "Try it: choose another output",
        CHOOSE_OUTPUT,
        "Which neuron of the last hidden layer sends the weight into the correct output that "
        "wants to change most?",
        "hidden",
    ),
    Stop(
        "backwards",
        "Propagating backwards",
        "Each output's wishes for the previous layer are added up into one desired change per "
        "hidden neuron, and the same recipe repeats layer by layer, back to the first hidden "
        "layer: that is backpropagation.",
        View("explorer", explorer_step=5),
        "Move the 'back to layer' slider in step 5 to carry the wishes one layer further back.",
        "Try it: carry the wishes back",
        BACK_SLIDER,
        "Which neuron of the last hidden layer wants to change most (largest |dC/da|)?",
        "hidden",
    ),
    Stop(
        "averaging",
        "Averaging: the negative gradient",
        "One example wants its own changes; another wants others. The step adds up the wishes of "
        "every example in the mini-batch and divides by their number: that average is minus "
        "the gradient, \u2212dC/dw, and each weight moves by \u03b7 times it. Play one step shows "
        "the sum growing example by example, then the average.",
        View("explorer", explorer_step=6),
        "Play one step again (P) and watch the 'sum and average' phase.",
        "Try it: play one step (P)",
        STEP_PLAYED,
        "Take the weight the step's first example most wants to change. Will the step move it "
        "the way that example wants?",
        "agree",
    ),
    Stop(
        "sensitivity",
        "The gradient: how sensitive the cost is to each weight",
        "The gradient has one number per weight and bias: how much the cost changes per unit "
        "nudge of it. A weight whose number is large matters a lot right now; one near zero "
        "barely matters. Its sign says which way to nudge to make the cost go up.",
        View("explorer", explorer_step=7),
        "Move the 'Nudge this weight' slider: the real change of the cost stays close to "
        "dC/dw x dw for small nudges.",
        "Try it: nudge the weight",
        NUDGE_SLIDER,
        f"Nudge the selected weight (or bias) by +{NUDGE_DW:g}: will the mini-batch cost go up "
        "or down?",
        "up_down",
    ),
    Stop(
        "steepest",
        "Steepest descent",
        "Of all the ways to change the weights by a step of one length, the negative gradient "
        "lowers the cost fastest: it is the direction of steepest descent. Step 10 measures the "
        "cost after steps at every angle from it.",
        View("explorer", explorer_step=10),
        "Read step 10, then take one step straight down the slope: Step mini-batch (the Right "
        "arrow key).",
        "Try it: step one mini-batch",
        STEP_BATCH,
        f"Step along \u2212g, or along {N_DIRECTIONS} random directions of the same length: how "
        "many of the random directions lower this mini-batch's cost more than \u2212g does?",
        "beaten",
    ),
    Stop(
        "drunk",
        "A drunk man stumbling downhill: mini-batches",
        "The gradient over all the training data is slow to compute for every step. A small "
        "random mini-batch gives a rough but cheap estimate: many quick, slightly drunk steps "
        "downhill instead of a few careful ones. Step 9 shows how rough one mini-batch's "
        "estimate is; step 11 follows both walkers.",
        View("explorer", explorer_step=11),
        "Step 11 opens at equal work: the careful walker's steps against the drunk one's for as "
        "many images looked at. Press 'Equal steps' to see the same walkers step for step.",
        "Try it: show step 11 at equal steps",
        DRUNK_VIEWS,
        "This mini-batch's gradient estimates the gradient over the whole training data. How far "
        "off is its direction?",
        "angle",
    ),
    Stop(
        "data",
        "Lots of labelled data",
        "All of this needs training examples with the right answers. With few of them the "
        "network can drive its training cost down by memorising them, and still fail on digits "
        "it has never seen. Step 12 trains the same network on more and more labelled digits.",
        View("explorer", explorer_step=12),
        "Press 'Train the networks' in step 12 and let them finish.",
        "Try it: train the networks",
        DATA_AMOUNT,
        "Every network sees the same number of examples in all, repeats included. Which one "
        "scores highest on test digits none of them trained on?",
        "amounts",
    ),
)
BY_KEY = {s.key: s for s in STOPS}


def choices(
    stop: Stop, sizes: Sequence[int] = (784, 16, 16, 10), n_train: int = 10000
) -> list[str]:
    """Return the answers offered for ``stop`` (network of ``sizes``, ``n_train`` examples)."""
    kind = stop.choices
    if kind == "outputs":
        return [f"output {j}" for j in range(sizes[-1])]
    if kind == "hidden":
        return [f"neuron {j}" for j in range(sizes[-2])]
    if kind == "up_down":
        return ["up", "down"]
    if kind == "every_example":
        return ["yes, every example's cost went down", "no, some example's cost went up"]
    if kind == "agree":
        return ["yes, the way it wants", "no, the other examples outvote it"]
    if kind == "beaten":
        return ["none of them", f"a few (1 to {FEW_BEATEN})", f"more than {FEW_BEATEN}"]
    if kind == "angle":
        return [
            "under 30\u00b0: almost the same way",
            "30\u00b0 to 90\u00b0: off, but still downhill",
            "over 90\u00b0: uphill",
        ]
    return [f"{n:,} labelled examples" for n in amounts_for(n_train)]


@dataclass(frozen=True)
class Reveal:
    """The right answer (an index into the choices) and the sentence with the real numbers."""

    answer: int
    text: str

    def verdict(self, guess: int) -> str:
        """Return the reveal as the learner reads it, starting with whether they were right."""
        return ("Right. " if guess == self.answer else "Not this time. ") + self.text


def layer_names(n: int) -> list[str]:
    """Return the names of n neuron layers as the diagram shows them: input, hidden k, output."""
    return ["input"] + [f"hidden {k}" for k in range(1, n - 1)] + ["output"]


def example_costs_after(story: StepStory) -> np.ndarray:
    """Return each of the step's examples' cost C_x on the network after the step, shape (m,)."""
    net = network_of(story.after)
    out = net.feedforward(to_inputs(story.images, net.dtype))
    y = net.one_hot(story.labels)
    return np.array([float(net.cost.fn(out[i : i + 1], y[i : i + 1])) for i in range(len(y))])


def reveal_step_costs(story: StepStory) -> Reveal:
    """Stop 1: whether the step lowered every example's cost, from the costs before and after."""
    before, after = np.asarray(story.costs, np.float64), example_costs_after(story)
    m = story.batch_size
    fell = int(np.count_nonzero(after < before))
    mean = (
        f"The mini-batch's mean cost went from {story.cost_before:.4f} to {story.cost_after:.4f}."
    )
    if fell == m:
        i = int(np.argmax(before - after))
        return Reveal(
            0,
            f"All {m} examples' costs went down; the most, example {i + 1} (a "
            f"{int(story.labels[i])}): {before[i]:.4f} to {after[i]:.4f}. {mean}",
        )
    i = int(np.argmax(after - before))
    return Reveal(
        1,
        f"{fell} of {m} examples' costs went down and {m - fell} went up: example {i + 1} (a "
        f"{int(story.labels[i])}) rose from {before[i]:.4f} to {after[i]:.4f}. The step follows "
        f"the average wish, not each example's. {mean}",
    )


def most_wanted_weight(story: StepStory, example: int = 0) -> tuple[int, int, int]:
    """Return (layer, out, in) of the weight ``example`` wants to change most, -dC_x/dw."""
    best = max(
        range(len(story.deltas)),
        key=lambda k: float(np.max(np.abs(story.wanted_change(example, k)))),
    )
    wanted = story.wanted_change(example, best)
    out, col = np.unravel_index(int(np.argmax(np.abs(wanted))), wanted.shape)
    return best, int(out), int(col)


def reveal_agreement(story: StepStory) -> Reveal:
    """The averaging stop: did the step move the first example's most wanted weight its way?"""
    layer, out, col = most_wanted_weight(story)
    m = story.batch_size
    wishes = np.array([story.wanted_change(i, layer)[out, col] for i in range(m)])
    average = float(story.average(layer)[0][out, col])
    moved = float(story.change(layer)[0][out, col])
    agreed = moved * wishes[0] > 0
    names = layer_names(len(story.sizes))
    raised = int(np.count_nonzero(wishes > 0))
    return Reveal(
        0 if agreed else 1,
        f"Example 1 (a {int(story.labels[0])}) wants the weight from {names[layer]} neuron {col} "
        f"into {names[layer + 1]} neuron {out} changed by {wishes[0]:+.5f} (\u2212dC_x/dw). "
        f"{raised} of {m} examples want it raised; their average wish is {average:+.5f}, which "
        f"is \u2212dC/dw, and the step moved it by {moved:+.5f}: "
        + ("the way example 1 wanted." if agreed else "against example 1: the others outvoted it."),
    )


def reveal_cost_term(e: Exploration) -> Reveal:
    """The cost stop: the output with the largest share of C_x, with its share and the total."""
    terms = e.cost_breakdown()
    j = int(np.argmax(terms))
    a = e.activations(e.n_layers)
    quadratic = e.network.cost.name == "quadratic"
    share = f"\u00bd(a \u2212 y)\u00b2 = {terms[j]:.4f}" if quadratic else f"{terms[j]:.4f}"
    total = "C_x = \u00bd\u03a3(a \u2212 y)\u00b2" if quadratic else "C_x"
    return Reveal(
        j,
        f"Output {j} adds {share} of this example's cost {total} = {e.cost:.4f} (its "
        f"activation a is {a[j]:.3f}, its target y {e.y[j]:g}).",
    )


def reveal_nudge(e: Exploration, param: tuple[int, int, int], dw: float = NUDGE_DW) -> Reveal:
    """The sensitivity stop: the sign of the real change of the mini-batch cost when param moves."""
    n = eg.nudge(e, *param, dw)
    g = e.batch_gradient(*param)
    return Reveal(
        0 if n.real > 0 else 1,
        f"The cost goes {'up' if n.real > 0 else 'down'} by {abs(n.real):.5f}; the gradient "
        f"predicted {g:.5f} x {dw:g} = {n.predicted:.5f} (dC/dw x dw).",
    )


def reveal_teach(result: TeachResult) -> Reveal:
    """The nudges stop: whether one step on the example lowered its cost, how the outputs moved."""
    change = result.outputs_after - result.outputs_before
    others = [j for j in range(len(change)) if j != result.label]
    down = sum(change[j] < 0 for j in others)
    went = "down" if result.cost_after < result.cost_before else "up"
    return Reveal(
        1 if went == "down" else 0,
        f"The cost went {went}: {result.cost_before:.4f} to {result.cost_after:.4f}. Output "
        f"{result.label} moved by {change[result.label]:+.4f}, and {down} of the other "
        f"{len(others)} outputs went down.",
    )


def reveal_strongest_weight(e: Exploration) -> Reveal:
    """The three-ways stop: the weight into the correct output whose desired change is largest."""
    c = e.output_change(e.label)
    wanted = -c.weight_gradients  # the change this example wants: -a_k * delta (BP4)
    k = int(np.argmax(np.abs(wanted)))
    a = e.activations(e.n_layers - 1)
    return Reveal(
        k,
        f"The weight from neuron {k} (activation {a[k]:.3f}) into output {e.label} wants a "
        f"change of {wanted[k]:+.5f} (-a x delta): the brightest neurons' weights matter most.",
    )


def reveal_hidden_desire(e: Exploration) -> Reveal:
    """The backwards stop: the last hidden layer's neuron with the largest |dC/da|."""
    d = e.record.dc_da[-2][0]
    k = int(np.argmax(np.abs(d)))
    return Reveal(
        k,
        f"Neuron {k} wants the largest change: -dC/da = {-d[k]:+.5f}, the sum of the wishes "
        f"of all {e.sizes[-1]} outputs (w x delta).",
    )


def reveal_steepest(e: Exploration, learning_rate: float, n_random: int = N_DIRECTIONS) -> Reveal:
    """The steepest stop: how many random directions of -g's length lower the cost more than -g."""
    s = steepest_descent(e.network, e.batch_images, e.batch_labels, learning_rate, n_random)
    more = int(np.count_nonzero(s.random_changes < s.gradient_change))
    answer = 0 if more == 0 else 1 if more <= FEW_BEATEN else 2
    return Reveal(
        answer,
        f"A step along \u2212g (length {s.step_length:.4f}) changed this mini-batch's cost by "
        f"{s.gradient_change:+.5f}; the best of {n_random} random directions of the same length "
        f"by {float(np.min(s.random_changes)):+.5f}. {more} of them lowered it more than "
        "\u2212g did.",
    )


def gradient_angle(e: Exploration, images: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
    """Return the angle in degrees between the mini-batch's gradient and the gradient over a
    seeded draw of up to FULL_EXAMPLES of ``images``, and the number drawn."""
    n = min(FULL_EXAMPLES, len(labels))
    rows = np.sort(np.random.default_rng(0).choice(len(labels), n, replace=False))
    whole = fb.full_gradient(e.network, images[rows], np.asarray(labels)[rows]).flat
    batch = fb.full_gradient(e.network, e.batch_images, e.batch_labels).flat
    cosine = float(np.dot(whole, batch) / (np.linalg.norm(whole) * np.linalg.norm(batch)))
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))), n


def reveal_drunk(e: Exploration, images: np.ndarray, labels: np.ndarray) -> Reveal:
    """The drunk-man stop: how far the mini-batch's gradient points from the whole data's."""
    angle, n = gradient_angle(e, images, labels)
    answer = 0 if angle < 30 else 1 if angle < 90 else 2
    verdict = (
        "almost the same way.",
        "off, yet still downhill: to first order a step along it lowers the whole data's cost "
        "too. A drunk man's step.",
        "uphill for the whole data: to first order this step raises its cost.",
    )[answer]
    return Reveal(
        answer,
        f"The gradient of this mini-batch of {len(e.batch_labels)} points {angle:.1f}\u00b0 away "
        f"from the gradient over {n:,} training images: {verdict}",
    )


def reveal_amounts(results: Sequence[AmountResult]) -> Reveal:
    """The data stop: which amount of labelled data gave the highest test accuracy."""
    k = int(np.argmax([r.accuracy for r in results]))
    each = ", ".join(f"{r.n_examples:,}: {100 * r.accuracy:.1f}%" for r in results)
    return Reveal(
        k,
        f"The network trained on {results[k].n_examples:,} labelled examples scored highest on "
        f"the test digits ({each}).",
    )
