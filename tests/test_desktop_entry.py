"""--install-desktop writes its entry and 8 icons all or nothing, with a spec-quoted Exec line."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_safe_save import mount_tmpfs

import main
from gui import desktop_entry
from gui.app_icon import ICON_SIZES, NAME


def unescape_string(value: str) -> str:
    """Undo a desktop entry's string escapes (\\s \\n \\t \\r \\\\); others are invalid."""
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            escaped = next(chars)
            assert escaped in "sntr\\", f"invalid escape \\{escaped} in {value!r}"
            char = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[escaped]
        out.append(char)
    return "".join(out)


def split_exec(value: str) -> list[str]:
    """Split an Exec value into its arguments as the desktop-entry specification reads it.

    String escapes first, then arguments split at spaces, a double-quoted one with \\" \\` \\$
    \\\\ escapes, and field codes: %% is a percent sign, %f etc. are kept as written.
    """
    text = unescape_string(value)
    arguments, current, quoted, k, started = [], [], False, 0, False
    while k < len(text):
        char = text[k]
        if quoted:
            if char == "\\":
                assert text[k + 1] in '"`$\\', f"bad escape in {text!r}"
                current.append(text[k + 1])
                k += 1
            elif char == '"':
                quoted = False
            else:
                assert char not in "`$", f"{char} must be escaped in {text!r}"
                current.append(char)
        elif char == '"':
            quoted = started = True
        elif char == " ":
            if started:
                arguments.append("".join(current))
            current, started = [], False
        else:
            assert char not in "\"'\\`$<>|&;*?#()~\t\n", f"unquoted {char!r} in {text!r}"
            current.append(char)
            started = True
        k += 1
    assert not quoted, f"unclosed quote in {text!r}"
    if started:
        arguments.append("".join(current))
    return [argument.replace("%%", "%") for argument in arguments]


def percents_doubled(value: str) -> bool:
    """Return whether every % in an Exec value is %% or one of the field codes it ends with."""
    return "%" not in value.replace("%%", "").removesuffix(" %f")


WEIRD = 'my "apps" `x` $HOME 100% back\\slash it\'s\ttab'


def test_the_exec_line_reads_back_as_the_command_for_any_folder_name(tmp_path, monkeypatch):
    folder = tmp_path / WEIRD / "bin"
    folder.mkdir(parents=True)
    (folder / NAME).write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "executable", str(folder / "python"))
    line = desktop_entry.entry_text().split("Exec=", 1)[1].split("\n", 1)[0]
    assert split_exec(line) == [str(folder / NAME), "%f"]
    assert percents_doubled(line)
    assert line.startswith('"')  # double quotes, not the shell's single ones
    # No launcher script: the interpreter runs main.py, both quoted.
    monkeypatch.setattr(sys, "executable", str(tmp_path / WEIRD / "python3"))
    monkeypatch.setattr(desktop_entry.shutil, "which", lambda _name: None)
    line = desktop_entry.entry_text().split("Exec=", 1)[1].split("\n", 1)[0]
    main_py = str(Path(desktop_entry.__file__).resolve().parent.parent / "main.py")
    assert split_exec(line) == [str(tmp_path / WEIRD / "python3"), main_py, "%f"]


def installed(home: Path) -> list[str]:
    """Return every file and folder under ``home``, relative to it."""
    return sorted(str(p.relative_to(home)) for p in home.rglob("*"))


def test_a_full_disk_leaves_nothing_behind(tmp_path, capsys):
    home = tmp_path / "home"
    mount_tmpfs(home, "size=64k")  # the 512 px icon alone is 68 kB
    try:
        env = {**os.environ, "XDG_DATA_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
        done = subprocess.run(
            [sys.executable, "main.py", "--install-desktop"],
            cwd=Path(main.__file__).parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert "disk is full" in done.stderr and len(done.stderr.strip().splitlines()) == 1
        assert installed(home) == []
    finally:
        subprocess.run(["umount", "-l", str(home)], check=False)


@pytest.mark.parametrize("failing", [1, 5, 9])
def test_a_full_disk_simulated_leaves_nothing_and_keeps_an_earlier_install(
    tmp_path, monkeypatch, capsys, failing
):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(desktop_entry, "refresh_caches", lambda home=None: [])  # files only
    real_fsync = os.fsync
    calls = []

    def full_at_the_nth_file(fd: int) -> None:
        calls.append(fd)
        if len(calls) == failing:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_at_the_nth_file)
    assert main.main(["--install-desktop"]) == 2
    assert "disk is full" in capsys.readouterr().err
    assert installed(tmp_path) == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert main.main(["--install-desktop"]) == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert len(before) == 2 + len(ICON_SIZES)  # the entry, the lesson type, the icons
    entry = tmp_path / "applications" / f"{NAME}.desktop"
    entry.write_text(entry.read_text() + "X-Edited=kept\n")
    before[entry] = entry.read_bytes()
    calls.clear()
    monkeypatch.setattr(os, "fsync", full_at_the_nth_file)
    assert main.main(["--install-desktop"]) == 2
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
