"""Python's cycle collector runs on the GUI thread only.

A collection runs in whichever thread happens to allocate when a threshold is crossed. When that
is the training worker's thread and the garbage holds a Qt widget (a closed window's menu, say),
the widget is destroyed there: its destructor takes a Qt lock and then waits for the GIL, which
the GUI thread holds while it waits for that same lock. The window froze for good (seen in the
suite: a worker's `gc_collect_main` destroying a QMenu while the GUI thread deleted its actions).

So automatic collection is off, and a timer on the GUI thread collects each generation once its
threshold is passed, as the collector itself would. Reference counting, which frees nearly all
memory (NumPy arrays included), is untouched.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 500  # how often the GUI thread looks at the collector's counts


class GuiThreadCollector(QObject):
    """Collects garbage cycles on the GUI thread, by the collector's own thresholds."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(INTERVAL_MS)

    def collect(self) -> int:
        """Collect the oldest generation whose count is past its threshold; return what it found."""
        counts = gc.get_count()
        generation = -1
        for level in range(3):
            if counts[level] <= self.thresholds[level]:
                break
            generation = level
        return gc.collect(generation) if generation >= 0 else 0


_collector: GuiThreadCollector | None = None


def collect_on_gui_thread() -> GuiThreadCollector:
    """Turn automatic collection off and collect from the GUI thread (once per process)."""
    global _collector
    if _collector is None:
        _collector = GuiThreadCollector(QCoreApplication.instance())
    return _collector
