"""Exporting the step for a slide: the size is chosen in the dialog and painted at that size."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog
from windows import rgb_pixels

from gui.player.export import SLIDE_SIZES, export_layout, find_ffmpeg, render_frame


def export_through_the_dialog(qtbot, window, monkeypatch, path, pick) -> list[str]:
    """Play one step, press Export > GIF, pick the size ``pick`` chooses; return the offered."""
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    # Fast: a slide-sized frame is costly to paint, and what is checked (the size, the first
    # frame's pixels, what was offered) does not depend on how many frames there are.
    window.step_player.set_speed(16.0)
    offered: list[str] = []

    def get_item(_parent, _title, _label, items, _current, _editable):
        offered.extend(items)
        name = pick(items)
        return (name or "", name is not None)

    monkeypatch.setattr(QInputDialog, "getItem", get_item)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(path), ""))
    window.step_player_controls.export_gif_action.trigger()
    return offered


@pytest.mark.parametrize("size", SLIDE_SIZES)
def test_a_slide_sized_gif_is_painted_at_that_size(qtbot, window, monkeypatch, tmp_path, size):
    w, h = size
    path = tmp_path / "slide.gif"
    offered = export_through_the_dialog(
        qtbot, window, monkeypatch, path, lambda items: next(i for i in items if f"{w} x {h}" in i)
    )
    view = window.network_view
    assert sum("as on screen" in item for item in offered) == 1
    assert len(offered) == len(SLIDE_SIZES) + 1
    with Image.open(path) as gif:
        assert gif.size == (w, h)
        gif.seek(0)
        first = np.asarray(gif.convert("RGB"), float)
    # Painted for the slide at its pixel size, not the diagram's picture scaled up.
    player = window.step_player
    shown = view.diagram_layout()
    layout, ratio, pixels = export_layout(shown, size)
    assert pixels == (w, h) and ratio == pytest.approx(h / layout.height) and ratio > 1
    native = rgb_pixels(render_frame(player.frames, layout, player.settings(), 0, 0.0, ratio))
    small = render_frame(player.frames, shown, player.settings(), 0, 0.0)
    scaled = small.scaled(w, h, mode=Qt.TransformationMode.SmoothTransformation)
    assert native.shape == first.shape
    assert np.abs(first - native).mean() < 1.5  # the palette rounds a little, nothing more
    assert np.abs(first - rgb_pixels(scaled)).mean() > 5 * np.abs(first - native).mean() + 5
    assert ratio * layout.height == h and layout.width * ratio == pytest.approx(w, abs=1)
    assert "to " + str(path) in window.statusBar().currentMessage()


def test_the_diagrams_own_size_is_still_offered_and_a_cancelled_size_writes_nothing(
    qtbot, window, monkeypatch, tmp_path
) -> None:
    path = tmp_path / "none.gif"
    export_through_the_dialog(qtbot, window, monkeypatch, path, lambda items: None)
    assert not path.exists()
    path = tmp_path / "screen.gif"
    offered = export_through_the_dialog(
        qtbot, window, monkeypatch, path, lambda items: next(i for i in items if "screen" in i)
    )
    screen = next(i for i in offered if "screen" in i)
    with Image.open(path) as gif:
        assert screen.startswith(f"{gif.size[0]} x {gif.size[1]}, ")


def test_a_size_too_small_to_paint_is_refused(qtbot, window) -> None:
    with pytest.raises(ValueError, match="2x2"):
        export_layout(window.network_view.diagram_layout(), (1, 720))


@pytest.mark.skipif(find_ffmpeg() is None, reason="the optional mp4 extra is not installed")
def test_a_slide_sized_mp4_is_that_size(qtbot, window, tmp_path) -> None:
    import imageio_ffmpeg

    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    window.step_player.pause()
    window.step_player.set_speed(16.0)  # the size and the frame count checked, not the length
    path = tmp_path / "slide.mp4"
    frames = window.step_player_controls.export(path, "mp4", size=(1920, 1080))
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    reader.close()
    assert tuple(meta["size"]) == (1920, 1080)
    assert imageio_ffmpeg.count_frames_and_secs(str(path))[0] == frames
