"""The main window: the only place that knows both the training worker and the views."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QSettings,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine import diagnosis, limits
from engine.atomic import atomic_write
from engine.datasets import Dataset, MnistData, load_data, load_full
from engine.download import cached_mnist_dir
from engine.errors import BackpropLabError
from engine.history import TrainingHistory
from engine.model_io import save_model
from engine.network import NetworkConfig
from engine.snapshot import Snapshot, network_of, predict, trace_example
from engine.stall import is_stalled, stall_summary
from engine.teach import TeachResult
from engine.training import BatchReport, EpochReport, TrainConfig, evaluate
from engine.words import quantity
from engine.worker import FAILED, PAUSED, RUNNING, NetworkStarted, TrainingWorker
from gui.app_icon import app_icon
from gui.batch_strip import BatchStrip
from gui.cost_plot import CostPlot
from gui.digit_panel import DigitPanel
from gui.download_dialog import DownloadDialog, DownloadProgress
from gui.explorer.panel import ExplorerPanel
from gui.failure_banner import FailureBanner
from gui.file_names import documents_path, model_file_path, model_name
from gui.help_dialog import HelpDialog
from gui.insight_panel import InsightPanel
from gui.model_reader import read_model
from gui.network_view import NetworkView
from gui.preferences_dialog import (
    Preferences,
    PreferencesDialog,
    load_preferences,
    save_preferences,
)
from gui.settings import (
    DEFAULTS,
    SLOW_MOTION,
    SPEEDS,
    Session,
    load_session,
    save_session,
)
from gui.shortcut_guard import ShortcutGuard
from gui.timeline import LIVE, Timeline
from gui.training_controls import SPEED_LABELS, TrainingControls
from gui.window_placement import WindowPlacement

DEFAULT_SIZE = QSize(1800, 1000)  # first launch; later launches reopen as the user left it
PAD_MIN_WIDTH = 436  # the pad with its preview beside it, and room for a vertical scroll bar
PAD_WIDTH = 640  # the drawing pad, its 28x28 preview and the output bars side by side
WIDE_WINDOW = 1700  # from this width the pad dock opens wide enough for its side-by-side layout
REFRESH_MS = 33  # the views pull the latest snapshot about 30 times a second
GUI_BUDGET = 8  # while training, each redraw is followed by 8 times its cost of training
PAD_REFRESH_S = 0.2  # while training, the pad's guess follows the network 5 times a second
INSIGHT_REFRESH_S = 0.2  # the insight panel, when shown, refreshes 5 times a second
TIMELINE_REFRESH_S = 0.5  # while training, the history slider grows twice a second
STATUS_REFRESH_S = 0.25  # while training, the status bar changes 4 times a second
RUNNING_PLOT_MS = 400  # the cost plot redraws 2.5 times a second while training
EXPLORER_TAB = 1
INSIGHT_TAB = 2
RECENT_FILES = 8  # files listed under File > Open recent
DIAGNOSIS_IMAGES = 1000  # training images a stalled run's neurons are examined on
ABOUT = """<h3>Backprop Lab</h3>
<p>Watch a real neural network learn handwritten digits by backpropagation and stochastic
gradient descent, one mini-batch at a time.</p>
<p>The MNIST database of handwritten digits is by Yann LeCun, Corinna Cortes and Christopher
J. C. Burges (CC BY-SA 3.0). The bundled sample is a class-balanced subset of it.</p>
<p>The seed network and its notation follow Michael Nielsen's <i>Neural Networks and Deep
Learning</i> and 3Blue1Brown's <i>What is backpropagation really doing?</i>.</p>"""


class MainWindow(QMainWindow):
    """Training controls, the network diagram, the cost plot and the drawing pad in one window."""

    DEFAULT_SIZE = DEFAULT_SIZE

    def __init__(self, settings: QSettings | None = None, data: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Backprop Lab")
        self.setWindowIcon(app_icon())
        self.settings = settings if settings is not None else QSettings()
        self.settings_problems: list[str] = []  # stored values that were not used, and why
        self.session = load_session(self.settings, self.settings_problems)
        load_preferences(self.settings, self.settings_problems)
        if data is not None:
            self.session = replace(self.session, data=data)
        self.confirm: Callable[[str, str], bool] = self._ask
        self.history = TrainingHistory()
        self._unsaved = False
        self._model_path: Path | None = None  # None: untitled, Save asks for a file
        self.confirm_replace: Callable[[str, str], bool] = self._ask_yes_no
        self._goal: int | None = None  # Run's target of completed epochs, None when not running
        self._live: Snapshot | None = None  # the worker's latest snapshot, as last pulled
        self._accuracy_text = "Test accuracy \u2014"
        # What a network about to start is, by the examples it will have seen (opened, resumed
        # ...): its first accuracy is labelled with it. Keyed so a late signal takes no other's.
        self._start_notes: dict[int, str] = {}
        self._accuracy_seen: int | None = None  # examples seen by the network last measured
        self._taught: tuple[TeachResult, bool, float] | None = None  # undo: step, unsaved, acc
        self._undoing: tuple[bool, float] | None = None  # an undo under way: unsaved, accuracy
        self._remedy: diagnosis.Remedy | None = None  # what the banner's fix button applies
        self._stall_shown = False
        self._mode_before_slow: str | None = None  # the edge mode slow motion replaced
        self.last_epoch: EpochReport | None = None
        self.last_batch: BatchReport | None = None
        self.data: MnistData | None = None
        self._shown_serial = -1
        self._state = "paused"
        self._download: DownloadProgress | None = None
        self._snapshot: Snapshot | None = None
        self._pad_refreshed = 0.0
        self._status_shown = 0.0
        self._docks_sized = False
        self.placement = WindowPlacement(self, self.settings)
        self._timeline_shown = 0.0
        self._insight_refreshed = 0.0
        self._history_length = 0
        self._scrubbed: int | None = None  # the kept snapshot the views show, None when live
        self._resume_point: float | None = None  # epochs of training where a branch starts
        self._pending_history: TrainingHistory | None = None  # an opened model's record

        self.worker = TrainingWorker(self.session.network, self.session.train, self.session.seed)
        self.worker.set_speed(self.session.speed)
        self.worker.set_history_interval(load_preferences(self.settings).snapshot_interval)
        self._build_views()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self._connect_worker()
        self._build_step_player()
        self._build_runs_and_guide()
        self.controls.set_session(self.session)
        self.cost_plot.set_x_mode(self.session.plot_x)
        self._show_slow_motion(0 < self.session.speed <= SLOW_MOTION)  # as the learner left it
        self._restore_geometry()
        self._update_title()
        self._guard = ShortcutGuard(self)

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh_views)
        self._timer.start()
        self.worker.start()
        self._load(self.session.data, ask=False)
        if self.settings_problems:
            self.banner.show_failure(
                "Some saved settings were out of range or unreadable and were not used: "
                + "; ".join(self.settings_problems),
                offer_lower_rate=False,
            )

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
        self.network_view.setMinimumSize(400, 300)
        self.cost_plot = CostPlot()
        self.cost_plot.setMinimumHeight(160)
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
        self.tabs.currentChanged.connect(self._on_tab_changed)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.tabs, 1)
        self.digit_panel = DigitPanel()
        self.digit_panel.set_predictor(self._predict)
        self.digit_panel.layout().addStretch(1)
        self.pad_area = QScrollArea()
        self.pad_area.setWidget(self.digit_panel)
        self.pad_area.setWidgetResizable(True)
        self.pad_dock = QDockWidget("Draw a digit", self)
        self.pad_dock.setObjectName("padDock")
        self.pad_dock.setWidget(self.pad_area)
        self.pad_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.pad_dock)
        self.pad_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pad_area.setMinimumWidth(PAD_MIN_WIDTH)  # the panel's narrow arrangement fits this
        self.pad_area.setMaximumWidth(PAD_WIDTH + 40)  # wider would only add empty space
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(centre)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([300, 1000])
        self.setCentralWidget(self.splitter)
        self.addToolBar(self.network_view.toolbar())
        self.digit_panel.input_changed.connect(self._on_drawing_changed)
        self.digit_panel.label_group.idToggled.connect(  # chosen or cleared: the diagram follows
            lambda _id, _on: self._on_drawing_changed(self.digit_panel.network_input())
        )
        self.digit_panel.teach_requested.connect(self._on_teach_requested)
        self.digit_panel.teach_undo_requested.connect(self.undo_teach)
        self.cost_plot.x_mode_changed.connect(lambda mode: self._remember(plot_x=mode))
        self.timeline.snapshot_chosen.connect(self._on_snapshot_chosen)
        self.timeline.resume_requested.connect(self._on_resume_requested)
        self.insight.digit_chosen.connect(self._on_digit_chosen)
        self.banner.reset_requested.connect(lambda: self.reset(ask=False))
        self.banner.lower_rate_requested.connect(self._apply_remedy)

    def _build_runs_and_guide(self) -> None:
        """Add the Compare tab, the Runs menu and the Follow-the-video guide (issue 18)."""
        from gui.guide_controller import GuideController
        from gui.runs_controller import RunsController

        self.runs = RunsController(self, self.settings)
        self.tabs.addTab(self.runs.panel, "Compare runs")
        self.tabs.setTabToolTip(
            self.tabs.indexOf(self.runs.panel),
            "Kept runs side by side, and the classic experiments in one click.",
        )
        bar = self.menuBar()
        help_menu = next(a for a in bar.actions() if a.text() == "&Help")
        self.runs.build_menu(bar.insertMenu(help_menu, QMenu("&Runs", self)).menu())
        self.guide = GuideController(self, self.settings)
        help_menu.menu().insertAction(help_menu.menu().actions()[0], self.guide.toggle_action)

    def open_run(self, run) -> bool:
        """Continue from a kept run's network, with its curves, as from an opened model."""
        from engine.snapshot import network_of

        p = run.parameters
        self.worker.set_train_config(run.train)
        self.worker.adopt(network_of(p), p.epoch, p.examples_seen)
        self._remember(network=run.network, train=run.train)
        self.controls.set_session(self.session)
        self._pending_history = run.history()
        self.model_path = None
        data = self.data.source if self.data is not None else "the data being loaded"
        self.statusBar().showMessage(f"Opened {run.name}; it trains on {data}.", 6000)
        return True

    def _action(
        self, text: str, slot: Callable[[], object], shortcut: str | None = None, tip: str = ""
    ) -> QAction:
        """Create a window action with an optional shortcut and a tooltip."""
        action = QAction(text, self)
        action.triggered.connect(lambda _=False: slot())
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        """Create the actions shared by the menus, the buttons and the keyboard."""
        a = self._action
        self.run_action = a(
            "Run",
            self.toggle_run,
            "Space",
            "Train for the epochs set in 'Run for', then pause and test; press again to pause.",
        )
        self.step_action = a(
            "Step mini-batch",
            lambda: self._end_goal() or self.worker.step_batch(),
            "Right",
            "Train on one mini-batch: one gradient step, then pause.",
        )
        self.epoch_action = a(
            "Step epoch",
            lambda: self._end_goal() or self.worker.step_epoch(),
            "Shift+Right",
            "Train one full pass over the training set, then pause and test.",
        )
        self.epoch_end_action = a(
            "Run to end of epoch",
            lambda: self._end_goal() or self.worker.run_to_epoch_end(),
            "Ctrl+Right",
            "Train until the current epoch is complete, then pause and test.",
        )
        self.reset_action = a(
            "Reset", self.reset, "R", "Start again from fresh random weights (same seed)."
        )
        self.new_seed_action = a(
            "Reset with new seed",
            self.reset_new_seed,
            "Shift+R",
            "Start again from different random weights and a different example order.",
        )
        self.defaults_action = a(
            "Restore defaults",
            self.restore_defaults,
            None,
            "Return to the video's network: 784-16-16-10, sigmoid, quadratic cost, eta 3, "
            "mini-batch 10.",
        )
        self.open_action = a(
            "Open model…", self.open_model_dialog, "Ctrl+O", "Open a saved network."
        )
        self.save_action = a(
            "Save model", self.save_model, "Ctrl+S", "Save the network and its history."
        )
        self.save_as_action = a(
            "Save model as…", lambda: self.save_model(ask_path=True), "Ctrl+Shift+S"
        )
        self.export_csv_action = a(
            "Export cost history as CSV…",
            self.export_history_dialog,
            None,
            "Write every mini-batch cost and every epoch's test result to a CSV file.",
        )
        self.quit_action = a("Quit", self.close, "Ctrl+Q")
        self.sample_action = a(
            "Bundled sample (10,000 + 2,000)",
            lambda: self._load("sample"),
            None,
            "A balanced sample of real MNIST digits shipped with the app.",
        )
        self.full_action = a(
            "Full MNIST (60,000 + 10,000)",
            lambda: self._load("full"),
            None,
            "The whole MNIST database, downloaded once (about 11 MB) and cached.",
        )
        self.open_idx_action = a(
            "Open IDX folder…",
            self.open_idx_dialog,
            None,
            "Use MNIST-format files you already have (train/t10k images and labels).",
        )
        self.about_action = a("About Backprop Lab", self.show_about)
        self.guide_action = a(
            "Getting started",
            lambda: self.show_help(0),
            "F1",
            "What to try first, in the order of 3Blue1Brown's video.",
        )
        self.keys_action = a(
            "Keyboard shortcuts", lambda: self.show_help(1), None, "Every key the app answers to."
        )
        self.links_action = a(
            "Watch and read",
            lambda: self.show_help(2),
            None,
            "The video and chapter 2 of Nielsen's book, where this app's ideas come from.",
        )
        self.undo_teach_action = a(
            "Undo Teach it",
            self.undo_teach,
            None,
            "Put the network back exactly as it was before the last Teach-it step.",
        )
        self.undo_teach_action.setEnabled(False)
        self.prefs_action = a(
            "Preferences…",
            self.show_preferences,
            "Ctrl+,",
            "Theme, training speed, and how often the timeline keeps a snapshot.",
        )
        self.export_panel_action = a(
            "Current view as PNG…",
            self.export_panel_dialog,
            None,
            "Save what the current tab (diagram and cost, explorer, or insight) shows.",
        )
        self.export_pad_action = a(
            "Drawing pad as PNG…",
            lambda: self.export_widget_dialog(self.digit_panel, "pad"),
            None,
            "Save the drawing pad, its 28x28 input and the output bars as a picture.",
        )
        self.export_png_action = a(
            "Diagram as PNG…",
            lambda: self.export_diagram_dialog("png"),
            None,
            "Save the network diagram as it is shown, as a picture.",
        )
        self.export_svg_action = a(
            "Diagram as SVG…",
            lambda: self.export_diagram_dialog("svg"),
            None,
            "Save the network diagram as a scalable vector drawing.",
        )
        self.explore_drawing_action = a(
            "Explore the drawn digit",
            self.explore_drawing,
            "Ctrl+E",
            "Open the backprop explorer on your drawing, with the label chosen under Teach it.",
        )
        self.mix_digits_action = a(
            "Train on my digits too",
            self.mix_my_digits,
            None,
            "Add the digits you drew and labelled to the training set and start afresh.",
        )
        self.controls.add_actions(
            [
                self.run_action,
                self.step_action,
                self.epoch_action,
                self.epoch_end_action,
                self.reset_action,
                self.new_seed_action,
            ]
        )

    def _build_menus(self) -> None:
        """Fill the File, Data, Train, View and Help menus."""
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        self.export_menu = file_menu.addMenu("Export")
        self.export_menu.addAction(self.export_csv_action)
        self.export_menu.addAction(self.export_png_action)
        self.export_menu.addAction(self.export_svg_action)
        self.export_menu.addAction(self.export_panel_action)
        self.export_menu.addAction(self.export_pad_action)
        file_menu.addAction(self.prefs_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        data_menu = bar.addMenu("&Data")
        for action in (self.sample_action, self.full_action, self.open_idx_action):
            data_menu.addAction(action)
        data_menu.addSeparator()
        data_menu.addAction(self.mix_digits_action)
        train_menu = bar.addMenu("&Train")
        for action in (self.run_action, self.step_action, self.epoch_action, self.epoch_end_action):
            train_menu.addAction(action)
        train_menu.addSeparator()
        speed_menu = train_menu.addMenu("Speed")
        self.speed_actions = []
        for value in SPEEDS:
            action = speed_menu.addAction(SPEED_LABELS[value])
            action.setCheckable(True)
            action.setChecked(value == self.session.speed)
            action.triggered.connect(lambda _=False, v=value: self.set_speed(v))
            self.speed_actions.append((value, action))
        train_menu.addSeparator()
        for action in (self.reset_action, self.new_seed_action, self.defaults_action):
            train_menu.addAction(action)
        self.view_menu = bar.addMenu("&View")
        edges = self.view_menu.addMenu("Edges show")
        for action in self.network_view.mode_actions():
            edges.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.pad_dock.toggleViewAction())
        self.view_menu.addAction(self.explore_drawing_action)
        train_menu.addSeparator()
        train_menu.addAction(self.undo_teach_action)
        help_menu = bar.addMenu("&Help")
        for action in (self.guide_action, self.keys_action, self.links_action):
            help_menu.addAction(action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        """Show where training is and how fast it goes."""
        self.status_labels = {}
        widths = {  # fixed, so a changing number never re-lays out the whole window
            "data": "Data: sample + 999 of my digits (99,999 train)",
            "epoch": "Epoch 999, mini-batch 99,999",
            "examples": "999,999,999 examples seen",
            "speed": "999,999 examples/s",
            "accuracy": "Test accuracy 100.00% (at 999,999 examples)",
        }
        for key, widest in widths.items():
            label = QLabel()
            label.setObjectName(f"status_{key}")
            label.setContentsMargins(6, 0, 6, 0)
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest) + 14)
            self.statusBar().addPermanentWidget(label)
            self.status_labels[key] = label
        self._update_status()

    def _connect_worker(self) -> None:
        """Wire the worker's signals to this window's slots (queued: they run in this thread)."""
        w = self.worker
        w.epoch_finished.connect(self._on_epoch_finished)
        w.state_changed.connect(self._on_state_changed)
        w.training_failed.connect(self._on_training_failed)
        w.network_reset.connect(self._on_network_reset)
        w.data_loaded.connect(self._on_data_loaded)
        w.data_failed.connect(self._on_data_failed)
        w.taught.connect(self._on_taught)
        c = self.controls
        c.network_edited.connect(self._on_network_edited)
        c.train_config_edited.connect(self._on_train_config_edited)
        c.speed_edited.connect(self.set_speed)
        c.goal_edited.connect(lambda epochs: self._remember(goal_epochs=epochs))
        c.invalid_input.connect(lambda message: self.statusBar().showMessage(message, 6000))
        c.data_chosen.connect(self._on_data_chosen)

    def _build_step_player(self) -> None:
        """Play one step: the player over the diagram, its bar, action, menu entries and wiring."""
        from gui.step_player import StepPlayer
        from gui.step_player_controls import StepPlayerControls

        self.step_player = StepPlayer(self.network_view, self)
        self.step_player_controls = StepPlayerControls(self.step_player)
        self._step_requested = False
        # Right under the diagram, above the cost plot: showing it leaves the diagram's size.
        lower = self.middle.widget(self.middle.indexOf(self.network_view) + 1)
        lower.layout().insertWidget(0, self.step_player_controls)
        self.play_step_action = self._action(
            "Play one step",
            self.play_one_step,
            "P",
            "Animate the next real mini-batch step on this network: forward, cost, backward, "
            "the mini-batch's sum and average, the update. Press again to pause.",
        )
        toolbar = self.network_view.toolbar()
        toolbar.addSeparator()
        toolbar.addAction(self.play_step_action)
        train_menu = next(
            a.menu() for a in self.menuBar().actions() if a.text().replace("&", "") == "Train"
        )
        train_menu.insertAction(self.epoch_action, self.play_step_action)
        self.export_menu.addSeparator()
        bar = self.step_player_controls
        self.export_menu.addAction(bar.export_gif_action)
        self.export_menu.addAction(bar.export_mp4_action)
        bar.export_gif_action.setText("Step animation as GIF\u2026")
        bar.export_mp4_action.setText("Step animation as MP4\u2026")
        self.worker.step_played.connect(self._on_step_played)
        self.worker.state_changed.connect(self._on_state_for_player)
        self.worker.network_reset.connect(lambda _config: self.step_player.close())
        self.worker.taught.connect(lambda _result: self.step_player.close())
        self.timeline.snapshot_chosen.connect(lambda _index: self.step_player.close())

    def play_one_step(self) -> None:
        """Take the next mini-batch step and animate it; while one plays, pause or resume it."""
        if self.step_player.is_active():
            self.step_player.toggle()
            return
        if self.worker.latest_snapshot() is None or self._state == FAILED:
            self.statusBar().showMessage("There is no trainable network to step.", 5000)
            return
        if self._scrubbed is not None:  # step from the moment shown: a new branch
            self._on_resume_requested(self._scrubbed)
            self.timeline.set_position(-1)
        self.tabs.setCurrentIndex(0)  # the diagram's tab
        before = self.network_view.render_image()
        self.network_view.set_frame_source(lambda p, _layout: p.drawImage(0, 0, before))
        self._step_requested = True
        self._end_goal()  # a run toward its epoch goal must not carry on after the step
        self.worker.play_step()

    def _on_step_played(self, story) -> None:
        """The worker took the step: play its story on the diagram (None: it could not)."""
        self._step_requested = False
        if story is None:
            self.network_view.set_frame_source(None)
            self.statusBar().showMessage("The step could not be taken: training has failed.", 6000)
            return
        self.unsaved = True
        drawing = self.digit_panel.network_input()
        traces = (None, None)
        if drawing is not None:  # the diagram shows the drawn digit before and after the step
            label = self.digit_panel.selected_label()
            traces = tuple(
                trace_example(
                    s, drawing, int(predict(s, drawing).argmax()) if label is None else label
                )
                for s in (story.before, story.after)
            )
        self.step_player.start(story, hold_traces=traces)

    def _on_state_for_player(self, state: str) -> None:
        """Training again, or failed: the animation gives the diagram back to the live network."""
        if state == FAILED or (state == RUNNING and not self._step_requested):
            self._step_requested = False
            self.step_player.close()
            self.network_view.set_frame_source(None)

    def toggle_run(self) -> None:
        """Run for the chosen number of epochs if paused, pause if running."""
        if self._state == RUNNING or self._goal is not None:
            self.pause()
            return
        epochs = self.session.goal_epochs
        if epochs <= 0:
            self.worker.run()
            return
        snapshot = self.worker.latest_snapshot()
        self._goal = (snapshot.epoch if snapshot is not None else 0) + epochs
        self.worker.run_to_epoch_end()  # one epoch at a time, so it stops exactly at the goal
        self._show_run_state()

    def pause(self) -> None:
        """Stop training after the current mini-batch, ending any Run."""
        self._end_goal()
        self.worker.pause()

    def _end_goal(self) -> None:
        """Forget the running Run's goal (a step, a pause, a reset or a Teach ends it)."""
        if self._goal is not None:
            self._goal = None
            self._show_run_state()

    def _continue_goal(self) -> None:
        """At the end of an epoch of a Run, train the next one or stop at the goal."""
        snapshot = self.worker.latest_snapshot()
        if self._goal is None or snapshot is None:
            return
        if snapshot.epoch < self._goal:
            self.worker.run_to_epoch_end()
            return
        self._goal = None
        accuracy = self.last_epoch.test_accuracy if self.last_epoch is not None else None
        result = f": test accuracy {100 * accuracy:.2f}%" if accuracy is not None else ""
        self.statusBar().showMessage(
            f"Trained to epoch {snapshot.epoch}, the end of this Run{result}. "
            f"Press Run for {self.session.goal_epochs} more.",
            15000,
        )

    def set_speed(self, value: float) -> None:
        """Set mini-batches per second (0 is full speed) everywhere it shows."""
        self.worker.set_speed(value)
        self._remember(speed=value)
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
        if slow and self._live is not None:
            self.batch_strip.set_batch(self._live.batch_images, self._live.batch_labels)

    def reset(
        self, ask: bool = True, config: NetworkConfig | None = None, seed: int | None = None
    ) -> bool:
        """Start a fresh network, asking first if trained work would be lost."""
        if (
            ask
            and self.unsaved
            and not self.confirm(
                "Start a new network?", "The current network's training will be lost."
            )
        ):
            return False
        self.banner.hide()
        self._end_goal()
        self.worker.reset(config, seed)
        return True

    def reset_new_seed(self) -> None:
        """Reset with the next seed, shown in the controls."""
        seed = (self.session.seed + 1) % 2**31
        if self.reset(seed=seed):
            self._remember(seed=seed)
            self.controls.set_session(self.session)

    def restore_defaults(self) -> None:
        """Return every setting to the seed network's and start afresh."""
        if not self.reset(config=DEFAULTS.network, seed=DEFAULTS.seed):
            return
        self.worker.set_train_config(DEFAULTS.train)
        self.session = Session(data=self.session.data)
        save_session(self.settings, self.session)
        self.controls.set_session(self.session)
        self.set_speed(DEFAULTS.speed)

    def _offer_remedy(self, message: str) -> None:
        """Show ``message`` with a fix that a trial run from the same seed showed to learn."""
        remedy = None
        if self.data is not None:
            self.setCursor(Qt.CursorShape.WaitCursor)
            try:
                remedy = diagnosis.suggest_fix(
                    self.session.network,
                    self.data.train.images,
                    self.data.train.labels,
                    self.session.train,
                    self.session.seed,
                )
            finally:
                self.unsetCursor()
        self._remedy = remedy
        if remedy is None:
            self.banner.show_failure(message, offer_lower_rate=False)
            return
        change = remedy.describe(self.session.network)
        self.banner.show_failure(
            f"{message} Try {change}: a trial of {diagnosis.TRIAL_BATCHES} mini-batches from the "
            "same seed learned with it."
        )
        self.banner.lower_button.setText(f"Reset with {change}")
        self.banner.lower_button.setToolTip(
            "Start a fresh network from the same seed with these settings."
        )

    def _apply_remedy(self) -> None:
        """Use the settings the banner offers and start a fresh network with them."""
        remedy = self._remedy
        if remedy is None:
            return
        t = self.session.train
        train = TrainConfig(remedy.learning_rate, t.batch_size, t.momentum, t.l2)
        self.worker.set_train_config(train)
        self._remember(train=train, network=remedy.config)
        self.controls.set_session(self.session)
        self._remedy = None
        self.reset(ask=False, config=remedy.config)

    def _remember(self, **changes: object) -> None:
        """Update and persist the session."""
        values = {**self.session.__dict__, **changes}
        self.session = Session(**values)
        save_session(self.settings, self.session)
        self.controls.remember(self.session)  # else an invalid edit would restore stale values

    def _on_network_edited(self, config: NetworkConfig, seed: int) -> None:
        """The learner changed the architecture, activation, cost or seed: ask, then reset."""
        if self.reset(config=config, seed=seed):
            self._remember(network=config, seed=seed)
        else:
            self.controls.set_session(self.session)

    def _on_train_config_edited(self, config: TrainConfig) -> None:
        """Apply new hyper-parameters from the next mini-batch."""
        self.worker.set_train_config(config)
        self._remember(train=config)

    def _take_reports(self) -> None:
        """Record what the worker did since the last look, in order: plot, history, status."""
        batches: list[BatchReport] = []
        for item in self.worker.take_reports():
            if isinstance(item, BatchReport):
                batches.append(item)
                continue
            self._add_batches(batches)
            batches = []
            if isinstance(item, EpochReport):
                self._add_epoch(item)
            else:
                self._start_history(item)
        self._add_batches(batches)

    def _add_batches(self, reports: list[BatchReport]) -> None:
        """Append mini-batch costs to the history and the plot in one NumPy step."""
        if not reports:
            return
        n = len(reports)
        progress = np.fromiter((r.epoch_progress for r in reports), float, n)
        costs = np.fromiter((r.cost for r in reports), float, n)
        self.history.add_batches(progress, costs)
        self.cost_plot.append_batches(progress, costs)
        self.last_batch = reports[-1]
        self.unsaved = True
        self._forget_teach()  # training went on from the taught network: no undo past it

    def _add_epoch(self, report: EpochReport) -> None:
        """Record an epoch's test result, and say so if the run has stalled."""
        self.last_epoch = report
        self.history.add_epoch(report)
        self.cost_plot.add_epoch(report.epoch, report.test_cost, report.test_accuracy)
        self._accuracy_text = f"Test accuracy {100 * report.test_accuracy:.2f}%"
        self._accuracy_seen = self.last_batch.examples_seen if self.last_batch else None
        progress = self.history.batches.column("progress")
        epoch_costs = self.history.batches.column("cost")[progress > report.epoch - 1]
        if self._stall_shown or not is_stalled(report.test_accuracy, epoch_costs):
            return
        self._stall_shown = True
        self.pause()
        QTimer.singleShot(0, self._explain_stall)

    def _explain_stall(self) -> None:
        """Say why the run stalled (from its neurons) and offer settings that learn."""
        snapshot = self.worker.latest_snapshot()
        if snapshot is None or self.data is None:
            return
        images = self.data.train.images[:DIAGNOSIS_IMAGES]
        found = diagnosis.diagnose(network_of(snapshot), images)
        e, rate = self.last_epoch, self.session.train.learning_rate
        summary = stall_summary(e.epoch, e.test_accuracy, rate) if e else "Training has stalled."
        self._offer_remedy(f"{summary} {found.reason}")

    def _start_history(self, started: NetworkStarted) -> None:
        """A new network: a fresh history, an opened model's own, a branch's past, or an undo."""
        if self._undoing is None:  # undoing a Teach step goes on with the same run
            shown = self._snapshot if self._scrubbed is None else None
            self.runs.network_ending(self.history, shown, started.branch, self._resume_point)
        self.last_epoch = self.last_batch = None
        self._scrubbed = None
        self.timeline.set_position(LIVE)  # a new network is live, not a scrubbed past moment
        self._history_length = -1  # re-read the worker's kept snapshots at the next refresh
        self.cost_plot.set_marker(None)
        self._stall_shown = False
        if self._undoing is None:
            self._forget_teach()  # the taught network is gone
        if self._undoing is not None:
            self.unsaved, _ = self._undoing  # the network is the one before the Teach step
            self._undoing = None
        elif self._pending_history is not None:
            self.history, self._pending_history = self._pending_history, None
            self.unsaved = False
        elif started.branch and self._resume_point is not None:
            self.history.truncate(self._resume_point)
            self.unsaved = True
        else:
            self.history = TrainingHistory()
            self.unsaved = False
            self.model_path = None  # a network made afresh is untitled: Save asks where
        self._resume_point = None
        self.cost_plot.clear()
        self._replot_history()

    def _on_epoch_finished(self, report: EpochReport) -> None:
        """Announce the epoch's test result (the report itself arrives with the others)."""
        self._take_reports()
        self.statusBar().showMessage(
            f"Epoch {report.epoch} done in {report.seconds:.2f} s: test accuracy "
            f"{100 * report.test_accuracy:.2f}%, test cost {report.test_cost:.4f}",
            8000,
        )

    def _on_state_changed(self, state: str) -> None:
        """Reflect running, paused or failed in the run button; a Run goes on to its goal."""
        self._state = state
        running = state == RUNNING
        self.cost_plot.set_refresh_interval(RUNNING_PLOT_MS if running else REFRESH_MS)
        if not running:
            self._timer.setInterval(REFRESH_MS)
        if state == FAILED:
            self._goal = None
        enabled = state != FAILED
        for action in (self.run_action, self.step_action, self.epoch_action, self.epoch_end_action):
            action.setEnabled(enabled)
        self._refresh_views()
        if state == PAUSED and self._goal is not None:
            self._continue_goal()
        if state == PAUSED and self._goal is None:
            self._measure_accuracy()
        self._show_run_state()

    def _measure_accuracy(self, note: str | None = None) -> None:
        """Show the latest network's test accuracy, unless it was measured at this point.

        ``note`` says what the network is (untrained, opened ...); by default, where it is.
        """
        snapshot = self.worker.latest_snapshot()
        if snapshot is None or self.data is None or snapshot.examples_seen == self._accuracy_seen:
            return
        note = note or f"at {snapshot.examples_seen:,} examples"
        accuracy = evaluate(network_of(snapshot), self.data.test.images, self.data.test.labels)
        self._accuracy_text = f"Test accuracy {100 * accuracy.accuracy:.2f}% ({note})"
        self._accuracy_seen = snapshot.examples_seen
        self._status_shown = 0.0
        self._update_status()

    def _show_run_state(self) -> None:
        """Label the run button: Pause while training or while a Run is between epochs."""
        running = self._state == RUNNING or self._goal is not None
        self.run_action.setText("Pause" if running else "Run")

    def _on_training_failed(self, message: str) -> None:
        """Training diverged: say what happened and offer a learning rate that works."""
        self._offer_remedy(message)

    def _on_network_reset(self, config: NetworkConfig) -> None:
        """A new network is in place: measure its test accuracy and redraw."""
        self._refresh_views()
        self._accuracy_seen = None  # a new network: measure it whatever it has seen
        snapshot = self.worker.latest_snapshot()
        if snapshot is not None:
            seen = snapshot.examples_seen
            self._measure_accuracy(self._start_notes.pop(seen, "untrained" if seen == 0 else None))

    def _replot_history(self) -> None:
        """Draw the recorded history on the (cleared) cost plot."""
        b = self.history.batches
        self.cost_plot.append_batches(b.column("progress"), b.column("cost"))
        e = self.history.epochs
        for epoch, cost, acc in zip(
            e.column("epoch"), e.column("test_cost"), e.column("test_accuracy")
        ):
            self.cost_plot.add_epoch(float(epoch), float(cost), float(acc))

    def _on_data_loaded(self, data: MnistData) -> None:
        """Remember the dataset now in use."""
        self.data = data
        self.digit_panel.set_test_images(data.test.images, data.test.labels)
        self.insight.set_data(data)
        self.controls.set_data_source(data.source)
        if data.source in ("sample", "full") or Path(data.source).is_dir():
            self._remember(data=data.source)
        self._update_status()

    def _on_data_failed(self, message: str) -> None:
        """Loading failed; the previous data and network stay."""
        if self._download is not None and self._download.cancel.is_set():
            message = "Download cancelled; nothing was changed."
        if self.data is None:  # the remembered data is gone: start on the bundled sample
            message += " Using the bundled sample instead."
            self.worker.load_data(lambda: load_data("sample"))
        self.banner.show_failure(message, offer_lower_rate=False)

    def _on_data_chosen(self, source: str) -> None:
        """The learner picked a dataset in the controls."""
        if self.data is not None and source == self.data.source:
            return
        self._load(source)
        if self.data is not None:  # until the new data arrives, show what is in use
            self.controls.set_data_source(self.data.source)

    def _load(self, source: str, ask: bool = True) -> None:
        """Switch to a dataset ("sample", "full" or a folder), resetting the network."""
        if (
            ask
            and self.unsaved
            and not self.confirm("Switch the data?", "Training starts afresh on the new data.")
        ):
            return
        self._end_goal()
        if source == "full" and cached_mnist_dir() is None:
            self._download_full()
            return
        self.worker.load_data(lambda: load_data(source))

    def _download_full(self) -> None:
        """Download the full MNIST in the worker thread behind a cancellable progress dialog."""
        progress = DownloadProgress()
        dialog = DownloadDialog(progress, self)
        self._download = progress
        self.worker.data_loaded.connect(dialog.close)
        self.worker.data_failed.connect(dialog.close)
        dialog.show()
        self.worker.load_data(lambda: load_full(progress=progress.report, cancel=progress.cancel))

    def open_idx_dialog(self) -> None:
        """Ask for a folder of MNIST IDX files and use it."""
        folder = QFileDialog.getExistingDirectory(self, "Folder with MNIST IDX files")
        if folder:
            self._load(folder)

    def open_model_dialog(self) -> None:
        """Ask for a model file and open it."""
        path, _ = QFileDialog.getOpenFileName(self, "Open model", "", "Backprop Lab model (*.npz)")
        if path:
            self.open_model(path)

    def open_model(self, path: str | Path) -> bool:
        """Open a saved network and its history; a bad file changes nothing and says why."""
        try:
            read = read_model(path, self)
        except BackpropLabError as exc:
            self.banner.show_failure(str(exc), offer_lower_rate=False)
            return False
        if read is None:
            self.statusBar().showMessage(f"Opening {Path(path).name} cancelled.", 5000)
            return False
        saved, history = read
        if self.unsaved and not self.confirm(
            "Open this model?", "The current network's training will be lost."
        ):
            return False
        self._end_goal()
        self._forget_teach()
        self._start_notes[saved.examples_seen] = "opened model"
        self.worker.set_train_config(saved.train_config)
        train = limits.snap_train_config(saved.train_config)  # the value shown is the one used
        self.worker.set_train_config(train)
        self.worker.adopt(saved.network, saved.epoch, saved.examples_seen)
        self._remember(network=saved.network.config, train=train)
        self.controls.set_session(self.session)
        self._pending_history = history
        self.model_path = Path(path)
        self._add_recent(self.model_path)
        return True

    def save_model(self, ask_path: bool = False) -> bool:
        """Save the current network with its hyper-parameters and history (asking where if new)."""
        path = self.model_path
        if ask_path or path is None:
            path = self._ask_model_path()
            if path is None:
                return False
        return self.save_model_to(path)

    def suggested_model_name(self) -> str:
        """Return a descriptive file name: architecture, activation, cost and epochs trained."""
        snapshot = self.worker.latest_snapshot()
        if snapshot is None:
            return model_name(self.session.network, None)
        return model_name(snapshot.config, snapshot.epoch)

    def _export_name(self, what: str, suffix: str) -> str:
        """Return a descriptive export file name in the documents folder, e.g. its diagram."""
        stem = self.suggested_model_name().removesuffix(".npz")
        return str(documents_path(f"{stem}-{what}.{suffix}"))

    def _ask_model_path(self) -> Path | None:
        """Ask where to save, starting in the documents folder; None if the learner cancels.

        A name without ".npz" gets it added (run.v2 becomes run.v2.npz, never run.npz), and if
        that file exists, which the dialog did not ask about, the learner is asked first.
        """
        start = self.model_path or documents_path(self.suggested_model_name())
        typed, _ = QFileDialog.getSaveFileName(
            self, "Save model", str(start), "Backprop Lab model (*.npz)"
        )
        if not typed:
            return None
        path = model_file_path(typed)
        if path != Path(typed) and path.exists():
            question = (
                f"Models are saved with the ending .npz, so {Path(typed).name} is saved as "
                f"{path.name}, which already exists. Replace it?"
            )
            if not self.confirm_replace(f"Replace {path.name}?", question):
                return None
        return path

    def save_model_to(self, path: Path) -> bool:
        """Write the latest snapshot's network to ``path`` atomically."""
        from engine.snapshot import network_of

        snap = self.worker.latest_snapshot()
        if snap is None:
            return False
        try:
            save_model(
                path,
                network_of(snap),
                snap.train_config,
                snap.epoch,
                snap.examples_seen,
                self.history.to_arrays(),
            )
        except OSError as exc:  # SaveError names the path and the reason
            self.banner.show_failure(
                str(exc) if isinstance(exc, BackpropLabError) else f"Could not save {path}: {exc}",
                offer_lower_rate=False,
            )
            return False
        self.model_path = Path(path)
        self._add_recent(self.model_path)
        self.unsaved = False
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    @property
    def unsaved(self) -> bool:
        """True when the network has changed since it was opened or saved."""
        return self._unsaved

    @unsaved.setter
    def unsaved(self, value: bool) -> None:
        if value != self._unsaved:
            self._unsaved = bool(value)
            self.setWindowModified(self._unsaved)

    @property
    def model_path(self) -> Path | None:
        """The file the network was opened from or saved to; None for an untitled network."""
        return self._model_path

    @model_path.setter
    def model_path(self, value: Path | None) -> None:
        self._model_path = value
        self._update_title()

    def _update_title(self) -> None:
        """Show the model's file name (or untitled) and Qt's unsaved-changes marker."""
        name = self._model_path.name if self._model_path is not None else "untitled"
        self.setWindowTitle(f"{name}[*] \u2014 Backprop Lab")
        self.setWindowModified(self._unsaved)

    def export_history_dialog(self) -> None:
        """Ask for a CSV file name and write the history to it."""
        name, _ = QFileDialog.getSaveFileName(
            self, "Export history", self._export_name("history", "csv"), "CSV (*.csv)"
        )
        if name:
            self.export_history(Path(name))

    def export_history(self, path: Path) -> bool:
        """Write one row per mini-batch and per epoch result, atomically; say so if it fails."""
        try:
            atomic_write(path, self._write_history_csv)
        except OSError as exc:  # SaveError names the path and the reason, e.g. a full disk
            self.banner.show_failure(f"Could not export the history: {exc}", offer_lower_rate=False)
            return False
        self.statusBar().showMessage(f"Exported the history to {path}", 5000)
        return True

    def _write_history_csv(self, binary: io.BufferedIOBase) -> None:
        """Write the history as CSV into an open binary file."""
        file = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        writer = csv.writer(file)
        writer.writerow(["kind", "epoch", "cost", "test_cost", "test_accuracy"])
        b = self.history.batches
        for x, cost in zip(b.column("progress"), b.column("cost")):
            writer.writerow(["batch", f"{x:.6f}", f"{cost:.6g}", "", ""])
        e = self.history.epochs
        for row in zip(
            e.column("epoch"),
            e.column("train_cost"),
            e.column("test_cost"),
            e.column("test_accuracy"),
        ):
            writer.writerow(
                ["epoch", int(row[0]), f"{row[1]:.6g}", f"{row[2]:.6g}", f"{row[3]:.6g}"]
            )
        file.flush()
        file.detach()  # the atomic save closes the binary file itself

    def recent_files(self) -> list[str]:
        """Return the recently opened or saved models that still exist, newest first."""
        value = self.settings.value("files/recent", [])
        paths = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        paths = paths[: 4 * RECENT_FILES]  # a forged list of a million entries is not all checked
        return [p for p in paths if isinstance(p, str) and Path(p).is_file()][:RECENT_FILES]

    def _add_recent(self, path: Path) -> None:
        """Put ``path`` first in the recent files."""
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("files/recent", paths[:RECENT_FILES])

    def _fill_recent_menu(self) -> None:
        """List the recent models in File → Open recent."""
        self.recent_menu.clear()
        paths = self.recent_files()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_model(p))
        if not paths:
            self.recent_menu.addAction("No recent models").setEnabled(False)

    def show_preferences(self) -> None:
        """Edit the theme, the training speed and the snapshot interval."""
        dialog = PreferencesDialog(load_preferences(self.settings), self)
        if dialog.exec():
            self.apply_preferences(dialog.preferences())

    def apply_preferences(self, prefs: Preferences) -> None:
        """Use and remember the preferences."""
        from PySide6.QtWidgets import QApplication

        from gui.theme import apply_theme

        save_preferences(self.settings, prefs)
        apply_theme(QApplication.instance(), prefs.theme)
        self.set_speed(prefs.speed)
        self.worker.set_history_interval(prefs.snapshot_interval)

    def export_panel_dialog(self) -> None:
        """Save the current tab as a PNG."""
        names = ("network-and-cost", "explorer", "insight", "compare")
        i = self.tabs.currentIndex()
        self.export_widget_dialog(self.tabs.currentWidget(), names[i] if i < len(names) else "view")

    def export_widget_dialog(self, widget: QWidget, name: str) -> None:
        """Ask for a file name and save ``widget`` as it looks now."""
        path, _ = QFileDialog.getSaveFileName(
            self, "Export as PNG", self._export_name(name, "png"), "PNG (*.png)"
        )
        if not path:
            return
        png = QByteArray()
        buffer = QBuffer(png)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        try:
            if not widget.grab().save(buffer, "PNG"):
                raise OSError(f"could not encode {path}")
            atomic_write(path, lambda file: file.write(png.data()))  # never half a file, nor a FIFO
        except OSError as exc:
            self.banner.show_failure(f"Could not export: {exc}", offer_lower_rate=False)

    def show_about(self) -> None:
        """Show what the app is and whose work it builds on."""
        QMessageBox.about(self, "About Backprop Lab", ABOUT)

    def help_actions(self) -> list[QAction]:
        """Return the actions the keyboard table lists, in menu order."""
        return [
            self.run_action,
            self.step_action,
            self.epoch_action,
            self.epoch_end_action,
            self.reset_action,
            self.new_seed_action,
            self.explore_drawing_action,
            self.open_action,
            self.save_action,
            self.save_as_action,
            self.prefs_action,
            self.guide_action,
            self.quit_action,
            *self.network_view.mode_actions(),
        ]

    def show_help(self, page: int = 0) -> HelpDialog:
        """Open the help on ``page``: 0 getting started, 1 keyboard shortcuts, 2 links."""
        dialog = getattr(self, "help_dialog", None)
        if dialog is None:
            dialog = self.help_dialog = HelpDialog(self.help_actions(), self)
        dialog.show_page(page)
        dialog.show()
        return dialog

    def _refresh_views(self) -> None:
        """Pull new reports and, if it changed, the latest snapshot, and hand them to the views."""
        self._take_reports()
        self._update_status()
        self._update_timeline()
        if self.tabs.currentIndex() == INSIGHT_TAB:
            now = time.perf_counter()
            if now - self._insight_refreshed >= INSIGHT_REFRESH_S:
                self._insight_refreshed = now
                self.insight.refresh()
        if self._scrubbed is not None:
            return  # the views show a past moment until the learner returns to live
        serial = self.worker.snapshot_serial
        if serial == self._shown_serial:
            return
        snapshot = self.worker.latest_snapshot()
        if snapshot is None:
            return
        self._live = snapshot
        self._shown_serial = serial
        start = time.perf_counter()
        if self.batch_strip.isVisible():
            self.batch_strip.set_batch(snapshot.batch_images, snapshot.batch_labels)
        self.show_snapshot(snapshot)
        if self._state == RUNNING:
            self.network_view.repaint()  # paint now, so the frame's full cost is measured
            self._pace(time.perf_counter() - start)

    def _pace(self, seconds: float) -> None:
        """Space the redraws so the views take at most 1/GUI_BUDGET of the time while training.

        Drawing holds the interpreter lock the training thread needs, so every millisecond the
        views spend is a millisecond training waits. A 10 ms diagram frame is drawn every 80 ms.
        """
        interval = min(max(REFRESH_MS, int(1000 * seconds * GUI_BUDGET)), 250)
        self._timer.setInterval(interval)

    def _update_timeline(self) -> None:
        """Tell the timeline how many past snapshots the worker keeps (twice a second in a run)."""
        now = time.perf_counter()
        if self._state == RUNNING and now - self._timeline_shown < TIMELINE_REFRESH_S:
            return
        self._timeline_shown = now
        n = self.worker.history_length()
        if n != self._history_length:
            self._history_length = n
            self.timeline.set_history_length(n, self.worker.history_label)

    def _on_snapshot_chosen(self, index: int) -> None:
        """Show a kept snapshot in every view (pausing training), or return to live (-1)."""
        if index < 0 or index >= self.worker.history_length():
            self._scrubbed = None
            self._shown_serial = -1  # redraw the live network at the next refresh
            self.cost_plot.set_marker(None)
            return
        self.pause()
        self._scrubbed = index
        record = self.worker.history_record(index)
        self.cost_plot.set_marker(record.progress)
        self.show_snapshot(record.as_snapshot())

    def _on_resume_requested(self, index: int) -> None:
        """Continue training from a kept snapshot as a new branch of the history."""
        if not 0 <= index < self.worker.history_length():
            return
        record = self.worker.history_record(index)
        self._resume_point = record.examples_seen / record.n_train
        self._scrubbed = None
        self._end_goal()
        self._forget_teach()
        self._start_notes[record.examples_seen] = "resumed"
        self.worker.resume_from(index)

    def _on_digit_chosen(self, image, label: int) -> None:
        """A digit picked in the insight panel goes to the pad and the explorer."""
        self.digit_panel.pad.set_image(image)
        self.digit_panel.select_label(int(label))
        self.explorer.set_example(image, int(label))

    def show_snapshot(self, snapshot: Snapshot) -> None:
        """Give a new snapshot to the views; the drawn digit's guess follows the network."""
        self._snapshot = snapshot
        self.network_view.set_snapshot(snapshot)
        self.insight.set_snapshot(snapshot)
        now = time.perf_counter()
        drawing = self.digit_panel.network_input()
        if drawing is not None and (
            self._state != RUNNING or now - self._pad_refreshed >= PAD_REFRESH_S
        ):
            self._pad_refreshed = now
            self.digit_panel.refresh_prediction()
            self._trace_drawing(drawing)
        self.network_view.refresh()

    def _predict(self, x):
        """Return the latest network's ten outputs for the pad's (28, 28) input."""
        snapshot = self._snapshot or self.worker.latest_snapshot()
        return None if snapshot is None else predict(snapshot, x)

    def _trace_drawing(self, drawing) -> None:
        """Show the drawn digit's forward pass (and its a_in*delta) in the diagram."""
        snapshot = self._snapshot
        if drawing is None or snapshot is None:
            self.network_view.set_trace(None)
            return
        label = self.digit_panel.selected_label()  # None: nobody said what it is, so no label
        self.network_view.set_trace(trace_example(snapshot, drawing, label))

    def _on_drawing_changed(self, drawing) -> None:
        """The pad changed: the diagram follows the drawing (or the training example if empty)."""
        self._trace_drawing(drawing)
        self.network_view.refresh()

    def _on_teach_requested(self, x, label: int) -> None:
        """Route "Teach it" to the worker, which owns the network (it pauses to take the step)."""
        self._end_goal()
        self._teach_unsaved = self.unsaved
        self.worker.teach(x, label)

    def _on_taught(self, result: TeachResult) -> None:
        """Show the step's result with the test accuracy before and after it; offer Undo."""
        self._refresh_views()
        after = self.worker.latest_snapshot()
        accuracy = None
        if self.data is not None and after is not None:
            test = self.data.test
            accuracy = (
                evaluate(result.network_before(), test.images, test.labels).accuracy,
                evaluate(network_of(after), test.images, test.labels).accuracy,
            )
            self._accuracy_text = f"Test accuracy {100 * accuracy[1]:.2f}% (after Teach it)"
            self._accuracy_seen = after.examples_seen
            self._status_shown = 0.0
        self.digit_panel.show_teach_result(result, accuracy)
        self._taught = (result, getattr(self, "_teach_unsaved", True), after)
        self.undo_teach_action.setEnabled(True)
        self.digit_panel.set_undo_available(True)
        self.unsaved = True
        self._update_status()

    def undo_teach(self) -> None:
        """Put back exactly the network from before the last Teach-it step."""
        if self._taught is None:
            return
        result, unsaved, after = self._taught
        self._forget_teach()
        self._end_goal()
        self._undoing = (unsaved, 0.0)
        self._start_notes[after.examples_seen] = "Teach it undone"
        self.worker.adopt(result.network_before(), after.epoch, after.examples_seen)
        self.digit_panel.show_undone()

    def _forget_teach(self) -> None:
        """The last Teach-it step can no longer be undone."""
        if self._taught is not None:
            self._taught = None
            self.undo_teach_action.setEnabled(False)
            self.digit_panel.set_undo_available(False)

    def explore_drawing(self) -> None:
        """Open the explorer on the drawn digit with the label chosen under Teach it."""
        drawing = self.digit_panel.network_input()
        if drawing is None:
            self.statusBar().showMessage("Draw a digit on the pad first.", 5000)
            return
        label = self.digit_panel.selected_label()
        if label is None:  # the backward pass needs the right answer; never invent one
            self.statusBar().showMessage(
                "Pick the digit it is under Teach it first: the backward pass starts from the "
                "right answer.",
                8000,
            )
            return
        self.tabs.setCurrentIndex(EXPLORER_TAB)
        self.explorer.set_example(drawing, label)

    def _on_tab_changed(self, index: int) -> None:
        """Entering the explorer pauses training and explores the exact current network."""
        if index != EXPLORER_TAB:
            return
        self.pause()
        QTimer.singleShot(0, self._load_explorer)

    def _load_explorer(self) -> None:
        """Give the explorer the latest snapshot once the worker has paused."""
        if self._state == RUNNING:
            QTimer.singleShot(10, self._load_explorer)
            return
        snapshot = self.worker.latest_snapshot()
        if snapshot is None:
            return
        self._refresh_views()
        if self.data is not None and self.explorer.property("data_source") != id(self.data):
            train, test = self.data.train, self.data.test  # the whole sets in use
            self.explorer.set_full_batch(train.images, train.labels)
            self.explorer.set_test_set(test.images, test.labels)
            self.explorer.setProperty("data_source", id(self.data))
        self.explorer.set_snapshot(snapshot)

    def export_diagram_dialog(self, kind: str) -> None:
        """Ask for a file name and export the diagram as PNG or SVG."""
        name, _ = QFileDialog.getSaveFileName(
            self, "Export diagram", self._export_name("diagram", kind), f"{kind.upper()} (*.{kind})"
        )
        if not name:
            return
        try:
            if kind == "png":
                self.network_view.export_png(name)
            else:
                self.network_view.export_svg(name)
        except OSError as exc:
            self.banner.show_failure(f"Could not export {name}: {exc}", offer_lower_rate=False)

    def mix_my_digits(self) -> None:
        """Retrain on the current data plus the learner's own labelled digits."""
        digits = self.digit_panel.my_digits
        if self.data is None or not len(digits):
            self.statusBar().showMessage("Add some digits under Teach it first.", 5000)
            return
        if self.unsaved and not self.confirm(
            "Train on your digits too?", "Training starts afresh on the combined data."
        ):
            return
        data = self.data
        images, labels = digits.as_uint8()
        train = Dataset(
            np.concatenate([data.train.images, images]),
            np.concatenate([data.train.labels, labels]),
            data.train.name,
        )
        mixed = MnistData(train, data.test, f"{data.source} + {len(labels)} of my digits")
        self.worker.load_data(lambda: mixed)

    def _update_status(self) -> None:
        """Fill the status bar from the latest reports (a few times a second at most)."""
        now = time.perf_counter()
        if self._state == RUNNING and now - self._status_shown < STATUS_REFRESH_S:
            return
        self._status_shown = now
        data, r, live = self.data, self.last_batch, self._live
        if r is not None and (live is None or r.examples_seen >= live.examples_seen):
            epoch = f"Epoch {r.epoch + 1}, mini-batch {r.batch + 1}"
            seen = r.examples_seen
        else:  # no mini-batch since the network began: an opened or resumed one has its own
            epoch = f"Epoch {live.epoch + 1}" if live is not None else "Epoch 1"
            seen = live.examples_seen if live is not None else 0
        texts = {
            "data": f"Data: {data.source} ({len(data.train):,} train)" if data else "Data: …",
            "epoch": epoch,
            "examples": f"{quantity(seen, 'example')} seen",
            "speed": f"{r.examples_per_second:,.0f} examples/s" if r else "",
            "accuracy": self._accuracy_text,
        }
        for key, text in texts.items():
            label = self.status_labels[key]
            if label.text() != text:  # an unchanged label costs no repaint
                label.setText(text)

    def _ask(self, title: str, text: str) -> bool:
        """Ask before trained work is lost, offering to save it first; True means go on."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        box.setInformativeText("It has trained since it was last saved. Save it first?")
        b = QMessageBox.StandardButton
        box.setStandardButtons(b.Save | b.Discard | b.Cancel)
        box.setDefaultButton(b.Save)
        answer = box.exec()
        if answer == b.Save:
            return self.save_model()
        return answer == b.Discard

    def _ask_yes_no(self, title: str, text: str) -> bool:
        """Ask a yes/no question."""
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _restore_geometry(self) -> None:
        """Reopen where the last session left off (clamped to the screen), or as a first launch."""
        self.placement.restore()
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        else:
            controls = self.splitter.widget(0).minimumWidth()
            self.splitter.setSizes([controls, max(self.width() - controls, 1)])
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """On a first launch, give the pad dock the width its pad, preview and bars need."""
        super().showEvent(event)
        self.placement.shown()
        if not self._docks_sized and not isinstance(
            self.settings.value("window/state"), QByteArray
        ):
            QTimer.singleShot(0, self._size_docks)
        self._docks_sized = True

    def _size_docks(self) -> None:
        """Give the pad dock its side-by-side width on a wide window, its narrow one otherwise."""
        wide = self.width() >= WIDE_WINDOW
        width = PAD_WIDTH + 20 if wide else PAD_MIN_WIDTH
        self.resizeDocks([self.pad_dock], [width], Qt.Orientation.Horizontal)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Offer to save trained work, then stop the worker and wait for its thread."""
        if self.unsaved and self.confirm_quit is not None and not self.confirm_quit():
            event.ignore()
            return
        self._timer.stop()
        self.placement.save()
        self._guard.remove()
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()
        if self._download is not None:
            self._download.cancel.set()
        self.explorer.shutdown()
        self.runs.shutdown()
        self.worker.shutdown()
        event.accept()

    def ask_save_on_quit(self) -> bool:
        """Offer to save trained work before quitting; return False to stay open."""
        answer = QMessageBox.question(
            self,
            "Save the trained network?",
            "This network has trained since it was last saved. Save it before quitting?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save_model()
        return answer == QMessageBox.StandardButton.Discard

    confirm_quit: Callable[[], bool] | None = None  # the app sets ask_save_on_quit; tests don't
