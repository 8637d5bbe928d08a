"""gui.background, the one way off the GUI thread: results, progress and failures come back on
the GUI thread, a cancelled job says nothing, and a long job never holds up a quick one."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from gui.background import Lane, submit, wait_for_jobs


def gui_thread() -> QThread:
    return QApplication.instance().thread()


def test_result_and_progress_arrive_on_the_gui_thread_in_order(qtbot) -> None:
    seen: list[tuple[str, object, bool]] = []
    worked_on: list[bool] = []

    def work(job):
        worked_on.append(QThread.currentThread() is gui_thread())
        for i in range(5):
            job.report(i)
        return "done"

    job = submit(work)
    job.progressed.connect(lambda v: seen.append(("p", v, QThread.currentThread() is gui_thread())))
    job.succeeded.connect(lambda v: seen.append(("r", v, QThread.currentThread() is gui_thread())))
    qtbot.waitUntil(lambda: not job.running(), timeout=10000)
    assert worked_on == [False], "the work must run off the GUI thread"
    assert seen == [("p", i, True) for i in range(5)] + [("r", "done", True)]


def test_a_failure_is_handed_over_not_raised_in_the_thread(qtbot) -> None:
    def work(_job):
        raise ValueError("bad file")

    job = submit(work)
    failures: list[BaseException] = []
    job.failed.connect(failures.append)
    with qtbot.waitSignal(job.ended, timeout=10000):
        pass
    assert [str(f) for f in failures] == ["bad file"]


def test_a_cancelled_job_delivers_nothing_and_sees_its_cancel(qtbot) -> None:
    started, release = threading.Event(), threading.Event()
    saw_cancel: list[bool] = []

    def work(job):
        started.set()
        release.wait(10)
        job.report("late progress")
        saw_cancel.append(job.cancelled())
        return "late result"

    job = submit(work)
    told: list[object] = []
    job.progressed.connect(told.append)
    job.succeeded.connect(told.append)
    assert started.wait(10)
    job.cancel()
    release.set()
    assert wait_for_jobs(10000)
    QApplication.sendPostedEvents()  # anything wrongly queued to the GUI thread arrives now
    assert saw_cancel == [True] and told == [] and not job.running()


def test_a_long_job_does_not_hold_up_a_quick_one(qtbot) -> None:
    release = threading.Event()
    long_job = submit(lambda _job: release.wait(20), Lane.LONG)
    quick = submit(lambda _job: 42, Lane.QUICK)
    results: list[object] = []
    quick.succeeded.connect(results.append)
    qtbot.waitUntil(lambda: results == [42], timeout=10000)
    assert long_job.running()
    release.set()
    qtbot.waitUntil(lambda: not long_job.running(), timeout=10000)


def test_nothing_else_in_gui_starts_its_own_thread() -> None:
    """One way off the GUI thread: only gui/background.py makes threads or pools."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "gui"
    words = ("threading.Thread(", "QThreadPool(", "QThread(", "moveToThread(")
    offenders = [
        f"{path.relative_to(root)}: {word}"
        for path in root.rglob("*.py")
        if path.name != "background.py" or path.parent != root
        for word in words
        if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
