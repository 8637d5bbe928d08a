"""The pad's room: the drawing pad, the network's guess and Teach it.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.faces import face_name

_FACE = {
    "DigitPanel": "digit_panel",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
