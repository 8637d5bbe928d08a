"""The errors the engine raises on purpose, each carrying a message a user can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class BackpropLabError(Exception):
    """Base of every error the engine raises deliberately; its message is shown to the user."""


class DataError(BackpropLabError):
    """A data file or directory is missing, unreadable or not valid MNIST/IDX data."""


class DownloadError(DataError):
    """Downloading the full MNIST failed, was cancelled, or did not match its checksum."""


class ModelFileError(BackpropLabError):
    """A saved-model file is missing, damaged, or describes a network we cannot load."""


class LessonFileError(BackpropLabError):
    """A lesson file is missing, damaged, hostile, or from a newer Backprop Lab."""


class DivergenceError(BackpropLabError):
    """Training produced a non-finite or exploding cost; the message suggests a remedy."""

    def __init__(self, message: str, epoch: int = 0, batch: int = 0) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch


class SaveError(BackpropLabError, OSError):
    """A file could not be saved where asked; the message names the path the user gave."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "could not save"


CONTROL = dict.fromkeys(  # C0 and C1 controls, line separators and bidirectional overrides
    [*range(0, 32), 127, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F)]
    + [*range(0x2066, 0x206A)],
    "?",
)


def printable(text: object) -> str:
    """Return text on one line with every control character (escapes, newlines) shown as '?'."""
    return str(text).translate(CONTROL)


@contextmanager
def refusals_to_open(path: object, error: type[BackpropLabError], kind: str) -> Iterator[None]:
    """Turn the system's refusals to open ``path`` into ``error`` with a message naming it.

    ``kind`` is what the file should have been ("a model file", "a lesson file").
    """
    try:
        yield
    except FileNotFoundError:
        raise error(f"{path} does not exist") from None
    except IsADirectoryError:
        raise error(f"{path} is a folder, not {kind}") from None
    except PermissionError:
        raise error(f"{path} cannot be read (permission denied)") from None
