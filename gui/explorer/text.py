"""The explorer's words as pure text: explanations and the BP1-BP4 box (titles: ``steps``)."""

from __future__ import annotations

import html
import re
from typing import Protocol

import numpy as np

from engine.lessons.explorer import Exploration
from engine.words import quantity
from gui.colors import css, palette
from gui.explorer.state import ExplorerState


class ExplorerStep(Protocol):
    """What the equations read of a step (``steps.ExplorerStep``; not imported: steps imports
    the pages, which import this module, and a loop would follow)."""

    parameter: str
    equations: tuple[str, ...]


OUTPUT = "output"  # BP3/BP4 show the weight into the chosen output neuron that matters most
HIDDEN = "hidden"  # the strongest weight into the chosen hidden neuron
SELECTED = "selected"  # the parameter the learner selected

SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(value: float) -> str:
    """Return a number as the explorer prints it: four significant digits, never "-0"."""
    return f"{float(value) + 0.0:.4g}"


def short_name(param: tuple[int, int, int], sizes: tuple[int, ...]) -> str:
    """Return a parameter's plain-text name, w²[out←in] or b²[out], the layer as a superscript."""
    layer, out, col = param
    top = str(layer + 1).translate(SUPERSCRIPTS)
    return f"b{top}[{out}]" if col == sizes[layer] else f"w{top}[{out}←{col}]"


def param_symbol(param: tuple[int, int, int], sizes: tuple[int, ...]) -> str:
    """Return "b" for a bias and "w" for a weight."""
    layer, _, col = param
    return "b" if col == sizes[layer] else "w"


def param_name(param: tuple[int, int, int], sizes: tuple[int, ...]) -> str:
    """Return a parameter in the book's notation: w^(l)_jk or b^(l)_j, l the target layer."""
    layer, out, col = param
    if col == sizes[layer]:
        return f"b<sup>{layer + 1}</sup><sub>{out}</sub>"
    return f"w<sup>{layer + 1}</sup><sub>{out},{col}</sub>"


def plain(html: str) -> str:
    """Return text without its HTML tags."""
    return re.sub(r"<[^>]+>", "", html)


def direction(change: float) -> str:
    """Return "raise it" or "lower it" for the sign of a change."""
    return "raise it" if change > 0 else "lower it" if change < 0 else "leave it"


def agreement(wanted: float, taken: float) -> str:
    """Return whether the step taken went the way one example wanted."""
    if wanted == 0 or taken == 0:
        return ""
    if (wanted > 0) == (taken > 0):
        return "; the batch agreed"
    return "; the others outvoted it"


def explanation(key: str, e: Exploration, names: tuple[str, ...] = ()) -> str:
    """Return the two or three sentences that explain a step (by its key), in the app's words.

    ``names`` are the data's class names, one per output ("Sneaker"); empty: the digits.
    """
    softmax = e.sigma_prime(e.n_layers) is None
    m = len(e.batch_labels)
    digits = all(n == str(j) for j, n in enumerate(names))
    kind = "digit" if digits else "class"
    label = html.escape(names[e.label]) if e.label < len(names) else e.label
    test_images = "test digits" if digits else "test images"
    texts = {
        "forward": (
            "Each neuron multiplies the activations of the previous layer by its weights, adds "
            "them up with its bias, and squashes the sum z with its activation function. The "
            "pixels are layer 0; layer by layer the activations are computed until the output "
            "layer gives the network's answer. Click a neuron to see its sum with the live "
            "numbers."
        ),
        "cost": (
            "How wrong is the network on this one example? We want output 1 for the correct "
            f"{kind} ({label}) and 0 for the others; the cost adds up how far each output is from "
            "that, and each bar is one output neuron's share. This app's cost is &frac12;&Sigma;(a "
            "&minus; y)<sup>2</sup>, as in Nielsen's book; the video writes &Sigma;(a &minus; "
            "y)<sup>2</sup> without the &frac12;, so its costs are twice ours, its gradient "
            "&part;C/&part;a is 2(a &minus; y) where ours is a &minus; y, and its desired nudges, "
            "the negative gradient, are 2(y &minus; a) where ours are y &minus; a: the same "
            "directions, twice as long."
            if not softmax
            else "How wrong is the network on this one example? The cross-entropy cost is "
            f"&minus;ln a<sub>{e.label}</sub>: large when the correct {kind} ({label}) gets a low "
            "probability. Softmax outputs share a total of 1, so raising the right one lowers all "
            "the others."
        ),
        "nudges": (
            "To lower the cost, the correct output should rise and every other output fall. The "
            "arrow beside each output neuron is its desired nudge "
            "&minus;&part;C/&part;a<sub>j</sub> = y<sub>j</sub> &minus; a<sub>j</sub> (with the "
            "video's cost, without the &frac12;, it is 2(y<sub>j</sub> &minus; a<sub>j</sub>)): "
            "its length says how much that change would help. Backpropagation starts here."
            if not softmax
            else "To lower the cost, the correct output should rise and every other output fall. "
            "With softmax one output cannot move alone, so the arrows show the desired nudge of "
            "each weighted input, &minus;&part;C/&part;z<sub>j</sub> = y<sub>j</sub> &minus; "
            "a<sub>j</sub>, which is &minus;&delta;<sup>L</sup> itself."
        ),
        "output": (
            "An output neuron can change in three ways: its bias, its weights, or the activations "
            "feeding it. This example wants each weight to change by "
            "&minus;a<sub>k</sub>&delta;<sub>j</sub> (minus its gradient), so the links from the "
            f"brightest inputs change most: into the correct {kind} they grow (fire together, wire "
            "together). The wished-for change of each previous activation is in proportion to its "
            "weight. These are one example's wishes; the step itself follows the mean over the "
            "mini-batch."
        ),
        "backward": (
            "A hidden neuron hears a wish from every neuron of the next layer, "
            "&minus;w<sub>kj</sub>&delta;<sub>k</sub>; added up they give the desired change "
            "&minus;&part;C/&part;a<sub>j</sub>. The gradient &part;C/&part;a<sub>j</sub> = "
            "&Sigma; w<sub>kj</sub>&delta;<sub>k</sub>, times &sigma;'(z<sub>j</sub>) its "
            "&delta;<sub>j</sub>. Repeated layer by layer back to the first hidden layer, this "
            "gives &delta; on every neuron and so the gradient of every weight and bias, for this "
            "one example."
        ),
        "average": (
            "One example alone would pull the network toward just that image, so SGD averages the "
            f"desired changes of all {quantity(m, 'example')} of the mini-batch: the average is "
            "exactly the negative of the mini-batch gradient, the change the whole mini-batch "
            "wants. The step moves every parameter by &eta; times that average (&minus;&eta; "
            "times the gradient); the costs after it are computed on a copy of the network."
        ),
        "sensitivity": (
            "The gradient has one entry per weight and bias: how sensitive the mini-batch cost is "
            "to it. Nudge a weight by &Delta;w and compare the real change of the cost with the "
            "prediction &part;C/&part;w&middot;&Delta;w: close for small nudges, apart for large "
            "ones, because the cost is curved."
        ),
        "check": (
            "Is backpropagation right? Move one parameter up and down by &epsilon; = "
            "10<sup>-5</sup> and measure the slope of the cost directly. Backprop here runs in "
            "double precision and the estimate in extended precision, so they agree to many "
            "digits."
        ),
        "mini-batches": (
            f"The mini-batch gradient is a quick estimate, from {quantity(m, 'example')}, of the "
            "gradient over the whole training set in use. The curves show the cost on all of it "
            "as the network moves along each direction; the mini-batch step stumbles a little, "
            "but it costs a tiny fraction of a full-batch one, so many quick steps win."
        ),
        "steepest": (
            "Steepest descent: the negative gradient &minus;&nabla;C is the direction in which "
            "the cost decreases most quickly. Turn a step of the same length by every angle from "
            "&minus;g, or point it along random directions, and measure the real change of the "
            "cost. In thousands of dimensions a random direction is almost perpendicular to g."
        ),
        "drunk-man": (
            "Stochastic gradient descent is less like a careful man walking downhill and more "
            "like a drunk man stumbling quickly down it: each mini-batch step is a little off, "
            "but many of them cost what one careful full-gradient step does. Both paths start "
            "here."
        ),
        "data": (
            "All of this needs lots of labelled training data: the network learns only from "
            "examples whose right answer it is told. The same network trained on more labelled "
            f"examples gets more {test_images} right (MNIST has 60,000)."
        ),
    }
    return texts[key]


def equations_html(state: ExplorerState, step: ExplorerStep) -> str:
    """Return BP1-BP4 with a step's highlighted and the live numbers substituted.

    Every substituted value names its quantity: C_x for this one example, or the mini-batch
    mean. Where the step shows the SELECTED parameter (BP3 for a bias, BP4 for a weight), its
    equation is the one highlighted.
    """
    s = state
    e = s.exploration
    last = e.n_layers
    c = e.output_change(s.target)
    j = s.target
    one = " <i>(C<sub>x</sub>, this example)</i>"
    if np.isnan(c.sigma_prime):
        bp1 = (
            f"&delta;<sup>L</sup> = a<sup>L</sup> &minus; y (softmax with cross-entropy)<br>"
            f"&nbsp;&nbsp;&delta;<sup>{last}</sup><sub>{j}</sub> = "
            f"{fmt(e.activations(last)[j])} &minus; {e.y[j]:.0f} = {fmt(c.delta)}{one}"
        )
    else:
        bp1 = (
            "&delta;<sup>L</sup> = &part;C/&part;a<sup>L</sup> &#8857; &sigma;'(z<sup>L</sup>)"
            f"<br>&nbsp;&nbsp;&delta;<sup>{last}</sup><sub>{j}</sub> = {fmt(c.dc_da)} &times; "
            f"{fmt(c.sigma_prime)} = {fmt(c.delta)}{one}"
        )
    bp2 = (
        "&delta;<sup>l</sup> = ((w<sup>l+1</sup>)<sup>T</sup> &delta;<sup>l+1</sup>) &#8857; "
        "&sigma;'(z<sup>l</sup>)"
    )
    if s.hidden is not None:
        h = e.hidden_change(*s.hidden)
        bp2 += (
            f"<br>&nbsp;&nbsp;&delta;<sup>{h.layer}</sup><sub>{h.index}</sub> = "
            f"{fmt(h.dc_da)} &times; {fmt(h.sigma_prime)} = {fmt(h.delta)}{one}"
        )
    bp3 = "&part;C/&part;b<sup>l</sup><sub>j</sub> = &delta;<sup>l</sup><sub>j</sub>"
    bp4 = (
        "&part;C/&part;w<sup>l</sup><sub>jk</sub> = a<sup>l-1</sup><sub>k</sub> "
        "&delta;<sup>l</sup><sub>j</sub>"
    )
    layer, out, col = equation_parameter(state, step)
    delta = float(e.record.deltas[layer][0, out])
    mean = ""
    if step.averaged:
        mean = f"; mini-batch mean {fmt(e.batch_gradient(layer, out, col))}"
    if col == e.sizes[layer] or not step.averaged:  # one example's: the bias of that neuron too
        bp3 += (
            f"<br>&nbsp;&nbsp;&part;C<sub>x</sub>/&part;b<sup>{layer + 1}</sup><sub>{out}</sub>"
            f" = {fmt(delta)}{one}{mean}"
        )
    if col < e.sizes[layer]:
        a = float(e.activations(layer)[col])
        bp4 += (
            f"<br>&nbsp;&nbsp;&part;C<sub>x</sub>/&part;w<sup>{layer + 1}</sup><sub>{out},"
            f"{col}</sub> = {fmt(a)} &times; {fmt(delta)} = {fmt(a * delta)}{one}{mean}"
        )
    rows = []
    lit = highlighted_equations(state, step)
    dim = palette().dim  # equations that are not this step's
    for name, body in (("BP1", bp1), ("BP2", bp2), ("BP3", bp3), ("BP4", bp4)):
        on = name in lit
        colour = css(palette().highlight if on else dim)
        weight = "bold" if on else "normal"
        rows.append(
            f"<p style='color:{colour}; font-weight:{weight}; margin:4px'>"
            f"{name}&nbsp;&nbsp;{body}</p>"
        )
    note = (
        f"<p style='margin:4px; color:{css(dim)}'><small>The four equations of "
        "backpropagation with the live numbers; layer 0 is the input. C<sub>x</sub>: this one "
        "example's cost; training steps by the mini-batch mean.</small></p>"
    )
    return "".join(rows) + note


def highlighted_equations(state: ExplorerState, step: ExplorerStep) -> tuple[str, ...]:
    """Return the equations a step is about; for a SELECTED parameter, the one that holds it."""
    if step.parameter == SELECTED:
        layer, _, col = equation_parameter(state, step)
        lit = "BP3" if col == state.exploration.sizes[layer] else "BP4"
        return tuple(name for name in step.equations if name == lit)
    return step.equations


def equation_parameter(state: ExplorerState, step: ExplorerStep) -> tuple[int, int, int]:
    """Return the parameter whose numbers BP3 or BP4 show for a step.

    SELECTED: the selected parameter. HIDDEN: the strongest weight into the hidden neuron.
    OUTPUT (and HIDDEN with no hidden layer): the weight into the chosen output neuron with the
    largest |a_k delta_j|, the one step 4's sentence names.
    """
    s = state
    e = s.exploration
    if step.parameter == SELECTED:
        return s.param
    layer, out = e.n_layers - 1, s.target
    if step.parameter == HIDDEN and s.hidden is not None:
        layer, out = s.hidden[0] - 1, s.hidden[1]
    col = int(np.argmax(np.abs(e.activations(layer) * e.record.deltas[layer][0, out])))
    return layer, out, col
