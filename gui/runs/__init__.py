"""The runs room: kept runs, the Compare tab and the experiments.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.runs.controller import RunsController

__all__ = ["RunsController"]
