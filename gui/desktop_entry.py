"""Install Backprop Lab in a Linux desktop's app menu: a .desktop entry and the icon, per user.

``backprop-lab --install-desktop`` writes them under ``$XDG_DATA_HOME`` (``~/.local/share``), as
the freedesktop.org menu and icon-theme specifications describe; ``--uninstall-desktop`` removes
them. Nothing here needs a display.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

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


def launcher() -> str:
    """Return the command line that starts the window, quoted for a .desktop Exec key."""
    script = Path(sys.executable).parent / NAME
    if script.is_file():
        return shlex.quote(str(script))
    found = shutil.which(NAME)
    if found:
        return shlex.quote(found)
    main = Path(__file__).resolve().parent.parent / "main.py"
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(main))}"


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
    """Write the entry and copy the icons; return the files written."""
    desktop, pairs = paths(home)
    written = []
    for source, target in pairs:
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    desktop.parent.mkdir(parents=True, exist_ok=True)
    desktop.write_text(entry_text(), encoding="utf-8")
    return [desktop, *written]


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove the entry and the icons; return the files removed."""
    desktop, pairs = paths(home)
    removed = []
    for path in (desktop, *(target for _source, target in pairs)):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed
