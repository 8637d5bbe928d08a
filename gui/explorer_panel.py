"""The Explorer mode: one example's backward pass step by step, every number from the engine."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph as pg

from engine import explorer_gradient as eg
from engine.explorer import Exploration
from engine.snapshot import Snapshot
from engine.words import quantity
from gui.colors import palette
from gui.explorer_data_amount import DataAmountPage
from gui.explorer_descent import DescentPage
from gui.explorer_diagram import LayerDiagram
from gui.explorer_pages import (
    BackPage,
    BatchPage,
    CheckPage,
    CostPage,
    ExplorerState,
    ForwardPage,
    GradientPage,
    LineSearchPage,
    NudgePage,
    OutputPage,
    fmt,
    hex_colour,
    plain,
)
from gui.explorer_steepest import SteepestPage
from gui.theme import style_plot, theme_changed

N_STEPS = 12
TITLES = (
    "Forward pass",
    "Cost of this example",
    "Desired nudges of the outputs",
    "Three ways to change one output neuron",
    "Propagate backwards",
    "Average over the mini-batch",
    "The gradient as sensitivity",
    "Check it",
    "Why mini-batches",
    "Steepest descent",
    "A drunk man stumbling downhill",
    "Lots of labelled data",
)
IDEAS = (
    "the network is a function: each layer's activations determine the next layer's",
    "the cost of one training example: how far each output is from what we want",
    "desired nudges: the correct output should go up, the others down, each in proportion to "
    "how far it is from its target",
    "three ways to increase an activation: the bias, the weights (in proportion to a; "
    "neurons that fire together wire together) and the previous activations (in proportion to w)",
    "propagating backwards: add up the desires of every neuron of the next layer, then repeat "
    "layer by layer",
    "averaging the desired changes over the training examples: that average is the negative "
    "gradient",
    "the gradient as the sensitivity of the cost to each weight and bias: which nudges give the "
    "most bang for the buck",
    "backpropagation computes that gradient exactly: checked here against the derivative's "
    "definition",
    "mini-batches: a small random batch gives a rough but cheap estimate of the gradient over "
    "all the training data",
    "the negative gradient is the direction of steepest descent: it lowers the cost fastest",
    "stochastic gradient descent: a drunk man stumbling quickly downhill, rather than a careful "
    "man computing every step on the whole data",
    "all of this needs lots of labelled training data: MNIST's 60,000 labelled digits",
)
HIGHLIGHTS = ((), (), ("BP1",), ("BP1", "BP3", "BP4"), ("BP2", "BP3"), ("BP3", "BP4"), ("BP4",),
              ("BP4",), (), (), (), ())  # fmt: skip
DIAGRAM_STEPS = (1, 2, 3, 4, 5)
REVEAL_MS = 350  # step 1 lights up one layer per tick
EDGES_SHOWN = 40  # at most this many edges into one neuron are drawn
SIDE_MIN, SIDE_MAX, SIDE_FRACTION = 200, 340, 0.3  # the text column's width
MIN_WIDTH = 520  # the text column and, under the diagram, the widest page
WIDE_CONTENT = 760  # narrower than this, the diagram goes above the page instead of beside it
STACKED_DIAGRAM = 0.4  # the most of the content's height a diagram above the page may take
MIN_DIAGRAM = 120
QWIDGETSIZE_MAX = (1 << 24) - 1
ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Right)


def explanation(step: int, e: Exploration) -> str:
    """Return the two or three sentences that explain a step, in the app's words."""
    softmax = e.sigma_prime(e.n_layers) is None
    m = len(e.batch_labels)
    texts = {
        1: "Each neuron multiplies the activations of the previous layer by its weights, adds "
        "them up with its bias, and squashes the sum z with its activation function. The pixels "
        "are layer 0; layer by layer the activations are computed until the output layer gives "
        "the network's answer. Click a neuron to see its sum with the live numbers.",
        2: "How wrong is the network on this one example? We want output 1 for the correct digit "
        f"({e.label}) and 0 for the others; the cost adds up how far each output is from that, "
        "and each bar is one output neuron's share. This app's cost is &frac12;&Sigma;(a &minus; "
        "y)<sup>2</sup>, as in Nielsen's book; the video writes &Sigma;(a &minus; y)<sup>2</sup> "
        "without the &frac12;, so its costs and nudges are twice ours, 2(a &minus; y): the "
        "directions are the same."
        if not softmax
        else "How wrong is the network on this one example? The cross-entropy cost is "
        f"&minus;ln a<sub>{e.label}</sub>: large when the correct digit gets a low probability. "
        "Softmax outputs share a total of 1, so raising the right one lowers all the others.",
        3: "To lower the cost, the correct output should rise and every other output fall. The "
        "arrow beside each output neuron is its desired nudge &minus;&part;C/&part;a<sub>j</sub>"
        " = y<sub>j</sub> &minus; a<sub>j</sub> (with the video's cost, without the &frac12;, "
        "it is 2(y<sub>j</sub> &minus; a<sub>j</sub>)): its length says how much that change "
        "would help. Backpropagation starts here."
        if not softmax
        else "To lower the cost, the correct output should rise and every other output fall. "
        "With softmax one output cannot move alone, so the arrows show the desired nudge of each "
        "weighted input, &minus;&part;C/&part;z<sub>j</sub> = y<sub>j</sub> &minus; "
        "a<sub>j</sub>, which is &minus;&delta;<sup>L</sup> itself.",
        4: "An output neuron can change in three ways: its bias, its weights, or the activations "
        "feeding it. This example wants each weight to change by &minus;a<sub>k</sub>&delta;"
        "<sub>j</sub> (minus its gradient), so the links from the brightest inputs change most: "
        "into the correct digit they grow (fire together, wire together). The wished-for change "
        "of each previous activation is in proportion to its weight. These are one example's "
        "wishes; the step itself follows the mean over the mini-batch.",
        5: "A hidden neuron hears a wish from every neuron of the next layer, &minus;w<sub>kj"
        "</sub>&delta;<sub>k</sub>; added up they give the desired change &minus;&part;C/&part;"
        "a<sub>j</sub>. The gradient &part;C/&part;a<sub>j</sub> = &Sigma; w<sub>kj</sub>"
        "&delta;<sub>k</sub>, times "
        "&sigma;'(z<sub>j</sub>) its &delta;<sub>j</sub>. Repeated layer by layer back to the "
        "first hidden layer, this gives &delta; on every neuron and so the gradient of every "
        "weight and bias, for this one example.",
        6: f"One example alone would pull the network toward just that image, so SGD averages the "
        f"desired changes of all {quantity(m, 'example')} of the mini-batch: the average is "
        "exactly the negative of the mini-batch gradient, the change the whole mini-batch wants. "
        "The step moves every parameter by &eta; times that average (&minus;&eta; times the "
        "gradient); the costs after it are computed on a copy of the network.",
        7: "The gradient has one entry per weight and bias: how sensitive the mini-batch cost is "
        "to it. Nudge a weight by &Delta;w and compare the real change of the cost with the "
        "prediction &part;C/&part;w&middot;&Delta;w: close for small nudges, apart for large "
        "ones, because the cost is curved.",
        8: "Is backpropagation right? Move one parameter up and down by &epsilon; = 10<sup>-5</sup>"
        " and measure the slope of the cost directly. Backprop here runs in double precision and "
        "the estimate in extended precision, so they agree to many digits.",
        9: f"The mini-batch gradient is a quick estimate, from {quantity(m, 'example')}, of the "
        "gradient over "
        "the whole training set. The curves show the cost on the whole training set in use as "
        "the network moves along each direction; the mini-batch step stumbles a little, but it "
        "costs a tiny fraction of a full-batch one, so many quick steps win.",
        10: "Steepest descent: the negative gradient &minus;&nabla;C is the direction in which "
        "the cost decreases most quickly. Take a step of the same length along &minus;g and "
        "along many random directions, and compare the real change of the cost.",
        11: "Stochastic gradient descent is less like a careful man walking downhill and more "
        "like a drunk man stumbling quickly down it: each mini-batch step is a little off, but "
        "many of them cost what one careful full-gradient step does. Both paths start here.",
        12: "All of this needs lots of labelled training data: the network learns only from "
        "examples whose right answer it is told. The same network trained on more labelled "
        "examples gets more test digits right (MNIST has 60,000).",
    }
    return texts[step]


class ExplorerPanel(QWidget):
    """Walks through backpropagation of one example step by step, driven by Next/Back and arrows.

    Steps are numbered 1 .. N_STEPS as in the issue; ``set_snapshot`` must come first.
    """

    step_changed = Signal(int)  # the new step, 1 .. N_STEPS
    neuron_selected = Signal(int, int)  # layer, index
    edge_selected = Signal(int, int, int)  # weight layer, out, in
    trace_changed = Signal(object)  # engine.snapshot.ExampleTrace of the explored example

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshot: Snapshot | None = None
        self.exploration: Exploration | None = None
        self.state: ExplorerState | None = None
        self._example: tuple[np.ndarray, int] | None = None
        self._full: tuple[np.ndarray, np.ndarray] | None = None
        self._step = 1
        self._side_moved = False  # once the learner drags the splitter, keep their split
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setInterval(REVEAL_MS)
        self._reveal_timer.timeout.connect(self._on_reveal_timer_fired)
        self._build()

    def _build(self) -> None:
        """Create the header, the text column, the diagram and the pages."""
        self.title = QLabel()
        self.title.setObjectName("step_title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.back_button = QPushButton("◀ Back")
        self.back_button.setObjectName("back_button")
        self.next_button = QPushButton("Next ▶")
        self.next_button.setObjectName("next_button")
        self.back_button.clicked.connect(self.previous_step)
        self.next_button.clicked.connect(self.next_step)
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(120)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self.next_button, 0, Qt.AlignmentFlag.AlignTop)

        self.text = QLabel()
        self.text.setObjectName("explanation")
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.equations = QLabel()
        self.equations.setObjectName("equations")
        self.equations.setWordWrap(True)
        self.equations.setTextFormat(Qt.TextFormat.RichText)
        self._restyle_equations()
        column = QVBoxLayout()
        column.addWidget(self.text)
        column.addSpacing(8)
        column.addWidget(self.equations)
        column.addStretch(1)
        side = QWidget()
        side.setLayout(column)
        self.side = QScrollArea()  # a long explanation on a short screen scrolls, never sideways
        self.side.setObjectName("explorer_text")
        self.side.setWidget(side)
        self.side.setWidgetResizable(True)
        self.side.setFrameShape(QFrame.Shape.NoFrame)
        self.side.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.side.setMinimumWidth(SIDE_MIN)

        self.diagram = LayerDiagram()
        self.diagram.neuron_clicked.connect(self.select_neuron)
        self.forward_page = ForwardPage()
        self.forward_page.revealed_changed.connect(self._on_revealed_changed)
        self.output_page = OutputPage()
        self.output_page.target_chosen.connect(lambda j: self.select_neuron(self._n_layers(), j))
        self.back_page = BackPage()
        self.back_page.back_to_changed.connect(self._on_back_to_changed)
        self.gradient_page = GradientPage()
        self.gradient_page.param_chosen.connect(self.select_parameter)
        self.check_page = CheckPage()
        self.line_page = LineSearchPage()
        self.steepest_page = SteepestPage()
        self.descent_page = DescentPage()
        self.data_amount_page = DataAmountPage()
        self.pages = [
            self.forward_page,
            CostPage(),
            NudgePage(),
            self.output_page,
            self.back_page,
            BatchPage(),
            self.gradient_page,
            self.check_page,
            self.line_page,
            self.steepest_page,
            self.descent_page,
            self.data_amount_page,
        ]
        self.stack = QStackedWidget()
        for page in self.pages:
            self.stack.addWidget(page)
        self.content = QWidget()
        self.content_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.content)
        self.content_layout.setContentsMargins(0, 0, 0, 0)
        self.content_layout.addWidget(self.diagram, 4)
        self.content_layout.addWidget(self.stack, 5)
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.setObjectName("explorer_body")
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self.side)
        self.body.addWidget(self.content)
        self.body.setStretchFactor(1, 1)
        self.body.splitterMoved.connect(self._on_body_split)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.body, 1)
        self.setMinimumWidth(MIN_WIDTH)  # the narrow arrangement's, not the side-by-side one's
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._show_empty()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Share the width between the text and the content, then reflow the content."""
        super().resizeEvent(event)
        width = self.body.width()
        if width > 0 and not self._side_moved:
            side = int(min(max(SIDE_FRACTION * width, SIDE_MIN), SIDE_MAX))
            self.body.setSizes([side, max(width - side, 1)])
        self._reflow()

    def _reflow(self) -> None:
        """Put the diagram beside the page when both fit, else above it (shorter), never wider."""
        wide = self.content.width() >= WIDE_CONTENT
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.content_layout.direction() != direction:
            self.content_layout.setDirection(direction)
        self.content_layout.setStretch(0, 4 if wide else 2)
        self.content_layout.setStretch(1, 5 if wide else 3)
        # Above the page, the diagram takes what the page's charts leave, at most a share.
        page = self.stack.currentWidget()
        height = self.content.height()
        left = height - _needed_height(page, self.content.width()) - self.content_layout.spacing()
        tall = max(int(min(height * STACKED_DIAGRAM, left)), MIN_DIAGRAM)
        self.diagram.setMinimumHeight(MIN_DIAGRAM if wide else tall)
        self.diagram.setMaximumHeight(QWIDGETSIZE_MAX if wide else tall)

    def _restyle_equations(self) -> None:
        """Give the equations box the theme's canvas and text colours."""
        p = palette()
        self.equations.setStyleSheet(
            f"QLabel {{ background: {hex_colour(p.background)}; color: {hex_colour(p.text)};"
            " padding: 6px; border-radius: 4px; }"
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow a change of theme: the equations, every chart and the current page."""
        super().changeEvent(event)
        if not theme_changed(self, event):
            return
        self._restyle_equations()
        for plot in self.findChildren(pg.PlotWidget):
            style_plot(plot)
        for page in self.pages:
            if hasattr(page, "restyle"):
                page.restyle()
        if self.state is not None:
            self._refresh()

    def _on_body_split(self, _pos: int, _index: int) -> None:
        """The learner dragged the splitter: keep their split from now on."""
        self._side_moved = True
        self._reflow()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Take the keyboard on opening, so the arrow keys step through the explorer at once."""
        super().showEvent(event)
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus):
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def event(self, event: QEvent) -> bool:
        """Claim bare Left and Right from the window's shortcuts while the focus is in here.

        The window's Step mini-batch is also Right; claiming the key here makes it a plain key
        press for the focused control (a slider keeps its arrows) and then for ``keyPressEvent``,
        so the key is never ambiguous and Step mini-batch still works outside the explorer.
        """
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and event.key() in ARROWS
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Left and Right go one step back or forwards (unless the focused control used them)."""
        if event.key() == Qt.Key.Key_Right:
            self.next_step()
        elif event.key() == Qt.Key.Key_Left:
            self.previous_step()
        else:
            super().keyPressEvent(event)

    def _show_empty(self) -> None:
        """Show the panel before any snapshot arrives."""
        self.title.setText("Explorer")
        self.text.setText("Train for a moment and pause: the explorer takes the paused network.")
        self.next_button.setEnabled(False)
        self.back_button.setEnabled(False)

    def _n_layers(self) -> int:
        """Return the number of weight layers of the explored network."""
        return len(self.snapshot.config.sizes) - 1 if self.snapshot else 0

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """Explore this network (a paused snapshot); keeps the chosen example and step."""
        self.snapshot = snapshot
        self._explore()

    def set_example(self, image: np.ndarray, label: int) -> None:
        """Explore this example: a training image (uint8) or a drawing (floats in [0, 1])."""
        self._example = (np.asarray(image), int(label))
        self._explore()

    def set_full_batch(self, images: np.ndarray, labels: np.ndarray) -> None:
        """Use these training images (uint8), the whole set in use, in steps 9 to 12."""
        self._full = (np.asarray(images), np.asarray(labels))
        if self.state is not None and self._step >= 9:
            self._refresh()

    def set_test_set(self, images: np.ndarray, labels: np.ndarray) -> None:
        """Score step 12's networks on these test images (uint8)."""
        self.data_amount_page.set_test_set(np.asarray(images), np.asarray(labels))

    def shutdown(self) -> None:
        """Stop step 12's training and end its thread (the window calls this on close)."""
        self.data_amount_page.shutdown()

    def _default_example(self) -> tuple[np.ndarray, int]:
        """Return the snapshot's own example, else its batch's first image, else a blank one."""
        s = self.snapshot
        if s.example is not None:
            return s.example.image, s.example.label
        if len(s.batch_labels):
            return s.batch_images[0], int(s.batch_labels[0])
        if self._full is not None and len(self._full[1]):
            return self._full[0][0], int(self._full[1][0])
        return np.zeros((28, 28), np.uint8), 0

    def _explore(self) -> None:
        """Run the example through the snapshot's network and reset the selections."""
        if self.snapshot is None:
            return
        image, label = self._example or self._default_example()
        e = Exploration(self.snapshot, image, label)
        self.exploration = e
        last = e.n_layers
        hidden = None
        if last >= 2:
            hidden = (last - 1, int(np.argmax(np.abs(e.record.dc_da[last - 2][0]))))
        top = eg.top_components(e, 1)[0]
        self.state = ExplorerState(
            exploration=e,
            target=e.label,
            hidden=hidden,
            formula=(last, e.label),
            param=top[:3],
            back_to=max(last - 1, 1),
            revealed=last,
        )
        self.diagram.set_state(e.sizes, [e.activations(k) for k in range(last + 1)], image, label)
        self.next_button.setEnabled(True)
        self.back_button.setEnabled(True)
        self.trace_changed.emit(e.trace())
        self._refresh()

    def step(self) -> int:
        """Return the current step, 1 .. 9."""
        return self._step

    def set_step(self, step: int) -> None:
        """Go to a step, 1 .. 9 (clamped)."""
        step = int(min(max(step, 1), N_STEPS))
        changed = step != self._step
        self._step = step
        if step == 1 and changed and self.state is not None:
            self.state.revealed = 1
            self._reveal_timer.start()
        elif step != 1:
            self._reveal_timer.stop()
        self._refresh()
        if changed:
            self.step_changed.emit(step)

    def next_step(self) -> None:
        """Go one step forwards."""
        self.set_step(self._step + 1)

    def previous_step(self) -> None:
        """Go one step back."""
        self.set_step(self._step - 1)

    def select_neuron(self, layer: int, index: int) -> None:
        """Select a neuron: an output is step 4's target, a hidden one step 5's; both step 1's."""
        if self.state is None or layer < 1:
            return
        s = self.state
        s.formula = (layer, index)
        if layer == s.exploration.n_layers:
            s.target = index
        else:
            s.hidden = (layer, index)
            s.back_to = min(s.back_to, layer)
        self.neuron_selected.emit(layer, index)
        self._refresh()

    def select_parameter(self, layer: int, out: int, col: int) -> None:
        """Select the weight (or bias, col == n_in) of steps 7 and 8."""
        if self.state is None:
            return
        self.state.param = (layer, out, col)
        if col < self.state.exploration.sizes[layer]:
            self.edge_selected.emit(layer, out, col)
        self._refresh()

    def _on_revealed_changed(self, layers: int) -> None:
        self._reveal_timer.stop()
        self.state.revealed = layers
        self._refresh_diagram()

    def _on_reveal_timer_fired(self) -> None:
        s = self.state
        if s is None or s.revealed >= s.exploration.n_layers:
            self._reveal_timer.stop()
            return
        s.revealed += 1
        self._refresh()

    def _on_back_to_changed(self, layer: int) -> None:
        s = self.state
        s.back_to = layer
        d = s.exploration.record.dc_da[layer - 1][0]
        s.hidden = (layer, int(np.argmax(np.abs(d))))
        self._refresh()

    def _refresh(self) -> None:
        """Redraw the title, text, equations, diagram and the current page."""
        if self.state is None:
            return
        e = self.state.exploration
        step = self._step
        self.title.setText(f"Step {step} of {N_STEPS} · {TITLES[step - 1]}")
        self.back_button.setEnabled(step > 1)
        self.next_button.setEnabled(step < N_STEPS)
        self.text.setText(f"<i>In the video: {IDEAS[step - 1]}.</i><br>{explanation(step, e)}")
        self.equations.setText(self.equations_html())
        self.stack.setCurrentIndex(step - 1)
        for i, page in enumerate(self.pages):  # the stack's least size is its current page's
            policy = QSizePolicy.Policy.Preferred if i == step - 1 else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.stack.updateGeometry()
        page = self.pages[step - 1]
        if step >= 9:  # the steps that use the whole training set
            full = self._full or (None, None)
            page.refresh(self.state, *full)
        else:
            page.refresh(self.state)
        self.diagram.setVisible(step in DIAGRAM_STEPS)
        self._refresh_diagram()
        self._reflow()  # each page, with its new text, needs its own height under the diagram
        QTimer.singleShot(0, self, self._reflow)  # again once the title has wrapped to its lines

    def _refresh_diagram(self) -> None:
        """Set the diagram's overlays for the current step."""
        s = self.state
        e = s.exploration
        d = self.diagram
        last = e.n_layers
        d.clear_overlays()
        d.set_revealed(last)
        d.set_selected(None)
        step = self._step
        if step == 1:
            d.set_revealed(s.revealed)
            layer, j = s.formula
            if layer <= s.revealed:
                f = e.neuron_formula(layer, j)
                d.set_edges(_strongest(layer - 1, j, f.terms))
            d.set_selected(layer, j)
            d.set_caption("fill: activation (black 0, white 1); edges: w·a into the ringed neuron")
        elif step == 2:
            d.set_caption("beside each output: its digit and activation a")
        elif step == 3:
            d.set_arrows(e.desired_nudges())
            d.set_caption("arrows: the nudge each output wants (blue up, red down)")
        elif step == 4:
            c = e.output_change(s.target)
            d.set_arrows(e.desired_nudges())
            d.set_edges(_strongest(last - 1, s.target, -c.weight_gradients))
            if last >= 2:
                d.set_neuron_values({last - 1: -c.previous_gradients})
            d.set_selected(last, s.target)
            d.set_caption("edges and previous layer: desired change, −a·δ and −w·δ")
        elif step == 5:
            values = {last: e.desired_nudges()}
            for layer in range(s.back_to, last):
                values[layer] = -e.record.dc_da[layer - 1][0]
            d.set_neuron_values(values)
            if s.hidden is not None:
                layer, j = s.hidden
                h = e.hidden_change(layer, j)
                d.set_edges([(layer, k, j, -v) for k, v in enumerate(h.contributions)])
                d.set_selected(layer, j)
            d.set_caption("colour: desired change −∂C/∂a; edges: each neuron's wish −w·δ")

    def equations_html(self) -> str:
        """Return BP1-BP4 with the current step's highlighted and the live numbers substituted.

        Every substituted value names its quantity: C_x for this one example, or the mini-batch
        mean. In steps 6-8 the parameter selected there is the one shown (BP3 for a bias, BP4 for
        a weight) and its equation is the one highlighted.
        """
        s = self.state
        e = s.exploration
        last = e.n_layers
        c = e.output_change(s.target)
        j = s.target
        one = " <i>(C<sub>x</sub>, this example)</i>"
        if np.isnan(c.sigma_prime):
            bp1 = (
                f"&delta;<sup>L</sup> = a<sup>L</sup> &minus; y (softmax with cross-entropy)<br>"
                f"&nbsp;&nbsp;&delta;<sup>{last}</sup><sub>{j}</sub> = "
                f"{fmt(e.activations(last)[j])} &minus; {e.y[j]:.0f} = {fmt(c.delta)}{one}"
            )
        else:
            bp1 = (
                "&delta;<sup>L</sup> = &part;C/&part;a<sup>L</sup> &#8857; &sigma;'(z<sup>L</sup>)"
                f"<br>&nbsp;&nbsp;&delta;<sup>{last}</sup><sub>{j}</sub> = {fmt(c.dc_da)} &times; "
                f"{fmt(c.sigma_prime)} = {fmt(c.delta)}{one}"
            )
        bp2 = (
            "&delta;<sup>l</sup> = ((w<sup>l+1</sup>)<sup>T</sup> &delta;<sup>l+1</sup>) &#8857; "
            "&sigma;'(z<sup>l</sup>)"
        )
        if s.hidden is not None:
            h = e.hidden_change(*s.hidden)
            bp2 += (
                f"<br>&nbsp;&nbsp;&delta;<sup>{h.layer}</sup><sub>{h.index}</sub> = "
                f"{fmt(h.dc_da)} &times; {fmt(h.sigma_prime)} = {fmt(h.delta)}{one}"
            )
        bp3 = "&part;C/&part;b<sup>l</sup><sub>j</sub> = &delta;<sup>l</sup><sub>j</sub>"
        bp4 = (
            "&part;C/&part;w<sup>l</sup><sub>jk</sub> = a<sup>l-1</sup><sub>k</sub> "
            "&delta;<sup>l</sup><sub>j</sub>"
        )
        layer, out, col = self.equation_parameter()
        delta = float(e.record.deltas[layer][0, out])
        mean = ""
        if self._step >= 6:
            mean = f"; mini-batch mean {fmt(e.batch_gradient(layer, out, col))}"
        if col == e.sizes[layer] or self._step < 6:  # before step 6: the bias of that neuron too
            bp3 += (
                f"<br>&nbsp;&nbsp;&part;C<sub>x</sub>/&part;b<sup>{layer + 1}</sup><sub>{out}</sub>"
                f" = {fmt(delta)}{one}{mean}"
            )
        if col < e.sizes[layer]:
            a = float(e.activations(layer)[col])
            bp4 += (
                f"<br>&nbsp;&nbsp;&part;C<sub>x</sub>/&part;w<sup>{layer + 1}</sup><sub>{out},"
                f"{col}</sub> = {fmt(a)} &times; {fmt(delta)} = {fmt(a * delta)}{one}{mean}"
            )
        rows = []
        lit = self.highlighted_equations()
        dim = palette().dim  # equations that are not this step's
        for name, body in (("BP1", bp1), ("BP2", bp2), ("BP3", bp3), ("BP4", bp4)):
            on = name in lit
            colour = hex_colour(palette().highlight if on else dim)
            weight = "bold" if on else "normal"
            rows.append(
                f"<p style='color:{colour}; font-weight:{weight}; margin:4px'>"
                f"{name}&nbsp;&nbsp;{body}</p>"
            )
        note = (
            f"<p style='margin:4px; color:{hex_colour(dim)}'><small>The four equations of "
            "backpropagation with the live numbers; layer 0 is the input. C<sub>x</sub>: this one "
            "example's cost; training steps by the mini-batch mean.</small></p>"
        )
        return "".join(rows) + note

    def highlighted_equations(self) -> tuple[str, ...]:
        """Return the equations the current step is about; in steps 6-8 the selected one's."""
        if 6 <= self._step <= 8:
            layer, _, col = self.equation_parameter()
            return ("BP3",) if col == self.state.exploration.sizes[layer] else ("BP4",)
        return HIGHLIGHTS[self._step - 1]

    def equation_parameter(self) -> tuple[int, int, int]:
        """Return the parameter whose numbers BP3 or BP4 show for the current step.

        Steps 6-8: the selected parameter. Step 5: the strongest weight into the hidden neuron.
        Otherwise: the weight into the chosen output neuron with the largest |a_k delta_j|,
        the one step 4's sentence names.
        """
        s = self.state
        e = s.exploration
        if 6 <= self._step <= 8:
            return s.param
        layer, out = e.n_layers - 1, s.target
        if self._step == 5 and s.hidden is not None:
            layer, out = s.hidden[0] - 1, s.hidden[1]
        col = int(np.argmax(np.abs(e.activations(layer) * e.record.deltas[layer][0, out])))
        return layer, out, col

    def equations_text(self) -> str:
        """Return the equations as plain text, as displayed."""
        return plain(self.equations.text().replace("<br>", "\n").replace("</p>", "\n"))

    def displayed_values(self) -> dict:
        """Return the numbers the current step's page shows, by name."""
        return self.pages[self._step - 1].values


def _needed_height(page: QWidget, width: int) -> int:
    """Return the height a page needs at a width: wrapped text in full, charts at their least."""
    layout = page.layout()
    margins = layout.contentsMargins()
    width = max(width - margins.left() - margins.right(), 1)
    total, items = margins.top() + margins.bottom(), 0
    for i in range(layout.count()):
        item = layout.itemAt(i)
        widget, inner = item.widget(), item.layout()
        if widget is not None and not widget.isVisibleTo(page):
            continue
        if widget is not None and widget.hasHeightForWidth():
            total += widget.heightForWidth(width)
        elif widget is not None:
            total += max(widget.minimumHeight(), widget.minimumSizeHint().height())
        elif inner is not None:
            total += inner.minimumSize().height()
        else:
            continue  # a stretch
        items += 1
    return total + layout.spacing() * max(items - 1, 0)


def _strongest(layer: int, out: int, values: np.ndarray) -> list[tuple[int, int, int, float]]:
    """Return the EDGES_SHOWN incoming edges of neuron ``out`` with the largest |values|."""
    order = np.argsort(-np.abs(values), kind="stable")[:EDGES_SHOWN]
    return [(layer, out, int(i), float(values[i])) for i in order]
