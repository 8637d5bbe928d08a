"""The guide's room: the video's stops, the panel that shows them and its controller.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.guide.controller import GuideController
from gui.guide.stops import BY_KEY, STOPS

__all__ = ["BY_KEY", "GuideController", "STOPS"]
