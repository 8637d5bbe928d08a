"""The app's own icon at every desktop size, on the window, and in the app menu on Linux."""

from __future__ import annotations

import ast
import shlex
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage
from windows import open_window

import main
from gui import desktop_entry
from gui.app_icon import ICON_SIZES, NAME, icon_path

ROOT = Path(__file__).resolve().parent.parent


def _rgba(path: Path) -> np.ndarray:
    """Return a PNG as an (h, w, 4) uint8 array."""
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGBA8888)
    data = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
    rows = data.reshape(image.height(), image.bytesPerLine() // 4, 4)
    return rows[:, : image.width()].copy()  # a copy: the buffer goes with the image


@pytest.mark.parametrize("size", ICON_SIZES)
def test_icon_png_at_each_size_shows_blue_and_red_edges_on_a_rounded_tile(size):
    """Each PNG is square at its size, transparent in the corners, with blue and red in it."""
    path = icon_path(size)
    rgba = _rgba(path)
    assert rgba.shape[:2] == (size, size)
    assert rgba[0, 0, 3] <= 16 and rgba[-1, -1, 3] <= 16  # rounded corners
    r, g, b = (rgba[..., k].astype(int) for k in range(3))
    opaque = rgba[..., 3] > 200
    blue = opaque & (b > r + 60) & (g > r)
    red = opaque & (r > b + 60) & (r > g + 40)
    assert blue.sum() >= max(2, size * size // 200)
    assert red.sum() >= max(1, size * size // 400)


def test_icons_are_packaged_and_on_the_window(qtbot, tmp_path):
    """pyproject ships the PNGs, and the main window wears the icon at several sizes."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    data = text.split("[tool.setuptools.package-data]", 1)[1]
    line = next(row for row in data.splitlines() if row.startswith("resources = "))
    patterns = ast.literal_eval(line.split("=", 1)[1].strip())
    shipped = {p.name for pattern in patterns for p in (ROOT / "resources").glob(pattern)}
    assert {icon_path(s).name for s in ICON_SIZES} <= shipped
    window = open_window(qtbot, tmp_path / "s.ini")
    sizes = {s.width() for s in window.windowIcon().availableSizes()}
    assert {16, 32, 48, 256} <= sizes


def test_install_desktop_puts_an_entry_and_the_icons_in_the_app_menu(monkeypatch, tmp_path, capsys):
    """One command writes a valid .desktop entry and hicolor icons; a second one removes them."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main.main(["--install-desktop"]) == 0
    entry = tmp_path / "applications" / f"{NAME}.desktop"
    text = entry.read_text(encoding="utf-8")
    fields = dict(line.split("=", 1) for line in text.splitlines()[1:] if "=" in line)
    assert text.startswith("[Desktop Entry]\n")
    assert fields["Type"] == "Application" and fields["Name"] == "Backprop Lab"
    assert fields["Icon"] == NAME and fields["Terminal"] == "false"
    program = shlex.split(fields["Exec"])[0]
    assert Path(program).is_file()
    for size in ICON_SIZES:
        icon = tmp_path / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"
        assert icon.read_bytes() == icon_path(size).read_bytes()
    assert str(entry) in capsys.readouterr().out
    assert main.main(["--uninstall-desktop"]) == 0
    assert not entry.exists()
    assert not list((tmp_path / "icons").rglob("*.png"))


def test_data_home_falls_back_to_local_share(monkeypatch):
    """Without (or with a relative) XDG_DATA_HOME, entries go to ~/.local/share."""
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")
    assert desktop_entry.data_home() == Path.home() / ".local/share"


def test_readme_documents_the_one_command():
    """The README tells Linux users the command that adds the app to their menu."""
    assert "backprop-lab --install-desktop" in (ROOT / "README.md").read_text(encoding="utf-8")
