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


def test_garbage_is_collected_even_when_frees_bring_the_count_back_under_the_threshold(qtbot):
    """Each free lowers the collector's count: a cycle left just before many older objects are
    freed finds the count under every threshold, and is still collected, on the GUI thread."""
    collector = collect_on_gui_thread()
    older = [[] for _ in range(3 * sum(gc.get_threshold()))]
    gc.collect()  # ``older`` now in the oldest generation; the count starts again from 0
    freed_in: list[str] = []

    def leave_a_cycle() -> None:
        node = Node()
        weakref.finalize(node, lambda: freed_in.append(threading.current_thread().name))

    worker = threading.Thread(target=leave_a_cycle, name="worker")
    worker.start()
    worker.join()
    del older[:]  # thousands of frees: the count falls back to 0, the cycle is still there
    assert gc.get_count()[0] <= gc.get_threshold()[0]
    assert freed_in == []
    qtbot.waitUntil(lambda: freed_in != [], timeout=10000)
    assert freed_in == [threading.main_thread().name]
    assert collector.timer.isActive()
