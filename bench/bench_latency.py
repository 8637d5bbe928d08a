"""How long the things that must feel instant take: closing, cancelling, one line search.

These limits used to be asserted inside unit tests, where a busy machine made them fail at
random; the tests now check that each thing happens, and this script measures how fast:

- close: the real window closed while training at full speed, in slow motion (inside a long
  wait between mini-batches), and while a download mirror stalls mid-file (limit 1 s each);
- cancel: ``download_mnist`` cancelled while its mirror stalls (limit 1 s from the request);
- line search: the explorer's step 9, 31 points over 2,000 examples (limit 0.2 s).

Each figure is the median of ``--rounds`` (default 5). Run from the repository root::

    .venv/bin/python bench/bench_latency.py [--rounds N]

Exit status 0 when every median is within its limit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine.data.download  # noqa: E402
from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig, Trainer  # noqa: E402
from engine.data.datasets import load_sample  # noqa: E402
from engine.errors import DownloadError  # noqa: E402
from engine.lessons.explorer import Exploration  # noqa: E402
from engine.lessons.explorer_gradient import line_search  # noqa: E402
from engine.session.snapshot import take_snapshot  # noqa: E402
from engine.session.worker import RUNNING  # noqa: E402

LIMITS = {"close": 1.0, "cancel": 1.0, "line search": 0.2}  # seconds


class _Stalling(BaseHTTPRequestHandler):
    """Answers with headers and a first kilobyte, then sends nothing until released."""

    def do_GET(self) -> None:
        """Start a response and stall in the middle of its body."""
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        self.wfile.write(b"\x1f\x8b" + bytes(998))
        self.wfile.flush()
        self.server.release.wait(30)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the output quiet."""


@contextmanager
def stalling_mirror() -> Iterator[str]:
    """Run a loopback mirror that stalls every download, and yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stalling)
    server.daemon_threads = True
    server.release = threading.Event()
    server.handle_error = lambda *args: None  # the client hanging up is the point
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/mnist/"
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def wait_for(app: QApplication, condition: Callable[[], bool], limit: float = 30.0) -> None:
    """Process events until ``condition`` holds."""
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit("gave up waiting: the window never reached the state to measure")
        app.processEvents()
        time.sleep(0.005)


def close_seconds(app: QApplication, how: str) -> float:
    """Open the window, bring it to the state ``how``, and time ``close()``."""
    from gui.window.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder, stalling_mirror() as base:
        window = MainWindow(QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat))
        window.show()
        wait_for(app, lambda: window.worker.latest_snapshot() is not None)
        if how == "stalled download":
            import gui.window.data_sources

            gui.window.data_sources.cached_mnist_dir = lambda: None  # never find a real cache
            engine.data.download.MIRRORS = (base,)
            engine.data.download.default_cache_dir = lambda: Path(folder) / "cache"
            window.data_sources.load("full")
            app.processEvents()
            time.sleep(0.3)
        else:
            slow = how == "slow motion"
            window.worker.set_speed(0.001 if slow else 0)  # 1000 s between mini-batches
            window.worker.train_until_paused()
            wait_for(app, lambda: window.worker.state == RUNNING and len(window.record.history) > 0)
            if not slow:
                wait_for(app, lambda: len(window.record.history) > 50)
        start = time.perf_counter()
        window.close()
        seconds = time.perf_counter() - start
        if not window.worker.thread_finished():
            raise SystemExit(f"closing during {how} left the training thread running")
        return seconds


def cancel_seconds() -> float:
    """Time from asking a stalled download to cancel to its DownloadError."""
    cancel = threading.Event()
    asked: list[float] = []

    def ask() -> None:
        asked.append(time.perf_counter())
        cancel.set()

    with tempfile.TemporaryDirectory() as folder, stalling_mirror() as base:
        threading.Timer(0.3, ask).start()
        try:
            engine.data.download.download_mnist(
                Path(folder), [base], cancel=cancel, timeout=30.0, files={"x.gz": "0" * 32}
            )
        except DownloadError:
            return time.perf_counter() - asked[0]
    raise SystemExit("the stalled download was never cancelled")


def line_search_seconds(data) -> float:
    """Time the explorer's line search over 2,000 examples at 31 points."""
    train = data.train
    net = Network(NetworkConfig(), np.random.default_rng(1))
    trainer = Trainer(net, train.images, train.labels, TrainConfig(3.0, 10), seed=2)
    for _ in range(5):
        trainer.step_batch()
    e = Exploration(take_snapshot(trainer, train.images), train.images[7], int(train.labels[7]))
    ts = np.linspace(0.0, 6.0, 31)
    line_search(e, train.images[:2000], train.labels[:2000], ts)  # warm-up
    start = time.perf_counter()
    line_search(e, train.images[:2000], train.labels[:2000], ts)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Measure every latency, print a table and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    data = load_sample()
    rows = [
        *[
            (f"close while {how}", "close", lambda how=how: close_seconds(app, how))
            for how in ("training at full speed", "slow motion", "stalled download")
        ],
        ("cancel a stalled download", "cancel", cancel_seconds),
        ("line search, 31 x 2,000 examples", "line search", lambda: line_search_seconds(data)),
    ]
    passed = True
    print(f"{'what':<42}{'median s':>10}{'worst s':>10}{'limit s':>9}  result")
    for name, kind, measure in rows:
        times = [measure() for _ in range(args.rounds)]
        ok = statistics.median(times) <= LIMITS[kind]
        passed &= ok
        print(
            f"{name:<42}{statistics.median(times):>10.3f}{max(times):>10.3f}"
            f"{LIMITS[kind]:>9.1f}  {'PASS' if ok else 'FAIL'}"
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
