"""The window on the new sources: a folder of one's own images, and Fashion-MNIST downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QProgressDialog
from test_data_sources import published, serving, small_set
from test_image_folder import make_folder
from windows import open_window, train_batches

import engine.data.download
from engine.data.catalog import FASHION


@pytest.fixture
def window(qtbot, tmp_path: Path):
    w = open_window(qtbot, tmp_path / "settings.ini")
    yield w
    w.close()


def choose(window, source: str) -> None:
    """Pick ``source`` in the training controls' data list, as the learner does."""
    box = window.controls.data
    index = box.findData(source)
    assert index >= 0, source
    box.setCurrentIndex(index)
    box.activated.emit(index)


def test_an_image_folder_trains_and_a_bad_one_changes_nothing(
    qtbot, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = make_folder(tmp_path / "shapes", per_class=10)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    choose(window, "folder")
    qtbot.waitUntil(lambda: window.data.source == str(folder), timeout=10000)
    data = window.data
    assert data.class_names == ("bar", "cross", "ring")
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().config.sizes[-1] == 3)
    assert window.controls.data.currentText() == "Folder: shapes"
    said = window.statusBar().currentMessage()
    assert said.startswith(f"{len(data.train) + len(data.test)} images in 3 classes")
    assert f"{len(data.train)} to train on and {len(data.test)} held out to test" in said
    train_batches(qtbot, window, 4)
    before = window.worker.latest_snapshot()

    bad = tmp_path / "bad"
    (bad / "only").mkdir(parents=True)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(bad))
    window.menus.open_images_action.trigger()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert "has only one class folder (only)" in window.banner.message()
    assert window.data is data and window.worker.latest_snapshot() is before
    assert window.controls.data.currentData() == str(folder)


def test_fashion_mnist_downloads_and_trains_in_the_window(
    qtbot, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine.data.download.pooch, "os_cache", lambda name: tmp_path / "cache")
    files = small_set(seed=8)
    with serving(files) as base:
        published(monkeypatch, "fashion", files, base)
        choose(window, "fashion")
        qtbot.waitUntil(lambda: window.data.source == "fashion", timeout=15000)
    titles = [d.windowTitle() for d in window.findChildren(QProgressDialog)]
    assert "Downloading Fashion-MNIST" in titles
    assert window.data.class_names == FASHION.class_names
    assert window.data.class_name(7) == "Sneaker"
    assert window.controls.data.currentText() == "Fashion (60k + 10k)"
    train_batches(qtbot, window, 3)
    assert (tmp_path / "cache" / "fashion-mnist").is_dir()


def test_the_data_menu_offers_the_new_sources(window) -> None:
    texts = [action.text() for action in window.menuBar().actions()]
    data_menu = window.menuBar().actions()[texts.index("&Data")].menu()
    items = [action.text() for action in data_menu.actions()]
    for wanted in ("Fashion-MNIST", "Kuzushiji-MNIST", "Open image folder…"):
        assert any(item.startswith(wanted) for item in items), items


def test_the_bundled_fashion_handful_opens_without_a_network(qtbot, window) -> None:
    window.menus.fashion_handful_action.trigger()
    qtbot.waitUntil(lambda: window.data.source == "fashion-handful", timeout=10000)
    assert window.data.class_name(9) == "Ankle boot"
    assert window.controls.data.currentText() == "Fashion handful (10)"
    train_batches(qtbot, window, 2)


def test_a_model_opens_only_with_an_output_per_class_of_the_data(
    qtbot, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a 3-class folder, a digits model (10 outputs) is refused and says why; a model saved
    from the 3-class network opens."""
    import numpy as np

    from engine.core.network import Network, NetworkConfig
    from engine.core.training import TrainConfig
    from engine.data.model_io import save_model

    folder = make_folder(tmp_path / "shapes", per_class=10)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    choose(window, "folder")
    qtbot.waitUntil(lambda: window.data.source == str(folder), timeout=10000)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().config.sizes[-1] == 3)
    before = window.worker.latest_snapshot()
    digits = tmp_path / "digits.npz"
    save_model(digits, Network(NetworkConfig((784, 16, 16, 10)), np.random.default_rng(0)),
               TrainConfig())  # fmt: skip
    assert not window.files.open_model(digits)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert "this needs 784 inputs and 3 outputs" in window.banner.message()
    assert window.worker.latest_snapshot() is before
    three = tmp_path / "three.npz"
    save_model(three, Network(NetworkConfig((784, 8, 3)), np.random.default_rng(1)), TrainConfig())
    assert window.files.open_model(three)
    qtbot.waitUntil(lambda: window.worker.latest_snapshot().config.sizes == (784, 8, 3))
