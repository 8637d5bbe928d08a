"""Read and write the IDX format that MNIST ships in, raw or gzip-compressed.

Only the two layouts MNIST uses are accepted: unsigned-byte images (magic 0x00000803, shape
(n, rows, cols)) and unsigned-byte labels (magic 0x00000801, shape (n,)). Anything else raises
DataError with a message naming the file, so no NumPy or zlib traceback ever reaches the user.
"""

from __future__ import annotations

import gzip
import math
import os
import stat
import zlib
from pathlib import Path

import numpy as np

from engine.data.atomic import atomic_write
from engine.errors import DataError, SaveError
from engine.words import quantity

MAX_BYTES = 200 * 1024 * 1024  # decompressed size cap, so a gzip bomb cannot exhaust memory
GZIP_MAGIC = b"\x1f\x8b"
UINT8 = 0x08
OTHER_TYPES = {0x09: "signed byte", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32", 0x0E: "float64"}
KINDS = {1: "label", 3: "pixel"}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Return the uint8 array stored in an IDX file, raising DataError if anything is wrong."""
    path = Path(path)
    content = _read_content(path)
    name = path.name
    if len(content) < 4:
        raise DataError(
            f"{name} is too short to be an IDX file ({quantity(len(content), 'byte')})."
        )
    zero, zero2, type_code, ndim = content[:4]
    if zero or zero2:
        magic = int.from_bytes(content[:4], "big")
        raise DataError(f"{name} is not an IDX file (its magic number is 0x{magic:08x}).")
    if type_code in OTHER_TYPES:
        raise DataError(
            f"{name} holds {OTHER_TYPES[type_code]} values; only unsigned bytes are supported."
        )
    if type_code != UINT8:
        raise DataError(f"{name} has an unknown IDX data type code 0x{type_code:02x}.")
    if ndim not in KINDS:
        raise DataError(f"{name} has {ndim} dimensions; expected 1 (labels) or 3 (images).")
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise DataError(
            f"{name} is truncated inside its header ({quantity(len(content), 'byte')})."
        )
    shape = tuple(int.from_bytes(content[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if 0 in shape:
        raise DataError(f"{name} has an empty dimension in its shape {shape}.")
    expected = math.prod(shape)  # exact: NumPy's int64 product wraps for a forged header
    if expected > MAX_BYTES:
        raise DataError(f"{name} claims an absurd shape {shape} ({expected:,} bytes).")
    present = len(content) - header_size
    kind = KINDS[ndim]
    if present < expected:
        raise DataError(
            f"{name} is truncated: header promises {expected:,} {kind} bytes "
            f"but only {present:,} are present."
        )
    if present > expected:
        raise DataError(
            f"{name} is oversized: {present - expected:,} unexpected bytes follow the "
            f"{expected:,} {kind} bytes its header promises."
        )
    data = np.frombuffer(content, dtype=np.uint8, count=expected, offset=header_size)
    return data.reshape(shape).copy()


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write a uint8 array of labels (n,) or images (n, rows, cols) as IDX, gzipped if *.gz."""
    path = Path(path)
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim not in KINDS or 0 in array.shape:
        raise ValueError(
            f"write_idx needs a non-empty uint8 array with 1 or 3 dimensions, "
            f"not {array.dtype} with shape {array.shape}."
        )
    header = bytes([0, 0, UINT8, array.ndim]) + b"".join(
        int(size).to_bytes(4, "big") for size in array.shape
    )
    content = header + np.ascontiguousarray(array).tobytes()
    if path.name.endswith(".gz"):
        content = gzip.compress(content, compresslevel=9, mtime=0)  # mtime=0: reproducible bytes
    try:
        atomic_write(path, lambda file: file.write(content))
    except SaveError as error:  # it names the path and the reason
        raise DataError(f"{str(error)[:1].upper()}{str(error)[1:]}.") from error


def _read_content(path: Path) -> bytes:
    """Return the file's decompressed bytes, at most MAX_BYTES of them."""
    name = path.name
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):  # a FIFO or a device would block or never end
            raise DataError(f"{name} is not a regular file ({path}).")
        with path.open("rb") as file:
            start = file.read(2)
            file.seek(0)
            if start != GZIP_MAGIC:
                if not start:
                    raise DataError(f"{name} is empty.")
                if name.endswith(".gz"):
                    raise DataError(f"{name} is named .gz but is not gzip-compressed.")
                content = file.read(MAX_BYTES + 1)
            else:
                with gzip.GzipFile(fileobj=file) as unzipped:
                    content = unzipped.read(MAX_BYTES + 1)
    except FileNotFoundError as error:
        raise DataError(f"{name} does not exist (looked for {path}).") from error
    except IsADirectoryError as error:
        raise DataError(f"{name} is a directory, not an IDX file ({path}).") from error
    except PermissionError as error:
        raise DataError(f"{name} cannot be read: permission denied ({path}).") from error
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise DataError(f"{name} is a damaged gzip file ({error}).") from error
    except OSError as error:
        raise DataError(f"{name} could not be read: {error.strerror or error}.") from error
    if len(content) > MAX_BYTES:
        raise DataError(f"{name} is larger than {MAX_BYTES // 2**20} MB once decompressed.")
    return content
