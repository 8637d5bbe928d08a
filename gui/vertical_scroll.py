"""A panel that scrolls up and down only, and is always as wide as its content needs.

Horizontal scrolling is off in the window's side panels, so a vertical scroll bar that appears
(a short screen, or the guide sharing the pad's column) must not take its width from the content:
that cut the right end of the pad's buttons. This area's minimum width is its content's minimum
width plus the scroll bar and the frame, kept up to date when the content's needs change.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QWidget


class VerticalScrollArea(QScrollArea):
    """A scroll area around ``widget`` that never cuts it at the side."""

    def __init__(
        self, widget: QWidget, floor: int = 0, parent: QWidget | None = None, keep_bar: bool = True
    ) -> None:
        super().__init__(parent)
        self.floor = floor  # the least width it asks for, whatever its content
        # Keep the scroll bar's width even while no bar shows (a panel beside others), or ask
        # for it only while one shows (a page that rarely scrolls, in a narrow window).
        self.keep_bar = keep_bar
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.installEventFilter(self)
        self.verticalScrollBar().installEventFilter(self)  # its showing changes the width needed

    def content_width(self) -> int:
        """The width the content needs beside a vertical scroll bar, frame included."""
        widget = self.widget()
        need = widget.minimumSizeHint().width() if widget is not None else 0
        shown = self.keep_bar or self.verticalScrollBar().isVisible()
        bar = self.verticalScrollBar().sizeHint().width() if shown else 0
        return max(self.floor, need + bar + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.content_width(), super().minimumSizeHint().height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        changed = (watched is self.widget() and event.type() == QEvent.Type.LayoutRequest) or (
            watched is self.verticalScrollBar()
            and event.type() in (QEvent.Type.Show, QEvent.Type.Hide)
        )
        if changed:
            self.setMinimumWidth(self.content_width())  # the content's needs changed
        return super().eventFilter(watched, event)
