"""Install Backprop Lab in a Linux desktop's app menu: a .desktop entry and the icon, per user.

``backprop-lab --install-desktop`` writes them under ``$XDG_DATA_HOME`` (``~/.local/share``), as
the freedesktop.org menu and icon-theme specifications describe, all files or none (a full disk
leaves nothing behind); ``--uninstall-desktop`` removes them. Nothing here needs a display.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from engine.data.atomic import atomic_write_all
from engine.errors import SaveError
from gui.app_icon import ICON_SIZES, NAME, icon_path

ENTRY = """[Desktop Entry]
Type=Application
Name=Backprop Lab
GenericName=Neural network trainer
Comment=Watch a neural network learn handwritten digits by backpropagation
Exec={exec} %f
Icon={icon}
Terminal=false
Categories=Education;Science;ArtificialIntelligence;
Keywords=neural;network;backpropagation;MNIST;machine learning;
"""


def data_home() -> Path:
    """Return $XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / ".local/share"


def exec_argument(argument: str) -> str:
    """Return one argument quoted for an Exec key, as the desktop-entry specification asks.

    In double quotes, with a double quote, backtick, dollar sign or backslash escaped by a
    backslash; a percent sign doubled (one alone starts a field code such as %f); then the
    string escapes every value has (a backslash doubled, a newline as backslash-n), which a
    reader undoes first.
    """
    quoted = '"' + re.sub(r'(["`$\\])', r"\\\1", argument) + '"'
    quoted = quoted.replace("%", "%%").replace("\\", "\\\\")
    return quoted.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def command() -> list[str]:
    """Return the program and arguments that start the window."""
    script = Path(sys.executable).parent / NAME
    if script.is_file():
        return [str(script)]
    found = shutil.which(NAME)
    if found:
        return [found]
    return [sys.executable, str(Path(__file__).resolve().parent.parent / "main.py")]


def launcher() -> str:
    """Return the command line that starts the window, quoted for a .desktop Exec key."""
    return " ".join(exec_argument(argument) for argument in command())


def entry_text() -> str:
    """Return the .desktop file's text for this installation."""
    return ENTRY.format(exec=launcher(), icon=NAME)


def paths(home: Path | None = None) -> tuple[Path, list[tuple[Path, Path]]]:
    """Return the .desktop file's path and (source PNG, installed PNG) pairs for every size."""
    home = home or data_home()
    icons = home / "icons" / "hicolor"
    pairs = [(icon_path(s), icons / f"{s}x{s}" / "apps" / f"{NAME}.png") for s in ICON_SIZES]
    return home / "applications" / f"{NAME}.desktop", pairs


def install(home: Path | None = None) -> list[Path]:
    """Write the entry and the icons, all of them or none; return the files written.

    Every file goes through the safe save; a failure (a full disk) removes what this call
    made, folders included, and leaves earlier files as they were.
    """
    desktop, pairs = paths(home)
    files = [(desktop, entry_text().encode("utf-8"))]
    files += [(target, source.read_bytes()) for source, target in pairs if source.is_file()]
    made = _make_folders([target.parent for target, _data in files])
    try:
        atomic_write_all([(target, _writer(data)) for target, data in files])
    except BaseException:
        _remove_folders(made)
        raise
    return [target for target, _data in files]


def _writer(data: bytes) -> Callable[[BinaryIO], None]:
    """Return a function that writes ``data`` to a file."""
    return lambda file: file.write(data)


def _make_folders(folders: list[Path]) -> list[Path]:
    """Create the missing folders (parents first); return those made, or undo them and raise."""
    made: list[Path] = []
    try:
        for folder in folders:
            missing = [f for f in (folder, *folder.parents) if not f.exists()]
            for f in reversed(missing):
                f.mkdir()
                made.append(f)
    except OSError as exc:
        _remove_folders(made)
        raise SaveError(f"cannot create the folder {folder}: {exc.strerror or exc}") from None
    return made


def _remove_folders(made: list[Path]) -> None:
    """Remove the folders this install made, children first, if they are still empty."""
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()  # not the user's file: an empty folder this call made


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove the entry and the icons; return the files removed."""
    desktop, pairs = paths(home)
    removed = []
    for path in (desktop, *(target for _source, target in pairs)):
        if path.is_file():
            # not the user's file: the entry and icons --install-desktop wrote, removed on request
            path.unlink()
            removed.append(path)
    return removed
