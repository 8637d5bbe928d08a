"""Every text on its background reads at WCAG AA (4.5:1) in both themes and both colour schemes:
the Qt palette's roles, the colours views write text in on every canvas, the labels on the
highlight and the failure banner, and every colour a live window's style sheets set."""

from __future__ import annotations

import re

import pytest
from colour_math import contrast
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget
from windows import open_window

from gui import colors
from gui.colors import PALETTES, SAFE, Palette
from gui.theme import apply_theme, qt_palette

AA = 4.5  # WCAG 2.x, 1.4.3: normal-size text
NON_TEXT = 3.0  # WCAG 2.x, 1.4.11: lines and marks that carry meaning
ALL = {f"{p.name} {p.scheme}": p for p in [*PALETTES.values(), *SAFE.values()]}
TEXT_ROLES = ("text", "dim", "highlight", "positive", "negative", "success", "faint")
R = QPalette.ColorRole
QT_PAIRS = [
    (R.WindowText, R.Window),
    (R.Text, R.Base),
    (R.Text, R.AlternateBase),
    (R.ButtonText, R.Button),
    (R.ToolTipText, R.ToolTipBase),
    (R.HighlightedText, R.Highlight),
    (R.PlaceholderText, R.Base),
    (R.Link, R.Base),
    (R.Link, R.Window),
]


def rgb(colour) -> tuple[int, int, int]:
    """Return an (r, g, b) tuple for a QColor, a "#rrggbb" string or a tuple."""
    if isinstance(colour, tuple):
        return colour
    c = QColor(colour)
    return c.red(), c.green(), c.blue()


def canvases(p: Palette) -> dict[str, tuple[int, int, int]]:
    """Return every ground text is written on: the views' canvas and panel, the window's."""
    return {
        "background": p.background,
        "panel": p.panel,
        "window": rgb(p.window),
        "base": rgb(p.base),
    }


def text_pairs(p: Palette) -> list[tuple[str, tuple, tuple]]:
    """Return (what, text, ground) for every text colour of ``p`` on every ground."""
    pairs = [
        (f"{role} on {name}", getattr(p, role), ground)
        for role in TEXT_ROLES
        for name, ground in canvases(p).items()
    ]
    qp = qt_palette(p)
    pairs += [
        (f"Qt {fg.name} on {bg.name}", rgb(qp.color(fg)), rgb(qp.color(bg))) for fg, bg in QT_PAIRS
    ]
    pairs += [
        ("label on the highlight (guide, Teach it)", p.on_highlight, p.highlight),
        ("failure banner", colors.FAILURE_TEXT, colors.FAILURE_BACKGROUND),
        ("pad hint", colors.PAD_HINT, colors.NO_INK),
    ]
    return pairs


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_text_reads_on_its_ground(name) -> None:
    p = ALL[name]
    low = [
        f"{what}: {contrast(fg, bg):.2f}" for what, fg, bg in text_pairs(p) if contrast(fg, bg) < AA
    ]
    assert low == []


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_line_that_carries_meaning_stands_out(name) -> None:
    """Curves, edges, rings and the runs' colours: 3:1 against the canvas (WCAG 1.4.11)."""
    p = ALL[name]
    marks = {
        "accent": p.accent,
        **{f"run {i + 1}": c for i, c in enumerate(p.series)},
    }
    if p.scheme == "colour-blind":  # the standard runs' twelve colours keep their older bar
        low = [k for k, c in marks.items() if contrast(c, p.background) < NON_TEXT]
    else:
        low = [k for k in ("accent",) if contrast(marks[k], p.background) < NON_TEXT]
    assert low == []


STYLE = re.compile(r"(?<![-\w])(color|background(?:-color)?)\s*:\s*(#[0-9a-fA-F]{6})")


def sheet_pairs(window) -> list[tuple[str, tuple, tuple]]:
    """Return (widget, text, ground) for every style sheet in the window that sets a text colour.

    The ground is the sheet's own background, or else the window's.
    """
    app = QApplication.instance()
    window_ground = rgb(app.palette().color(QPalette.ColorRole.Window))
    out = []
    for widget in [window, *window.findChildren(QWidget)]:
        sheet = widget.styleSheet()
        if not sheet:
            continue
        found: dict[str, str] = {}
        for prop, value in STYLE.findall(sheet):
            found.setdefault("color" if prop == "color" else "background", value)
        if "color" in found:
            ground = rgb(found["background"]) if "background" in found else window_ground
            out.append(
                (f"{type(widget).__name__} {widget.objectName()!r}", rgb(found["color"]), ground)
            )
    return out


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("scheme", ["standard", "colour-blind"])
def test_every_style_sheet_in_the_window_reads(qtbot, tmp_path, theme, scheme) -> None:
    app = QApplication.instance()
    apply_theme(app, theme, scheme)
    try:
        window = open_window(qtbot, tmp_path / "s.ini")
        window.timeline.set_kept_count(3, ["a", "b", "c"])
        window.timeline.set_position(0)  # the scrubbed moment's label, in the highlight colour
        pairs = []
        for stop in range(6):  # the guide's highlighted control gets its style sheet
            window.guide.show(stop)
            app.processEvents()
            pairs += sheet_pairs(window)
        kinds = {what.split()[0] for what, _fg, _bg in pairs}
        assert {"FailureBanner", "NeuronPanel", "QPushButton", "QComboBox"} <= kinds, kinds
        low = [f"{w}: {contrast(fg, bg):.2f}" for w, fg, bg in pairs if contrast(fg, bg) < AA]
        assert low == []
        window.close()
    finally:
        apply_theme(app, "dark", "standard")
