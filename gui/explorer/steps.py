"""The explorer's twelve steps in one table: every fact about a step, in one row.

Each row says what the panel shows at that step: its number (counted from 1, as the learner reads
them), title and the video's idea, which explanation (``text.explanation``), the page that fills
the content (its class, built once by the panel), the layer diagram's overlay (None: no diagram),
the equations lit, and how the step chooses the parameter BP3/BP4 show. Nothing else in the
explorer counts steps: a new step is a new row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from gui.explorer import diagram as overlays
from gui.explorer.backward import BackPage, OutputPage
from gui.explorer.data_amount import DataAmountPage
from gui.explorer.descent import DescentPage, LineSearchPage
from gui.explorer.diagram import LayerDiagram
from gui.explorer.forward import CostPage, ForwardPage, NudgePage
from gui.explorer.gradient import BatchPage, CheckPage, GradientPage
from gui.explorer.state import ExplorerState
from gui.explorer.steepest import SteepestPage
from gui.explorer.text import HIDDEN, OUTPUT, SELECTED

Overlay = Callable[[LayerDiagram, ExplorerState], None]


@dataclass(frozen=True)
class ExplorerStep:
    """One step of the explorer: what it is called and everything the panel shows for it."""

    number: int  # 1 .. N_STEPS
    key: str  # names the step's explanation in ``text``
    title: str
    idea: str  # the video's idea, after "In the video: "
    page: Callable[[], QWidget]  # builds the step's page (the panel builds each once)
    overlay: Overlay | None  # the layer diagram's overlay; None: the diagram is hidden
    equations: tuple[str, ...]  # BP1-BP4 lit; with ``parameter`` SELECTED, only the selected's
    parameter: str = OUTPUT  # the parameter BP3/BP4 show: text.OUTPUT, HIDDEN or SELECTED
    averaged: bool = False  # about the mini-batch mean: BP3/BP4 add it, the bias row only if chosen
    reveals: bool = False  # the diagram lights up one layer per tick on arriving
    full_batch: bool = False  # the page uses the whole training set in use


STEPS = (
    ExplorerStep(
        1, "forward", "Forward pass",
        "the network is a function: each layer's activations determine the next layer's",
        ForwardPage, overlays.forward_overlay, (), reveals=True,
    ),
    ExplorerStep(
        2, "cost", "Cost of this example",
        "the cost of one training example: how far each output is from what we want",
        CostPage, overlays.cost_overlay, (),
    ),
    ExplorerStep(
        3, "nudges", "Desired nudges of the outputs",
        "desired nudges: the correct output should go up, the others down, each in proportion to "
        "how far it is from its target",
        NudgePage, overlays.nudge_overlay, ("BP1",),
    ),
    ExplorerStep(
        4, "output", "Three ways to change one output neuron",
        "three ways to increase an activation: the bias, the weights (in proportion to a; "
        "neurons that fire together wire together) and the previous activations (in proportion "
        "to w)",
        OutputPage, overlays.output_overlay, ("BP1", "BP3", "BP4"),
    ),
    ExplorerStep(
        5, "backward", "Propagate backwards",
        "propagating backwards: add up the desires of every neuron of the next layer, then repeat "
        "layer by layer",
        BackPage, overlays.backward_overlay, ("BP2", "BP3"), parameter=HIDDEN,
    ),
    ExplorerStep(
        6, "average", "Average over the mini-batch",
        "averaging the desired changes over the training examples: that average is the negative "
        "gradient",
        BatchPage, None, ("BP3", "BP4"), parameter=SELECTED, averaged=True,
    ),
    ExplorerStep(
        7, "sensitivity", "The gradient as sensitivity",
        "the gradient as the sensitivity of the cost to each weight and bias: which nudges give "
        "the most bang for the buck",
        GradientPage, None, ("BP3", "BP4"), parameter=SELECTED, averaged=True,
    ),
    ExplorerStep(
        8, "check", "Check it",
        "backpropagation computes that gradient exactly: checked here against the derivative's "
        "definition",
        CheckPage, None, ("BP3", "BP4"), parameter=SELECTED, averaged=True,
    ),
    ExplorerStep(
        9, "mini-batches", "Why mini-batches",
        "mini-batches: a small random batch gives a rough but cheap estimate of the gradient over "
        "all the training data",
        LineSearchPage, None, (), averaged=True, full_batch=True,
    ),
    ExplorerStep(
        10, "steepest", "Steepest descent",
        "the negative gradient is the direction of steepest descent: it lowers the cost fastest",
        SteepestPage, None, (), averaged=True, full_batch=True,
    ),
    ExplorerStep(
        11, "drunk-man", "A drunk man stumbling downhill",
        "stochastic gradient descent: a drunk man stumbling quickly downhill, rather than a "
        "careful man computing every step on the whole data",
        DescentPage, None, (), averaged=True, full_batch=True,
    ),
    ExplorerStep(
        12, "data", "Lots of labelled data",
        "all of this needs lots of labelled training data: MNIST's 60,000 labelled digits",
        DataAmountPage, None, (), averaged=True, full_batch=True,
    ),
)  # fmt: skip
N_STEPS = len(STEPS)


def step_row(number: int) -> ExplorerStep:
    """Return the row of step ``number`` (1 .. N_STEPS)."""
    if not 1 <= number <= N_STEPS:
        raise ValueError(f"the explorer has steps 1 to {N_STEPS}, not {number}")
    return STEPS[number - 1]
