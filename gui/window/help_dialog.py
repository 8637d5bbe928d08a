"""Help inside the app: a getting-started path in the video's order, the keys, and where to read on.

The keyboard table is built from every action the window holds that has a shortcut (found by
walking its objects, not from a list), so it names exactly the keys that work, never a stale copy.
"""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

VIDEO_URL = "https://www.youtube.com/watch?v=Ilg3gGewQ5U"
VIDEO_TITLE = "What is backpropagation really doing? (Deep learning, chapter 3)"
SERIES_URL = "https://www.3blue1brown.com/topics/neural-networks"
SERIES_TITLE = "But what is a neural network? (3Blue1Brown's series)"
BOOK_URL = "http://neuralnetworksanddeeplearning.com/chap2.html"
BOOK_TITLE = "How the backpropagation algorithm works (Michael Nielsen, chapter 2)"
LINKS = ((VIDEO_URL, VIDEO_TITLE), (SERIES_URL, SERIES_TITLE), (BOOK_URL, BOOK_TITLE))

GETTING_STARTED = """<h3>Getting started: the video's path, one step at a time</h3>
<ol>
<li><b>Start here: play one step.</b> Press <b>Play one step</b> (P, on the toolbar): the app
takes the next real mini-batch step of the network and animates it on the diagram, the video's
story with the live numbers: each example forward, its cost, the nudges its outputs want, the
wishes carried backwards, their sum and average over the mini-batch, and the update. P pauses
and plays, <b>,</b> and <b>.</b> go back and on by one beat, Close hands the diagram back to the
live network (the step stays taken). Export saves the animation as a GIF or an MP4.</li>
<li><b>Follow the video.</b> The guide (Shift+F1, the Help menu, or <b>Follow the video</b> on
the toolbar) walks the video's ideas in its order, in ten stops: play one step, one example's
cost and nudges, the three ways to change a neuron, propagating backwards, averaging (the
negative gradient), the gradient as sensitivity, steepest descent, the drunk man's mini-batches
and the need for labelled data. At each stop you predict first; then Show me opens the view,
Try it does the real thing in the app, and Reveal computes the answer from the live numbers. The
highlighted button is always the next thing to press. The first launch opens it.</li>
<li><b>Watch it learn.</b> Press <b>Run</b> (Space). The network of the video, 784-16-16-10,
trains for the epochs set in <i>Run for</i> (5 to start) at a speed you can follow, then pauses
and tests itself. The cost plot falls; the test accuracy (green, right axis) climbs.
<b>Full speed</b> is one click away.</li>
<li><b>Look at the weights.</b> In the diagram blue is positive and red negative, brighter is
stronger (Preferences has colour-blind colours: orange for negative, and dashed). Each tile
next to the first hidden layer shows the 784 weights into one neuron: what it
looks for.</li>
<li><b>Draw a digit</b> on the pad on the right: its 28x28 input flows through the network and the
ten outputs show its guess.</li>
<li><b>One example's wishes.</b> Open the <b>Backprop explorer</b> tab and step through one
example (Left and Right, or Back and Next): its cost &frac12;&Sigma;(a &minus; y)<sup>2</sup>, the
nudges its outputs want, the three ways to change an output neuron (its bias, its weights, the
previous layer's activations), propagating backwards, averaging over a mini-batch, the gradient
as sensitivity, and a check of backprop against the derivative's definition (steps 1 to 8).
Every number comes from the live network.</li>
<li><b>Why it works: explorer steps 9 to 12.</b> Step 9: why mini-batches, how rough one
mini-batch's gradient is. Step 10: <b>steepest descent</b>, the cost after a step at every angle
from the negative gradient. Step 11: <b>the drunk man</b>, many quick mini-batch steps against a
few careful full-data steps. Step 12: <b>lots of labelled data</b>, the same network trained on
100, 1,000 and 10,000 labelled digits.</li>
<li><b>Slow motion.</b> Set the speed to 1 or 5 batches/s: the edges switch to each step's
update and the strip under the cost plot shows the mini-batch the step averaged over.</li>
<li><b>Teach it.</b> Under <i>Teach it</i>, pick the digit you drew and apply one SGD step on it
alone. Watch the test accuracy before and after: one example pulls the whole network. Undo puts
the network back exactly.</li>
<li><b>Go back in time.</b> Drag the <b>History</b> slider to see the network as it was, and
<b>Resume from here</b> to try another learning rate from that moment.</li>
<li><b>Compare runs.</b> The <b>Compare runs</b> tab and the <b>Runs</b> menu keep runs side by
side and run the classic experiments in one click: learning rate, mini-batch size, activation,
cost, the amount of labelled data and the architecture.</li>
</ol>
<p>If training goes wrong (the cost blows up, or accuracy stays at chance), a banner says why and
offers settings that a short trial showed to work.</p>"""

# Shortcuts whose action has no words of its own (the player's bar keys), described here.
DESCRIPTIONS = {
    ",": "Play one step: back one beat",
    ".": "Play one step: on one beat",
    "Esc": "Play one step: close the animation (the step stays taken)",
}
UNDESCRIBED = "(undescribed)"


def shortcut_actions(window: QWidget) -> list[QAction]:
    """Return every action under ``window`` that has a shortcut, each once: the menus' first.

    Walking the window's own objects means a new shortcut is listed the moment it exists.
    """
    found: list[QAction] = []
    for action in window.findChildren(QAction):
        if not action.shortcut().isEmpty() and action not in found:
            found.append(action)
    return sorted(found, key=lambda action: not action.text())  # stable: the bar's keys last


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """Return (key, what it does) for every action with a shortcut, in the given order."""
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            text = action.text().replace("&", "").rstrip("…") or DESCRIPTIONS.get(keys, "")
            rows.append((keys, text or UNDESCRIBED))
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
        "button, the arrow keys move a focused slider or list. In the Backprop explorer, Left "
        "and Right go to the previous and next step. On the diagram, Esc closes a neuron's "
        "panel. On the pad: Ctrl+Z undoes a stroke; Delete, Esc or a double-click clears "
        "it.</p>"
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
