"""The guided path through the video's ideas: the stops, their words, and their answers.

Pure data and NumPy, no widgets: each stop says what to read, which view to open, what to try
(and which real action counts as having tried it), and a question to answer before the next step;
its ``reveal_*`` function computes the answer from the engine's own numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine import explorer_gradient as eg
from engine.explorer import Exploration
from engine.runs import Run
from engine.snapshot import Snapshot
from engine.teach import TeachResult

NUDGE_DW = 0.25  # the question of stop 2 nudges the chosen weight by this much

# The real actions a try-it waits for.
EXPLORE_DRAWING = "explore_drawing"  # the explorer explores the digit on the pad
NUDGE_SLIDER = "nudge_slider"  # step 7's "nudge this weight" slider moved
TEACH = "teach"  # one SGD step on the pad's digit (Teach it)
CHOOSE_OUTPUT = "choose_output"  # step 4: another output neuron chosen
BACK_SLIDER = "back_slider"  # step 5: the deltas propagated to another layer
STEP_BATCH = "step_batch"  # one mini-batch stepped (Step mini-batch)
BATCH_EXPERIMENT = "experiment:batch-size"  # the mini-batch experiment ran to its end
DATA_EXPERIMENT = "experiment:data-size"  # the labelled-data experiment ran to its end


@dataclass(frozen=True)
class View:
    """What a stop opens: a tab, an explorer step, a diagram mode, the pad, an experiment."""

    tab: str  # "network", "explorer" or "compare"
    explorer_step: int | None = None
    edge_mode: str | None = None
    pad: bool = False
    experiment: str | None = None


@dataclass(frozen=True)
class Stop:
    """One idea of the video: words, a view, a try-it and a predict-then-reveal question."""

    key: str
    title: str
    text: str
    view: View
    try_it: str
    event: str  # the action that completes the try-it, one of the constants above
    question: str
    choices: str  # "outputs", "hidden", "up_down", "layers", "batch_sizes" or "data_sizes"


STOPS = (
    Stop(
        "cost",
        "The cost of one example",
        "The network's ten outputs are compared with what we want: 1 for the right digit, 0 for "
        "the others. The cost of this one example adds up the squares of the differences, so it "
        "is small when the network is right and confident, and large when it is wrong.",
        View("explorer", explorer_step=2, pad=True),
        "Draw a digit on the pad (or load a test digit), then choose View > Explore the drawn "
        "digit (Ctrl+E) and read its cost.",
        EXPLORE_DRAWING,
        "Which output neuron adds the most to this example's cost?",
        "outputs",
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
        NUDGE_SLIDER,
        f"Nudge the selected weight (or bias) by +{NUDGE_DW:g}: will the mini-batch cost go up "
        "or down?",
        "up_down",
    ),
    Stop(
        "nudges",
        "Desired nudges on the outputs",
        "For this example we want the right output to go up and every other output to go down, "
        "each in proportion to how far it is from its target. Those wishes are the nudges "
        "-dC/da the outputs ask for.",
        View("explorer", explorer_step=3, pad=True),
        "On the pad, pick the right digit under Teach it and press 'Apply one SGD step': the "
        "right output goes up and the others go down.",
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
        BACK_SLIDER,
        "Which neuron of the last hidden layer wants to change most (largest |dC/da|)?",
        "hidden",
    ),
    Stop(
        "averaging",
        "Averaging over examples",
        "One example wants its own changes; another wants others. The step averages the wishes "
        "of every example in the mini-batch, and that average is minus the gradient. The "
        "diagram now draws the update each step applies.",
        View("network", edge_mode="update"),
        "Press Step mini-batch (the right arrow key) and find the edge that moved most in the "
        "diagram.",
        STEP_BATCH,
        "In the next step, which layer's weights will have the single largest change?",
        "layers",
    ),
    Stop(
        "sgd",
        "Mini-batches and stochastic gradient descent",
        "Computing the gradient over all the training data for every step is slow. Averaging "
        "over a small random mini-batch gives a noisy but cheap estimate: many quick, slightly "
        "drunk steps downhill instead of few careful ones.",
        View("compare", experiment="batch-size"),
        "Run the experiment 'Mini-batch 1 / 10 / 100' here (Runs > Experiments) and let it finish.",
        BATCH_EXPERIMENT,
        "With equal epochs, which mini-batch size ends with the highest test accuracy?",
        "batch_sizes",
    ),
    Stop(
        "data",
        "The need for lots of labelled data",
        "All of this needs training examples with the right answers. With few of them the "
        "network can drive its training cost down by memorising them, and still fail on digits "
        "it has never seen.",
        View("compare", experiment="data-size"),
        "Run the experiment '100 / 1,000 / 10,000 labelled examples' and let it finish.",
        DATA_EXPERIMENT,
        "Which run will reach the highest test accuracy?",
        "data_sizes",
    ),
)
BY_KEY = {s.key: s for s in STOPS}


def choices(stop: Stop, sizes: Sequence[int] = (784, 16, 16, 10)) -> list[str]:
    """Return the answers the learner picks from for ``stop`` (network of ``sizes``)."""
    if stop.choices == "outputs":
        return [f"output {j}" for j in range(sizes[-1])]
    if stop.choices == "hidden":
        return [f"neuron {j}" for j in range(sizes[-2])]
    if stop.choices == "up_down":
        return ["up", "down"]
    if stop.choices == "layers":
        names = layer_names(len(sizes))
        return [f"layer {k + 1}: {names[k]} to {names[k + 1]}" for k in range(len(sizes) - 1)]
    if stop.choices == "batch_sizes":
        return ["mini-batch 1", "mini-batch 10", "mini-batch 100"]
    return ["100 examples", "1,000 examples", "10,000 examples"]


@dataclass(frozen=True)
class Reveal:
    """The right answer (an index into the choices) and the sentence with the real numbers."""

    answer: int
    text: str

    def verdict(self, guess: int) -> str:
        """Return the reveal as the learner reads it, starting with whether they were right."""
        return ("Right. " if guess == self.answer else "Not this time. ") + self.text


def reveal_cost_term(e: Exploration) -> Reveal:
    """Stop 1: the output with the largest share of C_x, with its share and the total."""
    terms = e.cost_breakdown()
    j = int(np.argmax(terms))
    a = e.activations(e.n_layers)
    return Reveal(
        j,
        f"Output {j} adds {terms[j]:.4f} of this example's cost C_x = {e.cost:.4f} (its "
        f"activation is {a[j]:.3f}, its target {e.y[j]:g}).",
    )


def reveal_nudge(e: Exploration, param: tuple[int, int, int], dw: float = NUDGE_DW) -> Reveal:
    """Stop 2: the sign of the real change of the mini-batch cost when ``param`` moves by dw."""
    n = eg.nudge(e, *param, dw)
    g = e.batch_gradient(*param)
    return Reveal(
        0 if n.real > 0 else 1,
        f"The cost goes {'up' if n.real > 0 else 'down'} by {abs(n.real):.5f}; the gradient "
        f"predicted {g:.5f} x {dw:g} = {n.predicted:.5f} (dC/dw x dw).",
    )


def reveal_teach(result: TeachResult) -> Reveal:
    """Stop 3: whether one step on the example lowered its cost, and how the outputs moved."""
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
    """Stop 4: the incoming weight of the correct output whose desired change is largest."""
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
    """Stop 5: the last hidden layer's neuron with the largest |dC/da|."""
    d = e.record.dc_da[-2][0]
    k = int(np.argmax(np.abs(d)))
    return Reveal(
        k,
        f"Neuron {k} wants the largest change: -dC/da = {-d[k]:+.5f}, the sum of the wishes "
        f"of all {e.sizes[-1]} outputs (w x delta).",
    )


def reveal_moved_layer(snapshot: Snapshot) -> Reveal:
    """Stop 6: the layer whose largest |update| is the largest, from the step just taken."""
    peaks = [float(np.max(np.abs(s))) for s in snapshot.step_w]
    k = int(np.argmax(peaks))
    out, col = np.unravel_index(
        int(np.argmax(np.abs(snapshot.step_w[k]))), snapshot.step_w[k].shape
    )
    each = ", ".join(f"layer {i + 1} {p:.5f}" for i, p in enumerate(peaks))
    names = layer_names(len(snapshot.step_w) + 1)
    return Reveal(
        k,
        f"Largest |change| per layer: {each}. The edge that moved most runs from {names[k]} "
        f"neuron {col} into {names[k + 1]} neuron {out}.",
    )


def layer_names(n: int) -> list[str]:
    """Return the names of n neuron layers as the diagram shows them: input, hidden k, output."""
    return ["input"] + [f"hidden {k}" for k in range(1, n - 1)] + ["output"]


def reveal_best_run(runs: Sequence[Run], labels: Sequence[str]) -> Reveal:
    """Stops 7 and 8: the run with the highest final test accuracy among ``runs``."""
    accuracies = [r.final_accuracy() or 0.0 for r in runs]
    k = int(np.argmax(accuracies))
    each = ", ".join(f"{label} {100 * a:.1f}%" for label, a in zip(labels, accuracies))
    return Reveal(k, f"{labels[k]} reached the highest test accuracy: {each}.")
