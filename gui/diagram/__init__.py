"""The diagram room: the network drawn as coloured edges, its hit tests, labels and painter.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.diagram.layout import DiagramLayout, compute_layout
from gui.diagram.paint import output_labels_right, paint_scene
from gui.diagram.scene import Scene, build_scene, edge_lines
from gui.diagram.view import NetworkView

__all__ = [
    "DiagramLayout",
    "NetworkView",
    "Scene",
    "build_scene",
    "compute_layout",
    "edge_lines",
    "output_labels_right",
    "paint_scene",
]
