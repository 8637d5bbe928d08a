"""Model files, recent files and exports: what File > Open, Save, Open recent and Export do."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMenu, QTabWidget, QWidget

from engine import limits
from engine.data.atomic import atomic_write
from engine.data.model_io import save_model
from engine.errors import BackpropLabError
from gui.atomic_export import write_png
from gui.diagram import NetworkView
from gui.file_names import documents_path, ending_added_ok, model_file_path, model_name
from gui.lab import Lab
from gui.window.model_reader import read_model

RECENT_FILES = 8  # files listed under File > Open recent


class ModelFiles:
    """Open, save and export the lab's network and record, and keep the recent files.

    Built from the lab and the widgets it saves pictures of: the tabs (the current view) and the
    diagram; the tabs are also the parent of its dialogs.
    """

    def __init__(self, lab: Lab, tabs: QTabWidget, network_view: NetworkView) -> None:
        self.lab = lab
        self.tabs = tabs
        self.network_view = network_view
        self.settings = lab.stored

    def open_model_dialog(self) -> None:
        """Ask for a model file and open it."""
        path, _ = QFileDialog.getOpenFileName(
            self.tabs, "Open model", "", "Backprop Lab model (*.npz)"
        )
        if path:
            self.open_model(path)

    def open_model(self, path: str | Path) -> bool:
        """Open a saved network and its history; a bad file changes nothing and says why."""
        try:
            outputs = self.lab.data.n_classes if self.lab.data is not None else 10
            read = read_model(path, self.tabs, outputs=outputs)
        except BackpropLabError as exc:
            self.lab.report(str(exc))
            return False
        if read is None:
            self.lab.say(f"Opening {Path(path).name} cancelled.", 5000)
            return False
        saved, history = read
        if self.lab.record.unsaved and not self.lab.confirm(
            "Open this model?", "The current network's training will be lost."
        ):
            return False
        train = limits.snap_train_config(saved.train_config)  # the value shown is the one used
        self.lab.continue_from(
            saved.network,
            saved.epoch,
            saved.examples_seen,
            train,
            history,
            Path(path),
            note="opened model",
        )
        self.add_recent(Path(path))
        return True

    def save_model(self, ask_path: bool = False) -> bool:
        """Save the current network with its hyper-parameters and history (asking where if new)."""
        path = self.lab.record.model_path
        if ask_path or path is None:
            path = self._ask_model_path()
            if path is None:
                return False
        return self.save_model_to(path)

    def suggested_model_name(self) -> str:
        """Return a descriptive file name: architecture, activation, cost and epochs trained."""
        snapshot = self.lab.worker.latest_snapshot()
        if snapshot is None:
            return model_name(self.lab.session.network, None)
        return model_name(snapshot.config, snapshot.epoch)

    def export_name(self, what: str, suffix: str) -> str:
        """Return a descriptive export file name in the documents folder, e.g. its diagram."""
        stem = self.suggested_model_name().removesuffix(".npz")
        return str(documents_path(f"{stem}-{what}.{suffix}"))

    def _ask_model_path(self) -> Path | None:
        """Ask where to save, starting in the documents folder; None if the learner cancels.

        A name without ".npz" gets it added (run.v2 becomes run.v2.npz, never run.npz), and if
        that file exists, which the dialog did not ask about, the learner is asked first.
        """
        start = self.lab.record.model_path or documents_path(self.suggested_model_name())
        typed, _ = QFileDialog.getSaveFileName(
            self.tabs, "Save model", str(start), "Backprop Lab model (*.npz)"
        )
        if not typed:
            return None
        path = model_file_path(typed)
        return path if ending_added_ok(typed, path, "Models", self.lab.confirm_replace) else None

    def save_model_to(self, path: Path) -> bool:
        """Write the latest snapshot's network to ``path`` atomically."""
        from engine.session.snapshot import network_of

        snap = self.lab.worker.latest_snapshot()
        if snap is None:
            return False
        try:
            save_model(
                path,
                network_of(snap),
                snap.train_config,
                snap.epoch,
                snap.examples_seen,
                self.lab.record.history.to_arrays(),
            )
        except OSError as exc:  # SaveError names the path and the reason
            self.lab.report(
                str(exc) if isinstance(exc, BackpropLabError) else f"Could not save {path}: {exc}"
            )
            return False
        self.lab.record.model_path = Path(path)
        self.add_recent(Path(path))
        self.lab.record.unsaved = False
        self.lab.say(f"Saved {path}", 5000)
        return True

    def export_history_dialog(self) -> None:
        """Ask for a CSV file name and write the history to it."""
        name, _ = QFileDialog.getSaveFileName(
            self.tabs, "Export history", self.export_name("history", "csv"), "CSV (*.csv)"
        )
        if name:
            self.export_history(Path(name))

    def export_history(self, path: Path) -> bool:
        """Write one row per mini-batch and per epoch result, atomically; say so if it fails."""
        try:
            atomic_write(path, self.write_history_csv)
        except OSError as exc:  # SaveError names the path and the reason, e.g. a full disk
            self.lab.report(f"Could not export the history: {exc}")
            return False
        self.lab.say(f"Exported the history to {path}", 5000)
        return True

    def write_history_csv(self, binary: io.BufferedIOBase) -> None:
        """Write the history as CSV into an open binary file."""
        file = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        writer = csv.writer(file)
        writer.writerow(["kind", "epoch", "cost", "test_cost", "test_accuracy"])
        b = self.lab.record.history.batches
        for x, cost in zip(b.column("progress"), b.column("cost")):
            writer.writerow(["batch", f"{x:.6f}", f"{cost:.6g}", "", ""])
        e = self.lab.record.history.epochs
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
        paths = self.settings.value("files/recent")[: 4 * RECENT_FILES]  # typed, cut short
        return [p for p in paths if Path(p).is_file()][:RECENT_FILES]

    def add_recent(self, path: Path) -> None:
        """Put ``path`` first in the recent files."""
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue("files/recent", paths[:RECENT_FILES])

    def fill_recent_menu(self, menu: QMenu) -> None:
        """List the recent models in ``menu`` (File → Open recent)."""
        menu.clear()
        paths = self.recent_files()
        for path in paths:
            action = menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_model(p))
        if not paths:
            menu.addAction("No recent models").setEnabled(False)

    def export_panel_dialog(self) -> None:
        """Save the current tab as a PNG."""
        names = ("network-and-cost", "explorer", "insight", "compare")
        i = self.tabs.currentIndex()
        self.export_widget_dialog(self.tabs.currentWidget(), names[i] if i < len(names) else "view")

    def export_widget_dialog(self, widget: QWidget, name: str) -> None:
        """Ask for a file name and save ``widget`` as it looks now."""
        path, _ = QFileDialog.getSaveFileName(
            self.tabs, "Export as PNG", self.export_name(name, "png"), "PNG (*.png)"
        )
        if not path:
            return
        try:
            write_png(widget.grab(), path)  # never half a file, nor a FIFO
        except OSError as exc:
            self.lab.report(f"Could not export: {exc}")

    def export_diagram_dialog(self, kind: str) -> None:
        """Ask for a file name and export the diagram as PNG or SVG."""
        name, _ = QFileDialog.getSaveFileName(
            self.tabs,
            "Export diagram",
            self.export_name("diagram", kind),
            f"{kind.upper()} (*.{kind})",
        )
        if not name:
            return
        try:
            if kind == "png":
                self.network_view.export_png(name)
            else:
                self.network_view.export_svg(name)
        except OSError as exc:
            self.lab.report(f"Could not export {name}: {exc}")
