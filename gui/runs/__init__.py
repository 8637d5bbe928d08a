"""The runs room: kept runs, the Compare tab and the experiments.

The live run's record is the lab's (gui/run_record.py), beside it: the lab imports no room.

This file is the room's one face: code outside the room imports these names from here.
"""

from gui.faces import face_name

_FACE = {
    "RunsController": "controller",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
