"""Connects the Follow-the-video panel to the live app: its views, its try-its and its answers.

A try-it is done when the learner takes the real action in the app (the window's own signals say
so), whether they do it themselves or press the guide's Try it, which does it for them. A reveal
computes its answer from the engine's numbers of the moment (the step just played, the explored
example, the networks step 12 trained). Progress is kept in QSettings. On the first launch the
window opens the guide at its first stop, Start here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractSlider, QDockWidget, QTabWidget

from engine.lessons.teach import TeachResult
from engine.session.worker import PAUSED
from gui.guide import stops as gs
from gui.guide.panel import GuidePanel
from gui.settings_reader import SettingsReader

if TYPE_CHECKING:
    from gui.diagram import NetworkView
    from gui.explorer import ExplorerPanel
    from gui.pad import DigitPanel

STOP_KEY = "guide/stop"
DONE_KEY = "guide/done"
TABS = {"network": 0, "explorer": 1}
READY_MS = 250  # how often the open guide checks whether its answer can be computed yet
NEED_EXPLORER = "Open the explorer on an example first (Show me)."
EXPLORER_ANSWERS = ("cost", "three-ways", "backwards", "sensitivity", "steepest", "drunk")


class GuideController(QObject):
    """Owns the guide's dock, does its try-its, and notices the learner's real actions.

    Built from the lab and the views it opens and reads: the tabs, the explorer and its
    hand-off, the pad and its dock, the diagram and Play one step. ``step`` and
    ``explore_drawing`` trigger the window's Step mini-batch and Explore the drawn digit; the
    window docks the guide, tells it of Step mini-batch (``on_step_pressed``) and shares the
    height between the pad and the guide when ``height_wanted`` asks.
    """

    height_wanted = Signal()  # the guide opened beside the pad: share their height

    def __init__(
        self,
        lab: QObject,  # the window's Lab (gui.lab), not imported: it imports the guide's stops
        settings: SettingsReader,
        *,
        tabs: QTabWidget,
        explorer: ExplorerPanel,
        explore: QObject,  # the window's hand-off to the explorer: .waiting, .load()
        digit_panel: DigitPanel,
        pad_dock: QDockWidget,
        network_view: NetworkView,
        playback: QObject,  # Play one step (gui.player): its .player and its .action
        step: Callable[[], None],
        explore_drawing: Callable[[], None],
    ) -> None:
        super().__init__(lab)
        self.lab = lab
        self.tabs, self.explorer, self.explore = tabs, explorer, explore
        self.digit_panel, self.pad_dock = digit_panel, pad_dock
        self.network_view, self.playback = network_view, playback
        self.step, self.explore_drawing = step, explore_drawing
        self.settings = settings
        self.panel = GuidePanel()
        self.done: set[str] = self._read_done()
        self._teach: TeachResult | None = None  # the Teach step taken since the stop was shown
        self._story = None  # the StepStory played since the stop was shown
        self._armed: int | None = None  # examples seen when Step mini-batch was pressed
        self._amounts: tuple = ()  # step 12's AmountResults
        self._share_on_show = False  # a first launch sizes the guide once the window is shown
        self.panel.setMinimumWidth(260)
        self.dock = QDockWidget("Follow the video")  # the window docks it under the pad
        self.dock.setObjectName("guideDock")
        self.dock.setWidget(self.panel)
        self.dock.hide()  # opened from Help, Shift+F1 or the toolbar; the saved state reopens it
        self.toggle_action = self.dock.toggleViewAction()
        self.toggle_action.setText("Follow the video")
        self.toggle_action.setShortcut("Shift+F1")
        self.toggle_action.setToolTip(
            "A guided path through the video's ideas in the live app (Shift+F1)."
        )
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
        worker, explorer = self.lab.worker, self.explorer
        worker.step_played.connect(self._on_step_played)
        explorer.trace_changed.connect(self._on_explored)
        explorer.gradient_page.slider.valueChanged.connect(self._on_nudge_slider)
        explorer.output_page.target_chosen.connect(self._on_output_chosen)
        explorer.back_page.back_to_changed.connect(self._on_back_slider)
        explorer.data_amount_page.runner.runs_finished.connect(self._on_amounts_finished)
        worker.taught.connect(self._on_taught)
        worker.state_changed.connect(self._on_worker_state)
        explorer.descent_page.equal_steps.clicked.connect(self._on_equal_steps)

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
        drawing = self.digit_panel.network_input()
        e = self.explorer.exploration
        if drawing is None or e is None:
            return
        if e.image.shape == drawing.shape and np.array_equal(e.image, drawing):
            self.fire(gs.EXPLORE_DRAWING)

    def _on_taught(self, result: TeachResult) -> None:
        self._teach = result
        self.fire(gs.TEACH)

    def on_step_pressed(self) -> None:
        """Step mini-batch was pressed: its try-it is done once the worker pauses a batch on.

        Counted from what the window shows, which only the GUI thread moves: the worker's own
        snapshot may already hold the step, taken in its thread before this slot ran.
        """
        shown = self.lab.record.last_batch
        self._armed = shown.examples_seen if shown is not None else 0

    def _on_worker_state(self, state: str) -> None:
        """After Step mini-batch, the worker pauses with one more batch trained."""
        if self._armed is None or state != PAUSED:
            return
        snapshot = self.lab.worker.latest_snapshot()
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
            QTimer.singleShot(0, self.height_wanted.emit)  # after the window's first layout
        if visible:
            self._offer_choices()
            self._update_ready()
            self._ready_timer.start()
        else:
            self._ready_timer.stop()

    def _offer_choices(self) -> None:
        snapshot = self.lab.worker.latest_snapshot()
        sizes = snapshot.config.sizes if snapshot is not None else self.lab.session.network.sizes
        data = self.lab.data
        n_train = len(data.train.labels) if data is not None else 10000
        self.panel.set_choices(gs.choices(self.panel.stop, sizes, n_train))

    def _update_ready(self) -> None:
        lab = self.lab
        self.panel.set_can_step(lab.data is not None and lab.worker.latest_snapshot() is not None)
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
            self.height_wanted.emit()
        if index is not None:
            self.panel.set_stop(index)

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
        view = gs.STOPS[index].view
        if view.pad:
            self.pad_dock.show()
            self.pad_dock.raise_()
        self.tabs.setCurrentIndex(TABS[view.tab])
        live = self.lab.worker.latest_snapshot()
        stale = self.explore.waiting or self.explorer.snapshot is not live  # a step or Teach
        if view.tab == "explorer" and stale and live is not None and not self.lab.record.running:
            self.explore.load()  # the live network now, not after the hand-off's zero timer
        if view.explorer_step is not None:
            self.explorer.set_step(view.explorer_step)
        if view.edge_mode is not None:
            self.network_view.set_edge_mode(view.edge_mode)
        self._offer_choices()

    def try_it(self, index: int) -> None:
        """Do stop ``index``'s try-it in the app, as the learner would (the Try it button)."""
        pad, player = self.digit_panel, self.playback.player
        key = gs.STOPS[index].key
        if key in ("play", "averaging"):
            if player.is_active():
                player.close()  # a new step, not a pause of the one shown
            self.playback.action.trigger()
        elif key in ("cost", "nudges"):
            self.open_view(index)
            if pad.network_input() is None:
                pad.load_test_digit()
            if key == "cost":
                self.explore_drawing()
            elif pad.selected_label() is None:
                self.panel.show_answer("Pick the right digit under Teach it first.", final=False)
            else:
                pad.apply_step()
        elif key in ("three-ways", "backwards", "sensitivity", "data"):
            self.open_view(index)
            self._try_in_explorer(key)
        elif key == "steepest":
            self.step()
        elif key == "drunk":
            self.open_view(index)
            self.explorer.descent_page.equal_steps.click()

    def _try_in_explorer(self, key: str) -> None:
        """Move the explorer control a try-it is about, once the explorer has its example."""
        explorer = self.explorer
        if key == "data":
            explorer.data_amount_page.start()
            return
        if explorer.state is None:
            self.panel.show_answer(NEED_EXPLORER, final=False)
            return
        step = QAbstractSlider.SliderAction
        if key == "three-ways":
            page = explorer.output_page
            j = (explorer.state.target + 1) % page.combo.count()
            page.combo.setCurrentIndex(j)
            page.combo.activated.emit(j)  # as the learner's own choice
        else:
            page = explorer.back_page if key == "backwards" else explorer.gradient_page
            slider = page.slider
            lower = slider.value() >= slider.maximum() or (
                key == "backwards" and slider.value() > slider.minimum()
            )
            slider.triggerAction(step.SliderSingleStepSub if lower else step.SliderSingleStepAdd)

    def ready(self, index: int) -> bool:
        """Return True if stop ``index``'s answer can be computed now (cheap: no computing)."""
        key = gs.STOPS[index].key
        e = self.explorer.exploration
        if key in ("play", "averaging"):
            return self._story is not None
        if key == "nudges":
            return self._teach is not None
        if key == "data":
            return bool(self._amounts)
        if key == "sensitivity":
            return e is not None and self.explorer.state is not None
        if key == "backwards":
            return e is not None and e.n_layers >= 2
        if key == "steepest":
            return e is not None and e.batch_images is not None
        if key == "drunk":
            return e is not None and e.batch_images is not None and self.lab.data is not None
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
        e = self.explorer.exploration
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
            return gs.reveal_nudge(e, self.explorer.state.param)
        if key == "three-ways":
            return gs.reveal_strongest_weight(e)
        if key == "backwards":
            return gs.reveal_hidden_desire(e)
        if key == "steepest":
            return gs.reveal_steepest(e, e.snapshot.train_config.learning_rate)
        train = self.lab.data.train
        return gs.reveal_drunk(e, train.images, train.labels)
