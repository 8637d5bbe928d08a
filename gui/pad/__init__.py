"""The pad's room: the drawing pad, the network's guess and Teach it.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.pad.digit_panel import DigitPanel

__all__ = ["DigitPanel"]
