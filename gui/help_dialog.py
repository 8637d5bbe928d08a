"""Help inside the app: a getting-started path in the video's order, the keys, and where to read on.

The keyboard table is built from the window's own actions, so it lists exactly the shortcuts
that work, never a stale copy.
"""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QTextBrowser, QVBoxLayout

VIDEO_URL = "https://www.youtube.com/watch?v=Ilg3gGewQ5U"
VIDEO_TITLE = "What is backpropagation really doing? (Deep learning, chapter 3)"
SERIES_URL = "https://www.3blue1brown.com/topics/neural-networks"
SERIES_TITLE = "But what is a neural network? (3Blue1Brown's series)"
BOOK_URL = "http://neuralnetworksanddeeplearning.com/chap2.html"
BOOK_TITLE = "How the backpropagation algorithm works (Michael Nielsen, chapter 2)"
LINKS = ((VIDEO_URL, VIDEO_TITLE), (SERIES_URL, SERIES_TITLE), (BOOK_URL, BOOK_TITLE))

GETTING_STARTED = """<h3>Getting started: the video's path, one step at a time</h3>
<ol>
<li><b>Watch it learn.</b> Press <b>Run</b> (Space). The network of the video, 784-16-16-10,
trains for the epochs set in <i>Run for</i> (5 to start) at a speed you can follow, then pauses
and tests itself. The cost plot falls; the test accuracy (green, right axis) climbs.
<b>Full speed</b> is one click away.</li>
<li><b>Look at the weights.</b> In the diagram blue is positive and red negative, brighter is
stronger. Each tile next to the first hidden layer shows the 784 weights into one neuron: what it
looks for.</li>
<li><b>Draw a digit</b> on the pad on the right: its 28x28 input flows through the network and the
ten outputs show its guess.</li>
<li><b>One example's wishes.</b> Open the <b>Backprop explorer</b> tab and step through one
example: its cost, the nudges its outputs want, the three ways to change an output neuron (its
bias, its weights, the previous layer's activations), propagating backwards, and averaging over a
mini-batch. Every number comes from the live network.</li>
<li><b>Slow motion.</b> Set the speed to 1 or 5 batches/s: the edges switch to each step's
update and the strip under the cost plot shows the mini-batch the step averaged over.</li>
<li><b>Teach it.</b> Under <i>Teach it</i>, pick the digit you drew and apply one SGD step on it
alone. Watch the test accuracy before and after: one example pulls the whole network. Undo puts
the network back exactly.</li>
<li><b>Go back in time.</b> Drag the <b>History</b> slider to see the network as it was, and
<b>Resume from here</b> to try another learning rate from that moment.</li>
</ol>
<p>If training goes wrong (the cost blows up, or accuracy stays at chance), a banner says why and
offers settings that a short trial showed to work.</p>"""


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """Return (key, what it does) for every action with a shortcut, in the given order."""
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, action.text().replace("&", "").rstrip("…")))
    return rows


def shortcuts_html(actions: list[QAction]) -> str:
    """Return the keyboard table as HTML."""
    rows = "".join(
        f"<tr><td><b>{escape(key)}</b></td><td>{escape(text)}</td></tr>"
        for key, text in shortcut_rows(actions)
    )
    return (
        "<h3>Keyboard shortcuts</h3><table cellspacing=6>"
        f"{rows}</table><p>A focused control keeps its own keys: Space presses the focused "
        "button, the arrow keys move a focused slider or list. On the pad: Ctrl+Z undoes a "
        "stroke; Delete, Esc or a double-click clears it.</p>"
    )


def links_html() -> str:
    """Return the reading list as HTML links."""
    items = "".join(f'<li><a href="{url}">{escape(title)}</a></li>' for url, title in LINKS)
    return (
        "<h3>Watch and read</h3><ul>"
        f"{items}</ul><p>The app follows the video's network and Nielsen's notation: "
        "weights[k] has shape (n_out, n_in), delta = dC/dz, and the cost is "
        "1/2 sum (a - y)^2.</p>"
    )


class HelpDialog(QDialog):
    """Getting started, the keyboard shortcuts and the reading list, as three tabs."""

    PAGES = ("Getting started", "Keyboard shortcuts", "Watch and read")

    def __init__(self, actions: list[QAction], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Backprop Lab help")
        self.tabs = QTabWidget()
        self.pages: list[QTextBrowser] = []
        for title, html in zip(
            self.PAGES, (GETTING_STARTED, shortcuts_html(actions), links_html()), strict=True
        ):
            page = QTextBrowser()
            page.setOpenExternalLinks(True)
            page.setHtml(html)
            self.tabs.addTab(page, title)
            self.pages.append(page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(640, 560)

    def show_page(self, index: int) -> None:
        """Open on page ``index`` (0 getting started, 1 shortcuts, 2 links)."""
        self.tabs.setCurrentIndex(index)
