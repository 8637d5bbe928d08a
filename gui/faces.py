"""A room's face loads the module behind a name only when the name is first asked for.

So a room's pure modules (the explorer's text, the guide's stops) load without Qt, start-up loads
only what it shows, and two rooms may name each other's faces without an import cycle at load.
"""

from __future__ import annotations

from importlib import import_module


def face_name(package: str, table: dict[str, str], name: str) -> object:
    """Return `name` from the room module `table` says defines it (a module's __getattr__)."""
    if name not in table:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    return getattr(import_module(f"{package}.{table[name]}"), name)
