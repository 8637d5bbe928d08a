"""Draw the app icon at every size desktops use and save it under resources/icons/.

Run from the repository root::

    .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

import sys

import _common  # noqa: F401 - the repository on the path, drawn offscreen

# isort: split
from PySide6.QtGui import QGuiApplication

from gui.app_icon import ICON_DIR, ICON_SIZES, icon_path, render_icon


def main() -> int:
    """Write one PNG per size."""
    _app = QGuiApplication([])
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    for size in ICON_SIZES:
        path = icon_path(size)
        if not render_icon(size).save(str(path)):
            print(f"could not write {path}", file=sys.stderr)
            return 1
        print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
