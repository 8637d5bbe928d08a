"""A corrupt, mistyped or foreign settings file is ignored key by key, never a crash."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QByteArray, QSettings
from windows import open_window

from gui.settings import DEFAULTS, SPEEDS, Session, load_session, save_session

KEYS = {  # every key the session reads, and its field in a Session
    "network/hidden": lambda s: s.network.sizes,
    "network/activation": lambda s: s.network.activation,
    "network/cost": lambda s: s.network.cost,
    "network/init": lambda s: s.network.init,
    "network/seed": lambda s: s.seed,
    "train/learning_rate": lambda s: s.train.learning_rate,
    "train/batch_size": lambda s: s.train.batch_size,
    "train/momentum": lambda s: s.train.momentum,
    "train/l2": lambda s: s.train.l2,
    "run/speed": lambda s: s.speed,
}
GARBAGE = [  # written through QSettings, so each keeps its type in the file
    "banana",
    "",
    float("nan"),
    float("inf"),
    ["16", "16"],
    {"a": 1},
    QByteArray(b"\x00\xff\xfe"),
]
ODD_NUMBERS = [-5, 0, 10**12, 2.5, True]  # numbers: a valid one may be taken, or the default
RAW_LINES = [  # written as text: what a hand edit or another program could leave
    pytest.param(  # Qt itself warns that it cannot decode it, then returns nothing
        "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x10garbage)",
        marks=pytest.mark.qt_log_ignore("QVariant::load: unknown user type"),
    ),
    "@ByteArray(\\xff\\xfe)",
    "@Invalid()",
    "16, 16, 16, 16, 16, 16",
    '"unterminated',
    "1e400",
    "-0",
    "\\x00",
]
NOT_DEFAULT = Session(
    network=DEFAULTS.network.__class__((784, 32, 10), "tanh", "cross-entropy", "scaled"),
    train=DEFAULTS.train.__class__(0.5, 25, 0.5, 0.1),
    seed=7,
    speed=5.0,
    data="sample",
)


def ini(path: Path) -> QSettings:
    """Return INI settings stored at path."""
    return QSettings(str(path), QSettings.Format.IniFormat)


def valid(session: Session) -> bool:
    """Return whether a session holds values the window can use."""
    return (
        session.network.sizes[0] == 784
        and session.network.sizes[-1] == 10
        and 1 <= len(session.network.sizes) - 2 <= 4
        and all(1 <= n <= 128 for n in session.network.sizes[1:-1])
        and 0 <= session.seed < 2**31
        and session.speed in SPEEDS
        and isinstance(session.data, str)
        and session.data != ""
    )


def test_a_saved_session_reads_back_exactly(tmp_path: Path) -> None:
    settings = ini(tmp_path / "s.ini")
    save_session(settings, NOT_DEFAULT)
    settings.sync()
    assert load_session(ini(tmp_path / "s.ini")) == NOT_DEFAULT


@pytest.mark.parametrize("key", list(KEYS))
def test_a_wrong_value_for_any_key_falls_back_to_defaults(tmp_path: Path, key: str) -> None:
    for i, value in enumerate(GARBAGE + ODD_NUMBERS):
        path = tmp_path / f"wrong{i}.ini"
        settings = ini(path)
        save_session(settings, NOT_DEFAULT)
        settings.setValue(key, value)
        settings.sync()
        session = load_session(ini(path))
        assert valid(session), (key, value, session)
        if i < len(GARBAGE):
            assert KEYS[key](session) == KEYS[key](DEFAULTS), (key, value, session)
            untouched = session.network if key.startswith("train") else session.train
            assert untouched in (NOT_DEFAULT.network, NOT_DEFAULT.train), "only its group resets"


@pytest.mark.parametrize("line", RAW_LINES)
def test_raw_garbage_values_never_raise(tmp_path: Path, line: str) -> None:
    path = tmp_path / "raw.ini"
    body = "\n".join(f"{key.split('/')[1]}={line}" for key in KEYS)
    path.write_text(f"[network]\n{body}\n[train]\n{body}\n[run]\n{body}\n[data]\nsource={line}\n")
    assert valid(load_session(ini(path)))


def test_values_of_the_wrong_type_give_exactly_the_defaults(tmp_path: Path) -> None:
    settings = ini(tmp_path / "types.ini")
    for key in KEYS:
        settings.setValue(key, ["not", "a", "value"])
    settings.setValue("data/source", "")
    settings.sync()
    assert load_session(ini(tmp_path / "types.ini")) == DEFAULTS


def test_a_settings_file_of_another_app_gives_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "other.ini"
    path.write_text(
        "[General]\nrecentFiles=a.txt, b.txt\ntheme=dark\n"
        "[network]\nproxy=http://127.0.0.1:3128\ntimeout=30\n"
        "[train]\nstation=Paddington\n[window]\ngeometry=800x600\n"
    )
    assert load_session(ini(path)) == DEFAULTS


def test_a_missing_or_unreadable_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_session(ini(tmp_path / "nowhere" / "s.ini")) == DEFAULTS
    folder = tmp_path / "folder.ini"
    folder.mkdir()
    assert load_session(ini(folder)) == DEFAULTS


@pytest.mark.qt_log_ignore("QVariant::load: unknown user type")  # Qt's own, for the @Variant
def test_the_window_opens_with_defaults_on_binary_garbage_and_foreign_files(
    qtbot, tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.ini"
    garbage.write_bytes(np.random.default_rng(3).bytes(4096))
    foreign = tmp_path / "foreign.ini"
    foreign.write_text(
        "[window]\ngeometry=@ByteArray(not a geometry)\nstate=@ByteArray(\\x01\\x02)\n"
        "splitter=@Variant(\\0\\0\\0\\x7f)\n[network]\nhidden=@ByteArray(16,16)\n"
        "[data]\nsource=/no/such/folder\n[General]\nfoo=bar\n"
    )
    for path in (garbage, foreign):
        window = open_window(qtbot, path)
        assert window.session.network == DEFAULTS.network
        assert window.session.train == DEFAULTS.train
        assert window.worker.latest_snapshot().sizes == (784, 16, 16, 10)
        qtbot.waitUntil(lambda w=window: w.data is not None, timeout=10000)
        assert window.data.source == "sample"
        window.worker.step_batch()  # and it trains
        qtbot.waitUntil(lambda w=window: len(w.record.history) == 1)
        window.close()
    assert "Using the bundled sample instead" in window.banner.label.text()
    reopened = load_session(ini(foreign))  # the window rewrote what it read as garbage
    assert reopened.network == DEFAULTS.network and reopened.data == "sample"


SETTING_VALUES = (
    st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.booleans()
    | st.lists(st.integers(-5, 200), max_size=5)
    | st.sampled_from(["1e308", "inf", "-inf", "nan", "2147483648", "16,16", "4000,4000", "0x10"])
)
SETTING_KEYS = [*KEYS, "prefs/snapshot_interval", "prefs/theme", "data/source"]


@settings(
    deadline=None, max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.dictionaries(st.sampled_from(SETTING_KEYS), SETTING_VALUES, min_size=1, max_size=6),
    raw=st.booleans(),
)
def test_fuzzed_settings_files_load_within_the_controls_limits(
    tmp_path: Path, values: dict[str, object], raw: bool
) -> None:
    from engine import limits
    from gui.window.preferences_dialog import load_preferences

    path = tmp_path / "fuzz.ini"
    path.unlink(missing_ok=True)
    if raw:  # as a hand edit leaves them: text, whatever it says
        sections: dict[str, list[str]] = {}
        for key, value in values.items():
            section, name = key.split("/")
            text = str(value).replace("\n", " ").replace("\r", " ")
            sections.setdefault(section, []).append(f"{name}={text}")
        path.write_text(
            "".join(f"[{s}]\n" + "\n".join(lines) + "\n" for s, lines in sections.items())
        )
    else:  # as QSettings stores typed values
        settings = ini(path)
        for key, value in values.items():
            big = isinstance(value, int) and abs(value) >= 2**63  # QVariant holds int64 at most
            settings.setValue(key, str(value) if big else value)
        settings.sync()
    problems: list[str] = []
    session = load_session(ini(path), problems)
    prefs = load_preferences(ini(path), problems)
    assert valid(session)
    assert limits.check_train_config(session.train) is None
    assert isinstance(session.train.batch_size, int) and isinstance(session.seed, int)
    assert limits.SNAPSHOT_INTERVAL.contains(prefs.snapshot_interval)
    assert all("\n" not in p for p in problems)
    changed = session.train != DEFAULTS.train or session.seed != DEFAULTS.seed
    if changed:  # whatever was taken from the file is what the controls can show
        assert limits.LEARNING_RATE.contains(session.train.learning_rate)
