"""Draw the app icon at every size desktops use and save it under resources/icons/.

Run from the repository root::

    .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QGuiApplication  # noqa: E402

from gui.app_icon import ICON_DIR, ICON_SIZES, icon_path, render_icon  # noqa: E402


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
