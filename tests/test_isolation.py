"""The engine stays headless: importing it (all but the worker) never loads Qt."""

from __future__ import annotations

import subprocess
import sys


def test_engine_imports_without_qt():
    code = (
        "import sys, pkgutil, importlib, engine\n"
        "names = [m.name for m in pkgutil.walk_packages(engine.__path__, 'engine.')\n"
        "         if m.name != 'engine.session.worker']\n"
        "assert len(names) >= 40, names\n"
        "for name in names: importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'gui')))\n"
        "print(len(names), qt)\n"
        "sys.exit(1 if qt else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
