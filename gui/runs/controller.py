"""Keeps the main window's runs, runs the experiments, and feeds both to the Compare tab.

Every network the main window trains becomes a named run when it ends (a reset, new data, an
opened model, or a branch from the timeline); **Runs > Keep current run** keeps it at once. The
experiments train in the runner's own worker while the main window's network waits, paused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QTabWidget

from engine.lessons.experiment_data import FoundData, find_datasets
from engine.lessons.experiment_findings import first_layer_change
from engine.lessons.experiments import BY_KEY, EXPERIMENTS
from engine.session.history import TrainingHistory
from engine.session.runs import RUNNING, KeptRun, RunRegistry, file_stem
from engine.session.snapshot import Snapshot, network_of
from gui.background import submit
from gui.file_names import ending_added_ok, model_file_path
from gui.runs.compare_panel import ComparePanel
from gui.runs.experiment_runner import ExperimentRunner
from gui.settings_reader import SettingsReader

if TYPE_CHECKING:
    from gui.lab import Lab

BUDGET_KEY = "compare/budget_mb"
SAVE_DIR_KEY = "compare/save_dir"


class RunsController(QObject):
    """Owns the kept runs, the experiment runner and the Compare tab of one main window.

    Built from the lab (the worker, the data, the session, the record, the messages) and the
    tabs it adds the Compare tab to and brings forward.
    """

    def __init__(self, lab: Lab, settings: SettingsReader, tabs: QTabWidget) -> None:
        super().__init__(lab)
        self.lab = lab
        self.tabs = tabs
        self.settings = settings
        self.registry = RunRegistry(settings.value(BUDGET_KEY) * 2**20)  # typed, in range
        save_dir = settings.value(SAVE_DIR_KEY)  # an existing folder, or "" for none
        if save_dir:
            self.registry.save_dir = Path(save_dir)
        self.panel = ComparePanel()
        self.panel.save_dropped.blockSignals(True)
        self.panel.save_dropped.setChecked(self.registry.save_dir is not None)
        self.panel.save_dropped.blockSignals(False)
        self.runner = ExperimentRunner(self)
        self.choose_folder = lambda: QFileDialog.getExistingDirectory(
            self.panel, "Save dropped runs to"
        )
        self.choose_file = lambda name: QFileDialog.getSaveFileName(
            self.panel, "Save run", name, "Backprop Lab model (*.npz)"
        )[0]
        self.choose_export = lambda title, name, kind: QFileDialog.getSaveFileName(
            self.panel, title, name, kind
        )[0]
        self.confirm_replace = lambda title, text: lab.confirm_replace(title, text)
        self._add_report = ""  # what the last _add said about dropped runs, for keep's message
        self._window_runs = 0
        self._branch_at: float | None = None  # epochs where the window's current run branched
        self._last_live: Snapshot | None = None
        self._kept: tuple[int, int] | None = None  # (id, length) of the history kept last
        self._total = 0
        self.find_data = find_datasets  # the data sets this machine has (tests give their own)
        self.found: FoundData | None = None  # what the last look found
        self._looking = None  # the background job looking for them
        self._waiting: tuple | None = None  # an experiment that starts once they are found
        self.cancel_action = QAction("Cancel experiment", self)
        self.cancel_action.triggered.connect(lambda _=False: self.runner.cancel())
        self.cancel_action.setEnabled(False)
        p, r = self.panel, self.runner
        p.experiment_requested.connect(self.start_experiment)
        p.cancel_requested.connect(r.cancel)
        p.open_requested.connect(self.open_run)
        p.save_requested.connect(self.save_run_dialog)
        p.remove_requested.connect(self.remove_run)
        p.budget_changed.connect(self.set_budget)
        p.save_dropped_toggled.connect(self._on_save_dropped_toggled)
        p.png_button.clicked.connect(self._export_png_dialog)
        p.csv_button.clicked.connect(self._export_csv_dialog)
        r.run_started.connect(self._on_run_started)
        r.run_progressed.connect(self._on_run_progressed)
        r.run_finished.connect(self._on_run_finished)
        r.trial_started.connect(self._on_trial_started)
        r.sweep_finished.connect(self._on_sweep_finished)
        r.experiment_finished.connect(self._on_experiment_finished)
        p.experiment.currentIndexChanged.connect(self._on_experiment_chosen)
        lab.state_changed.connect(self._on_window_state_changed)
        lab.worker.data_loaded.connect(self._on_data_loaded)
        self._refresh_list()

    def build_menu(self, menu: QMenu) -> None:
        """Fill the Runs menu: keep, compare, the experiments and cancel."""
        keep = QAction("Keep current run", self)
        keep.setToolTip("Add the network now training, with its curves, to the Compare tab.")
        keep.triggered.connect(lambda _=False: self.keep_current())
        menu.addAction(keep)
        show = QAction("Compare runs", self)
        show.triggered.connect(lambda _=False: self.show_panel())
        menu.addAction(show)
        experiments = menu.addMenu("Experiments")
        self.experiment_actions = {}
        for e in EXPERIMENTS:
            action = experiments.addAction(e.title)
            action.setToolTip(e.look_for)
            action.triggered.connect(lambda _=False, k=e.key: self.start_experiment(k))
            self.experiment_actions[e.key] = action
        menu.addAction(self.cancel_action)
        self.keep_action = keep

    def show_panel(self) -> None:
        """Bring the Compare tab forward."""
        tabs = self.tabs
        tabs.setCurrentIndex(tabs.indexOf(self.panel))

    def start_experiment(
        self,
        key: str,
        epochs: int | None = None,
        mode: str | None = None,
        seeds: int | None = None,
    ) -> bool:
        """Pause the window's network and train experiment ``key`` on the data in use.

        ``epochs``, ``mode`` (fair or same settings) and ``seeds`` default to the panel's.
        """
        data = self.lab.data
        if data is None:
            self.lab.say("Wait for the data to load first.", 5000)
            return False
        if self.runner.is_running():
            self.lab.say("An experiment is already running.", 5000)
            return False
        self.panel.choose_experiment(key)
        datasets = None
        if BY_KEY[key].plan is not None:  # it compares data sets: those this machine has
            if self.found is None:
                self._waiting = (key, epochs, mode, seeds)
                self.look_for_data()
                return True
            if len(self.found.found) < 2:
                text = f"Needs two data sets at least. {self.found.describe()}"
                self.panel.set_data_sets(text, False)
                self.lab.say(text, 8000)
                return False
            datasets = self.found.found
        epochs = self.panel.epochs.value() if epochs is None else int(epochs)
        self.panel.epochs.setValue(epochs)
        if mode is not None:
            self.panel.set_mode(mode)
        if seeds is not None:
            self.panel.seeds.setValue(int(seeds))
        self.lab.worker.pause()  # two trainings at once would halve both
        seed = self.lab.session.seed
        self.panel.set_sweeps([])
        self.panel.set_findings([])
        self.panel.set_first_layers([])
        specs = self.runner.start(
            key, data, epochs, seed, self.panel.mode_key(), self.panel.seeds.value(), datasets
        )
        self.panel.set_x_axis(BY_KEY[key].x_axis)
        self._total = len(specs)
        self.cancel_action.setEnabled(True)
        self.show_panel()
        return True

    def look_for_data(self) -> None:
        """Find, in the background, the data sets this machine has for the data-sets
        experiment (none is downloaded); the panel says which are missing."""
        if self._looking is not None:
            return
        self.panel.set_data_sets("Looking for the data sets on this machine\u2026", False)
        self._looking = submit(lambda _job: self.find_data(), parent=self)
        self._looking.succeeded.connect(self._on_data_found)
        self._looking.failed.connect(self._on_data_not_found)

    def _on_data_found(self, found: FoundData) -> None:
        self._looking = None
        self.found = found
        ready = len(found.found) >= 2
        text = found.describe()
        if not ready:
            text = f"Needs two data sets at least. {text}"
        self.panel.set_data_sets(text, ready)
        waiting, self._waiting = self._waiting, None
        if waiting is not None and ready:
            self.start_experiment(*waiting)
        elif waiting is not None:
            self.lab.say(text, 8000)

    def _on_data_not_found(self, error: BaseException) -> None:
        self._looking = None
        self._waiting = None
        self.panel.set_data_sets(f"Could not look for the data sets: {error}", False)

    def _on_experiment_chosen(self, _index: int) -> None:
        """Look for the data sets when the experiment that compares them is chosen."""
        if self.panel.names_data_sets() and self.found is None:
            self.look_for_data()

    def _on_data_loaded(self, _data) -> None:
        """New data may have been downloaded: look again when next asked."""
        if self._looking is None and not self.runner.is_running():
            self.found = None
            if self.panel.names_data_sets():
                self.look_for_data()

    def _on_trial_started(self, text: str) -> None:
        self.panel.set_experiment_running(True, f"Sweeping learning rates: {text}\u2026")

    def _on_sweep_finished(self, _result) -> None:
        self.panel.set_sweeps(self.runner.sweeps)

    def _on_run_started(self, run: KeptRun) -> None:
        run.name = self.registry.unique_name(run.name)
        self._add(run)
        self.panel.select_run(run)
        done = len(self.runner.runs)
        self.panel.set_experiment_running(
            True, f"Run {done} of {self._total}: {run.name} on {run.data}…"
        )

    def _on_run_progressed(self, run: KeptRun) -> None:
        self.panel.update_run(run)
        done, total = self.runner.progress()
        self.panel.set_experiment_running(
            True,
            f"Run {len(self.runner.runs)} of {self._total}: {run.name} on {run.data}, "
            f"{done:,} of {total:,} mini-batches…",
        )

    def _on_run_finished(self, run: KeptRun) -> None:
        self.panel.update_run(run)
        self._refresh_list()

    def _on_experiment_finished(self, key: str, cancelled: bool) -> None:
        title = BY_KEY[key].title
        text = f"{title}: cancelled." if cancelled else f"{title}: done."
        self.panel.set_experiment_running(False, text)
        self.panel.set_findings(self.runner.findings, None if cancelled else self.runner.mode)
        if BY_KEY[key].plan is not None:
            if not cancelled:
                self.panel.set_first_layers(self._first_layers())
            self.found = None  # its data sets are freed; the next run looks for them again
        self.cancel_action.setEnabled(False)
        self._refresh_list()
        self.lab.say(text, 8000)

    def _first_layers(self) -> list[tuple[str, object]]:
        """Return, per finished run of the experiment, a caption (its data set, where that came
        from, and its test error) and how far training moved its first layer's weights."""
        rows = []
        for spec, run in zip(self.runner.specs, self.runner.runs):
            accuracy = run.final_accuracy()
            if run.parameters is None or accuracy is None:
                continue
            error = f"{100 * (1 - accuracy):.1f}% test error"
            change = first_layer_change(spec, run.parameters.weights[0])
            rows.append((f"{spec.variant} ({run.data}): {error}", change))
        return rows

    def _add(self, run: KeptRun) -> None:
        """Keep ``run``; say which old runs the budget dropped (and where they were saved)."""
        self._add_report = ""
        try:
            dropped = self.registry.add(run)
        except OSError as exc:
            self._save_failed(exc)
        else:
            self._report_dropped(dropped)
        self._refresh_list()

    def _save_failed(self, exc: OSError) -> None:
        """Say, in the tab and the status bar, that a run over the budget could not be saved."""
        text = f"Could not save a dropped run: {exc}. It stays kept, over the budget."
        self.panel.set_save_warning(text)
        self._add_report = text
        self.lab.say(text, 15000)

    def _report_dropped(self, dropped: list[KeptRun]) -> None:
        if not dropped:
            return
        names = ", ".join(r.name for r in dropped)
        where = f" (saved in {self.registry.save_dir})" if self.registry.save_dir else ""
        if self.registry.save_dir:
            self.panel.set_save_warning("")  # saving works again
        self._add_report = f"Memory budget full: dropped {names}{where}."
        self.lab.say(self._add_report, 10000)

    def _refresh_list(self) -> None:
        self.panel.set_runs(self.registry.runs)
        self.panel.set_memory(self.registry.nbytes(), self.registry.budget)

    def set_budget(self, budget: int) -> None:
        """Use a new memory budget for the kept runs and remember it."""
        self.settings.setValue(BUDGET_KEY, budget // 2**20)
        try:
            self._report_dropped(self.registry.set_budget(budget))
        except OSError as exc:
            self._save_failed(exc)
        self._refresh_list()

    def _on_save_dropped_toggled(self, on: bool) -> None:
        folder = self.choose_folder() if on else ""
        self.registry.save_dir = Path(folder) if folder else None
        self.panel.set_save_warning("")  # about the folder no longer in use
        self.settings.setValue(SAVE_DIR_KEY, folder or "")
        if on and not folder:
            self.panel.save_dropped.blockSignals(True)
            self.panel.save_dropped.setChecked(False)
            self.panel.save_dropped.blockSignals(False)

    def remove_run(self, run: KeptRun) -> None:
        """Forget a kept run (a running experiment's run stays until it ends)."""
        if run.status == RUNNING:
            self.lab.say("Cancel the experiment to remove its run.", 5000)
            return
        self.registry.remove(run)
        self._refresh_list()

    def save_run_dialog(self, run: KeptRun) -> None:
        """Ask for a file name and save the run as a model."""
        if run.parameters is None:
            self.lab.say(f"{run.name} kept no network to save.", 6000)
            return
        typed = self.choose_file(f"{file_stem(run.name)}.npz")
        if not typed:
            return
        # The name as typed, plus ".npz" when it does not end so (run.v2 -> run.v2.npz, never
        # run.npz); the dialog asked about the typed name only, so a different existing file
        # is replaced only if the learner says so.
        path = model_file_path(typed)
        if not ending_added_ok(typed, path, "Models", self.confirm_replace):
            self.lab.say(f"{run.name} was not saved.", 5000)
            return
        try:
            run.save(path)
        except OSError as exc:
            self.lab.say(_failure(path, exc), 10000)
            return
        self.lab.say(f"Saved {run.name} to {path}", 5000)

    def open_run(self, run: KeptRun) -> bool:
        """Open a kept run's network and curves in the main window's views."""
        if run.parameters is None:
            self.lab.say(f"{run.name} kept no network (it stopped before its first step).", 6000)
            return False
        p = run.parameters
        self.lab.continue_from(
            network_of(p), p.epoch, p.examples_seen, run.train, run.history(), None
        )
        data = self.lab.data.source if self.lab.data is not None else "the data being loaded"
        self.lab.say(f"Opened {run.name}; it trains on {data}.", 6000)
        self.tabs.setCurrentIndex(0)
        return True

    def _export_png_dialog(self) -> None:
        path = self.choose_export("Export comparison", "comparison.png", "PNG (*.png)")
        if path:
            self._export(path, self.panel.write_png)

    def _export_csv_dialog(self) -> None:
        path = self.choose_export("Export curves", "runs.csv", "CSV (*.csv)")
        if path:
            self._export(path, self.panel.export_csv)

    def _export(self, path: str, write) -> bool:
        """Write an export with ``write(path)``; say where it went, or why it could not."""
        try:
            write(path)
        except OSError as exc:
            self.lab.say(_failure(path, exc), 10000)
            return False
        self.lab.say(f"Saved {path}", 5000)
        return True

    def _on_window_state_changed(self, state: str) -> None:
        """Remember the window's network whenever its training pauses: a run's final network."""
        snapshot = self.lab.worker.latest_snapshot()
        last = self._last_live
        if snapshot is not None and (last is None or snapshot.examples_seen >= last.examples_seen):
            self._last_live = snapshot

    def network_ending(
        self,
        history: TrainingHistory,
        shown: Snapshot | None,
        branch: bool,
        resume_point: float | None,
    ) -> KeptRun | None:
        """Keep the window's run as it ends (before a new network or a branch replaces it)."""
        run = self.keep(history, shown)
        self._last_live = None
        self._branch_at = resume_point if branch else None
        return run

    def keep_current(self) -> KeptRun | None:
        """Keep the window's network as it is now, with its curves so far."""
        shown = self.lab.worker.latest_snapshot()
        self._add_report = ""
        run = self.keep(self.lab.record.history, shown)
        if run is None:
            self.lab.say("Train for a moment first.", 5000)
        else:  # what the budget did stays in the message, not replaced by "Kept ..."
            text = f"Kept {run.name} for comparison. {self._add_report}".strip()
            self.lab.say(text, 15000 if self._add_report else 5000)
        return run

    def keep(self, history: TrainingHistory, shown: Snapshot | None) -> KeptRun | None:
        """Make a named run of the window's history and the latest network seen of it."""
        if len(history) == 0 or self.lab.data is None:
            return None
        if self._kept == (id(history), len(history)):
            return None  # kept already, unchanged since
        self._kept = (id(history), len(history))
        data = self.lab.data
        end = float(history.batches.column("progress")[-1])
        n_train = len(data.train)
        best = None
        for snap in (shown, self._last_live):  # the most trained one that is of this run
            if snap is None or snap.examples_seen == 0:
                continue
            if snap.examples_seen <= round(end * snap.n_train) and (
                best is None or snap.examples_seen > best.examples_seen
            ):
                best = snap
        if best is not None:
            n_train = best.n_train
        train = best.train_config if best else self.lab.session.train
        network = best.config if best else self.lab.session.network
        self._window_runs += 1
        name = f"Run {self._window_runs}"
        if self._branch_at is not None:
            name += f" (branch at epoch {self._branch_at:.2f})"
        run = KeptRun.from_history(
            self.registry.unique_name(name),
            history,
            network=network,
            train=train,
            seed=self.lab.session.seed,
            data=data.source,
            n_train=n_train,
            parameters=best,
        )
        if best is not None and best.examples_seen < round(end * n_train):
            run.note = f"network kept as at {best.examples_seen:,} examples"
        self._add(run)
        return run

    def kept_runs(self) -> list[tuple[KeptRun, bool]]:
        """Return every kept run, oldest first, with whether Compare shows it."""
        shown = {r.serial for r in self.panel.shown_runs()}
        return [(r, r.serial in shown) for r in self.registry.runs]

    def selected_run(self) -> KeptRun | None:
        """Return the run selected in Compare's list, if any."""
        return self.panel.selected_run()

    def replace_runs(self, kept: list[tuple[KeptRun, bool]], selected: int | None) -> None:
        """Keep exactly these runs (a lesson reopened), shown or hidden, one of them selected.

        A run an experiment is still training stays.
        """
        for run in list(self.registry.runs):
            if run.status != RUNNING:
                self.registry.remove(run)
        for run, _shown in kept:
            self._add(run)  # the budget applies, as to any kept run
        self._window_runs = max(self._window_runs, len(kept))
        self._refresh_list()
        for run, shown in kept:
            self.panel.set_shown(run, shown)
        if selected is not None and selected < len(kept):
            self.panel.select_run(kept[selected][0])

    def shutdown(self) -> None:
        """Stop an experiment's worker (the window is closing)."""
        self.runner.shutdown()


def _failure(path: str | Path, exc: OSError) -> str:
    """Return one sentence saying that ``path`` could not be written, and why."""
    reason = str(exc) or type(exc).__name__
    if str(path) not in reason:
        reason = f"could not write {path}: {reason}"
    return reason[0].upper() + reason[1:] + ("" if reason.endswith(".") else ".")
