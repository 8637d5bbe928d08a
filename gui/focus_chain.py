"""Tab's order through widgets: which widgets Tab stops on, and chaining them in an order.

Qt's default order is the order the widgets were made in (a widget made later, such as a button
rebuilt for new class names, goes to the end of its window's order); these helpers set the order
a learner reads in instead. MainWindow._order_tab chains the window's panels with ``chain``; a
panel whose reading order differs from its making order links its own widgets with ``link``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QBoxLayout,
    QComboBox,
    QDockWidget,
    QGridLayout,
    QLayout,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)


def focus_taker(widget: QWidget) -> QWidget | None:
    """Return the widget Qt gives the focus to for ``widget``, None if it takes it itself.

    Read from the kinds of widget Qt makes compound (a tab widget's bar, a spin box's line edit,
    a scroll area's viewport), never through focusProxy(): PySide 6.11 then ties the scroll area
    it hands back to the viewport, and the scroll area's content is deleted with that object.
    """
    parent = widget.parentWidget()
    if isinstance(widget, QTabWidget):
        return widget.tabBar()
    if isinstance(widget, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox)):
        return parent
    if isinstance(parent, QAbstractScrollArea) and widget is parent.viewport():
        return parent
    return None


def takes_tab(widget: QWidget) -> bool:
    """Return True if Tab stops on ``widget``, as Qt decides it.

    A part of a compound widget (a spin box's line edit: its focus goes to the spin box) is no
    stop of its own. A compound widget (a tab widget: its focus goes to its tab bar) is the stop,
    and stands for its bar, which therefore is not a second one.
    """
    parent = widget.parentWidget()
    if isinstance(parent, QTabWidget) and widget is parent.tabBar():
        return False
    taker = focus_taker(widget)
    if taker is not None and taker.isAncestorOf(widget):
        return False
    return bool((taker or widget).focusPolicy() & Qt.FocusPolicy.TabFocus)


def stops(root: QWidget) -> list[QWidget]:
    """Return ``root`` (if Tab stops on it) and its descendants Tab stops on, in reading order:
    depth first, each widget's children in the order its layout places them (a grid's by row,
    then column), a splitter's, stack's or tab widget's in theirs, and any others after.

    Qt's child lists are no such order (a splitter's widget added second may be its first child),
    and its focus ring must not be walked from Python (nextInFocusChain): with PySide 6.11 the
    widgets it hands back are tied to the ones asked, and some are deleted with them later.
    """
    window = root.window()  # not a popup's (a combo box's list, a button's menu)
    found: list[QWidget] = []
    seen: set[QWidget] = set()
    todo = [root]
    while todo:
        widget = todo.pop()
        if widget in seen:
            continue
        seen.add(widget)
        if takes_tab(widget):
            found.append(widget)
        inside = [c for c in _placed(widget) if c.window() is window and c not in seen]
        todo += reversed(inside)
    return found


def _placed(widget: QWidget) -> list[QWidget]:
    """Return ``widget``'s child widgets: those it places in order first, then the others."""
    if isinstance(widget, (QSplitter, QStackedWidget, QTabWidget)):
        placed = [widget.widget(i) for i in range(widget.count())]
    elif isinstance(widget, (QScrollArea, QDockWidget)):
        placed = [widget.widget()]
    elif widget.layout() is not None:
        placed = _in_layout(widget.layout())
    else:
        placed = []
    placed = [w for w in placed if w is not None]
    return placed + [c for c in widget.children() if isinstance(c, QWidget) and c not in placed]


def _in_layout(layout: QLayout) -> list[QWidget]:
    """Return the widgets of ``layout`` and its inner layouts, in the order they are shown."""
    items = [layout.itemAt(i) for i in range(layout.count())]
    if isinstance(layout, QGridLayout):
        where = {id(item): layout.getItemPosition(i)[:2] for i, item in enumerate(items)}
        items.sort(key=lambda item: where[id(item)])
    elif isinstance(layout, QBoxLayout) and layout.direction() in (
        QBoxLayout.Direction.RightToLeft,
        QBoxLayout.Direction.BottomToTop,
    ):
        items.reverse()
    widgets: list[QWidget] = []
    for item in items:
        if item.widget() is not None:
            widgets.append(item.widget())
        elif item.layout() is not None:
            widgets += _in_layout(item.layout())
    return widgets


def chain(parts: Iterable[QWidget | Sequence[QWidget]]) -> list[QWidget]:
    """Make Tab go through ``parts`` in turn; return the widgets.

    A part is a widget, with its descendants in the order of ``stops``, or a sequence of widgets
    in the order given (a panel whose reading order differs from its widgets' order).
    """
    widgets: list[QWidget] = []
    for part in parts:
        found = stops(part) if isinstance(part, QWidget) else list(part)
        widgets += [w for w in found if w not in widgets]
    return link(widgets)


def link(widgets: Sequence[QWidget]) -> list[QWidget]:
    """Make Tab go from each of ``widgets`` to the next, in the order given; return them."""
    widgets = list(widgets)
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)
    return widgets
