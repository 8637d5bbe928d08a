"""Fashion-MNIST and KMNIST through the verified download path, served from a loopback server."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

import engine.data.download
from engine.data.catalog import DOWNLOADABLE, FASHION, KMNIST, MNIST
from engine.data.datasets import data_files, load_data
from engine.errors import DataError, DownloadError


def idx_gz(array: np.ndarray) -> bytes:
    """Return an array as a gzipped IDX file of unsigned bytes."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.tobytes(), mtime=0)


def small_set(seed: int, top_label: int = 9) -> dict[str, bytes]:
    """Return the four files of a small MNIST-format dataset."""
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte.gz": idx_gz(rng.integers(0, 256, (60, 28, 28), dtype=np.uint8)),
        "train-labels-idx1-ubyte.gz": idx_gz(np.arange(60, dtype=np.uint8) % (top_label + 1)),
        "t10k-images-idx3-ubyte.gz": idx_gz(rng.integers(0, 256, (10, 28, 28), dtype=np.uint8)),
        "t10k-labels-idx1-ubyte.gz": idx_gz(np.arange(10, dtype=np.uint8)),
    }


class Handler(BaseHTTPRequestHandler):
    """Serve the server's files by name; count the requests."""

    server: Server

    def do_GET(self) -> None:
        """Answer one request for a file."""
        self.server.paths.append(self.path)
        body = self.server.files.get(self.path.rpartition("/")[2])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


class Server(ThreadingHTTPServer):
    """A loopback server of a fixed set of files."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.files = files
        self.paths: list[str] = []


@contextmanager
def serving(files: dict[str, bytes]) -> Iterator[str]:
    """Serve ``files`` on the loopback address; yield the base URL."""
    server = Server(files)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/data/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def published(monkeypatch: pytest.MonkeyPatch, key: str, files: dict[str, bytes], base: str):
    """Make the catalogue's entry ``key`` publish ``files``' MD5s and mirror only ``base``."""
    import dataclasses

    import engine.data.catalog

    md5s = {name: hashlib.md5(body).hexdigest() for name, body in files.items()}
    entry = dataclasses.replace(DOWNLOADABLE[key], files=md5s, mirrors=(base,))
    monkeypatch.setitem(engine.data.catalog.DOWNLOADABLE, key, entry)
    return entry


def test_the_published_checksums_and_names() -> None:
    # the MD5s the datasets' authors publish, as torchvision's datasets/mnist.py lists them
    assert FASHION.files["t10k-images-idx3-ubyte.gz"] == "bef4ecab320f06d8554ea6380940ec79"
    assert FASHION.files["train-images-idx3-ubyte.gz"] == "8d4fb7e6c68d591d4c3dfef9ec88bf0d"
    assert KMNIST.files["t10k-images-idx3-ubyte.gz"] == "5c965bf0a639b31b8f53240b1b52f4d7"
    assert KMNIST.files["train-labels-idx1-ubyte.gz"] == "e144d726b3acfaa3e44228e80efcd344"
    assert FASHION.class_names[7] == "Sneaker" and FASHION.class_names[9] == "Ankle boot"
    assert KMNIST.class_names[0] == "o (お)" and KMNIST.class_names[9] == "wo (を)"
    assert {d.folder for d in DOWNLOADABLE.values()} == {"mnist", "fashion-mnist", "kmnist"}
    assert MNIST.files == engine.data.download.MNIST_FILES


@pytest.mark.parametrize("key", ["fashion", "kmnist"])
def test_download_verifies_caches_and_names_the_classes(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = small_set(seed=len(key))
    with serving(files) as base:
        entry = published(monkeypatch, key, files, base)
        seen: list[tuple[int, int]] = []
        data = load_data(
            key, progress=lambda done, total: seen.append((done, total)), cache_dir=tmp_path
        )
        assert data.source == key
        assert data.class_names == entry.class_names
        assert data.n_classes == 10 and len(data.train) == 60 and len(data.test) == 10
        assert seen[-1][0] == seen[-1][1] == sum(len(body) for body in files.values())
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)
    # the server is gone: the verified cache alone serves the second load
    again = load_data(key, cache_dir=tmp_path)
    assert np.array_equal(again.test.images, data.test.images)
    assert data_files(key, cache_dir=tmp_path)[0].parent == tmp_path


def test_each_dataset_has_its_own_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(engine.data.download.pooch, "os_cache", lambda name: tmp_path / name)
    folders = {key: data_files(key)[0].parent for key in ("full", "fashion", "kmnist")}
    assert len(set(folders.values())) == 3
    assert folders["fashion"] == tmp_path / "backprop-lab" / "fashion-mnist"


def test_a_corrupt_mirror_is_refused_and_nothing_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = small_set(seed=1)
    served = dict(files)
    body = served["t10k-labels-idx1-ubyte.gz"]
    served["t10k-labels-idx1-ubyte.gz"] = body[:-1] + bytes([body[-1] ^ 1])
    with serving(served) as base:
        published(monkeypatch, "fashion", files, base)
        with pytest.raises(DownloadError, match="did not match its published MD5"):
            load_data("fashion", cache_dir=tmp_path)
    assert "t10k-labels-idx1-ubyte.gz" not in {p.name for p in tmp_path.iterdir()}


def test_offline_gives_one_message_naming_the_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serving({}) as base:
        dead = base  # serves nothing: every file is a 404
    published(monkeypatch, "kmnist", small_set(seed=3), dead)
    with pytest.raises(DownloadError) as caught:
        load_data("kmnist", cache_dir=tmp_path)
    message = str(caught.value)
    assert message.startswith("Could not reach any Kuzushiji-MNIST mirror (127.0.0.1:")
    assert "Check your internet connection" in message
    assert list(tmp_path.iterdir()) == []


def test_cancel_stops_a_fashion_download(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = small_set(seed=4)
    cancel = threading.Event()
    cancel.set()
    with serving(files) as base:
        published(monkeypatch, "fashion", files, base)
        with pytest.raises(DownloadError, match="^Download cancelled$"):
            load_data("fashion", cancel=cancel, cache_dir=tmp_path)


def test_a_label_beyond_the_classes_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = small_set(seed=5)
    files["train-labels-idx1-ubyte.gz"] = idx_gz(np.full(60, 12, np.uint8))
    with serving(files) as base:
        published(monkeypatch, "fashion", files, base)
        with pytest.raises(DataError, match="a label is 12, but its classes only go from 0 to 9"):
            load_data("fashion", cache_dir=tmp_path)


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run the command line in this process; return its exit status, stdout and stderr."""
    import io

    from engine import cli

    out, err = io.StringIO(), io.StringIO()
    status = cli.run(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("key", ["fashion", "kmnist"])
def test_the_cli_trains_on_a_downloaded_dataset(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine.data.download.pooch, "os_cache", lambda name: tmp_path / name)
    files = small_set(seed=6)
    with serving(files) as base:
        published(monkeypatch, key, files, base)
        status, out, err = run_cli("train", "--data", key, "--json", "--batch-size", "5")
    assert status == 0, err
    assert '"test_accuracy"' in out and out.count("\n") == 1
    assert (tmp_path / "backprop-lab" / DOWNLOADABLE[key].folder).is_dir()


def test_the_cli_says_once_that_a_dataset_is_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine.data.download.pooch, "os_cache", lambda name: tmp_path / name)
    with serving({}) as base:
        dead = base
    published(monkeypatch, "fashion", small_set(seed=7), dead)
    status, out, err = run_cli("train", "--data", "fashion")
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "backprop-lab: Could not reach any Fashion-MNIST mirror"
    )


def test_the_cli_trains_and_evaluates_on_a_folder_of_images(tmp_path: Path) -> None:
    from test_image_folder import make_folder

    folder = make_folder(tmp_path / "shapes", per_class=6)
    model = tmp_path / "shapes.npz"
    status, out, err = run_cli(
        "train", "--data", str(folder), "--epochs", "2", "--batch-size", "3", "--save", str(model)
    )
    assert status == 0, err
    assert out.count("epoch ") == 2 and "test accuracy " in out and "/3 (" in out  # 3 held out
    status, out, err = run_cli("evaluate", str(model), "--data", str(folder), "--json")
    assert status == 0, err
    assert '"test_accuracy"' in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--layers", "784,16,9"], "MNIST needs 784 inputs and 10 outputs: '784,16,9'"),
        (["--data", "fashion", "--layers", "784,3"], "Fashion-MNIST needs 784 inputs and 10"),
        (["--layers", "784,16,11"], "784 inputs and 2 to 10 outputs, one per class"),
    ],
)
def test_the_cli_refuses_layers_that_cannot_fit_the_classes(argv, words, capsys) -> None:
    from engine import cli

    with pytest.raises(SystemExit) as stop:
        cli.build_parser().parse_args(["train", *argv])
    assert stop.value.code == 2
    assert words in capsys.readouterr().err


def test_the_cli_refuses_ten_outputs_for_a_folder_of_three_classes(tmp_path: Path) -> None:
    from test_image_folder import make_folder

    folder = make_folder(tmp_path / "shapes")
    status, _, err = run_cli("train", "--data", str(folder), "--layers", "784,16,10")
    assert status == 2
    assert "has 3 classes, so the last layer needs 3 neurons, not 10" in err


def test_the_bundled_handful_is_ten_real_fashion_images_one_per_class() -> None:
    from engine.data.datasets import handful_dir, load_handful

    data = load_data("fashion-handful")
    assert data.source == "fashion-handful" and data.class_names == FASHION.class_names
    assert data.test.labels.tolist() == list(range(10))
    assert [data.class_name(label) for label in data.test.labels[[1, 5, 7]]] == [
        "Trouser",
        "Sandal",
        "Sneaker",
    ]
    images = data.test.images.astype(int)
    ink = (images > 30).sum(axis=(1, 2))  # pixels of garment per image
    assert ink[5] < ink[4] / 3  # a sandal's straps cover far less than a coat
    trouser = images[1]
    assert trouser[16:27, 13:15].max() < 40 < trouser[16:27, 11:13].min()  # two legs and a gap
    assert np.array_equal(load_handful().train.images, data.test.images)
    readme = (handful_dir() / "README.md").read_text()
    assert "MIT" in readme and "Zalando SE" in readme and "Clanuwat" in readme
