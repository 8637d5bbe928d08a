"""Data sources: the bundled sample, downloads (MNIST, Fashion, KMNIST), folders, my digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from engine.data.datasets import (
    DIGIT_NAMES,
    Dataset,
    MnistData,
    is_downloadable,
    is_image_folder,
    load_data,
    load_download,
)
from gui.lab import Lab
from gui.pad import DigitPanel
from gui.training import TrainingControls
from gui.window.download_dialog import DownloadDialog, DownloadProgress


def cached_mnist_dir() -> Path | None:
    """The verified full MNIST in the cache, if any (the download code loads only when asked:
    its HTTP libraries cost a fifth of a second of start-up)."""
    from engine.data.download import cached_mnist_dir as cached

    return cached()


def cached_dataset_dir(key: str) -> Path | None:
    """The verified download of ``key`` ("full", "fashion", "kmnist") in the cache, if any."""
    if key == "full":
        return cached_mnist_dir()
    from engine.data.catalog import DOWNLOADABLE
    from engine.data.download import cached_mnist_dir as cached

    return cached(source=DOWNLOADABLE[key])


class DataSources(QObject):
    """Switch the worker to a dataset, behind a confirmation and, for full MNIST, a download.

    Built from the lab, the controls whose Data choice it serves (they are also the parent of
    its dialogs) and the pad whose labelled digits it can add. A QObject living in the GUI
    thread, so the worker's data signals reach it queued.
    """

    def __init__(self, lab: Lab, controls: TrainingControls, digit_panel: DigitPanel) -> None:
        super().__init__(lab)
        self.lab = lab
        self.worker = lab.worker
        self.controls = controls
        self.digit_panel = digit_panel
        self.download: DownloadProgress | None = None  # the full MNIST download under way
        self._sample_tried = False  # the bundled sample was already tried after a failure
        self.worker.data_loaded.connect(self.on_data_loaded)
        self.worker.data_failed.connect(self.on_data_failed)
        controls.data_chosen.connect(self.on_data_chosen)

    def on_data_loaded(self, data: MnistData) -> None:
        """Remember the dataset now in use; the views follow the lab's ``data_changed``."""
        self.lab.set_data(data)
        if data.source == "sample" or is_downloadable(data.source) or Path(data.source).is_dir():
            self.lab.choose(data=data.source)
        if is_image_folder(Path(data.source)):  # the learner's images: say how they were split
            from engine.data.image_folder import describe_split

            self.lab.say(describe_split(data), 15000)

    def on_data_failed(self, message: str) -> None:
        """Loading failed; the previous data and network stay."""
        if self.download is not None and self.download.cancel.is_set():
            message = "Download cancelled; nothing was changed."
        if self.lab.data is None and not self._sample_tried:
            # the remembered data is gone: start on the bundled sample, once (if the sample
            # itself cannot be read, the message says so and nothing loops)
            self._sample_tried = True
            message += " Using the bundled sample instead."
            self.worker.load_data(lambda: load_data("sample"))
            if self.lab.settings_problems:  # the launch's settings banner stays readable
                message = f"{self.lab.settings_report()}\n{message}"
        self.lab.report(message)

    def on_data_chosen(self, source: str) -> None:
        """The learner picked a dataset in the controls."""
        if self.lab.data is not None and source == self.lab.data.source:
            return
        if source == "folder":
            if self.lab.data is not None:
                self.controls.set_data_source(self.lab.data.source)
            self.open_image_folder_dialog()
            return
        self.load(source)
        if self.lab.data is not None:  # until the new data arrives, show what is in use
            self.controls.set_data_source(self.lab.data.source)

    def load(self, source: str, ask: bool = True) -> None:
        """Switch to "sample", "full", "fashion", "kmnist" or a folder, starting a new network."""
        if (
            ask
            and self.lab.record.unsaved
            and not self.lab.confirm("Switch the data?", "Training starts afresh on the new data.")
        ):
            return
        self.lab.interrupt()
        if is_downloadable(source) and cached_dataset_dir(source) is None:
            self.download_full(source)
            return
        self.worker.load_data(lambda: load_data(source))

    def download_full(self, key: str = "full") -> None:
        """Download a dataset (the full MNIST) in the worker thread behind a progress dialog."""
        from engine.data.catalog import DOWNLOADABLE

        progress = DownloadProgress()
        dialog = DownloadDialog(progress, self.controls, DOWNLOADABLE[key].title)
        self.download = progress
        self.worker.data_loaded.connect(dialog.close)
        self.worker.data_failed.connect(dialog.close)
        dialog.show()
        self.worker.load_data(
            lambda: load_download(key, progress=progress.report, cancel=progress.cancel)
        )

    def open_idx_dialog(self) -> None:
        """Ask for a folder of MNIST IDX files and use it."""
        folder = QFileDialog.getExistingDirectory(self.controls, "Folder with MNIST IDX files")
        if folder:
            self.load(folder)

    def open_image_folder_dialog(self) -> None:
        """Ask for a folder of the learner's images, one sub-folder per class, and use it."""
        folder = QFileDialog.getExistingDirectory(
            self.controls, "Folder with one sub-folder of images per class (2 to 10 classes)"
        )
        if folder:
            self.load(folder)

    def mix_my_digits(self) -> None:
        """Retrain on the current data plus the learner's own labelled digits."""
        digits = self.digit_panel.my_digits
        if self.lab.data is None or not len(digits):
            self.lab.say("Add some digits under Teach it first.", 5000)
            return
        if self.lab.record.unsaved and not self.lab.confirm(
            "Train on your digits too?", "Training starts afresh on the combined data."
        ):
            return
        data = self.lab.data
        if data.class_names != DIGIT_NAMES:
            self.lab.say("Your digits mix only with digit data.", 5000)
            return
        images, labels = digits.as_uint8()
        train = Dataset(
            np.concatenate([data.train.images, images]),
            np.concatenate([data.train.labels, labels]),
            data.train.name,
        )
        mixed = MnistData(
            train, data.test, f"{data.source} + {len(labels)} of my digits", data.class_names
        )
        self.worker.load_data(lambda: mixed)
