"""Generic layout checks over a window's widget tree: no sideways scrolling, nothing cut off.

Used in-process by tests/test_layout.py and, for the 2x scale factor (which must be set before
the QApplication exists), from a subprocess that runs ``python tests/layout_checks.py``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollBar,
    QStatusBar,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QTableView,
    QToolBar,
    QToolButton,
    QWidget,
)

from gui.explorer.steps import N_STEPS

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


SLACK = 1  # pixels of rounding a text may overrun its box by


def text_width(widget: QWidget, text: str) -> int:
    """Return the pixels the widest line of ``text`` takes in the widget's font (& marks a key)."""
    return widget.fontMetrics().size(Qt.TextFlag.TextShowMnemonic, text).width()


def button_cut(button: QAbstractButton) -> str | None:
    """Return why a button's text does not fit inside it, or None if it fits."""
    text = button.text()
    if not text or (
        isinstance(button, QToolButton)
        and button.toolButtonStyle() == (Qt.ToolButtonStyle.ToolButtonIconOnly)
    ):
        return None
    need = text_width(button, text)
    if not button.icon().isNull():
        need += button.iconSize().width() + 4
    style = button.style()
    if isinstance(button, (QPushButton, QCheckBox, QRadioButton)):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        element = {
            QPushButton: QStyle.SubElement.SE_PushButtonContents,
            QCheckBox: QStyle.SubElement.SE_CheckBoxContents,
            QRadioButton: QStyle.SubElement.SE_RadioButtonContents,
        }[next(t for t in (QPushButton, QCheckBox, QRadioButton) if isinstance(button, t))]
        room = style.subElementRect(element, option, button).width()
    else:
        room = button.contentsRect().width() - 6  # a tool button's margins
    if need > room + SLACK:
        return f"text needs {need} px but has {room}"
    if button.fontMetrics().height() > button.height() + SLACK:
        return f"text is {button.fontMetrics().height()} px tall in {button.height()}"
    return None


def label_cut(label: QLabel) -> str | None:
    """Return why a label's text does not fit inside it, or None if it fits.

    A one-line label must be as wide as its text; a wrapping one as wide as its longest word
    and as tall as its wrapped lines. Qt's own hint is asked for, so a label that overrides
    its minimum size to be squeezed (and elides its text) is caught too.
    """
    if not label.text():
        return None
    need = QLabel.minimumSizeHint(label)  # the text's own need, not a subclass's override
    if need.width() > label.width() + SLACK:
        return f"text needs {need.width()} px but has {label.width()}"
    if label.wordWrap():
        tall = label.heightForWidth(label.width())
        if tall > label.height() + SLACK:
            return f"wrapped text needs {tall} px of height but has {label.height()}"
    elif need.height() > label.height() + SLACK:
        return f"text needs {need.height()} px of height but has {label.height()}"
    return None


def table_cut(table: QTableView) -> Iterator[str]:
    """Yield each column narrower than its cells or header, and rows whose headers are cut."""
    model = table.model()
    if model is None:
        return
    header = table.horizontalHeader()
    for column in range(model.columnCount()):
        if table.isColumnHidden(column):
            continue
        width = table.columnWidth(column)
        cells = table.sizeHintForColumn(column)
        title = header.sectionSizeFromContents(column).width() if header.isVisible() else 0
        name = model.headerData(column, Qt.Orientation.Horizontal)
        if cells > width + SLACK:
            yield f"column {column} ({name!r}) is {width} px but its cells need {cells}"
        if title > width + SLACK:
            yield f"column {column}'s header {name!r} needs {title} px but has {width}"
    rows = table.verticalHeader()
    if rows.isVisible():
        for row in range(model.rowCount()):
            need = rows.sectionSizeFromContents(row).width()
            if need > rows.width() + SLACK:
                name = model.headerData(row, Qt.Orientation.Vertical)
                yield f"row header {name!r} needs {need} px but has {rows.width()}"
    if header.length() > table.viewport().width() + SLACK and not (
        table.horizontalScrollBar().isVisible()
    ):
        yield f"columns take {header.length()} px in a {table.viewport().width()} px table"


def _overlap(a: QRectF, b: QRectF) -> bool:
    """Return True if two rectangles share more than a pixel's rounding."""
    r = a.intersected(b)
    return r.width() > SLACK and r.height() > SLACK


def _inside(inner: QRectF, outer: QRectF) -> bool:
    """Return True if ``inner`` lies in ``outer``, give or take a pixel's rounding."""
    return outer.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(inner)


def _text_rect(item) -> QRectF:
    """Return the scene rectangle of a QGraphicsTextItem's text, without its document margin."""
    inset = item.document().documentMargin()
    return item.mapRectToScene(item.boundingRect().adjusted(inset, inset, -inset, -inset))


def tick_label_rects(axis) -> list[tuple[QRectF, str]]:
    """Return the scene rectangle and text of every tick label the axis draws now."""
    image = QImage(4, 4, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        if axis.style["tickFont"] is not None:
            painter.setFont(axis.style["tickFont"])
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    return [(axis.mapRectToScene(rect), text) for rect, _flags, text in specs[2]]


def plot_cut(view: QGraphicsView) -> Iterator[str]:
    """Yield what a pyqtgraph chart shows cut or run together.

    The plot no wider or taller than its view; axis captions and tick labels whole and apart;
    text labels on the chart inside its plotting area and apart; a legend inside the view and
    off the lines drawn in it.
    """
    import pyqtgraph as pg
    from PySide6.QtWidgets import QGraphicsWidget

    scene = view.scene()
    if scene is None:
        return
    seen = QRectF(view.mapToScene(view.viewport().rect()).boundingRect())
    # pyqtgraph maps its view's range and places its labels just before each paint of the chart
    # (sigPrepareForPaint): a chart below a scrolled panel's fold, not painted yet, holds old
    # places until scrolled to. Check the places that paint will give.
    scene.prepareForPaint()
    for item in scene.items():
        if item.parentItem() is None and isinstance(item, QGraphicsWidget) and item.isVisible():
            r = item.sceneBoundingRect()
            if r.width() > seen.width() + SLACK or r.height() > seen.height() + SLACK:
                yield (
                    f"{type(item).__name__} is {r.width():.0f}x{r.height():.0f} px in a "
                    f"{seen.width():.0f}x{seen.height():.0f} px view"
                )
    for axis in (i for i in scene.items() if isinstance(i, pg.AxisItem) and i.isVisible()):
        where = axis.orientation
        if axis.label.isVisible() and axis.label.toPlainText().strip():
            caption = _text_rect(axis.label)
            if not _inside(caption, seen):
                yield f"{where} axis caption {axis.label.toPlainText()!r} is cut by the view"
        ticks = tick_label_rects(axis)
        along = (lambda r: r.left()) if where in ("bottom", "top") else (lambda r: r.top())
        ticks.sort(key=lambda t: along(t[0]))
        for (a, ta), (b, tb) in zip(ticks, ticks[1:]):
            if _overlap(a, b):
                yield f"{where} axis tick labels {ta!r} and {tb!r} run together"
        for rect, text in ticks:
            if not _inside(rect, seen):
                yield (
                    f"{where} axis tick label {text!r} at {rect.getRect()} is cut by the view "
                    f"{seen.getRect()}"
                )
    texts = [
        i
        for i in scene.items()
        if isinstance(i, pg.TextItem) and i.isVisible() and (i.textItem.toPlainText().strip())
    ]
    for i, a in enumerate(texts):
        rect = _text_rect(a.textItem)
        box = a.getViewBox()
        if box is not None and not _inside(rect, box.sceneBoundingRect()):
            yield (
                f"chart label {a.textItem.toPlainText()!r} at {rect.getRect()} is outside its "
                f"plot {box.sceneBoundingRect().getRect()}"
            )
        for b in texts[i + 1 :]:
            if _overlap(rect, _text_rect(b.textItem)):
                yield (
                    f"chart labels {a.textItem.toPlainText()!r} and "
                    f"{b.textItem.toPlainText()!r} overlap"
                )
    for legend in (i for i in scene.items() if isinstance(i, pg.LegendItem) and i.isVisible()):
        rect = legend.sceneBoundingRect()
        if not legend.items:
            continue
        if not _inside(rect, seen):
            yield "legend is cut by the view"
        box = legend.parentItem()
        if isinstance(box, pg.ViewBox):
            covered = _points_under(box, rect)
            if covered:
                yield f"legend covers {covered} points of the lines drawn under it"


def _points_under(box, rect: QRectF) -> int:
    """Return how many points of the view box's lines (segments filled in) lie in ``rect``."""
    import numpy as np
    import pyqtgraph as pg

    from gui.explorer.widgets import along_lines

    lines = []
    for item in box.addedItems:
        if isinstance(item, pg.PlotDataItem) and item.isVisible():
            xs, ys = item.getData()
            if xs is not None and len(xs):
                lines.append((xs, ys))
    xs, ys = along_lines(*lines)
    count = 0
    for x, y in zip(xs, ys):
        if np.isfinite(x) and np.isfinite(y):
            count += rect.contains(box.mapViewToScene(QPointF(float(x), float(y))))
    return count


def status_cut(bar: QStatusBar) -> str | None:
    """Return why the status bar's passing message is cut, or None if it is whole.

    Qt paints the message between the bar's left edge (6 px) and the first permanent widget
    shown (2 px before it).
    """
    message = bar.currentMessage()
    if not message:
        return None
    right = bar.width() - 12
    for child in bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if child.isVisible() and child.x() > 0:
            right = min(right, child.x() - 2)
    room = right - 6
    need = bar.fontMetrics().horizontalAdvance(message)
    if need > room + SLACK:
        return f"status message {message[:40]!r}... needs {need} px but has {room}"
    return None


def window_cut(window: QWidget) -> str | None:
    """Return why the window reaches past its screen, or None if it lies within it."""
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()  # at 2x a window manager's frame may round a pixel over
    if not screen.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(frame):
        return f"window {frame.getRect()} reaches past the screen {screen.getRect()}"
    return None


def text_problems(window: QWidget) -> Iterator[str]:
    """Yield every text a learner sees cut: in buttons, labels, tables, charts, the status bar."""
    for button in window.findChildren(QAbstractButton):
        if _shown(button) and not isinstance(button.parentWidget(), QStatusBar):
            why = button_cut(button)
            if why:
                yield f"{_name(button)} is too small: {why}"
    for label in window.findChildren(QLabel):
        if _shown(label):
            why = label_cut(label)
            if why:
                yield f"{_name(label)[:90]} is too small: {why}"
    for table in window.findChildren(QTableView):
        if _shown(table) and cut_off(table):
            yield f"{_name(table)} at {full_rect(table).getRect()} is cut off"
        if _shown(table):
            for why in table_cut(table):
                yield f"table {_name(table)}: {why}"
    for view in window.findChildren(QGraphicsView):
        if _shown(view):
            for why in plot_cut(view):
                yield f"chart {_name(view)}: {why}"
    for bar in window.findChildren(QStatusBar):
        if bar.isVisible():
            why = status_cut(bar)
            if why:
                yield why
    if window.isWindow():
        why = window_cut(window)
        if why:
            yield why


def settle(process, condition=lambda: True, timeout: float = 60.0) -> None:
    """Process events until ``condition()`` holds and every widget has stopped moving.

    ``process(seconds)`` runs the event loop for about that long. Raises TimeoutError with
    what was waited for if the condition or the layout does not settle within ``timeout``.
    """
    import time

    from PySide6.QtWidgets import QApplication
    from shiboken6 import getCppPointer

    end = time.perf_counter() + timeout
    last = None
    moving = ""
    while True:
        process(0.02)
        if condition():
            shown = {getCppPointer(w)[0]: w for w in QApplication.allWidgets() if w.isVisible()}
            now = {key: w.geometry().getRect() for key, w in shown.items()}
            if now == last:
                return
            if last is not None:
                moved = [_name(shown[k]) for k in now if k in last and now[k] != last[k]]
                moving = f"; moving: {moved[:6]}"
            last = now
        else:
            last = None
        if time.perf_counter() > end:
            raise TimeoutError(
                f"the window did not settle: {getattr(condition, '__doc__', '')}{moving}"
            )


def all_problems(window) -> Iterator[str]:
    """Yield the generic problems and the text problems of the window as it is now."""
    yield from problems(window)
    yield from text_problems(window)


def walk(window, process, shoot=None) -> Iterator[str]:
    """Yield the problems on every tab and every explorer step, prefixed with where they are.

    ``process(seconds)`` runs the event loop; after each change the walk waits for the views to
    settle (the explorer's background pictures made, every widget still), never a fixed time.
    ``shoot(name)``, if given, is called on every view once settled (to save a picture of it).
    """
    shoot = shoot or (lambda name: None)
    tabs = window.tabs
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
        settle(process)
        if tabs.currentWidget() is window.tabs.widget(1):
            for step in range(1, N_STEPS + 1):
                window.explorer.set_step(step)

                def drawn(step=step) -> bool:
                    """the explorer's step and its picture"""
                    return window.explorer.step() == step and not window.explorer.busy()

                settle(process, drawn)
                shoot(f"step{step:02d}")
                for problem in all_problems(window):
                    yield f"explorer step {step}: {problem}"
            continue
        shoot(f"tab{index}")
        for problem in all_problems(window):
            yield f"tab {tabs.tabText(index)!r}: {problem}"


def screen_environment(
    width: int, height: int, scale: int, folder: str, manager: bool = True
) -> dict[str, str]:
    """Return an environment whose offscreen screen is width x height.

    With a window manager (``manager``) a desktop panel and a title bar take DESKTOP_CHROME
    pixels and the window is maximised; without one the window gets the whole screen to
    open on and is not maximised (as under a bare X server).
    """
    config = os.path.join(folder, f"screen-{width}x{height}-{int(manager)}.json")
    tall = height - DESKTOP_CHROME if manager else height
    screen = {"name": "test", "x": 0, "y": 0, "width": width, "height": tall}
    screen.update(logicalDpi=96, logicalBaseDpi=96, dpr=1)
    with open(config, "w") as f:
        json.dump({"screens": [screen]}, f)
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    env.pop("QT_SCALE_FACTOR", None)
    env["LAYOUT_MANAGER"] = "1" if manager else "0"
    if scale != 1:
        env["QT_SCALE_FACTOR"] = str(scale)
    return env


def _main() -> int:
    """Open the window as a launch would, train one epoch, walk it, and print its problems as JSON.

    LAYOUT_THEME picks the theme ("dark" or "light"); LAYOUT_MANAGER=0 opens the window
    unmaximised, as under a bare X server; LAYOUT_SHOTS names a folder for a PNG of each view.
    With LAYOUT_SETTINGS the settings persist in that INI file (a second launch restores them);
    with LAYOUT_GEOMETRY="x,y,w,h" the window is put there and closed without a walk.
    """
    import tempfile
    import time

    from PySide6.QtCore import QEventLoop, QSettings
    from PySide6.QtWidgets import QApplication

    from engine.session.worker import PAUSED
    from gui.theme import apply_theme
    from gui.window.main_window import MainWindow

    app = QApplication([])
    apply_theme(app, os.environ.get("LAYOUT_THEME", "dark"))

    def process(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while True:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
            if time.perf_counter() >= end:
                return
            time.sleep(0.002)

    with tempfile.TemporaryDirectory() as folder:
        path = os.environ.get("LAYOUT_SETTINGS") or os.path.join(folder, "s.ini")
        window = MainWindow(QSettings(path, QSettings.Format.IniFormat))
        window.confirm = lambda title, text: True
        if os.environ.get("LAYOUT_MANAGER") == "0":  # no window manager maximises it
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMaximized)
        window.show()

        def loaded() -> bool:
            """the first network and the data"""
            return window.worker.latest_snapshot() is not None and window.data is not None

        settle(process, loaded)
        classes = os.environ.get("LAYOUT_CLASSES")  # "fashion" or "three": named classes
        if classes:
            named = named_classes(window.data, classes)
            window.worker.load_data(lambda: named)
            if named.n_classes != 10:
                from engine.core.network import NetworkConfig

                window.worker.reset(NetworkConfig(sizes=(784, 16, 16, named.n_classes)))

            def relabelled() -> bool:
                """the named data and a network with one output per class"""
                snap = window.worker.latest_snapshot()
                return window.data is named and snap.sizes[-1] == named.n_classes

            settle(process, relabelled)
        found: list[str] = []
        geometry = os.environ.get("LAYOUT_GEOMETRY")
        trained_s = 0.0
        if geometry:
            window.showNormal()
            window.setGeometry(QRect(*(int(v) for v in geometry.split(","))))
            settle(process)
        else:
            started = time.perf_counter()
            window.worker.set_speed(0)
            window.worker.step_epoch()

            def trained() -> bool:
                """one epoch trained, measured and drawn"""
                return (
                    window.record.history.epochs.n >= 1
                    and window.worker.state == PAUSED
                    and window.cost_plot.test_accuracy.n >= 1
                    and window.feed.shown_serial == window.worker.snapshot_serial
                )

            settle(process, trained, timeout=120)
            trained_s = time.perf_counter() - started
            window.digit_panel.load_test_digit(0)
            settle(process)
            shots = os.environ.get("LAYOUT_SHOTS")  # a folder for a picture of every view

            def shoot(name: str) -> None:
                if shots:
                    window.grab().save(os.path.join(shots, f"{name}.png"))

            if os.environ.get("LAYOUT_PRESENT") == "only":  # present mode alone, on this screen
                found += list(present_problems(window, process, shoot))
                return _report(window, found, started, trained_s)
            found += list(walk(window, process, shoot))  # as a first launch: the guide open
            # A first launch shares the pad's column with the guide, where the pad scrolls up and
            # down (the walk above allows that, never sideways). The pad's own promise (outputs,
            # Teach row and Teach result in full view) is for its column alone: the guide closed.
            window.guide.dock.hide()
            settle(process)
            found += [f"pad: {p}" for p in pad_problems(window, process)]
            found += [f"diagram: {p}" for p in diagram_problems(window.network_view)]
            found += [f"slow motion: {p}" for p in slow_motion_problems(window, process)]
            found += list(present_problems(window, process, shoot))
        return _report(window, found, started if not geometry else None, trained_s)
    return 0


def _report(window, found: list[str], started: float | None, trained_s: float = 0.0) -> int:
    """Print the walk's report as JSON, close the window and return the exit status."""
    import time

    from PySide6.QtWidgets import QApplication

    report = {
        "problems": found,
        "ratio": window.devicePixelRatioF(),
        "screen": window.screen().availableGeometry().getRect(),
        "window": window.frameGeometry().getRect(),
        "maximized": window.isMaximized(),
    }
    if started is not None:
        report["seconds"] = {"train": trained_s, "all": time.perf_counter() - started}
    window.close()
    QApplication.processEvents()
    print(json.dumps(report))
    return 0


def named_classes(data, kind: str):
    """Return ``data`` with Fashion-MNIST's ten names ("fashion"), or its digits 0, 1 and 2
    alone named with long words ("three"), to check that class names fit every view."""
    from dataclasses import replace

    from engine.data.datasets import Dataset, MnistData

    if kind == "fashion":
        from engine.data.catalog import FASHION

        return replace(data, class_names=FASHION.class_names)

    def part(d: Dataset) -> Dataset:
        keep = d.labels < 3
        return Dataset(d.images[keep], d.labels[keep], d.name)

    names = ("Hummingbird", "Salamander", "Caterpillar")
    return MnistData(part(data.train), part(data.test), "three", names)


PRESENT_CHOICES = (  # what a teacher may show in present mode, walked one set at a time
    ("caption",),
    ("caption", "controls"),
    ("caption", "pad"),
    ("explorer", "caption"),  # its page scrolls up and down on a 720p projector, never squashes
    ("explorer", "caption", "controls"),
)


def present_problems(window, process, shoot=lambda name: None) -> Iterator[str]:
    """Yield the faults of present mode (F11) for each set of panels in PRESENT_CHOICES, on each
    tab and explorer step it shows; and any change to the normal layout after leaving it (Esc).
    """
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    window.tabs.setCurrentIndex(0)
    settle(process)
    before = _normal_layout(window)
    present = window.present
    window.menus.present_action.trigger()

    def presenting() -> bool:
        """present mode, full screen"""
        return present.is_active() and window.isFullScreen()

    for n, choices in enumerate(PRESENT_CHOICES):
        for name in ("controls", "pad", "explorer", "caption"):
            present.set_shows(name, name in choices)
        settle(process, presenting)
        tabs = window.tabs
        for index in (i for i in range(tabs.count()) if tabs.isTabVisible(i)):
            tabs.setCurrentIndex(index)
            settle(process)
            explorer = tabs.widget(index) is window.explorer
            for step in range(1, N_STEPS + 1) if explorer else [None]:
                where = f"tab {tabs.tabText(index)!r}"
                if step is not None:
                    window.explorer.set_step(step)

                    def drawn(step=step) -> bool:
                        """the explorer's step and its picture"""
                        return window.explorer.step() == step and not window.explorer.busy()

                    settle(process, drawn)
                    where = f"explorer step {step}"
                shoot(f"present{n}-{index}-{step or 0}")
                for problem in all_problems(window):
                    yield f"present with {'+'.join(choices)}, {where}: {problem}"
            tabs.setCurrentIndex(0)
            settle(process)
            for problem in diagram_problems(window.network_view):
                yield f"present with {'+'.join(choices)}, diagram: {problem}"
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Escape)
    settle(process, lambda: not present.is_active())
    after = _normal_layout(window)
    for key, value in before.items():
        if after[key] != value:
            yield f"after present mode the normal layout's {key} is {after[key]}, was {value}"


def _normal_layout(window) -> dict:
    """Return what the normal layout is made of: the window, its splitters, docks and tabs."""
    return {
        "window": window.geometry().getRect(),
        "docks": [
            (d.windowTitle(), d.isVisible(), d.geometry().getRect())
            for d in window.findChildren(QDockWidget)
        ],
        "toolbars": [t.isVisible() for t in window.findChildren(QToolBar)],
        "splitter": window.splitter.sizes(),
        "middle": window.middle.sizes(),
        "tabs": [window.tabs.isTabVisible(i) for i in range(window.tabs.count())],
        "font": window.font().toString(),
    }


def slow_motion_problems(window, process) -> Iterator[str]:
    """Yield what goes wrong while training in slow motion with a step playing (P).

    The batch strip and the player's bar both appear under the diagram; the window must not
    grow past the screen for them.
    """
    from gui.settings import SLOW_MOTION

    window.tabs.setCurrentIndex(0)
    window.set_speed(SLOW_MOTION)
    window.worker.train_until_paused()
    settle(process, lambda: window.record.state == "running")
    window.play_step_action.trigger()

    def playing() -> bool:
        """the step player showing its story"""
        return window.step_player.is_active()

    settle(process, playing)
    shots = os.environ.get("LAYOUT_SHOTS")
    if shots:
        window.grab().save(os.path.join(shots, "slow-motion.png"))
    yield from all_problems(window)
    window.step_player.close()
    window.pause()
    settle(process, lambda: window.record.state != "running")


TEACH_IN_VIEW = 1366  # from this screen width (1366x768 up) Teach it's result needs no scrolling


def pad_problems(window, process=None) -> Iterator[str]:
    """Yield faults of the pad dock: the ten outputs and the Teach row must be in full view.

    With ``process`` (the event loop), one Teach-it step is taken too; its result (the sentence,
    the nudges and the before/after bars) must then be in view without scrolling, on a screen
    TEACH_IN_VIEW pixels wide or more (device-independent).
    """
    window.tabs.setCurrentIndex(0)
    panel = window.digit_panel
    for widget in (panel.output_plot, *panel.label_group.buttons(), panel.teach.step_button):
        if not widget.isVisible():
            yield f"{_name(widget)} is hidden"
        elif visible_rect(widget) != full_rect(widget):
            yield f"{_name(widget)} is cut off"
    if process is None:
        return
    box = panel.teach
    panel.select_label(0)
    box.step_button.click()
    settle(process, lambda: box.change_plot.isVisible() and box.undo_step_button.isEnabled())
    shots = os.environ.get("LAYOUT_SHOTS")
    if shots:
        window.grab().save(os.path.join(shots, "teach.png"))
    for problem in all_problems(window):
        yield f"after Teach it: {problem}"
    if window.screen().geometry().width() < TEACH_IN_VIEW:
        return
    for widget in (box.result_label, box.nudge_plot, box.change_plot):
        if visible_rect(widget) != full_rect(widget):
            yield f"the Teach-it result's {_name(widget)[:60]} is not in view without scrolling"


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
