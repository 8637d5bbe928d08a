"""The bar over the diagram while one step plays: play, pause, step, scrub, and export.

It drives a ``StepPlayer`` and follows it: the slider is the story's clock, each tick mark a beat.
Export asks for a size (a slide's 1280x720 or 1920x1080, or the diagram's own) and a file, and
writes the animation painted at that size (``gui.player.export``), with a progress dialog that can
cancel it; a failure is said in a message box and loses nothing.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.errors import SaveError
from gui.focus_chain import link
from gui.painted_icons import painted_icon
from gui.player.export import (
    MP4_MISSING,
    SLIDE_SIZES,
    ExportCancelledError,
    export_gif,
    export_mp4,
    find_ffmpeg,
    fit_size,
)
from gui.player.player import SPEEDS, StepPlayer

MS = 1000  # slider units per second of story


class StepPlayerControls(QWidget):
    """Play/pause, back and next beat, a scrub slider, example, speed, reading pauses, export."""

    exported = Signal(str, int)  # a finished export's path and frames written

    def __init__(self, player: StepPlayer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.setObjectName("stepPlayerControls")
        self.back_button = self._button("Back", "previous", "Go to the previous beat (,).")
        self.play_button = self._button("Play", "play", "Play or pause the animation (P).")
        self.next_button = self._button("Next", "next", "Go to the next beat (.).")
        self.close_button = self._button(
            "Close",
            "close",
            "Stop the animation and show the live network, the step taken (Esc).",
        )
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Scrub through the step: every tick is one beat of the animation.")
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.beat_label = QLabel()
        self.beat_label.setMinimumWidth(self.beat_label.fontMetrics().horizontalAdvance("99/99"))
        self.example_box = QComboBox()
        self.example_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.example_box.setToolTip(
            "The example whose forward and backward pass is shown in full; the others are added "
            "to the mini-batch's sum quickly."
        )
        self.speed_box = QComboBox()
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}\u00d7", speed)
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setToolTip("How fast the animation plays (and the exported file runs).")
        self.pause_box = QCheckBox("Pause after ea&ch phase")
        self.pause_box.setChecked(player.pause_for_reading())
        self.pause_box.setToolTip("Stop at the end of each phase so its caption can be read.")
        self.export_button = QToolButton()
        self.export_button.setText("Export")  # the menu button draws its own arrow
        self.export_button.setToolTip("Save the animation as a GIF or a video, sized for a slide.")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        self.export_gif_action = menu.addAction("Animated GIF\u2026")
        self.export_mp4_action = menu.addAction("MP4 video\u2026")
        self.export_button.setMenu(menu)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        for widget in (self.back_button, self.play_button, self.next_button):
            top.addWidget(widget)
        top.addWidget(self.slider, 1)
        top.addWidget(self.beat_label)
        top.addWidget(self.close_button)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(QLabel("Example:"))
        bottom.addWidget(self.example_box)
        bottom.addWidget(QLabel("Speed:"))
        bottom.addWidget(self.speed_box)
        bottom.addWidget(self.pause_box)
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(bottom)
        # Tab reads the rows: Close ends the top row though it was made before the slider.
        self.tab_order = (self.back_button, self.play_button, self.next_button, self.slider)
        self.tab_order += (self.close_button, self.example_box, self.speed_box, self.pause_box)
        self.tab_order += (self.export_button,)
        link(self.tab_order)

        self.step_back_action = self._shortcut(",", player.step_back)
        self.step_forward_action = self._shortcut(".", player.step_forward)
        self.close_action = self._shortcut("Esc", player.close)
        self.back_button.clicked.connect(player.step_back)
        self.play_button.clicked.connect(player.toggle)
        self.next_button.clicked.connect(player.step_forward)
        self.close_button.clicked.connect(player.close)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.example_box.activated.connect(
            lambda i: player.set_focus(int(self.example_box.itemData(i)))
        )
        self.speed_box.activated.connect(
            lambda i: player.set_speed(float(self.speed_box.itemData(i)))
        )
        self.pause_box.toggled.connect(player.set_pause_for_reading)
        self.export_gif_action.triggered.connect(lambda _=False: self.export_dialog("gif"))
        self.export_mp4_action.triggered.connect(lambda _=False: self.export_dialog("mp4"))
        player.story_loaded.connect(self._on_story_loaded)
        player.position_changed.connect(self._on_position_changed)
        player.playing_changed.connect(self._on_playing_changed)
        player.beats_changed.connect(self._on_beats_changed)
        self.setVisible(False)

    def _button(self, text: str, icon: str, tip: str) -> QToolButton:
        """Return a tool button with a painted icon (no font can lack it), a word and a tip."""
        button = QToolButton()
        button.setText(text)
        button.setIcon(painted_icon(icon))
        button.setToolTip(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def _shortcut(self, key: str, slot) -> QAction:
        """Return a window-wide shortcut that works while this bar is shown."""
        action = QAction(self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)
        return action

    def _on_story_loaded(self, story) -> None:
        """Show the bar for a new story, hide it when the player closes."""
        self.setVisible(story is not None)
        if story is None:
            return
        self.example_box.clear()
        for i, label in enumerate(story.labels.tolist()):
            guess = story.guess(i)
            mark = "guessed right" if guess == label else f"guessed {guess}"
            self.example_box.addItem(f"{i + 1}: a {label}, {mark}", i)
            tip = f"Example {i + 1} of {story.batch_size}: a {label}, the network guessed {guess}"
            self.example_box.setItemData(i, tip, Qt.ItemDataRole.ToolTipRole)
        self.example_box.setCurrentIndex(self.player.focus())
        self._on_beats_changed()

    def _on_beats_changed(self) -> None:
        """Scale the slider to the story and put a tick at every beat."""
        self.slider.blockSignals(True)
        self.slider.setRange(0, int(self.player.duration * MS))
        starts = self.player.beat_starts()
        self.slider.setTickInterval(int(min(b - a for a, b in zip(starts, starts[1:])) * MS))
        self.slider.setSingleStep(int(0.1 * MS))
        self.slider.setPageStep(int(1.0 * MS))
        self.slider.blockSignals(False)
        self.example_box.setCurrentIndex(max(self.player.focus(), 0))
        self._on_position_changed(self.player.position)

    def _on_position_changed(self, seconds: float) -> None:
        """Move the slider and the beat counter with the player."""
        self.slider.blockSignals(True)
        self.slider.setValue(int(round(seconds * MS)))
        self.slider.blockSignals(False)
        if self.player.is_active():
            count = len(self.player.beat_starts())
            self.beat_label.setText(f"{self.player.beat_index() + 1}/{count}")
            self.slider.setToolTip(self.player.caption().split("\n")[0])

    def _on_slider_moved(self, value: int) -> None:
        """Scrub: pause and show the story where the slider is."""
        self.player.pause()
        self.player.seek(value / MS)

    def _on_playing_changed(self, playing: bool) -> None:
        """Show Pause while playing, Play otherwise."""
        self.play_button.setText("Pause" if playing else "Play")
        self.play_button.setIcon(painted_icon("pause" if playing else "play"))

    def export_dialog(self, kind: str) -> None:
        """Ask for a file name and export the animation as a GIF or an MP4, with progress."""
        player = self.player
        if not player.is_active():
            QMessageBox.information(
                self, "Export the step", "Play one step first (P): the export records its story."
            )
            return
        if kind == "mp4" and find_ffmpeg() is None:
            QMessageBox.information(self, "MP4 export", MP4_MISSING)
            return
        player.pause()
        sizes = self.export_sizes()
        names = list(sizes)
        name, chosen = QInputDialog.getItem(
            self, "Export the step", "Size of the animation, in pixels:", names, 0, False
        )
        if not chosen:
            return
        label = "Animated GIF (*.gif)" if kind == "gif" else "MP4 video (*.mp4)"
        path, _ = QFileDialog.getSaveFileName(self, "Export the step", f"step.{kind}", label)
        if not path:
            return
        if not os.path.splitext(os.path.basename(path))[1]:  # "step" means step.gif, if new
            path += f".{kind}"
            if os.path.lexists(path) and not self.confirm_replace(path):
                return
        try:
            self.export(path, kind, show_progress=True, size=sizes[name])
        except ExportCancelledError:
            return
        except (OSError, ValueError) as exc:
            told = str(exc) if isinstance(exc, SaveError) else f"could not export {path}: {exc}"
            QMessageBox.warning(self, "Export failed", told[:1].upper() + told[1:])

    def export_sizes(self) -> dict[str, tuple[int, int] | None]:
        """Return the sizes Export offers, by their name in the dialog (None: the diagram's)."""
        sizes: dict[str, tuple[int, int] | None] = {
            f"{w} x {h}, for a slide" if h < 1000 else f"{w} x {h}, full HD": (w, h)
            for w, h in SLIDE_SIZES
        }
        layout = self.player.view.diagram_layout()
        if layout is not None:
            own = (int(layout.width), int(layout.height))
            w, h = fit_size(*own)
            shrunk = ", scaled down to 4K" if (w, h) != own else ""
            sizes[f"{w} x {h}, the diagram as on screen{shrunk}"] = None
        return sizes

    def confirm_replace(self, path: str) -> bool:
        """Ask before replacing a file the save dialog did not name (its suffix was added)."""
        answer = QMessageBox.question(
            self, "Export the step", f"{path} already exists. Replace it?"
        )
        return answer == QMessageBox.StandardButton.Yes

    def export(
        self,
        path: str | os.PathLike[str],
        kind: str,
        show_progress: bool = False,
        size: tuple[int, int] | None = None,
    ) -> int:
        """Write the animation to ``path`` ("gif" or "mp4"); return its frames.

        ``size`` is in pixels; None is the diagram's size on screen.
        """
        player = self.player
        layout = player.view.diagram_layout()
        progress = None
        dialog = None
        if show_progress:
            dialog = QProgressDialog("Exporting the step\u2026", "Cancel", 0, 100, self)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)

            def progress(done: int, total: int) -> bool:
                """Show how far the export is and let the user cancel it."""
                dialog.setMaximum(total)
                dialog.setValue(done)
                QApplication.processEvents()
                return not dialog.wasCanceled()

        write = export_gif if kind == "gif" else export_mp4
        try:
            frames = write(
                player.frames, layout, player.settings(), path, speed=player.speed(),
                progress=progress, size=size,
            )  # fmt: skip
        finally:
            if dialog is not None:
                dialog.close()
        self.exported.emit(os.fspath(path), frames)
        return frames
