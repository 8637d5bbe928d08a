"""The errors the engine raises on purpose, each carrying a message a user can act on."""

from __future__ import annotations


class BackpropLabError(Exception):
    """Base of every error the engine raises deliberately; its message is shown to the user."""


class DataError(BackpropLabError):
    """A data file or directory is missing, unreadable or not valid MNIST/IDX data."""


class DownloadError(DataError):
    """Downloading the full MNIST failed, was cancelled, or did not match its checksum."""


class ModelFileError(BackpropLabError):
    """A saved-model file is missing, damaged, or describes a network we cannot load."""


class DivergenceError(BackpropLabError):
    """Training produced a non-finite or exploding cost; the message suggests a remedy."""

    def __init__(self, message: str, epoch: int = 0, batch: int = 0) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
