"""Write and read lesson files (``.bplab``): a zip of JSON and ``.npz`` members, nothing pickled.

A lesson file holds ``lesson.json`` (the format, its version and every choice the learner sees),
``model.npz`` (the network, its hyper-parameters and history: a model file exactly as File >
Save model writes it), ``view.npz`` (the drawing and the explorer's example, when there are
any), for a step being played ``story.npz`` with ``story_before.npz`` and ``story_after.npz``
(the networks on either side of the step), and ``run_<k>.npz`` per kept run (a model file with
its curves). Every ``.npz`` is read with ``allow_pickle=False``.

Reading checks everything before anything is returned: that the file is a zip, its member names
(no paths, no duplicates, none unknown or missing), their sizes as declared and as unpacked (a
zip bomb stops at the cap), the JSON's every field (type and range, no field unknown), the
networks as ``engine.model_io`` checks a model file (shapes, NaN weights), and every array's
shape, type and range against the network. A problem raises ``LessonFileError`` with one
sentence naming the file and the problem; a file from a newer version says so.
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from collections import Counter
from pathlib import Path
from typing import BinaryIO

import numpy as np

from engine import __version__, limits
from engine.atomic import atomic_write
from engine.errors import LessonFileError, ModelFileError
from engine.history import BATCH_FIELDS, EPOCH_FIELDS
from engine.lesson import (
    EXPLORER_STEPS,
    TABS,
    ExplorerView,
    KeptRun,
    LastBatch,
    Lesson,
    PlayerView,
    rebuild_story,
    story_parts,
)
from engine.model_io import SavedModel, model_arrays, read_model_file
from engine.runs import Run, RunStatus
from engine.snapshot import EDGE_MODES, network_of, parameters_snapshot

FORMAT = "backprop-lab-lesson"
VERSION = 1
SUFFIX = ".bplab"
MAX_JSON = 1 * 2**20  # bytes of lesson.json; ours are a few kilobytes
MAX_MEMBER = 256 * 2**20  # bytes of one unpacked member
MAX_TOTAL = 768 * 2**20  # bytes of all members unpacked: a zip bomb stops here
MAX_RUNS = 64
MAX_BATCH = 10_000  # examples in a played step's mini-batch (the controls allow fewer)
MAX_SIDE = 280 * 4  # pixels of the pad's drawing per side (280 x its device-pixel ratio)
MAX_TEXT = 400  # characters of a name or a note
FIXED = (
    "lesson.json",
    "model.npz",
    "view.npz",
    "last_batch.npz",
    "story.npz",
    "story_before.npz",
    "story_after.npz",
)
COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _npz(arrays: dict[str, np.ndarray]) -> bytes:
    """Return the bytes of a compressed .npz holding ``arrays``."""
    file = io.BytesIO()  # in memory: the lesson's member, written through the safe path
    np.savez_compressed(file, **arrays)
    return file.getvalue()


def _model(saved: SavedModel, history: dict | None = None, extra: dict | None = None) -> bytes:
    """Return a model file's bytes for a saved network."""
    return _npz(
        model_arrays(
            saved.network, saved.train_config, saved.epoch, saved.examples_seen, history, extra
        )
    )


def lesson_members(lesson: Lesson) -> dict[str, bytes]:
    """Return every member of the lesson file, by name."""
    m = lesson.model
    description: dict = {
        "format": FORMAT,
        "version": VERSION,
        "app": __version__,
        "seed": lesson.seed,
        "data": lesson.data,
        "tab": lesson.tab,
        "diagram": {
            "edge_mode": lesson.edge_mode,
            "per_layer": lesson.per_layer,
            "emphasis": lesson.emphasis,
        },
        "pad": {"label": lesson.label},
        "guide": {"stop": lesson.guide_stop, "open": lesson.guide_open},
        "explorer": None,
        "player": None,
        "runs": [],
        "selected_run": lesson.selected_run,
    }
    members = {"model.npz": _model(m, m.history)}
    view = {}
    if lesson.drawing is not None:
        view["drawing"] = np.asarray(lesson.drawing, np.float32)
    e = lesson.explorer
    if e is not None:
        view["explorer_image"] = np.asarray(e.image)
        description["explorer"] = {
            "step": e.step,
            "label": e.label,
            "target": e.target,
            "hidden": None if e.hidden is None else list(e.hidden),
            "formula": list(e.formula),
            "param": list(e.param),
            "back_to": e.back_to,
            "revealed": e.revealed,
        }
    if view:
        members["view.npz"] = _npz(view)
    p = lesson.player
    if p is not None:
        s = p.story
        description["player"] = {
            "focus": p.focus,
            "position": p.position,
            "n_train": s.before.n_train,
        }
        members["story.npz"] = _npz(story_parts(s))
        for name, snap in (("story_before.npz", s.before), ("story_after.npz", s.after)):
            members[name] = _npz(
                model_arrays(network_of(snap), s.train_config, snap.epoch, snap.examples_seen)
            )
    last = lesson.last_batch
    description["last_batch"] = None if last is None else {"n_train": last.n_train}
    if last is not None:
        parts = {"images": np.asarray(last.images), "labels": np.asarray(last.labels)}
        for name in ("grad_w", "grad_b", "step_w", "step_b"):
            for k, values in enumerate(getattr(last, name)):
                parts[f"{name}_{k}"] = np.asarray(values)
        members["last_batch.npz"] = _npz(parts)
    for k, kept in enumerate(lesson.runs):
        r, snap = kept.run, kept.run.parameters
        description["runs"].append(
            {
                "name": r.name,
                "seed": r.seed,
                "data": r.data,
                "n_train": r.n_train,
                "status": str(r.status),
                "note": r.note,
                "final_test": None if r.final_test is None else list(r.final_test),
                "shown": kept.shown,
            }
        )
        arrays = model_arrays(network_of(snap), r.train, snap.epoch, snap.examples_seen, r.curves)
        members[f"run_{k}.npz"] = _npz(arrays)
    members["lesson.json"] = json.dumps(description, indent=1).encode("utf-8")
    return members


def save_lesson(path: str | os.PathLike, lesson: Lesson) -> None:
    """Write the lesson atomically to ``path``; raises SaveError naming it if that fails.

    Kept runs must hold their network (``Run.parameters``); the caller leaves out the others.
    """
    members = lesson_members(lesson)

    def write(file: BinaryIO) -> None:
        with zipfile.ZipFile(file, "w") as archive:
            for name in ("lesson.json", *sorted(n for n in members if n != "lesson.json")):
                # Deflated, .npz too: a stored .npz would show its own zip directory in the
                # lesson's bytes, which a reader of a truncated lesson could take for the lesson's.
                archive.writestr(name, members[name], compress_type=zipfile.ZIP_DEFLATED)

    atomic_write(path, write)


def _fail(name: str, problem: str) -> LessonFileError:
    """Return the error for a lesson file that cannot be used, naming it."""
    return LessonFileError(f"{name} is not a usable Backprop Lab lesson: {problem}")


def _quote(value: object) -> str:
    """Return a value taken from the file as a short quoted text (shown, never trusted)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def load_lesson(path: str | os.PathLike) -> Lesson:
    """Read and check a lesson file completely; raise LessonFileError naming any problem."""
    path = Path(path)
    name = path.name
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            raise _fail(name, "it is not a regular file (a pipe or a device)")
        with open(path, "rb") as file:
            start = file.read(4)
            if not start:
                raise _fail(name, "the file is empty")
            if start not in (b"PK\x03\x04", b"PK\x05\x06"):
                raise _fail(name, "it is not a zip archive, so not a lesson file")
            file.seek(-min(22, path.stat().st_size), os.SEEK_END)
            if not file.read(4).startswith(b"PK\x05\x06"):  # we write no zip comment
                raise _fail(name, "it is damaged or truncated (its end is missing)")
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                return _read(name, archive)
    except LessonFileError:
        raise
    except FileNotFoundError:
        raise LessonFileError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise LessonFileError(f"{path} is a folder, not a lesson file") from None
    except PermissionError:
        raise LessonFileError(f"{path} cannot be read (permission denied)") from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise _fail(name, f"it is damaged or truncated ({printable_reason(exc)})") from None
    except NotImplementedError:
        raise _fail(name, "it uses a zip feature Backprop Lab does not read") from None


def printable_reason(exc: BaseException) -> str:
    """Return a short reason for a zip failure: its message, cut short."""
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 80 else text[:77] + "..."


def _check_names(name: str, archive: zipfile.ZipFile) -> set[str]:
    """Check the member list (names, duplicates, sizes, encryption); return the names."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if "meta.npy" in names:
        raise LessonFileError(
            f"{name} is a Backprop Lab model, not a lesson: open it with File \u2192 Open model"
        )
    if len(infos) > len(FIXED) + MAX_RUNS:
        raise _fail(name, f"it has {len(infos):,} members; a lesson has at most {len(FIXED) + 64}")
    allowed = set(FIXED) | {f"run_{k}.npz" for k in range(MAX_RUNS)}
    for info in infos:
        n = info.filename
        if n.startswith(("/", "\\")) or ".." in n or "/" in n or "\\" in n or ":" in n:
            raise _fail(name, f"it has a member named {_quote(n)}, a path outside the lesson")
        if n not in allowed:
            raise _fail(name, f"it has an unexpected member {_quote(n)}")
        if info.flag_bits & 0x1:
            raise _fail(name, f"its member {n} is encrypted")
        if info.compress_type not in COMPRESSIONS:
            raise _fail(name, f"its member {n} is packed in a way Backprop Lab does not read")
        most = MAX_JSON if n.endswith(".json") else MAX_MEMBER
        if info.file_size > most:
            raise _fail(name, f"its member {n} unpacks to more than {most // 2**20} MB")
    twice = [n for n, count in Counter(names).items() if count > 1]
    if twice:
        raise _fail(name, f"its member {twice[0]} appears {Counter(names)[twice[0]]} times")
    if sum(info.file_size for info in infos) > MAX_TOTAL:
        raise _fail(name, f"it unpacks to more than {MAX_TOTAL // 2**20} MB")
    if "lesson.json" not in names:
        raise _fail(name, "its description (lesson.json) is missing")
    if "model.npz" not in names:
        raise _fail(name, "its network (model.npz) is missing")
    return set(names)


def _bytes(name: str, archive: zipfile.ZipFile, member: str) -> bytes:
    """Return a member's bytes, refusing one that unpacks past its cap (whatever it declared)."""
    most = MAX_JSON if member.endswith(".json") else MAX_MEMBER
    with archive.open(member, mode="r") as file:
        data = file.read(most + 1)
    if len(data) > most:
        raise _fail(name, f"its member {member} unpacks to more than {most // 2**20} MB")
    return data


def _duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    """Build a JSON object, refusing a key given twice (which one would win is unclear)."""
    keys = [k for k, _v in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"the field {_quote(next(k for k in keys if keys.count(k) > 1))} is twice")
    return dict(pairs)


def _read(name: str, archive: zipfile.ZipFile) -> Lesson:
    """Read every member of an open lesson archive, checking each."""
    names = _check_names(name, archive)
    raw = _bytes(name, archive, "lesson.json")
    try:
        meta = json.loads(raw.decode("utf-8"), object_pairs_hook=_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _fail(name, f"its description is not valid JSON ({printable_reason(exc)})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _fail(name, "its description was not written by Backprop Lab")
    version = meta.get("version")
    if type(version) is int and version > VERSION:
        raise LessonFileError(
            f"{name} was made by a newer Backprop Lab (format {version}); this version reads up "
            f"to {VERSION}. Update Backprop Lab to open it."
        )
    if version != VERSION:
        raise _fail(name, f"format version {_quote(version)} is not supported")
    try:
        return _parse(name, archive, names, meta)
    except (ValueError, TypeError, KeyError) as exc:
        detail = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
        detail = detail if len(detail) <= 160 else detail[:157] + "..."
        raise _fail(name, detail) from None


class _Fields:
    """Typed reads of one JSON object: every field must be read, none may be unknown."""

    def __init__(self, where: str, value: object, keys: tuple[str, ...]) -> None:
        if not isinstance(value, dict):
            raise ValueError(f"{where} is not a JSON object")
        unknown = sorted(set(value) - set(keys))
        if unknown:
            raise ValueError(f"{where} has an unknown field {_quote(unknown[0])}")
        missing = [k for k in keys if k not in value]
        if missing:
            raise ValueError(f"{where} lacks the field {_quote(missing[0])}")
        self.where, self.value = where, value

    def whole(self, key: str, low: int, high: int, none: bool = False) -> int | None:
        """Return a whole number in [low, high] (or None where allowed)."""
        v = self.value[key]
        if v is None and none:
            return None
        if type(v) is not int or not low <= v <= high:
            raise ValueError(
                f"{self.where}'s {key} is {_quote(v)}, not a whole number {low}-{high}"
            )
        return v

    def number(self, key: str, low: float, high: float) -> float:
        """Return a finite number in [low, high]."""
        v = self.value[key]
        if type(v) not in (int, float) or not math.isfinite(v) or not low <= v <= high:
            raise ValueError(f"{self.where}'s {key} is {_quote(v)}, not a number {low:g}-{high:g}")
        return float(v)

    def flag(self, key: str) -> bool:
        """Return a true or false."""
        v = self.value[key]
        if type(v) is not bool:
            raise ValueError(f"{self.where}'s {key} is {_quote(v)}, not true or false")
        return v

    def text(self, key: str, choices: tuple[str, ...] | None = None) -> str:
        """Return a short text (one of ``choices``, if given)."""
        v = self.value[key]
        if type(v) is not str or len(v) > MAX_TEXT or (choices and v not in choices):
            allowed = f" (one of {', '.join(choices)})" if choices else ""
            raise ValueError(f"{self.where}'s {key} is {_quote(v)}, not a valid text{allowed}")
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
            raise ValueError(f"{self.where}'s {key} is {_quote(v)}, outside the network")
        return tuple(v)


def _npz_arrays(
    name: str, archive: zipfile.ZipFile, member: str, keys: set[str], optional: bool = False
) -> dict:
    """Return the arrays of an .npz member, which holds ``keys`` (some, if ``optional``)."""
    data = _bytes(name, archive, member)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            if sum(i.file_size for i in npz.zip.infolist()) > MAX_MEMBER:
                raise _fail(name, f"its member {member} unpacks to more than 256 MB")
            if set(npz.files) != keys and not (optional and set(npz.files) < keys):
                extra = sorted(set(npz.files) ^ keys)
                raise _fail(
                    name, f"its member {member} does not hold the right arrays ({extra[0]})"
                )
            return {k: npz[k] for k in npz.files}
    except LessonFileError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc):
            raise _fail(name, f"its member {member} holds Python objects, never loaded") from None
        raise _fail(name, f"its member {member} is not a NumPy .npz archive") from None
    except Exception as exc:  # zipfile, zlib and NumPy's header parser each fail their own way
        raise _fail(name, f"its member {member} is damaged ({type(exc).__name__})") from None


def _network(name: str, archive: zipfile.ZipFile, member: str, what: str) -> SavedModel:
    """Read a member that is a model file, with every check File > Open makes."""
    data = _bytes(name, archive, member)
    try:
        return read_model_file(io.BytesIO(data), member, window=True)
    except ModelFileError as exc:
        problem = str(exc).split(": ", 1)[-1]
        raise _fail(name, f"{what} ({member}) is unusable: {problem}") from None


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


def _parse(name: str, archive: zipfile.ZipFile, names: set[str], meta: dict) -> Lesson:
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


def _run(name: str, archive: zipfile.ZipFile, k: int, value: object) -> KeptRun:
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
        raise ValueError(f"kept run {k + 1}'s final test is {_quote(final)}, not (cost, accuracy)")
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
    run = Run(
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
    return KeptRun(run, f.flag("shown"))
