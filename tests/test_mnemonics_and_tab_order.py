"""Alt keys and Tab's order (issue 26, part 4): the window is usable by keyboard alone.

For every page of the central tabs (every step of the explorer, the step player shown), with the
pad, the guide and the failure banner on screen:

- every shown button has an Alt key (an & in its text) unless the keyboard reaches what it does
  another way (a shortcut, or a menu of the menu bar: checked here, not assumed), it is one of a
  group Tab enters once and arrows move in, or no letter of its text is left (checked too);
- no two controls on screen share a letter, and none takes a menu bar's;
- Alt+letter really presses a few of them;
- Tab from the first control goes through the panels in turn (side panel, banner, tabs and the
  page shown, pad, guide), each read top to bottom and left to right, and reaches every control
  Tab can stop on. The check is a function, shown to catch a planted wrong order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenuBar,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid
from windows import open_window, shown_text

from engine.lessons.experiments import FAIR
from gui.diagram.neuron_panel import NeuronPanel
from gui.focus_chain import focus_taker, takes_tab

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
MAX_TABS = 400  # more stops than this in one round means Tab never comes back: a broken chain
SLACK = 2  # pixels two neighbours may overlap and still read as side by side or one under another


def mnemonic(text: str) -> str | None:
    """Return the letter an & marks in ``text`` (upper case), None if none (&& is a plain &)."""
    i = text.find("&")
    while 0 <= i < len(text) - 1:
        if text[i + 1] != "&":
            return text[i + 1].upper()
        i = text.find("&", i + 2)
    return None


def menu_bar_letters(bar: QMenuBar) -> set[str]:
    """Return the letters the menu bar's menus take (Alt+F opens File ...)."""
    return {m for m in (mnemonic(a.text()) for a in bar.actions()) if m}


def in_menu_bar(bar: QMenuBar, action: QAction) -> bool:
    """Return True if ``action`` is in a menu of the menu bar, at any depth."""
    menus = [a.menu() for a in bar.actions() if a.menu()]
    while menus:
        menu = menus.pop()
        for entry in menu.actions():
            if entry is action:
                return True
            if entry.menu():
                menus.append(entry.menu())
    return False


def keyboard_alternatives(window) -> dict[QAbstractButton, QAction]:
    """The buttons the keyboard reaches without an Alt key of their own, and the action that does
    what each does (the test checks that action has a shortcut or a place in the menu bar)."""
    player = window.playback.controls
    runs = window.runs
    full_speed = next(a for value, a in window.menus.speed_actions if value == 0)
    return {
        player.back_button: player.step_back_action,  # ,
        player.play_button: window.playback.action,  # P
        player.next_button: player.step_forward_action,  # .
        player.close_button: player.close_action,  # Esc
        player.export_button: player.export_gif_action,  # File > Export
        window.controls.full_speed: full_speed,  # Train > Speed > Full speed
        window.digit_panel.teach.undo_step_button: window.menus.undo_teach_action,  # Train
        window.banner.reset_button: window.menus.reset_action,  # R, Train > Reset
        runs.panel.run_button: runs.experiment_actions[runs.panel.experiment.currentData()],
    }


def no_letter_left(window) -> list[QAbstractButton]:
    """Buttons every letter of whose text is taken by a control that can be on screen with them
    (or by the menu bar): the test checks that this is still so."""
    compare = window.runs.panel
    return [
        window.digit_panel.teach.save_button,  # S A V E M Y D I G T
        window.banner.close_button,  # Dismiss: D I S M
        window.explorer.data_amount_page.train_button,  # T R A I N H E W O K S
        compare.remove_button,  # R E M O V
        compare.png_button,  # P N G
        compare.log_x,  # L O G X
        compare.log_y,  # L O G C S T
        compare.smooth,  # S M O T H
        compare.other_mode_button,  # Run again at the same settings / Run again, fair
    ]


def shown(widget: QWidget) -> bool:
    """Return True if ``widget`` is on screen (its window shown, no hidden parent or tab)."""
    return widget.isVisible()


def alt_keyed(window) -> list[tuple[QWidget, str]]:
    """Return the shown controls with an Alt key and their letters: buttons and buddy labels."""
    keyed = []
    for button in window.findChildren(QAbstractButton):
        letter = mnemonic(button.text())
        if letter and shown(button):
            keyed.append((button, letter))
    for label in window.findChildren(QLabel):
        letter = mnemonic(label.text())
        if letter and label.buddy() is not None and shown(label):
            keyed.append((label, letter))
    for box in window.findChildren(QGroupBox):
        letter = mnemonic(box.title())
        if letter and box.isCheckable() and shown(box):
            keyed.append((box, letter))
    return keyed


def mnemonic_problems(window) -> list[str]:
    """Return what breaks the Alt-key rules among the controls on screen now."""
    problems = []
    taken = menu_bar_letters(window.menuBar())
    owners: dict[str, QWidget] = {}
    for widget, letter in alt_keyed(window):
        name = f"{type(widget).__name__} {widget.text() if hasattr(widget, 'text') else ''!r}"
        if letter in taken:
            problems.append(f"{name} takes Alt+{letter}, a menu of the menu bar")
        elif letter in owners:
            other = owners[letter]
            problems.append(
                f"{name} and {type(other).__name__} {other.text()!r} share Alt+{letter}"
            )
        owners.setdefault(letter, widget)
    alternatives = keyboard_alternatives(window)
    left_out = no_letter_left(window)
    for button in window.findChildren(QAbstractButton):
        text = shown_text(button)
        if not shown(button) or not text or mnemonic(button.text()):
            continue
        action = button.defaultAction() if isinstance(button, QToolButton) else None
        action = action or alternatives.get(button)
        group = button.group()
        if action is not None:
            if action.shortcut().isEmpty() and not in_menu_bar(window.menuBar(), action):
                problems.append(f"{text!r}: its action {action.text()!r} has no key and no menu")
        elif isinstance(group, QButtonGroup) and group.exclusive():
            pass  # Tab enters the group once, at its chosen button; arrows move in it
        elif isinstance(button.parentWidget(), NeuronPanel):
            pass  # the neuron panel's close button: Esc closes it
        elif button in left_out:
            pass  # every letter of its text taken: see free_letters
        else:
            problems.append(f"{text!r} ({type(button).__name__}) has no Alt key")
    return problems


def free_letters(window) -> dict[QAbstractButton, set[str]]:
    """Return, for each shown button of ``no_letter_left``, the letters of its text that no
    control on screen and no menu of the menu bar takes now. A letter free on one page may be
    taken on another: a button shown on every page could take only a letter free on all."""
    used = menu_bar_letters(window.menuBar()) | {letter for _w, letter in alt_keyed(window)}
    return {
        button: {c.upper() for c in shown_text(button) if c.isascii() and c.isalpha()} - used
        for button in no_letter_left(window)
        if shown(button)
    }


def press(window, key: K, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """Press a key where the keyboard is: the focused widget, else the window."""
    QTest.keyClick(QApplication.focusWidget() or window, key, modifier)


def tab_round(window: QWidget, first: QWidget) -> list[QWidget]:
    """Focus ``first``, press Tab until the focus comes back to it; return where it went."""
    first.setFocus(Qt.FocusReason.TabFocusReason)
    start = QApplication.focusWidget()
    assert start is not None and (start is first or first.isAncestorOf(start)), start
    visited = [start]
    for _ in range(MAX_TABS):
        press(window, K.Key_Tab)
        focus = QApplication.focusWidget()
        if focus is start:
            return visited
        visited.append(focus)
    raise AssertionError(f"Tab did not come back to {start!r} in {MAX_TABS} presses")


def tab_stops(root: QWidget) -> set[QWidget]:
    """Return the widgets under ``root`` that Tab should stop on now (as the focus widget)."""
    stops = set()
    for widget in root.findChildren(QWidget):
        if takes_tab(widget) and widget.isVisible() and widget.isEnabled():
            stops.add(focus_taker(widget) or widget)
    return stops


def laid_out(widget: QWidget, root: QWidget) -> QRect:
    """Return ``widget``'s rectangle in ``root``'s coordinates as laid out, not as scrolled."""
    rect = QRect(0, 0, widget.width(), widget.height())
    while widget is not root and widget is not None:
        parent = widget.parentWidget()
        area = parent.parentWidget() if parent is not None else None
        scrolled = isinstance(area, QAbstractScrollArea) and parent is area.viewport()
        if not scrolled:  # a scroll area's content sits at minus the scrolled amount
            rect.translate(widget.pos())
        widget = parent
    return rect


def reads_after(a: QRect, b: QRect) -> bool:
    """Return True if ``b`` is read after ``a``: inside it (a panel, then its controls), on a
    later line, or to its right (on the same line, or the top of a column further right)."""
    return a.contains(b.topLeft()) or b.top() >= a.bottom() - SLACK or b.left() >= a.right() - SLACK


def tab_order_problems(
    round_: list[QWidget], panels: list[QWidget], root: QWidget, expected: Iterable[QWidget]
) -> list[str]:
    """Return what is wrong with a round of Tab: a stop missed or not expected, panels out of
    turn, or two neighbours in one panel out of reading order. ``panels`` are in their order;
    ``expected`` are the stops Tab should make (members of an exclusive button group: one)."""
    problems = []

    def name(w: QWidget) -> str:
        text = w.text() if isinstance(w, QAbstractButton) else w.objectName()
        return f"{type(w).__name__} {text!r}"

    expected = set(expected)
    grouped = {}
    for w in expected:
        group = w.group() if isinstance(w, QAbstractButton) else None
        if isinstance(group, QButtonGroup) and group.exclusive():
            grouped[w] = group
    for w in expected - set(round_):
        if w not in grouped or not any(grouped.get(v) is grouped[w] for v in round_):
            problems.append(f"Tab never reaches {name(w)}")
    problems += [f"Tab stops on {name(w)}, which is not shown" for w in set(round_) - expected]

    def panel_of(w: QWidget) -> int:
        return next((i for i, p in enumerate(panels) if p is w or p.isAncestorOf(w)), -1)

    turns = [panel_of(w) for w in round_]
    problems += [f"{name(w)} is in no panel" for w, turn in zip(round_, turns) if turn < 0]
    for (a, ta), (b, tb) in zip(zip(round_, turns), zip(round_[1:], turns[1:])):
        if tb < ta:
            problems.append(f"Tab goes back from panel {ta} ({name(a)}) to panel {tb} ({name(b)})")
        elif ta == tb and not reads_after(laid_out(a, root), laid_out(b, root)):
            problems.append(f"{name(b)} comes after {name(a)} but is read before it")
    return problems


# --- the planted fault: the check finds a wrong order in a small hand-made window -----------


def test_the_tab_order_check_catches_a_wrong_order_and_passes_a_right_one(qtbot):
    """Three buttons in a row and one under them, in two panels; Tab first goes right to left."""
    root = QWidget()
    qtbot.addWidget(root)
    top, bottom = QWidget(), QWidget()
    row = QHBoxLayout(top)
    a, b, c = QPushButton("A"), QPushButton("B"), QPushButton("C")
    for button in (a, b, c):
        row.addWidget(button)
    d = QPushButton("D")
    QVBoxLayout(bottom).addWidget(d)
    layout = QVBoxLayout(root)
    layout.addWidget(top)
    layout.addWidget(bottom)
    root.show()
    qtbot.waitExposed(root)
    root.activateWindow()
    qtbot.waitUntil(root.isActiveWindow, timeout=5000)
    for first, second in ((a, c), (c, b), (b, d)):  # the planted fault: C before B
        QWidget.setTabOrder(first, second)
    round_ = tab_round(root, a)
    assert round_ == [a, c, b, d]
    problems = tab_order_problems(round_, [top, bottom], root, [a, b, c, d])
    assert problems == ["QPushButton 'B' comes after QPushButton 'C' but is read before it"]
    QWidget.setTabOrder(d, b)  # D, in the second panel, before B of the first: out of turn
    QWidget.setTabOrder(b, a)
    round_ = tab_round(root, a)
    assert round_ == [a, c, d, b]
    problems = tab_order_problems(round_, [top, bottom], root, [a, b, c, d])
    assert any("goes back from panel 1" in p for p in problems), problems
    assert "Tab never reaches QPushButton 'D'" in tab_order_problems(round_[:2], [top], root, [d])
    for first, second in ((a, b), (b, c), (c, d)):  # the right order passes
        QWidget.setTabOrder(first, second)
    round_ = tab_round(root, a)
    assert round_ == [a, b, c, d]
    assert tab_order_problems(round_, [top, bottom], root, [a, b, c, d]) == []


def test_the_mnemonic_check_catches_a_shared_letter_and_a_menu_bar_letter(qtbot, tmp_path):
    """Planted: a second button with Alt+L (the pad's Clear) and one with Alt+F (File)."""
    window = ready_window(qtbot, tmp_path)
    assert mnemonic_problems(window) == []
    shared = QPushButton("&Look", window.banner)
    menu = QPushButton("&File it", window.banner)
    bare = QPushButton("No key", window.banner)
    for button in (shared, menu, bare):
        window.banner.layout().addWidget(button)
    qtbot.waitUntil(lambda: bare.isVisible(), timeout=5000)
    problems = mnemonic_problems(window)
    assert any("share Alt+L" in p for p in problems), problems
    assert any("takes Alt+F, a menu of the menu bar" in p for p in problems), problems
    assert "'No key' (QPushButton) has no Alt key" in problems


# --- the real window ---------------------------------------------------------------------------


def ready_window(qtbot, tmp_path) -> QMainWindow:
    """The window with everything that can be on screen together shown: the pad and the guide
    docks and the failure banner (its three buttons)."""
    window = open_window(qtbot, tmp_path / "s.ini")
    window.resize(window.DEFAULT_SIZE)  # the first launch's: each panel has its room
    qtbot.waitUntil(lambda: window.size() == window.DEFAULT_SIZE, timeout=5000)
    window.guide.dock.show()
    window.pad_dock.show()
    window.banner.show_failure("Training diverged (shown by the test).")
    window.activateWindow()
    qtbot.waitUntil(lambda: window.banner.reset_button.isVisible(), timeout=5000)
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # Alt keys work in the active window
    return window


def panels(window) -> list[QWidget]:
    """The window's panels in Tab's turn: side panel, banner, tabs (bar and page), pad, guide."""
    return [
        window.splitter.widget(0),
        window.banner,
        window.tabs,
        window.pad_dock,
        window.guide.dock,
    ]


def check_tab_round(window) -> list[str]:
    """Go once round the window with Tab from its first control; return what is wrong."""
    first = window.splitter.widget(0)  # the side panel, in its scroll area
    round_ = tab_round(window, first)
    return tab_order_problems(round_, panels(window), window, tab_stops(window))


def show_tab(qtbot, window, index: int) -> None:
    """Show the central tab ``index`` and wait until its page is on screen."""
    window.tabs.setCurrentIndex(index)
    page = window.tabs.widget(index)
    qtbot.waitUntil(page.isVisible, timeout=5000)


def sub_views(qtbot, window, index: int) -> Iterator[str]:
    """Show tab ``index``'s views in turn (each explorer step, each Mistakes-and-data tab) and
    yield a name for each while it is on screen."""
    page = window.tabs.widget(index)
    name = window.tabs.tabText(index)
    if page is window.explorer:
        qtbot.waitUntil(lambda: window.explorer.state is not None, timeout=10000)
        for step in range(1, len(window.explorer.pages) + 1):
            window.explorer.set_step(step)
            qtbot.waitUntil(window.explorer.stack.currentWidget().isVisible, timeout=5000)
            yield f"{name}, step {step}"
    elif page.isAncestorOf(window.insight):
        inner = window.insight.tabs
        for i in range(inner.count()):
            inner.setCurrentIndex(i)
            qtbot.waitUntil(inner.currentWidget().isVisible, timeout=5000)
            yield f"{name}, {inner.tabText(i)}"
    else:
        yield name


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # offscreen
def test_every_page_has_its_alt_keys_and_a_reading_tab_order(qtbot, tmp_path):
    """Each tab (each explorer step, the player shown), two guide stops, the pad and the banner."""
    window = ready_window(qtbot, tmp_path)
    guide = window.guide.panel
    compare = window.runs.panel
    checked = 0
    free: dict[QAbstractButton, set[str]] = {}  # letters free wherever the button was shown
    for index in range(window.tabs.count()):
        show_tab(qtbot, window, index)
        if window.tabs.widget(index) is compare:  # an experiment's findings offer Run again
            keys = [compare.experiment.itemData(i) for i in range(compare.experiment.count())]
            mode_matters = [k != "learning-rate" and not compare.names_data_sets(k) for k in keys]
            compare.experiment.setCurrentIndex(mode_matters.index(True))
            compare.set_findings(["a finding"], finished_mode=FAIR)
            qtbot.waitUntil(compare.other_mode_button.isVisible, timeout=5000)
        for view in sub_views(qtbot, window, index):
            for stop in (0, 1):  # Start here alone, then Show me, Try it and Reveal
                guide.set_stop(stop)
                assert mnemonic_problems(window) == [], (view, stop)
                for button, letters in free_letters(window).items():
                    free[button] = free.get(button, letters) & letters
                checked += 1
            assert check_tab_round(window) == [], view
    assert checked >= 2 * (2 + 12 + 3)  # Network, Compare, the explorer's steps, Mistakes'
    assert set(free) == set(no_letter_left(window))  # each was shown, and checked
    left = {shown_text(b): sorted(letters) for b, letters in free.items() if letters}
    assert left == {}, f"these could have an Alt key: {left}"


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # offscreen
def test_the_step_player_bar_has_its_keys_and_its_place_in_the_tab_order(qtbot, tmp_path):
    """Play one step: its bar's buttons are reached by keys, Tab goes through it after the
    diagram, and Alt+C ticks its Pause after each phase."""
    window = ready_window(qtbot, tmp_path)
    bar = window.playback.controls
    window.playback.action.trigger()  # P
    qtbot.waitUntil(bar.isVisible, timeout=20000)
    window.step_player.pause()
    assert mnemonic_problems(window) == []
    assert check_tab_round(window) == []
    window.splitter.widget(0).setFocus(Qt.FocusReason.TabFocusReason)
    was = bar.pause_box.isChecked()
    press(window, K.Key_C, ALT)  # "Pause after ea&ch phase"
    qtbot.waitUntil(lambda: bar.pause_box.isChecked() != was, timeout=5000)


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # offscreen
def test_alt_keys_press_their_buttons(qtbot, tmp_path):
    """Alt+X: the guide's Next; Alt+E and Alt+K: the explorer's Next and Back; Alt+Q: Equal
    steps; Alt+C: Recompute on the Mistakes tab; Alt+I: Add to my digits, with a drawing."""
    window = ready_window(qtbot, tmp_path)
    window.splitter.widget(0).setFocus(Qt.FocusReason.TabFocusReason)
    guide = window.guide.panel
    guide.set_stop(0)
    press(window, K.Key_X, ALT)
    qtbot.waitUntil(lambda: guide.index == 1, timeout=5000)

    explorer = window.explorer
    show_tab(qtbot, window, window.tabs.indexOf(explorer))
    qtbot.waitUntil(lambda: explorer.state is not None, timeout=10000)
    explorer.set_step(1)
    press(window, K.Key_E, ALT)
    qtbot.waitUntil(lambda: explorer.step() == 2, timeout=5000)
    press(window, K.Key_K, ALT)
    qtbot.waitUntil(lambda: explorer.step() == 1, timeout=5000)
    descent = explorer.descent_page
    explorer.set_step(explorer.pages.index(descent) + 1)
    qtbot.waitUntil(descent.equal_steps.isVisible, timeout=5000)
    with qtbot.waitSignal(descent.equal_steps.clicked, timeout=5000):
        press(window, K.Key_Q, ALT)

    insight = window.insight
    show_tab(qtbot, window, window.tabs.indexOf(insight.parentWidget().parentWidget()))
    insight.tabs.setCurrentIndex(0)
    qtbot.waitUntil(insight.recompute_button.isVisible, timeout=5000)
    with qtbot.waitSignal(insight.recompute_button.clicked, timeout=5000):
        press(window, K.Key_C, ALT)

    teach = window.digit_panel.teach
    press(window, K.Key_G, ALT)  # Load test di&git: a drawing
    window.digit_panel.label_group.button(3).click()
    qtbot.waitUntil(teach.add_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(teach.add_button.clicked, timeout=5000):
        press(window, K.Key_I, ALT)


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # offscreen
def test_new_class_names_keep_the_label_buttons_in_their_place_in_the_tab_order(qtbot, tmp_path):
    """Fashion's names make new "It is" buttons, which Qt would put last: Tab still reaches
    them between the pad's output chart and the Teach box's other buttons."""
    window = ready_window(qtbot, tmp_path)
    teach = window.digit_panel.teach
    old = teach.label_group.buttons()
    names = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat")
    names += ("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
    window.digit_panel.set_class_names(names)
    qtbot.waitUntil(lambda: not any(isValid(b) for b in old), timeout=5000)  # deleted
    assert [b.text() for b in teach.label_group.buttons()][0] == "T-shirt"
    assert check_tab_round(window) == []


@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")  # offscreen
@pytest.mark.parametrize("wide", [True, False])
def test_the_pad_reads_in_order_side_by_side_and_stacked(qtbot, tmp_path, wide):
    """The pad's dock made wide (outputs beside the pad) or narrow (outputs under it) while the
    window is open: every control is shown at once, and Tab goes through them as they are read.

    (Moved to another parent, a widget is hidden until Qt's queued call shows it again: widened,
    the dock had a moment without Clear, Undo and the output bars.)
    """
    from gui.pad.digit_panel import WIDE_PANEL

    window = ready_window(qtbot, tmp_path)
    pad = window.digit_panel
    for now_wide in (not wide, wide):  # from the other arrangement to this one
        width = WIDE_PANEL + 60 if now_wide else pad.minimumWidth() + 20
        window.resizeDocks([window.pad_dock], [width], Qt.Orientation.Horizontal)
        qtbot.waitUntil(lambda w=now_wide: pad.seen_label.isVisible() == w, timeout=5000)
    assert (pad.width() >= WIDE_PANEL) == wide
    for widget in (pad.pad, pad.clear_button, pad.undo_button, pad.loader_row, pad.output_plot):
        assert widget.isVisible(), type(widget).__name__
    assert check_tab_round(window) == []
