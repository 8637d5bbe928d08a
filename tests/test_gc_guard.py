"""Garbage cycles are collected on the GUI thread only (gui/gc_guard.py): a collection in the
training thread once destroyed a closed window's menu there and froze the window."""

from __future__ import annotations

import gc
import threading
import weakref

from gui.gc_guard import collect_on_gui_thread


class Node:
    """A cycle: freed only by the collector, never by reference counting."""

    def __init__(self) -> None:
        self.me = self


def test_a_thread_never_collects_and_the_gui_thread_does(qtbot) -> None:
    collector = collect_on_gui_thread()
    assert not gc.isenabled()
    freed_in: list[str] = []

    def make_garbage() -> None:
        node = Node()
        weakref.finalize(node, lambda: freed_in.append(threading.current_thread().name))
        del node
        for _ in range(3 * sum(gc.get_threshold())):  # far past every threshold
            Node()

    worker = threading.Thread(target=make_garbage, name="worker")
    worker.start()
    worker.join()
    assert freed_in == [], "collected in the worker's thread"
    qtbot.waitUntil(lambda: freed_in != [], timeout=5000)  # the GUI thread's timer collects
    assert freed_in == [threading.main_thread().name]
    assert collector.timer.isActive()
