"""Sentences built from numbers read right: "an 8", "1 test image", wherever they are shown."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from engine.lessons.insight import ConfusionResult
from engine.words import a, article, compared, quantity


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (0, "a"), (1, "a"), (7, "a"), (8, "an"), (11, "an"), (18, "an"), (80, "an"),
        (110, "a"), (180, "a"), (800, "an"), (8000, "an"), (11000, "an"), (18500, "an"),
        (111000, "a"), ("784-16-16-10", "a"), ("8-4-10", "an"), ("error", "an"),
        ("network", "a"), ("1,000", "a"), ("11,000", "an"),
    ],
)  # fmt: skip
def test_article_follows_the_spoken_number(word, expected):
    """An goes before eight, eleven, eighteen, eighty and their thousands; a before the rest."""
    assert article(word) == expected
    assert a(word) == f"{expected} {word}"


def test_quantity_agrees_with_its_number():
    """One is singular; zero, many and thousands are plural, with a thousands separator."""
    assert quantity(1, "test image") == "1 test image"
    assert quantity(0, "test image") == "0 test images"
    assert quantity(2, "mistake") == "2 mistakes"
    assert quantity(12345, "example") == "12,345 examples"
    assert quantity(1, "child", "children") == "1 child"
    assert quantity(3, "child", "children") == "3 children"


def test_confusion_cell_title_reads_an_8_and_1_test_image(qtbot):
    """The title over a cell's examples: "1 test image of an 8 mistaken for an 11"-style words."""
    from gui.insight.confusion_view import ConfusionView

    view = ConfusionView()
    qtbot.addWidget(view)
    labels = np.array([8, 8, 3, 1], np.uint8)
    predictions = np.array([8, 3, 3, 8])
    matrix = np.zeros((10, 10), np.int64)
    for t, p in zip(labels, predictions):
        matrix[t, p] += 1
    result = ConfusionResult(matrix, predictions, np.full(4, 0.9), 0.5)
    view.set_result(result, np.zeros((4, 28, 28), np.uint8), labels)
    view.show_cell(8, 3)
    assert view.strip_title.text().startswith("1 test image of an 8 mistaken for a 3")
    view.show_cell(1, 8)
    assert view.strip_title.text().startswith("1 test image of a 1 mistaken for an 8")
    view.show_cell(3, 3)
    assert view.strip_title.text().startswith("1 test image of a 3 answered right")
    view.show_cell(0, 0)
    assert view.strip_title.text().startswith("0 test images of a 0")


def test_explorer_text_for_a_mini_batch_of_one_says_1_example():
    """Steps 6 and 9 with mini-batch size 1 say "1 example", not "1 examples"."""
    from gui.explorer.text import explanation

    e = SimpleNamespace(
        batch_labels=np.array([5]), n_layers=2, label=5, sigma_prime=lambda layer: 1.0
    )
    assert "all 1 example of the mini-batch" in explanation("average", e)
    assert "from 1 example, of" in explanation("mini-batches", e)
    e.batch_labels = np.arange(10)
    assert "all 10 examples of the mini-batch" in explanation("average", e)


def test_teach_buttons_say_an_8(qtbot):
    """Each label button's tooltip reads "This drawing is an 8" or "a 7"."""
    from gui.pad.digit_panel import DigitPanel

    panel = DigitPanel()
    qtbot.addWidget(panel)
    assert panel.label_group.button(8).toolTip() == "This drawing is an 8"
    assert panel.label_group.button(7).toolTip() == "This drawing is a 7"


def test_history_labels_say_1_example():
    """A kept snapshot after one example is described as "1 example"."""
    from engine.session.replay import KeptSnapshot

    describe = KeptSnapshot.describe
    record = SimpleNamespace(progress=0.0001, examples_seen=1, cost=float("nan"))
    assert describe(record).endswith("1 example")


def test_two_numbers_side_by_side_show_digits_that_differ_or_say_the_same():
    before, after, word = compared(0.0219743, 0.0219712)
    assert (before, after, word) == ("0.021974", "0.021971", "lower")
    assert compared(0.5, 0.75) == ("0.5", "0.75", "higher")
    assert compared(0.25, 0.25) == ("0.25", "0.25", "the same")
    assert compared(1.0, 1.0 + 1e-9) == ("1", "1", "the same to 6 digits")
    assert compared(-0.0, 0.0, most=4)[0] == "0"  # never "-0"
