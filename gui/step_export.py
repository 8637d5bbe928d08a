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
from collections.abc import Callable

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QPainter

from gui.diagram_layout import DiagramLayout, compute_layout
from gui.step_frames import Settings, StepFrames

Progress = Callable[[int, int], bool]  # (frames done, total) -> False to cancel
MP4_MISSING = (
    "MP4 export needs FFmpeg, which is not installed. Install the optional extra "
    "(pip install 'backprop-lab[mp4]') or put ffmpeg on the PATH; GIF export works without it."
)


SLIDE_SIZES = ((1280, 720), (1920, 1080))  # pixels: HD and full HD, for a slide or a video
SLIDE_HEIGHT = 480.0  # a slide's diagram is laid out this tall, then painted at its pixel size


class ExportCancelledError(Exception):
    """The user cancelled an export; the partial file was removed."""


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


def export_layout(
    layout: DiagramLayout, size: tuple[int, int] | None
) -> tuple[DiagramLayout, float, tuple[int, int]]:
    """Return the layout, pixel ratio and pixel size that paint the diagram at ``size`` pixels.

    None keeps the diagram's own layout at one pixel per unit. A slide's size gets a layout
    SLIDE_HEIGHT units tall, drawn at size / layout pixels per unit: the diagram, its text and
    its arrows keep their proportions and are painted at the full resolution.
    """
    if size is None:
        return layout, 1.0, (int(layout.width), int(layout.height))
    width, height = int(size[0]), int(size[1])
    if width < 2 or height < 2:
        raise ValueError(f"the animation needs at least 2x2 pixels, not {width}x{height}")
    ratio = height / SLIDE_HEIGHT
    return compute_layout(layout.sizes, width / ratio, SLIDE_HEIGHT), ratio, (width, height)


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
    image = QImage(size, QImage.Format.Format_RGB32)
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

    ``size`` is the GIF's in pixels (None: the diagram's).
    """
    from PIL import Image

    plan = frame_plan([b.seconds for b in frames.beats], speed, fps)
    layout, ratio, size = export_layout(layout, size)

    def rgb(index: int, t: float) -> Image.Image:
        """Return one frame as a Pillow RGB image."""
        image = render_frame(frames, layout, settings, index, t, ratio)
        return Image.frombytes("RGB", size, _rgb_bytes(image))

    # One palette for every frame, from a frame of each beat: no flicker between frames, and
    # mapping to a fixed palette is several times faster than choosing one per frame.
    picks = sorted({index for index, _ in plan})
    picks = picks[:: max(1, len(picks) // 12)]
    montage = Image.new("RGB", (size[0], size[1] * len(picks)))
    for k, index in enumerate(picks):
        montage.paste(rgb(index, 0.75), (0, k * size[1]))
    palette = montage.quantize(256, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    images: list[Image.Image] = []
    delays: list[int] = []
    last = b""
    for n, (index, t) in enumerate(plan):
        if progress is not None and not progress(n, len(plan)):
            raise ExportCancelledError("export cancelled")
        frame = rgb(index, t).quantize(palette=palette, dither=Image.Dither.NONE)
        delay = round(1000 * (n + 1) / fps, -1) - round(1000 * n / fps, -1)
        data = frame.tobytes()
        if data == last:  # a held frame: show the previous one longer (Pillow would merge it)
            delays[-1] += delay
            continue
        last = data
        images.append(frame)
        delays.append(delay)
    try:
        images[0].save(
            os.fspath(path),
            "GIF",
            save_all=True,
            append_images=images[1:],
            duration=delays,
            loop=0,
            disposal=1,
        )
    except BaseException:
        _remove(path)
        raise
    if progress is not None:
        progress(len(plan), len(plan))
    return len(images)


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

    ``size`` is the video's in pixels (None: the diagram's).
    """
    exe = ffmpeg or find_ffmpeg()
    if exe is None:
        raise OSError(MP4_MISSING)
    plan = frame_plan([b.seconds for b in frames.beats], speed, fps)
    layout, ratio, (w, h) = export_layout(layout, size)
    command = [
        exe, "-y", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
        "-s", f"{w}x{h}", "-r", str(fps), "-i", "-",
        "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
        "-movflags", "+faststart", os.fspath(path),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for n, (index, t) in enumerate(plan):
            if progress is not None and not progress(n, len(plan)):
                raise ExportCancelledError("export cancelled")
            image = render_frame(frames, layout, settings, index, t, ratio)
            process.stdin.write(_rgb_bytes(image))
        _, error = process.communicate()  # closes its input: the end of the video
        if process.returncode != 0:
            message = error.decode(errors="replace").strip() or "unknown error"
            raise OSError(f"FFmpeg could not write {os.fspath(path)}: {message}")
    except BaseException:
        process.kill()
        process.communicate()
        _remove(path)
        raise
    if progress is not None:
        progress(len(plan), len(plan))
    return len(plan)


def _remove(path: str | os.PathLike[str]) -> None:
    """Delete a partial output file if there is one."""
    with contextlib.suppress(OSError):
        os.remove(path)
