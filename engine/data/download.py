"""Download MNIST-format datasets with pooch, verified against their published MD5 checksums.

The datasets themselves (files, checksums, mirrors) are described in ``engine.data.catalog``.

pooch streams each file to a temporary name inside the cache directory and renames it only once
its checksum matches, so the cache never holds a partial or corrupt file. Mirrors are tried in
order for each file. Cancelling is checked on every received chunk, and a watcher shuts the
socket of a response that has stalled mid-body.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import http.client
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pooch
import requests

from engine.data.catalog import MNIST, Downloadable
from engine.errors import DownloadError

MNIST_FILES: dict[str, str] = dict(MNIST.files)
PUBLISHED_SIZES = dict(MNIST.sizes)  # bytes; the progress bar's total before a response arrives
MIRRORS = MNIST.mirrors
CHUNK_SIZE = 64 * 1024
pooch.get_logger().setLevel("WARNING")  # its "Downloading data from..." lines are not for users


class _CancelledError(Exception):
    """Raised from inside pooch's download loop when the cancel event is set."""


class _Progress:
    """The tqdm-like bar pooch's HTTPDownloader drives, summed over all files of one download.

    pooch sets `total` from Content-Length (0 if absent), calls `update(chunk_size)` per chunk
    even for a shorter last chunk, then `reset()`, `update(total)` and `close()` at the end.
    """

    def __init__(
        self,
        callback: Callable[[int, int], None] | None,
        cancel: threading.Event | None,
        sizes: dict[str, int],
    ) -> None:
        self.callback = callback
        self.cancel = cancel
        self.sizes = sizes  # name -> expected bytes, 0 when unknown
        self.finished = 0  # bytes of the files already in place
        self.current = ""
        self.count = 0
        self._total = 0

    @property
    def total(self) -> int:
        """Return the current file's size as announced by the server, 0 if unknown."""
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        if value:
            self.sizes[self.current] = value

    def start(self, name: str) -> None:
        """Begin (or restart from another mirror) the download of one file."""
        self.check_cancel()
        self.current, self.count, self._total = name, 0, 0

    def finish(self, size: int) -> None:
        """Count a completed file by its real size on disk."""
        self.sizes[self.current] = size
        self.finished += size
        self.current, self.count, self._total = "", 0, 0
        self._report()

    def check_cancel(self) -> None:
        """Raise _CancelledError if the user asked to stop."""
        if self.cancel is not None and self.cancel.is_set():
            raise _CancelledError

    def update(self, n: int) -> None:
        """Record n more bytes received and check for cancellation."""
        self.check_cancel()
        self.count += n
        self._report()

    def reset(self) -> None:
        """Forget the bytes counted for the current file."""
        self.count = 0

    def close(self) -> None:
        """Do nothing; finish() does the bookkeeping once the file is really in place."""

    def _report(self) -> None:
        if self.callback is None:
            return
        current = min(self.count, self._total) if self._total else self.count
        done = self.finished + current
        self.callback(done, max(done, sum(self.sizes.values())))


def _files_of(source: Downloadable) -> Mapping[str, str]:
    """Return the files and MD5s of ``source``; MNIST's come from this module (tests set them)."""
    return MNIST_FILES if source is MNIST else source.files


def default_cache_dir(source: Downloadable = MNIST) -> Path:
    """Return the per-user cache directory of one downloadable dataset (the full MNIST's)."""
    return Path(pooch.os_cache("backprop-lab")) / source.folder


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _is_valid(path: Path, md5: str) -> bool:
    """Return whether path is a file whose MD5 is md5 (about 20 ms for all of MNIST)."""
    try:
        return path.is_file() and _md5(path) == md5
    except OSError:
        return False


def cache_dir_of(cache_dir: str | os.PathLike[str] | None, source: Downloadable) -> Path:
    """Return the cache directory given, or else the per-user one of ``source``."""
    if cache_dir is not None:
        return Path(cache_dir)
    return default_cache_dir() if source is MNIST else default_cache_dir(source)


def cached_mnist_dir(
    cache_dir: str | os.PathLike[str] | None = None,
    files: Mapping[str, str] | None = None,
    source: Downloadable = MNIST,
) -> Path | None:
    """Return the cache directory if it holds all four files of ``source`` with the right MD5s."""
    directory = cache_dir_of(cache_dir, source)
    files = _files_of(source) if files is None else files
    if all(_is_valid(directory / name, md5) for name, md5 in files.items()):
        return directory
    return None


def download_mnist(
    cache_dir: str | os.PathLike[str] | None = None,
    base_urls: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    timeout: float = 30.0,
    files: Mapping[str, str] | None = None,
    source: Downloadable = MNIST,
) -> Path:
    """Download whatever files of ``source`` (MNIST) the cache lacks; return the cache directory.

    progress(bytes_done, bytes_total) is called for every chunk; bytes_total is an estimate that
    may grow as servers announce sizes. timeout bounds the wait for a connection and for each
    chunk; a cancel takes effect at once, except before a mirror has answered at all (then as soon
    as it answers, or within timeout).
    """
    directory = cache_dir_of(cache_dir, source)
    mirrors = MIRRORS if source is MNIST else source.mirrors
    base_urls = mirrors if base_urls is None else tuple(base_urls)
    sizes = (PUBLISHED_SIZES if source is MNIST else source.sizes) if files is None else {}
    files = _files_of(source) if files is None else files
    try:
        missing = {}
        for name, md5 in files.items():
            if not _is_valid(directory / name, md5):
                # not the user's file: the app's downloaded copy, corrupt; it must not linger
                (directory / name).unlink(missing_ok=True)
                missing[name] = md5
        bar = _Progress(progress, cancel, {name: sizes.get(name, 0) for name in missing})
        for name, md5 in missing.items():
            _fetch(name, md5, directory, base_urls, timeout, bar, source.title)
            bar.finish((directory / name).stat().st_size)
    except _CancelledError:
        raise DownloadError("Download cancelled") from None
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DownloadError(
                f"Not enough disk space to download {source.title} "
                f"(about {source.megabytes} MB) into {directory}."
            ) from error
        raise DownloadError(
            f"Could not save {source.title} into {directory}: {error.strerror or error}."
        ) from error
    return directory


def _fetch(
    name: str,
    md5: str,
    directory: Path,
    base_urls: Sequence[str],
    timeout: float,
    bar: _Progress,
    title: str = "MNIST",
) -> None:
    """Download one file into directory, trying each mirror in turn."""
    failures: list[tuple[str, str]] = []  # (kind, "host: detail")
    for base in base_urls:
        url = base.rstrip("/") + "/" + name
        host = urlsplit(url).netloc or url
        responses: list[requests.Response] = []
        remember = _collector(responses)

        downloader = pooch.HTTPDownloader(
            progressbar=bar, chunk_size=CHUNK_SIZE, timeout=timeout, hooks={"response": remember}
        )
        bar.start(name)
        watching = _shut_on_cancel(bar.cancel, responses)
        try:
            # not the user's file: the app's own copy, which pooch downloads to a temporary file
            # and renames into place only once its MD5 matches
            pooch.retrieve(url, f"md5:{md5}", fname=name, path=directory, downloader=downloader)
            return
        except requests.RequestException as error:  # pooch's HTTP client; a network failure
            failures.append(_describe(error, host, timeout))
        except ValueError:  # pooch's checksum mismatch
            failures.append(("checksum", f"{host}: the file did not match its MD5 checksum"))
        finally:
            watching.set()
            for response in responses:  # pooch leaves the socket open when interrupted
                response.close()
    bar.check_cancel()  # a socket shut on cancel fails like a cut-off download
    raise DownloadError(_message(name, failures, timeout, title))


def _collector(responses: list[requests.Response]) -> Callable[..., None]:
    """Return a requests response hook that remembers every response in ``responses``."""

    def remember(response: requests.Response, *args: object, **kwargs: object) -> None:
        responses.append(response)

    return remember


def _shut_on_cancel(
    cancel: threading.Event | None, responses: list[requests.Response]
) -> threading.Event:
    """Shut the sockets of ``responses`` as soon as ``cancel`` is set; set the result to stop.

    A server that stalls mid-body sends no chunk, so the per-chunk cancel check would wait for
    the read timeout; shutting the socket from this watcher ends the blocked read at once. A
    response that arrives after the cancel (its headers were on their way) is shut too.
    """
    done = threading.Event()

    def watch() -> None:
        shut = 0  # how many of ``responses`` are shut
        while not done.wait(0.05):
            if not cancel.is_set():
                continue
            for response in responses[shut:]:
                shut += 1
                with contextlib.suppress(
                    AttributeError, NotImplementedError, RuntimeError, ValueError, OSError
                ):
                    response.raw.shutdown()  # urllib3 >= 2.3: unblocks a read in progress

    if cancel is not None:
        threading.Thread(target=watch, name="download-cancel", daemon=True).start()
    return done


def _chain(error: BaseException) -> Iterator[BaseException]:
    """Yield error and every exception it wraps, through causes, contexts and arguments."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, *current.args]
        stack.extend(item for item in linked if isinstance(item, BaseException))


def _find(error: BaseException, kind: type[BaseException]) -> bool:
    """Return whether error is, or wraps, an exception of the given kind."""
    return any(isinstance(item, kind) for item in _chain(error))


def _describe(error: requests.RequestException, host: str, timeout: float) -> tuple[str, str]:
    """Sort a network error into a kind and a detail naming the host."""
    status = getattr(getattr(error, "response", None), "status_code", None)
    if status is not None:
        return "http", f"{host}: the server answered HTTP {status}"
    if _find(error, TimeoutError):
        return "timeout", f"{host}: no answer within {timeout:g} s"
    if _find(error, http.client.IncompleteRead):
        return "truncated", f"{host}: the connection closed before the file was complete"
    return "unreachable", f"{host}: could not connect"


def _message(name: str, failures: list[tuple[str, str]], timeout: float, title: str) -> str:
    """Compose one plain message from the failures of every mirror for one file."""
    kinds = {kind for kind, _ in failures}
    details = "; ".join(detail for _, detail in failures)
    if "checksum" in kinds:
        return (
            f"The downloaded {name} did not match its published MD5 checksum and was deleted "
            f"({details}). Try again later; the bundled sample still works."
        )
    if "truncated" in kinds:
        return (
            f"The download of {name} was cut off before it finished ({details}). "
            "Try again; the bundled sample still works."
        )
    if "timeout" in kinds:
        return (
            f"The {title} mirrors did not respond in time while downloading {name} ({details}). "
            "Check your internet connection; the bundled sample still works."
        )
    return (
        f"Could not reach any {title} mirror ({details}). "
        "Check your internet connection; the bundled sample still works."
    )
