"""The main window: lays out the views and connects them to the lab and its helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QObject,
    QSettings,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent
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

from engine.core.network import NetworkConfig
from engine.data.datasets import MnistData
from engine.session.worker import TrainingWorker
from gui.app_icon import app_icon
from gui.diagram import NetworkView
from gui.explorer import ExplorerPanel
from gui.focus_chain import chain
from gui.guide import GuideController
from gui.insight import InsightPanel
from gui.lab import Lab
from gui.lesson import LessonFiles, LessonViews
from gui.pad import DigitPanel
from gui.player import StepPlayback
from gui.run_record import RunRecord
from gui.runs import RunsController
from gui.settings import Session, first_launch, mark_launched
from gui.training import BatchStrip, CostPlot, Timeline, TrainingControls
from gui.vertical_scroll import VerticalScrollArea
from gui.window.data_sources import DataSources
from gui.window.dialogs import WindowDialogs
from gui.window.explore_handoff import ExploreHandoff
from gui.window.failure_banner import FailureBanner
from gui.window.help_dialog import shortcut_actions
from gui.window.live_feed import LiveFeed
from gui.window.menus import WindowMenus
from gui.window.model_files import ModelFiles
from gui.window.placement import WindowPlacement
from gui.window.preferences_dialog import load_preferences
from gui.window.recovery import Recovery
from gui.window.shortcut_guard import ShortcutGuard
from gui.window.status_bar import StatusBar
from gui.window.status_tips import StatusTipGate
from gui.window.teach_undo import TeachUndo
from gui.window.training_goal import TrainingGoal

DEFAULT_SIZE = QSize(1800, 1000)  # first launch; later launches reopen as the user left it
PAD_MIN_WIDTH = 436  # the pad with its preview beside it, and room for a vertical scroll bar
PAD_WIDTH = 640  # the drawing pad, its 28x28 preview and the output bars side by side
WIDE_WINDOW = 1700  # from this width the pad dock opens wide enough for its side-by-side layout


class MainWindow(QMainWindow):
    """Lays out the controls, the diagram, the cost plot and the pad, and connects them.

    The lab (``gui.lab.Lab``) is the one model behind the window: the worker, the
    hyper-parameters, the data, the run's record and the messages. Each helper is built from the
    lab and the widgets it drives, and talks to the others only through the lab's signals.
    """

    DEFAULT_SIZE = DEFAULT_SIZE

    def __init__(self, settings: QSettings | None = None, data: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Backprop Lab")
        self.setWindowIcon(app_icon())
        self.settings = settings if settings is not None else QSettings()
        self.lab = lab = Lab(self.settings, data, self)
        self.stored = lab.stored
        lab.worker.set_keep_interval(load_preferences(self.stored).snapshot_interval)
        self._docks_sized = False
        self._confirm_quit: Callable[[], bool] | None = None  # the app asks; tests don't
        self.placement = WindowPlacement(self, self.stored)
        self._build_views()
        self._build_helpers()
        self._build_menus()
        self._connect()
        self._build_runs_and_guide()
        self.controls.set_session(lab.session)
        self.cost_plot.set_x_mode(lab.session.plot_x)
        self.feed.on_session_changed(lab.session)  # slow motion as the learner left it
        self._restore_geometry()
        self._update_title()
        self._guard = ShortcutGuard(self)
        self._tips = StatusTipGate(self)  # a menu's result is not hidden by a tip under the mouse
        self._order_tab()  # Tab: side panel, banner, tab and its page, pad, guide

        self.feed.timer.start()
        lab.worker.start()
        if lab.settings_problems:  # before the data: a failure to load it adds its own line
            lab.report(lab.settings_report())
        self.data_sources.load(lab.session.data, ask=False)

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
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.tabs, 1)
        self.digit_panel = DigitPanel()
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
        self.status_bar = StatusBar()
        self.setStatusBar(self.status_bar)
        self.status_labels = self.status_bar.labels

    def _build_helpers(self) -> None:
        """Make each helper from the lab and the widgets it drives (it connects to the lab)."""
        lab = self.lab
        self.feed = LiveFeed(
            lab,
            network_view=self.network_view,
            cost_plot=self.cost_plot,
            batch_strip=self.batch_strip,
            timeline=self.timeline,
            digit_panel=self.digit_panel,
            insight=self.insight,
            status_bar=self.status_bar,
            tabs=self.tabs,
        )
        self.recovery = Recovery(lab, self.banner)
        self.goal = TrainingGoal(lab)
        self.explore = ExploreHandoff(lab, self.tabs, self.explorer, self.digit_panel)
        self.data_sources = DataSources(lab, self.controls, self.digit_panel)
        self.files = ModelFiles(lab, self.tabs, self.network_view)
        self.teach = TeachUndo(lab, self.digit_panel)
        self.playback = StepPlayback(
            lab, self.network_view, self.digit_panel, self.timeline, self.tabs
        )
        self.dialogs = WindowDialogs(
            lab, self.splitter, lambda: shortcut_actions(self), self.files.save_model
        )
        lab.confirm = self.dialogs.ask_to_save_first
        lab.confirm_replace = self.dialogs.ask_yes_no
        self.runs = RunsController(lab, self.stored, self.tabs)  # the Compare tab (issue 18)
        self.guide = GuideController(  # Follow the video; Step and Explore are the menus' own
            lab,
            self.stored,
            tabs=self.tabs,
            explorer=self.explorer,
            explore=self.explore,
            digit_panel=self.digit_panel,
            pad_dock=self.pad_dock,
            network_view=self.network_view,
            playback=self.playback,
            step=lambda: self.menus.step_action.trigger(),
            explore_drawing=lambda: self.menus.explore_drawing_action.trigger(),
        )
        views = LessonViews(
            self.tabs,
            self.network_view,
            self.explorer,
            self.digit_panel,
            self.guide,
            self.playback,
            self.runs,
            self.feed,
            self.explore,
            self.data_sources,
        )
        self.lessons = LessonFiles(lab, views)  # File > Save/Open lesson, and a .bplab dropped here
        self.setAcceptDrops(True)
        self.installEventFilter(self.lessons)

    def _build_menus(self) -> None:
        """The actions (kept by one object, added here so their keys work on every tab), menus."""
        menus = self.menus = WindowMenus(
            self.lab,
            goal=self.goal,
            files=self.files,
            data_sources=self.data_sources,
            dialogs=self.dialogs,
            teach=self.teach,
            explore=self.explore,
            export_pad=lambda: self.files.export_widget_dialog(self.digit_panel, "pad"),
            quit_app=self.close,
        )
        play = self.playback.action
        lesson = (self.lessons.open_action, self.lessons.save_action)  # the lessons' own
        self.addActions([*menus.all_actions(), play, *lesson])
        pad = self.pad_dock.toggleViewAction()
        menus.build_menus(self.menuBar(), self.network_view, pad, lesson)
        self.controls.add_actions(
            [
                menus.run_action,
                menus.step_action,
                menus.epoch_action,
                menus.epoch_end_action,
                menus.reset_action,
                menus.new_seed_action,
            ]
        )
        # Play one step: its bar right under the diagram, above the cost plot (showing it leaves
        # the diagram's size), its action on the toolbar and in Train, its exports under Export.
        lower = self.middle.widget(self.middle.indexOf(self.network_view) + 1)
        lower.layout().insertWidget(0, self.playback.controls)
        toolbar = self.network_view.toolbar()
        toolbar.addSeparator()
        toolbar.addAction(play)
        menus.train_menu.insertAction(menus.epoch_action, play)
        menus.export_menu.addSeparator()
        menus.export_menu.addAction(self.playback.controls.export_gif_action)
        menus.export_menu.addAction(self.playback.controls.export_mp4_action)

    def _connect(self) -> None:
        """Connect the widgets to the lab: the controls' edits, its messages, its record."""
        lab, c = self.lab, self.controls
        c.network_edited.connect(self._on_network_edited)
        c.train_config_edited.connect(lambda config: lab.choose(train=config))  # the one path
        c.speed_edited.connect(lambda value: lab.choose(speed=value))
        c.goal_edited.connect(lambda epochs: lab.choose(goal_epochs=epochs))
        c.invalid_input.connect(lambda message: lab.say(message, 6000))
        lab.session_changed.connect(self._controls_follow)
        lab.message.connect(self.statusBar().showMessage)
        lab.data_changed.connect(self._on_data_changed)
        lab.record.changed.connect(self._update_title)
        self.recovery.blocked.connect(self.menus.show_blocked)
        self.recovery.blocked.connect(c.show_blocked)
        self.recovery.update_actions(lab.worker.state)  # off, and saying so, until the data is in
        self.cost_plot.x_mode_changed.connect(lambda mode: lab.choose(plot_x=mode))
        self.insight.digit_chosen.connect(self.explore.on_digit_chosen)
        self.menus.step_action.triggered.connect(self.guide.on_step_pressed)
        self.guide.height_wanted.connect(self._share_guide_height)
        self.feed.update_status()

    def _controls_follow(self, session: Session) -> None:
        """The controls show the session; fields that already show it are left as typed."""
        c = self.controls
        try:
            network = c.network_config()
        except ValueError:
            network = None
        shown = (network, c.seed.value(), c.train_config(), c.goal.value())
        if shown == (session.network, session.seed, session.train, session.goal_epochs):
            c.remember(session)  # what an invalid edit restores
            c.show_speed(session.speed)
        else:
            c.set_session(session)

    def _on_data_changed(self, data: MnistData) -> None:
        """The views that show the data follow it."""
        self.digit_panel.set_test_images(data.test.images, data.test.labels)
        self.digit_panel.set_class_names(data.class_names)
        self.network_view.set_class_names(data.class_names)
        self.explorer.set_class_names(data.class_names)
        self.insight.set_data(data)
        self.controls.set_data_source(data.source)

    def _build_runs_and_guide(self) -> None:
        """Add the Compare tab, the Runs menu and the Follow-the-video guide (issue 18)."""
        self.lab.network_ending.connect(self.runs.network_ending)  # kept as the run ends
        self.tabs.addTab(self.runs.panel, "Compare runs")
        self.tabs.setTabToolTip(
            self.tabs.indexOf(self.runs.panel),
            "Kept runs side by side, and the classic experiments in one click.",
        )
        bar = self.menuBar()
        help_menu = next(a for a in bar.actions() if a.text() == "&Help")
        self.runs.build_menu(bar.insertMenu(help_menu, QMenu("&Runs", self)).menu())
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.guide.dock)
        self.splitDockWidget(self.pad_dock, self.guide.dock, Qt.Orientation.Vertical)
        self.network_view.toolbar().addAction(self.guide.toggle_action)  # one click away
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
                self.cost_plot,
                len(STOPS),
                (self.timeline, self.batch_strip),
            ),
            self.menus.present_action,
            self.menus.present_menu,
            self.stored,
        )
        if first_launch(self.stored):  # the lesson starts itself, once (issue 22)
            self.guide.start_lesson()
        mark_launched(self.stored)

    def _share_guide_height(self) -> None:
        """Give the pad what its drawing, outputs and Teach row need, and the guide the rest."""
        pad, guide = self.pad_dock, self.guide.dock
        if self.dockWidgetArea(guide) != self.dockWidgetArea(pad) or pad.isHidden():
            return
        total = pad.height() + guide.height()
        need = min(self.digit_panel.minimumSizeHint().height() + 40, total // 2)
        self.resizeDocks([pad, guide], [need, total - need], Qt.Orientation.Vertical)

    def _on_network_edited(self, config: NetworkConfig, seed: int) -> None:
        """The learner changed the architecture, activation, cost or seed: ask, then reset."""
        if self.lab.reset(config=config, seed=seed):
            self.lab.choose(network=config, seed=seed)
        else:
            self.controls.set_session(self.lab.session)

    # What the rest of the app (and the tests) read of the window: the lab's, read-only.

    @property
    def worker(self) -> TrainingWorker:
        """The training worker (the lab's)."""
        return self.lab.worker

    @property
    def record(self) -> RunRecord:
        """The live run's record (the lab's)."""
        return self.lab.record

    @property
    def data(self) -> MnistData | None:
        """The data in use (the lab's)."""
        return self.lab.data

    @property
    def session(self) -> Session:
        """The settings in use (the lab's)."""
        return self.lab.session

    @property
    def settings_problems(self) -> list[str]:
        """The stored settings the launch could not use, and why."""
        return self.lab.settings_problems

    @property
    def step_player(self) -> QObject:
        """The player of Play one step."""
        return self.playback.player

    @property
    def step_player_controls(self) -> QWidget:
        """The player's bar under the diagram."""
        return self.playback.controls

    @property
    def play_step_action(self) -> QAction:
        """Play one step (P)."""
        return self.playback.action

    @property
    def help_dialog(self) -> QWidget | None:
        """The help dialog, once opened."""
        return self.dialogs.help_dialog

    @property
    def confirm(self) -> Callable[[str, str], bool]:
        """Asks before trained work is lost (tests answer it themselves)."""
        return self.lab.confirm

    @confirm.setter
    def confirm(self, question: Callable[[str, str], bool]) -> None:
        self.lab.confirm = question

    @property
    def confirm_replace(self) -> Callable[[str, str], bool]:
        """Asks before a file is replaced."""
        return self.lab.confirm_replace

    @confirm_replace.setter
    def confirm_replace(self, question: Callable[[str, str], bool]) -> None:
        self.lab.confirm_replace = question

    @property
    def confirm_quit(self) -> Callable[[], bool] | None:
        """Asks to save on quit; None quits without asking (tests, and a signal to quit)."""
        return self._confirm_quit

    @confirm_quit.setter
    def confirm_quit(self, question: Callable[[], bool] | None) -> None:
        self._confirm_quit = question

    def ask_before_quitting(self, question: Callable[[], bool] | None) -> None:
        """Ask ``question`` before closing with unsaved work (None: close without asking)."""
        self._confirm_quit = question

    def toggle_run(self) -> None:
        """Run for the chosen number of epochs if paused, pause if running."""
        self.goal.toggle()

    def pause(self) -> None:
        """Stop training after the current mini-batch, ending any Run."""
        self.lab.pause()

    def set_speed(self, value: float) -> None:
        """Set mini-batches per second (0 is full speed): everything that shows it follows."""
        self.lab.choose(speed=value)

    def reset(
        self, ask: bool = True, config: NetworkConfig | None = None, seed: int | None = None
    ) -> bool:
        """Start a fresh network, asking first if trained work would be lost."""
        return self.lab.reset(ask, config, seed)

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

    def _order_tab(self) -> list[QWidget]:
        """Chain Tab through the panels as a learner reads them; return the stops in order.

        Qt's default is the making order: the step player's bar is made after the pad, the
        Compare tab after the guide. Here: the side panel's training controls, the failure
        banner, the tab bar and the page it shows, the drawing pad, the guide; each panel read
        top to bottom and left to right (its module gives its order where making and reading
        differ). A hidden panel, or the page of a tab not shown, is skipped by Tab.
        """
        e = self.explorer  # its header, its text on the left, then the diagram and the page
        return chain(
            [
                [self.splitter.widget(0)],  # the training controls' scroll area, then they
                self.controls.tab_order,  # the Train box first, though made after the fields
                self.banner,
                [self.tabs],  # itself (Tab gives its bar the focus), its pages after it
                self.network_view,
                self.playback.controls.tab_order,  # right under the diagram, though made later
                self.cost_plot,
                self.batch_strip,
                self.timeline,
                [e, e.back_button, e.next_button, e.side],
                e.content,
                *(self.tabs.widget(i) for i in range(self.tabs.count())),
                self.pad_dock,
                self.guide.dock,
            ]
        )

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
        quit_question = self._confirm_quit
        if self.record.unsaved and quit_question is not None and not quit_question():
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
