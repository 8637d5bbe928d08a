"""The window room: the main window, its menus, dialogs and the helpers that run it.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.faces import face_name

_FACE = {
    "MainWindow": "main_window",
    "install_memory_guard": "memory_guard",
    "load_preferences": "preferences_dialog",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
