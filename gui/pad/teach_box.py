"""The "Teach it" box under the drawing pad: the label, one SGD step, its result, "my digits".

The box only shows: the digit panel owns the drawing and decides what a click does, through
the box's signals.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

# isort: split
import pyqtgraph as pg

from engine.lessons.teach import TeachResult
from engine.words import a, compared
from gui.class_labels import are_digits, fitted, names_for, widest
from gui.colors import css, palette, qcolor
from gui.focus_chain import link
from gui.theme import style_plot

BUTTON_ROW = 330  # the label buttons' rows fit this width (a narrow dock)
NAME_ROWS = 2  # names wider than a digit take two rows of buttons at most, cut to fit
STEP_NAME = 48  # a chosen name up to this many pixels is said on the step button too
STEP_TEXT = "Apply o&ne SGD step"  # Alt+N, also when the chosen name follows it


def digit_bar_plot(height: int, y_label: str) -> pg.PlotWidget:
    """Return a fixed-range plot with one bar slot per class (digits 0..9 until named)."""
    plot = pg.PlotWidget()
    plot.setFixedHeight(height)
    plot.setMinimumWidth(150)
    item = plot.getPlotItem()
    item.setMouseEnabled(x=False, y=False)
    item.setMenuEnabled(False)
    item.hideButtons()
    item.setLabel("left", y_label)
    item.getAxis("left").enableAutoSIPrefix(False)
    left, top, right, bottom = item.layout.getContentsMargins()
    half_line = QFontMetricsF(item.getAxis("left").font()).height() / 2 + 1
    item.layout.setContentsMargins(left, max(top, half_line), right, bottom)  # a top tick's text
    style_plot(plot)
    plot.class_names = names_for(None, 10)
    item.getViewBox().sigResized.connect(lambda *_: _fit_bar_names(plot))
    set_bar_names(plot, plot.class_names)
    return plot


def set_bar_names(plot: pg.PlotWidget, names: tuple[str, ...]) -> None:
    """Give the bar chart one slot per class, each named under its bar (cut to fit)."""
    plot.class_names = tuple(names)
    plot.getPlotItem().setXRange(-0.6, len(names) - 0.4, padding=0)
    _fit_bar_names(plot)


def bar_tick_names(plot: pg.PlotWidget) -> list[str]:
    """Return the names written under the bars, as the axis shows them."""
    ticks = plot.getPlotItem().getAxis("bottom")._tickLevels  # set by _fit_bar_names
    return [text for _x, text in ticks[0]] if ticks else []


def _fit_bar_names(plot: pg.PlotWidget) -> None:
    """Write each class's name under its bar, shortened to the bar's share of the width; when
    even a short cut ("Sn\u2026") does not fit, every bar gets its output's number instead (the
    names are on the "It is" buttons, in the same order)."""
    names = plot.class_names
    width = plot.getPlotItem().getViewBox().width() or plot.width()
    share = width / max(len(names), 1) - 4
    font = plot.getPlotItem().getAxis("bottom").style.get("tickFont") or plot.font()
    shown = [fitted(name, font, share) for name in names]
    if any(len(cut) < min(3, len(name)) for cut, name in zip(shown, names)):
        shown = [str(i) for i in range(len(names))]  # too narrow for names: the outputs' numbers
    plot.getPlotItem().getAxis("bottom").setTicks([list(enumerate(shown)), []])


class TeachBox(QGroupBox):
    """Shows "Teach it": the "It is N" buttons (one per class, named by the data), the step and
    its undo, the result and my digits."""

    label_toggled = Signal()  # a digit was chosen or cleared
    step_requested = Signal()  # "Apply one SGD step" was clicked
    undo_requested = Signal()  # "Undo the step" was clicked
    add_requested = Signal()  # "Add to my digits" was clicked
    save_requested = Signal()  # "Save my digits…" was clicked
    open_requested = Signal()  # "Open my digits…" was clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Teach it", parent)
        self.comes_after: QWidget | None = None  # what Tab reaches just before the "It is" buttons
        grid = QGridLayout(self)
        grid.addLayout(self._build_step_row(), 0, 0, 1, 2)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        lines = self.result_label.fontMetrics().lineSpacing()
        self.result_label.setMinimumHeight(3 * lines)  # wrapped text: keep room for three lines
        grid.addWidget(self.result_label, 2, 0, 1, 2)
        self._build_charts()
        for column, (caption, plot) in enumerate(
            ((self.nudge_caption, self.nudge_plot), (self.change_caption, self.change_plot))
        ):
            caption.setWordWrap(True)
            caption.setMinimumHeight(2 * lines)
            grid.addWidget(caption, 3, column)
            grid.addWidget(plot, 4, column)
        grid.addLayout(self._build_my_digits(), 5, 0, 1, 2)
        self.show_result(None)
        self.set_ready(False)

    def _build_step_row(self) -> QVBoxLayout:
        """Create the "It is N" buttons and the step and undo buttons under them."""
        labels = QHBoxLayout()
        labels.addWidget(QLabel("It is"), 0, Qt.AlignmentFlag.AlignTop)  # not "It is a 8"
        self.label_group = QButtonGroup(self)
        self.label_group.setExclusive(True)
        self._label_grid = QGridLayout()
        self._label_grid.setSpacing(4)
        labels.addLayout(self._label_grid)
        self.names: tuple[str, ...] = ()
        self.set_class_names(names_for(None, 10))
        self.label_group.idToggled.connect(lambda *_: self.label_toggled.emit())
        self.step_button = QPushButton(STEP_TEXT)
        self.step_button.setToolTip(
            "Backpropagate this one example and change every weight and bias by -eta * gradient"
        )
        self.step_button.clicked.connect(self.step_requested)
        self.undo_step_button = QPushButton("Undo the step")
        self.undo_step_button.setToolTip(
            "Put the network back exactly as it was before the last Teach-it step"
        )
        self.undo_step_button.setEnabled(False)
        self.undo_step_button.clicked.connect(self.undo_requested)
        labels.setSpacing(4)
        labels.addStretch(1)
        steps = QHBoxLayout()
        steps.addWidget(self.step_button)
        steps.addWidget(self.undo_step_button)
        steps.addStretch(1)
        row = QVBoxLayout()  # the step under the digits, so the row fits a narrow dock
        row.addLayout(labels)
        row.addLayout(steps)
        self._style_label_buttons()
        return row

    def set_class_names(self, names: tuple[str, ...]) -> None:
        """Make one "It is" button per class, named by the data (digits stay one row of ten).

        Names wider than a digit make wider buttons, wrapped into rows that fit a narrow dock;
        the charts get one bar per class.
        """
        names = tuple(names)
        if names == self.names:
            return
        self.select_label(None)
        for button in self.label_group.buttons():
            self.label_group.removeButton(button)
            self._label_grid.removeWidget(button)
            button.deleteLater()
        self.names = names
        digits = are_digits(names) and len(names) <= 10
        whole = int(widest(names, self.font()) + 16)  # a button with the longest name whole
        fit = min(len(names), BUTTON_ROW // (whole + 4))  # such buttons in one row
        columns = len(names) if digits else max(-(-len(names) // NAME_ROWS), fit, 1)
        width = 28 if digits else int(min(whole, BUTTON_ROW / columns - 4))
        for label, name in enumerate(names):
            button = QPushButton(name if digits else fitted(name, self.font(), width - 14))
            button.setCheckable(True)
            if digits:
                button.setFixedWidth(width)
            else:
                button.setMinimumWidth(width)
            button.setToolTip(f"This drawing is {a(name)}")
            button.setAccessibleName(f"It is {a(name)}")
            self.label_group.addButton(button, label)
            self._label_grid.addWidget(button, label // columns, label % columns)
        self._style_label_buttons()
        if self.comes_after is not None:  # new buttons go last in Tab's order: put them back
            link([self.comes_after, *self.label_group.buttons()])
        if hasattr(self, "nudge_plot"):
            self._set_chart_classes()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """A new font (present mode's larger one, a theme) fits the class names anew."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and self.names and not are_digits(self.names):
            chosen, names = self.selected_label(), self.names
            self.names = ()
            self.set_class_names(names)
            self.select_label(chosen)

    def _set_chart_classes(self) -> None:
        """Give the nudge and before/after charts one bar (or pair) per class."""
        n = len(self.names)
        for plot in (self.nudge_plot, self.change_plot):
            set_bar_names(plot, self.names)
        x = np.arange(n)
        self.nudge_bars.setOpts(x=x, height=np.zeros(n))
        self.before_bars.setOpts(x=x - 0.18, height=np.zeros(n))
        self.after_bars.setOpts(x=x + 0.18, height=np.zeros(n))

    def _build_charts(self) -> None:
        """Create the wanted-nudge chart and the outputs before and after the step."""
        self.nudge_plot = digit_bar_plot(120, "-dC/da")
        self.nudge_bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.6)
        self.nudge_plot.addItem(self.nudge_bars)
        self.zero_line = pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen(qcolor(palette().text, 90)))
        self.nudge_plot.addItem(self.zero_line)
        self.change_plot = digit_bar_plot(120, "output a")
        self.change_plot.getPlotItem().setYRange(0.0, 1.0, padding=0.1)  # room for "1.0"
        self.before_bars = pg.BarGraphItem(
            x=np.arange(10) - 0.18, height=np.zeros(10), width=0.34, brush=qcolor(palette().muted)
        )
        self.after_bars = pg.BarGraphItem(
            x=np.arange(10) + 0.18,
            height=np.zeros(10),
            width=0.34,
            brush=qcolor(palette().positive),
        )
        self.change_plot.addItem(self.before_bars)
        self.change_plot.addItem(self.after_bars)
        before, after = (css(c) for c in (palette().muted, palette().positive))
        up, down = (css(c) for c in (palette().positive, palette().negative))
        self._caption_colours = [before, after, up, down]
        self.nudge_caption = QLabel()
        self.change_caption = QLabel(
            f"Outputs <span style='color:{before}'>&#9632; before</span> and "
            f"<span style='color:{after}'>&#9632; after</span> the step"
        )
        self._set_chart_classes()

    def _build_my_digits(self) -> QGridLayout:
        """Create "Add to my digits", the count, and the save and open buttons, two by two."""
        mine = QGridLayout()
        self.add_button = QPushButton("Add to my d&igits")
        self.add_button.setToolTip("Keep this drawing with the chosen label, to train on later")
        self.add_button.clicked.connect(self.add_requested)
        self.save_button = QPushButton("Save my digits…")
        self.save_button.clicked.connect(self.save_requested)
        self.open_button = QPushButton("O&pen my digits…")
        self.open_button.clicked.connect(self.open_requested)
        self.count_label = QLabel()
        for i, widget in enumerate(
            (self.add_button, self.count_label, self.save_button, self.open_button)
        ):
            mine.addWidget(widget, i // 2, i % 2)  # two by two: it fits a narrow dock
        self.set_count(0)
        return mine

    def restyle(self) -> None:
        """Draw the charts, bars, captions and the chosen button in the theme's colours."""
        p = palette()
        for plot in (self.nudge_plot, self.change_plot):
            style_plot(plot)
        self.zero_line.setPen(pg.mkPen(qcolor(p.text, 90)))
        self.before_bars.setOpts(brush=qcolor(p.muted))
        self.after_bars.setOpts(brush=qcolor(p.positive))
        new = [css(c) for c in (p.muted, p.positive, p.positive, p.negative)]
        for caption in (self.nudge_caption, self.change_caption):
            text = caption.text()  # the colour words of the captions, in the old theme's colours
            for old, colour in zip(self._caption_colours, new):
                text = text.replace(old, colour)
            caption.setText(text)
        self._caption_colours = new
        self._style_label_buttons()

    def _style_label_buttons(self) -> None:
        """Fill the chosen "It is N" button with the highlight colour: unmistakable in any theme."""
        chosen, on = css(palette().highlight), css(palette().on_highlight)
        for button in self.label_group.buttons():
            button.setStyleSheet(
                f"QPushButton:checked {{ background: {chosen}; color: {on}; font-weight: bold;"
                f" border: 2px solid {on}; border-radius: 3px; }}"
            )

    def _nudge_arrows(self) -> str:
        """Return "up for the right digit, down for the others" in the theme's sign colours."""
        up, down = (css(c) for c in (palette().positive, palette().negative))
        kind = "digit" if are_digits(self.names) else "class"
        return (
            f"<span style='color:{up}'>&#9650; up</span> for the right {kind}, "
            f"<span style='color:{down}'>&#9660; down</span> for the others"
        )

    def selected_label(self) -> int | None:
        """Return the digit chosen, or None."""
        label = self.label_group.checkedId()
        return None if label < 0 else label

    def select_label(self, label: int | None) -> None:
        """Choose a digit (None for none)."""
        if label is None:
            checked = self.label_group.checkedButton()
            if checked is not None:
                self.label_group.setExclusive(False)
                checked.setChecked(False)
                self.label_group.setExclusive(True)
        else:
            self.label_group.button(int(label)).setChecked(True)

    def set_ready(self, ready: bool) -> None:
        """Enable the step and add buttons when there is a drawing and a label; name the label."""
        label = self.selected_label()
        self.step_button.setEnabled(ready)
        self.add_button.setEnabled(ready)
        name = None if label is None else self.name(label)
        short = name is not None and self.fontMetrics().horizontalAdvance(name) <= STEP_NAME
        step = STEP_TEXT
        if short:  # a class name's & is shown, never taken for a key
            step += ": " + a(name).replace("&", "&&")
        self.step_button.setText(step)
        self.step_button.setToolTip(
            "Backpropagate this one example"
            + ("" if name is None else f", labelled {name},")
            + " and change every weight and bias by -eta * gradient"
        )

    def name(self, label: int) -> str:
        """Return the class name of ``label`` ("7", "Sneaker"), or its number if unnamed."""
        return self.names[label] if 0 <= label < len(self.names) else str(label)

    def set_count(self, n: int) -> None:
        """Show how many digits "my digits" holds; there is nothing to save when none."""
        self.count_label.setText(f"my digits: {n}")
        self.save_button.setEnabled(n > 0)

    def set_undo_available(self, available: bool) -> None:
        """Enable "Undo the step" while the last step can still be undone."""
        self.undo_step_button.setEnabled(available)

    def show_undone(self) -> None:
        """Say that the last step was undone."""
        self.show_result(None)
        self.result_label.setText(
            "Undone: the network is exactly as it was before the step. Try another digit, "
            "or a smaller learning rate."
        )
        self.undo_step_button.setEnabled(False)

    def show_result(
        self, result: TeachResult | None, accuracy: tuple[float, float] | None = None
    ) -> None:
        """Show a step's cost, wanted nudges and outputs before and after, or how to use the box.

        ``accuracy``: the test accuracy (fractions) before and after the step, when known.
        """
        for widget in (self.nudge_plot, self.change_plot, self.nudge_caption, self.change_caption):
            widget.setVisible(result is not None)
        if result is None:
            self.result_label.setText(
                "Click the digit this drawing really is, then apply one SGD step: you will see "
                "this example's cost, how the output neurons want to move, and what one step did."
            )
            return
        c0, c1, word = compared(result.cost_before, result.cost_after)
        same = f" ({word})" if "same" in word else ""
        taught, before, after = (
            html.escape(self.name(k))
            for k in (result.label, result.guess_before, result.guess_after)
        )
        text = (
            f"Taught <b>{taught}</b> with one step, learning rate &eta; = "
            f"{result.eta:g}: cost C = {c0} &rarr; <b>{c1}</b>{same}; "
            f"guess {before} &rarr; <b>{after}</b>."
        )
        if accuracy is not None:
            before, after = (100 * a for a in accuracy)
            text += (
                f" Test accuracy {before:.2f}% &rarr; <b>{after:.2f}%</b>: one example moved "
                "every weight, so every other image's answer changed too."
            )
        self.result_label.setText(text)
        name = result.nudge_name
        if name == "-dC/dz":
            self.nudge_caption.setText(
                "Wanted change of each output's z, -dC/dz = y - a (with softmax one output "
                f"cannot move alone, so the nudge is on z): {self._nudge_arrows()}"
            )
        else:
            self.nudge_caption.setText(
                f"Wanted nudges of each output, -dC/da = y - a: {self._nudge_arrows()}"
            )
        self.nudge_plot.getPlotItem().setLabel("left", name)
        nudges = np.asarray(result.nudges, np.float64)
        self.nudge_bars.setOpts(
            height=nudges,
            brushes=[
                pg.mkBrush(qcolor(palette().positive if v >= 0 else palette().negative))
                for v in nudges
            ],
        )
        top = max(float(np.abs(nudges).max()), 1e-3) * 1.1
        self.nudge_plot.getPlotItem().setYRange(-top, top, padding=0)
        self.before_bars.setOpts(height=np.asarray(result.outputs_before, np.float64))
        self.after_bars.setOpts(height=np.asarray(result.outputs_after, np.float64))
        QTimer.singleShot(0, self._bring_result_into_view)  # once the charts are laid out

    def _bring_result_into_view(self) -> None:
        """Scroll the panel holding the box so the result's sentence and charts are in view."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is None or not self.change_plot.isVisible():
            return
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)  # the charts' places now
        bar = parent.verticalScrollBar()
        top = self.result_label.mapTo(parent.widget(), self.result_label.rect().topLeft()).y()
        bottom = self.change_plot.mapTo(parent.widget(), self.change_plot.rect().bottomLeft()).y()
        bar.setValue(max(bar.value(), bottom - parent.viewport().height() + 1))
        bar.setValue(min(bar.value(), top))  # the sentence first, if all cannot be seen at once
