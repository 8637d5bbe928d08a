"""New names never replace files: a kept run saved by name, and runs dropped to fit the budget."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_runs import trained_run

from engine.errors import SaveError
from engine.model_io import load_model
from engine.runs import RunRegistry, save_new_file


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
