"""The insight room: the confusion matrix, the mistakes gallery and the class counts.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.insight.panel import InsightPanel

__all__ = ["InsightPanel"]
