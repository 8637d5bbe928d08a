"""Connects the Follow-the-video panel to the live app: its views, its try-its and its answers.

A try-it is done when the learner takes the real action in the app (the window's own signals say
so), whether they do it themselves or press the guide's Try it, which does it for them. A reveal
computes its answer from the engine's numbers of the moment (the step just played, the explored
example, the networks step 12 trained). Progress is kept in QSettings. On the first launch the
window opens the guide at its first stop, Start here.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractSlider, QDockWidget, QMainWindow

from engine.lessons.teach import TeachResult
from engine.session.worker import PAUSED
from gui.guide import stops as gs
from gui.guide.panel import GuidePanel
from gui.settings_reader import SettingsReader

STOP_KEY = "guide/stop"
DONE_KEY = "guide/done"
TABS = {"network": 0, "explorer": 1}
READY_MS = 250  # how often the open guide checks whether its answer can be computed yet
NEED_EXPLORER = "Open the explorer on an example first (Show me)."
EXPLORER_ANSWERS = ("cost", "three-ways", "backwards", "sensitivity", "steepest", "drunk")


class GuideController(QObject):
    """Owns the guide's dock, does its try-its, and notices the learner's real actions."""

    def __init__(self, window: QMainWindow, settings: SettingsReader) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.panel = GuidePanel()
        self.done: set[str] = self._read_done()
        self._teach: TeachResult | None = None  # the Teach step taken since the stop was shown
        self._story = None  # the StepStory played since the stop was shown
        self._armed: int | None = None  # examples seen when Step mini-batch was pressed
        self._amounts: tuple = ()  # step 12's AmountResults
        self._share_on_show = False  # a first launch sizes the guide once the window is shown
        self.panel.setMinimumWidth(260)
        self.dock = QDockWidget("Follow the video", window)
        self.dock.setObjectName("guideDock")
        self.dock.setWidget(self.panel)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        window.splitDockWidget(window.pad_dock, self.dock, Qt.Orientation.Vertical)
        self.dock.hide()  # opened from Help, Shift+F1 or the toolbar; the saved state reopens it
        self.toggle_action = self.dock.toggleViewAction()
        self.toggle_action.setText("Follow the video")
        self.toggle_action.setShortcut("Shift+F1")
        self.toggle_action.setToolTip(
            "A guided path through the video's ideas in the live app (Shift+F1)."
        )
        window.network_view.toolbar().addAction(self.toggle_action)  # visible, one click away
        self._ready_timer = QTimer(self)
        self._ready_timer.setInterval(READY_MS)
        self._ready_timer.timeout.connect(self._update_ready)
        self.dock.visibilityChanged.connect(self._on_visibility_changed)
        p = self.panel
        p.stop_changed.connect(self._on_stop_changed)
        p.show_requested.connect(self.open_view)
        p.try_requested.connect(self.try_it)
        p.reveal_requested.connect(self.reveal)
        p.set_done(self.done)
        p.set_stop(self._read_stop())
        self._offer_choices()
        self._connect_actions()

    def _read_stop(self) -> int:
        return self.settings.value(STOP_KEY)

    def _read_done(self) -> set[str]:
        return set(self.settings.value(DONE_KEY))

    def _connect_actions(self) -> None:
        """Listen to the real actions the try-its wait for."""
        w = self.window
        w.worker.step_played.connect(self._on_step_played)
        w.explorer.trace_changed.connect(self._on_explored)
        w.explorer.gradient_page.slider.valueChanged.connect(self._on_nudge_slider)
        w.explorer.output_page.target_chosen.connect(self._on_output_chosen)
        w.explorer.back_page.back_to_changed.connect(self._on_back_slider)
        w.explorer.data_amount_page.runner.runs_finished.connect(self._on_amounts_finished)
        w.worker.taught.connect(self._on_taught)
        w.menus.step_action.triggered.connect(self._on_step_pressed)
        w.worker.state_changed.connect(self._on_worker_state)
        w.explorer.descent_page.equal_steps.clicked.connect(self._on_equal_steps)

    def fire(self, event: str) -> None:
        """The learner did ``event``: the stops waiting for it are done."""
        for stop in gs.STOPS:
            if stop.event == event:
                self.done.add(stop.key)
        self.settings.setValue(DONE_KEY, sorted(self.done))
        self.panel.set_done(self.done)

    def _on_step_played(self, story) -> None:
        """Play one step took a step (None: it could not)."""
        if story is not None and story.after is not None:
            self._story = story
            self.fire(gs.STEP_PLAYED)

    def _on_equal_steps(self) -> None:
        self.fire(gs.DRUNK_VIEWS)

    def _on_nudge_slider(self, _value: int) -> None:
        self.fire(gs.NUDGE_SLIDER)

    def _on_output_chosen(self, _index: int) -> None:
        self.fire(gs.CHOOSE_OUTPUT)

    def _on_back_slider(self, _layer: int) -> None:
        self.fire(gs.BACK_SLIDER)

    def _on_amounts_finished(self, progress) -> None:
        self._amounts = tuple(progress.results)
        self.fire(gs.DATA_AMOUNT)

    def _on_explored(self, trace) -> None:
        """The explorer took an example: done if it is the pad's own digit.

        An answer revealed from the explorer's numbers is revealed again from the new ones, so
        the sentence always agrees with what the explorer shows.
        """
        p = self.panel
        if p.revealed() and p.stop.key in EXPLORER_ANSWERS and self.ready(p.index):
            self.reveal(p.index, p.choice.currentIndex())
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
            self.fire(gs.STEP_BATCH)

    def _on_stop_changed(self, index: int) -> None:
        """A new stop: remember it, and forget answers that belonged to the previous question."""
        self.settings.setValue(STOP_KEY, index)
        self._teach = None
        self._story = None
        self._offer_choices()
        self._update_ready()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible and self._share_on_show:
            self._share_on_show = False
            QTimer.singleShot(0, self._share_height)  # after the window's first layout
        if visible:
            self._offer_choices()
            self._update_ready()
            self._ready_timer.start()
        else:
            self._ready_timer.stop()

    def _offer_choices(self) -> None:
        snapshot = self.window.worker.latest_snapshot()
        sizes = snapshot.config.sizes if snapshot is not None else self.window.session.network.sizes
        data = self.window.data
        n_train = len(data.train.labels) if data is not None else 10000
        self.panel.set_choices(gs.choices(self.panel.stop, sizes, n_train))

    def _update_ready(self) -> None:
        w = self.window
        self.panel.set_can_step(w.data is not None and w.worker.latest_snapshot() is not None)
        self.panel.set_reveal_ready(self.ready(self.panel.index))

    def start_lesson(self) -> None:
        """The first launch: open the guide at its first stop, with Start here highlighted.

        The window is not shown yet: the guide and the pad share their height once it is.
        """
        self.dock.show()
        self.panel.set_stop(0)
        self._share_on_show = True

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

    def current_stop(self) -> int:
        """Return the index of the stop the guide shows."""
        return self.panel.index

    def is_open(self) -> bool:
        """Return True while the guide's dock is open."""
        return not self.dock.isHidden()

    def set_stop(self, index: int, open_: bool) -> None:
        """Show stop ``index`` (clamped to the stops), with the guide open or closed."""
        index = min(max(int(index), 0), len(gs.STOPS) - 1)
        if open_:
            self.show(index)
        else:
            self.dock.hide()
            self.panel.set_stop(index)

    def open_view(self, index: int) -> None:
        """Open the view stop ``index`` is about: a tab, an explorer step, a mode, the pad."""
        w = self.window
        view = gs.STOPS[index].view
        if view.pad:
            w.pad_dock.show()
            w.pad_dock.raise_()
        w.tabs.setCurrentIndex(TABS[view.tab])
        live = w.worker.latest_snapshot()
        stale = w.explore.waiting or w.explorer.snapshot is not live  # a step or Teach since
        if view.tab == "explorer" and stale and live is not None and not w.record.running:
            w.explore.load()  # the live network now, not after the hand-off's zero timer
        if view.explorer_step is not None:
            w.explorer.set_step(view.explorer_step)
        if view.edge_mode is not None:
            w.network_view.set_edge_mode(view.edge_mode)
        self._offer_choices()

    def try_it(self, index: int) -> None:
        """Do stop ``index``'s try-it in the app, as the learner would (the Try it button)."""
        w = self.window
        key = gs.STOPS[index].key
        if key in ("play", "averaging"):
            if w.step_player.is_active():
                w.step_player.close()  # a new step, not a pause of the one shown
            w.play_step_action.trigger()
        elif key in ("cost", "nudges"):
            self.open_view(index)
            if w.digit_panel.network_input() is None:
                w.digit_panel.load_test_digit()
            if key == "cost":
                w.menus.explore_drawing_action.trigger()
            elif w.digit_panel.selected_label() is None:
                self.panel.show_answer("Pick the right digit under Teach it first.", final=False)
            else:
                w.digit_panel.apply_step()
        elif key in ("three-ways", "backwards", "sensitivity", "data"):
            self.open_view(index)
            self._try_in_explorer(key)
        elif key == "steepest":
            w.menus.step_action.trigger()
        elif key == "drunk":
            self.open_view(index)
            w.explorer.descent_page.equal_steps.click()

    def _try_in_explorer(self, key: str) -> None:
        """Move the explorer control a try-it is about, once the explorer has its example."""
        w = self.window
        if key == "data":
            w.explorer.data_amount_page.start()
            return
        if w.explorer.state is None:
            self.panel.show_answer(NEED_EXPLORER, final=False)
            return
        step = QAbstractSlider.SliderAction
        if key == "three-ways":
            page = w.explorer.output_page
            j = (w.explorer.state.target + 1) % page.combo.count()
            page.combo.setCurrentIndex(j)
            page.combo.activated.emit(j)  # as the learner's own choice
        else:
            page = w.explorer.back_page if key == "backwards" else w.explorer.gradient_page
            slider = page.slider
            lower = slider.value() >= slider.maximum() or (
                key == "backwards" and slider.value() > slider.minimum()
            )
            slider.triggerAction(step.SliderSingleStepSub if lower else step.SliderSingleStepAdd)

    def ready(self, index: int) -> bool:
        """Return True if stop ``index``'s answer can be computed now (cheap: no computing)."""
        key = gs.STOPS[index].key
        e = self.window.explorer.exploration
        if key in ("play", "averaging"):
            return self._story is not None
        if key == "nudges":
            return self._teach is not None
        if key == "data":
            return bool(self._amounts)
        if key == "sensitivity":
            return e is not None and self.window.explorer.state is not None
        if key == "backwards":
            return e is not None and e.n_layers >= 2
        if key == "steepest":
            return e is not None and e.batch_images is not None
        if key == "drunk":
            return e is not None and e.batch_images is not None and self.window.data is not None
        return e is not None

    def reveal(self, index: int, guess: int) -> str:
        """Show the answer to stop ``index``'s question, compared with ``guess``."""
        result = self.answer(index)
        text = result if isinstance(result, str) else result.verdict(guess)
        self.panel.show_answer(text, final=not isinstance(result, str))
        return text

    def answer(self, index: int) -> gs.Reveal | str:
        """Return the reveal of stop ``index`` from the engine's numbers, or what to do first."""
        key = gs.STOPS[index].key
        w = self.window
        e = w.explorer.exploration
        if key in ("play", "averaging"):
            if self._story is None:
                return "Play one step (P) to find out."
            return (
                gs.reveal_step_costs(self._story)
                if key == "play"
                else gs.reveal_agreement(self._story)
            )
        if key == "nudges":
            if self._teach is None:
                return "Apply one SGD step on the pad's digit to find out."
            return gs.reveal_teach(self._teach)
        if key == "data":
            if not self._amounts:
                return "Train step 12's networks to find out."
            return gs.reveal_amounts(self._amounts)
        if not self.ready(index):
            return NEED_EXPLORER
        if key == "cost":
            return gs.reveal_cost_term(e)
        if key == "sensitivity":
            return gs.reveal_nudge(e, w.explorer.state.param)
        if key == "three-ways":
            return gs.reveal_strongest_weight(e)
        if key == "backwards":
            return gs.reveal_hidden_desire(e)
        if key == "steepest":
            return gs.reveal_steepest(e, e.snapshot.train_config.learning_rate)
        return gs.reveal_drunk(e, w.data.train.images, w.data.train.labels)
