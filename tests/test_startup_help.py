"""A machine without Qt's X11 libraries gets one clear message and the one apt line to fix it."""

from __future__ import annotations

from pathlib import Path

from gui import app

README = Path(__file__).resolve().parent.parent / "README.md"


def test_missing_xcb_libraries_are_named_by_their_packages():
    """Each library the xcb plugin needs that cannot be found is reported as its apt package."""
    found = {"xcb-icccm", "xcb-image", "EGL"}
    missing = app.missing_xcb_libraries(lambda name: f"lib{name}.so" if name in found else None)
    assert "libxcb-cursor0" in missing and "libxcb-icccm4" not in missing
    assert len(missing) == len(app.XCB_LIBRARIES) - len(found)


def test_start_up_without_xcb_libraries_exits_with_the_apt_line(monkeypatch, capsys, tmp_path):
    """Instead of Qt's abort, the launcher says what is missing, the apt line and the README."""
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(app.sys, "platform", "linux")
    monkeypatch.setattr(
        app, "missing_xcb_libraries", lambda: ["libxcb-cursor0", "libxkbcommon-x11-0"]
    )
    status = app.run_gui(["--settings", str(tmp_path / "s.ini")])
    err = capsys.readouterr().err
    assert status == app.EXIT_NO_PLATFORM
    assert "(libxcb-cursor0, libxkbcommon-x11-0)" in err
    assert app.XCB_APT in err and "README" in err


def test_qt_failing_to_load_xcb_is_followed_by_the_fix(capsys):
    """If Qt still cannot load the plugin, its own message is followed by the apt line."""
    app.filter_qt_messages(None, None, 'qt.qpa.plugin: Could not load the Qt platform plugin "xcb"')
    err = capsys.readouterr().err
    assert "Could not load" in err and app.XCB_APT in err
    app.filter_qt_messages(None, None, "some other warning")
    assert app.XCB_APT not in capsys.readouterr().err


def test_the_readme_gives_the_same_apt_line_under_the_heading_the_message_names():
    """The README's section exists under the name the message gives, with the very same line."""
    text = README.read_text(encoding="utf-8")
    assert "Linux: the libraries Qt needs" in text
    assert app.XCB_APT in text
