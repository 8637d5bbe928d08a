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
networks as ``engine.data.model_io`` checks a model file (shapes, NaN weights), and every array's
shape, type and range against the network. A problem raises ``LessonFileError`` with one
sentence naming the file and the problem; a file from a newer version says so.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections import Counter
from pathlib import Path
from typing import BinaryIO

import numpy as np

from engine import __version__
from engine.data.atomic import atomic_write
from engine.data.lesson import Lesson, story_parts
from engine.data.lesson_read import (
    MAX_JSON,
    MAX_MEMBER,
    MAX_RUNS,
    fail,
    member_bytes,
    parse,
    printable_reason,
    quote,
)
from engine.data.model_io import SavedModel, model_arrays
from engine.errors import LessonFileError, refusals_to_open
from engine.session.snapshot import network_of

FORMAT = "backprop-lab-lesson"
VERSION = 1
SUFFIX = ".bplab"
MAX_TOTAL = 768 * 2**20  # bytes of all members unpacked: a zip bomb stops here
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
    """Return the bytes of an .npz holding ``arrays`` (the lesson's zip compresses it once)."""
    file = io.BytesIO()  # in memory: the lesson's member, written through the safe path
    np.savez(file, **arrays)
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
                # Level 1: as small as level 6 for these numbers, in half the time.
                archive.writestr(name, members[name], zipfile.ZIP_DEFLATED, compresslevel=1)

    atomic_write(path, write)


def load_lesson(path: str | os.PathLike) -> Lesson:
    """Read and check a lesson file completely; raise LessonFileError naming any problem."""
    path = Path(path)
    name = path.name
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            raise fail(name, "it is not a regular file (a pipe or a device)")
        with refusals_to_open(path, LessonFileError, "a lesson file"), open(path, "rb") as file:
            start = file.read(4)
            if not start:
                raise fail(name, "the file is empty")
            if start not in (b"PK\x03\x04", b"PK\x05\x06"):
                raise fail(name, "it is not a zip archive, so not a lesson file")
            file.seek(-min(22, path.stat().st_size), os.SEEK_END)
            if not file.read(4).startswith(b"PK\x05\x06"):  # we write no zip comment
                raise fail(name, "it is damaged or truncated (its end is missing)")
            file.seek(0)
            with zipfile.ZipFile(file) as archive:
                return _read(name, archive)
    except LessonFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise fail(name, f"it is damaged or truncated ({printable_reason(exc)})") from None
    except NotImplementedError:
        raise fail(name, "it uses a zip feature Backprop Lab does not read") from None


def _check_names(name: str, archive: zipfile.ZipFile) -> set[str]:
    """Check the member list (names, duplicates, sizes, encryption); return the names."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if "meta.npy" in names:
        raise LessonFileError(
            f"{name} is a Backprop Lab model, not a lesson: open it with File \u2192 Open model"
        )
    if len(infos) > len(FIXED) + MAX_RUNS:
        raise fail(name, f"it has {len(infos):,} members; a lesson has at most {len(FIXED) + 64}")
    allowed = set(FIXED) | {f"run_{k}.npz" for k in range(MAX_RUNS)}
    for info in infos:
        n = info.filename
        if n.startswith(("/", "\\")) or ".." in n or "/" in n or "\\" in n or ":" in n:
            raise fail(name, f"it has a member named {quote(n)}, a path outside the lesson")
        if n not in allowed:
            raise fail(name, f"it has an unexpected member {quote(n)}")
        if info.flag_bits & 0x1:
            raise fail(name, f"its member {n} is encrypted")
        if info.compress_type not in COMPRESSIONS:
            raise fail(name, f"its member {n} is packed in a way Backprop Lab does not read")
        most = MAX_JSON if n.endswith(".json") else MAX_MEMBER
        if info.file_size > most:
            raise fail(name, f"its member {n} unpacks to more than {most // 2**20} MB")
    twice = [n for n, count in Counter(names).items() if count > 1]
    if twice:
        raise fail(name, f"its member {twice[0]} appears {Counter(names)[twice[0]]} times")
    if sum(info.file_size for info in infos) > MAX_TOTAL:
        raise fail(name, f"it unpacks to more than {MAX_TOTAL // 2**20} MB")
    if "lesson.json" not in names:
        raise fail(name, "its description (lesson.json) is missing")
    if "model.npz" not in names:
        raise fail(name, "its network (model.npz) is missing")
    return set(names)


def _duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    """Build a JSON object, refusing a key given twice (which one would win is unclear)."""
    keys = [k for k, _v in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError(f"the field {quote(next(k for k in keys if keys.count(k) > 1))} is twice")
    return dict(pairs)


def _read(name: str, archive: zipfile.ZipFile) -> Lesson:
    """Read every member of an open lesson archive, checking each."""
    names = _check_names(name, archive)
    raw = member_bytes(name, archive, "lesson.json")
    try:
        meta = json.loads(raw.decode("utf-8"), object_pairs_hook=_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise fail(name, f"its description is not valid JSON ({printable_reason(exc)})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise fail(name, "its description was not written by Backprop Lab")
    version = meta.get("version")
    if type(version) is int and version > VERSION:
        raise LessonFileError(
            f"{name} was made by a newer Backprop Lab (format {version}); this version reads up "
            f"to {VERSION}. Update Backprop Lab to open it."
        )
    if version != VERSION:
        raise fail(name, f"format version {quote(version)} is not supported")
    try:
        return parse(name, archive, names, meta)
    except (ValueError, TypeError, KeyError) as exc:
        detail = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
        detail = detail if len(detail) <= 160 else detail[:157] + "..."
        raise fail(name, detail) from None
