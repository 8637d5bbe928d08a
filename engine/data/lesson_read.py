"""Check a lesson file's parts: its description's every field and the members it names.

``engine.data.lesson_io`` opens the zip and checks its member list; ``parse`` then reads the
description field by field (type and range, none unknown, none missing) and each member it
names: the networks with every check of ``engine.data.model_io``, the arrays' shapes, types and
ranges against the network. Any problem raises ``LessonFileError`` or a ValueError whose text
``lesson_io`` puts in its one sentence.
"""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np

from engine import limits
from engine.data.lesson import (
    EXPLORER_STEPS,
    TABS,
    ComparedRun,
    ExplorerView,
    LastBatch,
    Lesson,
    PlayerView,
    rebuild_story,
)
from engine.data.model_io import SavedModel, read_model_file
from engine.errors import LessonFileError, ModelFileError
from engine.session.history import BATCH_FIELDS, EPOCH_FIELDS
from engine.session.runs import KeptRun, RunStatus
from engine.session.snapshot import EDGE_MODES, parameters_snapshot

MAX_JSON = 1 * 2**20  # bytes of lesson.json; ours are a few kilobytes
MAX_MEMBER = 256 * 2**20  # bytes of one unpacked member
MAX_RUNS = 64
MAX_BATCH = 10_000  # examples in a played step's mini-batch (the controls allow fewer)
MAX_SIDE = 280 * 4  # pixels of the pad's drawing per side (280 x its device-pixel ratio)
MAX_TEXT = 400  # characters of a name or a note


def fail(name: str, problem: str) -> LessonFileError:
    """Return the error for a lesson file that cannot be used, naming it."""
    return LessonFileError(f"{name} is not a usable Backprop Lab lesson: {problem}")


def quote(value: object) -> str:
    """Return a value taken from the file as a short quoted text (shown, never trusted)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def printable_reason(exc: BaseException) -> str:
    """Return a short reason for a zip failure: its message, cut short."""
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def member_bytes(name: str, archive: zipfile.ZipFile, member: str) -> bytes:
    """Return a member's bytes, refusing one that unpacks past its cap (whatever it declared)."""
    most = MAX_JSON if member.endswith(".json") else MAX_MEMBER
    with archive.open(member, mode="r") as file:
        data = file.read(most + 1)
    if len(data) > most:
        raise fail(name, f"its member {member} unpacks to more than {most // 2**20} MB")
    return data


class _Fields:
    """Typed reads of one JSON object: every field must be read, none may be unknown."""

    def __init__(self, where: str, value: object, keys: tuple[str, ...]) -> None:
        if not isinstance(value, dict):
            raise ValueError(f"{where} is not a JSON object")
        unknown = sorted(set(value) - set(keys))
        if unknown:
            raise ValueError(f"{where} has an unknown field {quote(unknown[0])}")
        missing = [k for k in keys if k not in value]
        if missing:
            raise ValueError(f"{where} lacks the field {quote(missing[0])}")
        self.where, self.value = where, value

    def whole(self, key: str, low: int, high: int, none: bool = False) -> int | None:
        """Return a whole number in [low, high] (or None where allowed)."""
        v = self.value[key]
        if v is None and none:
            return None
        if type(v) is not int or not low <= v <= high:
            raise ValueError(f"{self.where}'s {key} is {quote(v)}, not a whole number {low}-{high}")
        return v

    def number(self, key: str, low: float, high: float) -> float:
        """Return a finite number in [low, high]."""
        v = self.value[key]
        if type(v) not in (int, float) or not math.isfinite(v) or not low <= v <= high:
            raise ValueError(f"{self.where}'s {key} is {quote(v)}, not a number {low:g}-{high:g}")
        return float(v)

    def flag(self, key: str) -> bool:
        """Return a true or false."""
        v = self.value[key]
        if type(v) is not bool:
            raise ValueError(f"{self.where}'s {key} is {quote(v)}, not true or false")
        return v

    def text(self, key: str, choices: tuple[str, ...] | None = None) -> str:
        """Return a short text (one of ``choices``, if given)."""
        v = self.value[key]
        if type(v) is not str or len(v) > MAX_TEXT or (choices and v not in choices):
            allowed = f" (one of {', '.join(choices)})" if choices else ""
            raise ValueError(f"{self.where}'s {key} is {quote(v)}, not a valid text{allowed}")
        if any(ord(c) < 32 for c in v):
            raise ValueError(f"{self.where}'s {key} holds control characters")
        return v

    def whole_list(self, key: str, highs: tuple[int, ...], none: bool = False) -> tuple | None:
        """Return a list of whole numbers, each in [0, its high)."""
        v = self.value[key]
        if v is None and none:
            return None
        if (
            not isinstance(v, list)
            or len(v) != len(highs)
            or any(type(x) is not int or not 0 <= x < h for x, h in zip(v, highs))
        ):
            raise ValueError(f"{self.where}'s {key} is {quote(v)}, outside the network")
        return tuple(v)


def _npz_arrays(
    name: str, archive: zipfile.ZipFile, member: str, keys: set[str], optional: bool = False
) -> dict:
    """Return the arrays of an .npz member, which holds ``keys`` (some, if ``optional``)."""
    data = member_bytes(name, archive, member)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if sum(i.file_size for i in npz.zip.infolist()) > MAX_MEMBER:
                raise fail(name, f"its member {member} unpacks to more than 256 MB")
            if set(npz.files) != keys and not (optional and set(npz.files) < keys):
                extra = sorted(set(npz.files) ^ keys)
                raise fail(name, f"its member {member} does not hold the right arrays ({extra[0]})")
            return {k: npz[k] for k in npz.files}
    except LessonFileError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc):
            raise fail(name, f"its member {member} holds Python objects, never loaded") from None
        raise fail(name, f"its member {member} is not a NumPy .npz archive") from None
    except Exception as exc:  # zipfile, zlib and NumPy's header parser each fail their own way
        raise fail(name, f"its member {member} is damaged ({type(exc).__name__})") from None


def _network(name: str, archive: zipfile.ZipFile, member: str, what: str) -> SavedModel:
    """Read a member that is a model file, with every check File > Open makes."""
    data = member_bytes(name, archive, member)
    try:
        return read_model_file(io.BytesIO(data), member, window=True)
    except ModelFileError as exc:
        problem = str(exc).split(": ", 1)[-1]
        raise fail(name, f"{what} ({member}) is unusable: {problem}") from None


def _image(name: str, value: np.ndarray, what: str, shape: tuple | None = None) -> np.ndarray:
    """Check a picture: uint8 pixels, or float ink in [0, 1], of a sensible square shape."""
    if value.ndim != 2 or (shape and value.shape != shape) or value.shape[0] != value.shape[1]:
        raise ValueError(f"{what} has shape {value.shape}, not {shape or 'a square'}")
    if not shape and not 28 <= value.shape[0] <= MAX_SIDE:
        raise ValueError(f"{what} is {value.shape[0]} pixels wide, outside 28 to {MAX_SIDE}")
    if value.dtype == np.uint8:
        return value
    if value.dtype.kind != "f" or not np.all((value >= 0) & (value <= 1)):
        raise ValueError(f"{what} holds values outside 0 to 1 (or not numbers)")
    return value.astype(np.float32)


def parse(name: str, archive: zipfile.ZipFile, names: set[str], meta: dict) -> Lesson:
    """Check the description's fields and read the members it names."""
    keys = ("format", "version", "app", "seed", "data", "tab", "diagram", "pad", "guide")
    more = ("explorer", "player", "runs", "selected_run", "last_batch")
    top = _Fields("the description", meta, (*keys, *more))
    top.text("app")
    model = _network(name, archive, "model.npz", "its network")
    sizes = model.network.config.sizes
    n_out = sizes[-1]
    diagram = _Fields("the diagram", meta["diagram"], ("edge_mode", "per_layer", "emphasis"))
    pad = _Fields("the pad", meta["pad"], ("label",))
    guide = _Fields("the guide", meta["guide"], ("stop", "open"))
    expected = {"model.npz", "lesson.json", "view.npz"}
    arrays: dict = {}
    if "view.npz" in names:
        arrays = _npz_arrays(name, archive, "view.npz", {"drawing", "explorer_image"}, True)
    if (meta["explorer"] is not None) != ("explorer_image" in arrays):
        raise ValueError("the explorer's example is missing (view.npz)")
    drawing = arrays.get("drawing")
    if drawing is not None:
        drawing = _image(name, drawing, "the drawing")
        if drawing.dtype != np.float32:
            raise ValueError("the drawing is not ink values")
    explorer = None
    if meta["explorer"] is not None:
        explorer = _explorer(meta["explorer"], arrays["explorer_image"], sizes, name)
    last = None
    if meta["last_batch"] is not None:
        expected.add("last_batch.npz")
        last = _last_batch(name, archive, names, meta["last_batch"], model)
    player = None
    if meta["player"] is not None:
        expected |= {"story.npz", "story_before.npz", "story_after.npz"}
        player = _player(name, archive, names, meta["player"], model)
    runs = meta["runs"]
    if not isinstance(runs, list) or len(runs) > MAX_RUNS:
        raise ValueError(f"the kept runs are not a list of at most {MAX_RUNS}")
    kept = []
    for k, entry in enumerate(runs):
        expected.add(f"run_{k}.npz")
        if f"run_{k}.npz" not in names:
            raise ValueError(f"kept run {k + 1}'s network (run_{k}.npz) is missing")
        kept.append(_run(name, archive, k, entry))
    if names - expected:
        raise ValueError(f"its member {sorted(names - expected)[0]} is not described")
    selected = top.whole("selected_run", 0, max(len(kept) - 1, 0), none=True)
    if selected is not None and not kept:
        raise ValueError("a run is selected but none is kept")
    return Lesson(
        model=model,
        seed=top.whole("seed", int(limits.SEED.low), int(limits.SEED.high)),
        data=top.text("data"),
        tab=top.text("tab", TABS),
        edge_mode=diagram.text("edge_mode", EDGE_MODES),
        per_layer=diagram.flag("per_layer"),
        emphasis=diagram.number("emphasis", 1.0, 3.0),
        drawing=drawing,
        label=pad.whole("label", 0, n_out - 1, none=True),
        guide_stop=guide.whole("stop", 0, 999),
        guide_open=guide.flag("open"),
        explorer=explorer,
        player=player,
        runs=tuple(kept),
        selected_run=selected,
        last_batch=last,
    )


def _explorer(value: object, image: np.ndarray, sizes: tuple[int, ...], name: str) -> ExplorerView:
    """Check the explorer's step and selections against the network's layer sizes."""
    keys = ("step", "label", "target", "hidden", "formula", "param", "back_to", "revealed")
    f = _Fields("the explorer", value, keys)
    last = len(sizes) - 1
    formula = f.whole_list("formula", (last + 1, max(sizes) + 1))
    hidden = f.whole_list("hidden", (last, max(sizes) + 1), none=True)
    param = f.whole_list("param", (last, max(sizes) + 1, max(sizes) + 2))
    for where, (layer, index) in (("formula", formula), ("hidden", hidden or (1, 0))):
        if layer < 1 or index >= sizes[layer]:
            raise ValueError(f"the explorer's {where} neuron is outside the network")
    w_layer, out, col = param
    if out >= sizes[w_layer + 1] or col > sizes[w_layer]:
        raise ValueError("the explorer's chosen weight is outside the network")
    return ExplorerView(
        step=f.whole("step", 1, EXPLORER_STEPS),
        image=_image(name, image, "the explorer's example", (28, 28)),
        label=f.whole("label", 0, sizes[-1] - 1),
        target=f.whole("target", 0, sizes[-1] - 1),
        hidden=hidden,
        formula=formula,
        param=param,
        back_to=f.whole("back_to", 1, max(last, 1)),
        revealed=f.whole("revealed", 1, last),
    )


def _batch(labels: np.ndarray, images: np.ndarray, n_out: int, what: str) -> None:
    """Check a mini-batch: whole-number labels of the outputs, one 28x28 image per label."""
    m = len(labels)
    if labels.ndim != 1 or not 1 <= m <= MAX_BATCH or labels.dtype.kind not in "iu":
        raise ValueError(f"{what}'s labels are not a mini-batch of whole numbers")
    if labels.min() < 0 or labels.max() >= n_out:
        raise ValueError(f"{what}'s labels are outside the network's outputs")
    if images.shape != (m, 28, 28) or images.dtype != np.uint8:
        raise ValueError(f"{what}'s images are not 28x28 pixels, one per example")


def _last_batch(
    name: str, archive: zipfile.ZipFile, names: set[str], value: object, model: SavedModel
) -> LastBatch:
    """Read the network's latest step: its mini-batch, mean gradient and update."""
    f = _Fields("the latest step", value, ("n_train",))
    if "last_batch.npz" not in names:
        raise ValueError("the latest step (last_batch.npz) is missing")
    sizes = model.network.config.sizes
    kinds = ("grad_w", "grad_b", "step_w", "step_b")
    keys = {"images", "labels"} | {f"{n}_{k}" for n in kinds for k in range(len(sizes) - 1)}
    parts = _npz_arrays(name, archive, "last_batch.npz", keys)
    _batch(parts["labels"], parts["images"], sizes[-1], "the latest step")
    found = {}
    for kind in kinds:
        found[kind] = []
        for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
            v = parts[f"{kind}_{k}"]
            shape = (n_out, n_in) if kind.endswith("w") else (n_out,)
            if v.shape != shape or v.dtype.kind != "f" or not np.isfinite(v).all():
                raise ValueError(f"the latest step's {kind} of layer {k + 1} is unusable")
            found[kind].append(v)
    return LastBatch(
        f.whole("n_train", 1, 2**31 - 1),
        parts["images"],
        parts["labels"],
        *(tuple(found[kind]) for kind in kinds),
    )


def _player(
    name: str, archive: zipfile.ZipFile, names: set[str], value: object, model: SavedModel
) -> PlayerView:
    """Read the step being played: both networks, its mini-batch, and where it is."""
    f = _Fields("the step player", value, ("focus", "position", "n_train"))
    for member in ("story.npz", "story_before.npz", "story_after.npz"):
        if member not in names:
            raise ValueError(f"the step being played ({member}) is missing")
    before = _network(name, archive, "story_before.npz", "the played step's network")
    after = _network(name, archive, "story_after.npz", "the played step's network")
    config = before.network.config
    if after.network.config != config:
        raise ValueError("the networks before and after the played step differ in shape")
    n_layers = len(config.sizes) - 1
    keys = {"indices", "images", "labels", *(f"velocity_{k}" for k in range(n_layers))}
    parts = _npz_arrays(name, archive, "story.npz", keys)
    n_train = f.whole("n_train", 1, 2**31 - 1)
    labels, indices = parts["labels"], parts["indices"]
    _batch(labels, parts["images"], config.sizes[-1], "the played step")
    m = len(labels)
    if indices.shape != (m,) or indices.dtype.kind not in "iu":
        raise ValueError("the played step's example numbers do not match its mini-batch")
    if indices.min() < 0 or indices.max() >= n_train:
        raise ValueError("the played step's example numbers are outside its training set")
    for k, (n_in, n_out) in enumerate(zip(config.sizes, config.sizes[1:])):
        v = parts[f"velocity_{k}"]
        if v.shape != (n_out, n_in + 1) or v.dtype.kind != "f" or not np.isfinite(v).all():
            raise ValueError(f"the played step's previous update of layer {k + 1} is unusable")
    if after.examples_seen != before.examples_seen + m:
        raise ValueError("the played step's networks are not one mini-batch apart")
    story = rebuild_story(before, after, n_train, parts)
    return PlayerView(
        story=story,
        focus=f.whole("focus", 0, m - 1),
        position=f.number("position", 0.0, 3600.0),
    )


def _run(name: str, archive: zipfile.ZipFile, k: int, value: object) -> ComparedRun:
    """Read kept run ``k``: its description and its model file with its curves."""
    keys = ("name", "seed", "data", "n_train", "status", "note", "final_test", "shown")
    f = _Fields(f"kept run {k + 1}", value, keys)
    saved = _network(name, archive, f"run_{k}.npz", f"kept run {k + 1}")
    curves = saved.history
    wanted = {f"batch_{n}" for n in BATCH_FIELDS} | {f"epoch_{n}" for n in EPOCH_FIELDS}
    if set(curves) != wanted:
        raise ValueError(f"kept run {k + 1}'s curves are incomplete")
    for prefix in ("batch_", "epoch_"):
        if len({len(v) for n, v in curves.items() if n.startswith(prefix)}) != 1:
            raise ValueError(f"kept run {k + 1}'s curves are of different lengths")
    final = value["final_test"]
    if final is not None and (
        not isinstance(final, list)
        or len(final) != 2
        or any(type(x) not in (int, float) or not math.isfinite(x) or x < 0 for x in final)
        or final[1] > 1
    ):
        raise ValueError(f"kept run {k + 1}'s final test is {quote(final)}, not (cost, accuracy)")
    n_train = f.whole("n_train", 1, 2**31 - 1)
    net = saved.network
    params = parameters_snapshot(
        net.config,
        saved.train_config,
        saved.epoch,
        saved.examples_seen,
        n_train,
        tuple(w.copy() for w in net.weights),
        tuple(b.copy() for b in net.biases),
    )
    run = KeptRun(
        name=f.text("name"),
        network=net.config,
        train=saved.train_config,
        seed=f.whole("seed", int(limits.SEED.low), int(limits.SEED.high)),
        data=f.text("data"),
        n_train=n_train,
        curves={n: np.asarray(v, np.float64) for n, v in curves.items()},
        parameters=params,
        status=RunStatus(f.text("status", tuple(str(s) for s in RunStatus))),
        note=f.text("note"),
        final_test=None if final is None else (float(final[0]), float(final[1])),
    )
    return ComparedRun(run, f.flag("shown"))
