"""Data → Full MNIST in the real window, against a loopback server: progress, cancel, mismatch."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QProgressDialog, QPushButton
from test_download import CHECKSUMS, FILES, leftovers, serving, url

import engine.data.download
from gui.window.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(engine.data.download, "MNIST_FILES", CHECKSUMS)
    monkeypatch.setattr(engine.data.download, "PUBLISHED_SIZES", {})
    monkeypatch.setattr(engine.data.download, "default_cache_dir", lambda: cache)
    w = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    w.confirm = lambda title, text: True
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(
        lambda: w.data is not None and w.worker.latest_snapshot() is not None, timeout=10000
    )
    w.cache = cache
    yield w
    w.close()


def dialog_of(window: MainWindow) -> QProgressDialog | None:
    """Return the download progress dialog if one is open."""
    dialogs = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
    return dialogs[0] if dialogs else None


def test_download_shows_progress_and_loads_the_full_set(qtbot, window, monkeypatch) -> None:
    seen: list[tuple[int, int]] = []
    with serving() as server:
        monkeypatch.setattr(engine.data.download, "MIRRORS", (url(server),))
        window.data_sources.load("full")
        assert dialog_of(window) is not None
        window.data_sources.download.progressed.connect(
            lambda done, total: seen.append((done, total))
        )
        qtbot.waitUntil(lambda: window.data.source == "full", timeout=10000)
    assert len(window.data.train) == 200 and len(window.data.test) == 20
    assert seen and seen[-1][0] == sum(len(body) for body in FILES.values())
    qtbot.waitUntil(lambda: dialog_of(window) is None)
    assert sorted(p.name for p in window.cache.iterdir()) == sorted(FILES)


def test_cancel_mid_download_leaves_nothing_and_keeps_the_sample(qtbot, window, monkeypatch):
    before = window.worker.latest_snapshot()
    with serving("stall") as server:
        monkeypatch.setattr(engine.data.download, "MIRRORS", (url(server),))
        window.data_sources.load("full")
        dialog = dialog_of(window)
        qtbot.waitUntil(server.sent.is_set)  # the headers and a first kilobyte, then it stalls
        dialog.findChild(QPushButton).click()  # the dialog's Cancel button
        assert window.data_sources.download.cancel.is_set()
        # Well within the socket's 30 s timeout: the cancel ended it (how fast: bench_latency).
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=15000)
    assert "cancelled" in window.banner.message()
    after = window.worker.latest_snapshot()
    assert window.data.source == "sample" and after.examples_seen == before.examples_seen
    assert all((a == b).all() for a, b in zip(after.weights, before.weights))
    assert leftovers(window.cache) in ([], [window.cache])


def test_checksum_mismatch_is_reported(qtbot, window, monkeypatch) -> None:
    with serving("corrupt") as server:
        monkeypatch.setattr(engine.data.download, "MIRRORS", (url(server),))
        window.data_sources.load("full")
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10000)
    assert "checksum" in window.banner.message()
    assert window.data.source == "sample"
    assert not any(Path(p).is_file() for p in leftovers(window.cache))


def test_closing_while_a_mirror_sends_nothing_ends_the_worker(qtbot, window, monkeypatch):
    with serving("slow") as server:  # accepts the connection, never answers
        monkeypatch.setattr(engine.data.download, "MIRRORS", (url(server),))
        window.data_sources.load("full")
        qtbot.waitUntil(server.asked.is_set)  # the request is in; the mirror says nothing
        window.close()  # waiting for the silent mirror would outlast the worker's 5 s to stop
        assert window.worker.thread_finished()
