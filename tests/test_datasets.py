"""Tests for loading datasets: the bundled sample, directories of IDX files, and bad pairs."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pytest

from engine.data.datasets import (
    Dataset,
    MnistData,
    load_data,
    load_mnist_dir,
    load_pair,
    load_sample,
    sample_dir,
)
from engine.data.idx import write_idx
from engine.errors import DataError


def write_mnist(directory: Path, names: dict[str, str] | None = None, n: int = 20) -> None:
    """Write a tiny four-file MNIST into directory, optionally under other file names."""
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": (np.arange(n) % 10).astype(np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n // 2, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": (np.arange(n // 2) % 10).astype(np.uint8),
    }
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_idx(directory / (names or {}).get(name, name), array)


def test_sample_is_balanced_read_only_uint8() -> None:
    data = load_sample()
    assert data.source == "sample"
    assert (len(data.train), len(data.test)) == (10_000, 2_000)
    assert data.train.images.shape == (10_000, 28, 28)
    assert np.bincount(data.train.labels).tolist() == [1000] * 10
    assert np.bincount(data.test.labels).tolist() == [200] * 10
    for dataset in (data.train, data.test):
        assert dataset.images.dtype == dataset.labels.dtype == np.uint8
        assert not dataset.images.flags.writeable
        assert not dataset.labels.flags.writeable
        assert dataset.images.max() == 255 and dataset.images.min() == 0


def test_sample_is_shuffled_not_sorted_by_digit() -> None:
    labels = load_sample().train.labels
    assert (np.diff(labels.astype(int)) != 0).mean() > 0.8


def test_sample_dir_holds_the_four_files_under_three_megabytes() -> None:
    files = sorted(sample_dir().glob("*.gz"))
    assert len(files) == 4
    assert sum(path.stat().st_size for path in files) <= 3 * 1024 * 1024


def test_load_data_sample() -> None:
    assert load_data("sample").source == "sample"


def test_dataclasses_are_frozen() -> None:
    data = load_sample()
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.train.name = "other"  # type: ignore[misc]
    with pytest.raises(ValueError):
        data.train.images[0, 0, 0] = 1


def test_load_mnist_dir(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    data = load_data(str(tmp_path))
    assert isinstance(data, MnistData)
    assert isinstance(data.train, Dataset)
    assert (len(data.train), len(data.test)) == (20, 10)
    assert data.source == str(tmp_path)
    assert data.train.name == "train" and data.test.name == "test"


def test_uncompressed_and_dotted_names(tmp_path: Path) -> None:
    write_mnist(
        tmp_path,
        {
            "train-images-idx3-ubyte.gz": "train-images.idx3-ubyte",
            "train-labels-idx1-ubyte.gz": "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte.gz": "t10k-images.idx3-ubyte.gz",
        },
    )
    assert len(load_mnist_dir(tmp_path).train) == 20


def test_missing_files_are_listed(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").unlink()
    (tmp_path / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError) as caught:
        load_mnist_dir(tmp_path)
    message = str(caught.value)
    assert "train-labels-idx1-ubyte" in message and "t10k-images-idx3-ubyte" in message
    assert "train-images" not in message


def test_nonexistent_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        load_data(str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="not a directory"):
        load_mnist_dir(tmp_path / "nowhere")


def test_corrupt_file_in_directory_names_it(tmp_path: Path) -> None:
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8bnot really")
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz"):
        load_mnist_dir(tmp_path)


def write_pair(tmp_path: Path, images: np.ndarray, labels: np.ndarray) -> tuple[Path, Path]:
    """Write images and labels to two IDX files and return their paths."""
    write_idx(tmp_path / "img-idx3-ubyte", images)
    write_idx(tmp_path / "lab-idx1-ubyte", labels)
    return tmp_path / "img-idx3-ubyte", tmp_path / "lab-idx1-ubyte"


@pytest.mark.parametrize(
    ("images", "labels", "words"),
    [
        (np.zeros((5, 28, 28), np.uint8), np.zeros(4, np.uint8), "5 images but 4 labels"),
        (np.zeros((5, 28, 27), np.uint8), np.zeros(5, np.uint8), "28x27 pixels"),
        (np.zeros((5, 28, 28), np.uint8), np.array([0, 1, 2, 10, 3], np.uint8), "a label is 10"),
        (np.zeros(5, np.uint8), np.zeros(5, np.uint8), "holds labels, not images"),
        (np.zeros((5, 28, 28), np.uint8), np.zeros((5, 28, 28), np.uint8), "holds images"),
    ],
)
def test_bad_pairs_name_both_files(
    tmp_path: Path, images: np.ndarray, labels: np.ndarray, words: str
) -> None:
    images_path, labels_path = write_pair(tmp_path, images, labels)
    with pytest.raises(DataError) as caught:
        load_pair(images_path, labels_path, "train")
    message = str(caught.value)
    assert words in message
    assert "img-idx3-ubyte" in message and "lab-idx1-ubyte" in message


def test_full_uses_a_verified_cache_without_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.data.download

    write_mnist(tmp_path)
    checksums = {
        path.name: hashlib.md5(path.read_bytes()).hexdigest() for path in tmp_path.iterdir()
    }
    monkeypatch.setattr(engine.data.download, "MNIST_FILES", checksums)
    monkeypatch.setattr(engine.data.download, "MIRRORS", ("http://127.0.0.1:9/",))
    data = load_data("full", cache_dir=tmp_path)
    assert data.source == "full"
    assert len(data.train) == 20
