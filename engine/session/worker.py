"""The training worker: one QObject in one QThread, a short loop over the trainer's generator.

The GUI thread's calls (``run``, ``pause``, ``step_batch`` ...) only queue a ``Command`` or set
a flag: a queued slot would never run while the worker loops. What is trained, and all the views
read, is an ``engine.session.training_run.TrainingRun``; the views pull from it at their own rate.
"""

from __future__ import annotations

import enum
import queue
import threading
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from engine import limit_heap_growth, share_the_gil_often
from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig
from engine.data.datasets import MnistData
from engine.errors import BackpropLabError, DivergenceError
from engine.session.training_run import NetworkStarted, Pacer, TrainingRun, TrainingRunReader

__all__ = [
    "FAILED",
    "FINISHED",
    "PAUSED",
    "RUNNING",
    "NetworkStarted",
    "TrainingWorker",
    "WorkerState",
]


class WorkerState(str, enum.Enum):
    """What the training worker is doing (a str too: it compares equal to its value)."""

    RUNNING = "running"
    PAUSED = "paused"
    FAILED = "failed"  # the last step diverged; the last finite network stays
    FINISHED = "finished"  # the thread has ended

    def __str__(self) -> str:
        return self.value


RUNNING, PAUSED, FAILED, FINISHED = WorkerState


class Command(enum.Enum):
    """What the GUI thread asks of the worker thread, through its queue, with its argument."""

    LOAD = enum.auto()  # a loader returning MnistData
    RESET = enum.auto()  # (NetworkConfig or None, seed or None)
    ADOPT = enum.auto()  # (Network, epoch, examples_seen)
    RESUME = enum.auto()  # index of a kept snapshot
    TEACH = enum.auto()  # (x, label)
    PLAY = enum.auto()  # one mini-batch step, told as a story (engine.lessons.step_story)
    BATCHES = enum.auto()  # how many mini-batches; -1: no limit
    EPOCH = enum.auto()
    EPOCH_END = enum.auto()
    QUIT = enum.auto()


TRAINING = frozenset({Command.BATCHES, Command.EPOCH, Command.EPOCH_END})


class TrainingWorker(QObject, TrainingRunReader):
    """Trains in its own thread on command; what it reports is read through TrainingRunReader."""

    epoch_finished = Signal(object)  # EpochReport
    state_changed = Signal(object)  # a WorkerState
    training_failed = Signal(str)  # a message for the user: what happened, what to do
    network_reset = Signal(object)  # NetworkConfig of the fresh network
    data_loaded = Signal(object)  # MnistData now in use
    data_failed = Signal(str)  # why the data could not be loaded; the old data stays
    taught = Signal(object)  # engine.lessons.teach.TeachResult of a single-example step
    step_played = Signal(object)  # the StepStory of the mini-batch step just taken

    def __init__(self, config: NetworkConfig, train_config: TrainConfig, seed: int = 0) -> None:
        super().__init__()
        self._run = TrainingRun(config, train_config, seed)
        self._commands: queue.SimpleQueue[tuple[Command, object, int]] = queue.SimpleQueue()
        self._stops = 0  # bumped by pause, reset, load and quit; older training commands are void
        self._asked = 0  # every request so far, pauses included (``requests_sent``)
        self._queued = 0  # commands put on the queue (by the sending thread)
        self._done = 0  # commands carried out or voided (by the worker's thread)
        self._pacer = Pacer()  # slow motion; any command wakes it
        self._quit = threading.Event()
        self.state = PAUSED
        self._thread = QThread(objectName="training")
        self.moveToThread(self._thread)
        self._thread.started.connect(self._serve)

    def start(self) -> None:
        """Start the worker's thread; commands queued before this run once it is up."""
        share_the_gil_often()  # the GUI stays responsive while the worker trains
        limit_heap_growth()  # a long run must not creep up in memory (bench/bench_soak.py)
        self._thread.start()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop training within one mini-batch, end the thread and wait for it."""
        self._quit.set()
        self._send(Command.QUIT, stop=True)
        self._thread.quit()
        return self._thread.wait(timeout_ms)

    def thread_finished(self) -> bool:
        """Whether the worker's thread has ended (after ``shutdown``)."""
        return self._thread.isFinished()

    @property
    def requests_sent(self) -> int:
        """How many times the worker was asked anything (a command or a pause) since it was made.

        Read on the sending side: whoever must know that nothing was asked of the worker (a key
        that must not step, a bad file that must change nothing) compares two readings, with no
        waiting for what the worker's thread might do.
        """
        return self._asked

    def at_rest(self) -> bool:
        """Whether every command sent so far is carried out (or voided): nothing is in flight.

        Its signals are emitted by then; they reach the receiving thread with its next events.
        """
        return self._done == self._queued

    def commands_taken(self) -> bool:
        """Whether the worker thread has taken every command sent so far off its queue."""
        return self._commands.empty()

    def load_data(self, loader: Callable[[], MnistData]) -> None:
        """Load a dataset in the worker thread, then start a fresh network on it."""
        self._send(Command.LOAD, loader, stop=True)

    def reset(self, config: NetworkConfig | None = None, seed: int | None = None) -> None:
        """Stop and start a new network (optionally with a new architecture or seed)."""
        self._send(Command.RESET, (config, seed), stop=True)

    def adopt(self, network: Network, epoch: int = 0, seen: int = 0, keep: bool = False) -> None:
        """Stop and train ``network`` (an opened model); ``keep``: the kept snapshots stay too."""
        self._send(Command.ADOPT, (network, epoch, seen, keep), stop=True)

    def resume_from(self, index: int) -> None:
        """Stop and continue training from kept snapshot ``index``: a new branch of the history."""
        self._send(Command.RESUME, index, stop=True)

    def teach(self, x: np.ndarray, label: int) -> None:
        """Pause and apply one SGD step on the single example x (784 floats) labelled ``label``."""
        self._send(Command.TEACH, (np.array(x, np.float32).reshape(-1), int(label)), stop=True)

    def play_step(self) -> None:
        """Pause, take the next mini-batch step, and emit its story (``step_played``)."""
        self._send(Command.PLAY, stop=True)

    def train_until_paused(self) -> None:
        """Train until paused (the window's Run)."""
        self._send(Command.BATCHES, -1)

    def pause(self) -> None:
        """Stop after the current mini-batch; queued steps are dropped."""
        self._send(None, stop=True)

    def step_batch(self) -> None:
        """Train exactly one mini-batch."""
        self.run_batches(1)

    def run_batches(self, count: int) -> None:
        """Train ``count`` mini-batches, then pause."""
        self._send(Command.BATCHES, int(count))

    def step_epoch(self) -> None:
        """Train one epoch's worth of examples from where training is, then pause."""
        self._send(Command.EPOCH, -1)

    def run_to_epoch_end(self) -> None:
        """Train until the current epoch ends, then pause."""
        self._send(Command.EPOCH_END, -1)

    def set_speed(self, batches_per_second: float) -> None:
        """Limit training to this many mini-batches per second; 0 means full speed."""
        self._pacer.set_speed(batches_per_second)

    @property
    def pacing(self) -> bool:
        """True while, in slow motion, the worker waits for its next mini-batch to be due."""
        return self._pacer.waiting

    @property
    def batch_interval(self) -> float:
        """Seconds between mini-batches set by ``set_speed``; 0 is full speed."""
        return self._pacer.interval

    def _send(self, command: Command | None, arg: object = None, stop: bool = False) -> None:
        """Queue ``command``; ``stop`` first voids every queued training command and the loop."""
        self._asked += 1
        if stop:
            self._stops += 1
        if command is not None:
            self._queued += 1
            self._commands.put((command, arg, self._stops))
        self._pacer.wake()

    @Slot()
    def _serve(self) -> None:
        """Carry out commands until told to quit (runs in the worker thread)."""
        run = self._run
        starts = {  # each returns whether a new network (or branch) is ready
            Command.LOAD: self._load,
            Command.RESET: lambda arg: run.reset(*arg),
            Command.ADOPT: lambda arg: run.start(*arg),
            Command.RESUME: run.resume,
        }
        while not self._quit.is_set():
            command, arg, token = self._commands.get()
            if command is Command.QUIT:
                self._done += 1
                break
            try:
                self._carry_out(starts, command, arg, token)
            except Exception as exc:  # noqa: BLE001 - the thread must survive to report it
                self._fail(f"Internal error in the training thread: {exc!r}")
            finally:
                self._done += 1
        self._set_state(FINISHED)

    def _carry_out(self, starts: dict, command: Command, arg: object, token: int) -> None:
        """Carry out one command, unless a later pause or reset voided it (worker thread)."""
        run = self._run
        training = command in TRAINING
        if training and (token != self._stops or self.state == FAILED or run.trainer is None):
            return  # voided by a later pause or reset; or training failed: reset first
        if training:
            self._train(command, arg, token)
        elif command is Command.TEACH:
            self._teach(*arg)
        elif command is Command.PLAY:
            self._play()
        elif starts[command](arg):
            self._set_state(PAUSED)
            self.network_reset.emit(run.config)

    def _set_state(self, state: str) -> None:
        """Record and announce a state change."""
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def _load(self, loader: Callable[[], MnistData]) -> bool:
        """Load a dataset and start a fresh network on it; on failure keep the old and say why."""
        try:
            data = self._run.load(loader, self._quit)  # None: the window is closing
        except BackpropLabError as exc:
            self.data_failed.emit(str(exc))
            return False
        if data is not None:
            self.data_loaded.emit(data)
        return data is not None and self._run.reset(None, None)

    def _teach(self, x: np.ndarray, label: int) -> None:
        """Apply one SGD step on one example and report it (when there is a network)."""
        if self._run.trainer is not None:
            self._set_state(PAUSED)
            self.taught.emit(self._run.teach(x, label))

    def _play(self) -> None:
        """Take the next mini-batch step as training does, and emit its story (None: no step)."""
        story = None
        if self._run.trainer is not None and self.state != FAILED:
            story = self._run.prepare_story()
            self._train(Command.BATCHES, 1, self._stops)
            story = self._run.finish_story(story)
        self.step_played.emit(story)

    def _train(self, command: Command, count: int, token: int) -> None:
        """Train as ``command`` says until it is done, a newer command comes, or training fails."""
        run = self._run
        if command is Command.EPOCH:
            count = run.batches_per_epoch()
        self._set_state(RUNNING)
        self._pacer.begin()
        while count != 0 and token == self._stops:
            try:
                report = run.next_report()
            except DivergenceError as exc:
                self._fail(str(exc))
                return
            count -= 1
            if report.epoch_done:  # the feed's EpochReport, its test-set evaluation, is next
                self.epoch_finished.emit(run.next_report())
                if command is Command.EPOCH_END:
                    break
            if not self._commands.empty():
                break  # a newer command (a step while running, say) takes over
            run.publish(when_due=True)
            if count != 0:
                self._pacer.wait(lambda: token != self._stops or not self._commands.empty())
        run.settle()
        self._set_state(PAUSED)

    def _fail(self, message: str) -> None:
        """Stop training after a divergence; the last finite snapshot stays on screen."""
        self._run.recover()
        self._set_state(FAILED)
        self.training_failed.emit(message)
