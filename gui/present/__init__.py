"""The present room: projector mode, with big fonts, thick lines and only what the teacher chose.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.present.caption import PresentCaption
from gui.present.fonts import FONT_SCALE, FontScaler
from gui.present.mode import PresentMode, PresentWidgets

__all__ = ["FONT_SCALE", "FontScaler", "PresentCaption", "PresentMode", "PresentWidgets"]
