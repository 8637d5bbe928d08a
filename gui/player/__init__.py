"""The step player's room: one mini-batch played beat by beat, its captions, frames and export.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.faces import face_name

_FACE = {
    "StepPlayback": "playback",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
