"""The live run's room: the training controls, the cost plot, the timeline and the batch strip.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.faces import face_name

_FACE = {
    "BatchStrip": "batch_strip",
    "CostPlot": "cost_plot",
    "LIVE": "timeline",
    "SPEED_LABELS": "controls",
    "Timeline": "timeline",
    "TrainingControls": "controls",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
