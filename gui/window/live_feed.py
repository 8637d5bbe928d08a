"""The live feed: a timer that pulls the worker's reports and latest snapshot into the views.

The worker pushes; the views pull at their own rate (about 30 times a second when idle, spaced
further apart while training so drawing never takes more than 1/GUI_BUDGET of the time).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QTabWidget

from engine.core.training import BatchReport, EpochReport
from engine.session.snapshot import Snapshot, predict, trace_example
from engine.session.worker import RUNNING
from engine.words import quantity
from gui.diagram import NetworkView
from gui.insight import InsightPanel
from gui.lab import Lab
from gui.pad import DigitPanel
from gui.settings import SLOW_MOTION, Session
from gui.training import LIVE, BatchStrip, CostPlot, Timeline
from gui.window.status_bar import StatusBar

REFRESH_MS = 33  # the views pull the latest snapshot about 30 times a second
GUI_BUDGET = 8  # while training, each redraw is followed by 8 times its cost of training
PAD_REFRESH_S = 0.2  # while training, the pad's guess follows the network 5 times a second
INSIGHT_REFRESH_S = 0.2  # the insight panel, when shown, refreshes 5 times a second
TIMELINE_REFRESH_S = 0.5  # while training, the timeline grows twice a second
STATUS_REFRESH_S = 0.25  # while training, the status bar changes 4 times a second
RUNNING_PLOT_MS = 400  # the cost plot redraws 2.5 times a second while training
INSIGHT_TAB = 2


class LiveFeed(QObject):
    """Pull what the worker did into the views, at a pace that leaves training its time.

    Built from the lab and the views it feeds: the diagram, the cost plot and its batch strip,
    the timeline, the pad, the insight tab and the status bar (``tabs`` says which tab shows).
    """

    def __init__(
        self,
        lab: Lab,
        *,
        network_view: NetworkView,
        cost_plot: CostPlot,
        batch_strip: BatchStrip,
        timeline: Timeline,
        digit_panel: DigitPanel,
        insight: InsightPanel,
        status_bar: StatusBar,
        tabs: QTabWidget,
    ) -> None:
        super().__init__(lab)
        self.lab = lab
        self.network_view, self.cost_plot, self.batch_strip = network_view, cost_plot, batch_strip
        self.timeline, self.digit_panel, self.insight = timeline, digit_panel, insight
        self.status_bar, self.tabs = status_bar, tabs
        self._mode_before_slow: str | None = None  # the edge mode slow motion replaced
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
        self._connect()

    def _connect(self) -> None:
        """Follow the lab, its record and worker, and the views' own requests."""
        lab, record = self.lab, self.lab.record
        lab.state_changed.connect(self.on_state_changed)
        lab.views_stale.connect(self.refresh)
        lab.live_requested.connect(self.go_live)
        lab.status_stale.connect(self.show_status_now)
        lab.data_changed.connect(lambda _data: self.update_status())
        lab.session_changed.connect(self.on_session_changed)
        lab.worker.epoch_finished.connect(self.on_epoch_finished)
        lab.network_reset.connect(lambda _config: self.refresh())
        record.batches_added.connect(self.cost_plot.append_batches)
        record.epoch_added.connect(
            lambda e: self.cost_plot.add_epoch(e.epoch, e.test_cost, e.test_accuracy)
        )
        record.replaced.connect(self.on_history_replaced)
        record.accuracy_changed.connect(self.show_status_now)
        self.timeline.snapshot_chosen.connect(self.scrub_to)
        self.timeline.resume_requested.connect(lab.resume_from)
        self.digit_panel.set_predictor(self.predict)
        self.digit_panel.input_changed.connect(self.on_drawing_changed)
        self.digit_panel.label_group.idToggled.connect(  # chosen or cleared: the diagram follows
            lambda _id, _on: self.on_drawing_changed(self.digit_panel.network_input())
        )

    def on_state_changed(self, state: object) -> None:
        """The views follow the live network while it trains, at a pace that leaves it time.

        They went live when the learner asked for training (``Lab.step``, Run): a "running"
        heard here may be late, and a scrub since then stays on screen.
        """
        self.set_running(state == RUNNING)
        self.refresh()

    def on_epoch_finished(self, report: EpochReport) -> None:
        """Announce the epoch's test result (the report itself arrives with the others)."""
        self.take_reports()
        self.lab.say(
            f"Epoch {report.epoch} done in {report.seconds:.2f} s: test accuracy "
            f"{100 * report.test_accuracy:.2f}%, test cost {report.test_cost:.4f}",
            8000,
        )

    def on_session_changed(self, session: Session) -> None:
        """In slow motion the edges show each step's update and the strip its mini-batch."""
        self.show_slow_motion(0 < session.speed <= SLOW_MOTION)

    def show_slow_motion(self, slow: bool) -> None:
        """Show each step's update and mini-batch in slow motion; the learner's edge mode after.

        The learner's own edge mode comes back when the speed rises again (unless they picked
        another one meanwhile).
        """
        view = self.network_view
        self.batch_strip.setVisible(slow)
        if slow and self._mode_before_slow is None:
            self._mode_before_slow = view.edge_mode()
            view.set_edge_mode("update")
            self.lab.say(
                "Slow motion: the edges show each step's update -eta dC/dw, the brightest moved "
                "most; under the cost plot, the mini-batch the step averaged over.",
                10000,
            )
        elif not slow and self._mode_before_slow is not None:
            if view.edge_mode() == "update":
                view.set_edge_mode(self._mode_before_slow)
            self._mode_before_slow = None
        if slow and self.live is not None:
            self.batch_strip.set_batch(self.live.batch_images, self.live.batch_labels)

    def set_running(self, running: bool) -> None:
        """Training started or stopped: the plot slows down while it runs, the timer resets."""
        self.cost_plot.set_refresh_interval(RUNNING_PLOT_MS if running else REFRESH_MS)
        if not running:
            self.timer.setInterval(REFRESH_MS)

    def take_reports(self) -> None:
        """Record what the worker did since the last look, in order: plot, history, status."""
        record = self.lab.record
        batches: list[BatchReport] = []
        for item in self.lab.worker.take_reports():
            if isinstance(item, BatchReport):
                batches.append(item)
                continue
            record.add_batches(batches)
            batches = []
            if isinstance(item, EpochReport):
                record.add_epoch(item)
            else:  # a new network: the lab announces the run that ends, then begins
                self.lab.begin_network(item, self.snapshot)
        record.add_batches(batches)

    def on_history_replaced(self) -> None:
        """A new network is live, not a scrubbed past moment: the plot shows its own history."""
        self.timeline.set_position(LIVE)
        self.kept_count = -1  # re-read the worker's kept snapshots at the next refresh
        self.cost_plot.show_history(self.lab.record.history)

    def scrub_to(self, index: int) -> None:
        """Show a kept snapshot in every view (pausing training), or return to live (-1)."""
        lab = self.lab
        if index < 0 or index >= lab.worker.kept_count():
            lab.record.scrubbed = None
            self.shown_serial = -1  # redraw the live network at the next refresh
            self.cost_plot.set_marker(None)
            self.show_status_now()
            return
        lab.pause()
        lab.record.scrubbed = index
        kept = lab.worker.kept_snapshot(index)
        self.cost_plot.set_marker(kept.progress)
        self.show_snapshot(kept.as_snapshot())
        lab.record.measure_moment(self.snapshot, lab.data)
        self.show_status_now()  # the status bar describes the moment shown

    def go_live(self) -> None:
        """Show the live network again (training or Teach act on it, not on a past moment)."""
        if self.lab.record.scrubbed is not None:
            self.timeline.set_position(LIVE)
            self.scrub_to(LIVE)

    def refresh(self) -> None:
        """Pull new reports and, if it changed, the latest snapshot, and hand them to the views."""
        self.take_reports()
        self.update_status()
        self._update_timeline()
        if self.tabs.currentIndex() == INSIGHT_TAB:
            now = time.perf_counter()
            if now - self._insight_refreshed >= INSIGHT_REFRESH_S:
                self._insight_refreshed = now
                self.insight.refresh()
        if self.lab.record.scrubbed is not None:
            return  # the views show a past moment until the learner returns to live
        serial = self.lab.worker.snapshot_serial
        if serial == self.shown_serial:
            return
        snapshot = self.lab.worker.latest_snapshot()
        if snapshot is None:
            return
        self.live = snapshot
        self.shown_serial = serial
        start = time.perf_counter()
        if self.batch_strip.isVisible():
            self.batch_strip.set_batch(snapshot.batch_images, snapshot.batch_labels)
        self.show_snapshot(snapshot)
        if self.lab.record.running:
            self.network_view.repaint()  # paint now, so the frame's full cost is measured
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
        if self.lab.record.running and now - self._timeline_shown < TIMELINE_REFRESH_S:
            return
        self._timeline_shown = now
        n = self.lab.worker.kept_count()
        if n != self.kept_count:
            self.kept_count = n
            self.timeline.set_kept_count(n, self.lab.worker.kept_label)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Give a new snapshot to the views; the drawn digit's guess follows the network."""
        self.snapshot = snapshot
        self.network_view.set_snapshot(snapshot)
        self.insight.set_snapshot(snapshot)
        now = time.perf_counter()
        drawing = self.digit_panel.network_input()
        if drawing is not None and (
            not self.lab.record.running or now - self._pad_refreshed >= PAD_REFRESH_S
        ):
            self._pad_refreshed = now
            self.digit_panel.refresh_prediction()
            self.trace_drawing(drawing)
        self.network_view.refresh()

    def predict(self, x):
        """Return the latest network's ten outputs for the pad's (28, 28) input."""
        snapshot = self.snapshot or self.lab.worker.latest_snapshot()
        return None if snapshot is None else predict(snapshot, x)

    def trace_drawing(self, drawing) -> None:
        """Show the drawn digit's forward pass (and its a_in*delta) in the diagram."""
        snapshot = self.snapshot
        if drawing is None or snapshot is None:
            self.network_view.set_trace(None)
            return
        label = self.digit_panel.selected_label()  # None: nobody said, so no label
        self.network_view.set_trace(trace_example(snapshot, drawing, label))

    def on_drawing_changed(self, drawing) -> None:
        """The pad changed: the diagram follows the drawing (or the training example if empty)."""
        self.trace_drawing(drawing)
        self.network_view.refresh()

    def show_status_now(self) -> None:
        """Fill the status bar now, even while training (a new accuracy is worth saying)."""
        self.status_shown = 0.0
        self.update_status()

    def update_status(self) -> None:
        """Fill the status bar from the latest reports (a few times a second at most)."""
        now = time.perf_counter()
        if self.lab.record.running and now - self.status_shown < STATUS_REFRESH_S:
            return
        self.status_shown = now
        record = self.lab.record
        data, r, live = self.lab.data, record.last_batch, self.live
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
        self.status_bar.show_texts(texts)
