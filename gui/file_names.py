"""Where save dialogs start and what they suggest: the documents folder and descriptive names.

A model's suggested name says what it is (``784-16-16-10-sigmoid-quadratic-epoch5.npz``); a name
the learner types is kept whole, with ".npz" added only when it does not already end so.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths

from engine.core.network import NetworkConfig


def documents_path(name: str) -> Path:
    """Return ``name`` in the user's documents folder (the home folder if there is none)."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home()) / name


def model_name(config: NetworkConfig, epochs: int | None) -> str:
    """Return a descriptive model file name: architecture, activation, cost, epochs trained."""
    sizes = "-".join(str(n) for n in config.sizes)
    trained = "" if epochs is None else f"-epoch{epochs}"
    return f"{sizes}-{config.activation}-{config.cost}{trained}.npz"


def model_file_path(typed: str | Path) -> Path:
    """Return the file a model typed as ``typed`` is saved to: the name as typed, plus ".npz"
    when it does not already end so (run.v2 becomes run.v2.npz, not run.npz)."""
    path = Path(typed)
    return path if path.suffix.lower() == ".npz" else path.with_name(path.name + ".npz")


def ending_added_ok(typed: str | Path, path: Path, what: str, confirm) -> bool:
    """Return True if ``path`` may be written for the name the learner ``typed``.

    The save dialog asked about the typed name only. When the file's ending was added to it
    (run.v2 becomes run.v2.npz) and that other file exists, it is replaced only if the learner
    says so: ``confirm(title, question)``. ``what`` names the files ("Models", "Lessons").
    """
    if path == Path(typed) or not (path.exists() or path.is_symlink()):
        return True
    question = (
        f"{what} are saved with the ending {path.suffix}, so {Path(typed).name} is saved as "
        f"{path.name}, which already exists. Replace it?"
    )
    return bool(confirm(f"Replace {path.name}?", question))
