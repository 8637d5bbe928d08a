"""Generic layout checks over a window's widget tree: no sideways scrolling, nothing cut off.

Used in-process by tests/test_layout.py and, for the 2x scale factor (which must be set before
the QApplication exists), from a subprocess that runs ``python tests/layout_checks.py``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QScrollBar,
    QTabBar,
    QWidget,
)

from gui.explorer.text import N_STEPS

# Screens as (width, height, scale factor); the window gets the screen less a desktop panel and a
# title bar, as a maximised window would.
SCREENS = ((1280, 720, 1), (1366, 768, 1), (1920, 1080, 1), (2560, 1440, 2))  # 720p: projectors
DESKTOP_CHROME = 56  # a 28-pixel panel and a 28-pixel title bar
CONTROLS = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit)
MIN_CHART_HEIGHT = 110  # a chart any shorter than this cannot be read


def window_size(width: int, height: int, scale: int) -> tuple[int, int]:
    """Return the window's size in device-independent pixels on a screen of width x height."""
    return width // scale, height // scale - DESKTOP_CHROME


def _shown(widget: QWidget) -> bool:
    """Return True if the widget is visible and not a scroll bar's or tab bar's own part."""
    if not widget.isVisible() or isinstance(widget, QScrollBar):
        return False
    parent = widget.parentWidget()
    return not isinstance(parent, (QScrollBar, QTabBar))


def visible_rect(widget: QWidget) -> QRect:
    """Return the part of the window the widget may paint in: its rect clipped by every parent."""
    window = widget.window()
    rect = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    parent = widget.parentWidget()
    while parent is not None:
        origin = parent.mapTo(window, parent.rect().topLeft()) if parent is not window else None
        clip = QRect(origin, parent.size()) if origin is not None else window.rect()
        rect = rect.intersected(clip)
        if parent is window:
            break
        parent = parent.parentWidget()
    return rect


def full_rect(widget: QWidget) -> QRect:
    """Return the widget's whole rect in window coordinates."""
    return QRect(widget.mapTo(widget.window(), widget.rect().topLeft()), widget.size())


def _name(widget: QWidget) -> str:
    """Describe a widget for a failure message."""
    text = ""
    for attr in ("text", "title", "windowTitle"):
        value = getattr(widget, attr, None)
        if callable(value):
            try:
                text = str(value())
            except TypeError:
                continue
            if text:
                break
    chain = []
    w: QWidget | None = widget
    while w is not None and len(chain) < 4:
        chain.append(w.objectName() or type(w).__name__)
        w = w.parentWidget()
    return f"{type(widget).__name__} {text!r} in {'/'.join(chain)}"


def _scroll_viewport(widget: QWidget) -> QRect | None:
    """Return the viewport of the scroll area around the widget if it scrolls up and down."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.verticalScrollBar().isVisible():
            return visible_rect(parent.viewport())
        parent = parent.parentWidget()
    return None


def cut_off(widget: QWidget) -> bool:
    """Return True if part of the widget cannot be seen, even by scrolling up or down."""
    whole, seen = full_rect(widget), visible_rect(widget)
    if seen == whole and widget.window().rect().contains(whole):
        return False
    viewport = _scroll_viewport(widget)
    if viewport is not None:  # below the fold of a scrolling panel: reachable, if not sideways
        return whole.left() < viewport.left() or whole.right() > viewport.right()
    return True


def problems(window: QWidget) -> Iterator[str]:
    """Yield every layout fault visible now: sideways scroll bars, controls cut off or outside.

    Labels (an explanation, step 6's caption) must be whole too. A control, label or chart
    below the fold of a panel that scrolls up and down counts as reachable;
    one cut at the side, or under a panel that does not scroll, does not.
    """
    for area in window.findChildren(QAbstractScrollArea):
        if area.isVisible() and area.horizontalScrollBar().isVisible():
            yield f"horizontal scroll bar on {_name(area)}"
    for widget in window.findChildren(QWidget):
        if _shown(widget) and isinstance(widget, CONTROLS) and cut_off(widget):
            yield f"{_name(widget)} at {full_rect(widget).getRect()} is cut off"
    for label in window.findChildren(QLabel):
        if _shown(label) and label.text() and cut_off(label):
            yield f"{_name(label)[:90]} at {full_rect(label).getRect()} is cut off"
    for view in window.findChildren(QGraphicsView):
        if not _shown(view) or type(view).__module__.startswith("PySide6"):
            continue
        if cut_off(view):
            yield f"chart {_name(view)} at {full_rect(view).getRect()} is cut off"
        elif view.height() < MIN_CHART_HEIGHT:
            yield f"chart {_name(view)} is only {view.height()} pixels tall"


def walk(window, qtbot_wait) -> Iterator[str]:
    """Yield the problems on every tab and every explorer step, prefixed with where they are."""
    tabs = window.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        qtbot_wait()
        if tabs.currentWidget() is window.tabs.widget(1):
            for step in range(1, N_STEPS + 1):
                window.explorer.set_step(step)
                qtbot_wait()
                for _ in range(400):  # steps 9-11 make their picture in the background
                    if not window.explorer.busy():
                        break
                    qtbot_wait()
                qtbot_wait()  # the panel makes room for the sentence that came with it
                for problem in problems(window):
                    yield f"explorer step {step}: {problem}"
            continue
        for problem in problems(window):
            yield f"tab {tabs.tabText(index)!r}: {problem}"


def screen_environment(width: int, height: int, scale: int, folder: str) -> dict[str, str]:
    """Return an environment whose offscreen screen is width x height (less the desktop chrome)."""
    config = os.path.join(folder, f"screen-{width}x{height}.json")
    screen = {"name": "test", "x": 0, "y": 0, "width": width, "height": height - DESKTOP_CHROME}
    screen.update(logicalDpi=96, logicalBaseDpi=96, dpr=1)
    with open(config, "w") as f:
        json.dump({"screens": [screen]}, f)
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    env.pop("QT_SCALE_FACTOR", None)
    if scale != 1:
        env["QT_SCALE_FACTOR"] = str(scale)
    return env


def _main() -> int:
    """Open the window as a launch would, walk it, and print its problems as JSON.

    With LAYOUT_SETTINGS the settings persist in that INI file (a second launch restores them);
    with LAYOUT_GEOMETRY="x,y,w,h" the window is put there and closed without a walk.
    """
    import tempfile
    import time

    from PySide6.QtCore import QRect, QSettings
    from PySide6.QtWidgets import QApplication

    from gui.main_window import MainWindow

    app = QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        path = os.environ.get("LAYOUT_SETTINGS") or os.path.join(folder, "s.ini")
        window = MainWindow(QSettings(path, QSettings.Format.IniFormat))
        window.confirm = lambda title, text: True
        window.show()

        def wait(seconds: float = 0.15) -> None:
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                app.processEvents()
                time.sleep(0.005)

        end = time.perf_counter() + 20
        while window.worker.latest_snapshot() is None and time.perf_counter() < end:
            wait(0.05)
        found: list[str] = []
        geometry = os.environ.get("LAYOUT_GEOMETRY")
        if geometry:
            window.showNormal()
            window.setGeometry(QRect(*(int(v) for v in geometry.split(","))))
            wait(0.3)
        else:
            window.digit_panel.load_test_digit(0)
            wait(0.5)
            found += list(walk(window, wait))
            found += [f"pad: {p}" for p in pad_problems(window)]
            found += [f"diagram: {p}" for p in diagram_problems(window.network_view)]
        report = {
            "problems": found,
            "ratio": window.devicePixelRatioF(),
            "screen": window.screen().availableGeometry().getRect(),
            "window": window.frameGeometry().getRect(),
            "maximized": window.isMaximized(),
        }
        window.close()
        app.processEvents()
    print(json.dumps(report))
    return 0


def pad_problems(window) -> Iterator[str]:
    """Yield faults of the pad dock: the ten outputs and the Teach row must be in full view."""
    window.tabs.setCurrentIndex(0)
    panel = window.digit_panel
    for widget in (panel.output_plot, *panel.label_group.buttons(), panel.teach.step_button):
        if not widget.isVisible():
            yield f"{_name(widget)} is hidden"
        elif visible_rect(widget) != full_rect(widget):
            yield f"{_name(widget)} is cut off"


def diagram_problems(view) -> Iterator[str]:
    """Yield overlapping or cut header labels and legend lines of the network diagram."""
    boxes = view.header_boxes()
    area = view.rect()
    for i, a in enumerate(boxes):
        if not area.contains(a.toAlignedRect()):
            yield f"header label {i} at {a.getRect()} is outside the diagram {area.getRect()}"
        for j, b in enumerate(boxes[i + 1 :], start=i + 1):
            if a.intersects(b):
                yield f"header labels {i} and {j} overlap: {a.getRect()} {b.getRect()}"
    for box in view.legend_boxes():
        if not area.contains(box.toAlignedRect()):
            yield f"legend text at {box.getRect()} is cut by the diagram {area.getRect()}"


if __name__ == "__main__":
    sys.exit(_main())
