"""A folder of one's own images: converted as the pad converts, split by seed, bad ones refused."""

from __future__ import annotations

import os
import re
import struct
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import engine.data.image_folder
from engine.core.network import NetworkConfig
from engine.core.training import TrainConfig
from engine.data.datasets import data_files, load_data
from engine.data.image_folder import as_ink, convert, describe_split, load_image_folder
from engine.data.preprocess import to_mnist
from engine.errors import DataError
from engine.session.training_run import TrainingRun, fit_outputs


def shape(kind: str, size: tuple[int, int], ink: str, paper: str, shift: int = 0) -> Image.Image:
    """Return an image of a ring, a cross or a bar in ``ink`` on ``paper``."""
    image = Image.new("RGB", size, paper)
    draw = ImageDraw.Draw(image)
    w, h = size
    x, y, s = w // 4 + shift, h // 4 + shift, min(w, h) // 2
    if kind == "ring":
        draw.ellipse([x, y, x + s, y + s], outline=ink, width=max(2, s // 8))
    elif kind == "cross":
        draw.line([x, y, x + s, y + s], fill=ink, width=max(2, s // 8))
        draw.line([x + s, y, x, y + s], fill=ink, width=max(2, s // 8))
    else:
        draw.rectangle([x, y, x + s // 5, y + s], fill=ink)
    return image


def make_folder(root: Path, classes=("bar", "cross", "ring"), per_class: int = 5) -> Path:
    """Write a small image folder: dark shapes on white paper, sizes and formats mixed."""
    root.mkdir(parents=True, exist_ok=True)
    for kind in classes:
        (root / kind).mkdir()
        for i in range(per_class):
            size = (60 + 17 * i, 50 + 9 * i)
            suffix = ".png" if i % 2 else ".jpg"
            shape(kind, size, "black", "white", shift=i).save(root / kind / f"{i}{suffix}")
    return root


def test_classes_come_from_the_folder_names(tmp_path: Path) -> None:
    data = load_data(str(make_folder(tmp_path / "shapes")))
    assert data.class_names == ("bar", "cross", "ring")
    assert data.n_classes == 3 and data.class_name(2) == "ring"
    assert data.source == str(tmp_path / "shapes")
    assert data.train.images.shape[1:] == (28, 28) and data.train.images.dtype == np.uint8
    assert set(np.unique(data.train.labels)) == {0, 1, 2}
    assert len(data.train) + len(data.test) == 15


def test_the_split_is_seeded_per_class_and_said(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "shapes", per_class=10)
    first, second = load_image_folder(folder), load_image_folder(folder)
    assert np.array_equal(first.test.images, second.test.images)
    assert np.bincount(first.test.labels).tolist() == [2, 2, 2]  # a fifth of each class
    assert np.bincount(first.train.labels).tolist() == [8, 8, 8]
    sentence = describe_split(first)
    assert sentence.startswith("30 images in 3 classes (bar, cross, ring):")
    assert f"{len(first.train)} to train on and {len(first.test)} held out to test" in sentence


def test_dark_on_light_and_light_on_dark_give_the_same_input(tmp_path: Path) -> None:
    shape("ring", (90, 70), "black", "white").save(tmp_path / "dark.png")
    shape("ring", (90, 70), "white", "black").save(tmp_path / "light.png")
    dark, light = convert(tmp_path / "dark.png", "d"), convert(tmp_path / "light.png", "l")
    assert dark.max() == 255 and dark[0, 0] == 0  # ink is light, the background black
    assert np.abs(dark.astype(int) - light.astype(int)).max() <= 1


def test_conversion_is_the_pads(tmp_path: Path) -> None:
    image = shape("cross", (120, 80), "white", "black")
    image.save(tmp_path / "x.png")
    grey = np.asarray(image.convert("L"), np.float32) / 255.0
    expected = np.round(to_mnist(as_ink(grey)) * 255).astype(np.uint8)
    assert np.array_equal(convert(tmp_path / "x.png", "x"), expected)
    ys, xs = np.nonzero(expected > 0.15 * 255)
    assert max(np.ptp(ys), np.ptp(xs)) + 1 in (20, 21)  # the longer side scaled to 20 pixels


def test_a_transparent_background_and_a_large_photo(tmp_path: Path) -> None:
    clear = Image.new("RGBA", (80, 80), (0, 0, 0, 0))
    ImageDraw.Draw(clear).ellipse([20, 20, 60, 60], outline=(0, 0, 0, 255), width=6)
    clear.save(tmp_path / "clear.png")
    ring = convert(tmp_path / "clear.png", "clear")
    assert ring.max() == 255 and ring[14, 14] == 0  # the hole of the ring stays background
    shape("bar", (3000, 2000), "black", "white").save(tmp_path / "big.jpg", quality=90)
    bar = convert(tmp_path / "big.jpg", "big")
    ys, xs = np.nonzero(bar > 128)
    assert np.ptp(ys) > 3 * np.ptp(xs)  # still a tall bar


def test_system_files_are_ignored(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "shapes", classes=("a", "b"), per_class=2)
    (folder / ".DS_Store").write_bytes(b"\0\1")
    (folder / "a" / "Thumbs.db").write_bytes(b"\0\1")
    (folder / "b" / ".hidden.png").write_bytes(b"not an image")
    assert load_data(str(folder)).class_names == ("a", "b")


def test_the_network_takes_the_number_of_classes(tmp_path: Path) -> None:
    data = load_image_folder(make_folder(tmp_path / "shapes"))
    config = NetworkConfig((784, 16, 16, 10))
    assert fit_outputs(config, data).sizes == (784, 16, 16, 3)
    run = TrainingRun(config, TrainConfig(learning_rate=3.0, batch_size=4))
    run.data = data
    assert run.reset(None, None)
    assert run.config.sizes == (784, 16, 16, 3)
    report = run.next_report()
    assert np.isfinite(report.cost)
    assert run.latest_snapshot().config.sizes[-1] == 3


def test_a_folder_of_idx_files_still_reads_as_mnist(tmp_path: Path) -> None:
    import gzip

    from engine.data.datasets import STANDARD_NAMES

    rng = np.random.default_rng(0)
    for role, stem in STANDARD_NAMES.items():
        n = 20 if role.startswith("train") else 5
        array = (
            rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
            if role.endswith("images")
            else rng.integers(0, 10, n, dtype=np.uint8)
        )
        header = bytes([0, 0, 8, array.ndim]) + b"".join(k.to_bytes(4, "big") for k in array.shape)
        (tmp_path / f"{stem}.gz").write_bytes(gzip.compress(header + array.tobytes()))
    data = load_data(str(tmp_path))
    assert len(data.train) == 20 and data.n_classes == 10
    assert all(path.parent == tmp_path for path in data_files(str(tmp_path)))


def test_cancel_stops_the_loading(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DataError, match="cancelled; nothing was changed"):
        load_image_folder(make_folder(tmp_path / "shapes"), cancel=cancel)


def png_header(width: int, height: int) -> bytes:
    """Return the start of a PNG that claims a size (its pixels never need decoding)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def good(root: Path) -> Path:
    """Return a good two-class folder to spoil."""
    return make_folder(root, classes=("bar", "ring"), per_class=3)


def spoil(edit: Callable[[Path], object]) -> Callable[[Path], Path]:
    """Return a builder: a good two-class folder, then ``edit`` applied to it."""

    def build(root: Path) -> Path:
        folder = good(root)
        edit(folder)
        return folder

    return build


def classes(n: int) -> Callable[[Path], Path]:
    """Return a builder of a folder with n class folders of two images each."""

    def build(root: Path) -> Path:
        return make_folder(root, classes=tuple(f"c{i}" for i in range(n)), per_class=2)

    return build


def empty(root: Path) -> Path:
    """Return an empty folder."""
    root.mkdir()
    return root


BAD_FOLDERS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "empty folder": (empty, "holds neither MNIST IDX files nor class folders"),
    "one class only": (classes(1), "has only one class folder (c0)"),
    "eleven classes": (classes(11), "has 11 class folders; the network has at most 10"),
    "a loose image": (
        spoil(lambda f: (f / "bar" / "0.jpg").rename(f / "stray.jpg")),
        "stray.jpg in",
    ),
    "an empty class folder": (
        spoil(lambda f: (f / "box").mkdir()),
        "The class folder box holds 0 images; each class needs at least 2",
    ),
    "a class of one image": (
        spoil(lambda f: [(f / "ring" / n).unlink() for n in ("0.jpg", "1.png")]),
        "The class folder ring holds 1 image;",
    ),
    "a text file": (
        spoil(lambda f: (f / "bar" / "notes.txt").write_text("mine")),
        "bar/notes.txt is not a PNG or JPEG image",
    ),
    "text named .png": (
        spoil(lambda f: (f / "bar" / "fake.png").write_text("hello")),
        "bar/fake.png could not be read as a PNG or JPEG image",
    ),
    "a zero-byte file": (
        spoil(lambda f: (f / "ring" / "nothing.png").write_bytes(b"")),
        "ring/nothing.png is empty (0 bytes)",
    ),
    "a truncated PNG": (
        spoil(
            lambda f: (f / "ring" / "cut.png").write_bytes((f / "ring" / "1.png").read_bytes()[:90])
        ),
        "ring/cut.png could not be read",
    ),
    "a huge image": (
        spoil(lambda f: (f / "ring" / "huge.png").write_bytes(png_header(20_000, 20_000))),
        "ring/huge.png has far more than 40 million pixels, the most an image may have",
    ),
    "a large image": (
        spoil(lambda f: (f / "ring" / "large.png").write_bytes(png_header(7_000, 7_000))),
        "ring/large.png is 7,000 x 7,000 pixels; an image may have at most 40 million",
    ),
    "a huge file": (
        spoil(lambda f: os.truncate(f / "bar" / "1.png", 41 * 1024 * 1024)),
        "bar/1.png is 41 MB; an image may be at most 40 MB",
    ),
    "a folder in a class": (
        spoil(lambda f: (f / "bar" / "more").mkdir()),
        "bar/more is a folder inside a class folder",
    ),
    "a symlink loop": (
        spoil(lambda f: (f / "ring" / "loop").symlink_to(f, target_is_directory=True)),
        "ring/loop is a folder inside a class folder",
    ),
    "a class that links to the root": (
        spoil(lambda f: (f / "all").symlink_to(f, target_is_directory=True)),
        "all/all is a folder inside a class folder",
    ),
    "a broken link": (
        spoil(lambda f: (f / "bar" / "gone.png").symlink_to(f / "nowhere.png")),
        "bar/gone.png could not be read",
    ),
    "a blank image": (
        spoil(lambda f: Image.new("L", (40, 40), 255).save(f / "bar" / "blank.png")),
        "bar/blank.png is blank: nothing stands out",
    ),
    "a GIF named .png": (
        spoil(lambda f: shape("bar", (40, 40), "black", "white").save(f / "bar" / "g.png", "GIF")),
        "bar/g.png is a GIF image, not a PNG or JPEG",
    ),
    "classes differing in capitals": (
        spoil(lambda f: good(f / "x").rename(f / "Ring")),
        "The class folders Ring and ring differ only in capitals",
    ),
    "a very long class name": (
        spoil(lambda f: (f / "ring").rename(f / ("r" * 31))),
        "is longer than 30 characters",
    ),
    "a class name with a tab": (
        spoil(lambda f: (f / "ring").rename(f / "ri\tng")),
        "has a name that cannot be shown: 'ri\\tng'",
    ),
    "IDX files mixed with class folders": (
        spoil(lambda f: (f / "t10k-images-idx3-ubyte.gz").write_bytes(b"x")),
        "is missing the MNIST files",
    ),
}


@pytest.mark.parametrize("case", BAD_FOLDERS)
def test_a_bad_folder_gets_one_message_and_is_left_alone(case: str, tmp_path: Path) -> None:
    build, expected = BAD_FOLDERS[case]
    folder = build(tmp_path / "mine")
    before = sorted((str(p), p.lstat().st_mtime_ns) for p in folder.rglob("*") if p.is_file())
    with pytest.raises(DataError) as caught:
        load_data(str(folder))
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and message.endswith((".", ")", "'"))
    after = sorted((str(p), p.lstat().st_mtime_ns) for p in folder.rglob("*") if p.is_file())
    assert after == before


def test_there_are_twenty_bad_folders_or_more() -> None:
    assert len(BAD_FOLDERS) >= 20


def test_too_many_files_are_refused_before_any_is_decoded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same check as for 100,000 files, with a cap of 10 instead of 20,000
    monkeypatch.setattr(engine.data.image_folder, "MAX_FILES", 10)
    decoded: list[Path] = []
    monkeypatch.setattr(
        engine.data.image_folder, "convert", lambda path, shown: decoded.append(path)
    )
    folder = make_folder(tmp_path / "many", classes=("a", "b"), per_class=6)
    with pytest.raises(DataError, match="The folder holds more than 10 images; use at most 10"):
        load_data(str(folder))
    assert decoded == []
    assert engine.data.image_folder.MAX_FILES == 10 and len(list(folder.rglob("*.*"))) == 12


def test_a_missing_folder_and_a_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist; choose 'sample', 'full', 'fashion'"):
        load_data(str(tmp_path / "nowhere"))
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(DataError, match="is not a folder"):
        load_image_folder(tmp_path / "file.png")


@pytest.fixture(scope="module")
def training_run(tmp_path_factory) -> TrainingRun:
    """A run training on a good image folder, as the worker holds it."""
    folder = make_folder(tmp_path_factory.mktemp("good") / "shapes")
    run = TrainingRun(NetworkConfig(), TrainConfig(learning_rate=3.0, batch_size=4))
    run.load(lambda: load_image_folder(folder), threading.Event())
    run.reset(None, None)
    run.next_report()
    return run


@pytest.mark.parametrize("case", BAD_FOLDERS)
def test_a_bad_folder_leaves_the_data_and_the_network_in_training(
    case: str, tmp_path: Path, training_run: TrainingRun
) -> None:
    build, expected = BAD_FOLDERS[case]
    folder = build(tmp_path / "mine")
    data, trainer = training_run.data, training_run.trainer
    params = [p.copy() for p in trainer.network.params]
    with pytest.raises(DataError, match=re.escape(expected)):
        training_run.load(lambda: load_data(str(folder)), threading.Event())
    assert training_run.data is data and training_run.trainer is trainer
    assert all(np.array_equal(a, b) for a, b in zip(params, trainer.network.params))
