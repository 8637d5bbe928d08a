"""A panel that scrolls up and down only (gui/vertical_scroll.py): never cut at the side."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.vertical_scroll import VerticalScrollArea


def column(rows: int, width: int) -> QWidget:
    """Return a widget of ``rows`` labels that needs at least ``width`` pixels."""
    widget = QWidget()
    layout = QVBoxLayout(widget)
    for i in range(rows):
        label = QLabel(f"row {i}")
        label.setMinimumHeight(30)
        layout.addWidget(label)
    wide = QWidget()  # the layout's least width is its widest row's
    wide.setMinimumWidth(width)
    layout.addWidget(wide)
    return widget


def needs(content: QWidget) -> int:
    """The least width of the content where it is (its widest row and its layout's margins)."""
    width = content.minimumSizeHint().width()
    assert width >= 200
    return width


def test_a_side_panel_keeps_room_for_its_scroll_bar_whether_or_not_it_shows(qtbot) -> None:
    content = column(2, 200)
    area = VerticalScrollArea(content)
    qtbot.addWidget(area)
    bar = area.verticalScrollBar().sizeHint().width()
    assert area.minimumSizeHint().width() == needs(content) + bar + 2 * area.frameWidth()


def test_a_page_asks_for_its_scroll_bar_only_while_one_shows(qtbot) -> None:
    content = column(20, 200)
    area = VerticalScrollArea(content, keep_bar=False)
    qtbot.addWidget(area)
    frame = 2 * area.frameWidth()
    area.resize(400, 2000)  # room for every row: no bar
    area.show()
    qtbot.waitExposed(area)
    qtbot.waitUntil(lambda: not area.verticalScrollBar().isVisible())
    assert area.minimumWidth() == needs(content) + frame
    area.resize(400, 150)  # too low: the bar shows, and its width is asked for
    bar = area.verticalScrollBar().sizeHint().width()
    qtbot.waitUntil(lambda: area.verticalScrollBar().isVisible())
    qtbot.waitUntil(lambda: area.minimumWidth() == needs(content) + bar + frame)
    assert content.width() >= needs(
        content
    )  # never narrower than it needs: nothing cut at the side
