"""Closing the window in any state ends the training thread and leaves no thread running.

Every test here would fail, not merely be slow, if closing waited for the slow thing it closes
during: the window gives the worker 5 s to stop, and each slow thing lasts far longer (a
1000-second slow-motion wait, a socket silent for 30 s). How quickly it closes is measured in
``bench/bench_latency.py``, never asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from windows import open_window, train_batches

from engine.session.worker import FINISHED, RUNNING
from gui.window.explore_handoff import EXPLORER_TAB
from gui.window.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]


def close_promptly(window: MainWindow) -> None:
    """Close the window and assert the worker's thread has ended within its shutdown wait."""
    window.close()
    assert window.worker.state == FINISHED
    assert window.worker.thread_finished()


def test_close_while_training_at_full_speed(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path / "settings.ini")
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: window.record.state == RUNNING and len(window.record.history) > 50)
    close_promptly(window)


def test_close_in_slow_motion(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path / "settings.ini")
    window.menus.run_action.trigger()
    window.worker.set_speed(0.001)  # the worker sleeps 1000 seconds between mini-batches
    qtbot.waitUntil(lambda: len(window.record.history) >= 1 and window.record.state == RUNNING)
    qtbot.waitUntil(lambda: window.worker.pacing)  # inside the long sleep
    close_promptly(window)


def test_close_while_exploring(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path / "settings.ini")
    train_batches(qtbot, window, 20)
    window.tabs.setCurrentIndex(EXPLORER_TAB)
    qtbot.waitUntil(lambda: window.explorer.snapshot is not None)
    window.explorer.set_step(5)
    window.menus.run_action.trigger()  # training resumes behind the explorer
    qtbot.waitUntil(lambda: window.record.state == RUNNING)
    close_promptly(window)


def test_close_with_a_digit_on_the_pad_while_training(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path / "settings.ini")
    pad = window.digit_panel.pad
    points = [QPointF(60 + 8 * i, 60 + 6 * i) for i in range(25)]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0].toPoint())
    for p in points[1:]:
        QApplication.sendEvent(
            pad,
            QMouseEvent(
                QEvent.Type.MouseMove,
                p,
                pad.mapToGlobal(p),
                Qt.MouseButton.NoButton,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1].toPoint())
    qtbot.waitUntil(lambda: window.digit_panel.network_input() is not None)
    window.menus.run_action.trigger()
    qtbot.waitUntil(lambda: len(window.record.history) > 20)
    close_promptly(window)


class _StallingHandler(BaseHTTPRequestHandler):
    """Answers with headers and a first kilobyte, then sends nothing more until released."""

    server: _StallingServer

    def do_GET(self) -> None:
        """Start a response and stall in the middle of its body."""
        self.server.requests.set()
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        self.wfile.write(b"\x1f\x8b" + bytes(998))
        self.wfile.flush()
        self.server.sent.set()
        self.server.release.wait(30)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class _StallingServer(ThreadingHTTPServer):
    """A loopback server whose every response stalls after its first kilobyte."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _StallingHandler)
        self.requests = threading.Event()
        self.sent = threading.Event()  # a response's headers and first kilobyte are sent
        self.release = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore the client hanging up, which is what the test makes it do."""


@contextmanager
def stalling_server() -> Iterator[tuple[str, _StallingServer]]:
    """Run a stalling loopback server and yield its base URL and the server."""
    server = _StallingServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/mnist/", server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def test_close_during_a_stalled_download(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.data.download
    import gui.window.data_sources

    cache = tmp_path / "cache"
    monkeypatch.setattr(engine.data.download, "default_cache_dir", lambda: cache)
    monkeypatch.setattr(gui.window.data_sources, "cached_mnist_dir", lambda: None)
    window = open_window(qtbot, tmp_path / "settings.ini")
    with stalling_server() as (base, server):
        monkeypatch.setattr(engine.data.download, "MIRRORS", (base,))
        window.menus.full_action.trigger()
        qtbot.waitUntil(lambda: window.data_sources.download is not None)
        qtbot.waitUntil(lambda: cache.exists() and any(cache.iterdir()), timeout=5000)
        qtbot.waitUntil(server.sent.is_set)  # then the socket sends nothing more
        close_promptly(window)
    leftovers = [p.name for p in cache.iterdir() if p.name in engine.data.download.MNIST_FILES]
    assert leftovers == [], "a partial download must never take a real file's name"


def test_cancel_cuts_a_stalled_download_at_once(tmp_path: Path) -> None:
    from engine.data.download import download_mnist
    from engine.errors import DownloadError

    cancel = threading.Event()
    files = {"train-images-idx3-ubyte.gz": "0" * 32}
    with stalling_server() as (base, server):
        # The user cancels once the mirror has stalled mid-file.
        threading.Thread(target=lambda: server.sent.wait(10) and cancel.set()).start()
        # The socket's own 30-second timeout would end it with another message.
        with pytest.raises(DownloadError, match="^Download cancelled$"):
            download_mnist(tmp_path, [base], cancel=cancel, timeout=30.0, files=files)
    assert list(tmp_path.iterdir()) == [], "no partial file may stay in the cache"


APP_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from PySide6.QtCore import QCoreApplication, QSettings, QTimer
    from PySide6.QtWidgets import QApplication
    from gui.window.main_window import MainWindow

    app = QApplication([])
    window = MainWindow(QSettings({ini!r}, QSettings.Format.IniFormat))
    window.show()
    closed = []

    def close_when_training():
        if len(window.record.history) < 200:
            QTimer.singleShot(20, close_when_training)
            return
        closed.append(len(window.record.history))
        window.close()

    window.worker.train_until_paused()
    QTimer.singleShot(20, close_when_training)
    code = app.exec()
    print("closed after", closed[0], "mini-batches, state", window.worker.state, flush=True)
    sys.exit(code)
    """
)


def test_a_real_process_exits_0_promptly_when_closed_mid_training(tmp_path: Path) -> None:
    script = APP_SCRIPT.format(root=str(ROOT), ini=str(tmp_path / "settings.ini"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()  # a hung child must not train on after the test (no-op once it exited)
    assert process.returncode == 0, err
    assert "state finished" in out
    assert "QThread" not in err and "Traceback" not in err
