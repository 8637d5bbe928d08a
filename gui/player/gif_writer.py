"""A looping GIF written frame by frame, so an export holds two frames, never the whole film.

Pillow's ``save_all`` gathers every frame before it writes the first (to compare them), which
held gigabytes for a large window. Here the header and the shared palette are written first,
then each frame as soon as the next one shows how long it stays: only the part that changed
since the previous frame is encoded (drawn over it, GIF disposal 1), and a frame equal to the
one before it lengthens that one's delay instead of being written again.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from typing import BinaryIO

import numpy as np
from PIL import GifImagePlugin, Image

PALETTE_BYTES = 768  # 256 colours x RGB: the global colour table
GLOBAL_TABLE = 0xF7  # a global table of 2^(7+1) colours with 8 bits per primary
LOOP_FOREVER = b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # the application extension, count 0
PALETTE_SAMPLE = 250_000  # pixels of each sample frame the palette is chosen from
TRANSPARENT = 255  # the palette index left clear: "as in the frame before", in later frames
DRAW_OVER = 1  # GIF disposal "do not dispose": the next frame is drawn over this one


class GifWriter:
    """Write frames of one palette to an open binary file as a GIF that loops forever."""

    def __init__(self, file: BinaryIO, size: tuple[int, int], palette: list[int]) -> None:
        self.file = file
        self.size = size
        self.frames = 0  # frames written or pending: equal neighbours count once
        self._pending: tuple[Image.Image, tuple[int, int], int] | None = None  # crop, offset, ms
        self._previous: np.ndarray | None = None  # (height, width) palette indices
        table = bytes(palette[:PALETTE_BYTES]).ljust(PALETTE_BYTES, b"\0")
        file.write(b"GIF89a" + struct.pack("<HHBBB", *size, GLOBAL_TABLE, 0, 0) + table)
        file.write(LOOP_FOREVER)

    def add(self, frame: Image.Image, delay: int) -> None:
        """Add a palette frame (mode "P", of the writer's palette) shown for ``delay`` ms."""
        pixels = np.array(frame)  # (height, width) palette indices
        pixels[pixels == TRANSPARENT] = 0  # the palette's last entry repeats its first
        if self._previous is None:
            crop, offset = Image.fromarray(pixels), (0, 0)
        else:
            changed = pixels != self._previous
            rows = np.flatnonzero(changed.any(axis=1))
            if rows.size == 0:  # a held frame: show the previous one longer
                crop, offset, shown = self._pending
                self._pending = (crop, offset, shown + delay)
                return
            columns = np.flatnonzero(changed.any(axis=0))
            box = np.s_[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
            region = pixels[box].copy()
            region[~changed[box]] = TRANSPARENT  # unchanged: runs of one index pack small
            crop, offset = Image.fromarray(region), (int(columns[0]), int(rows[0]))
        self._write_pending()
        self._pending = (crop, offset, delay)
        self._previous = pixels
        self.frames += 1

    def close(self) -> None:
        """Write the last frame and the GIF's trailer; the caller closes the file."""
        self._write_pending()
        self.file.write(b";")

    def _write_pending(self) -> None:
        """Encode the frame waiting for its delay, if there is one."""
        if self._pending is None:
            return
        crop, offset, delay = self._pending
        options = {"duration": delay, "disposal": DRAW_OVER, "transparency": TRANSPARENT}
        for chunk in GifImagePlugin.getdata(crop, offset, **options):  # the first has none clear
            self.file.write(chunk)
        self._pending = None


def choose_palette(samples: Iterable[Image.Image]) -> Image.Image:
    """Return a 255-colour palette image chosen from sample frames, each shrunk to a sample.

    Every n-th pixel of each frame (no blending, so no new colours) keeps the palette's memory
    small whatever the frames' size.
    """
    tiles = []
    for frame in samples:
        step = max(1, math.ceil(math.sqrt(frame.width * frame.height / PALETTE_SAMPLE)))
        tiles.append(frame.resize((frame.width // step or 1, frame.height // step or 1), 0))
    montage = Image.new("RGB", (max(t.width for t in tiles), sum(t.height for t in tiles)))
    top = 0
    for tile in tiles:
        montage.paste(tile, (0, top))
        top += tile.height
    palette = montage.quantize(TRANSPARENT, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    colours = palette.getpalette()[: 3 * TRANSPARENT]
    colours += [0] * (3 * TRANSPARENT - len(colours))
    palette.putpalette(colours + colours[:3])  # the clear index repeats the first colour
    return palette
