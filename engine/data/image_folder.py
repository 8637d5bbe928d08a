"""Load a folder of the learner's own labelled images: one sub-folder per class, named after it.

Each PNG or JPEG, of any size, becomes a 28x28 input the way the drawing pad's drawings do
(``engine.data.preprocess.to_mnist``: crop, scale the longer side to 20 pixels, centre the mass),
after its background is found from its border: dark ink on a light page is turned into light ink
on black, as in MNIST. A seeded fifth of every class is held out as the test set.

The folder is checked in full before anything is decoded: a bad one is refused with one message
naming the first problem found, and the data in use stays.
"""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path

import numpy as np

from engine.data.datasets import Dataset, MnistData
from engine.data.preprocess import ink_present, to_mnist
from engine.errors import DataError
from engine.words import quantity

MIN_CLASSES, MAX_CLASSES = 2, 10  # the output layer has one neuron per class
MIN_PER_CLASS = 2  # one to train on and one to test on
MAX_FILES = 20_000  # in all class folders together; the scan stops counting past it
MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_PIXELS = 40_000_000  # width x height of one image, read from its header before decoding
MAX_NAME = 30  # characters of a class name: it labels an output neuron
WORK_SIDE = 256  # an image is reduced to at most this many pixels a side before converting
TEST_FRACTION = 0.2
SPLIT_SEED = 0
EXTENSIONS = (".png", ".jpg", ".jpeg")
IGNORED = {"thumbs.db", "desktop.ini"}  # files an operating system leaves in any folder


def _hidden_or_system(entry: os.DirEntry) -> bool:
    """Return whether a folder entry is one the learner did not put there (.DS_Store, Thumbs.db)."""
    return entry.name.startswith(".") or entry.name.lower() in IGNORED


def _class_folders(folder: Path) -> list[os.DirEntry]:
    """Return the class folders of ``folder`` sorted by name, refusing loose files and bad names."""
    try:
        entries = sorted(
            (e for e in os.scandir(folder) if not _hidden_or_system(e)), key=lambda e: e.name
        )
    except OSError as error:
        raise DataError(f"Could not read the folder {folder}: {error.strerror or error}.") from None
    loose = [e.name for e in entries if not e.is_dir()]
    if loose:
        raise DataError(
            f"{loose[0]} in {folder} is not inside a class folder: put every image in the "
            "sub-folder named after its class."
        )
    if not entries:
        raise DataError(
            f"{folder} holds neither MNIST IDX files nor class folders: make one sub-folder per "
            "class, named after it, with that class's images inside."
        )
    if len(entries) < MIN_CLASSES:
        raise DataError(
            f"{folder} has only one class folder ({entries[0].name}); a network learns to tell "
            f"classes apart, so it needs {MIN_CLASSES} to {MAX_CLASSES}."
        )
    if len(entries) > MAX_CLASSES:
        raise DataError(
            f"{folder} has {len(entries)} class folders; the network has at most "
            f"{MAX_CLASSES} output neurons, so use {MIN_CLASSES} to {MAX_CLASSES} classes."
        )
    seen: dict[str, str] = {}
    for entry in entries:
        name = entry.name
        if not name.isprintable() or not name.strip():
            raise DataError(f"A class folder in {folder} has a name that cannot be shown: {name!r}")
        if len(name) > MAX_NAME:
            raise DataError(
                f"The class name {name[:MAX_NAME]}… is longer than {MAX_NAME} characters; "
                "shorten the folder's name."
            )
        key = name.strip().casefold()
        if key in seen:
            raise DataError(
                f"The class folders {seen[key]} and {name} differ only in capitals or spaces; "
                "merge them or rename one."
            )
        seen[key] = name
    return entries


def _image_paths(entry: os.DirEntry, counted: int) -> list[Path]:
    """Return the image files of one class folder, refusing anything that is not one."""
    found = []
    try:
        children = sorted(os.scandir(entry.path), key=lambda e: e.name)
    except OSError as error:
        raise DataError(
            f"Could not read the class folder {entry.name}: {error.strerror or error}."
        ) from None
    for child in children:
        if _hidden_or_system(child):
            continue
        where = f"{entry.name}/{child.name}"
        if child.is_dir():  # a symbolic link to a folder too: never followed, so never a loop
            raise DataError(
                f"{where} is a folder inside a class folder; a class folder holds only images."
            )
        if not child.name.lower().endswith(EXTENSIONS):
            raise DataError(f"{where} is not a PNG or JPEG image; remove it from the folder.")
        if counted + len(found) >= MAX_FILES:
            raise DataError(
                f"The folder holds more than {MAX_FILES:,} images; use at most {MAX_FILES:,} "
                "(a few hundred per class are plenty for this network)."
            )
        found.append(Path(child.path))
    if len(found) < MIN_PER_CLASS:
        raise DataError(
            f"The class folder {entry.name} holds {quantity(len(found), 'image')}; each class "
            f"needs at least {MIN_PER_CLASS} (one to train on, one to test on)."
        )
    return found


def scan(folder: str | os.PathLike[str]) -> tuple[tuple[str, ...], list[list[Path]]]:
    """Return the class names and, per class, the image files of an image folder; check only names.

    Raises ``DataError`` for the first thing wrong with the folder's layout.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder.")
    classes = _class_folders(folder)
    paths: list[list[Path]] = []
    for entry in classes:
        paths.append(_image_paths(entry, sum(len(p) for p in paths)))
    return tuple(entry.name for entry in classes), paths


def image_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Return every image file of an image folder (empty if its layout is wrong)."""
    try:
        return [path for paths in scan(folder)[1] for path in paths]
    except DataError:
        return []


def _decode(path: Path, shown: str) -> np.ndarray:
    """Return one image file as (h, w) float32 grey levels in [0, 1], at most WORK_SIDE a side."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        size = path.stat().st_size
        if size == 0:
            raise DataError(f"{shown} is empty (0 bytes).")
        if size > MAX_FILE_BYTES:
            raise DataError(
                f"{shown} is {size / 2**20:.0f} MB; an image may be at most "
                f"{MAX_FILE_BYTES // 2**20} MB."
            )
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, mode="r") as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise DataError(
                        f"{shown} is {width:,} x {height:,} pixels; an image may have at most "
                        f"{MAX_PIXELS // 1_000_000} million."
                    )
                if image.format not in ("PNG", "JPEG"):
                    raise DataError(f"{shown} is a {image.format} image, not a PNG or JPEG.")
                image.draft("L", (WORK_SIDE, WORK_SIDE))  # JPEG: decode at a reduced size
                image = ImageOps.exif_transpose(image)
                grey = _grey(image)
                grey.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.BOX)
                return np.asarray(grey, np.float32) / 255.0
    except DataError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DataError(
            f"{shown} has far more than {MAX_PIXELS // 1_000_000} million pixels, the most an "
            "image may have."
        ) from None
    except UnidentifiedImageError:
        raise DataError(f"{shown} could not be read as a PNG or JPEG image.") from None
    except (OSError, ValueError, SyntaxError) as error:  # truncated or corrupt data, no access
        detail = getattr(error, "strerror", None) or error
        raise DataError(f"{shown} could not be read: {detail}.") from None


def _grey(image):  # noqa: ANN001, ANN202 - a PIL image in and out; PIL loads only when needed
    """Return a PIL image as grey levels; a transparent background becomes a contrasting one."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), np.float32)
        if alpha.min() < 255:
            grey = np.asarray(rgba.convert("L"), np.float32)
            opaque = alpha > 127
            dark_ink = not opaque.any() or grey[opaque].mean() < 128
            backdrop = Image.new("RGBA", rgba.size, "white" if dark_ink else "black")
            return Image.alpha_composite(backdrop, rgba).convert("L")
        return rgba.convert("L")
    return image.convert("L")


def as_ink(grey: np.ndarray) -> np.ndarray:
    """Return grey levels as ink in [0, 1] on a 0 background, whichever way round the image was.

    The background is the median of the border pixels: a light border means dark ink on a light
    page, which is inverted. Levels are then stretched so the background is 0 and the strongest
    ink 1, as in MNIST.
    """
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    ink = background - grey if background > 0.5 else grey - background
    ink = np.clip(ink, 0.0, None)
    peak = float(ink.max(initial=0.0))
    return ink / peak if peak > 0 else ink


def convert(path: Path, shown: str) -> np.ndarray:
    """Return one image file as a (28, 28) uint8 MNIST-style image (0 background, 255 ink)."""
    ink = as_ink(_decode(path, shown))
    if not ink_present(ink):
        raise DataError(f"{shown} is blank: nothing stands out from its background.")
    return np.round(to_mnist(ink) * 255).astype(np.uint8)


def split(labels: np.ndarray, seed: int = SPLIT_SEED) -> np.ndarray:
    """Return a mask of the held-out test images: a seeded fifth of each class, at least one."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(labels), bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        n_test = min(max(1, round(len(members) * TEST_FRACTION)), len(members) - 1)
        test[rng.permutation(members)[:n_test]] = True
    return test


def load_image_folder(
    folder: str | os.PathLike[str], cancel: threading.Event | None = None
) -> MnistData:
    """Load a folder with one sub-folder of PNG or JPEG images per class (2 to 10 classes)."""
    names, paths = scan(folder)
    images, labels = [], []
    for label, (name, class_paths) in enumerate(zip(names, paths)):
        for path in class_paths:
            if cancel is not None and cancel.is_set():
                raise DataError("Loading the image folder was cancelled; nothing was changed.")
            images.append(convert(path, f"{name}/{path.name}"))
            labels.append(label)
    images_array = np.stack(images)  # (n, 28, 28) uint8
    labels_array = np.array(labels, np.uint8)
    test = split(labels_array)
    parts = []
    for name, mask in (("train", ~test), ("test", test)):
        part_images, part_labels = images_array[mask], labels_array[mask]
        part_images.flags.writeable = False
        part_labels.flags.writeable = False
        parts.append(Dataset(part_images, part_labels, name))
    return MnistData(train=parts[0], test=parts[1], source=str(folder), class_names=names)


def describe_split(data: MnistData) -> str:
    """Return the sentence that says how a dataset was split, from its own sizes."""
    total = len(data.train) + len(data.test)
    return (
        f"{quantity(total, 'image')} in {data.n_classes} classes "
        f"({', '.join(data.class_names)}): {len(data.train):,} to train on and "
        f"{len(data.test):,} held out to test (a fifth of each class, drawn with seed "
        f"{SPLIT_SEED})."
    )
