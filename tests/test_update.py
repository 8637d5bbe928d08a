"""One update rule: Teach, the step story and the explorer take the trainer's step, bit for bit.

``engine.core.update`` is the only module that writes w <- (1 - eta*lambda/n) w + mu v - (eta/m) sum
nabla C_x; a source scan finds the formula written anywhere else in the engine or the views that
show a step (``engine.core.reference``, the independent plain copy the tests check against, aside).
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import numpy as np
import pytest
from trained import trainer_after

from engine.core import update
from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, to_inputs
from engine.lessons.descent_paths import full_states
from engine.lessons.explorer import Exploration, explored_network
from engine.lessons.explorer_gradient import sgd_step
from engine.lessons.full_batch import full_gradient
from engine.lessons.step_story import finish_story, prepare_story
from engine.lessons.teach import teach_step
from engine.session.snapshot import take_snapshot

ROOT = Path(__file__).resolve().parent.parent
SIZES = (784, 12, 8, 10)
SCANNED = ("engine", "gui/explorer", "gui/player", "gui/pad")
THE_RULE = {
    "engine/core/update.py",
    "engine/core/reference.py",
}  # the rule, and its independent check
RATE = r"[\w.]*\b(?:eta|lr|learning_rate)\b"
GRADIENT = r"[\w.]*\b(?:g|gi|grad\w*|nabla\w*|delta\w*|\w*_avg)\b"
UPDATE_WRITES = (
    re.compile(rf"[-+]=\s*\(?\s*-?\s*{RATE}\s*\*"),  # p -= eta * g, v += lr * avg
    re.compile(rf"{RATE}\s*/\s*(?:m|batch_size|len)\b"),  # the step's factor -eta / m
    re.compile(rf"{RATE}\s*\*\s*[\w.]*\b(?:l2|lam\w*)\b"),  # the decay 1 - eta * lambda / n
    re.compile(rf"-\s*\(?\s*{RATE}\s*\)?\s*\*\s*{GRADIENT}"),  # the step -eta * gradient
    re.compile(rf"\w\s*-\s*{RATE}\s*\*\s*{GRADIENT}"),  # w - eta * gradient
)


def code_lines(source: str) -> dict[int, str]:
    """Return each line's code without comments and words (docstrings state the rule).

    An f-string's replacement fields are code and stay: ``f"{-eta * g}"`` computes a step.
    """
    words = {tokenize.COMMENT, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", None)}
    layout = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    lines: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        text = tok.string
        if tok.type == tokenize.STRING and re.match(r"[rbuRBU]*[fF]", text):
            text = " ".join(re.findall(r"\{([^{}]*)\}", text))  # before Python 3.12: one token
        elif tok.type in words or tok.type in layout:
            continue
        lines[tok.start[0]] = lines.get(tok.start[0], "") + " " + text
    return lines


def update_writes(source: str) -> list[tuple[int, str]]:
    """Return the lines of code that write a part of the SGD update themselves."""
    found = []
    for number, line in sorted(code_lines(source).items()):
        text = re.sub(r"\s+", " ", line)
        text = re.sub(r" ?([.(\[]) ?", r"\1", text)  # "cfg . learning_rate" -> "cfg.learning_rate"
        if any(p.search(text) for p in UPDATE_WRITES):
            found.append((number, text.strip()))
    return found


def test_the_scan_finds_a_planted_update_and_ignores_words() -> None:
    planted = (
        '"""The step is w <- w - eta * nabla C, as the book says."""\n'
        "def step(params, grads, eta, cfg, m, n):\n"
        "    # p -= eta * g: written in a comment, not code\n"
        "    for p, g in zip(params, grads):\n"
        "        p -= eta * g\n"
        "    scale = -cfg.learning_rate / m\n"
        "    decay = 1.0 - cfg.learning_rate * cfg.l2 / n\n"
        "    w = params[0] - eta * grads[0]\n"
        "    shown = -cfg.learning_rate * gradient\n"
        "    length = eta * size\n"
        '    print(f"step {fmt(-eta * c.delta)}, rate {eta:g}")\n'
    )
    assert [n for n, _ in update_writes(planted)] == [5, 6, 7, 8, 9, 11]


def test_no_module_but_engine_update_writes_the_update() -> None:
    found = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in THE_RULE:
                continue
            found += [f"{name}:{n}: {text}" for n, text in update_writes(path.read_text())]
    assert not found, "the SGD update written outside engine/core/update.py:\n" + "\n".join(found)


def seeded_trainer(digits, config: TrainConfig, batches: int = 4) -> Trainer:
    """Return a trainer on the fake digits a few mini-batches in (momentum has a past)."""
    images, labels = digits
    return trainer_after(NetworkConfig(sizes=SIZES), images, labels, config, batches, 3, 11)


def test_teach_takes_the_trainers_step_bit_for_bit(tiny_digits) -> None:
    images, labels = tiny_digits
    net = Network(NetworkConfig(sizes=SIZES), np.random.default_rng(3))
    one = Trainer(net.copy(), images[5:6], labels[5:6], TrainConfig(2.5, batch_size=1), seed=0)
    one.step_batch()
    taught = teach_step(net, to_inputs(images[5:6])[0], int(labels[5]), 2.5)
    for k in range(len(SIZES) - 1):
        np.testing.assert_array_equal(net.params[k], one.network.params[k])
        np.testing.assert_array_equal(taught.step_w[k], one.last_step()[k][:, :-1])
        np.testing.assert_array_equal(taught.step_b[k], one.last_step()[k][:, -1])
    assert np.abs(taught.step_w[0]).max() > 1e-6  # a real step, not two zeros agreeing


@pytest.mark.parametrize(
    "config",
    [TrainConfig(2.0), TrainConfig(momentum=0.9), TrainConfig(momentum=0.5, l2=20.0)],
)
def test_the_step_storys_prediction_is_the_trainers_step_bit_for_bit(tiny_digits, config) -> None:
    images, _ = tiny_digits
    trainer = seeded_trainer(tiny_digits, config)
    before = take_snapshot(trainer, images)
    story = prepare_story(trainer, images, config, before)
    predicted = [story.predicted_change(k) for k in range(len(SIZES) - 1)]  # before the step
    trainer.step_batch()
    story = finish_story(story, take_snapshot(trainer, images))
    for k, (dw, db) in enumerate(predicted):
        w, b = story.change(k)  # after - before, what the trainer did
        np.testing.assert_array_equal(dw, w)
        np.testing.assert_array_equal(db, b)
        assert np.abs(w).max() > 1e-6


@pytest.mark.parametrize("config", [TrainConfig(2.0), TrainConfig(momentum=0.5, l2=20.0)])
def test_the_explorer_undoes_the_trainers_step_and_takes_it_again(tiny_digits, config) -> None:
    images, _ = tiny_digits
    trainer = seeded_trainer(tiny_digits, config)
    params_before = [p.astype(np.float64) for p in trainer.network.params]
    trainer.step_batch()
    snap = take_snapshot(trainer, images)
    undone = explored_network(snap)  # the rule's inverse, in float64
    for p, want, after in zip(undone.params, params_before, trainer.network.params):
        size = np.maximum(np.abs(after), np.abs(want)).astype(np.float32)
        ulp = np.spacing(size).astype(np.float64)  # of the trainer's float32
        assert (np.abs(p - want) <= 2 * ulp).all()  # exact up to the rounding of the step taken
    e = Exploration(snap, images[int(trainer.last_batch[-1])], int(snap.batch_labels[-1]))
    step = sgd_step(e)  # the explorer's plain step on that mini-batch, the rule's, in float64
    if config.momentum == 0 and config.l2 == 0:  # then it is the step training took
        for mine, taken in zip(step.step_w, snap.step_w):
            np.testing.assert_allclose(mine, taken, rtol=1e-4, atol=1e-7)


def test_the_careful_walkers_step_is_the_rules_plain_step(tiny_digits) -> None:
    images, labels = tiny_digits
    net = Network(NetworkConfig(sizes=SIZES), np.random.default_rng(3))
    states, _, first = full_states(net, images[:100], labels[:100], 1.5, 1)
    twin = net.copy()
    grad = full_gradient(twin, images[:100], labels[:100])
    assert np.array_equal(first.flat, grad.flat)
    update.apply_gradient(twin.params, grad.grid, 1.5)
    np.testing.assert_array_equal(states[1], np.concatenate([p.ravel() for p in twin.params]))
    assert not np.array_equal(states[0], states[1])
