"""The colour-blind scheme keeps apart, under protanopia, deuteranopia and tritanopia, every pair
of colours a learner must tell apart; the standard scheme does not, which is why it exists.

Each colour is passed through Machado, Oliveira & Fernandes's (2009) matrix for the deficiency at
severity 1.0 (dichromacy), in linear RGB, and the pair is compared with CIEDE2000. Two patches side
by side are just told apart at about 1 (the JND that CIEDE2000 is scaled to); a thin line or a small
mark needs several times that to be noticed at all (Stone, Szafir & Setlur 2014, "An Engineering
Model for Color Difference as a Function of Size"). A learner must name the colour at a glance, not
notice it with effort, so categories (run colours, the cost plot's curves, the highlight against
the signs) must stay 15 apart, and the two signs, read on one-pixel edges, 20.
"""

from __future__ import annotations

import itertools

import pytest
from colour_math import DEFICIENCIES, ciede2000, ciede2000_lab, simulate
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from gui import colors
from gui.colors import PALETTES, SAFE, Palette, for_scheme
from gui.theme import apply_theme

SIGNS = 20.0  # CIEDE2000 between positive and negative, at full and at half strength
CATEGORIES = 15.0  # CIEDE2000 between any other two colours a learner must tell apart
VISIONS = ("normal", *DEFICIENCIES)


def seen(rgb, vision: str) -> tuple[int, int, int]:
    """Return ``rgb`` as a viewer with ``vision`` sees it."""
    return tuple(rgb) if vision == "normal" else simulate(rgb, vision)


def half(rgb, background) -> tuple[float, ...]:
    """Return a colour halfway from the canvas: how an edge at half strength is drawn."""
    return tuple((a + b) / 2 for a, b in zip(rgb, background))


def must_differ(p: Palette) -> list[tuple[str, tuple, tuple, float]]:
    """Return (what, colour, colour, least difference) for every pair the learner tells apart."""
    bg = p.background
    pairs = [
        ("positive / negative", p.positive, p.negative, SIGNS),
        ("half-strength edges", half(p.positive, bg), half(p.negative, bg), SIGNS),
        ("highlight / positive", p.highlight, p.positive, CATEGORIES),  # the correct digit's bar
        ("highlight / negative", p.highlight, p.negative, CATEGORIES),
        ("average / accuracy curves", p.accent, p.success, CATEGORIES),  # the cost plot
        ("average / batch curves", p.accent, p.muted, CATEGORIES),
        ("accuracy / batch curves", p.success, p.muted, CATEGORIES),
        ("positive / canvas", p.positive, bg, CATEGORIES),
        ("negative / canvas", p.negative, bg, CATEGORIES),
    ]
    s = p.series
    pairs += [(f"runs {i + 1} and {i + 2}", s[i], s[i + 1], CATEGORIES) for i in range(len(s) - 1)]
    pairs += [  # an experiment's usual three runs are on screen together
        (f"runs {i + 1} and {j + 1}", s[i], s[j], CATEGORIES)
        for i, j in itertools.combinations(range(3), 2)
    ]
    return pairs


def failures(p: Palette) -> list[str]:
    """Return each pair of ``p`` that some vision cannot tell apart, and by how little."""
    out = []
    for (what, a, b, least), vision in itertools.product(must_differ(p), VISIONS):
        difference = ciede2000(seen(a, vision), seen(b, vision))
        if difference < least:
            out.append(f"{p.name} {what} under {vision}: {difference:.1f} < {least:g}")
    return out


def test_the_colour_difference_is_ciede2000() -> None:
    """Sharma, Wu & Dalal's published test pairs (2005) come out as they print them."""
    for first, second, expected in [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
    ]:
        assert ciede2000_lab(first, second) == pytest.approx(expected, abs=1e-4)


def test_the_simulation_confuses_what_each_deficiency_confuses() -> None:
    """A red and a green far apart to normal vision meet for a protanope or a deuteranope, a blue
    and a green for a tritanope; grey stays grey."""
    for vision, a, b, close in [
        ("protanopia", (200, 60, 60), (20, 100, 60), 2),
        ("deuteranopia", (200, 60, 60), (70, 140, 50), 2),
        ("tritanopia", (40, 80, 200), (60, 120, 75), 15),
    ]:
        assert ciede2000(a, b) > 40
        assert ciede2000(simulate(a, vision), simulate(b, vision)) < close, vision
    for vision in DEFICIENCIES:
        assert simulate((128, 128, 128), vision) == pytest.approx((128, 128, 128), abs=1)


@pytest.mark.parametrize("theme", sorted(SAFE))
def test_the_colour_blind_scheme_keeps_every_pair_apart(theme) -> None:
    assert failures(SAFE[theme]) == []


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_the_standard_scheme_does_not(theme) -> None:
    """3Blue1Brown's red meets the highlight, the runs' orange their green: the scheme is needed."""
    found = failures(PALETTES[theme])
    assert any(vision in f for f in found for vision in DEFICIENCIES), found


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_choosing_the_scheme_recolours_what_views_paint_with(theme) -> None:
    """Signed images, edges' colours and the runs' colours all come from the chosen scheme."""
    app = QApplication.instance() or QApplication([])
    try:
        chosen = apply_theme(app, theme, "colour-blind")
        assert chosen == SAFE[theme] and colors.palette() is chosen
        lut = colors.signed_lut()
        assert tuple(lut[0, :3]) == chosen.negative and tuple(lut[-1, :3]) == chosen.positive
        runs = [colors.series_colour(i) for i in range(len(chosen.series) + 1)]
        assert runs[:-1] == list(chosen.series) and runs[-1] == runs[0]
        assert failures(chosen) == []
        assert apply_theme(app, theme, "standard") is PALETTES[theme]
    finally:
        apply_theme(app, "dark", "standard", "auto")


def test_sign_marks_follow_the_scheme_unless_chosen() -> None:
    """On in the colour-blind scheme, off in the standard one, either way when asked."""
    dark = PALETTES["dark"]
    assert for_scheme(dark, "colour-blind").sign_marks
    assert not for_scheme(dark, "standard").sign_marks
    assert for_scheme(dark, "standard", True).sign_marks
    assert not for_scheme(dark, "colour-blind", False).sign_marks
    assert for_scheme(dark, "colour-blind", False).negative == SAFE["dark"].negative


def test_the_preferences_dialog_sets_and_remembers_the_scheme(qtbot, tmp_path) -> None:
    """Chosen in Preferences, saved, read back as a restart reads it; marks follow the scheme."""
    from gui.window.preferences_dialog import (
        Preferences,
        PreferencesDialog,
        load_preferences,
        save_preferences,
    )

    dialog = PreferencesDialog(Preferences())
    qtbot.addWidget(dialog)
    assert not dialog.sign_marks.isChecked()
    dialog.colours.setCurrentIndex(dialog.colours.findData("colour-blind"))
    assert dialog.sign_marks.isChecked()  # on by default in that scheme
    prefs = dialog.preferences()
    assert (prefs.colours, prefs.sign_marks) == ("colour-blind", "auto")
    dialog.sign_marks.click()
    assert dialog.preferences().sign_marks == "off"
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    save_preferences(settings, dialog.preferences())
    settings.sync()
    again = load_preferences(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert (again.colours, again.sign_marks) == ("colour-blind", "off")
    reopened = PreferencesDialog(again)
    qtbot.addWidget(reopened)
    assert reopened.colours.currentData() == "colour-blind"
    assert not reopened.sign_marks.isChecked()


def test_a_foreign_stored_scheme_gives_the_standard_one(tmp_path) -> None:
    from gui.window.preferences_dialog import load_preferences

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("prefs/colours", "sepia")
    settings.setValue("prefs/sign_marks", "maybe")
    problems: list[str] = []
    prefs = load_preferences(settings, problems)
    assert (prefs.colours, prefs.sign_marks) == ("standard", "auto")
    assert len(problems) == 2


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_switching_recolours_the_compare_tabs_runs_at_once(qtbot, tiny_digits, theme) -> None:
    """Three kept runs take the scheme's first three colours the moment it is chosen."""
    from test_compare_legend import drawn_colours, many_runs

    from gui.runs.compare_panel import ComparePanel

    app = QApplication.instance()
    apply_theme(app, theme, "standard")
    try:
        panel = ComparePanel()
        qtbot.addWidget(panel)
        panel.resize(900, 560)
        panel.show()
        panel.set_runs(many_runs(tiny_digits, 3))
        assert drawn_colours(panel) == list(PALETTES[theme].series[:3])
        apply_theme(app, theme, "colour-blind")
        qtbot.waitUntil(lambda: drawn_colours(panel) == list(SAFE[theme].series[:3]))
    finally:
        apply_theme(app, "dark", "standard", "auto")


@pytest.mark.parametrize("theme", sorted(PALETTES))
def test_choosing_it_in_preferences_repaints_the_diagram_at_once(qtbot, tmp_path, theme) -> None:
    """The open window's diagram paints its colour bar and edges in the scheme just chosen."""
    from windows import open_window, rgb_pixels

    from gui.diagram.labels import legend_boxes
    from gui.window.preferences_dialog import Preferences, load_preferences

    app = QApplication.instance()
    window = open_window(qtbot, tmp_path / "s.ini")
    view = window.network_view
    try:
        for colours in ("standard", "colour-blind", "standard"):
            window.dialogs.apply_preferences(Preferences(theme=theme, colours=colours))
            expected = for_scheme(PALETTES[theme], colours)
            assert colors.palette() == expected

            def painted(expected=expected, colours=colours) -> bool:
                if view.scene() is None or view.diagram_layout() is None:
                    return False  # not painted yet: the window has only just opened
                image = view.grab().toImage()
                bar = legend_boxes(view.diagram_layout(), view.scene())[1]
                dpr = image.devicePixelRatio()
                left = rgb_pixels(image)[int((bar.top() + 2) * dpr), int((bar.left() + 1) * dpr)]
                styles = {pen.style() for ps in view.scene().buckets[1:] for pen, _l, _a in ps}
                dashed = Qt.PenStyle.CustomDashLine in styles
                return ciede2000(left, expected.negative) < 3 and dashed == (colours != "standard")

            qtbot.waitUntil(painted)  # a turn of the event loop: the palette-change events
        assert load_preferences(window.stored).colours == "standard"
    finally:
        window.close()
        apply_theme(app, "dark", "standard", "auto")


def test_runs_past_the_schemes_eight_colours_are_dashed(qtbot, tiny_digits) -> None:
    """The ninth and tenth runs share the first two's colours: their lines are dashed instead."""
    from test_compare_legend import many_runs

    from gui.runs.compare_panel import ComparePanel

    app = QApplication.instance()
    apply_theme(app, "dark", "colour-blind")
    try:
        panel = ComparePanel()
        qtbot.addWidget(panel)
        panel.resize(900, 560)
        panel.show()
        panel.set_runs(many_runs(tiny_digits, 10))
        panel.draw_now()
        pens = [panel._cost_items[r.serial].opts["pen"] for r in panel.runs]
        drawn = [(pen.color().getRgb()[:3], pen.style()) for pen in pens]
        assert len(set(drawn)) == 10  # no two runs look alike
        assert len({colour for colour, _style in drawn}) == 8
        assert [style != Qt.PenStyle.SolidLine for _c, style in drawn] == [False] * 8 + [True] * 2
    finally:
        apply_theme(app, "dark", "standard", "auto")
