"""Backprop Lab's engine: plain-NumPy backpropagation and mini-batch SGD on MNIST.

Nothing in this package imports Qt except ``engine.session.worker``; everything else runs headless.
"""

from __future__ import annotations

import os
import sys

__version__ = "0.3.0"  # the one place; pyproject.toml and --version read it

SWITCH_INTERVAL = 0.0005  # seconds; Python's default 5 ms would make the GUI wait for the GIL

# Tiny GEMMs (batch 10 x 784 x 16) get slower, not faster, with more than one BLAS thread, and
# a busy second core makes it far worse. Set before NumPy loads; ``limit_blas_threads`` covers
# the case where NumPy was imported first.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def limit_blas_threads() -> None:
    """Restrict BLAS to one thread, even if NumPy was imported before this package."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def share_the_gil_often() -> None:
    """Make a busy thread hand over the GIL every ``SWITCH_INTERVAL`` seconds, or sooner."""
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))


def limit_heap_growth() -> None:
    """Make glibc return freed NumPy buffers to the system instead of keeping them forever.

    glibc raises its mmap threshold each time a large block is freed, after which big arrays
    come from the heap, whose freed holes are rarely given back: a long training run's resident
    memory then creeps up by tens of megabytes. A fixed 64 KiB threshold keeps large arrays in
    their own mappings, released on free. Does nothing where glibc is absent.
    """
    import ctypes
    import ctypes.util

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
        libc.mallopt(m_mmap_threshold, 64 * 1024)
        libc.mallopt(m_trim_threshold, 1024 * 1024)
    except (OSError, AttributeError):
        return
