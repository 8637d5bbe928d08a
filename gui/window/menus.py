"""The window's actions and its File, Data, Train, View and Help menus, held by one object."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenuBar

from gui.actions import add_action
from gui.diagram import NetworkView
from gui.lab import Lab
from gui.settings import SPEEDS, Session
from gui.training import SPEED_LABELS
from gui.window.data_sources import DataSources
from gui.window.dialogs import WindowDialogs
from gui.window.explore_handoff import ExploreHandoff
from gui.window.model_files import ModelFiles
from gui.window.teach_undo import TeachUndo
from gui.window.training_goal import TrainingGoal


class WindowMenus(QObject):
    """Every action of the window (menus, buttons, keys) and the menus that list them.

    Built from the lab and the helpers whose work the actions start; the window adds the
    actions to itself (so their keys work on every tab) and keeps this object.
    """

    def __init__(
        self,
        lab: Lab,
        *,
        goal: TrainingGoal,
        files: ModelFiles,
        data_sources: DataSources,
        dialogs: WindowDialogs,
        teach: TeachUndo,
        explore: ExploreHandoff,
        export_pad: Callable[[], None],
        quit_app: Callable[[], object],
    ) -> None:
        super().__init__(lab)
        self.lab = lab
        self.files = files
        self._build_actions(
            goal, files, data_sources, dialogs, teach, explore, export_pad, quit_app
        )
        goal.running_changed.connect(
            lambda running: self.run_action.setText("Pause" if running else "Run")
        )
        teach.undo_available.connect(self.undo_teach_action.setEnabled)
        lab.session_changed.connect(self.show_speed)

    def training_actions(self) -> list[QAction]:
        """Run and the steps: on exactly when training can run."""
        return [self.run_action, self.step_action, self.epoch_action, self.epoch_end_action]

    def show_blocked(self, reason: str) -> None:
        """Turn Run and the steps off while training cannot run (``reason`` says why)."""
        for action in self.training_actions():
            action.setEnabled(not reason)

    def show_speed(self, session: Session) -> None:
        """Tick the Train > Speed entry of the speed in use."""
        for value, action in self.speed_actions:
            action.setChecked(value == session.speed)

    def all_actions(self) -> list[QAction]:
        """Every action made here, for the window to add to itself."""
        return [a for a in self.findChildren(QAction) if a.parent() is self]

    def _build_actions(
        self, goal, files, data_sources, dialogs, teach, explore, export_pad, quit_app
    ) -> None:
        """Create the actions shared by the menus, the buttons and the keyboard."""
        lab = self.lab
        a = partial(add_action, self)
        self.run_action = a(
            "Run",
            goal.toggle,
            "Space",
            "Train for the epochs set in 'Run for', then pause and test; press again to pause.",
        )
        self.step_action = a(
            "&Step mini-batch",
            lambda: lab.step(lab.worker.step_batch),
            "Right",
            "Train on one mini-batch: one gradient step, then pause.",
        )
        self.epoch_action = a(
            "Step &epoch",
            lambda: lab.step(lab.worker.step_epoch),
            "Shift+Right",
            "Train one full pass over the training set, then pause and test.",
        )
        self.epoch_end_action = a(
            "Run to end of e&poch",
            lambda: lab.step(lab.worker.run_to_epoch_end),
            "Ctrl+Right",
            "Train until the current epoch is complete, then pause and test.",
        )
        self.reset_action = a(
            "Rese&t", lab.reset, "R", "Start again from fresh random weights (same seed)."
        )
        self.new_seed_action = a(
            "Reset with new see&d",
            lab.reset_new_seed,
            "Shift+R",
            "Start again from different random weights and a different example order.",
        )
        self.defaults_action = a(
            "Restore de&faults",
            lab.restore_defaults,
            None,
            "Return to the video's network: 784-16-16-10, sigmoid, quadratic cost, eta 3, "
            "mini-batch 10.",
        )
        self.open_action = a(
            "&Open model…", files.open_model_dialog, "Ctrl+O", "Open a saved network."
        )
        self.save_action = a(
            "&Save model", files.save_model, "Ctrl+S", "Save the network and its history."
        )
        self.save_as_action = a(
            "Save model &as…", lambda: files.save_model(ask_path=True), "Ctrl+Shift+S"
        )
        self.export_csv_action = a(
            "Export cost history as &CSV…",
            files.export_history_dialog,
            None,
            "Write every mini-batch cost and every epoch's test result to a CSV file.",
        )
        self.quit_action = a("&Quit", quit_app, "Ctrl+Q")
        self.sample_action = a(
            "&Bundled sample (10,000 + 2,000)",
            lambda: data_sources.load("sample"),
            None,
            "A balanced sample of real MNIST digits shipped with the app.",
        )
        self.full_action = a(
            "&Full MNIST (60,000 + 10,000)",
            lambda: data_sources.load("full"),
            None,
            "The whole MNIST database, downloaded once (about 11 MB) and cached.",
        )
        self.fashion_action = a(
            "Fashion-MNIST (60,000 + 10,000)",
            lambda: data_sources.load("fashion"),
            None,
            "Zalando's 28x28 photos of clothes in ten classes, downloaded once (about 30 MB).",
        )
        self.fashion_handful_action = a(
            "Fashion-MNIST handful (10, bundled)",
            lambda: data_sources.load("fashion-handful"),
            None,
            "Ten real Fashion-MNIST images, one per class, to look at without a network; "
            "the same ten are the training and the test set.",
        )
        self.kmnist_action = a(
            "Kuzushiji-MNIST (60,000 + 10,000)",
            lambda: data_sources.load("kmnist"),
            None,
            "Ten cursive Japanese hiragana, downloaded once (about 21 MB).",
        )
        self.open_images_action = a(
            "Open image folder…",
            data_sources.open_image_folder_dialog,
            None,
            "Your own PNG or JPEG images: one sub-folder per class, named after it, "
            "2 to 10 classes.",
        )
        self.open_idx_action = a(
            "Open &IDX folder…",
            data_sources.open_idx_dialog,
            None,
            "Use MNIST-format files you already have (train/t10k images and labels).",
        )
        self.about_action = a("&About Backprop Lab", dialogs.show_about)
        self.guide_action = a(
            "&Getting started",
            lambda: dialogs.show_help(0),
            "F1",
            "What to try first, in the order of 3Blue1Brown's video.",
        )
        self.keys_action = a(
            "&Keyboard shortcuts",
            lambda: dialogs.show_help(1),
            None,
            "Every key the app answers to.",
        )
        self.links_action = a(
            "&Watch and read",
            lambda: dialogs.show_help(2),
            None,
            "The video and chapter 2 of Nielsen's book, where this app's ideas come from.",
        )
        self.undo_teach_action = a(
            "&Undo Teach it",
            teach.undo,
            None,
            "Put the network back exactly as it was before the last Teach-it step.",
        )
        self.undo_teach_action.setEnabled(False)
        self.prefs_action = a(
            "P&references…",
            dialogs.show_preferences,
            "Ctrl+,",
            "Theme, training speed, and how often the timeline keeps a snapshot.",
        )
        self.export_panel_action = a(
            "Current &view as PNG…",
            files.export_panel_dialog,
            None,
            "Save what the current tab (diagram and cost, explorer, or insight) shows.",
        )
        self.export_pad_action = a(
            "Drawing &pad as PNG…",
            export_pad,
            None,
            "Save the drawing pad, its 28x28 input and the output bars as a picture.",
        )
        self.export_png_action = a(
            "&Diagram as PNG…",
            lambda: files.export_diagram_dialog("png"),
            None,
            "Save the network diagram as it is shown, as a picture.",
        )
        self.export_svg_action = a(
            "Diagram as S&VG…",
            lambda: files.export_diagram_dialog("svg"),
            None,
            "Save the network diagram as a scalable vector drawing.",
        )
        self.explore_drawing_action = a(
            "E&xplore the drawn digit",
            explore.explore_drawing,
            "Ctrl+E",
            "Open the backprop explorer on your drawing, with the label chosen under Teach it.",
        )
        self.present_action = a(
            "&Present",
            lambda: None,  # checkable: gui/present follows its toggled signal
            "F11",
            "Projector mode: full screen, large text, thick lines; Esc or F11 leaves it.",
        )
        self.present_action.setCheckable(True)
        self.mix_digits_action = a(
            "&Train on my digits too",
            data_sources.mix_my_digits,
            None,
            "Add the digits you drew and labelled to the training set and start afresh.",
        )

    def build_menus(
        self,
        bar: QMenuBar,
        network_view: NetworkView,
        pad_toggle: QAction,
        lesson_actions: tuple[QAction, ...] = (),
    ) -> None:
        """Fill the File, Data, Train, View and Help menus of ``bar`` (lessons under File)."""
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(lambda: self.files.fill_recent_menu(self.recent_menu))
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addSeparator()
        if lesson_actions:
            for action in lesson_actions:
                file_menu.addAction(action)
            file_menu.addSeparator()
        self.export_menu = file_menu.addMenu("&Export")
        self.export_menu.addAction(self.export_csv_action)
        self.export_menu.addAction(self.export_png_action)
        self.export_menu.addAction(self.export_svg_action)
        self.export_menu.addAction(self.export_panel_action)
        self.export_menu.addAction(self.export_pad_action)
        file_menu.addAction(self.prefs_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        data_menu = bar.addMenu("&Data")
        for action in (
            self.sample_action,
            self.full_action,
            self.fashion_action,
            self.fashion_handful_action,
            self.kmnist_action,
            self.open_images_action,
            self.open_idx_action,
        ):
            data_menu.addAction(action)
        data_menu.addSeparator()
        data_menu.addAction(self.mix_digits_action)
        train_menu = self.train_menu = bar.addMenu("&Train")
        for action in (
            self.run_action,
            self.step_action,
            self.epoch_action,
            self.epoch_end_action,
        ):
            train_menu.addAction(action)
        train_menu.addSeparator()
        speed_menu = train_menu.addMenu("Sp&eed")
        self.speed_actions = []
        for value in SPEEDS:
            action = speed_menu.addAction(SPEED_LABELS[value])
            action.setCheckable(True)
            action.setChecked(value == self.lab.session.speed)
            action.triggered.connect(lambda _=False, v=value: self.lab.choose(speed=v))
            self.speed_actions.append((value, action))
        train_menu.addSeparator()
        for action in (self.reset_action, self.new_seed_action, self.defaults_action):
            train_menu.addAction(action)
        self.view_menu = bar.addMenu("&View")
        edges = self.view_menu.addMenu("&Edges show")
        for action in network_view.mode_actions():
            edges.addAction(action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(pad_toggle)
        self.view_menu.addAction(self.explore_drawing_action)
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.present_action)
        self.present_menu = self.view_menu.addMenu("Present &options")
        train_menu.addSeparator()
        train_menu.addAction(self.undo_teach_action)
        help_menu = bar.addMenu("&Help")
        for action in (self.guide_action, self.keys_action, self.links_action):
            help_menu.addAction(action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)
