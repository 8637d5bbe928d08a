"""The guide's room: the video's stops, the panel that shows them and its controller.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.faces import face_name

_FACE = {
    "BY_KEY": "stops",
    "GuideController": "controller",
    "STOPS": "stops",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
