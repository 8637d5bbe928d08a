"""Tests for the IDX reader and writer: round trips, every kind of bad file, and fuzzing."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.data.idx import read_idx, write_idx
from engine.errors import DataError

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def header(type_code: int, *shape: int) -> bytes:
    """Return an IDX header for the given data type code and shape."""
    return bytes([0, 0, type_code, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)


def small_images(n: int = 3) -> np.ndarray:
    """Return n deterministic 28x28 uint8 images."""
    return np.random.default_rng(0).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_images_round_trip(tmp_path: Path, name: str) -> None:
    images = small_images()
    write_idx(tmp_path / name, images)
    loaded = read_idx(tmp_path / name)
    assert loaded.dtype == np.uint8
    np.testing.assert_array_equal(loaded, images)


@pytest.mark.parametrize("name", ["labels-idx1-ubyte", "labels-idx1-ubyte.gz"])
def test_labels_round_trip(tmp_path: Path, name: str) -> None:
    labels = np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8)
    write_idx(tmp_path / name, labels)
    np.testing.assert_array_equal(read_idx(tmp_path / name), labels)


def test_gz_suffix_decides_compression_on_write(tmp_path: Path) -> None:
    write_idx(tmp_path / "a.gz", small_images(1))
    write_idx(tmp_path / "a", small_images(1))
    assert (tmp_path / "a.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (tmp_path / "a").read_bytes()[:4] == b"\x00\x00\x08\x03"


def test_gzip_is_detected_by_content_not_name(tmp_path: Path) -> None:
    images = small_images()
    write_idx(tmp_path / "a.gz", images)
    (tmp_path / "renamed").write_bytes((tmp_path / "a.gz").read_bytes())
    np.testing.assert_array_equal(read_idx(tmp_path / "renamed"), images)


def test_write_refuses_other_dtypes(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_idx(tmp_path / "x", np.zeros((2, 28, 28), dtype=np.float32))


def valid_bytes() -> bytes:
    """Return the raw bytes of a valid three-image IDX file."""
    return header(0x08, 3, 28, 28) + small_images().tobytes()


BAD_FILES = {
    "empty": (b"", "empty"),
    "short": (b"\x00\x00", "too short"),
    "magic": (b"\x12\x34\x08\x03" + valid_bytes()[4:], "not an IDX file"),
    "float": (header(0x0D, 2), "float32"),
    "unknown type": (header(0x42, 2) + b"\x00\x00", "unknown IDX data type"),
    "two dims": (header(0x08, 2, 2) + b"\x00" * 4, "2 dimensions"),
    "cut header": (header(0x08, 3, 28, 28)[:10], "truncated inside its header"),
    "zero count": (header(0x08, 0, 28, 28), "empty dimension"),
    "absurd": (header(0x08, 60000, 60000, 60000), "absurd"),
    "truncated": (valid_bytes()[:-100], "header promises 2,352 pixel bytes but only 2,252"),
    "oversized": (valid_bytes() + b"\x00" * 7, "7 unexpected bytes"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
@pytest.mark.parametrize("compress", [False, True])
def test_bad_content_raises_data_error_naming_the_file(
    tmp_path: Path, case: str, compress: bool
) -> None:
    content, words = BAD_FILES[case]
    name = "bad-idx3-ubyte.gz" if compress else "bad-idx3-ubyte"
    (tmp_path / name).write_bytes(gzip.compress(content) if compress else content)
    with pytest.raises(DataError, match=name) as caught:
        read_idx(tmp_path / name)
    if not (compress and case == "empty"):  # an empty gzip stream is a valid, empty file
        assert words in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nothing-idx1-ubyte does not exist"):
        read_idx(tmp_path / "nothing-idx1-ubyte")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(DataError, match="folder is a directory"):
        read_idx(tmp_path / "folder")


def test_raw_file_named_gz(tmp_path: Path) -> None:
    (tmp_path / "labels.gz").write_bytes(valid_bytes())
    with pytest.raises(DataError, match="labels.gz is named .gz but is not gzip"):
        read_idx(tmp_path / "labels.gz")


@pytest.mark.parametrize("cut", [5, 20, -9, -3])
def test_cut_gzip_stream(tmp_path: Path, cut: int) -> None:
    (tmp_path / "cut.gz").write_bytes(gzip.compress(valid_bytes())[:cut])
    with pytest.raises(DataError, match="cut.gz is a damaged gzip file"):
        read_idx(tmp_path / "cut.gz")


def test_corrupt_gzip_stream(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(valid_bytes()))
    packed[30:40] = b"\xff" * 10
    (tmp_path / "corrupt.gz").write_bytes(bytes(packed))
    with pytest.raises(DataError, match="corrupt.gz is a damaged gzip file"):
        read_idx(tmp_path / "corrupt.gz")


def test_gzip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.data.idx.MAX_BYTES", 1000)
    (tmp_path / "bomb.gz").write_bytes(gzip.compress(valid_bytes()))
    with pytest.raises(DataError, match="bomb.gz is larger than"):
        read_idx(tmp_path / "bomb.gz")


@FUZZ
@given(content=st.binary(max_size=300), compress=st.booleans())
def test_random_bytes_only_raise_data_error(tmp_path: Path, content: bytes, compress: bool) -> None:
    path = tmp_path / "fuzz-idx3-ubyte"
    path.write_bytes(gzip.compress(content) if compress else content)
    try:
        array = read_idx(path)
    except DataError as error:
        assert "fuzz-idx3-ubyte" in str(error)
    else:
        assert array.dtype == np.uint8 and array.ndim in (1, 3)


@FUZZ
@given(data=st.data(), compress=st.booleans())
def test_mutated_file_only_raises_data_error(
    tmp_path: Path, data: st.DataObject, compress: bool
) -> None:
    original = header(0x08, 2, 3, 4) + bytes(range(24))
    packed = bytearray(gzip.compress(original, mtime=0) if compress else original)
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        where = data.draw(st.integers(0, len(packed)))
        if action == "flip" and where < len(packed):
            packed[where] ^= data.draw(st.integers(1, 255))
        elif action == "delete":
            del packed[where : where + data.draw(st.integers(1, 8))]
        else:
            packed[where:where] = data.draw(st.binary(min_size=1, max_size=8))
    path = tmp_path / ("mutant.gz" if compress else "mutant")
    path.write_bytes(bytes(packed))
    try:
        array = read_idx(path)
    except DataError as error:
        assert path.name in str(error)
    else:
        assert array.dtype == np.uint8
        assert array.size == int(np.prod(array.shape))
