"""The main window: the only place that knows both the training worker and the views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QSettings,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.datasets import MnistData
from engine.errors import printable
from engine.network import NetworkConfig
from engine.snapshot import network_of
from engine.training import EpochReport, TrainConfig
from engine.worker import FAILED, PAUSED, RUNNING, TrainingWorker
from gui.app_icon import app_icon
from gui.diagram import NetworkView
from gui.explorer import ExplorerPanel
from gui.insight import InsightPanel
from gui.pad import DigitPanel
from gui.player import StepPlayback
from gui.runs import RunRecord
from gui.settings import (
    DEFAULTS,
    SLOW_MOTION,
    Session,
    first_launch,
    load_session,
    mark_launched,
    reader,
    save_session,
)
from gui.training import BatchStrip, CostPlot, Timeline, TrainingControls
from gui.vertical_scroll import VerticalScrollArea
from gui.window.data_sources import DataSources
from gui.window.dialogs import WindowDialogs
from gui.window.explore_handoff import ExploreHandoff
from gui.window.failure_banner import FailureBanner
from gui.window.live_feed import LiveFeed
from gui.window.menus import build_actions, build_menus
from gui.window.model_files import ModelFiles
from gui.window.placement import WindowPlacement
from gui.window.preferences_dialog import (
    load_preferences,
)
from gui.window.recovery import Recovery
from gui.window.run_goal import RunGoal
from gui.window.shortcut_guard import ShortcutGuard
from gui.window.status_bar import StatusBar
from gui.window.status_tips import StatusTipGate
from gui.window.teach_undo import TeachUndo

DEFAULT_SIZE = QSize(1800, 1000)  # first launch; later launches reopen as the user left it
PAD_MIN_WIDTH = 436  # the pad with its preview beside it, and room for a vertical scroll bar
PAD_WIDTH = 640  # the drawing pad, its 28x28 preview and the output bars side by side
WIDE_WINDOW = 1700  # from this width the pad dock opens wide enough for its side-by-side layout


class MainWindow(QMainWindow):
    """Training controls, the network diagram, the cost plot and the drawing pad in one window."""

    DEFAULT_SIZE = DEFAULT_SIZE

    def __init__(self, settings: QSettings | None = None, data: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Backprop Lab")
        self.setWindowIcon(app_icon())
        self.settings = settings if settings is not None else QSettings()
        self.stored = reader(self.settings)  # every key typed and checked; writes keep refusals
        self.settings_problems = self.stored.read_all()  # stored values not used, and why
        self.session = load_session(self.stored)
        self.typed = self.session  # what the learner chose, saved for the next launch
        if data is not None:
            self.session = replace(self.session, data=data)
        self.record = RunRecord(self)
        self._mode_before_slow: str | None = None  # the edge mode slow motion replaced
        self.data: MnistData | None = None
        self._docks_sized = False
        self.placement = WindowPlacement(self, self.stored)

        self.worker = TrainingWorker(self.session.network, self.session.train, self.session.seed)
        self.worker.set_speed(self.session.speed)
        self.worker.set_keep_interval(load_preferences(self.stored).snapshot_interval)
        self.feed = LiveFeed(self)
        self.files = ModelFiles(self)
        self.data_sources = DataSources(self)
        self.teach = TeachUndo(self)
        self.recovery = Recovery(self)
        self.run_goal = RunGoal(self)
        self.playback = StepPlayback(self)
        self.explore = ExploreHandoff(self)
        self.dialogs = WindowDialogs(self)
        self.confirm: Callable[[str, str], bool] = self.dialogs.ask_to_save_first
        self.confirm_replace: Callable[[str, str], bool] = self.dialogs.ask_yes_no
        self._build_views()
        build_actions(self)
        build_menus(self)
        self._build_status_bar()
        self._connect_worker()
        self._connect_record()
        self.playback.build()
        self._build_runs_and_guide()
        self.controls.set_session(self.session)
        self.cost_plot.set_x_mode(self.session.plot_x)
        self._show_slow_motion(0 < self.session.speed <= SLOW_MOTION)  # as the learner left it
        self._restore_geometry()
        self._update_title()
        self._guard = ShortcutGuard(self)
        self._tips = StatusTipGate(self)  # a menu's result is not hidden by a tip under the mouse

        self.feed.timer.start()
        self.worker.start()
        if self.settings_problems:  # before the data: a failure to load it adds its own line
            self.banner.show_failure(
                f"Some saved settings in {printable(self.settings.fileName())} were out of range "
                "or unreadable and were not used (they stay there until you change them): "
                + "; ".join(self.settings_problems),
                offer_lower_rate=False,
            )
        self.data_sources.load(self.session.data, ask=False)

    def _build_views(self) -> None:
        """Lay out the controls on the left, diagram over cost plot in the middle, pad right."""
        self.controls = TrainingControls()
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.controls.minimumSizeHint().width() + 4)  # frame, no more
        self.banner = FailureBanner()
        self.network_view = NetworkView()
        self.network_view.setMinimumSize(400, 200)  # slow motion's rows fit a 720-pixel screen
        self.cost_plot = CostPlot()
        self.cost_plot.setMinimumHeight(190)  # tick labels apart over its legend and x axis
        self.timeline = Timeline()
        self.timeline.setToolTip(
            "Scrub back through training: the diagram, tiles and outputs show the network as it "
            "was then. Resume from here continues training from that moment."
        )
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.cost_plot, 1)
        self.batch_strip = BatchStrip()
        self.batch_strip.hide()  # shown in slow motion, when single steps can be followed
        lower_layout.addWidget(self.batch_strip)
        lower_layout.addWidget(self.timeline)
        self.middle = QSplitter(Qt.Orientation.Vertical)
        self.middle.addWidget(self.network_view)
        self.middle.addWidget(lower)
        self.middle.setStretchFactor(0, 3)
        self.middle.setStretchFactor(1, 2)
        self.explorer = ExplorerPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.middle, "Network and cost")
        self.tabs.addTab(self.explorer, "Backprop explorer")  # it reflows to fit, never scrolls
        self.insight = InsightPanel()
        insight_scroll = QScrollArea()
        insight_scroll.setWidget(self.insight)
        insight_scroll.setWidgetResizable(True)
        insight_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tabs.addTab(insight_scroll, "Mistakes and data")
        self.tabs.setTabToolTip(
            2,
            "The confusion matrix, the misclassified test digits, what each first-layer "
            "neuron looks for, and the dataset itself.",
        )
        self.tabs.setTabToolTip(0, "The network learning live: weights, gradients and the cost.")
        self.tabs.setTabToolTip(
            1, "Pause and walk through one example's backward pass, with the real numbers."
        )
        self.tabs.currentChanged.connect(self.explore.on_tab_changed)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.tabs, 1)
        self.digit_panel = DigitPanel()
        self.digit_panel.set_predictor(self.feed.predict)
        self.digit_panel.layout().addStretch(1)
        self.pad_area = VerticalScrollArea(self.digit_panel, PAD_MIN_WIDTH)
        self.pad_dock = QDockWidget("Draw a digit", self)
        self.pad_dock.setObjectName("padDock")
        self.pad_dock.setWidget(self.pad_area)
        self.pad_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.pad_dock)
        self.pad_area.setMinimumWidth(self.pad_area.content_width())  # and follows the panel
        self.pad_area.setMaximumWidth(PAD_WIDTH + 40)  # wider would only add empty space
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(centre)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 1000])
        self.setCentralWidget(self.splitter)
        self.addToolBar(self.network_view.toolbar())
        self.digit_panel.input_changed.connect(self.feed.on_drawing_changed)
        self.digit_panel.label_group.idToggled.connect(  # chosen or cleared: the diagram follows
            lambda _id, _on: self.feed.on_drawing_changed(self.digit_panel.network_input())
        )
        self.digit_panel.teach_requested.connect(self.teach.on_teach_requested)
        self.digit_panel.teach_undo_requested.connect(self.teach.undo)
        self.cost_plot.x_mode_changed.connect(lambda mode: self.remember(plot_x=mode))
        self.timeline.snapshot_chosen.connect(self.feed.scrub_to)
        self.timeline.resume_requested.connect(self.feed.resume_from)
        self.insight.digit_chosen.connect(self.explore.on_digit_chosen)
        self.banner.reset_requested.connect(lambda: self.reset(ask=False))
        self.banner.lower_rate_requested.connect(self.recovery.apply)

    def _build_runs_and_guide(self) -> None:
        """Add the Compare tab, the Runs menu and the Follow-the-video guide (issue 18)."""
        from gui.guide import GuideController
        from gui.runs import RunsController

        self.runs = RunsController(self, self.stored)
        self.tabs.addTab(self.runs.panel, "Compare runs")
        self.tabs.setTabToolTip(
            self.tabs.indexOf(self.runs.panel),
            "Kept runs side by side, and the classic experiments in one click.",
        )
        bar = self.menuBar()
        help_menu = next(a for a in bar.actions() if a.text() == "&Help")
        self.runs.build_menu(bar.insertMenu(help_menu, QMenu("&Runs", self)).menu())
        self.guide = GuideController(self, self.stored)
        help_menu.menu().insertAction(help_menu.menu().actions()[0], self.guide.toggle_action)
        from gui.guide import STOPS
        from gui.present import PresentMode, PresentWidgets

        self.present = PresentMode(
            PresentWidgets(
                self,
                self.splitter,
                self.middle,
                self.tabs,
                self.pad_dock,
                self.guide.dock,
                self.guide.panel,
                self.network_view,
                len(STOPS),
                (self.timeline, self.batch_strip),
            ),
            self.present_action,
            self.present_menu,
            self.stored,
        )
        if first_launch(self.stored):  # the lesson starts itself, once (issue 22)
            self.guide.start_lesson()
        mark_launched(self.stored)

    def open_run(self, run) -> bool:
        """Continue from a kept run's network, with its curves, as from an opened model."""

        p = run.parameters
        self.worker.set_train_config(run.train)
        self.worker.adopt(network_of(p), p.epoch, p.examples_seen)
        self.show_opened(network=run.network, train=run.train)
        self.controls.set_session(self.session)
        self.record.pending_history = run.history()
        self.record.model_path = None
        data = self.data.source if self.data is not None else "the data being loaded"
        self.statusBar().showMessage(f"Opened {run.name}; it trains on {data}.", 6000)
        return True

    def _build_status_bar(self) -> None:
        """Show where training is and how fast it goes."""
        self.status_bar = StatusBar()
        self.setStatusBar(self.status_bar)
        self.status_labels = self.status_bar.labels
        self.feed.update_status()

    def _connect_worker(self) -> None:
        """Wire the worker's signals to this window's slots (queued: they run in this thread)."""
        w = self.worker
        w.epoch_finished.connect(self._on_epoch_finished)
        w.state_changed.connect(self._on_state_changed)
        w.state_changed.connect(self.explore.on_state_changed)  # after the record knows it
        w.training_failed.connect(self._on_training_failed)
        w.network_reset.connect(self._on_network_reset)
        w.data_loaded.connect(self.data_sources.on_data_loaded)
        w.data_failed.connect(self.data_sources.on_data_failed)
        w.taught.connect(self.teach.on_taught)
        c = self.controls
        c.network_edited.connect(self._on_network_edited)
        c.train_config_edited.connect(self._on_train_config_edited)
        c.speed_edited.connect(self.set_speed)
        c.goal_edited.connect(lambda epochs: self.remember(goal_epochs=epochs))
        c.invalid_input.connect(lambda message: self.statusBar().showMessage(message, 6000))
        c.data_chosen.connect(self.data_sources.on_data_chosen)
        self.recovery.update_actions(w.state)  # off, and saying so, until the data is in

    def _connect_record(self) -> None:
        """The views follow the run's record: the title, the cost plot, the status bar."""
        r = self.record
        r.changed.connect(self._update_title)
        r.batches_added.connect(self.cost_plot.append_batches)
        r.batches_added.connect(lambda *_: self.teach.forget())  # no undo past training on
        r.epoch_added.connect(
            lambda e: self.cost_plot.add_epoch(e.epoch, e.test_cost, e.test_accuracy)
        )
        r.replaced.connect(self.feed.on_history_replaced)
        r.stalled.connect(self.recovery.on_stalled)
        r.accuracy_changed.connect(self.feed.show_status_now)

    def toggle_run(self) -> None:
        """Run for the chosen number of epochs if paused, pause if running."""
        self.run_goal.toggle()

    def pause(self) -> None:
        """Stop training after the current mini-batch, ending any Run."""
        self.run_goal.end()
        self.worker.pause()

    def set_speed(self, value: float) -> None:
        """Set mini-batches per second (0 is full speed) everywhere it shows."""
        self.worker.set_speed(value)
        self.remember(speed=value)
        for v, action in self.speed_actions:
            action.setChecked(v == value)
        self.controls.show_speed(value)
        self._show_slow_motion(0 < value <= SLOW_MOTION)

    def _show_slow_motion(self, slow: bool) -> None:
        """In slow motion the edges show each step's update and the strip its mini-batch.

        The learner's own edge mode comes back when the speed rises again (unless they picked
        another one meanwhile).
        """
        self.batch_strip.setVisible(slow)
        if slow and self._mode_before_slow is None:
            self._mode_before_slow = self.network_view.edge_mode()
            self.network_view.set_edge_mode("update")
            self.statusBar().showMessage(
                "Slow motion: the edges show each step's update -eta dC/dw, the brightest moved "
                "most; under the cost plot, the mini-batch the step averaged over.",
                10000,
            )
        elif not slow and self._mode_before_slow is not None:
            if self.network_view.edge_mode() == "update":
                self.network_view.set_edge_mode(self._mode_before_slow)
            self._mode_before_slow = None
        if slow and self.feed.live is not None:
            self.batch_strip.set_batch(self.feed.live.batch_images, self.feed.live.batch_labels)

    def reset(
        self, ask: bool = True, config: NetworkConfig | None = None, seed: int | None = None
    ) -> bool:
        """Start a fresh network, asking first if trained work would be lost."""
        if (
            ask
            and self.record.unsaved
            and not self.confirm(
                "Start a new network?", "The current network's training will be lost."
            )
        ):
            return False
        self.banner.hide()
        self.run_goal.end()
        self.worker.reset(config, seed)
        return True

    def reset_new_seed(self) -> None:
        """Reset with the next seed, shown in the controls."""
        seed = (self.session.seed + 1) % 2**31
        if self.reset(seed=seed):
            self.remember(seed=seed)
            self.controls.set_session(self.session)

    def restore_defaults(self) -> None:
        """Return every setting to the seed network's and start afresh."""
        if not self.reset(config=DEFAULTS.network, seed=DEFAULTS.seed):
            return
        self.worker.set_train_config(DEFAULTS.train)
        self.session = self.typed = Session(data=self.session.data)
        save_session(self.settings, self.session)  # asked for: refused values go too
        self.controls.set_session(self.session)
        self.set_speed(DEFAULTS.speed)

    def remember(self, **changes: object) -> None:
        """Update the session with what the learner chose, and save it for the next launch.

        Only the fields the learner changed are saved: after opening a run with eta = 0.3, a
        new mini-batch size is saved with the learning rate the learner last chose, not 0.3.
        """
        typed = {}
        for name, value in changes.items():
            shown, saved = getattr(self.session, name), getattr(self.typed, name)
            if is_dataclass(value) and type(saved) is type(value):
                edited = {
                    f.name: getattr(value, f.name)
                    for f in fields(value)
                    if getattr(value, f.name) != getattr(shown, f.name)
                }
                value = replace(saved, **edited)
            typed[name] = value
        self.typed = replace(self.typed, **typed)
        save_session(self.stored, self.typed)
        self.show_opened(**changes)

    def show_opened(self, **changes: object) -> None:
        """Show and use an opened run's or model's settings without saving them as the learner's.

        The next launch starts a fresh network with the settings the learner chose.
        """
        self.session = replace(self.session, **changes)
        self.controls.remember(self.session)  # else an invalid edit would restore stale values

    def _on_network_edited(self, config: NetworkConfig, seed: int) -> None:
        """The learner changed the architecture, activation, cost or seed: ask, then reset."""
        if self.reset(config=config, seed=seed):
            self.remember(network=config, seed=seed)
        else:
            self.controls.set_session(self.session)

    def _on_train_config_edited(self, config: TrainConfig) -> None:
        """Apply new hyper-parameters from the next mini-batch."""
        self.worker.set_train_config(config)
        self.remember(train=config)

    def _on_epoch_finished(self, report: EpochReport) -> None:
        """Announce the epoch's test result (the report itself arrives with the others)."""
        self.feed.take_reports()
        self.statusBar().showMessage(
            f"Epoch {report.epoch} done in {report.seconds:.2f} s: test accuracy "
            f"{100 * report.test_accuracy:.2f}%, test cost {report.test_cost:.4f}",
            8000,
        )

    def _on_state_changed(self, state: str) -> None:
        """Reflect running, paused or failed in the run button; a Run goes on to its goal."""
        self.record.state = state
        if state == RUNNING:
            self.feed.go_live()  # training moves the live network: the views follow it
        running = state == RUNNING
        self.feed.set_running(running)
        if state == FAILED:
            self.run_goal.goal = None
        self.recovery.update_actions(state)  # enabled when training can run, else says why
        self.feed.refresh()
        if state == PAUSED and self.run_goal.goal is not None:
            self.run_goal.continue_to_goal()
        if state == PAUSED and self.run_goal.goal is None:
            self.record.measure(self.worker.latest_snapshot(), self.data)
        self.run_goal.show_run_state()

    def _on_training_failed(self, message: str) -> None:
        """Training diverged: say what happened and offer a learning rate that works."""
        self.recovery.offer(message)

    def _on_network_reset(self, config: NetworkConfig) -> None:
        """A new network is in place: measure its test accuracy and redraw."""
        self.recovery.update_actions(self.worker.state)
        self.feed.refresh()
        self.record.measure_new(self.worker.latest_snapshot(), self.data)

    def open_model(self, path: str | Path) -> bool:
        """Open a saved network and its history; a bad file changes nothing and says why."""
        return self.files.open_model(path)

    def save_model(self, ask_path: bool = False) -> bool:
        """Save the network and its history, asking where if it is untitled or if asked to."""
        return self.files.save_model(ask_path)

    def save_model_to(self, path: Path) -> bool:
        """Write the latest snapshot's network to ``path`` atomically."""
        return self.files.save_model_to(path)

    def _update_title(self) -> None:
        """Show the model's file name (or untitled) and Qt's unsaved-changes marker."""
        path = self.record.model_path
        name = path.name if path is not None else "untitled"
        self.setWindowTitle(f"{name}[*] \u2014 Backprop Lab")
        self.setWindowModified(self.record.unsaved)

    def _restore_geometry(self) -> None:
        """Reopen where the last session left off (clamped to the screen), or as a first launch."""
        self.placement.restore()
        splitter = self.stored.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        else:
            controls = self.splitter.widget(0).minimumWidth()
            self.splitter.setSizes([controls, max(self.width() - controls, 1)])
        state = self.stored.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """On a first launch, give the pad dock the width its pad, preview and bars need."""
        super().showEvent(event)
        self.placement.shown()
        if not self._docks_sized and not isinstance(self.stored.value("window/state"), QByteArray):
            QTimer.singleShot(0, self.size_docks)
        self._docks_sized = True

    def size_docks(self) -> None:
        """Give the pad dock its side-by-side width on a wide window, its narrow one otherwise."""
        wide = self.width() >= WIDE_WINDOW
        width = PAD_WIDTH + 20 if wide else PAD_MIN_WIDTH
        self.resizeDocks([self.pad_dock], [width], Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Offer to save trained work, then stop the worker and wait for its thread."""
        if self.record.unsaved and self.confirm_quit is not None and not self.confirm_quit():
            event.ignore()
            return
        self.present.leave()  # the normal layout is the one saved
        self.feed.timer.stop()
        self.placement.save()
        self._guard.remove()
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        if self.data_sources.download is not None:
            self.data_sources.download.cancel.set()
        self.explorer.shutdown()
        self.runs.shutdown()
        self.worker.shutdown()
        event.accept()

    confirm_quit: Callable[[], bool] | None = None  # the app asks to save on quit; tests don't
