"""Connects the Follow-the-video panel to the live app: its views, its try-its and its answers.

A try-it is done when the learner takes the real action in the app (the window's own signals say
so); a reveal computes its answer from the engine's numbers of the moment (the explored example,
the step just taken, the experiment just run). Progress is kept in QSettings.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QScrollArea

from engine.teach import TeachResult
from engine.worker import PAUSED
from gui import guide_stops as gs
from gui.guide_panel import GuidePanel

STOP_KEY = "guide/stop"
DONE_KEY = "guide/done"
TABS = {"network": 0, "explorer": 1}


class GuideController(QObject):
    """Owns the guide's dock and notices the learner's real actions."""

    def __init__(self, window: QMainWindow, settings: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.panel = GuidePanel()
        self.done: set[str] = self._read_done()
        self._teach: TeachResult | None = None  # the step taken since the stop was shown
        self._stepped = None  # the snapshot after the mini-batch stepped since then
        self._armed: int | None = None  # examples seen when Step mini-batch was pressed
        self._experiments: dict[str, list] = {}  # the latest finished run list per experiment
        scroll = QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(260)
        self.dock = QDockWidget("Follow the video", window)
        self.dock.setObjectName("guideDock")
        self.dock.setWidget(scroll)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.splitDockWidget(window.pad_dock, self.dock, Qt.Orientation.Vertical)
        self.dock.hide()  # opened from Help; the window's saved state reopens it
        self.toggle_action = self.dock.toggleViewAction()
        self.toggle_action.setText("Follow the video")
        self.toggle_action.setShortcut("Shift+F1")
        self.toggle_action.setToolTip("A guided path through the video's ideas in the live app.")
        p = self.panel
        p.stop_changed.connect(self._on_stop_changed)
        p.show_requested.connect(self.open_view)
        p.reveal_requested.connect(self.reveal)
        p.set_done(self.done)
        p.set_stop(self._read_stop())
        self._offer_choices()
        self._connect_actions()

    def _read_stop(self) -> int:
        try:
            return int(self.settings.value(STOP_KEY, 0))
        except (TypeError, ValueError):
            return 0

    def _read_done(self) -> set[str]:
        value = self.settings.value(DONE_KEY, [])
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return {v for v in values if v in gs.BY_KEY}

    def _connect_actions(self) -> None:
        """Listen to the real actions the try-its wait for."""
        w = self.window
        w.explorer.trace_changed.connect(self._on_explored)
        w.explorer.gradient_page.slider.valueChanged.connect(lambda _v: self.fire(gs.NUDGE_SLIDER))
        w.explorer.output_page.target_chosen.connect(lambda _j: self.fire(gs.CHOOSE_OUTPUT))
        w.explorer.back_page.back_to_changed.connect(lambda _k: self.fire(gs.BACK_SLIDER))
        w.worker.taught.connect(self._on_taught)
        w.step_action.triggered.connect(self._on_step_pressed)
        w.worker.state_changed.connect(self._on_worker_state)
        w.runs.runner.experiment_finished.connect(self._on_experiment_finished)

    def fire(self, event: str) -> None:
        """The learner did ``event``: the stops waiting for it are done."""
        for stop in gs.STOPS:
            if stop.event == event:
                self.done.add(stop.key)
        self.settings.setValue(DONE_KEY, sorted(self.done))
        self.panel.set_done(self.done)

    def _on_explored(self, trace) -> None:
        """The explorer took an example: done if it is the pad's own digit."""
        drawing = self.window.digit_panel.network_input()
        e = self.window.explorer.exploration
        if drawing is None or e is None:
            return
        if e.image.shape == drawing.shape and np.array_equal(e.image, drawing):
            self.fire(gs.EXPLORE_DRAWING)

    def _on_taught(self, result: TeachResult) -> None:
        self._teach = result
        self.fire(gs.TEACH)

    def _on_step_pressed(self) -> None:
        snapshot = self.window.worker.latest_snapshot()
        self._armed = snapshot.examples_seen if snapshot is not None else 0

    def _on_worker_state(self, state: str) -> None:
        """After Step mini-batch, the worker pauses with one more batch trained."""
        if self._armed is None or state != PAUSED:
            return
        snapshot = self.window.worker.latest_snapshot()
        if snapshot is not None and snapshot.examples_seen > self._armed:
            self._armed = None
            self._stepped = snapshot
            self.fire(gs.STEP_BATCH)

    def _on_experiment_finished(self, key: str, cancelled: bool) -> None:
        if cancelled:
            return
        self._experiments[key] = list(self.window.runs.runner.runs)
        self.fire(f"experiment:{key}")

    def _on_stop_changed(self, index: int) -> None:
        """A new stop: remember it, and forget answers that belonged to the previous question."""
        self.settings.setValue(STOP_KEY, index)
        self._teach = None
        self._stepped = None
        self._offer_choices()

    def _offer_choices(self) -> None:
        snapshot = self.window.worker.latest_snapshot()
        sizes = snapshot.config.sizes if snapshot is not None else self.window.session.network.sizes
        self.panel.set_choices(gs.choices(self.panel.stop, sizes))

    def show(self, index: int | None = None) -> None:
        """Open the guide (at stop ``index``, if given)."""
        was_hidden = self.dock.isHidden()
        self.dock.show()
        self.dock.raise_()
        if was_hidden and not self.dock.isFloating():
            self._share_height()
        if index is not None:
            self.panel.set_stop(index)

    def _share_height(self) -> None:
        """Give the pad what its drawing, outputs and Teach row need, and the guide the rest."""
        w = self.window
        if w.dockWidgetArea(self.dock) != w.dockWidgetArea(w.pad_dock) or w.pad_dock.isHidden():
            return
        total = w.pad_dock.height() + self.dock.height()
        pad = min(w.digit_panel.minimumSizeHint().height() + 40, total // 2)
        w.resizeDocks([w.pad_dock, self.dock], [pad, total - pad], Qt.Orientation.Vertical)

    def open_view(self, index: int) -> None:
        """Open the view stop ``index`` is about: a tab, an explorer step, a mode, the pad."""
        w = self.window
        view = gs.STOPS[index].view
        if view.pad:
            w.pad_dock.show()
            w.pad_dock.raise_()
        if view.tab == "compare":
            w.runs.show_panel()
            if view.experiment:
                w.runs.panel.choose_experiment(view.experiment)
        else:
            w.tabs.setCurrentIndex(TABS[view.tab])
        if view.explorer_step is not None:
            w.explorer.set_step(view.explorer_step)
        if view.edge_mode is not None:
            w.network_view.set_edge_mode(view.edge_mode)
        self._offer_choices()

    def reveal(self, index: int, guess: int) -> str:
        """Show the answer to stop ``index``'s question, compared with ``guess``."""
        result = self.answer(index)
        text = result if isinstance(result, str) else result.verdict(guess)
        self.panel.show_answer(text)
        return text

    def answer(self, index: int) -> gs.Reveal | str:
        """Return the reveal of stop ``index`` from the engine's numbers, or what to do first."""
        stop = gs.STOPS[index]
        e = self.window.explorer.exploration
        need_explorer = "Open the explorer on an example first (Show me)."
        if stop.key == "cost":
            return gs.reveal_cost_term(e) if e is not None else need_explorer
        if stop.key == "sensitivity":
            if e is None or self.window.explorer.state is None:
                return need_explorer
            return gs.reveal_nudge(e, self.window.explorer.state.param)
        if stop.key == "nudges":
            if self._teach is None:
                return "Apply one SGD step on the pad's digit to find out."
            return gs.reveal_teach(self._teach)
        if stop.key == "three-ways":
            return gs.reveal_strongest_weight(e) if e is not None else need_explorer
        if stop.key == "backwards":
            if e is None or e.n_layers < 2:
                return need_explorer
            return gs.reveal_hidden_desire(e)
        if stop.key == "averaging":
            if self._stepped is None or self._stepped.step_w is None:
                return "Press Step mini-batch to find out."
            return gs.reveal_moved_layer(self._stepped)
        key = "batch-size" if stop.key == "sgd" else "data-size"
        runs = self._experiments.get(key)
        if not runs:
            return "Run the experiment to find out."
        labels = gs.choices(stop)
        return gs.reveal_best_run(runs[: len(labels)], labels[: len(runs)])
