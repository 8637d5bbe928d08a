"""Every script and benchmark still imports: a refactor that moves a name breaks them loudly here.

They are run by hand (pictures, figures), not by the suite, so a stale import would otherwise
wait for the next person who needs a picture.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    p for p in [*ROOT.glob("scripts/*.py"), *ROOT.glob("bench/*.py")] if p.name != "_common.py"
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_imports_without_running(path: Path, monkeypatch) -> None:
    assert '__name__ == "__main__"' in path.read_text(encoding="utf-8"), "runs only as a program"
    monkeypatch.syspath_prepend(str(path.parent))  # as `python scripts/x.py` puts scripts/ first
    names = runpy.run_path(str(path), run_name="imported_by_the_tests")
    assert names["__doc__"], "says what it is for"


def test_there_are_scripts_to_check() -> None:
    assert len(FILES) >= 20
