"""--install-desktop registers lesson files: their MIME type, and the entry that opens them."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import main
from gui.app_icon import NAME

NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def entry_keys(text: str) -> dict[str, str]:
    """Return a .desktop file's keys and values."""
    lines = [line.split("=", 1) for line in text.splitlines() if "=" in line]
    return {key: value for key, value in lines}


def test_the_install_registers_bplab_files_in_a_temp_xdg_home(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main.main(["--install-desktop"]) == 0
    keys = entry_keys((tmp_path / "applications" / f"{NAME}.desktop").read_text())
    assert keys["MimeType"] == "application/x-backprop-lab;"
    assert keys["Exec"].endswith(" %f")  # the double-clicked file is the argument
    xml = tmp_path / "mime" / "packages" / f"{NAME}.xml"
    root = ET.parse(xml).getroot()
    assert root.tag == f"{NS}mime-info"
    (kind,) = root.findall(f"{NS}mime-type")
    assert kind.get("type") == "application/x-backprop-lab"
    assert [g.get("pattern") for g in kind.findall(f"{NS}glob")] == ["*.bplab"]
    assert kind.find(f"{NS}sub-class-of").get("type") == "application/zip"
    assert kind.find(f"{NS}comment").text == "Backprop Lab lesson"
    out = capsys.readouterr().out
    assert f"installed {xml}" in out and "opens .bplab lessons" in out
    assert main.main(["--uninstall-desktop"]) == 0
    assert not xml.exists()
    assert f"removed {xml}" in capsys.readouterr().out


def test_the_desktop_cache_then_knows_the_type(tmp_path, monkeypatch, capsys):
    assert shutil.which("update-mime-database"), "shared-mime-info's tool, on this machine"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main.main(["--install-desktop"]) == 0
    assert "ran update-mime-database" in capsys.readouterr().out
    globs = (tmp_path / "mime" / "globs2").read_text()
    assert "application/x-backprop-lab:*.bplab" in globs
    assert main.main(["--uninstall-desktop"]) == 0
    assert "application/x-backprop-lab" not in (tmp_path / "mime" / "globs2").read_text()
