"""Every export is written whole or not at all, and never opens a pipe or a device."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from gui.atomic_export import write_png, write_svg, write_text
from gui.diagram.view import NetworkView
from tests.test_network_view import base  # noqa: F401  (the module's trained snapshot fixture)


def test_png_svg_and_text_refuse_a_pipe_and_keep_the_old_file(tmp_path: Path) -> None:
    fifo = tmp_path / "out.png"
    os.mkfifo(fifo)  # opening it for writing would block forever
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    with pytest.raises(OSError, match="not a regular file"):
        write_png(image, fifo)
    old = tmp_path / "old.csv"
    old.write_text("kept\n")

    def fail(file) -> None:
        file.write("half,a,row")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_text(old, fail)
    assert old.read_text() == "kept\n"  # the failed export left the previous file whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv", "out.png"]  # no temp file
    with pytest.raises(OSError, match="not a regular file"):
        write_svg(lambda p: None, image.size(), "t", fifo)


def test_the_diagram_exports_whole_files_and_refuses_a_pipe(qtbot, tmp_path: Path, base) -> None:  # noqa: F811
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.set_snapshot(base)
    view.export_png(tmp_path / "d.png")
    view.export_svg(tmp_path / "d.svg")
    assert (tmp_path / "d.png").read_bytes().startswith(b"\x89PNG")
    assert b"</svg>" in (tmp_path / "d.svg").read_bytes()
    os.mkfifo(tmp_path / "p.svg")
    with pytest.raises(OSError, match="not a regular file"):
        view.export_svg(tmp_path / "p.svg")
