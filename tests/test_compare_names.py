"""New names never replace files: a kept run saved by name, and runs dropped to fit the budget."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_runs import trained_run
from windows import open_window, train_batches

from engine.data.model_io import load_model
from engine.errors import SaveError
from engine.session.runs import RunRegistry, save_new_file


def _drop_all(registry: RunRegistry, runs) -> list:
    """Keep ``runs`` in a registry too small for any two, so each add drops the one before."""
    dropped = []
    for run in runs:
        dropped += registry.add(run)
    return dropped


def test_dropped_runs_never_replace_a_file_across_launches_or_within_one(
    tiny_digits, tmp_path
) -> None:
    other = tmp_path / "Run_1.npz"
    other.write_bytes(b"the learner's own file")
    made = []
    for _launch in range(2):  # each launch names its runs Run 1, Run 2 ... again
        runs = [trained_run(tiny_digits, f"Run {k + 1}", batches=40)[0] for k in range(3)]
        registry = RunRegistry(budget=int(1.5 * runs[0].nbytes()))
        registry.save_dir = tmp_path
        assert len(_drop_all(registry, runs)) == 2
        made.append(sorted(p.name for p in tmp_path.iterdir()))
    files = sorted(tmp_path.glob("*.npz"))
    assert other.read_bytes() == b"the learner's own file"
    assert len(files) == 1 + 2 + 2  # every dropped run has its own file; nothing replaced
    assert set(made[0]) <= set(made[1])
    for path in files:
        if path != other:
            assert load_model(path).extra["run"] in {"Run 1", "Run 2"}
            assert path.name.startswith(("Run_1-", "Run_2-"))


def test_a_name_that_comes_back_within_the_same_second_gets_a_counter(
    tiny_digits, tmp_path
) -> None:
    run, _ = trained_run(tiny_digits, "Run 1", batches=40)
    first = save_new_file(run, tmp_path, when=0.0)
    second = save_new_file(run, tmp_path, when=0.0)
    assert first != second and first.is_file() and second.is_file()
    assert second.name == first.name.replace(".npz", "-2.npz")
    # Anything already at a name, even a dangling symlink, is left as it is.
    third = first.with_name(first.name.replace(".npz", "-3.npz"))
    third.symlink_to(tmp_path / "nowhere")
    fourth = save_new_file(run, tmp_path, when=0.0)
    assert third.is_symlink() and not third.exists()
    assert fourth.name.endswith("-4.npz")


def test_a_folder_that_cannot_take_the_file_says_why_and_leaves_nothing(
    tiny_digits, tmp_path
) -> None:
    run, _ = trained_run(tiny_digits, "Run 1", batches=40)
    with pytest.raises(SaveError, match="Run 1 in .*gone: No such file or directory"):
        save_new_file(run, tmp_path / "gone")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_removes_its_claim_on_the_name(tiny_digits, tmp_path, monkeypatch) -> None:
    run, _ = trained_run(tiny_digits, "Run 1", batches=40)

    def full(path) -> None:
        raise SaveError(f"could not save {path}: the disk is full")

    monkeypatch.setattr(run, "save", full)
    with pytest.raises(SaveError, match="disk is full"):
        save_new_file(run, tmp_path)
    assert list(Path(tmp_path).iterdir()) == []


def _window_with_a_kept_run(qtbot, tmp_path, batches: int = 30):
    window = open_window(qtbot, tmp_path / "s.ini")
    train_batches(qtbot, window, batches)
    run = window.runs.keep_current()
    assert run is not None
    return window, run


def test_save_adds_npz_to_the_typed_name_and_never_replaces_another_file_unasked(
    qtbot, tmp_path
) -> None:
    window, run = _window_with_a_kept_run(qtbot, tmp_path)
    runs = window.runs
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "run.npz").write_bytes(b"a different model")
    (folder / "archive.npz").write_bytes(b"another one")
    asked = []
    answer = [False]
    runs.confirm_replace = lambda title, text: asked.append(text) or answer[0]
    for typed, saved in (("run.v2", "run.v2.npz"), ("archive.tar", "archive.tar.npz")):
        runs.choose_file = lambda name, t=typed: str(folder / t)
        runs.save_run_dialog(run)
        assert load_model(folder / saved).extra["run"] == run.name
    assert (folder / "run.npz").read_bytes() == b"a different model"
    assert (folder / "archive.npz").read_bytes() == b"another one"
    assert asked == []  # nothing existed at the names saved to
    # The same name again: run.v2.npz exists now, and the dialog asked about run.v2 only.
    (folder / "run.v2.npz").write_bytes(b"kept")
    runs.choose_file = lambda name: str(folder / "run.v2")
    runs.save_run_dialog(run)
    assert len(asked) == 1 and "run.v2.npz" in asked[0]
    assert (folder / "run.v2.npz").read_bytes() == b"kept"
    assert "not saved" in window.statusBar().currentMessage()
    answer[0] = True
    runs.save_run_dialog(run)
    assert load_model(folder / "run.v2.npz").extra["run"] == run.name
    # A name already ending in .npz (any case) is used as typed; the dialog asked about it.
    runs.choose_file = lambda name: str(folder / "Upper.NPZ")
    runs.save_run_dialog(run)
    assert (folder / "Upper.NPZ").is_file() and len(asked) == 2
    window.close()


def test_every_export_failure_says_why(qtbot, tmp_path) -> None:
    window, run = _window_with_a_kept_run(qtbot, tmp_path)
    runs = window.runs
    bar = window.statusBar()
    (tmp_path / "a folder.png").mkdir()
    (tmp_path / "a folder.csv").mkdir()
    cases = (
        ("gone/comparison.png", "does not exist"),
        ("gone/runs.csv", "does not exist"),
        ("a folder.png", "is a folder"),
        ("a folder.csv", "is a folder"),
    )
    for name, why in cases:
        runs.choose_export = lambda title, start, kind, n=name: str(tmp_path / n)
        click = runs.panel.png_button if name.endswith(".png") else runs.panel.csv_button
        click.click()
        assert str(tmp_path / name) in bar.currentMessage() and why in bar.currentMessage()
    runs.choose_file = lambda name: str(tmp_path / "gone" / "run")
    runs.save_run_dialog(run)
    assert "gone/run.npz" in bar.currentMessage() and "does not exist" in bar.currentMessage()
    # What did work says where it went.
    runs.choose_export = lambda title, start, kind: str(tmp_path / "ok.png")
    runs.panel.png_button.click()
    assert (tmp_path / "ok.png").is_file() and "ok.png" in bar.currentMessage()
    window.close()


def test_a_folder_that_cannot_take_dropped_runs_stays_said_after_keep(qtbot, tmp_path) -> None:
    window, first = _window_with_a_kept_run(qtbot, tmp_path)
    runs = window.runs
    runs.registry.save_dir = tmp_path / "gone"  # removed since it was chosen
    runs.registry.budget = first.nbytes() + 1  # the next kept run drops the first
    train_batches(qtbot, window, 30)
    second = runs.keep_current()
    assert second is not None and first in runs.registry.runs  # not saved, so not dropped
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Kept {second.name}")
    assert "Could not save" in message and "No such file or directory" in message
    warning = runs.panel.save_warning
    assert not warning.isHidden() and "No such file or directory" in warning.text()
    assert str(tmp_path / "gone") in warning.text()
    # A folder that works again clears it, and the runs it drops are saved there under a new name.
    (tmp_path / "gone").mkdir()
    train_batches(qtbot, window, 30)
    third = runs.keep_current()
    assert warning.isHidden() and runs.registry.runs == [third]
    saved = sorted((tmp_path / "gone").glob("*.npz"))
    assert [load_model(p).extra["run"] for p in saved] == [first.name, second.name]
    assert "saved in" in window.statusBar().currentMessage()
    window.close()
