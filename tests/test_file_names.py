"""The save dialogs' one rule for an ending the app adds to a typed name (gui/file_names.py)."""

from __future__ import annotations

from pathlib import Path

from gui.file_names import ending_added_ok


def asker(answer: bool, asked: list[tuple[str, str]]):
    """Return a confirm(title, question) that records what it was asked and answers."""

    def confirm(title: str, question: str) -> bool:
        asked.append((title, question))
        return answer

    return confirm


def test_a_name_typed_with_its_ending_or_a_new_file_needs_no_question(tmp_path: Path) -> None:
    asked: list = []
    typed = tmp_path / "run.npz"
    typed.write_bytes(b"old")  # the dialog itself asked about the typed name
    assert ending_added_ok(typed, typed, "Models", asker(False, asked))
    assert ending_added_ok(
        tmp_path / "run.v2", tmp_path / "run.v2.npz", "Models", asker(False, asked)
    )
    assert asked == []


def test_an_added_ending_that_lands_on_a_file_asks_and_follows_the_answer(tmp_path: Path) -> None:
    target = tmp_path / "lesson.bplab"
    target.write_bytes(b"kept")
    for answer in (False, True):
        asked: list = []
        ok = ending_added_ok(tmp_path / "lesson", target, "Lessons", asker(answer, asked))
        assert ok is answer
        assert asked == [
            (
                "Replace lesson.bplab?",
                "Lessons are saved with the ending .bplab, so lesson is saved as lesson.bplab, "
                "which already exists. Replace it?",
            )
        ]
    assert target.read_bytes() == b"kept"  # asking writes nothing


def test_a_dangling_link_counts_as_a_file_to_replace(tmp_path: Path) -> None:
    link = tmp_path / "run.npz"
    link.symlink_to(tmp_path / "nowhere")
    asked: list = []
    assert not ending_added_ok(tmp_path / "run", link, "Models", asker(False, asked))
    assert len(asked) == 1
