"""Backprop Lab's engine: plain-NumPy backpropagation and mini-batch SGD on MNIST.

Nothing in this package imports Qt except ``engine.worker``; everything else runs headless.
"""

from __future__ import annotations

import os

# Tiny GEMMs (batch 10 x 784 x 16) get slower, not faster, with more than one BLAS thread, and
# a busy second core makes it far worse. Set before NumPy loads; ``limit_blas_threads`` covers
# the case where NumPy was imported first.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def limit_blas_threads() -> None:
    """Restrict BLAS to one thread, even if NumPy was imported before this package."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
