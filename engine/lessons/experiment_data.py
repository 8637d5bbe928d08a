"""The data sets the data-sets experiment compares, as this machine has them: never a download.

Each kind (digits, clothes, kuzushiji) has data specs to try in order, the first that loads
without downloading wins: the loader is given a cancel event that is already set, so a source
that would have to download stops at its first chunk and counts as missing. The full MNIST is
tried only when its verified files are in the cache (so no mirror is even asked), else the
bundled sample stands for the digits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from engine.data.datasets import MnistData, load_data
from engine.errors import DataError

Loader = Callable[..., MnistData]

SOURCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("digits", "MNIST", ("full", "sample")),
    ("clothes", "Fashion-MNIST", ("fashion",)),
    ("kuzushiji", "Kuzushiji-MNIST (KMNIST)", ("kmnist",)),
)


@dataclass(frozen=True)
class FoundData:
    """The data sets found by kind, in SOURCES' order, and what is missing, by its name."""

    found: dict[str, MnistData]
    missing: tuple[str, ...]  # e.g. "clothes (Fashion-MNIST)"

    def sizes(self) -> list[tuple[str, int]]:
        """Return each found data set's name and training-set size, as ``plan`` takes them."""
        return [(kind, len(data.train)) for kind, data in self.found.items()]

    def describe(self) -> str:
        """Return one sentence: which data sets the experiment will use and which are missing."""
        have = ", ".join(f"{kind} ({data.source})" for kind, data in self.found.items())
        text = f"On this machine: {have or 'none of them'}."
        if self.missing:
            text += f" Missing: {', '.join(self.missing)}; load it from the Data menu first."
        return text


def find_datasets(
    loader: Loader = load_data,
    sources: Sequence[tuple[str, str, tuple[str, ...]]] = SOURCES,
) -> FoundData:
    """Return the data sets this machine has for each kind of ``sources``, loading none over the
    network (``loader`` is called as ``loader(spec, cancel=<set event>)``)."""
    offline = threading.Event()
    offline.set()  # a source that would download stops at once
    found: dict[str, MnistData] = {}
    missing = []
    for kind, title, specs in sources:
        for spec in specs:
            if spec == "full" and not _full_cached():
                continue
            try:
                found[kind] = loader(spec, cancel=offline)
                break
            except (DataError, OSError, ValueError):
                continue
        else:
            missing.append(f"{kind} ({title})")
    return FoundData(found, tuple(missing))


def _full_cached() -> bool:
    """Return True if the verified full MNIST is in the cache (no download needed)."""
    from engine.data.download import cached_mnist_dir  # its HTTP libraries load only when asked

    return cached_mnist_dir() is not None
