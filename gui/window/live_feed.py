"""The live feed: a timer that pulls the worker's reports and latest snapshot into the views.

The worker pushes; the views pull at their own rate (about 30 times a second when idle, spaced
further apart while training so drawing never takes more than 1/GUI_BUDGET of the time).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from engine.core.training import BatchReport, EpochReport
from engine.session.snapshot import Snapshot, predict, trace_example
from engine.session.worker import NetworkStarted
from engine.words import quantity
from gui.training import LIVE

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

REFRESH_MS = 33  # the views pull the latest snapshot about 30 times a second
GUI_BUDGET = 8  # while training, each redraw is followed by 8 times its cost of training
PAD_REFRESH_S = 0.2  # while training, the pad's guess follows the network 5 times a second
INSIGHT_REFRESH_S = 0.2  # the insight panel, when shown, refreshes 5 times a second
TIMELINE_REFRESH_S = 0.5  # while training, the timeline grows twice a second
STATUS_REFRESH_S = 0.25  # while training, the status bar changes 4 times a second
RUNNING_PLOT_MS = 400  # the cost plot redraws 2.5 times a second while training
INSIGHT_TAB = 2


class LiveFeed(QObject):
    """Pull what the worker did into the views, at a pace that leaves training its time."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.live: Snapshot | None = None  # the worker's latest snapshot, as last pulled
        self.snapshot: Snapshot | None = None  # the snapshot the views show (live or scrubbed)
        self.shown_serial = -1
        self.kept_count = 0  # snapshots the timeline knows the worker keeps
        self.status_shown = 0.0
        self._pad_refreshed = 0.0
        self._timeline_shown = 0.0
        self._insight_refreshed = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def set_running(self, running: bool) -> None:
        """Training started or stopped: the plot slows down while it runs, the timer resets."""
        self.window.cost_plot.set_refresh_interval(RUNNING_PLOT_MS if running else REFRESH_MS)
        if not running:
            self.timer.setInterval(REFRESH_MS)

    def take_reports(self) -> None:
        """Record what the worker did since the last look, in order: plot, history, status."""
        record = self.window.record
        batches: list[BatchReport] = []
        for item in self.window.worker.take_reports():
            if isinstance(item, BatchReport):
                batches.append(item)
                continue
            record.add_batches(batches)
            batches = []
            if isinstance(item, EpochReport):
                record.add_epoch(item)
            else:
                self.network_started(item)
        record.add_batches(batches)

    def network_started(self, started: NetworkStarted) -> None:
        """A new network: keep the run that ends (unless a Teach step is undone), then begin."""
        w = self.window
        undoing = w.teach.undoing
        if undoing is None:
            shown = self.snapshot if w.record.scrubbed is None else None
            w.runs.network_ending(w.record.history, shown, started.branch, w.record.resume_point)
            w.teach.forget()  # the taught network is gone
        w.teach.undoing = None
        w.record.begin(started, None if undoing is None else undoing[0])

    def on_history_replaced(self) -> None:
        """A new network is live, not a scrubbed past moment: the plot shows its own history."""
        w = self.window
        w.timeline.set_position(LIVE)
        self.kept_count = -1  # re-read the worker's kept snapshots at the next refresh
        w.cost_plot.show_history(w.record.history)

    def scrub_to(self, index: int) -> None:
        """Show a kept snapshot in every view (pausing training), or return to live (-1)."""
        w = self.window
        if index < 0 or index >= w.worker.kept_count():
            w.record.scrubbed = None
            self.shown_serial = -1  # redraw the live network at the next refresh
            w.cost_plot.set_marker(None)
            self.show_status_now()
            return
        w.pause()
        w.record.scrubbed = index
        kept = w.worker.kept_snapshot(index)
        w.cost_plot.set_marker(kept.progress)
        self.show_snapshot(kept.as_snapshot())
        w.record.measure_moment(self.snapshot, w.data)
        self.show_status_now()  # the status bar describes the moment shown

    def go_live(self) -> None:
        """Show the live network again (training or Teach act on it, not on a past moment)."""
        if self.window.record.scrubbed is not None:
            self.window.timeline.set_position(LIVE)
            self.scrub_to(LIVE)

    def resume_from(self, index: int) -> None:
        """Continue training from a kept snapshot as a new branch of the history."""
        w = self.window
        if not 0 <= index < w.worker.kept_count():
            return
        kept = w.worker.kept_snapshot(index)
        w.record.resume_point = kept.examples_seen / kept.n_train
        w.record.scrubbed = None
        w.run_goal.end()
        w.teach.forget()
        w.record.start_notes[kept.examples_seen] = "resumed"
        w.worker.resume_from(index)

    def refresh(self) -> None:
        """Pull new reports and, if it changed, the latest snapshot, and hand them to the views."""
        self.take_reports()
        self.update_status()
        self._update_timeline()
        if self.window.tabs.currentIndex() == INSIGHT_TAB:
            now = time.perf_counter()
            if now - self._insight_refreshed >= INSIGHT_REFRESH_S:
                self._insight_refreshed = now
                self.window.insight.refresh()
        if self.window.record.scrubbed is not None:
            return  # the views show a past moment until the learner returns to live
        serial = self.window.worker.snapshot_serial
        if serial == self.shown_serial:
            return
        snapshot = self.window.worker.latest_snapshot()
        if snapshot is None:
            return
        self.live = snapshot
        self.shown_serial = serial
        start = time.perf_counter()
        if self.window.batch_strip.isVisible():
            self.window.batch_strip.set_batch(snapshot.batch_images, snapshot.batch_labels)
        self.show_snapshot(snapshot)
        if self.window.record.running:
            self.window.network_view.repaint()  # paint now, so the frame's full cost is measured
            self._pace(time.perf_counter() - start)

    def _pace(self, seconds: float) -> None:
        """Space the redraws so the views take at most 1/GUI_BUDGET of the time while training.

        Drawing holds the interpreter lock the training thread needs, so every millisecond the
        views spend is a millisecond training waits. A 10 ms diagram frame is drawn every 80 ms.
        """
        interval = min(max(REFRESH_MS, int(1000 * seconds * GUI_BUDGET)), 250)
        self.timer.setInterval(interval)

    def _update_timeline(self) -> None:
        """Tell the timeline how many past snapshots the worker keeps (twice a second in a run)."""
        now = time.perf_counter()
        if self.window.record.running and now - self._timeline_shown < TIMELINE_REFRESH_S:
            return
        self._timeline_shown = now
        n = self.window.worker.kept_count()
        if n != self.kept_count:
            self.kept_count = n
            self.window.timeline.set_kept_count(n, self.window.worker.kept_label)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Give a new snapshot to the views; the drawn digit's guess follows the network."""
        self.snapshot = snapshot
        self.window.network_view.set_snapshot(snapshot)
        self.window.insight.set_snapshot(snapshot)
        now = time.perf_counter()
        drawing = self.window.digit_panel.network_input()
        if drawing is not None and (
            not self.window.record.running or now - self._pad_refreshed >= PAD_REFRESH_S
        ):
            self._pad_refreshed = now
            self.window.digit_panel.refresh_prediction()
            self.trace_drawing(drawing)
        self.window.network_view.refresh()

    def predict(self, x):
        """Return the latest network's ten outputs for the pad's (28, 28) input."""
        snapshot = self.snapshot or self.window.worker.latest_snapshot()
        return None if snapshot is None else predict(snapshot, x)

    def trace_drawing(self, drawing) -> None:
        """Show the drawn digit's forward pass (and its a_in*delta) in the diagram."""
        snapshot = self.snapshot
        if drawing is None or snapshot is None:
            self.window.network_view.set_trace(None)
            return
        label = self.window.digit_panel.selected_label()  # None: nobody said, so no label
        self.window.network_view.set_trace(trace_example(snapshot, drawing, label))

    def on_drawing_changed(self, drawing) -> None:
        """The pad changed: the diagram follows the drawing (or the training example if empty)."""
        self.trace_drawing(drawing)
        self.window.network_view.refresh()

    def show_status_now(self) -> None:
        """Fill the status bar now, even while training (a new accuracy is worth saying)."""
        self.status_shown = 0.0
        self.update_status()

    def update_status(self) -> None:
        """Fill the status bar from the latest reports (a few times a second at most)."""
        now = time.perf_counter()
        if self.window.record.running and now - self.status_shown < STATUS_REFRESH_S:
            return
        self.status_shown = now
        record = self.window.record
        data, r, live = self.window.data, record.last_batch, self.live
        scrubbed = record.scrubbed is not None
        shown = self.snapshot if scrubbed else live  # the moment on screen
        if (
            not scrubbed
            and r is not None
            and (live is None or r.examples_seen >= live.examples_seen)
        ):
            epoch = f"Epoch {r.epoch + 1}, mini-batch {r.batch + 1}"
            seen = r.examples_seen
        elif shown is not None:  # a past moment, or no mini-batch since this network began
            seen = shown.examples_seen
            epoch = record.position(seen, shown.n_train, at_end=not scrubbed)
        else:
            epoch, seen = "Epoch 1", 0
        texts = {
            "data": f"Data: {data.source} ({len(data.train):,} train)" if data else "Data: …",
            "epoch": epoch,
            "examples": f"{quantity(seen, 'example')} seen",
            "speed": f"{r.examples_per_second:,.0f} examples/s" if r and record.running else "",
            "accuracy": record.accuracy_status(seen, scrubbed),
        }
        self.window.status_bar.show_texts(texts)
