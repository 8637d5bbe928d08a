"""Guard against PySide6-Essentials 6.12.0 on CPython < 3.12, which aborts under many signals.

That release corrupts the reference count of None/True/False on every call returning nothing;
a worker emitting a signal per mini-batch kills the interpreter within seconds
(``Fatal Python error: bool_dealloc``). pyproject.toml excludes the combination; this test
proves the installed pair survives the same abuse.
"""

from __future__ import annotations

import subprocess
import sys

import PySide6

STRESS = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    ticked = Signal(object)  # payload: a bool, None or int

app = QCoreApplication([])
emitter = Emitter()
seen = []
emitter.ticked.connect(lambda value: seen.append(value is None))
for i in range(40000):
    emitter.ticked.emit((None, True, False)[i % 3])
    emitter.setObjectName("x")          # void calls return None
    emitter.blockSignals(False)
print(len(seen), sys.getrefcount(None) > 0)
"""


def test_installed_pyside_is_not_the_known_bad_pair():
    bad = PySide6.__version__ == "6.12.0" and sys.version_info < (3, 12)
    assert not bad, "PySide6 6.12.0 on Python < 3.12 crashes under per-batch signals"


def test_many_void_calls_and_signals_do_not_crash_the_interpreter():
    done = subprocess.run(
        [sys.executable, "-c", STRESS],
        capture_output=True,
        text=True,
        timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["40000", "True"]
