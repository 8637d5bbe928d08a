"""Python's cycle collector runs on the GUI thread only.

A collection runs in whichever thread happens to allocate when a threshold is crossed. When that
is the training worker's thread and the garbage holds a Qt widget (a closed window's menu, say),
the widget is destroyed there: its destructor takes a Qt lock and then waits for the GIL, which
the GUI thread holds while it waits for that same lock. The window froze for good (seen in the
suite: a worker's `gc_collect_main` destroying a QMenu while the GUI thread deleted its actions).

So automatic collection is off, and a timer on the GUI thread collects each generation once its
threshold is passed, as the collector itself would. Reference counting, which frees nearly all
memory (NumPy arrays included), is untouched.

The collector itself looks at the count at the allocation that passes the threshold; the timer
looks later, when frees of older objects may have brought the count back under it (each free
lowers it) with new garbage still waiting. So the youngest generation is also collected whenever
it holds anything and IDLE_S have passed since the last collection: no garbage waits for ever.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QCoreApplication, QObject, QTimer

INTERVAL_MS = 500  # how often the GUI thread looks at the collector's counts
IDLE_S = 2.0  # the youngest generation is collected at least this often while it holds objects


class GuiThreadCollector(QObject):
    """Collects garbage cycles on the GUI thread, by the collector's own thresholds."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.last = time.monotonic()  # when this collector last collected
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
        if generation < 0 and counts[0] > 0 and time.monotonic() - self.last >= IDLE_S:
            generation = 0  # under the threshold again, perhaps with garbage in it
        if generation < 0:
            return 0
        self.last = time.monotonic()
        return gc.collect(generation)


_collector: GuiThreadCollector | None = None


def collect_on_gui_thread() -> GuiThreadCollector:
    """Turn automatic collection off and collect from the GUI thread (once per process)."""
    global _collector
    if _collector is None:
        _collector = GuiThreadCollector(QCoreApplication.instance())
    return _collector
