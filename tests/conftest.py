"""Shared test set-up: Qt renders offscreen, BLAS uses one thread, and small helper fixtures."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator, so every test run sees the same random numbers."""
    return np.random.default_rng(12345)


@pytest.fixture
def tiny_digits(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A small learnable fake digit set: each class is a bright bar at its own row, plus noise."""
    n = 600
    labels = rng.integers(0, 10, n).astype(np.uint8)
    images = (rng.random((n, 28, 28)) * 60).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, 2 + 2 * label : 4 + 2 * label, 4:24] = 255
    return images, labels


@pytest.fixture(scope="session")
def sample():
    """The bundled MNIST sample: 10,000 training and 2,000 test digits."""
    from engine.data.datasets import load_sample

    return load_sample()


@pytest.fixture(scope="session")
def trained_on_sample(sample):
    """A snapshot of 784-16-16-10 after 300 mini-batches of the bundled sample, and the data."""
    from trained import trainer_after

    from engine.core.network import NetworkConfig
    from engine.core.training import TrainConfig
    from engine.session.snapshot import take_snapshot

    data = sample
    images, labels = data.train.images, data.train.labels
    trainer = trainer_after(
        NetworkConfig(sizes=(784, 16, 16, 10)), images, labels, TrainConfig(), 300, 0, 0
    )
    return take_snapshot(trainer, images), data


@pytest.fixture(scope="session", autouse=True)
def _collect_on_the_gui_thread(qapp):
    """As the app does: no garbage collection in the training threads (gui/gc_guard.py)."""
    from gui.gc_guard import collect_on_gui_thread

    return collect_on_gui_thread()


@pytest.fixture(autouse=True)
def _collect_after_each_test(_collect_on_the_gui_thread):
    """A test's closed windows are collected here, on the GUI thread, by the usual thresholds."""
    yield
    _collect_on_the_gui_thread.collect()


@pytest.fixture
def window(qtbot, tmp_path):
    """The real window on the bundled sample, its data in (tests/windows.py), closed afterwards."""
    from windows import open_window

    w = open_window(qtbot, tmp_path / "settings.ini")
    yield w
    w.close()


@pytest.fixture
def open_explorer(qtbot):
    """Return a function that opens an explorer on a snapshot; each is shut down after the test.

    ``train`` and ``test`` are (images, labels) for steps 9 to 12; ``size`` None leaves the panel
    at its own size, ``show`` False leaves it hidden.
    """
    from engine.session.snapshot import ExampleTrace
    from gui.explorer import ExplorerPanel

    opened = []

    def open_panel(snapshot, train=None, test=None, size=(1100, 700), show=True):
        panel = ExplorerPanel()
        qtbot.addWidget(panel)
        opened.append(panel)
        if size is not None:
            panel.resize(*size)
        if train is not None:
            panel.set_full_batch(*train)
        if test is not None:
            panel.set_test_set(*test)
        with qtbot.waitSignal(panel.trace_changed) as blocker:
            panel.set_snapshot(snapshot)
        assert isinstance(blocker.args[0], ExampleTrace)  # the explored example, for the diagram
        if show:
            panel.show()
            qtbot.waitExposed(panel)
        return panel

    yield open_panel
    for panel in opened:
        panel.shutdown()
