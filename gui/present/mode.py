"""Projector mode: full screen, every font 1.5x, thick lines, and only the panels chosen.

``PresentMode`` is built from the widgets it drives (``PresentWidgets``), never the whole window's
logic. Entering keeps the normal layout (window state and geometry, docks, splitters, tabs, fonts)
and leaving puts it back exactly; present mode's own layout (its splitter sizes and docks) and
its choices of what shows are remembered apart, under the ``present/`` settings keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolBar,
    QWidget,
)

from gui.present.caption import PresentCaption
from gui.present.fonts import FONT_SCALE, FontScaler

FULL = Qt.WindowState.WindowFullScreen
DIAGRAM_SHARE = 0.55  # of the height the diagram and the cost plot share, before any is dragged
THICKNESS = 2.0  # edges and rings drawn twice as thick: a projector washes out thin lines
CHOICES = {  # what may show in present mode: its settings key (gui/settings.py) and menu text
    "controls": ("present/controls", "Show the &training controls"),
    "pad": ("present/pad", "Show the drawing &pad"),
    "explorer": ("present/explorer", "Show the backprop &explorer's page"),
    "caption": ("present/caption", "Show the &guide's stop as a caption"),
}
STATE_KEY, SPLITTER_KEY, MIDDLE_KEY = "present/state", "present/splitter", "present/middle"
NETWORK_TAB, EXPLORER_TAB = 0, 1  # the diagram and cost plot; the explorer


@dataclass(frozen=True)
class PresentWidgets:
    """The widgets present mode drives: the window, its splitters, tabs, docks and diagram."""

    window: QMainWindow
    splitter: QSplitter  # the controls' panel beside the tabs
    middle: QSplitter  # the diagram over the cost plot
    tabs: QTabWidget
    pad_dock: QDockWidget
    guide_dock: QDockWidget
    guide: QObject  # the guide's panel: ``index``, ``stop`` and ``stop_changed``
    diagram: QWidget  # the network view: ``set_thickness`` and ``set_zoom``
    cost_plot: QWidget  # ``set_thickness``: its lines as thick as the diagram's edges
    stop_count: int = 1
    extras: tuple[QWidget, ...] = ()  # hidden in present mode (history slider, batch strip)


@dataclass
class _Layout:
    """What the normal layout was when present mode began."""

    state: QByteArray
    geometry: QByteArray
    rect: QRect  # where the normal (not maximised) window was
    window_state: Qt.WindowState
    size: QSize
    splitter: QByteArray
    middle: QByteArray
    tabs: list[bool]
    current: int
    hidden: dict[str, bool] = field(default_factory=dict)
    policies: list[QSizePolicy] = field(default_factory=list)  # each tab page's
    widths: dict[str, tuple[int, int]] = field(default_factory=dict)


class PresentMode(QObject):
    """Enters and leaves projector mode from a checkable action (F11) or Esc."""

    def __init__(self, widgets: PresentWidgets, action: QAction, menu: QMenu, settings) -> None:
        super().__init__(widgets.window)
        self.views = widgets
        self.settings = settings
        self.action = action
        self.fonts = FontScaler(widgets.window, FONT_SCALE)
        self._normal: _Layout | None = None
        self._pending: tuple[QSize, object] | None = None  # splitters to set once resized
        self.caption = PresentCaption()
        centre = widgets.tabs.parentWidget().layout()
        centre.insertWidget(centre.indexOf(widgets.tabs), self.caption)
        widgets.guide.stop_changed.connect(self._show_stop)
        self._show_stop()
        self.choice_actions: dict[str, QAction] = {}
        for name, (key, text) in CHOICES.items():
            choice = menu.addAction(text)
            choice.setCheckable(True)
            choice.setChecked(bool(settings.value(key)))
            choice.toggled.connect(lambda on, k=key: self._on_choice_toggled(k, on))
            self.choice_actions[name] = choice
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), widgets.window)
        self.escape.setEnabled(False)
        self.escape.activated.connect(lambda: action.setChecked(False))
        self._charts = QTimer(self)  # charts fill in as views change: their new fonts follow
        self._charts.setInterval(500)
        self._charts.timeout.connect(self.fonts.scale_charts)
        action.setCheckable(True)
        action.toggled.connect(self.set_presenting)
        widgets.window.installEventFilter(self)

    def is_active(self) -> bool:
        """Return True while the window is in present mode."""
        return self._normal is not None

    def shows(self, name: str) -> bool:
        """Return True if present mode shows ``name`` (a key of CHOICES)."""
        return self.choice_actions[name].isChecked()

    def set_shows(self, name: str, on: bool) -> None:
        """Choose whether present mode shows ``name`` (remembered for the next time)."""
        self.choice_actions[name].setChecked(on)

    def set_presenting(self, on: bool) -> None:
        """Enter present mode (True) or go back to the normal layout (False)."""
        if on and not self.is_active():
            self._enter()
        elif not on and self.is_active():
            self._leave()
        if self.action.isChecked() != on:
            self.action.setChecked(on)

    def leave(self) -> None:
        """Go back to the normal layout, if presenting (the window calls it before closing)."""
        self.set_presenting(False)

    def _show_stop(self, *_args) -> None:
        """Show the guide's current stop in the caption."""
        guide = self.views.guide
        self.caption.set_stop(guide.index, self.views.stop_count, guide.stop.title)

    def _side(self) -> QWidget:
        return self.views.splitter.widget(0)

    def _enter(self) -> None:
        """Keep the normal layout, then go full screen with large fonts and the chosen panels."""
        v, win = self.views, self.views.window
        tabs = v.tabs
        self._normal = _Layout(
            state=win.saveState(),
            geometry=win.saveGeometry(),
            rect=win.geometry(),
            window_state=win.windowState(),
            size=win.size(),
            splitter=v.splitter.saveState(),
            middle=v.middle.saveState(),
            tabs=[tabs.isTabVisible(i) for i in range(tabs.count())],
            current=tabs.currentIndex(),
            policies=[QSizePolicy(tabs.widget(i).sizePolicy()) for i in range(tabs.count())],
            hidden={
                "side": self._side().isHidden(),
                "status": win.statusBar().isHidden(),
                "tab_bar": tabs.tabBar().isHidden(),
                **{f"extra{i}": x.isHidden() for i, x in enumerate(v.extras)},
            },
        )
        self.escape.setEnabled(True)
        win.setMinimumSize(1, 1)  # full screen whatever the panels ask: the checks find any cut
        win.setWindowState(win.windowState() | Qt.WindowState.WindowFullScreen)
        self.fonts.apply()
        self.caption.fit_font(win.font())
        v.diagram.set_thickness(THICKNESS)
        v.cost_plot.set_thickness(THICKNESS)
        v.diagram.set_zoom(FONT_SCALE)  # its words as large as the rest
        state = self.settings.value(STATE_KEY)
        if isinstance(state, QByteArray):
            win.restoreState(state)
        self._apply_choices()
        win.statusBar().hide()
        for extra in v.extras:
            extra.hide()
        self._charts.start()
        self._when_sized(win.screen().geometry().size(), self._restore_present_splitters)

    def _apply_choices(self) -> None:
        """Show what the teacher chose and hide the rest."""
        v = self.views
        tabs = v.tabs
        side = self._side()
        side.setVisible(self.shows("controls"))
        if self.shows("controls") and side.widget() is not None:
            self._widen(side, "side", side.widget().minimumSizeHint().width() + 4)
        v.pad_dock.setVisible(self.shows("pad"))
        if self.shows("pad"):
            pad = v.pad_dock.widget()
            self._widen(pad, "pad", pad.minimumSizeHint().width())
        v.guide_dock.hide()  # its stop shows as the caption
        self.caption.setVisible(self.shows("caption"))
        shown = {NETWORK_TAB} | ({EXPLORER_TAB} if self.shows("explorer") else set())
        if tabs.currentIndex() not in shown:
            tabs.setCurrentIndex(NETWORK_TAB)
        ignored = QSizePolicy.Policy.Ignored
        for i in range(tabs.count()):
            tabs.setTabVisible(i, i in shown)
            page = tabs.widget(i)  # a page not shown must not widen the window past the screen
            policy = self._normal.policies[i]
            page.setSizePolicy(policy if i in shown else QSizePolicy(ignored, ignored))
        tabs.tabBar().setVisible(len(shown) > 1)
        for bar in v.window.findChildren(QToolBar):  # the View menu has the edge modes
            bar.hide()

    def _widen(self, widget: QWidget, name: str, need: int) -> None:
        """Let ``widget`` be as wide as its larger text needs; its widths come back on leaving."""
        widths = self._normal.widths
        widths.setdefault(name, (widget.minimumWidth(), widget.maximumWidth()))
        widget.setMinimumWidth(max(widths[name][0], need))
        widget.setMaximumWidth(max(widths[name][1], need))

    def _restore_present_splitters(self) -> None:
        """Give present mode the splitter sizes it had last time (the controls at least whole)."""
        for key, splitter in ((SPLITTER_KEY, self.views.splitter), (MIDDLE_KEY, self.views.middle)):
            state = self.settings.value(key)
            if isinstance(state, QByteArray):
                splitter.restoreState(state)
            elif splitter is self.views.middle:  # the first time: most of the height to the diagram
                total = sum(splitter.sizes())
                splitter.setSizes(
                    [round(DIAGRAM_SHARE * total), round((1 - DIAGRAM_SHARE) * total)]
                )
        side, splitter = self._side(), self.views.splitter
        if side.isVisible() and splitter.sizes()[0] < side.minimumWidth():
            total = sum(splitter.sizes())
            splitter.setSizes([side.minimumWidth(), max(total - side.minimumWidth(), 1)])

    def _leave(self) -> None:
        """Remember present mode's layout, then put the normal one back exactly."""
        v, win, normal = self.views, self.views.window, self._normal
        self.settings.setValue(STATE_KEY, win.saveState())
        self.settings.setValue(SPLITTER_KEY, v.splitter.saveState())
        self.settings.setValue(MIDDLE_KEY, v.middle.saveState())
        self._charts.stop()
        self.escape.setEnabled(False)
        self._normal = None
        self._pending = None
        self.fonts.restore()
        v.diagram.set_thickness(1.0)
        v.cost_plot.set_thickness(1.0)
        v.diagram.set_zoom(1.0)
        self.caption.hide()
        self.caption.setFont(QFont())  # its large font is present mode's alone
        tabs = v.tabs
        for i, visible in enumerate(normal.tabs):
            tabs.setTabVisible(i, visible)
            page = tabs.widget(i)
            page.setSizePolicy(normal.policies[i])
            # A page that lays itself out on resize (the explorer) does so again for the
            # normal fonts, or its present-mode minimum would widen the window.
            QCoreApplication.sendEvent(page, QResizeEvent(page.size(), page.size()))
        tabs.setCurrentIndex(normal.current)
        tabs.tabBar().setHidden(normal.hidden["tab_bar"])
        self._side().setHidden(normal.hidden["side"])
        win.statusBar().setHidden(normal.hidden["status"])
        for i, extra in enumerate(v.extras):
            extra.setHidden(normal.hidden[f"extra{i}"])
        win.setMinimumSize(0, 0)  # the layout's minimum again (the window sets none of its own)
        for name, widget in (("side", self._side()), ("pad", v.pad_dock.widget())):
            if name in normal.widths:
                widget.setMinimumWidth(normal.widths[name][0])
                widget.setMaximumWidth(normal.widths[name][1])
        win.setWindowState(normal.window_state)
        if not normal.window_state & (Qt.WindowState.WindowMaximized | FULL):
            win.restoreGeometry(normal.geometry)
        win.restoreState(normal.state)

        def splitters() -> None:
            layout_request = QEvent.Type.LayoutRequest  # the normal fonts' sizes, laid out
            QCoreApplication.sendPostedEvents(None, layout_request)
            if not win.windowState() & (Qt.WindowState.WindowMaximized | FULL):
                win.setGeometry(normal.rect)
            win.restoreState(normal.state)  # docks in pixels of the window's own size
            v.splitter.restoreState(normal.splitter)
            v.middle.restoreState(normal.middle)

        self._when_sized(normal.size, splitters)
        QTimer.singleShot(0, self, splitters)  # again once the normal fonts' sizes are laid out

    def _when_sized(self, size: QSize, apply) -> None:
        """Run ``apply`` now, and again when the window reaches ``size`` (a window manager's
        resize comes later): splitter sizes are in pixels of the final window."""
        apply()
        self._pending = None if self.views.window.size() == size else (size, apply)

    def _on_choice_toggled(self, key: str, on: bool) -> None:
        """Remember the teacher's choice, and show it at once if presenting."""
        self.settings.setValue(key, on)
        if self.is_active():
            self._apply_choices()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Set the splitters again once the window has the size they were kept for."""
        if (
            watched is self.views.window
            and event.type() == QEvent.Type.Resize
            and self._pending is not None
            and self.views.window.size() == self._pending[0]
        ):
            _size, apply = self._pending
            self._pending = None
            apply()
        return False
