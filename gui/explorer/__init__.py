"""The Explorer mode: one example's backward pass step by step, in rooms by phase.

``panel`` holds the panel, ``steps`` the table of the twelve steps (one row each: title, idea,
page, diagram overlay, equations lit), ``state`` what it looks at, ``text`` every explanation and
equation (pure text), ``widgets`` the shared chart helpers, ``diagram`` the layer diagram and its
overlays, and the pages by phase: ``forward`` (steps 1-3), ``backward`` (4-5), ``gradient``
(6-8), ``descent`` (9-11) and ``data_amount`` (12).
"""

from gui.faces import face_name

_FACE = {
    "ExplorerPanel": "panel",
}
__all__ = sorted(_FACE)


def __getattr__(name: str) -> object:
    return face_name(__name__, _FACE, name)
