"""The Explorer mode: one example's backward pass step by step, every number from the engine."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QResizeEvent, QShowEvent
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

from engine.data.lesson import ExplorerView
from engine.lessons import explorer_gradient as eg
from engine.lessons.explorer import Exploration
from engine.session.snapshot import Snapshot
from gui.background import wait_for_jobs
from gui.colors import css, palette
from gui.explorer.arrow_keys import ArrowKeys
from gui.explorer.backward import BackPage, OutputPage
from gui.explorer.data_amount import DataAmountPage
from gui.explorer.descent import DescentPage, LineSearchPage
from gui.explorer.diagram import LayerDiagram, show_overlay
from gui.explorer.forward import ForwardPage
from gui.explorer.gradient import CheckPage, GradientPage
from gui.explorer.state import ExplorerState
from gui.explorer.steepest import SteepestPage
from gui.explorer.steps import N_STEPS, STEPS, ExplorerStep, step_row
from gui.explorer.text import (
    equation_parameter,
    equations_html,
    explanation,
    highlighted_equations,
    plain,
)
from gui.explorer.widgets import fit_text, name_chart
from gui.painted_icons import painted_icon
from gui.theme import style_plot, theme_changed
from gui.vertical_scroll import VerticalScrollArea

REVEAL_MS = 350  # step 1 lights up one layer per tick
SIDE_MIN, SIDE_MAX, SIDE_FRACTION = 200, 340, 0.3  # the text column's width
MIN_WIDTH = 520  # the text column and, under the diagram, the widest page
WIDE_CONTENT = 760  # narrower than this, the diagram goes above the page instead of beside it
STACKED_DIAGRAM = 0.4  # the most of the content's height a diagram above the page may take
MIN_DIAGRAM = 120
QWIDGETSIZE_MAX = (1 << 24) - 1


class ExplorerPanel(QWidget):
    """Walks through backpropagation of one example step by step, driven by Next/Back and arrows.

    While it is shown, Left and Right move the step whatever has the focus (``arrow_keys``).

    Steps are numbered 1 .. N_STEPS, each a row of ``steps.STEPS``; ``set_snapshot`` comes first.
    """

    trace_changed = Signal(object)  # engine.session.snapshot.ExampleTrace of the explored example

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshot: Snapshot | None = None
        self.exploration: Exploration | None = None
        self.state: ExplorerState | None = None
        self._example: tuple[np.ndarray, int] | None = None
        self._class_names: tuple[str, ...] = ()  # the data's, one per output
        self._full: tuple[np.ndarray, np.ndarray] | None = None
        self._step = 1
        self._side_moved = False  # once the learner drags the splitter, keep their split
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setInterval(REVEAL_MS)
        self._reveal_timer.timeout.connect(self._on_reveal_timer_fired)
        self._arrows = ArrowKeys(self, self._on_arrow_pressed)
        self._build()

    def _build(self) -> None:
        """Create the header, the text column, the diagram and the pages."""
        self.title = QLabel()
        self.title.setObjectName("step_title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.back_button = QPushButton(painted_icon("left"), "Bac&k")
        self.back_button.setObjectName("back_button")
        self.next_button = QPushButton(painted_icon("right"), "N&ext")
        self.next_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # the arrow after
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
        self.pages = [row.page() for row in STEPS]  # one per step, in the table's order
        self.forward_page = self._page(ForwardPage)
        self.forward_page.revealed_changed.connect(self._on_revealed_changed)
        self.output_page = self._page(OutputPage)
        self.output_page.target_chosen.connect(lambda j: self.select_neuron(self._n_layers(), j))
        self.back_page = self._page(BackPage)
        self.back_page.back_to_changed.connect(self._on_back_to_changed)
        self.gradient_page = self._page(GradientPage)
        self.gradient_page.param_chosen.connect(self.select_parameter)
        self.check_page = self._page(CheckPage)
        self.line_page = self._page(LineSearchPage)
        self.steepest_page = self._page(SteepestPage)
        self.descent_page = self._page(DescentPage)
        self.data_amount_page = self._page(DataAmountPage)
        self.stack = PageStack()
        for page in self.pages:
            self.stack.addWidget(page)
        self.background_pages = [self.line_page, self.steepest_page, self.descent_page]
        for page in self.background_pages:
            page.updated.connect(self._reflow)  # its sentence arrived with its picture
        self.content = QWidget()
        self.content_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.content)
        self.content_layout.setContentsMargins(0, 0, 0, 0)
        self.content_layout.addWidget(self.diagram, 4)
        # A page taller than its room (large fonts on a low screen) scrolls up and down; its
        # charts keep their least height rather than squash their axes together.
        self.stack_area = VerticalScrollArea(self.stack, keep_bar=False)  # as wide as it needs
        self.stack_area.setObjectName("explorer_page")
        self.stack_area.setFrameShape(QFrame.Shape.NoFrame)
        self.content_layout.addWidget(self.stack_area, 5)
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
        for plot in self.findChildren(pg.PlotWidget):
            fit_text(plot)  # every chart's captions wrap rather than run off its view
            name_chart(plot)  # and say, to a screen reader, what it plots
        self._show_empty()

    def _page(self, kind: type) -> QWidget:
        """Return the one page of this class that the steps' table built."""
        (page,) = [p for p in self.pages if type(p) is kind]
        return page

    def row(self) -> ExplorerStep:
        """Return the current step's row of the table."""
        return step_row(self._step)

    def page(self) -> QWidget:
        """Return the page the current step shows (built from its row)."""
        return self.pages[STEPS.index(self.row())]

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
        needed = page.layout().totalMinimumHeightForWidth(self.content.width())  # as PageStack
        left = height - needed - self.content_layout.spacing()
        tall = max(int(min(height * STACKED_DIAGRAM, left)), MIN_DIAGRAM)
        self.diagram.setMinimumHeight(MIN_DIAGRAM if wide else tall)
        self.diagram.setMaximumHeight(QWIDGETSIZE_MAX if wide else tall)
        # On a low screen (1280x720) the page comes first: its charts and sentence carry the
        # numbers; the diagram above it returns as soon as both fit.
        if self.state is not None:
            room = wide or left >= MIN_DIAGRAM or height <= 0
            self.diagram.setVisible(self.row().overlay is not None and room)

    def _restyle_equations(self) -> None:
        """Give the equations box the theme's canvas and text colours."""
        p = palette()
        self.equations.setStyleSheet(
            f"QLabel {{ background: {css(p.background)}; color: {css(p.text)};"
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
        self._arrows.watch(True)
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus):
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        """Give the arrow keys back to the window (Right steps training again)."""
        super().hideEvent(event)
        self._arrows.watch(False)

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

    def set_class_names(self, names: tuple[str, ...]) -> None:
        """Call the outputs by the data's class names ("the network's guess: Sneaker")."""
        self._class_names = tuple(names)
        if self.state is not None:
            self.state.class_names = self._names_for(self.state.exploration)
            self.diagram.set_names(self.state.class_names)
            self._refresh()

    def _names_for(self, e: Exploration) -> tuple[str, ...]:
        """Return the class names if there is one per output of ``e``'s network, else none."""
        return self._class_names if len(self._class_names) == e.sizes[-1] else ()

    def set_example(self, image: np.ndarray, label: int) -> None:
        """Explore this example: a training image (uint8) or a drawing (floats in [0, 1])."""
        self._example = (np.asarray(image), int(label))
        self._explore()

    def set_full_batch(self, images: np.ndarray, labels: np.ndarray) -> None:
        """Use these training images (uint8), the whole set in use, in steps 9 to 12."""
        self._full = (np.asarray(images), np.asarray(labels))
        if self.state is not None:
            self.state.full_images, self.state.full_labels = self._full
            if self.row().full_batch:
                self._refresh()

    def set_test_set(self, images: np.ndarray, labels: np.ndarray) -> None:
        """Score step 12's networks on these test images (uint8)."""
        self.data_amount_page.set_test_set(np.asarray(images), np.asarray(labels))

    def shutdown(self) -> None:
        """Stop step 12's training and end its thread, and wait for the pictures being made."""
        self.data_amount_page.shutdown()
        wait_for_jobs()  # a picture still being made finishes before the window goes

    def busy(self) -> bool:
        """True while a page (steps 9-11) is making its picture in the background."""
        return any(page.busy() for page in self.background_pages)

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
            class_names=self._names_for(e),
        )
        self.diagram.set_names(self.state.class_names)
        if self._full is not None:
            self.state.full_images, self.state.full_labels = self._full
        self.diagram.set_state(e.sizes, [e.activations(k) for k in range(last + 1)], image, label)
        self.next_button.setEnabled(True)
        self.back_button.setEnabled(True)
        self.trace_changed.emit(e.trace())
        self._refresh()

    def step(self) -> int:
        """Return the current step, 1 .. N_STEPS."""
        return self._step

    def set_step(self, step: int) -> None:
        """Go to a step, 1 .. N_STEPS (clamped)."""
        step = int(min(max(step, STEPS[0].number), STEPS[-1].number))
        changed = step != self._step
        self._step = step
        if not self.row().reveals:
            self._reveal_timer.stop()
        elif changed and self.state is not None:
            self.state.revealed = 1
            self._reveal_timer.start()
        self._refresh()

    def view(self) -> ExplorerView | None:
        """Return the example, step and selections explored, None before a network arrives."""
        s = self.state
        if s is None:
            return None
        return ExplorerView(
            step=self._step,
            image=np.array(s.exploration.image),
            label=s.exploration.label,
            target=s.target,
            hidden=s.hidden,
            formula=s.formula,
            param=s.param,
            back_to=s.back_to,
            revealed=s.revealed,
        )

    def show_view(self, view: ExplorerView) -> None:
        """Explore ``view``'s example at its step with its selections (after ``set_snapshot``)."""
        self._example = (np.array(view.image), int(view.label))
        self._step = int(min(max(view.step, 1), N_STEPS))
        self._reveal_timer.stop()
        self._explore()
        s = self.state
        if s is None:
            return
        s.target, s.hidden, s.formula = view.target, view.hidden, view.formula
        s.param, s.back_to, s.revealed = view.param, view.back_to, view.revealed
        self._refresh()

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
        self._refresh()

    def select_parameter(self, layer: int, out: int, col: int) -> None:
        """Select the weight (or bias, col == n_in) of steps 7 and 8."""
        if self.state is None:
            return
        self.state.param = (layer, out, col)
        self._refresh()

    def _on_arrow_pressed(self, delta: int) -> None:
        if self.state is not None:  # as Next and Back, idle until a network arrives
            self.set_step(self._step + delta)

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
        row = self.row()
        self.title.setText(f"Step {row.number} of {N_STEPS} · {row.title}")
        self.back_button.setEnabled(row is not STEPS[0])
        self.next_button.setEnabled(row is not STEPS[-1])
        self.text.setText(
            f"<i>In the video: {row.idea}.</i><br>{explanation(row.key, e, self.state.class_names)}"
        )
        self.equations.setText(self.equations_html())
        current = self.page()
        self.stack.setCurrentWidget(current)
        for page in self.pages:  # the stack's least size is its current page's
            policy = QSizePolicy.Policy.Preferred if page is current else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.stack.updateGeometry()
        current.refresh(self.state)
        self.diagram.setVisible(row.overlay is not None)
        self._refresh_diagram()
        self._reflow()  # each page, with its new text, needs its own height under the diagram
        QTimer.singleShot(0, self, self._reflow)  # again once the title has wrapped to its lines

    def _refresh_diagram(self) -> None:
        """Set the diagram's overlays for the current step."""
        if self.row().overlay is not None:
            show_overlay(self.diagram, self.state, self.row().overlay)

    def equations_html(self) -> str:
        """Return BP1-BP4 for the current step with its live numbers (see ``text``)."""
        return equations_html(self.state, self.row())

    def highlighted_equations(self) -> tuple[str, ...]:
        """Return the equations the current step is about."""
        return highlighted_equations(self.state, self.row())

    def equation_parameter(self) -> tuple[int, int, int]:
        """Return the parameter whose numbers BP3 or BP4 show for the current step."""
        return equation_parameter(self.state, self.row())

    def equations_text(self) -> str:
        """Return the equations as plain text, as displayed."""
        return plain(self.equations.text().replace("<br>", "\n").replace("</p>", "\n"))

    def displayed_values(self) -> dict:
        """Return the numbers the current step's page shows, by name."""
        return self.page().values


class PageStack(QStackedWidget):
    """The explorer's pages, one shown at a time, asking for the height the shown one needs.

    That is its least height at that width (wrapped text in full, charts at their least), not
    its preferred one: the scroll area around it then gives the page the room there is, and
    scrolls only when the page needs more (large fonts on a low screen), never stretching a
    chart past the room.
    """

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        page = self.currentWidget()
        if page is None or page.layout() is None:
            return super().heightForWidth(width)
        return page.layout().totalMinimumHeightForWidth(width)
