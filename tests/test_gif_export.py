"""Exporting the step animation: a GIF checked frame by frame, MP4 with or without FFmpeg."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox
from windows import rgb_pixels

from gui.player import export as step_export
from gui.player.export import ExportCancelledError, export_gif, find_ffmpeg, frame_plan


def gif_frame(gif: Image.Image, n: int) -> np.ndarray:
    """Return frame n of an open GIF as an (h, w, 3) float array."""
    gif.seek(n)
    return np.asarray(gif.convert("RGB"), np.float64)


def test_frame_plan_covers_the_story_at_the_frame_rate() -> None:
    plan = frame_plan([1.0, 0.5, 2.0], speed=1.0, fps=30)
    assert len(plan) == 3.5 * 30 + 1
    assert plan[0] == (0, 0.0) and plan[-1] == (2, 1.0)
    assert plan[30] == (1, 0.0) and plan[45] == (2, 0.0)
    assert len(frame_plan([1.0, 0.5, 2.0], speed=2.0, fps=30)) == 53 + 1  # 52.5 frames, rounded up


def test_gif_has_every_frame_at_the_diagrams_size_from_before_to_after(
    qtbot, window, tmp_path
) -> None:
    view = window.network_view
    before = rgb_pixels(view.render_image())  # the diagram before the step
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    player = window.step_player
    player.pause()
    player.set_speed(4.0)
    path = tmp_path / "step.gif"
    frames = window.step_player_controls.export(path, "gif")
    told = window.statusBar().currentMessage()
    assert told == f"Exported the step animation ({frames} frames) to {path}"
    planned = len(frame_plan([b.seconds for b in player.frames.beats], 4.0, 30))
    # A frame equal to the one before it is written once, shown for both.
    assert len(player.frames.beats) < frames < planned
    played = player.story.trace_after(player.focus())  # the example played, through the new net
    player.close()
    window.feed.refresh()
    view.set_trace(played)
    after = rgb_pixels(view.render_image())  # the diagram after the step, outputs moved
    with Image.open(path) as gif:
        assert gif.n_frames == frames
        assert gif.size == (view.width(), view.height())
        assert gif.info.get("loop") == 0
        total = 0
        for n in range(gif.n_frames):
            gif.seek(n)
            total += gif.info["duration"]
        assert total == pytest.approx(1000 * planned / 30, abs=40)  # 30 fps all through
        first, last = gif_frame(gif, 0), gif_frame(gif, gif.n_frames - 1)
        middle = gif_frame(gif, gif.n_frames // 2)
    # A 256-colour palette rounds the antialiased edges a little, nothing more.
    assert np.abs(first - before).mean() < 1.5
    assert np.abs(last - after).mean() < 1.5
    assert np.percentile(np.abs(first - before), 99) < 16
    assert np.abs(first - after).mean() > 3 * np.abs(first - before).mean()  # not any frame
    assert np.abs(middle - before).mean() > 5  # the animation is in between


def test_cancelled_export_leaves_no_file(qtbot, window, tmp_path) -> None:
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    player = window.step_player
    player.pause()
    layout = window.network_view.diagram_layout()
    path = tmp_path / "half.gif"
    with pytest.raises(ExportCancelledError):
        export_gif(
            player.frames, layout, player.settings(), path, speed=4, progress=lambda n, _t: n < 5
        )
    assert not path.exists()


def test_mp4_without_ffmpeg_says_so_and_writes_nothing(qtbot, window, tmp_path, monkeypatch):
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    monkeypatch.setattr(step_export, "find_ffmpeg", lambda: None)
    monkeypatch.setattr("gui.player.controls.find_ffmpeg", lambda: None)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text: told.append(text))
    window.step_player_controls.export_mp4_action.trigger()
    assert told == [step_export.MP4_MISSING] and "pip install" in told[0]
    path = tmp_path / "step.mp4"
    with pytest.raises(OSError, match="needs FFmpeg"):
        window.step_player_controls.export(path, "mp4")
    assert not path.exists()


@pytest.mark.skipif(find_ffmpeg() is None, reason="the optional mp4 extra is not installed")
def test_mp4_with_ffmpeg_has_every_frame(qtbot, window, tmp_path) -> None:
    import imageio_ffmpeg

    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    player = window.step_player
    player.pause()
    player.set_speed(4.0)
    path = tmp_path / "step.mp4"
    frames = window.step_player_controls.export(path, "mp4")
    counted, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert counted == frames and seconds == pytest.approx(frames / 30, abs=0.1)


def test_first_and_last_frames_show_the_drawn_digit_as_the_diagram_does(qtbot, window) -> None:
    from gui.player.export import render_frame

    window.digit_panel.load_test_digit(3)
    qtbot.waitUntil(lambda: window.digit_panel.network_input() is not None)
    window.network_view.refresh()
    view = window.network_view
    before = view.render_image().convertToFormat(QImage.Format.Format_RGB32)
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    player = window.step_player
    player.pause()
    frames, layout, settings = player.frames, view.diagram_layout(), player.settings()
    assert frames.hold_traces[0] is not None  # the drawing, traced on the network before
    first = render_frame(frames, layout, settings, 0, 0.0)
    last = render_frame(frames, layout, settings, len(frames.beats) - 1, 1.0)
    player.close()
    window.feed.refresh()
    after = view.render_image().convertToFormat(QImage.Format.Format_RGB32)
    assert first == before and last == after and before != after
