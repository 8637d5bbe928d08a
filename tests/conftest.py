"""Shared test set-up: Qt renders offscreen, BLAS uses one thread, and small helper fixtures."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import functools  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

# Every wait on a condition or a signal may take this many times its stated limit. The limits
# were written on a quiet machine; with a core kept busy elsewhere a measurement off the GUI
# thread or a mini-batch can take several times longer (issue 24: the suite must hold three runs
# in a row with one core busy). A wait ends as soon as its condition holds, so only a test that
# is failing anyway waits longer; nothing that is asserted changes.
WAIT_SCALE = 4


def _patient(wait):
    @functools.wraps(wait)
    def scaled(*args, timeout: int = 5000, **kwargs):
        return wait(*args, timeout=timeout * WAIT_SCALE if timeout > 0 else timeout, **kwargs)

    return scaled


for _name in (
    "waitUntil",
    "waitSignal",
    "waitSignals",
    "waitCallback",
    "waitActive",
    "waitExposed",
):
    setattr(QtBot, _name, _patient(getattr(QtBot, _name)))


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


# The longest files, started first: with the README's -n auto each file runs whole in one
# worker, and a long file started last would leave the other cores idle while it ends.
LONGEST_FIRST = (
    "test_signals.py",
    "test_storm.py",
    "test_layout.py",
    "test_reliability.py",
    "test_bad_inputs.py",
    "test_settings_reader.py",
    "test_safe_export.py",
    "test_slide_export.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the longest files first (their own order kept), the rest in the usual order after."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
