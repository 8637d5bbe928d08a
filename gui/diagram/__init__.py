"""The diagram room: the network drawn as coloured edges, its hit tests, labels and painter.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.faces import face_name

_FACE = {
    "DiagramLayout": "layout",
    "NetworkView": "view",
    "Scene": "scene",
    "build_scene": "scene",
    "compute_layout": "layout",
    "edge_lines": "scene",
    "output_labels_right": "paint",
    "paint_scene": "paint",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
