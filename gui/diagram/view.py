"""The network diagram: neurons as columns, every weight as a coloured edge or a 28x28 tile.

The view keeps the latest snapshot and draws it when ``refresh`` is called (the window's timer),
never per training signal. Geometry lives in ``gui.diagram.layout``, the frame and its painting
in ``gui.diagram.scene``; this module holds the widget, its actions, hover tooltips and clicks.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QToolBar, QToolTip, QWidget

from engine.snapshot import EDGE_MODES, ExampleTrace, Snapshot
from gui.atomic_export import write_png, write_svg
from gui.colors import palette
from gui.diagram import hits
from gui.diagram.labels import header_boxes, legend_boxes, titles
from gui.diagram.layout import DiagramLayout, compute_layout
from gui.diagram.neuron_panel import NeuronPanel
from gui.diagram.paint import paint_scene
from gui.diagram.scene import (
    Scene,
    build_scene,
    edge_lines,
)
from gui.theme import theme_changed

MODE_LABELS = {
    "weight": ("Weights", "Edges show each weight w: blue positive, red negative."),
    "gradient": ("Gradient", "Edges show dC/dw, the mean gradient of the last mini-batch."),
    "update": (
        "Update",
        "Edges show the step just applied to each weight: -eta * dC/dw, or with momentum the "
        "velocity v = mu * v - eta * dC/dw (L2's shrinking of w by 1 - eta * lambda / n is "
        "not in it; the legend gives the factor).",
    ),
    "hebbian": (
        "Hebbian",
        "Edges show the change the current example wants, -a_in * delta_out (blue: strengthen, "
        "red: weaken): fire together, wire together.",
    ),
}
EXPORT_SIZE = QSize(1280, 800)  # used when the view is too small to export as it is


class NetworkView(QWidget):
    """Draws the network 3Blue1Brown's way and explains any neuron or edge under the mouse."""

    neuron_clicked = Signal(int, int)  # layer (0 is the input), neuron index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(480, 320)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._snapshot: Snapshot | None = None
        self._trace: ExampleTrace | None = None
        self._mode = "weight"
        self._per_layer = True
        self._power = 1.0
        self._hover: tuple[int, int] | None = None
        self._tip = ""
        self._layout: DiagramLayout | None = None
        self._lines: list = []
        self._segments: list[np.ndarray | None] = []
        self._scene: Scene | None = None
        self._changed = True
        self._toolbar: QToolBar | None = None
        self._frame_source: Callable[[QPainter, DiagramLayout], None] | None = None
        self.panel = NeuronPanel(self)
        self.panel.closed.connect(self._on_panel_closed)
        self._build_actions()

    def _build_actions(self) -> None:
        """Create the checkable edge-mode, scale and emphasis actions."""
        self._mode_group = QActionGroup(self)
        self._mode_group.setExclusive(True)
        self._mode_actions: dict[str, QAction] = {}
        for mode in EDGE_MODES:
            text, tip = MODE_LABELS[mode]
            action = QAction(text, self, checkable=True)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.setChecked(mode == self._mode)
            action.triggered.connect(lambda _=False, m=mode: self._on_mode_triggered(m))
            self._mode_group.addAction(action)
            self._mode_actions[mode] = action
        self._separator = QAction(self)
        self._separator.setSeparator(True)
        self.scale_action = QAction("Per-layer scale", self, checkable=True)
        self.scale_action.setChecked(True)
        self.scale_action.setToolTip(
            "On: each layer's strongest value is full colour. Off: one scale."
        )
        self.scale_action.toggled.connect(self._on_scale_toggled)
        self.emphasis_action = QAction("Emphasise (|v|/max)\u00b3", self, checkable=True)
        self.emphasis_action.setToolTip("3Blue1Brown's cube: the big values stand out.")
        self.emphasis_action.toggled.connect(self._on_emphasis_toggled)

    def mode_actions(self) -> list[QAction]:
        """Return the edge-mode actions, a separator, and the scale and emphasis toggles."""
        return [
            *self._mode_actions.values(),
            self._separator,
            self.scale_action,
            self.emphasis_action,
        ]

    def toolbar(self) -> QToolBar:
        """Return a toolbar holding ``mode_actions`` for the window to add."""
        if self._toolbar is None:
            self._toolbar = QToolBar("Diagram")
            self._toolbar.setObjectName("diagramToolbar")
            self._toolbar.addActions(self.mode_actions())
        return self._toolbar

    def _on_mode_triggered(self, mode: str) -> None:
        """Switch the edge mode from a toolbar or menu action and draw at once."""
        self.set_edge_mode(mode)
        self.refresh()

    def _on_scale_toggled(self, checked: bool) -> None:
        """Switch between per-layer and global scale and draw at once."""
        self.set_scale_mode(checked)
        self.refresh()

    def _on_emphasis_toggled(self, checked: bool) -> None:
        """Switch between linear and emphasised strength and draw at once."""
        self.set_emphasis(3.0 if checked else 1.0)
        self.refresh()

    def _on_panel_closed(self) -> None:
        """Drop the panel's neuron outline."""
        self.update()

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """Keep the latest snapshot; it is drawn on the next ``refresh``."""
        if self._snapshot is None or snapshot.sizes != self._snapshot.sizes:
            self._layout = None
            self._hover = None
            self.panel.hide()
        self._snapshot = snapshot
        self._changed = True

    def set_trace(self, trace: ExampleTrace | None) -> None:
        """Show this example's activations and Hebbian products; None returns to the snapshot's."""
        self._trace = trace
        self._changed = True

    def set_edge_mode(self, mode: str) -> None:
        """Show weights, gradients, updates or Hebbian products on the edges and tiles."""
        if mode not in EDGE_MODES:
            raise ValueError(f"unknown edge mode {mode!r}; use one of {list(EDGE_MODES)}")
        self._mode_actions[mode].setChecked(True)
        if mode != self._mode:
            self._mode = mode
            self._changed = True

    def edge_mode(self) -> str:
        """Return the current edge mode."""
        return self._mode

    def set_scale_mode(self, per_layer: bool) -> None:
        """Scale colours to each layer's own maximum (True) or to the maximum of all layers."""
        self._per_layer = bool(per_layer)
        self.scale_action.blockSignals(True)
        self.scale_action.setChecked(self._per_layer)
        self.scale_action.blockSignals(False)
        self._changed = True

    def set_emphasis(self, power: float) -> None:
        """Draw strength as (|v|/max)^power: 1 is linear, 3 is 3Blue1Brown's emphasis."""
        self._power = float(power) if np.isfinite(power) and power > 0 else 1.0
        self.emphasis_action.blockSignals(True)
        self.emphasis_action.setChecked(self._power != 1.0)
        self.emphasis_action.blockSignals(False)
        self._changed = True

    def refresh(self) -> None:
        """Rebuild the frame if anything changed since the last one, and schedule a repaint."""
        if not self._changed and self._layout is not None:
            return
        self._ensure_scene()
        if self.panel.isVisible() and self._snapshot is not None:
            self.panel.show_neuron(self._snapshot, self.shown_trace(), *self._panel_neuron())
        self.update()

    def _panel_neuron(self) -> tuple[int, int]:
        """Return the (layer, index) the panel shows."""
        return self.panel.layer, self.panel.index

    def snapshot(self) -> Snapshot | None:
        """Return the snapshot drawn (live or scrubbed), None before the first one."""
        return self._snapshot

    def shown_trace(self) -> ExampleTrace | None:
        """Return the example whose activations are shown: the one set, else the snapshot's."""
        trace = self._own_trace()
        if trace is not None:
            return trace
        return None if self._snapshot is None else self._snapshot.example

    def _own_trace(self) -> ExampleTrace | None:
        """Return the trace set if it is of the snapshot's architecture, else None.

        A new architecture's snapshot can come before the window traces the drawing through it
        (while training, the drawing is retraced a few times a second): the old network's trace
        has other layers and is not drawn over the new one.
        """
        trace, snapshot = self._trace, self._snapshot
        if trace is None or snapshot is None:
            return None
        return trace if tuple(len(a) for a in trace.activations) == snapshot.sizes else None

    def scene(self) -> Scene | None:
        """Return the frame painted: colours, images, the titles' data and any missing note."""
        self._ensure_scene()
        return self._scene

    def diagram_layout(self) -> DiagramLayout | None:
        """Return the geometry in use (None before the first snapshot)."""
        self._ensure_layout()
        return self._layout

    def header_boxes(self) -> list[QRectF]:
        """Return where the column titles are painted (empty before the first snapshot)."""
        self._ensure_scene()
        if self._layout is None:
            return []
        return [b.rect for b in header_boxes(self._layout, titles(self._layout.sizes, self._scene))]

    def legend_boxes(self) -> list[QRectF]:
        """Return where the legend's lines of text are painted (empty before the first snapshot)."""
        self._ensure_scene()
        if self._layout is None or self._scene is None:
            return []
        return [b.rect for b in legend_boxes(self._layout, self._scene)[0]]

    def _ensure_layout(self) -> None:
        """Recompute the geometry and the edge lines after a resize or a new architecture."""
        if self._snapshot is None:
            return
        if self._layout is None or (self._layout.width, self._layout.height) != (
            max(self.width(), 320),
            max(self.height(), 240),
        ):
            self._layout = compute_layout(self._snapshot.sizes, self.width(), self.height())
            self._lines = edge_lines(self._layout)
            self._segments = [None] + [
                self._layout.segments(k) for k in range(1, len(self._layout.sizes) - 1)
            ]
            self._changed = True

    def _ensure_scene(self) -> None:
        """Rebuild the frame from the snapshot if the data, settings or geometry changed."""
        self._ensure_layout()
        if self._snapshot is None or not self._changed:
            return
        self._scene = build_scene(
            self._snapshot,
            self._own_trace(),
            self._mode,
            self._per_layer,
            self._power,
            self._layout,
            self._lines,
        )
        self._changed = False

    def _highlights(self) -> list[tuple[int, int, tuple[int, int, int]]]:
        """Return the neurons to outline: the hovered one and the panel's."""
        out = []
        if self._hover is not None:
            out.append((*self._hover, palette().text))
        if self.panel.isVisible():
            out.append((*self._panel_neuron(), palette().highlight))
        return out

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Redraw the whole frame in the new colours when the theme changes."""
        super().changeEvent(event)
        if theme_changed(self, event):
            self._changed = True
            self.update()

    def set_frame_source(self, source: Callable[[QPainter, DiagramLayout], None] | None) -> None:
        """Let ``source`` paint the diagram (an animation); None draws the snapshot again."""
        self._frame_source = source
        self._changed = True
        self.update()

    def frame_source(self) -> Callable[[QPainter, DiagramLayout], None] | None:
        """Return the painter of an animation shown in place of the snapshot, or None."""
        return self._frame_source

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """Paint the current frame (all of the widget: Qt need not paint the parents below)."""
        self._ensure_layout()
        if self._frame_source is not None and self._layout is not None:
            p = QPainter(self)
            self._frame_source(p, self._layout)
            p.end()
            return
        self._ensure_scene()
        p = QPainter(self)
        layout = self._layout or compute_layout((784, 16, 16, 10), self.width(), self.height())
        paint_scene(p, layout, self._scene if self._layout else None, self._highlights())
        p.end()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Lay the diagram out again for the new size."""
        super().resizeEvent(event)
        self._ensure_layout()

    def render_image(self, size: QSize | None = None) -> QImage:
        """Return the diagram painted into a new image of ``size`` (default: the view's size)."""
        size = size or self.size()
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        p = QPainter(image)
        self._paint_at(p, size)
        p.end()
        return image

    def _paint_at(self, p: QPainter, size: QSize, vector: bool = False) -> None:
        """Paint the diagram for a canvas of ``size``, reusing the on-screen frame if it fits."""
        self._ensure_scene()
        if self._snapshot is None:
            paint_scene(p, compute_layout((784, 16, 16, 10), size.width(), size.height()), None, [])
            return
        if size == self.size() and self._layout is not None:
            paint_scene(p, self._layout, self._scene, [], vector)
            return
        layout = compute_layout(self._snapshot.sizes, size.width(), size.height())
        scene = build_scene(
            self._snapshot,
            self._own_trace(),
            self._mode,
            self._per_layer,
            self._power,
            layout,
            edge_lines(layout),
        )
        paint_scene(p, layout, scene, [], vector)

    def _export_size(self) -> QSize:
        """Return the view's size, or the default when it is too small for a readable file."""
        if self.width() < 480 or self.height() < 320:
            return EXPORT_SIZE
        return self.size()

    def export_png(self, path: str | os.PathLike[str]) -> None:
        """Save the diagram as a PNG image, whole or not at all; raises OSError if it cannot."""
        write_png(self.render_image(self._export_size()), path)

    def export_svg(self, path: str | os.PathLike[str]) -> None:
        """Save the diagram as an SVG drawing (tiles and the input embedded as images)."""
        size = self._export_size()
        paint = lambda p: self._paint_at(p, size, vector=True)  # noqa: E731
        write_svg(paint, size, "Backprop Lab network diagram", path)

    def neuron_at(self, pos: QPointF) -> tuple[int, int] | None:
        """Return (layer, index) of the neuron, tile (its layer-1 neuron) or input pixel at pos."""
        self._ensure_layout()
        if self._layout is None:
            return None
        return hits.neuron_at(self._layout, pos.x(), pos.y())

    def edge_at(self, pos: QPointF) -> tuple[int, int, int] | None:
        """Return (weight layer, target j, source i) of the top edge within a few pixels of pos."""
        self._ensure_scene()
        if self._layout is None or self._snapshot is None:
            return None
        trace = self.shown_trace()
        args = (self._layout, self._segments, self._snapshot, self._mode, trace)
        return hits.edge_at(*args, pos.x(), pos.y())

    def tooltip_at(self, pos: QPointF) -> str:
        """Return the hover text for pos: a neuron's numbers, an edge's, or an empty string."""
        if self._snapshot is None:
            return ""
        hit = self.neuron_at(pos)
        layout, snap, trace = self._layout, self._snapshot, self.shown_trace()
        in_tile = hits.tile_at(layout, pos.x(), pos.y()) is not None
        if hit is not None and not (hit[0] == 1 and in_tile) and hit[0] != 0:
            return hits.neuron_tip(layout, snap, trace, *hit)
        edge = self.edge_at(pos)
        if edge is not None:
            return hits.edge_tip(layout, snap, trace, *edge)
        if hit is None:
            return ""
        return hits.neuron_tip(layout, snap, trace, *hit)

    def hover_text(self) -> str:
        """Return the tooltip text last shown under the mouse."""
        return self._tip

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        """Show the tooltip for what is under the mouse and outline the hovered neuron."""
        pos = event.position()
        tip = self.tooltip_at(pos)
        hover = self.neuron_at(pos)
        hover = hover if hover is not None and hover[0] > 0 else None
        if hover != self._hover:
            self._hover = hover
            self.update()
        if tip != self._tip:
            self._tip = tip
            if QToolTip.isVisible():
                self._show_tip(event.globalPosition().toPoint())

    def _show_tip(self, global_pos: QPoint) -> None:
        """Show the current hover text as a tooltip, or hide the tooltip when there is none."""
        if QGuiApplication.platformName() == "offscreen":  # it cannot raise a tooltip window
            return
        if self._tip:
            QToolTip.showText(global_pos, self._tip, self)
        else:
            QToolTip.hideText()

    def event(self, event: QEvent) -> bool:
        """Answer Qt's tooltip request with the text for the item under the mouse."""
        if event.type() == QEvent.Type.ToolTip:
            self._tip = self.tooltip_at(QPointF(event.pos()))
            self._show_tip(event.globalPos())
            return True
        return super().event(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Forget the hovered neuron when the mouse leaves."""
        self._hover = None
        self._tip = ""
        self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        """Open the detail panel for the clicked neuron and emit ``neuron_clicked``."""
        hit = self.neuron_at(event.position())
        if event.button() != Qt.MouseButton.LeftButton or hit is None:
            self.panel.hide()
            self.update()
            return
        self.open_panel(*hit, event.position())
        self.neuron_clicked.emit(*hit)

    def open_panel(self, layer: int, index: int, near: QPointF | None = None) -> None:
        """Show the detail panel for a neuron, placed on the side away from ``near``."""
        if self._snapshot is None:
            return
        self.panel.show_neuron(self._snapshot, self.shown_trace(), layer, index)
        left = near is not None and near.x() > self.width() / 2
        x = 12 if left else self.width() - self.panel.width() - 12
        self.panel.move(max(x, 0), 44)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        """Close the detail panel with Escape."""
        if event.key() == Qt.Key.Key_Escape and self.panel.isVisible():
            self.panel.hide()
            self.update()
            return
        super().keyPressEvent(event)
