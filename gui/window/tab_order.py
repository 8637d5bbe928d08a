"""The window's Tab order: the panels in turn, each read top to bottom and left to right.

Qt's default order is the order the widgets were made in, which is not the order a learner reads
them: the step player's bar is made after the pad, the Compare tab after the guide's dock. The
panels come in this order: the side panel's training controls, the failure banner, the tab bar
and the page it shows, the drawing pad, the guide. Each panel keeps its own order within it (its
module sets that where the making order differs from the reading order); a hidden panel, or a
page of a tab not shown, is skipped by Tab.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QWidget

from gui.window.focus_chain import chain


def order_window(window: QMainWindow) -> list[QWidget]:
    """Chain the main window's panels: side panel, banner, tab bar and pages, pad, guide."""
    w = window
    player = w.playback.controls.tab_order  # its rows: Back, Play, Next, slider, Close; ...
    network_page = (w.network_view, player, w.cost_plot, w.batch_strip, w.timeline)
    e = w.explorer  # its header, its text on the left, then the diagram and the step's page
    explorer = ([e, e.back_button, e.next_button, e.side], e.content)
    pages = [w.tabs.widget(i) for i in range(w.tabs.count())]
    return chain(
        [
            [w.splitter.widget(0)],  # the scroll area of the training controls, then they
            w.controls.tab_order,  # the Train box first, though made after the fields
            w.banner,
            [w.tabs],  # itself (Tab gives its bar the focus), its pages after it
            *network_page,  # the player's bar right under the diagram, though made later
            *explorer,
            *pages,
            w.pad_dock,
            w.guide.dock,
        ]
    )
