"""Export the "Play one step" animation as an animated GIF (Pillow) or an MP4 (FFmpeg).

Frames are painted by the same ``StepFrames.paint`` as the window, at the diagram's size or at a
size for a slide (1280x720, 1920x1080: the diagram laid out afresh and painted at that many
pixels, never a small picture scaled up), at a fixed frame rate through the whole story played
continuously (no pauses for reading). The first frame is the diagram before the step and the
last the diagram after it, without captions. GIF delays are whole centiseconds, so 30 fps is
written as delays of 30, 30 and 40 ms in turn. MP4 needs an FFmpeg executable: the ``mp4``
extra's imageio-ffmpeg, or one on the PATH.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QPainter

from engine.data.atomic import atomic_path, atomic_write
from engine.errors import SaveError, printable
from gui.diagram import DiagramLayout, compute_layout
from gui.player.frames import Settings, StepFrames

Progress = Callable[[int, int], bool]  # (frames done, total) -> False to cancel
MP4_MISSING = (
    "MP4 export needs FFmpeg, which is not installed. Install the optional extra "
    "(pip install 'backprop-lab[mp4]') or put ffmpeg on the PATH; GIF export works without it."
)


SLIDE_SIZES = ((1280, 720), (1920, 1080))  # pixels: HD and full HD, for a slide or a video
MAX_SIZE = (3840, 2160)  # pixels, 4K: a larger animation would be an absurd file
SLIDE_HEIGHT = 480.0  # a slide's diagram is laid out this tall, then painted at its pixel size


class ExportCancelledError(Exception):
    """The user cancelled an export; the temporary file was removed, the target kept."""


def frame_plan(durations: list[float], speed: float, fps: int) -> list[tuple[int, float]]:
    """Return (beat index, fraction of the beat) for every frame of the story at ``speed``.

    Frame n shows the story at n * speed / fps seconds; the last frame is the end of the last
    beat.
    """
    total = sum(durations)
    count = max(math.ceil(total * fps / speed), 1)
    starts = [sum(durations[:i]) for i in range(len(durations))]
    plan = []
    beat = 0
    for n in range(count + 1):
        at = min(n * speed / fps, total)
        while beat + 1 < len(durations) and at >= starts[beat + 1]:
            beat += 1
        plan.append((beat, min((at - starts[beat]) / durations[beat], 1.0)))
    return plan


def fit_size(width: int, height: int) -> tuple[int, int]:
    """Return ``width`` x ``height`` scaled down, its shape kept, to fit 4K either way round."""
    scale = min(1.0, MAX_SIZE[0] / max(width, height), MAX_SIZE[1] / min(width, height))
    return max(round(width * scale), 2), max(round(height * scale), 2)


def export_layout(
    layout: DiagramLayout, size: tuple[int, int] | None
) -> tuple[DiagramLayout, float, tuple[int, int]]:
    """Return the layout, pixel ratio and pixel size that paint the diagram at ``size`` pixels.

    None keeps the diagram's own layout at one pixel per unit, scaled down to fit 4K if it is
    larger. A slide's size gets a layout SLIDE_HEIGHT units tall, drawn at size / layout pixels
    per unit: the diagram, its text and its arrows keep their proportions and are painted at
    the full resolution. A size larger than 4K is refused.
    """
    if size is None:
        own = (int(layout.width), int(layout.height))
        fitted = fit_size(*own)
        return layout, fitted[1] / layout.height if fitted != own else 1.0, fitted
    width, height = int(size[0]), int(size[1])
    if width < 2 or height < 2:
        raise ValueError(f"the animation needs at least 2x2 pixels, not {width}x{height}")
    if fit_size(width, height) != (width, height):
        raise ValueError(
            f"{width}x{height} pixels is larger than an export may be "
            f"({MAX_SIZE[0]}x{MAX_SIZE[1]}, 4K, either way round)"
        )
    ratio = height / SLIDE_HEIGHT
    return compute_layout(layout.sizes, width / ratio, SLIDE_HEIGHT), ratio, (width, height)


def check_suffix(path: str | os.PathLike[str], kind: str) -> None:
    """Refuse a file name that does not end in ``.kind`` (a GIF named .mp4, or no suffix)."""
    name = os.path.basename(os.fspath(path))
    if not name.lower().endswith(f".{kind}") or name.lower() == f".{kind}":
        raise ValueError(
            f"{'an' if kind == 'mp4' else 'a'} {kind.upper()} export's file name must end in "
            f".{kind}; {name!r} does not"
        )


def render_frame(
    frames: StepFrames,
    layout: DiagramLayout,
    settings: Settings,
    index: int,
    t: float,
    ratio: float = 1.0,
) -> QImage:
    """Return beat ``index`` at fraction t painted into a new image: ``layout``'s size x ratio."""
    size = QSize(round(layout.width * ratio), round(layout.height * ratio))
    image = QImage(size, QImage.Format.Format_RGB32)  # a ratio below 1 paints a smaller copy
    image.setDevicePixelRatio(ratio)
    p = QPainter(image)
    frames.paint(p, index, t, layout, settings, hold_captions=False)
    p.end()
    return image


def _rgb_bytes(image: QImage) -> bytes:
    """Return an image's pixels as tightly packed RGB bytes, row by row."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    data = bytes(rgb.constBits())
    if stride == 3 * w:
        return data
    return b"".join(data[y * stride : y * stride + 3 * w] for y in range(h))


def export_gif(
    frames: StepFrames,
    layout: DiagramLayout,
    settings: Settings,
    path: str | os.PathLike[str],
    fps: int = 30,
    speed: float = 1.0,
    progress: Progress | None = None,
    size: tuple[int, int] | None = None,
) -> int:
    """Write the animation as a looping GIF; return its frames (a held frame counts once).

    ``size`` is the GIF's in pixels (None: the diagram's, at most 4K). Frames are written as
    they are painted, to a temporary file renamed over ``path`` at the end: a failure, Cancel
    or Ctrl+C leaves what was at ``path`` as it was. Raises SaveError (an OSError) or
    ValueError saying why.
    """
    from PIL import Image

    from gui.player.gif_writer import GifWriter, choose_palette

    check_suffix(path, "gif")
    plan = frame_plan([b.seconds for b in frames.beats], speed, fps)
    layout, ratio, size = export_layout(layout, size)

    def rgb(index: int, t: float) -> Image.Image:
        """Return one frame as a Pillow RGB image."""
        image = render_frame(frames, layout, settings, index, t, ratio)
        return Image.frombytes("RGB", size, _rgb_bytes(image))

    def write(file: BinaryIO) -> int:
        """Paint, map to the palette and write every frame in turn."""
        # One palette for every frame, from a frame of each beat: no flicker between frames,
        # and mapping to a fixed palette is several times faster than choosing one per frame.
        picks = sorted({index for index, _ in plan})
        picks = picks[:: max(1, len(picks) // 12)]
        palette = choose_palette(rgb(index, 0.75) for index in picks)
        gif = GifWriter(file, size, palette.getpalette())
        for n, (index, t) in enumerate(plan):
            if progress is not None and not progress(n, len(plan)):
                raise ExportCancelledError("export cancelled")
            frame = rgb(index, t).quantize(palette=palette, dither=Image.Dither.NONE)
            gif.add(frame, round(1000 * (n + 1) / fps, -1) - round(1000 * n / fps, -1))
        gif.close()
        return gif.frames

    written: list[int] = []
    atomic_write(path, lambda file: written.append(write(file)), interruptible=True)
    if progress is not None:
        progress(len(plan), len(plan))
    return written[0]


def find_ffmpeg() -> str | None:
    """Return the path of an FFmpeg executable (the mp4 extra's, else the PATH's), or None."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return shutil.which("ffmpeg")


def export_mp4(
    frames: StepFrames,
    layout: DiagramLayout,
    settings: Settings,
    path: str | os.PathLike[str],
    fps: int = 30,
    speed: float = 1.0,
    progress: Progress | None = None,
    ffmpeg: str | None = None,
    size: tuple[int, int] | None = None,
) -> int:
    """Write the animation as an H.264 MP4 and return its frames; OSError says why it could not.

    ``size`` is the video's in pixels (None: the diagram's, at most 4K). The target is checked
    before FFmpeg starts; FFmpeg writes a temporary file renamed over ``path`` when it is
    done, so a failure, Cancel or Ctrl+C leaves what was at ``path`` as it was, and FFmpeg's
    own reason is the one told.
    """
    exe = ffmpeg or find_ffmpeg()
    if exe is None:
        raise OSError(MP4_MISSING)
    check_suffix(path, "mp4")
    plan = frame_plan([b.seconds for b in frames.beats], speed, fps)
    layout, ratio, (w, h) = export_layout(layout, size)
    with atomic_path(path) as temp:
        command = [
            exe, "-y", "-nostdin", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
            "-s", f"{w}x{h}", "-r", str(fps), "-i", "pipe:0",
            "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", "-f", "mp4", os.fspath(temp),
        ]  # fmt: skip
        with FFmpeg(command, path, temp) as encoder:
            for n, (index, t) in enumerate(plan):
                if progress is not None and not progress(n, len(plan)):
                    raise ExportCancelledError("export cancelled")
                encoder.write(_rgb_bytes(render_frame(frames, layout, settings, index, t, ratio)))
    if progress is not None:
        progress(len(plan), len(plan))
    return len(plan)


class FFmpeg:
    """An FFmpeg process fed frames on its input; its error output is kept to say why it failed.

    Leaving the ``with`` block normally closes the input and waits for the video; leaving it
    by an exception kills FFmpeg. A failure raises SaveError with FFmpeg's own last words.
    """

    def __init__(self, command: list[str], path: str | os.PathLike[str], temp: os.PathLike[str]):
        self.command = command
        self.shown = os.fspath(path)
        self.temp = os.fspath(temp)

    def __enter__(self) -> FFmpeg:
        # Its complaints go to an unnamed file (closed in _finish), never to a pipe that, full,
        # would stop FFmpeg and then us: no thread has to drain it.
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 # not the user's file: unnamed
        self.process = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.errors
        )
        return self

    def write(self, data: bytes) -> None:
        """Send one frame; raise FFmpeg's reason if it has stopped."""
        try:
            self.process.stdin.write(data)
        except (BrokenPipeError, ValueError):
            self._finish()
            raise self._failure() from None

    def __exit__(self, kind: type | None, error: BaseException | None, trace: object) -> None:
        if kind is not None:
            self.process.kill()
            self._finish()
            return
        self._finish()
        if self.process.returncode != 0:
            raise self._failure()

    def _finish(self) -> None:
        """Close FFmpeg's input, wait for it to end and for its error output."""
        with contextlib.suppress(OSError, ValueError):
            self.process.stdin.close()
        self.process.wait()
        if not self.errors.closed:  # once: a failed write finishes before __exit__ does
            self.errors.seek(0)
            self.said = self.errors.read()
            self.errors.close()

    def _failure(self) -> SaveError:
        """Return the error that tells FFmpeg's reason, naming the user's file, not ours."""
        text = self.said.decode(errors="replace").replace(self.temp, self.shown)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        reason = (
            printable(lines[-1]) if lines else f"FFmpeg stopped (exit {self.process.returncode})"
        )
        if "No space left on device" in text:
            reason = f"the disk is full ({reason})"
        return SaveError(f"FFmpeg could not write {self.shown}: {reason}")
