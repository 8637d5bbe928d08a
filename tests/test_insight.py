"""The insight computations agree with the engine's own evaluation and with plain counting."""

from __future__ import annotations

import numpy as np
import pytest

from engine.core.training import evaluate
from engine.lessons.insight import (
    average_images,
    class_counts,
    confusion_matrix,
    examples_in_cell,
    misclassified,
)
from engine.session.snapshot import network_of, predict


def test_confusion_matrix_matches_evaluate(trained_on_sample) -> None:
    snapshot, data = trained_on_sample
    images, labels = data.test.images, data.test.labels
    result = confusion_matrix(snapshot, images, labels)
    reference = evaluate(network_of(snapshot), images, labels)
    assert result.accuracy == reference.accuracy
    assert result.correct == reference.correct
    assert result.total == len(labels) == result.matrix.sum()
    np.testing.assert_array_equal(result.matrix.sum(axis=1), class_counts(labels))
    assert 0.3 < result.accuracy < 1.0


def test_small_chunks_change_nothing(trained_on_sample) -> None:
    snapshot, data = trained_on_sample
    whole = confusion_matrix(snapshot, data.test.images, data.test.labels)
    chunked = confusion_matrix(snapshot, data.test.images, data.test.labels, chunk=333)
    np.testing.assert_array_equal(whole.predictions, chunked.predictions)
    np.testing.assert_array_equal(whole.matrix, chunked.matrix)


def test_predictions_and_confidences_are_the_networks_outputs(trained_on_sample) -> None:
    snapshot, data = trained_on_sample
    result = confusion_matrix(snapshot, data.test.images[:20], data.test.labels[:20])
    for i in range(20):
        outputs = predict(snapshot, data.test.images[i])
        assert result.predictions[i] == np.argmax(outputs)
        assert result.confidences[i] == pytest.approx(outputs.max(), rel=1e-6)


def test_misclassified_most_confident_first(trained_on_sample) -> None:
    snapshot, data = trained_on_sample
    labels = data.test.labels
    result = confusion_matrix(snapshot, data.test.images, labels)
    wrong = misclassified(result, labels)
    assert len(wrong) == result.total - result.correct
    assert np.all(result.predictions[wrong] != labels[wrong])
    assert np.all(np.diff(result.confidences[wrong]) <= 0)


def test_examples_in_cell_are_exactly_that_cell(trained_on_sample) -> None:
    snapshot, data = trained_on_sample
    labels = data.test.labels
    result = confusion_matrix(snapshot, data.test.images, labels)
    for true, predicted in [(3, 5), (4, 4), (7, 1)]:
        cell = examples_in_cell(result, labels, true, predicted)
        assert len(cell) == result.matrix[true, predicted]
        assert np.all(labels[cell] == true)
        assert np.all(result.predictions[cell] == predicted)


def test_class_counts_and_averages() -> None:
    labels = np.array([0, 1, 1, 3], np.uint8)
    images = np.zeros((4, 28, 28), np.uint8)
    images[1, 0, 0] = 255
    images[2, 0, 0] = 51
    images[3] = 255
    np.testing.assert_array_equal(class_counts(labels), [1, 2, 0, 1, 0, 0, 0, 0, 0, 0])
    averages = average_images(images, labels)
    assert averages.shape == (10, 28, 28)
    assert averages[1, 0, 0] == pytest.approx(0.6)
    assert averages[1, 5, 5] == 0.0
    assert np.all(averages[3] == 1.0)
    assert np.all(averages[2] == 0.0)
