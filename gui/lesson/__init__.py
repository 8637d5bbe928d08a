"""The lesson room: File > Save lesson and Open lesson, a dropped .bplab, and their restoring.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.faces import face_name

_FACE = {
    "LessonFiles": "files",
    "LessonViews": "on_screen",
    "capture": "on_screen",
    "is_lesson": "files",
    "show_views": "on_screen",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
