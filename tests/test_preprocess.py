"""MNIST-style preprocessing: crop, area-averaged scaling to 20 pixels, centring by mass."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data.preprocess import (
    BOX,
    CENTRE,
    SIZE,
    centre_of_mass,
    ink_present,
    overlap_matrix,
    to_mnist,
)


def ink_box(x: np.ndarray) -> tuple[int, int]:
    """Return the height and width of the bounding box of the nonzero pixels."""
    rows = np.flatnonzero(x.any(axis=1))
    cols = np.flatnonzero(x.any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def test_empty_and_near_empty_canvases_give_zeros():
    for canvas in (np.zeros((280, 280)), np.full((50, 70), 0.05)):
        x = to_mnist(canvas)
        assert x.shape == (SIZE, SIZE) and x.dtype == np.float32
        assert not x.any()
        assert not ink_present(canvas)
    speck = np.zeros((280, 280))
    speck[100, 100] = 0.3  # one faint pixel is not a digit
    assert not ink_present(speck) and not to_mnist(speck).any()


def test_a_uniform_block_stays_uniform_and_keeps_its_aspect_ratio():
    canvas = np.zeros((280, 280), np.float32)
    canvas[30:130, 100:150] = 1.0  # 100 tall, 50 wide
    x = to_mnist(canvas)
    assert ink_box(x) == (BOX, BOX // 2)
    block = x[x > 0]
    np.testing.assert_allclose(block, 1.0, atol=1e-6)
    assert block.size == BOX * BOX // 2


def test_wide_ink_is_scaled_by_its_width_with_a_partial_edge_pixel():
    canvas = np.zeros((300, 300), np.float32)
    canvas[100:140, 20:200] = 0.8  # 40 tall, 180 wide: scale 1/9, height 4.44 pixels
    x = to_mnist(canvas)
    assert ink_box(x) == (5, BOX)
    column = np.sort(x[:, x.any(axis=0)][:, 10])[::-1][:5]
    np.testing.assert_allclose(column, [0.8, 0.8, 0.8, 0.8, 0.8 * 4 / 9], atol=1e-6)


def test_area_averaging_matches_block_means_for_an_integer_factor(rng):
    crop = rng.random((60, 45)).astype(np.float32)  # the longer side is 60: scale exactly 1/3
    crop[[0, -1], :] = 1.0  # ink on every edge, so the crop is the whole image
    crop[:, [0, -1]] = 1.0
    x = to_mnist(crop)
    expected = crop.reshape(20, 3, 15, 3).mean(axis=(1, 3))
    rows = np.flatnonzero(x.any(axis=1))
    cols = np.flatnonzero(x.any(axis=0))
    got = x[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_total_ink_is_kept_up_to_the_square_of_the_scale(rng):
    canvas = np.zeros((400, 330), np.float32)
    canvas[50:250, 80:200] = rng.random((200, 120)) * 0.5 + 0.5  # bounding box 200 x 120
    x = to_mnist(canvas)
    scale = BOX / 200
    assert float(x.sum()) == pytest.approx(float(canvas.sum()) * scale**2, rel=1e-5)


def test_overlap_rows_sum_to_one_where_fully_covered():
    m = overlap_matrix(37, BOX / 37)
    assert m.shape == (BOX, 37)
    np.testing.assert_allclose(m.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(m.sum(axis=0), BOX / 37, atol=1e-6)  # each input pixel, all of it


@pytest.mark.parametrize("shape", [(280, 280), (560, 560), (17, 9), (1000, 300)])
def test_centre_of_mass_lands_on_the_centre_and_longer_side_is_20(rng, shape):
    canvas = np.zeros(shape, np.float32)
    h, w = shape
    r0, c0 = h // 5, w // 3
    canvas[r0 : r0 + max(h // 2, 2), c0 : c0 + max(w // 10, 2)] = 1.0  # a "1"
    canvas[r0 : r0 + max(h // 12, 1), c0 - max(w // 8, 1) : c0] = 0.7  # with a flag
    x = to_mnist(canvas)
    com = centre_of_mass(x)
    assert all(abs(c - CENTRE) <= 0.5 + 1e-6 for c in com), com
    assert max(ink_box(x)) == BOX
    assert x.min() >= 0.0 and x.max() <= 1.0


def test_most_mnist_digits_are_already_what_to_mnist_makes():
    from engine.data.datasets import load_sample

    images = load_sample().test.images[:300] / np.float32(255)
    same = [np.allclose(to_mnist(image), image, atol=1e-5) for image in images]
    # The rest differ where a faint row or column below the ink threshold is cropped away.
    assert np.mean(same) > 0.6


def test_rejects_non_images():
    with pytest.raises(ValueError):
        to_mnist(np.zeros((2, 28, 28)))
