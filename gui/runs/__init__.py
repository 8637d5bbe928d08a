"""The runs room: the live run's record, kept runs, the Compare tab and the experiments.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.runs.controller import RunsController
from gui.runs.run_record import RunRecord

__all__ = ["RunRecord", "RunsController"]
