"""gui/ is built in rooms by feature; each room shows one face (its package) to the rest.

A module outside a room that reaches into the room's modules ties itself to the room's
insides, and the room can no longer be changed on its own. These tests read the source, so a
new import that breaks the rule fails here, whether it sits at the top of a file or in a function.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parent.parent / "gui"
ROOMS = sorted(p.name for p in GUI.iterdir() if (p / "__init__.py").exists())
# top-level modules that may enter a room (through its face): the start-up and the settings keys
TOP_LEVEL_ENTRANCES = {"app.py": {"window"}, "settings.py": {"guide"}}


def imported_modules(path: Path) -> list[str]:
    """Every module a file imports, at any depth of its code (from X import a -> X.a and X)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def room_of(path: Path) -> str | None:
    parts = path.relative_to(GUI).parts
    return parts[0] if len(parts) > 1 else None


def test_gui_has_the_rooms_and_few_top_level_modules() -> None:
    assert {"window", "diagram", "player", "pad", "runs", "guide", "insight", "explorer"} <= set(
        ROOMS
    )
    top = sorted(p.name for p in GUI.glob("*.py"))
    # the top level keeps only small shared modules
    assert len(top) <= 21, top
    for name in top:
        assert len((GUI / name).read_text().splitlines()) <= 500, name


@pytest.mark.parametrize("path", sorted(GUI.rglob("*.py")), ids=lambda p: str(p.relative_to(GUI)))
def test_other_rooms_are_entered_only_through_their_face(path: Path) -> None:
    own = room_of(path)
    for module in imported_modules(path):
        parts = module.split(".")
        if parts[0] != "gui" or len(parts) < 2 or parts[1] not in ROOMS or parts[1] == own:
            continue
        assert len(parts) == 2, (
            f"{path.relative_to(GUI)} reaches into {module}: import gui.{parts[1]}"
        )
        if own is None:
            allowed = TOP_LEVEL_ENTRANCES.get(path.name, set())
            assert parts[1] in allowed, f"shared module {path.name} depends on the {parts[1]} room"


@pytest.mark.parametrize("room", ROOMS)
def test_each_face_names_what_it_exports(room: str) -> None:
    face = importlib.import_module(f"gui.{room}")
    assert face.__doc__ and face.__all__
    for name in face.__all__:
        assert getattr(face, name) is not None


def test_a_planted_reach_into_a_room_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text("def f():\n    from gui.diagram.paint import paint_scene\n")
    assert "gui.diagram.paint" in imported_modules(planted)


@pytest.mark.parametrize("room", ROOMS)
def test_no_face_name_is_also_a_module_of_its_room(room: str) -> None:
    """Importing gui.<room>.<name> binds the module over the face's name of the same spelling."""
    modules = {p.stem for p in (GUI / room).glob("*.py")}
    face = importlib.import_module(f"gui.{room}")
    assert not modules & set(face.__all__), f"gui.{room}: {sorted(modules & set(face.__all__))}"
