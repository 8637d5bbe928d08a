"""Tests for the MNIST download against loopback HTTP servers; nothing here touches the internet."""

from __future__ import annotations

import errno
import gzip
import hashlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from engine.data.datasets import load_mnist_dir
from engine.data.download import MNIST_FILES, cached_mnist_dir, download_mnist
from engine.errors import DownloadError


def fake_mnist() -> dict[str, bytes]:
    """Return small valid MNIST .gz files; random pixels make train-images span several chunks."""
    rng = np.random.default_rng(2)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (200, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 200, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 20, dtype=np.uint8),
    }
    files = {}
    for name, array in arrays.items():
        header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
        files[name] = gzip.compress(header + array.tobytes(), mtime=0)
    return files


FILES = fake_mnist()
CHECKSUMS = {name: hashlib.md5(body).hexdigest() for name, body in FILES.items()}


class Handler(BaseHTTPRequestHandler):
    """Serve FILES, misbehaving in the way the server's `mode` says."""

    server: Server

    def do_GET(self) -> None:
        """Answer one request for a file."""
        self.server.paths.append(self.path)
        self.server.asked.set()
        folder, _, name = self.path.rpartition("/")
        body = FILES.get(name) if folder == "/mnist" else None
        mode = self.server.mode
        if body is None:
            self.send_error(404)
            return
        if mode == "slow":
            self.server.release.wait(10)  # longer than the client's timeout
            return
        if mode == "late":  # answer only when the test says, then send no byte of the body
            self.server.go.wait(10)
        if mode == "corrupt":
            body = body[:-1] + bytes([body[-1] ^ 1])
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) + (1000 if mode == "truncated" else 0)))
        self.end_headers()
        if mode == "late":
            self.wfile.flush()
            self.server.sent.set()
            self.server.release.wait(60)  # as long as the client's timeout
            return
        if mode == "stall":
            self.wfile.write(body[:1000])
            self.wfile.flush()
            self.server.sent.set()
            self.server.release.wait(10)
            return
        self.wfile.write(body)
        self.close_connection = mode == "truncated"

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class Server(ThreadingHTTPServer):
    """A loopback server whose handler threads are joined when it closes."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.mode = mode
        self.paths: list[str] = []
        self.asked = threading.Event()  # a request has arrived
        self.go = threading.Event()  # "late": now answer
        self.sent = threading.Event()  # the headers and a kilobyte ("stall"), headers ("late")
        self.release = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore clients that hang up early; several tests make them do so."""


@contextmanager
def serving(mode: str = "good") -> Iterator[Server]:
    """Run a loopback server in a thread and shut it down cleanly afterwards."""
    server = Server(mode)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def url(server: Server) -> str:
    """Return the base URL of a loopback server."""
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/mnist/"


@pytest.fixture
def dead_url() -> str:
    """Return a loopback URL on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def leftovers(cache: Path) -> list[Path]:
    """Return every file and folder left inside the cache directory."""
    return sorted(cache.rglob("*")) if cache.exists() else []


def download(cache: Path, *base_urls: str, **kwargs: object) -> Path:
    """Download the fake MNIST from the given mirrors into cache."""
    kwargs.setdefault("timeout", 2.0)
    return download_mnist(cache_dir=cache, base_urls=base_urls, files=CHECKSUMS, **kwargs)


def test_published_checksums() -> None:
    assert MNIST_FILES["train-images-idx3-ubyte.gz"] == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert len(MNIST_FILES) == 4


def test_good_download_then_cache(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    with serving() as server:
        directory = download(tmp_path, url(server), progress=lambda *call: calls.append(call))
        assert directory == tmp_path
        assert len(server.paths) == 4
        assert sorted(path.name for path in leftovers(tmp_path)) == sorted(FILES)
        for name, body in FILES.items():
            assert (tmp_path / name).read_bytes() == body
        assert cached_mnist_dir(tmp_path, files=CHECKSUMS) == tmp_path
        download(tmp_path, url(server))
        assert len(server.paths) == 4, "the second call must use the cache"
    size = sum(len(body) for body in FILES.values())
    assert calls[-1] == (size, size)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False))
    assert all(done <= total for done, total in calls)
    assert len(load_mnist_dir(directory).train) == 200


def test_corrupt_cached_file_is_downloaded_again(tmp_path: Path) -> None:
    with serving() as server:
        download(tmp_path, url(server))
        (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"damaged")
        assert cached_mnist_dir(tmp_path, files=CHECKSUMS) is None
        download(tmp_path, url(server))
        assert server.paths[4:] == ["/mnist/t10k-labels-idx1-ubyte.gz"]
    assert cached_mnist_dir(tmp_path, files=CHECKSUMS) == tmp_path


def test_cached_dir_is_none_when_files_are_missing(tmp_path: Path) -> None:
    assert cached_mnist_dir(tmp_path / "nowhere", files=CHECKSUMS) is None
    assert cached_mnist_dir(tmp_path) is None


def test_second_mirror_is_used_when_the_first_is_dead(tmp_path: Path, dead_url: str) -> None:
    with serving() as server:
        download(tmp_path, dead_url, url(server))
    assert cached_mnist_dir(tmp_path, files=CHECKSUMS) == tmp_path


def test_dead_server(tmp_path: Path, dead_url: str) -> None:
    with pytest.raises(DownloadError, match="Could not reach any MNIST mirror") as caught:
        download(tmp_path, dead_url, dead_url)
    assert "Check your internet connection; the bundled sample still works." in str(caught.value)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        ("truncated", "was cut off before it finished"),
        ("corrupt", "did not match its published MD5 checksum"),
        ("slow", "did not respond in time"),
        ("stall", "did not respond in time"),
    ],
)
def test_failed_download_leaves_nothing(tmp_path: Path, mode: str, words: str) -> None:
    with serving(mode) as server, pytest.raises(DownloadError, match=words) as caught:
        download(tmp_path, url(server), timeout=0.3)
    assert "train-images-idx3-ubyte.gz" in str(caught.value)
    assert "127.0.0.1" in str(caught.value)
    assert leftovers(tmp_path) == []


def test_http_error_is_reported(tmp_path: Path) -> None:
    with serving() as server, pytest.raises(DownloadError, match="HTTP 404"):
        download(tmp_path, url(server).replace("/mnist/", "/elsewhere/x/"))
    assert leftovers(tmp_path) == []


def test_cancel_mid_download(tmp_path: Path) -> None:
    cancel = threading.Event()
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        cancel.set()

    with serving() as server, pytest.raises(DownloadError, match="^Download cancelled$"):
        download(tmp_path, url(server), progress=progress, cancel=cancel)
    assert len(calls) == 1
    assert leftovers(tmp_path) == []


def test_a_cancel_while_the_mirror_is_about_to_answer_ends_the_download_when_it_does(
    tmp_path: Path,
) -> None:
    """Cancelled between the request and the answer: the stalled answer is cut at once.

    (The socket watcher used to stop at the cancel, with no response to shut yet; the answer
    then stalled until the read timeout, here a minute.)
    """
    cancel = threading.Event()
    failed: list[BaseException] = []

    def fetch() -> None:
        try:
            download(tmp_path, url(server), cancel=cancel, timeout=60)
        except DownloadError as error:
            failed.append(error)

    with serving("late") as server:
        thread = threading.Thread(target=fetch)
        thread.start()
        assert server.asked.wait(10)
        cancel.set()
        answer = threading.Timer(0.5, server.go.set)  # a mirror slow to answer: 0.5 s later
        answer.start()  # then it stalls before its body
        assert server.sent.wait(10)
        thread.join(30)  # well within the minute a blocked read would wait
        alive = thread.is_alive()
        server.release.set()
        thread.join()
    assert not alive
    assert [str(e) for e in failed] == ["Download cancelled"]
    assert leftovers(tmp_path) == [] or all(p.is_dir() for p in leftovers(tmp_path))


def test_cancel_before_start_makes_no_request(tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with serving() as server, pytest.raises(DownloadError, match="cancelled"):
        download(tmp_path, url(server), cancel=cancel)
    assert server.paths == []


def test_disk_full(tmp_path: Path) -> None:
    def progress(done: int, total: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with serving() as server, pytest.raises(DownloadError, match="Not enough disk space"):
        download(tmp_path, url(server), progress=progress)
    assert leftovers(tmp_path) == []
