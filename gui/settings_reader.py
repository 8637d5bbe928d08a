"""One reader for every stored setting: each key typed and checked, every refusal said once.

A ``Key`` pairs a default with a parser. A parser returns the value the window uses or raises
``UnusableError`` with the reason; the reader then uses the default and keeps one message naming the
key, the stored value and why. A refused value stays on disk (the learner may want to fix it by
hand) until the learner changes that setting: writing back the very value used in its place is
skipped, any other value is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings

from engine import limits
from engine.errors import printable

MAX_TEXT = 4096  # characters in a stored text or path; ours are far shorter
MAX_BINARY = 2**20  # bytes of a stored window layout; Qt's are a few kilobytes
MAX_ITEMS = 64  # entries in a stored list (recent files, guide stops done)


class UnusableError(ValueError):
    """A stored value that cannot be used; the message says why (after the key and value)."""


@dataclass(frozen=True)
class Key:
    """A stored setting: the value used when it is missing or unusable, and its parser."""

    default: object
    parse: Callable[[object], object]
    shown_default: str = ""  # how the message names the default, if not by its value


def shown(value: object) -> str:
    """Return a short, one-line picture of a stored value for a message."""
    if isinstance(value, QByteArray):
        return f"binary data of {value.size():,} bytes"
    if isinstance(value, list):
        return f"a list of {len(value):,} values" if len(value) > 4 else repr(value)[:60]
    if isinstance(value, str):
        return repr(printable(value[:40]))
    return printable(repr(value))[:40]


def as_text(value: object) -> str:
    """Return a stored value as text, refusing lists, binary data and anything over MAX_TEXT."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = repr(value)
    if isinstance(value, list):
        raise UnusableError("is a list (a comma outside quotes?), not one value")
    if not isinstance(value, str):
        raise UnusableError("is not text")
    if len(value) > MAX_TEXT:
        raise UnusableError(f"is {len(value):,} characters long, not a setting")
    return value


def whole_number(allowed: limits.Range) -> Callable[[object], int]:
    """Return a parser for a whole number inside ``allowed``, the range of its control."""

    def parse(value: object) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif not isinstance(value, int) or isinstance(value, bool):
            text = as_text(value).strip()
            try:
                value = int(text)
            except ValueError:
                try:
                    number = float(text)
                except ValueError:
                    raise UnusableError("is not a number") from None
                if not number.is_integer():  # 2.5, inf and nan are not a mini-batch size
                    raise UnusableError("is not a whole number") from None
                value = int(number)
        if not allowed.contains(value):
            raise UnusableError(f"is {value:,}"[:40] + f"; it must be {_between(allowed)}")
        return value

    return parse


def number(allowed: limits.Range) -> Callable[[object], float]:
    """Return a parser for a real number inside ``allowed``, snapped as its control shows it."""

    def parse(value: object) -> float:
        if isinstance(value, bool):
            raise UnusableError("is not a number")
        if not isinstance(value, (int, float)):
            text = as_text(value).strip()
            try:
                value = float(text)
            except ValueError:
                raise UnusableError("is not a number") from None
        try:
            value = float(value)
        except OverflowError:  # an int beyond any float
            raise UnusableError(f"is {value:.3g}; it must be {_between(allowed)}") from None
        if not (math.isfinite(value) or allowed.low == -math.inf):
            raise UnusableError(f"is {value:g}; it must be {_between(allowed)}")
        if not allowed.low <= value <= allowed.high:
            raise UnusableError(f"is {value:g}; it must be {_between(allowed)}")
        return allowed.snap(value)

    return parse


def _between(allowed: limits.Range) -> str:
    return f"between {allowed.low:g} and {allowed.high:g}"


def choice(options: Mapping[object, str] | tuple) -> Callable[[object], object]:
    """Return a parser for one of ``options`` (numbers compared as numbers, text as text)."""

    names = ", ".join(options.values() if isinstance(options, Mapping) else options)

    def parse(value: object) -> object:
        if all(isinstance(o, float) for o in options):
            try:
                value = number(limits.Range(-math.inf, math.inf))(value)
            except UnusableError:
                raise UnusableError(f"is not one of {names}") from None
        else:
            value = as_text(value).strip()
        if value not in options:
            raise UnusableError(f"is not one of {names}")
        return value

    return parse


def text(value: object) -> str:
    """Parse a non-empty line of text (a data source)."""
    value = as_text(value)
    if not value.strip() or "\x00" in value:
        raise UnusableError("is empty" if not value.strip() else "holds a NUL character")
    return value


def flag(value: object) -> bool:
    """Parse a yes or no (QSettings stores true and false as text)."""
    if isinstance(value, bool):
        return value
    word = as_text(value).strip().lower()
    if word not in ("true", "false", "1", "0"):
        raise UnusableError("is not true or false")
    return word in ("true", "1")


def binary(value: object) -> QByteArray:
    """Parse a window layout Qt saved (binary data, at most MAX_BINARY bytes)."""
    if not isinstance(value, QByteArray):
        raise UnusableError("is not a window layout Qt saved")
    if value.size() > MAX_BINARY:
        raise UnusableError(f"is {value.size():,} bytes, not a window layout")
    return value


def rect(value: object) -> QRect:
    """Parse the window's saved rectangle (an empty one, saved by a window never shown, is kept)."""
    if not isinstance(value, QRect):
        raise UnusableError("is not a window rectangle")
    return value


def text_list(value: object) -> list[str]:
    """Parse a list of texts (QSettings gives one text for a single entry)."""
    if isinstance(value, str):
        value = [value] if value else []
    if not isinstance(value, list):
        raise UnusableError("is not a list of names")
    return [as_text(item) for item in value[:MAX_ITEMS]]  # a forged long list is cut, not checked


def folder(value: object) -> str:
    """Parse a folder that exists, or empty text for none."""
    value = as_text(value)
    if value and not Path(value).is_dir():
        raise UnusableError("is not a folder" if Path(value).exists() else "is no longer there")
    return value


class SettingsReader:
    """Reads and writes QSettings through a table of keys; ``problems`` says what was not used.

    ``value``, ``setValue``, ``contains`` and ``sync`` stand in for QSettings' own, so a part of
    the window that took a QSettings takes a reader unchanged.
    """

    def __init__(self, settings: QSettings, keys: Mapping[str, Key]) -> None:
        self.settings = settings
        self.keys = keys
        self.problems: list[str] = []  # one message per stored value that was not used
        self._refused: dict[str, object] = {}  # key -> the value used in place of the stored one

    def read_all(self) -> list[str]:
        """Read every key once (as a launch does) and return the problems found."""
        for key in self.keys:
            self.value(key)
        return self.problems

    def value(self, key: str) -> object:
        """Return the typed value of ``key``: the stored one if usable, else its default."""
        entry = self.keys[key]
        if not self.settings.contains(key):
            return entry.default
        stored = self.settings.value(key)
        try:
            return entry.parse(stored)
        except UnusableError as exc:
            reason = str(exc)
        except (TypeError, ValueError, OverflowError, MemoryError) as exc:  # a parser's blind spot
            reason = f"cannot be read ({type(exc).__name__})"
        if key not in self._refused:
            self._refused[key] = entry.default
            used = entry.shown_default or _shown_default(entry.default)
            if reason.startswith("is ") and ";" in reason:
                self.problems.append(f"{key} {reason}; using {used}")
            else:
                self.problems.append(f"{key} = {shown(stored)} {reason}; using {used}")
        return entry.default

    def setValue(self, key: str, value: object) -> None:  # noqa: N802 - QSettings' name
        """Store ``value``, unless it only repeats the default that stood in for a refused value."""
        if key in self._refused and self._means(key, value) == self._refused[key]:
            return  # the learner has not changed it: the stored value stays for them to see
        self._refused.pop(key, None)
        self.settings.setValue(key, value)

    def _means(self, key: str, value: object) -> object:
        """Return what ``value`` means once read back ("16,16" is the sizes (16, 16))."""
        try:
            return self.keys[key].parse(value)
        except (ValueError, TypeError, OverflowError):
            return value

    def contains(self, key: str) -> bool:
        """Return whether the file holds ``key``, usable or not."""
        return self.settings.contains(key)

    def sync(self) -> None:
        """Write pending changes to disk."""
        self.settings.sync()

    def fileName(self) -> str:  # noqa: N802 - QSettings' name
        """Return the settings file's path."""
        return self.settings.fileName()


def _shown_default(default: object) -> str:
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, (int, float)):
        return f"{default:g}"
    if isinstance(default, str):
        return repr(default) if default else "none"
    return "the default"


def default_paths() -> list[str]:
    """Return the files QSettings() reads on this system (its user and system INI files).

    Computed without QSettings: constructing one reads the files, and on a FIFO it never returns.
    Only Unix desktops keep settings in files here; macOS and Windows use their own stores.
    """
    import sys

    from PySide6.QtCore import QCoreApplication, QStandardPaths

    if sys.platform in ("darwin", "win32"):
        return []
    org = QCoreApplication.organizationName()
    app = QCoreApplication.applicationName()
    config = QStandardPaths.StandardLocation.GenericConfigLocation
    folders = QStandardPaths.standardLocations(config)  # the user's first, then /etc/xdg
    return [f"{f}/{name}" for f in folders for name in (f"{org}/{app}.conf", f"{org}.conf")]


def default_settings_problem() -> str | None:
    """Return why the default settings files cannot be read (a FIFO, a folder), or None."""
    for path in default_paths():
        problem = settings_file_problem(path, "settings file")
        if problem:
            return f"{problem}; move it away, or start with --settings FILE"
    return None


def settings_file_problem(path: str, what: str) -> str | None:
    """Return why the settings file at ``path`` cannot be used (a folder, a FIFO, a device)."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{what} {printable(path)}: {exc.strerror or exc}"
    if not stat.S_ISREG(mode):
        return f"{what} {printable(path)}: not a regular file (a folder, a pipe or a device)"
    return None
