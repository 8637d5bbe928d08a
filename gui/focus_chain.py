"""Tab's order through widgets: which widgets Tab stops on, and chaining them in an order.

Qt's default order is the order the widgets were made in (a widget made later, such as a button
rebuilt for new class names, goes to the end of its window's order); these helpers set the order
a learner reads in instead. See gui/window/tab_order.py for the window's panels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget


def deepest_proxy(widget: QWidget) -> QWidget | None:
    """Return the widget that takes the focus for ``widget`` (None if it takes it itself)."""
    proxy = widget.focusProxy()
    while proxy is not None and proxy.focusProxy() is not None:
        proxy = proxy.focusProxy()
    return proxy


def takes_tab(widget: QWidget) -> bool:
    """Return True if Tab stops on ``widget``, as Qt decides it.

    A part of a compound widget (a spin box's line edit: its focus goes to the spin box) is no
    stop of its own. A compound widget (a tab widget: its focus goes to its tab bar) is the stop,
    and stands for its proxy, which therefore is not a second one.
    """
    proxy = deepest_proxy(widget)
    if proxy is not None and proxy.isAncestorOf(widget):
        return False
    if not (proxy or widget).focusPolicy() & Qt.FocusPolicy.TabFocus:
        return False
    owner = widget.parentWidget()
    while owner is not None:
        if deepest_proxy(owner) is widget:
            return False
        owner = owner.parentWidget()
    return True


def in_focus_order(root: QWidget) -> list[QWidget]:
    """Return ``root`` (if Tab stops on it) and its descendants Tab stops on, in Tab's order now."""
    found = [root] if takes_tab(root) else []
    widget = root.nextInFocusChain()
    while widget is not root and widget is not None:
        if root.isAncestorOf(widget) and takes_tab(widget):
            found.append(widget)
        widget = widget.nextInFocusChain()  # the chain is a ring: it comes back to root
    return found


def chain(parts: Iterable[QWidget | Sequence[QWidget]]) -> list[QWidget]:
    """Make Tab go through ``parts`` in turn; return the widgets.

    A part is a widget, with its descendants in their present order, or a sequence of widgets
    in the order given (a panel whose order its place in Qt's ring could turn round).
    """
    widgets: list[QWidget] = []
    for part in parts:
        found = in_focus_order(part) if isinstance(part, QWidget) else list(part)
        widgets += [w for w in found if w not in widgets]
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)
    return widgets


def stop_before(widget: QWidget, skip: Iterable[QWidget] = ()) -> QWidget | None:
    """Return the nearest widget before ``widget`` in Tab's order that Tab stops on."""
    skipped = set(skip)
    before = widget.previousInFocusChain()
    while before is not None and before is not widget:
        if takes_tab(before) and before not in skipped:
            return before
        before = before.previousInFocusChain()
    return None
