"""The live run's room: the training controls, the cost plot, the timeline and the batch strip.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.training.batch_strip import BatchStrip
from gui.training.controls import SPEED_LABELS, TrainingControls
from gui.training.cost_plot import CostPlot
from gui.training.timeline import LIVE, Timeline

__all__ = ["BatchStrip", "CostPlot", "LIVE", "SPEED_LABELS", "Timeline", "TrainingControls"]
