"""Every stored key, old and new, goes through one reader: typed, in range, refusals said.

The keys come from the reader's own table (``gui.settings.KEYS``), so a key added there is fuzzed
here without a new line of test code.
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QByteArray, QSettings
from windows import main_py, open_window

from gui.settings import DEFAULTS, KEYS, reader
from gui.settings_reader import MAX_BINARY, MAX_TEXT

ROOT = Path(__file__).resolve().parents[1]
HUGE = "7" * (60 * 2**20)  # a 60 MB value
# Beyond every size the reader takes (a text, a path, a window layout): refused as HUGE is, by
# the same checks, without writing and reading 60 MB again for each of the keys.
OVERSIZED = "7" * (2 * max(MAX_TEXT, MAX_BINARY))
BAD_TEXT = [  # as a hand edit leaves them: what follows "name=" in the file
    "2147483648",
    "99999999999",
    "-5",
    "inf",
    "-inf",
    "nan",
    "1e400",
    "32,32",  # unquoted: QSettings reads a list
    "",
    "@ByteArray(\\x01\\x02)",
    "@Variant(\\0\\0\\0\\x87\\x7f\\xf0\\0\\0\\0\\0\\0\\0)",  # a typed double Qt reads as NaN
]
BAD_TYPED = [2**31, 99999999999, -5, math.inf, -math.inf, math.nan, ["1", "2"], {"a": 1}]
NUMERIC = [k for k, key in KEYS.items() if type(key.default) in (int, float)]


def ini(path: Path) -> QSettings:
    """Return INI settings stored at path."""
    return QSettings(str(path), QSettings.Format.IniFormat)


def write_raw(path: Path, values: dict[str, str]) -> None:
    """Write key=value lines by hand, grouped in their sections."""
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.split("/")
        sections.setdefault(section, []).append(f"{name}={value}")
    path.write_text("".join(f"[{s}]\n" + "\n".join(lines) + "\n" for s, lines in sections.items()))


def check_key(stored, key: str) -> object:
    """Read ``key`` and assert the reader's promise: a refusal names the key and uses the default.

    Returns the value used.
    """
    value = stored.value(key)
    said = [p for p in stored.problems if p.startswith(f"{key} ")]
    if said:
        assert value == KEYS[key].default, (key, said)
        assert len(said) == 1 and "\n" not in said[0] and "using " in said[0], said
        assert len(said[0]) < 400, said  # a 60 MB value is not repeated back
    else:  # what was taken is what its parser gives for itself: typed and in range
        if value is not None:
            assert KEYS[key].parse(value) == value, (key, value)
    for bad in ("invalid literal", "Traceback", "OverflowError", "could not convert"):
        assert not any(bad in p for p in stored.problems), stored.problems
    return value


def test_every_key_reads_back_what_the_app_writes(tmp_path: Path) -> None:
    settings = ini(tmp_path / "s.ini")
    for key, entry in KEYS.items():
        if entry.default is not None:
            settings.setValue(key, entry.default if key != "network/hidden" else "16,16")
    settings.sync()
    stored = reader(ini(tmp_path / "s.ini"))
    assert stored.read_all() == []
    assert {key: stored.value(key) for key in KEYS} == {k: e.default for k, e in KEYS.items()}


@pytest.mark.parametrize("key", list(KEYS))
def test_every_bad_hand_edit_of_every_key_is_refused_by_name(tmp_path: Path, key: str) -> None:
    for i, text in enumerate(BAD_TEXT):
        path = tmp_path / f"{i}.ini"
        write_raw(path, {key: text})
        stored = reader(ini(path))
        stored.read_all()
        check_key(stored, key)
        if key in NUMERIC and key != "network/hidden" and text != "-5":
            assert any(p.startswith(f"{key} ") for p in stored.problems), (key, text)
    assert reader(ini(path)).value(key) is not None or KEYS[key].default is None


@pytest.mark.parametrize("key", list(KEYS))
def test_every_key_refuses_numbers_beyond_its_control_and_wrong_types(
    tmp_path: Path, key: str
) -> None:
    for i, value in enumerate([*BAD_TYPED, QByteArray(b"\x00\xff"), OVERSIZED]):
        path = tmp_path / f"{i}.ini"
        path.unlink(missing_ok=True)
        settings = ini(path)
        settings.setValue(key, value)
        settings.sync()
        stored = reader(ini(path))
        stored.read_all()
        used = check_key(stored, key)
        refused = any(p.startswith(f"{key} ") for p in stored.problems)
        if value is OVERSIZED or (key in NUMERIC and not isinstance(value, list | dict)):
            assert refused and used == KEYS[key].default, (key, str(value)[:20], stored.problems)


def test_new_keys_of_issue_25_start_with_their_defaults_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "s.ini"
    write_raw(
        path,
        {
            "compare/budget_mb": "2147483648",
            "guide/stop": "inf",  # as QSettings writes an infinite double
            "compare/save_dir": str(path),  # a file, not a folder
            "prefs/theme": "purple",
        },
    )
    problems = reader(ini(path)).read_all()
    assert problems == [
        "prefs/theme = 'purple' is not one of system, dark, light; using 'system'",
        "compare/budget_mb is 2,147,483,648; it must be between 1 and 4096; using 64",
        f"compare/save_dir = {str(path)[:40]!r} is not a folder; "
        "using no folder (dropped runs are not saved)",
        "guide/stop = 'inf' is not a whole number; using the first stop",
    ]


def test_an_unquoted_list_of_hidden_sizes_is_understood(tmp_path: Path) -> None:
    path = tmp_path / "s.ini"
    path.write_text("[network]\nhidden=32,32\n[guide]\ndone=a_stop_of_a_later_version\n")
    stored = reader(ini(path))
    assert stored.read_all() == []
    assert stored.value("network/hidden") == (32, 32)
    assert stored.value("guide/done") == []
    path.write_text("[network]\nhidden=32,abc\n[train]\nbatch_size=1,2\n")
    assert reader(ini(path)).read_all() == [
        "network/hidden = ['32', 'abc'] cannot be used: use 1 to 4 hidden layers of 1 to 128 "
        "neurons, like 16,16; using 16,16",
        "train/batch_size = ['1', '2'] is a list (a comma outside quotes?), not one value; "
        "using 10",
    ]


def test_a_refused_value_stays_on_disk_until_the_learner_changes_it(tmp_path: Path) -> None:
    path = tmp_path / "s.ini"
    write_raw(path, {"train/momentum": "1.5", "compare/budget_mb": "inf"})
    stored = reader(ini(path))
    assert len(stored.read_all()) == 2
    stored.setValue("train/momentum", DEFAULTS.train.momentum)  # the default shown, re-saved
    stored.setValue("compare/budget_mb", 64)
    stored.sync()
    assert "momentum=1.5" in path.read_text() and "budget_mb=inf" in path.read_text()
    stored.setValue("train/momentum", 0.5)  # the learner's own choice replaces it
    stored.sync()
    assert reader(ini(path)).value("train/momentum") == 0.5
    assert "budget_mb=inf" in path.read_text()


SETTING_VALUES = (
    st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.booleans()
    | st.lists(st.text(max_size=6) | st.integers(-5, 300), max_size=6)
    | st.sampled_from(BAD_TEXT)
)


@settings(
    deadline=None, max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.dictionaries(st.sampled_from(list(KEYS)), SETTING_VALUES, min_size=1),
    raw=st.booleans(),
)
def test_fuzzed_files_over_every_key_never_raise(tmp_path: Path, values: dict, raw: bool) -> None:
    path = tmp_path / "fuzz.ini"
    path.unlink(missing_ok=True)
    if raw:  # as a hand edit leaves them: text, whatever it says
        write_raw(path, {k: " ".join(str(v).splitlines()) for k, v in values.items()})
    else:  # as QSettings stores typed values
        settings = ini(path)
        for key, value in values.items():
            settings.setValue(key, value)
        settings.sync()
    stored = reader(ini(path))
    stored.read_all()
    for key in KEYS:
        check_key(stored, key)


def bad_file(path: Path) -> dict[str, str]:
    """Write a file with a bad value for every key; return the values as written."""
    values = dict.fromkeys(KEYS, "99999999999")  # beyond every range, and no name or layout
    values |= {"data/source": "", "files/recent": "@ByteArray(x)", "guide/done": "@ByteArray(x)"}
    values |= {"network/hidden": "0", "network/activation": "softmax", "prefs/theme": "-inf"}
    write_raw(path, values)
    return values


def test_the_window_opens_on_a_bad_value_for_every_key_and_names_each(
    qtbot, tmp_path: Path
) -> None:
    path = tmp_path / "s.ini"
    bad_file(path)
    window = open_window(qtbot, path)
    shown = window.banner.last_message()
    assert f"Some saved settings in {path} were out of range" in shown, shown
    for key in KEYS:
        assert f"{key} " in shown, (key, shown)
    assert window.session == DEFAULTS
    assert window.controls.batch_size.value() == DEFAULTS.train.batch_size
    assert window.runs.registry.budget == KEYS["compare/budget_mb"].default * 2**20
    assert window.runs.panel.budget.value() == KEYS["compare/budget_mb"].default
    assert window.guide.panel.index == 0 and window.runs.registry.save_dir is None
    window.worker.step_batch()  # and it trains
    qtbot.waitUntil(lambda: len(window.record.history) == 1)
    window.controls.learning_rate.setValue(0.5)  # the learner changes one setting
    qtbot.waitUntil(lambda: window.lab.typed.train.learning_rate == 0.5)
    window.close()
    text = path.read_text()
    assert "learning_rate=0.5" in text
    for key in KEYS:  # the rest stay for the learner to see (the window's layout is re-saved)
        if not key.startswith(("window/", "train/learning_rate")):
            assert (
                f"{key.split('/')[1]}=" in text
                and reader(ini(path)).value(key) == KEYS[key].default
            ), key
    again = reader(ini(path))
    assert len(again.read_all()) == len(KEYS) - 1 - 5, again.problems  # rate and layout: fine


def test_what_the_window_itself_saves_reads_back_without_a_problem(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "s.ini"
    window = open_window(qtbot, path)
    window.runs.panel.budget.setValue(200)
    window.guide.panel.set_stop(3)
    window.close()
    stored = reader(ini(path))
    assert stored.read_all() == [], stored.problems
    assert stored.value("compare/budget_mb") == 200 and stored.value("guide/stop") == 3


@pytest.mark.parametrize("text", ["2147483648", "-inf", "1,2", "@ByteArray(\\x01)"])
def test_the_window_uses_what_the_reader_gives_and_shows_all_it_refused(
    qtbot, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "s.ini"
    values = dict.fromkeys(KEYS, text)
    if text == "2147483648":  # and a 60 MB value
        values |= {"data/source": HUGE, "compare/save_dir": HUGE}
    write_raw(path, values)
    stored = reader(ini(path))
    refused = stored.read_all()
    expected = {key: stored.value(key) for key in KEYS}
    window = open_window(qtbot, path)
    shown = window.banner.last_message() if refused else ""
    assert refused and all(problem in shown for problem in refused), (refused, shown)
    assert window.settings_problems == refused
    s = window.session
    assert s.network.sizes == (784, *expected["network/hidden"], 10)
    assert (s.seed, s.speed, s.goal_epochs, s.plot_x) == tuple(
        expected[k] for k in ("network/seed", "run/speed", "run/goal_epochs", "plot/x_mode")
    )
    assert window.controls.batch_size.value() == expected["train/batch_size"]
    assert window.runs.panel.budget.value() == expected["compare/budget_mb"]
    assert window.guide.panel.index == expected["guide/stop"]
    window.close()


def default_file(config: Path) -> Path:
    """Return the default settings path QSettings() uses under ``config`` (its folder made)."""
    folder = config / "Backprop Lab"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "Backprop Lab.conf"


@pytest.mark.parametrize("where", ["default", "--settings"])
def test_a_real_process_starts_on_bad_new_keys_and_names_them(tmp_path: Path, where: str) -> None:
    config = tmp_path / "config"
    path = default_file(config) if where == "default" else tmp_path / "s.ini"
    write_raw(
        path,
        {
            "compare/budget_mb": "2147483648",
            "guide/stop": "inf",  # as QSettings writes an infinite double
            "network/hidden": "32,32",
            "window/state": "99999999999",
        },
    )
    if where == "default":  # a 60 MB value: only the default file may be that large
        with path.open("a") as file:
            file.write(f"[data]\nsource={HUGE}\n")
    extra = ("--settings", str(path)) if where == "--settings" else ()
    shot = tmp_path / "w.png"
    done = main_py(
        *extra, "--screenshot", str(shot), "--size", "900x700", env={"XDG_CONFIG_HOME": str(config)}
    )
    assert done.returncode == 0, done.stderr
    assert shot.stat().st_size > 0
    keys = ["compare/budget_mb", "guide/stop", "window/state"]
    keys += ["data/source"] if where == "default" else []
    for key in keys:
        assert f"backprop-lab: settings not used: {key} " in done.stderr, done.stderr
    assert "network/hidden" not in done.stderr and "Traceback" not in done.stderr
    assert "budget_mb=2147483648" in path.read_text(), "a refused value is kept"


def make_device(path: Path) -> None:
    """Make a character device (like /dev/zero) at path; as a user, a link to /dev/null.

    Only a refused path keeps a link safe: Qt saves settings by renaming a file over its target.
    """
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except PermissionError:
        path.symlink_to("/dev/null")


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_a_fifo_folder_or_device_at_the_default_path_is_refused_at_once(
    tmp_path: Path, kind: str
) -> None:
    config = tmp_path / "config"
    path = default_file(config)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:  # a device node of our own: Qt's save would replace a link's target (/dev/zero!)
        make_device(path)
    home = {"XDG_CONFIG_HOME": str(config)}
    done = main_py("--screenshot", str(tmp_path / "w.png"), env=home, timeout=60)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "not a regular file" in lines[0] and str(path) in lines[0], lines
    assert not (tmp_path / "w.png").exists()
