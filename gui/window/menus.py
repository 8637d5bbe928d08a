"""The window's actions and its File, Data, Train, View and Help menus."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from gui.actions import add_action
from gui.settings import SPEEDS
from gui.training import SPEED_LABELS

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow


def build_actions(window: MainWindow) -> None:
    """Create the actions shared by the menus, the buttons and the keyboard."""
    a = partial(add_action, window)
    window.run_action = a(
        "Run",
        window.toggle_run,
        "Space",
        "Train for the epochs set in 'Run for', then pause and test; press again to pause.",
    )
    window.step_action = a(
        "&Step mini-batch",
        lambda: window.run_goal.end() or window.worker.step_batch(),
        "Right",
        "Train on one mini-batch: one gradient step, then pause.",
    )
    window.epoch_action = a(
        "Step &epoch",
        lambda: window.run_goal.end() or window.worker.step_epoch(),
        "Shift+Right",
        "Train one full pass over the training set, then pause and test.",
    )
    window.epoch_end_action = a(
        "Run to end of e&poch",
        lambda: window.run_goal.end() or window.worker.run_to_epoch_end(),
        "Ctrl+Right",
        "Train until the current epoch is complete, then pause and test.",
    )
    window.reset_action = a(
        "Rese&t", window.reset, "R", "Start again from fresh random weights (same seed)."
    )
    window.new_seed_action = a(
        "Reset with new see&d",
        window.reset_new_seed,
        "Shift+R",
        "Start again from different random weights and a different example order.",
    )
    window.defaults_action = a(
        "Restore de&faults",
        window.restore_defaults,
        None,
        "Return to the video's network: 784-16-16-10, sigmoid, quadratic cost, eta 3, "
        "mini-batch 10.",
    )
    window.open_action = a(
        "&Open model…", window.files.open_model_dialog, "Ctrl+O", "Open a saved network."
    )
    window.save_action = a(
        "&Save model", window.save_model, "Ctrl+S", "Save the network and its history."
    )
    window.save_as_action = a(
        "Save model &as…", lambda: window.save_model(ask_path=True), "Ctrl+Shift+S"
    )
    window.export_csv_action = a(
        "Export cost history as &CSV…",
        window.files.export_history_dialog,
        None,
        "Write every mini-batch cost and every epoch's test result to a CSV file.",
    )
    window.quit_action = a("&Quit", window.close, "Ctrl+Q")
    window.sample_action = a(
        "&Bundled sample (10,000 + 2,000)",
        lambda: window.data_sources.load("sample"),
        None,
        "A balanced sample of real MNIST digits shipped with the app.",
    )
    window.full_action = a(
        "&Full MNIST (60,000 + 10,000)",
        lambda: window.data_sources.load("full"),
        None,
        "The whole MNIST database, downloaded once (about 11 MB) and cached.",
    )
    window.open_idx_action = a(
        "Open &IDX folder…",
        window.data_sources.open_idx_dialog,
        None,
        "Use MNIST-format files you already have (train/t10k images and labels).",
    )
    window.about_action = a("&About Backprop Lab", window.dialogs.show_about)
    window.guide_action = a(
        "&Getting started",
        lambda: window.dialogs.show_help(0),
        "F1",
        "What to try first, in the order of 3Blue1Brown's video.",
    )
    window.keys_action = a(
        "&Keyboard shortcuts",
        lambda: window.dialogs.show_help(1),
        None,
        "Every key the app answers to.",
    )
    window.links_action = a(
        "&Watch and read",
        lambda: window.dialogs.show_help(2),
        None,
        "The video and chapter 2 of Nielsen's book, where this app's ideas come from.",
    )
    window.undo_teach_action = a(
        "&Undo Teach it",
        window.teach.undo,
        None,
        "Put the network back exactly as it was before the last Teach-it step.",
    )
    window.undo_teach_action.setEnabled(False)
    window.prefs_action = a(
        "P&references…",
        window.dialogs.show_preferences,
        "Ctrl+,",
        "Theme, training speed, and how often the timeline keeps a snapshot.",
    )
    window.export_panel_action = a(
        "Current &view as PNG…",
        window.files.export_panel_dialog,
        None,
        "Save what the current tab (diagram and cost, explorer, or insight) shows.",
    )
    window.export_pad_action = a(
        "Drawing &pad as PNG…",
        lambda: window.files.export_widget_dialog(window.digit_panel, "pad"),
        None,
        "Save the drawing pad, its 28x28 input and the output bars as a picture.",
    )
    window.export_png_action = a(
        "&Diagram as PNG…",
        lambda: window.files.export_diagram_dialog("png"),
        None,
        "Save the network diagram as it is shown, as a picture.",
    )
    window.export_svg_action = a(
        "Diagram as S&VG…",
        lambda: window.files.export_diagram_dialog("svg"),
        None,
        "Save the network diagram as a scalable vector drawing.",
    )
    window.explore_drawing_action = a(
        "E&xplore the drawn digit",
        window.explore.explore_drawing,
        "Ctrl+E",
        "Open the backprop explorer on your drawing, with the label chosen under Teach it.",
    )
    window.mix_digits_action = a(
        "&Train on my digits too",
        window.data_sources.mix_my_digits,
        None,
        "Add the digits you drew and labelled to the training set and start afresh.",
    )
    window.present_action = a(
        "&Present",
        lambda: None,  # checkable: gui/present follows its toggled signal
        "F11",
        "Projector mode: full screen, large text, thick lines; Esc or F11 leaves it.",
    )
    window.controls.add_actions(
        [
            window.run_action,
            window.step_action,
            window.epoch_action,
            window.epoch_end_action,
            window.reset_action,
            window.new_seed_action,
        ]
    )


def build_menus(window: MainWindow) -> None:
    """Fill the File, Data, Train, View and Help menus."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(window.open_action)
    window.recent_menu = file_menu.addMenu("Open &recent")
    window.recent_menu.aboutToShow.connect(window.files.fill_recent_menu)
    file_menu.addAction(window.save_action)
    file_menu.addAction(window.save_as_action)
    file_menu.addSeparator()
    window.export_menu = file_menu.addMenu("&Export")
    window.export_menu.addAction(window.export_csv_action)
    window.export_menu.addAction(window.export_png_action)
    window.export_menu.addAction(window.export_svg_action)
    window.export_menu.addAction(window.export_panel_action)
    window.export_menu.addAction(window.export_pad_action)
    file_menu.addAction(window.prefs_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    data_menu = bar.addMenu("&Data")
    for action in (window.sample_action, window.full_action, window.open_idx_action):
        data_menu.addAction(action)
    data_menu.addSeparator()
    data_menu.addAction(window.mix_digits_action)
    train_menu = bar.addMenu("&Train")
    for action in (
        window.run_action,
        window.step_action,
        window.epoch_action,
        window.epoch_end_action,
    ):
        train_menu.addAction(action)
    train_menu.addSeparator()
    speed_menu = train_menu.addMenu("Sp&eed")
    window.speed_actions = []
    for value in SPEEDS:
        action = speed_menu.addAction(SPEED_LABELS[value])
        action.setCheckable(True)
        action.setChecked(value == window.session.speed)
        action.triggered.connect(lambda _=False, v=value: window.set_speed(v))
        window.speed_actions.append((value, action))
    train_menu.addSeparator()
    for action in (window.reset_action, window.new_seed_action, window.defaults_action):
        train_menu.addAction(action)
    window.view_menu = bar.addMenu("&View")
    edges = window.view_menu.addMenu("&Edges show")
    for action in window.network_view.mode_actions():
        edges.addAction(action)
    window.view_menu.addSeparator()
    window.view_menu.addAction(window.pad_dock.toggleViewAction())
    window.view_menu.addAction(window.explore_drawing_action)
    window.view_menu.addSeparator()
    window.view_menu.addAction(window.present_action)
    window.present_menu = window.view_menu.addMenu("Present &options")
    train_menu.addSeparator()
    train_menu.addAction(window.undo_teach_action)
    help_menu = bar.addMenu("&Help")
    for action in (window.guide_action, window.keys_action, window.links_action):
        help_menu.addAction(action)
    help_menu.addSeparator()
    help_menu.addAction(window.about_action)
