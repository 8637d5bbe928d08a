"""What Backprop Lab remembers between launches: QSettings read with a default for every key.

Every number read passes the limits of the control that edits it (``engine.limits``): a value
out of range, of the wrong type or unreadable gives its group's default and a message saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from engine import limits
from engine.errors import printable
from engine.network import NetworkConfig
from engine.training import TrainConfig

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


def _read(settings: QSettings, key: str, default, kind: type):
    """Read one value converted to ``kind``; anything missing or unreadable gives the default."""
    value = settings.value(key, default)
    if kind is not str and isinstance(value, (bool, list, dict)):
        return default
    try:
        if kind is int and isinstance(value, str):
            value = float(value) if value.strip().lower() not in ("", "nan") else value
        if kind is int and isinstance(value, float) and not value.is_integer():
            return default  # 2.5 is not a mini-batch size, nor is infinity
        return kind(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: int() of an infinite float
        return default


def read_number(
    settings: QSettings,
    key: str,
    default: float,
    kind: type,
    allowed: limits.Range,
    problems: list[str] | None = None,
) -> float:
    """Read one number within the range of its control; out of range gives the default and a note.

    ``problems`` collects a message for every stored value that was present but not usable.
    """
    value = _read(settings, key, None, kind)
    if value is None:
        if settings.contains(key) and problems is not None:
            shown = printable(settings.value(key))[:40]
            problems.append(f"{key} = {shown!r} is not a number; using {default:g}")
        return default
    problem = limits.out_of_range(key, value, allowed)
    if problem:
        if problems is not None:
            problems.append(f"{problem}; using {default:g}")
        return default
    return value


def parse_hidden(text: str) -> tuple[int, ...]:
    """Parse hidden layer sizes like "16,16" (1 to 4 layers of 1 to 128 neurons)."""
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    sizes = tuple(int(p) for p in parts)
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


def load_session(settings: QSettings, problems: list[str] | None = None) -> Session:
    """Read the saved session; a missing, corrupt or foreign value falls back to its default.

    ``problems`` collects a message for every stored value that was out of range or unreadable.
    """
    d = DEFAULTS
    problems = [] if problems is None else problems
    try:
        network = NetworkConfig(
            (784, *parse_hidden(_read(settings, "network/hidden", "16,16", str)), 10),
            _read(settings, "network/activation", d.network.activation, str),
            _read(settings, "network/cost", d.network.cost, str),
            _read(settings, "network/init", d.network.init, str),
        )
    except ValueError as exc:
        network = d.network
        if any(settings.contains(f"network/{k}") for k in ("hidden", "activation", "cost", "init")):
            problems.append(f"network: {printable(exc)[:120]}; using the video's network")
    found: list[str] = []
    values = [
        read_number(settings, f"train/{name}", getattr(d.train, name), kind, allowed, found)
        for name, kind, allowed in (
            ("learning_rate", float, limits.LEARNING_RATE),
            ("batch_size", int, limits.BATCH_SIZE),
            ("momentum", float, limits.MOMENTUM),
            ("l2", float, limits.L2),
        )
    ]
    train = d.train if found else limits.snap_train_config(TrainConfig(*values))  # as shown
    problems.extend(found)
    seed = int(read_number(settings, "network/seed", d.seed, int, limits.SEED, problems))
    speed = _read(settings, "run/speed", d.speed, float)
    data = _read(settings, "data/source", d.data, str)
    goal = _read(settings, "run/goal_epochs", d.goal_epochs, int)
    plot_x = _read(settings, "plot/x_mode", d.plot_x, str)
    return Session(
        network=network,
        train=train,
        seed=seed,
        speed=speed if speed in SPEEDS else d.speed,
        data=data if data and "\x00" not in data else d.data,
        goal_epochs=goal if 0 <= goal <= 1000 else d.goal_epochs,
        plot_x=plot_x if plot_x in X_MODES else d.plot_x,
    )


def save_session(settings: QSettings, session: Session) -> None:
    """Write the session so the next launch starts where this one ended."""
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


def first_launch(settings: QSettings) -> bool:
    """Return True if no earlier launch has written these settings (the guide then opens)."""
    return not settings.contains(LAUNCHED_KEY) and not settings.contains("window/state")


def mark_launched(settings: QSettings) -> None:
    """Remember that the app has been launched, so the guide is never forced again."""
    settings.setValue(LAUNCHED_KEY, True)
