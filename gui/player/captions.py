"""The captions of "Play one step": each beat named in the video's terms, with its live numbers.

Every number in a caption is read from the same ``BeatValues`` the diagram paints for that beat
(or from the story those values come from), so the sentence and the picture cannot disagree.
Classes are called by the data's names when given ("a Sneaker"), else by their digits.
"""

from __future__ import annotations

import numpy as np

from engine.core.update import decay_factor
from engine.lessons.nudges import nudge_symbol
from engine.lessons.step_beats import EDGE_KINDS, PHASE_TITLES, Beat, BeatValues
from engine.lessons.step_story import StepStory
from engine.words import a as a_
from engine.words import compared
from gui.colors import palette

Names = tuple[str, ...]


def called(names: Names, label: int) -> str:
    """Return class ``label``'s name ("7", "Sneaker"): its number when no names are given."""
    return names[label] if 0 <= label < len(names) else str(label)


def num(x: float) -> str:
    """Return a number with 3 significant digits and an explicit sign for the captions."""
    return f"{float(x):+.3g}".replace("-", "\u2212")


def plain(x: float) -> str:
    """Return a number with 3 significant digits, minus sign typeset."""
    return minus(f"{float(x):.3g}")


def minus(text: str) -> str:
    """Return ``text`` with its minus signs typeset."""
    return text.replace("-", "\u2212")


def layer_name(sizes: tuple[int, ...], layer: int) -> str:
    """Return 'input', 'hidden k' or 'output' for neuron layer ``layer``."""
    if layer == 0:
        return "input"
    return "output" if layer == len(sizes) - 1 else f"hidden {layer}"


def neuron_name(sizes: tuple[int, ...], layer: int, index: int, names: Names = ()) -> str:
    """Return a short name: 'pixel (r, c)', 'hidden 2 #5', 'output 7' or 'output Sneaker'."""
    if layer == 0:
        side = int(round(np.sqrt(sizes[0])))
        return f"pixel ({index // side}, {index % side})"
    if layer == len(sizes) - 1:
        return f"output {called(names, index)}"
    return f"hidden {layer} #{index}"


def strongest_edge(
    sizes: tuple[int, ...], values: BeatValues, layer: int, names: Names = ()
) -> tuple[str, float]:
    """Return the name and value of weight layer ``layer``'s largest |value| on the beat's edges."""
    edges = np.asarray(values.edges[layer])
    j, i = np.unravel_index(int(np.argmax(np.abs(edges))), edges.shape)
    source = neuron_name(sizes, layer, int(i), names)
    name = f"{source} \u2192 {neuron_name(sizes, layer + 1, int(j), names)}"
    return name, float(edges[j, i])


def title(story: StepStory, beat: Beat, names: Names = ()) -> str:
    """Return the beat's headline: its phase and where in the mini-batch it is."""
    m = story.batch_size
    head = PHASE_TITLES[beat.phase]
    if beat.phase == "mini-batch":
        return f"{head} \u2014 {beat.added} of {m} examples"
    if beat.phase in ("forward", "cost", "backward"):
        label = called(names, int(story.labels[beat.example]))
        return f"{head} \u2014 example {beat.example + 1} of {m}, {a_(label)}"
    return head


def caption(story: StepStory, beat: Beat, values: BeatValues, names: Names = ()) -> str:
    """Return the beat's caption: a headline, a newline, and what the diagram shows, in numbers.

    ``names`` are the data's class names (one per output); empty: the outputs' digits.
    """
    if len(names) != story.sizes[-1]:
        names = ()
    return f"{title(story, beat, names)}\n{_body(story, beat, values, names)}"


def _body(story: StepStory, beat: Beat, values: BeatValues, names: Names) -> str:
    """Return the sentence under the headline."""
    sizes = story.sizes
    last = len(sizes) - 1
    cfg = story.train_config
    m = story.batch_size
    i = beat.example
    shown = EDGE_KINDS[values.edge_kind]  # what the diagram's edges draw in this beat
    if beat.phase == "before":
        return (
            f"The next real mini-batch: {m} examples, learning rate \u03b7 = {cfg.learning_rate:g}."
            f" Its mean cost now is {plain(story.cost_before)}. Edges show {shown}."
        )
    if beat.phase == "forward" and beat.layer == 0:
        what = "digit" if not names or names == tuple(map(str, range(len(names)))) else "image"
        return f"The {what} enters as {sizes[0]} input activations, one per pixel, 0 to 1."
    if beat.phase == "forward":
        a = values.activations[beat.layer]
        if beat.layer == last:
            guess = int(np.argmax(a))
            verdict = "right" if guess == int(story.labels[i]) else "wrong"
            return (
                f"The output layer guesses {called(names, guess)} (a = {plain(a[guess])}); the "
                f"label is {called(names, int(story.labels[i]))}: {verdict}. Edges show {shown}."
            )
        j = int(np.argmax(a))
        return (
            f"{layer_name(sizes, beat.layer).capitalize()}: a = \u03c3(w\u00b7a + b) for each "
            f"neuron. Brightest: {neuron_name(sizes, beat.layer, j)}, a = {plain(a[j])}. "
            f"Edges show {shown}."
        )
    if beat.phase == "cost":
        nudges = values.nudges[-1]
        label = int(story.labels[i])
        others = [j for j in range(len(nudges)) if j != label]
        worst = min(others, key=lambda j: nudges[j]) if others else label
        formula = (
            "\u00bd\u03a3(a_j \u2212 y_j)\u00b2"
            if story.before.config.cost == "quadratic"
            else "\u2212\u03a3 y_j ln a_j"
        )
        cost = story.before.config.cost
        return (
            f"This example's cost C_x = {formula} = {plain(story.costs[i])}. Desired nudges "
            f"{nudge_symbol(cost)} = y \u2212 a: output {called(names, label)} "
            f"{num(nudges[label])}, output {called(names, worst)} {num(nudges[worst])} "
            f"(arrows: up {palette().positive_word}, down {palette().negative_word})."
        )
    if beat.phase == "backward":
        name, v = strongest_edge(sizes, values, beat.layer, names)
        into = beat.layer + 1
        where = (
            "\u03b4 = \u2202C/\u2202z at the output (BP1)"
            if into == last
            else f"\u03b4 flows back into {layer_name(sizes, into)}: "
            "w\u1d40\u03b4 \u00b7 \u03c3'(z) (BP2)"
        )
        return f"{where}; edges show {shown}. Strongest wish: {name}, {num(v)}."
    if beat.phase == "mini-batch":
        name, v = strongest_edge(sizes, values, last - 1, names)
        return (
            f"Example {i + 1} ({a_(called(names, int(story.labels[i])))}) added: edges show the "
            "running sum "
            f"\u2212\u03a3 a_in\u00b7\u03b4_out of {beat.added} of {m} examples. "
            f"On {name}: {num(v)}."
        )
    if beat.phase == "average":
        name, v = strongest_edge(sizes, values, last - 1, names)
        return (
            f"Divide the sum by {m}: the average wanted change \u2212\u2202C/\u2202w, downhill "
            f"for the mini-batch's cost. Largest into the output: {name}, {num(v)}."
        )
    if beat.phase == "update":
        name, v = strongest_edge(sizes, values, last - 1, names)
        rule = f"\u0394w = \u03b7 \u00d7 average, \u03b7 = {cfg.learning_rate:g}"
        if cfg.momentum > 0:
            rule = (
                f"\u0394w = v = \u03b7 \u00d7 average + {cfg.momentum:g} \u00d7 the last step "
                f"(momentum), \u03b7 = {cfg.learning_rate:g}"
            )
        if cfg.l2 > 0:
            factor = decay_factor(cfg.learning_rate, cfg.l2, story.before.n_train)
            rule += (
                f", after L2 multiplied w by 1 \u2212 \u03b7\u03bb/n = {factor:.6g} "
                "(\u0394w includes that shrinking)"
            )
        return f"The trainer's real update: {rule}. Largest into the output: {name}, {num(v)}."
    before, after, word = compared(story.cost_before, story.cost_after, digits=3)
    moved = ""
    if i >= 0 and values.activations[-1] is not None:  # the example played, on the new network
        label = int(story.labels[i])
        was, now, way = compared(story.activations[-1][i][label], values.activations[-1][label], 3)
        name = called(names, label)
        guess = called(names, int(np.argmax(values.activations[-1])))
        moved = (
            f" Example {i + 1}, {a_(name)}, on the new network: output {name} went from {was} to "
            f"{now} ({way}), guess {guess}."
        )
    return (
        f"Step taken: the mini-batch's mean cost went from {minus(before)} to {minus(after)} "
        f"({word}).{moved} Training continues from exactly this network."
    )
