"""Step exports (GIF and MP4) go through the safe save: what was at the path survives, always.

Every kind of target (a FIFO, a device, a folder, symlinks, a full or read-only disk) and every
way to stop (a failure, Cancel, Ctrl+C) is tried on both formats; MP4 failures tell FFmpeg's or
the check's own reason, never "Broken pipe". Full and read-only disks are real tmpfs mounts
when allowed (root on Linux) and simulated otherwise, the simulated variants always running.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest
from test_safe_save import OLD, leftovers
from test_safe_save import full_disk as full_disk  # noqa: F401 - fixtures shared
from test_safe_save import read_only_disk as read_only_disk  # noqa: F401
from windows import open_window

from engine.errors import SaveError
from gui.player import export as step_export
from gui.player.export import ExportCancelledError, export_gif, export_mp4, find_ffmpeg

KINDS = ["gif", pytest.param("mp4", marks=pytest.mark.skipif(
    find_ffmpeg() is None, reason="the optional mp4 extra is not installed"))]  # fmt: skip
EXPORTS = {"gif": export_gif, "mp4": export_mp4}


@pytest.fixture
def step(qtbot, tmp_path):
    """Return export(kind, path, **options) for the played step (at 8x speed unless told)."""
    window = open_window(qtbot, tmp_path / "settings.ini")
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    player = window.step_player
    player.pause()
    layout = window.network_view.diagram_layout()

    def export(kind: str, path, **options) -> int:
        options.setdefault("speed", 8.0)
        return EXPORTS[kind](player.frames, layout, player.settings(), path, **options)

    yield export
    window.close()


def with_old(folder: Path, name: str) -> Path:
    """Return ``folder/name`` holding an old export."""
    path = folder / name
    path.write_bytes(OLD)
    return path


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", KINDS)
def test_a_fifo_a_device_and_a_folder_are_refused_before_anything_runs(step, kind, tmp_path):
    fifo = tmp_path / f"pipe.{kind}"
    os.mkfifo(fifo)  # nobody reads it: writing it would hang the window for good
    folder = tmp_path / f"folder.{kind}"
    folder.mkdir()
    device = tmp_path / f"null.{kind}"
    device.symlink_to("/dev/null")
    for target, words in ((fifo, "not a regular file"), (device, "not a regular file"),
                          (folder, "is a folder")):  # fmt: skip
        with pytest.raises(SaveError, match=words) as caught:
            step(kind, target)
        assert "Broken pipe" not in str(caught.value)
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and device.is_symlink()
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and folder.is_dir()
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", KINDS)
def test_symlinks_are_written_through(step, kind, tmp_path):
    real = with_old(tmp_path, f"real.{kind}")
    real.chmod(0o604)
    link = tmp_path / f"link.{kind}"
    link.symlink_to(real)
    dangling = tmp_path / f"dangling.{kind}"
    dangling.symlink_to(tmp_path / f"made.{kind}")
    step(kind, link)
    step(kind, dangling)
    assert link.is_symlink() and real.read_bytes() != OLD and real.stat().st_size > 1000
    assert stat.S_IMODE(real.stat().st_mode) == 0o604
    assert dangling.is_symlink() and (tmp_path / f"made.{kind}").stat().st_size > 1000
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", KINDS)
def test_cancel_and_ctrl_c_while_replacing_keep_the_old_export(step, kind, tmp_path):
    old = with_old(tmp_path, f"old.{kind}")

    def interrupt(done: int, _total: int) -> bool:
        if done == 5:
            raise KeyboardInterrupt
        return True

    with pytest.raises(ExportCancelledError):
        step(kind, old, progress=lambda done, _total: done < 5)
    with pytest.raises(KeyboardInterrupt):
        step(kind, old, progress=interrupt)
    assert old.read_bytes() == OLD and leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_full_disk_keeps_the_old_export_and_its_link(step, kind, tmp_path, full_disk):  # noqa: F811
    old = full_disk / "old.bin"
    target = full_disk / f"old.{kind}"
    old.rename(target)
    link = tmp_path / f"link.{kind}"
    link.symlink_to(target)
    for path in (target, link):
        with pytest.raises(SaveError, match="disk is full") as caught:
            step(kind, path)
        assert str(path) in str(caught.value) and ".tmp" not in str(caught.value)
    assert target.read_bytes() == OLD and link.is_symlink() and leftovers(full_disk) == []


def test_a_full_disk_simulated_keeps_the_old_gif(step, tmp_path, monkeypatch):
    old = with_old(tmp_path, "old.gif")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SaveError, match="disk is full"):
        step("gif", old)
    assert old.read_bytes() == OLD and leftovers(tmp_path) == []


def fake_ffmpeg(tmp_path: Path, message: str, after_bytes: int) -> str:
    """Return a stand-in FFmpeg that reads some frames, then says ``message`` and fails."""
    script = tmp_path / "ffmpeg"
    script.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import sys
        sys.stdin.buffer.read({after_bytes})
        sys.stderr.write({message!r} + "\\n")
        sys.exit(1)
        """))  # fmt: skip
    script.chmod(0o755)
    return str(script)


@pytest.mark.timeout(120)
def test_ffmpegs_own_reason_reaches_the_learner_not_broken_pipe(step, tmp_path):
    old = with_old(tmp_path, "old.mp4")
    for message, after, words in (
        ("av_interleaved_write_frame(): No space left on device", 10**6, "disk is full"),
        ("Unknown encoder 'libx264'", 0, "Unknown encoder 'libx264'"),
        ("Conversion failed!", 10**9, "Conversion failed!"),  # fails only at the end
    ):
        exe = fake_ffmpeg(tmp_path, message, after)
        with pytest.raises(SaveError, match=words) as caught:
            step("mp4", old, ffmpeg=exe)
        assert "Broken pipe" not in str(caught.value) and str(old) in str(caught.value)
        assert old.read_bytes() == OLD and leftovers(tmp_path) == []


@pytest.mark.skipif(find_ffmpeg() is None, reason="the optional mp4 extra is not installed")
def test_every_bad_mp4_name_says_what_is_wrong(step, tmp_path, monkeypatch):
    (tmp_path / "folder.mp4").mkdir()
    cases = {
        tmp_path / "folder.mp4": "is a folder",
        tmp_path / "missing" / "step.mp4": "folder .* does not exist",
        tmp_path / ("x" * 300 + ".mp4"): "too long",
        tmp_path / "step": "must end in .mp4",
        tmp_path / "step.gif": "must end in .mp4",
        tmp_path / ".mp4": "must end in .mp4",
    }
    for path, words in cases.items():
        with pytest.raises((OSError, ValueError), match=words) as caught:
            step("mp4", path)
        assert "Broken pipe" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.mp4", "settings.ini"]

    def read_only(**_kwargs) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr("engine.data.atomic.tempfile.mkstemp", read_only)
    with pytest.raises(SaveError, match="Read-only file system"):
        step("mp4", tmp_path / "new.mp4")


@pytest.mark.parametrize("kind", KINDS)
def test_a_read_only_disk_says_so(step, kind, read_only_disk):  # noqa: F811
    with pytest.raises(SaveError, match="read-only") as caught:
        step(kind, read_only_disk / f"new.{kind}")
    assert "Broken pipe" not in str(caught.value)


def test_a_gif_must_be_named_gif(step, tmp_path):
    for name in ("step", "step.mp4", ".gif"):
        with pytest.raises(ValueError, match="must end in .gif"):
            step("gif", tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.ini"]


def test_exports_larger_than_4k_are_refused_and_the_diagram_is_scaled_to_fit():
    assert step_export.fit_size(7252, 4542) == (3449, 2160)
    assert step_export.fit_size(1000, 9000) == (427, 3840)
    assert step_export.fit_size(1920, 1080) == (1920, 1080)
    assert step_export.fit_size(2160, 3840) == (2160, 3840)  # 4K portrait fits


def memory_kb() -> dict[str, int]:
    """Return this process's resident memory now (VmRSS) and at its peak (VmHWM), in kB."""
    with open("/proc/self/status") as status:
        return {
            line.split(":")[0]: int(line.split()[1])
            for line in status
            if line.startswith(("VmHWM", "VmRSS"))
        }


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc")
def test_a_gif_export_holds_a_few_frames_however_many_it_writes(step, tmp_path):
    """The peak memory of a long full-HD export is that of a short one: frames are streamed."""
    size = (1920, 1080)  # 2 MB a frame as palette indices: holding them all grew 944 MB
    short = step("gif", tmp_path / "short.gif", size=size)  # paints and caches every beat
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # resets VmHWM to the memory in use now
    start = memory_kb()
    long = step("gif", tmp_path / "long.gif", size=size, speed=2.0)
    grown_mb = (memory_kb()["VmHWM"] - start["VmRSS"]) / 1024
    assert long > 2 * short + 40  # more than 80 distinct frames more to hold...
    assert grown_mb < 200, f"the longer export's peak grew by {grown_mb:.0f} MB"  # ...not held


@pytest.fixture
def dialog(qtbot, tmp_path, monkeypatch):
    """Return (controls, answers, told): the window's export dialog with scripted answers."""
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    window = open_window(qtbot, tmp_path / "settings.ini")
    window.play_step_action.trigger()
    qtbot.waitUntil(window.step_player.is_active, timeout=10000)
    window.step_player.set_speed(8.0)
    answers = {"path": "", "replace": False}
    told: list[str] = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: (a[3][-1], True))  # diagram's size
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (answers["path"], ""))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _title, text: told.append(text))
    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No

    def question(_parent, _title, text) -> QMessageBox.StandardButton:
        told.append(text)
        return yes if answers["replace"] else no

    monkeypatch.setattr(QMessageBox, "question", question)
    yield window.step_player_controls, answers, told
    window.close()


@pytest.mark.timeout(120)
def test_the_export_dialog_tells_why_and_asks_before_an_added_suffix_replaces(dialog, tmp_path):
    controls, answers, told = dialog
    for kind in ("gif", "mp4") if find_ffmpeg() else ("gif",):
        fifo = tmp_path / f"pipe.{kind}"
        os.mkfifo(fifo)  # nobody reads it: writing it would hang the window for good
        answers["path"] = str(fifo)
        controls.export_dialog(kind)
        assert told[-1].startswith("Cannot save to") and "not a regular file" in told[-1]
        assert stat.S_ISFIFO(fifo.lstat().st_mode)
    old = with_old(tmp_path, "step.gif")
    answers["path"] = str(tmp_path / "step")  # typed without the suffix: step.gif is meant
    controls.export_dialog("gif")
    assert told[-1] == f"{old} already exists. Replace it?" and old.read_bytes() == OLD
    answers["replace"] = True
    controls.export_dialog("gif")
    assert old.read_bytes()[:6] == b"GIF89a" and not (tmp_path / "step").exists()
    assert leftovers(tmp_path) == []


def test_a_huge_window_exports_its_diagram_scaled_down_to_4k(dialog):
    from gui.diagram.layout import compute_layout
    from gui.player.export import export_layout, render_frame

    controls = dialog[0]
    player = controls.player
    huge = compute_layout(player.view.diagram_layout().sizes, 7252, 4542)  # an 8000 px window
    player.view.diagram_layout = lambda: huge
    names = list(controls.export_sizes())
    assert names[-1] == "3449 x 2160, the diagram as on screen, scaled down to 4K"
    layout, ratio, size = export_layout(huge, None)
    image = render_frame(player.frames, layout, player.settings(), 0, 0.0, ratio)
    assert size == (3449, 2160) and (image.width(), image.height()) == size
    with pytest.raises(ValueError, match="larger than an export may be"):
        export_layout(huge, (7252, 4542))
