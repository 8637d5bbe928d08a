"""Play one step, the engine half: every value the animation draws against backprop and the step."""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from trained import trainer_after

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer, to_inputs
from engine.lessons.step_beats import beat_values, example_order, plan_beats
from engine.lessons.step_story import finish_story, prepare_story
from engine.session.snapshot import network_of, take_snapshot
from gui.player.captions import caption

SIZES = (784, 12, 8, 10)


def make_trainer(digits, config: TrainConfig, sizes=SIZES, batches: int = 5) -> Trainer:
    """Return a trainer on the fake digits after a few mini-batches (so momentum has a past)."""
    images, labels = digits
    return trainer_after(NetworkConfig(sizes=sizes), images, labels, config, batches, 3, 11)


def told_step(trainer: Trainer, images: np.ndarray):
    """Return the story of the trainer's next step, told before and after the trainer takes it."""
    before = take_snapshot(trainer, images)
    story = prepare_story(trainer, images, trainer.config, before)
    trainer.step_batch()
    return finish_story(story, take_snapshot(trainer, images))


def all_values(story, focus: int = 0):
    """Return the beats and each beat's values, as the painter is given them."""
    beats = plan_beats(story, focus)
    order = example_order(story, focus)
    return beats, [beat_values(story, b, order) for b in beats]


def test_peek_next_batch_is_the_batch_the_next_step_takes(tiny_digits) -> None:
    images, labels = tiny_digits
    trainer = Trainer(
        Network(NetworkConfig(sizes=(784, 5, 10)), np.random.default_rng(0)),
        images[:95],
        labels[:95],
        TrainConfig(batch_size=20),
        seed=4,
    )
    for _ in range(12):  # across an epoch's end, its short last batch of 15 included
        peeked = trainer.peek_next_batch()
        trainer.step_batch()
        np.testing.assert_array_equal(peeked, trainer.last_batch)
    assert trainer.peek_next_batch(7).shape == (7,)


def test_values_drawn_equal_network_backprop_and_the_trainers_step(tiny_digits) -> None:
    images, _ = tiny_digits
    trainer = make_trainer(tiny_digits, TrainConfig(learning_rate=3.0, batch_size=10))
    net_before = trainer.network.copy()
    story = told_step(trainer, images)
    np.testing.assert_array_equal(story.indices, trainer.last_batch)
    x = to_inputs(images[story.indices], net_before.dtype)
    record = net_before.backprop(x, story.labels)  # an independent run of the same network
    ws = trainer.workspace  # what the trainer computed for its step
    beats, values = all_values(story)
    m, n_layers = story.batch_size, len(SIZES) - 1
    focus = beats[1].example
    for beat, v in zip(beats, values):
        if beat.phase == "forward":  # activations and w*a, layer by layer
            for k in range(n_layers + 1):
                if k <= beat.layer:
                    np.testing.assert_array_equal(v.activations[k], record.activations[k][focus])
                else:
                    assert v.activations[k] is None
            for k in range(n_layers):
                expected = net_before.weights[k] * record.activations[k][focus]
                if k >= beat.layer:
                    expected = np.zeros_like(expected)
                np.testing.assert_allclose(v.edges[k], expected, rtol=1e-6)
        if beat.phase == "cost":  # the nudges -dC/da = y - a (quadratic)
            y = np.eye(10)[story.labels[focus]]
            np.testing.assert_allclose(v.nudges[-1], y - record.activations[-1][focus], atol=1e-6)
        if beat.phase == "backward":  # -a_in * delta_out from the backward pass
            for k in range(beat.layer, n_layers):
                nabla_w, nabla_b = record.per_example(focus)
                np.testing.assert_allclose(v.edges[k], -nabla_w[k], rtol=1e-5, atol=1e-9)
                np.testing.assert_allclose(v.rings[k], -nabla_b[k], rtol=1e-5, atol=1e-9)
                np.testing.assert_allclose(
                    story.deltas[k], ws.deltas[k], rtol=1e-5, atol=1e-7
                )  # and the trainer's own deltas
        if beat.phase == "mini-batch":  # a running sum, in the order shown
            shown = example_order(story, 0)[: beat.added]
            summed = sum(-record.per_example(i)[0][-1] for i in shown)
            tol = 1e-6 * np.abs(summed).max()  # float32 terms, summed in another order
            np.testing.assert_allclose(v.edges[-1], summed, rtol=1e-5, atol=tol)
    sums = [v for b, v in zip(beats, values) if b.phase == "mini-batch"]
    assert len(sums) == m
    average = values[[b.phase for b in beats].index("average")]
    update = values[[b.phase for b in beats].index("update")]
    for k in range(n_layers):
        np.testing.assert_allclose(sums[-1].edges[k] / m, average.edges[k], rtol=1e-12)
        np.testing.assert_allclose(average.edges[k], -record.nabla_w[k], rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(average.rings[k], -record.nabla_b[k], rtol=1e-5, atol=1e-9)
        # The update shown is exactly what happened to the weights, and it is -eta * dC/dw.
        moved = np.asarray(trainer.network.weights[k], np.float64) - net_before.weights[k]
        np.testing.assert_array_equal(update.edges[k], moved)
        ulp = 2 * float(np.spacing(np.abs(net_before.weights[k]).max()))  # w + step rounds
        np.testing.assert_allclose(update.edges[k], 3.0 * average.edges[k], rtol=1e-4, atol=ulp)
        np.testing.assert_allclose(
            update.edges[k], trainer.last_step()[k][:, :-1], rtol=1e-4, atol=ulp
        )
    assert story.cost_before == pytest.approx(record.cost, rel=1e-5)
    after = network_of(story.after).mean_cost(x, story.labels)
    assert story.cost_after == pytest.approx(float(after))
    np.testing.assert_array_equal(values[-1].edges[0], trainer.network.weights[0])
    np.testing.assert_array_equal(values[0].edges[0], net_before.weights[0])


@pytest.mark.parametrize(
    "config",
    [TrainConfig(momentum=0.9), TrainConfig(l2=50.0), TrainConfig(momentum=0.5, l2=20.0)],
)
def test_momentum_and_l2_update_shown_is_the_trainers_real_update(tiny_digits, config) -> None:
    images, _ = tiny_digits
    trainer = make_trainer(tiny_digits, config)
    w_before = [np.asarray(w, np.float64) for w in trainer.network.weights]
    b_before = [np.asarray(b, np.float64) for b in trainer.network.biases]
    story = told_step(trainer, images)
    beats, values = all_values(story)
    update = values[[b.phase for b in beats].index("update")]
    for k in range(len(SIZES) - 1):
        np.testing.assert_array_equal(update.edges[k], trainer.network.weights[k] - w_before[k])
        np.testing.assert_array_equal(update.rings[k], trainer.network.biases[k] - b_before[k])
        dw, db = story.predicted_change(k)  # the rule, momentum and decay included
        np.testing.assert_array_equal(update.edges[k], dw)  # as the trainer runs it: same bits
        np.testing.assert_array_equal(update.rings[k], db)
    text = caption(story, beats[-2], update)
    if config.momentum:  # the step applied is the velocity, momentum times the last one added
        assert (
            f"\u0394w = v = \u03b7 \u00d7 average + {config.momentum:g} \u00d7 the last step"
            in text
        )
    else:
        assert "\u0394w = \u03b7 \u00d7 average" in text
    if config.l2:  # L2 multiplies w by 1 - eta lambda / n; it does not subtract eta lambda / n
        factor = read(text, "L2 multiplied w by 1 \u2212 \u03b7\u03bb/n =")
        n = story.before.n_train
        assert factor == pytest.approx(1 - config.learning_rate * config.l2 / n, rel=1e-6)
        assert "shrinks w by" not in text
    else:
        assert "L2" not in text


def test_beats_follow_the_video_with_any_example_in_full(tiny_digits) -> None:
    images, _ = tiny_digits
    story = told_step(make_trainer(tiny_digits, TrainConfig(batch_size=6)), images)
    beats = plan_beats(story, focus=3)
    phases = [b.phase for b in beats]
    assert phases == (
        ["before"]
        + ["forward"] * 4
        + ["cost"]
        + ["backward"] * 3
        + ["mini-batch"] * 6
        + ["average", "update", "after"]
    )
    assert [b.layer for b in beats if b.phase == "forward"] == [0, 1, 2, 3]
    assert [b.layer for b in beats if b.phase == "backward"] == [2, 1, 0]
    assert {b.example for b in beats if b.phase in ("forward", "cost", "backward")} == {3}
    assert [b.example for b in beats if b.phase == "mini-batch"] == [3, 0, 1, 2, 4, 5]
    assert [b.added for b in beats if b.phase == "mini-batch"] == [1, 2, 3, 4, 5, 6]
    full = next(b for b in beats if b.phase == "mini-batch")
    fast = [b for b in beats if b.phase == "mini-batch"][1:]
    assert all(b.seconds < full.seconds for b in fast)
    with pytest.raises(ValueError, match="example must be in 0 .. 5"):
        plan_beats(story, focus=6)


NUMBER = r"([\u2212+-]?\d+(?:\.\d+)?(?:e[\u2212+-]?\d+)?)"


def read(text: str, pattern: str) -> float:
    """Return the number after ``pattern`` in a caption, typeset minus signs undone."""
    found = re.search(re.escape(pattern) + r"\s*" + NUMBER, text)
    assert found, (pattern, text)
    return float(found.group(1).replace("\u2212", "-"))


def test_captions_state_the_numbers_the_diagram_is_given(tiny_digits) -> None:
    images, _ = tiny_digits
    story = told_step(make_trainer(tiny_digits, TrainConfig()), images)
    beats, values = all_values(story)
    i = beats[1].example
    label = int(story.labels[i])
    for beat, v in zip(beats, values):
        text = caption(story, beat, v)
        if beat.phase == "forward" and beat.layer == len(SIZES) - 1:
            guess = int(np.argmax(v.activations[-1]))
            assert f"guesses {guess} (a = " in text
            assert read(text, "(a =") == pytest.approx(v.activations[-1][guess], abs=5e-3)
        if beat.phase == "cost":
            assert read(text, "C_x = \u00bd\u03a3(a_j \u2212 y_j)\u00b2 =") == pytest.approx(
                story.costs[i], rel=5e-3
            )
            assert read(text, f"output {label}") == pytest.approx(v.nudges[-1][label], rel=5e-3)
            assert (read(text, f"output {label}") > 0) == (v.nudges[-1][label] > 0)
        if beat.phase in ("backward", "mini-batch", "average", "update"):
            layer = beat.layer if beat.phase == "backward" else len(SIZES) - 2
            edges = v.edges[layer]
            strongest = edges.flat[int(np.argmax(np.abs(edges)))]
            value = float(re.findall(NUMBER, text.rsplit(",", 1)[-1].rsplit(":", 1)[-1])[-1]
                          .replace("\u2212", "-"))  # fmt: skip
            assert value == pytest.approx(strongest, rel=5e-3)
            assert np.sign(value) == np.sign(strongest)
        if beat.phase == "mini-batch":
            assert f"{beat.added} of {story.batch_size} examples" in text
    end = caption(story, beats[-1], values[-1])
    assert read(end, "went from") == pytest.approx(story.cost_before, rel=5e-3)
    assert read(end, "to") == pytest.approx(story.cost_after, rel=5e-3)
    assert story.cost_after < story.cost_before  # one step on a learnable batch helps it


@pytest.mark.parametrize("change", [-2e-5, 2e-5, 0.0])
def test_the_last_caption_shows_cost_digits_that_differ_or_says_the_same(tiny_digits, change):
    images, _ = tiny_digits
    story = told_step(make_trainer(tiny_digits, TrainConfig()), images)
    story = replace(story, cost_after=story.cost_before * (1.0 + change))  # a near tie
    beats, values = all_values(story)
    end = caption(story, beats[-1], values[-1])
    before, after = read(end, "went from"), read(end, "to")
    for shown, value in ((before, story.cost_before), (after, story.cost_after)):
        printed = re.search(r"\d+\.(\d+)", f"{shown}")
        assert abs(shown - value) <= 0.51 * 10.0 ** -len(printed.group(1))  # rounded, as shown
    if change == 0.0:
        assert before == after and "(the same)" in end
    else:
        assert before != after  # the digits shown differ
        assert f"({'lower' if change < 0 else 'higher'})" in end
