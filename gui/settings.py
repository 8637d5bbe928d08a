"""What Backprop Lab remembers between launches: every key, its default and its type, in ``KEYS``.

Every value read passes the limits of the control that edits it (``engine.limits``): a value out
of range, of the wrong type or unreadable gives that key's default (never a neighbour's) and a
message for the settings banner; the value stays on disk until the learner changes that setting
(``gui.settings_reader``). Window layouts are the exception by nature: closing the window saves
where the learner left it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from engine import limits
from engine.core.activations import ACTIVATIONS
from engine.core.costs import COSTS
from engine.core.network import INITS, NetworkConfig
from engine.core.training import TrainConfig
from engine.session.runs import DEFAULT_BUDGET
from gui import settings_reader as sr
from gui.theme import SCHEMES, SIGN_MARKS, THEMES

SPEEDS = (0.0, 100.0, 20.0, 5.0, 1.0)  # mini-batches per second; 0 is full speed
WATCHABLE = 100.0  # the first run's speed: an epoch of the sample in 10 s, each step visible
SLOW_MOTION = 5.0  # at this speed or slower the diagram shows what each step changes
GOAL_EPOCHS = 5  # Run trains this many epochs, then pauses (0: until paused)
X_MODES = ("all", "window", "log")  # the cost plot's x axis


@dataclass(frozen=True)
class Session:
    """The network, hyper-parameters, seed, speed and data source the learner last chose."""

    network: NetworkConfig = field(default_factory=NetworkConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    seed: int = 0
    speed: float = WATCHABLE
    data: str = "sample"
    goal_epochs: int = GOAL_EPOCHS
    plot_x: str = "all"


DEFAULTS = Session()
SPEED_NAMES = dict(zip(SPEEDS, ("full speed", "100", "20", "5", "1 per second"), strict=True))


def _hidden(value: object) -> tuple[int, ...]:
    """Parse hidden layer sizes: "16,16", or the list QSettings reads from an unquoted 16,16."""
    if isinstance(value, (list, tuple)):
        value = ",".join(str(v) for v in value[:16])
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    try:
        return parse_hidden(sr.as_text(value))
    except sr.UnusableError:
        raise
    except ValueError as exc:
        raise sr.UnusableError(f"cannot be used: {exc}") from None


def _guide_stop(value: object) -> int:
    """Parse the guide's stop index (the guide's stops are known only once it is imported)."""
    from gui.guide import STOPS

    return sr.whole_number(limits.Range(0, len(STOPS) - 1))(value)


def _guide_done(value: object) -> list[str]:
    """Parse the guide's finished stops; names of stops this version lacks are left out."""
    from gui.guide import BY_KEY

    return [name for name in sr.text_list(value) if name in BY_KEY]


def _one_of(names: tuple[str, ...]) -> object:
    return sr.choice(tuple(names))


KEYS: dict[str, sr.Key] = {  # every key Backprop Lab stores; a new key belongs here
    "network/hidden": sr.Key(DEFAULTS.network.sizes[1:-1], _hidden, "16,16"),
    "network/activation": sr.Key(DEFAULTS.network.activation, _one_of(tuple(ACTIVATIONS))),
    "network/cost": sr.Key(DEFAULTS.network.cost, _one_of(tuple(COSTS))),
    "network/init": sr.Key(DEFAULTS.network.init, _one_of(INITS)),
    "network/seed": sr.Key(DEFAULTS.seed, sr.whole_number(limits.SEED)),
    "train/learning_rate": sr.Key(DEFAULTS.train.learning_rate, sr.number(limits.LEARNING_RATE)),
    "train/batch_size": sr.Key(DEFAULTS.train.batch_size, sr.whole_number(limits.BATCH_SIZE)),
    "train/momentum": sr.Key(DEFAULTS.train.momentum, sr.number(limits.MOMENTUM)),
    "train/l2": sr.Key(DEFAULTS.train.l2, sr.number(limits.L2)),
    "run/speed": sr.Key(DEFAULTS.speed, sr.choice(SPEED_NAMES), "100 per second"),
    "run/goal_epochs": sr.Key(DEFAULTS.goal_epochs, sr.whole_number(limits.GOAL_EPOCHS)),
    "data/source": sr.Key(DEFAULTS.data, sr.text),
    "plot/x_mode": sr.Key(DEFAULTS.plot_x, _one_of(X_MODES)),
    "prefs/theme": sr.Key("system", _one_of(THEMES)),
    "prefs/colours": sr.Key("standard", _one_of(SCHEMES)),
    "prefs/sign_marks": sr.Key("auto", _one_of(SIGN_MARKS)),
    "prefs/snapshot_interval": sr.Key(100, sr.whole_number(limits.SNAPSHOT_INTERVAL)),
    "compare/budget_mb": sr.Key(DEFAULT_BUDGET // 2**20, sr.whole_number(limits.RUNS_BUDGET_MB)),
    "compare/save_dir": sr.Key("", sr.folder, "no folder (dropped runs are not saved)"),
    "guide/stop": sr.Key(0, _guide_stop, "the first stop"),
    "guide/done": sr.Key([], _guide_done, "none done"),
    "files/recent": sr.Key([], sr.text_list, "no recent files"),
    "window/rect": sr.Key(None, sr.rect, "a first launch's placement"),
    "window/geometry": sr.Key(None, sr.binary, "a first launch's placement"),
    "window/maximized": sr.Key(False, sr.flag),
    "window/splitter": sr.Key(None, sr.binary, "the first launch's layout"),
    "window/state": sr.Key(None, sr.binary, "the first launch's layout"),
    "app/launched": sr.Key(False, sr.flag),
    "present/controls": sr.Key(False, sr.flag),  # what projector mode shows (gui/present)
    "present/pad": sr.Key(False, sr.flag),
    "present/explorer": sr.Key(False, sr.flag),  # at 1.5x it needs a 1920x1080 projector
    "present/caption": sr.Key(True, sr.flag),
    "present/state": sr.Key(None, sr.binary, "the first present mode's layout"),
    "present/splitter": sr.Key(None, sr.binary, "the first present mode's layout"),
    "present/middle": sr.Key(None, sr.binary, "the first present mode's layout"),
}


def reader(settings: QSettings | sr.SettingsReader) -> sr.SettingsReader:
    """Return a reader of every key over ``settings`` (a reader is returned as it is)."""
    if isinstance(settings, sr.SettingsReader):
        return settings
    return sr.SettingsReader(settings, KEYS)


def parse_hidden(text: str) -> tuple[int, ...]:
    """Parse hidden layer sizes like "16,16" (1 to 4 layers of 1 to 128 neurons)."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:  # "abc", "1e400": not a neuron count; said below, not as int()'s words
        sizes = ()
    if limits.check_hidden((784, *sizes, 10)):
        layers, size = limits.HIDDEN_LAYERS, limits.HIDDEN_SIZE
        raise ValueError(
            f"use {layers.low:g} to {layers.high:g} hidden layers of {size.low:g} to "
            f"{size.high:g} neurons, like 16,16"
        )
    return sizes


def format_hidden(sizes: tuple[int, ...]) -> str:
    """Return the hidden part of an architecture as "16,16"."""
    return ",".join(str(n) for n in sizes[1:-1])


def load_session(
    settings: QSettings | sr.SettingsReader, problems: list[str] | None = None
) -> Session:
    """Read the saved session; a missing or unusable value gives that key's default.

    ``problems`` collects a message for every stored value that was not used, and why.
    """
    stored = reader(settings)
    before = len(stored.problems)
    v = stored.value
    network = NetworkConfig(
        (784, *v("network/hidden"), 10),
        v("network/activation"),
        v("network/cost"),
        v("network/init"),
    )
    train = TrainConfig(*(v(f"train/{name}") for name in limits.TRAIN_FIELDS))
    session = Session(
        network=network,
        train=train,
        seed=v("network/seed"),
        speed=v("run/speed"),
        data=v("data/source"),
        goal_epochs=v("run/goal_epochs"),
        plot_x=v("plot/x_mode"),
    )
    if problems is not None:
        problems.extend(stored.problems[before:])
    return session


def save_session(settings: QSettings | sr.SettingsReader, session: Session) -> None:
    """Write the session so the next launch starts where this one ended.

    Through a reader, a refused stored value stays until the learner changes that setting.
    """
    settings.setValue("network/hidden", format_hidden(session.network.sizes))
    settings.setValue("network/activation", session.network.activation)
    settings.setValue("network/cost", session.network.cost)
    settings.setValue("network/init", session.network.init)
    settings.setValue("network/seed", session.seed)
    settings.setValue("train/learning_rate", session.train.learning_rate)
    settings.setValue("train/batch_size", session.train.batch_size)
    settings.setValue("train/momentum", session.train.momentum)
    settings.setValue("train/l2", session.train.l2)
    settings.setValue("run/speed", session.speed)
    settings.setValue("data/source", session.data)
    settings.setValue("run/goal_epochs", session.goal_epochs)
    settings.setValue("plot/x_mode", session.plot_x)


LAUNCHED_KEY = "app/launched"  # written on the first launch: later launches open as left


def first_launch(settings: QSettings | sr.SettingsReader) -> bool:
    """Return True if no earlier launch has written these settings (the guide then opens)."""
    return not settings.contains(LAUNCHED_KEY) and not settings.contains("window/state")


def mark_launched(settings: QSettings | sr.SettingsReader) -> None:
    """Remember that the app has been launched, so the guide is never forced again."""
    if not settings.contains(LAUNCHED_KEY):
        settings.setValue(LAUNCHED_KEY, True)
