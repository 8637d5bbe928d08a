"""The step player's room: one mini-batch played beat by beat, its captions, frames and export.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.player.playback import StepPlayback

__all__ = ["StepPlayback"]
