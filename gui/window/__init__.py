"""The window room: the main window, its menus, dialogs and the helpers that run it.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.window.main_window import MainWindow
from gui.window.memory_guard import install_memory_guard
from gui.window.preferences_dialog import load_preferences

__all__ = ["MainWindow", "install_memory_guard", "load_preferences"]
