"""Lesson files, the engine half: a lesson comes back field by field, and hostile files are refused.

Each damaged or hostile file is made from a good one by changing one thing, and must be refused
with the one sentence that names that thing.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import EpochReport, TrainConfig, Trainer
from engine.data.lesson import (
    ComparedRun,
    ExplorerView,
    Lesson,
    PlayerView,
    full_snapshot,
    last_batch_of,
)
from engine.data.lesson_io import lesson_members, load_lesson, save_lesson
from engine.data.model_io import SavedModel
from engine.errors import LessonFileError, SaveError
from engine.lessons.step_story import finish_story, prepare_story
from engine.session.history import TrainingHistory
from engine.session.runs import KeptRun
from engine.session.snapshot import take_snapshot

SIZES = (784, 12, 8, 10)


@pytest.fixture
def lesson(tiny_digits) -> Lesson:
    """A lesson with every part filled (``make_lesson``)."""
    return make_lesson(*tiny_digits)


def make_lesson(images: np.ndarray, labels: np.ndarray) -> Lesson:
    """Return a lesson with every part filled: a played step, kept runs, explorer, drawing."""
    net = Network(NetworkConfig(sizes=SIZES), np.random.default_rng(3))
    config = TrainConfig(learning_rate=0.5, batch_size=7, momentum=0.5)
    trainer = Trainer(net, images, labels, config, seed=2)
    history = TrainingHistory()
    for i in range(4):
        trainer.step_batch()
        history.add_batches(np.array([(i + 1) * 7 / len(labels)]), np.array([0.4 - 0.01 * i]))
    history.add_epoch(EpochReport(1, 0.3, 0.35, 0.62, 1.0))
    before = take_snapshot(trainer, images)
    story = prepare_story(trainer, images, config, before)
    trainer.step_batch()
    story = finish_story(story, take_snapshot(trainer, images))
    after = take_snapshot(trainer, images)
    saved = SavedModel(trainer.network.copy(), config, 0, trainer.examples_seen, {})
    saved = replace(saved, history=history.to_arrays())
    run = KeptRun.from_history(
        "Run 1",
        history,
        network=net.config,
        train=config,
        seed=5,
        data="sample",
        n_train=len(labels),
        parameters=after,
        note="kept early",
        final_test=(0.3, 0.6),
    )
    drawing = np.zeros((56, 56), np.float32)
    drawing[10:40, 20:30] = 0.75
    return Lesson(
        model=saved,
        seed=7,
        data="sample",
        tab="explorer",
        edge_mode="gradient",
        per_layer=False,
        emphasis=3.0,
        drawing=drawing,
        label=4,
        guide_stop=5,
        guide_open=True,
        explorer=ExplorerView(
            step=7,
            image=images[3],
            label=int(labels[3]),
            target=2,
            hidden=(2, 5),
            formula=(1, 3),
            param=(1, 4, 12),
            back_to=1,
            revealed=3,
        ),
        player=PlayerView(story, focus=3, position=4.25),
        runs=(ComparedRun(run, True), ComparedRun(replace(run, name="Run 2", note=""), False)),
        selected_run=1,
        last_batch=last_batch_of(after),
    )


def test_every_part_comes_back(tmp_path, lesson) -> None:
    path = tmp_path / "class.bplab"
    save_lesson(path, lesson)
    back = load_lesson(path)
    for p, q in zip(back.model.network.params, lesson.model.network.params, strict=True):
        np.testing.assert_array_equal(p, q)
    assert back.model.train_config == lesson.model.train_config
    assert (back.model.epoch, back.model.examples_seen) == (0, lesson.model.examples_seen)
    assert back.model.history.keys() == lesson.model.history.keys()
    for key, values in lesson.model.history.items():
        np.testing.assert_array_equal(back.model.history[key], values, err_msg=key)
    for field in ("seed", "data", "tab", "edge_mode", "per_layer", "emphasis", "label"):
        assert getattr(back, field) == getattr(lesson, field), field
    assert (back.guide_stop, back.guide_open, back.selected_run) == (5, True, 1)
    np.testing.assert_array_equal(back.drawing, lesson.drawing)
    e, f = back.explorer, lesson.explorer
    np.testing.assert_array_equal(e.image, f.image)
    assert replace(e, image=None) == replace(f, image=None)
    p, q = back.player, lesson.player
    assert (p.focus, p.position) == (q.focus, q.position)
    s, t = p.story, q.story
    for name in ("indices", "images", "labels", "costs"):
        np.testing.assert_allclose(getattr(s, name), getattr(t, name), err_msg=name)
    for name in ("activations", "deltas", "dc_da", "velocity"):
        for a, b in zip(getattr(s, name), getattr(t, name), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg=name)
    for snap_s, snap_t in ((s.before, t.before), (s.after, t.after)):
        for a, b in zip(snap_s.weights, snap_t.weights, strict=True):
            np.testing.assert_array_equal(a, b)
    assert s.cost_after == pytest.approx(t.cost_after)
    full, seen = full_snapshot(back.model, back.last_batch), lesson.runs[0].run.parameters
    for name in ("grad_w", "grad_b", "step_w", "step_b"):
        for a, b in zip(getattr(full, name), getattr(lesson.last_batch, name), strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
    np.testing.assert_array_equal(full.batch_images, seen.batch_images)
    np.testing.assert_array_equal(full.batch_labels, seen.batch_labels)
    for a, b in zip(full.example.activations, seen.example.activations, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg="the example's")
    for a, b in zip(full.example.deltas, seen.example.deltas, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6, err_msg="the example's deltas")
    assert [k.shown for k in back.runs] == [True, False]
    for k, kept in zip(back.runs, lesson.runs, strict=True):
        r, o = k.run, kept.run
        assert (r.name, r.seed, r.data, r.n_train, r.note, r.final_test, r.status) == (
            o.name,
            o.seed,
            o.data,
            o.n_train,
            o.note,
            o.final_test,
            o.status,
        )
        for key, values in o.curves.items():
            np.testing.assert_array_equal(r.curves[key], values, err_msg=key)
        for a, b in zip(r.parameters.weights, o.parameters.weights, strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_failed_save_keeps_the_previous_lesson(tmp_path, lesson) -> None:
    path = tmp_path / "class.bplab"
    save_lesson(path, lesson)
    before = path.read_bytes()
    broken = replace(lesson, seed=object())  # JSON cannot write it: the save fails midway
    with pytest.raises(TypeError):
        save_lesson(path, broken)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["class.bplab"]
    with pytest.raises(SaveError, match="is a folder"):
        save_lesson(tmp_path, lesson)


def zipped(members: dict[str, bytes] | list[tuple[str, bytes]]) -> bytes:
    """Return a zip archive of ``members`` (a list may repeat a name)."""
    buffer = io.BytesIO()
    items = members.items() if isinstance(members, dict) else members
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a repeated name, which is the point
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in items:
                archive.writestr(name, data)
    return buffer.getvalue()


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def with_json(members: dict[str, bytes], change) -> bytes:
    """Return the archive with lesson.json changed by ``change(description)``."""
    meta = json.loads(members["lesson.json"])
    change(meta)
    return zipped({**members, "lesson.json": json.dumps(meta).encode()})


def with_model(members: dict[str, bytes], member: str, change) -> bytes:
    """Return the archive with a model-file member's arrays changed by ``change(arrays)``."""
    with np.load(io.BytesIO(members[member]), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    change(arrays)
    return zipped({**members, member: npz(**arrays)})


def nan_weights(arrays) -> None:
    arrays["params_1"] = arrays["params_1"].copy()
    arrays["params_1"][0, 0] = np.nan


def bomb(members) -> bytes:
    """A member that unpacks to 300 MB of zeros (a few hundred kilobytes packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if name != "view.npz":
                archive.writestr(name, data)
        with archive.open("view.npz", "w", force_zip64=True) as file:
            chunk = bytes(2**20)
            for _ in range(300):
                file.write(chunk)
    return buffer.getvalue()


def encrypted(members) -> bytes:
    """The archive with its last member marked encrypted (zipfile itself clears the flag)."""
    data = bytearray(zipped(members))
    at = data.rfind(b"PK\x01\x02")  # the last central-directory entry; its flags at +8
    data[at + 8] |= 0x1
    return bytes(data)


def pickled(members) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    return zipped({**members, "view.npz": zipped({"drawing.npy": buffer.getvalue()})})


HOSTILE = {
    "empty": (lambda m: b"", "the file is empty"),
    "png": (lambda m: b"\x89PNG\r\n\x1a\n" + bytes(100), "it is not a zip archive"),
    "truncated": (lambda m: zipped(m)[: len(zipped(m)) // 2], "damaged or truncated"),
    "a model file": (
        lambda m: m["model.npz"],
        "is a Backprop Lab model, not a lesson: open it with File \u2192 Open model",
    ),
    "no description": (
        lambda m: zipped({k: v for k, v in m.items() if k != "lesson.json"}),
        "its description (lesson.json) is missing",
    ),
    "no network": (
        lambda m: zipped({k: v for k, v in m.items() if k != "model.npz"}),
        "its network (model.npz) is missing",
    ),
    "path traversal": (
        lambda m: zipped({**m, "../../.bashrc": b"x"}),
        "a member named '../../.bashrc', a path outside the lesson",
    ),
    "absolute path": (
        lambda m: zipped({**m, "/etc/passwd": b"x"}),
        "a member named '/etc/passwd', a path outside the lesson",
    ),
    "duplicated member": (
        lambda m: zipped([*m.items(), ("lesson.json", b"{}")]),
        "its member lesson.json appears 2 times",
    ),
    "unknown member": (
        lambda m: zipped({**m, "notes.txt": b"hi"}),
        "unexpected member 'notes.txt'",
    ),
    "zip bomb": (bomb, "its member view.npz unpacks to more than 256 MB"),
    "huge description": (
        lambda m: zipped({**m, "lesson.json": b" " * (2 * 2**20) + b"{}"}),
        "its member lesson.json unpacks to more than 1 MB",
    ),
    "encrypted": (encrypted, "is encrypted"),
    "newer version": (
        lambda m: with_json(m, lambda d: d.update(version=2)),
        "was made by a newer Backprop Lab (format 2); this version reads up to 1",
    ),
    "bad version": (
        lambda m: with_json(m, lambda d: d.update(version="one")),
        "format version 'one' is not supported",
    ),
    "not JSON": (lambda m: zipped({**m, "lesson.json": b"{oops"}), "its description is not valid"),
    "nested JSON": (
        lambda m: zipped({**m, "lesson.json": b"[" * 100000 + b"]" * 100000}),
        "its description is not valid JSON",
    ),
    "repeated JSON key": (
        lambda m: zipped({**m, "lesson.json": m["lesson.json"][:-1] + b', "seed": 3}'}),
        "the field 'seed' is twice",
    ),
    "someone else's JSON": (
        lambda m: with_json(m, lambda d: d.update(format="tensorboard")),
        "its description was not written by Backprop Lab",
    ),
    "NaN weights": (
        lambda m: with_model(m, "model.npz", nan_weights),
        "its network (model.npz) is unusable: layer 2 contains NaN or infinite weights",
    ),
    "wrong weight shape": (
        lambda m: with_model(m, "model.npz", lambda a: a.update(params_0=np.zeros((12, 10)))),
        "layer 1 has shape (12, 10), expected (12, 785)",
    ),
    "NaN in a kept run": (
        lambda m: with_model(m, "run_1.npz", nan_weights),
        "kept run 2 (run_1.npz) is unusable: layer 2 contains NaN",
    ),
    "pickled drawing": (pickled, "its member view.npz holds Python objects, never loaded"),
    "NaN drawing": (
        lambda m: zipped(
            {
                **m,
                "view.npz": npz(
                    drawing=np.full((56, 56), np.nan, np.float32),
                    explorer_image=np.zeros((28, 28), np.uint8),
                ),
            }
        ),
        "the drawing holds values outside 0 to 1",
    ),
    "unknown tab": (
        lambda m: with_json(m, lambda d: d.update(tab="secret")),
        "the description's tab is 'secret', not a valid text (one of network, explorer",
    ),
    "no tab": (lambda m: with_json(m, lambda d: d.pop("tab")), "lacks the field 'tab'"),
    "unknown field": (
        lambda m: with_json(m, lambda d: d.update(macro="rm -rf")),
        "the description has an unknown field 'macro'",
    ),
    "unknown edge mode": (
        lambda m: with_json(m, lambda d: d["diagram"].update(edge_mode="x-ray")),
        "the diagram's edge_mode is 'x-ray'",
    ),
    "huge emphasis": (
        lambda m: with_json(m, lambda d: d["diagram"].update(emphasis=1e308)),
        "the diagram's emphasis is 1e+308, not a number 1-3",
    ),
    "explorer step 13": (
        lambda m: with_json(m, lambda d: d["explorer"].update(step=13)),
        "the explorer's step is 13, not a whole number 1-12",
    ),
    "label true": (
        lambda m: with_json(m, lambda d: d["pad"].update(label=True)),
        "the pad's label is True, not a whole number 0-9",
    ),
    "neuron outside": (
        lambda m: with_json(m, lambda d: d["explorer"].update(formula=[2, 9])),
        "the explorer's formula neuron is outside the network",
    ),
    "played step missing": (
        lambda m: zipped({k: v for k, v in m.items() if k != "story.npz"}),
        "the step being played (story.npz) is missing",
    ),
    "infinite update": (
        lambda m: with_model(
            m, "story.npz", lambda a: a.update(velocity_0=np.full((12, 785), np.inf))
        ),
        "the played step's previous update of layer 1 is unusable",
    ),
    "NaN gradient": (
        lambda m: with_model(
            m, "last_batch.npz", lambda a: a.update(grad_w_1=np.full((8, 12), np.nan))
        ),
        "the latest step's grad_w of layer 2 is unusable",
    ),
    "kept run missing": (
        lambda m: zipped({k: v for k, v in m.items() if k != "run_1.npz"}),
        "kept run 2's network (run_1.npz) is missing",
    ),
    "undescribed member": (
        lambda m: with_json(m, lambda d: d.update(player=None)),
        "its member story.npz is not described",
    ),
    "label outside": (
        lambda m: with_json(m, lambda d: d["explorer"].update(label=10)),
        "the explorer's label is 10, not a whole number 0-9",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_lesson_is_refused_with_one_message(tmp_path, lesson, case) -> None:
    make, expected = HOSTILE[case]
    path = tmp_path / "hostile.bplab"
    path.write_bytes(make(lesson_members(lesson)))
    with pytest.raises(LessonFileError) as caught:
        load_lesson(path)
    message = str(caught.value)
    assert expected in message
    assert message.startswith("hostile.bplab") and "\n" not in message
    assert len(message) < 300


def test_a_folder_or_a_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(LessonFileError, match="is a folder, not a lesson file"):
        load_lesson(tmp_path)
    with pytest.raises(LessonFileError, match="does not exist"):
        load_lesson(tmp_path / "gone.bplab")
