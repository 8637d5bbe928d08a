"""The README's counts come from the code: steps of the explorer, the player's speeds, its frames.

The README once said the explorer had "nine steps" after it had grown to twelve; these tests read
the sentences a reader sees and check each number against the constant the app runs on.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from gui.explorer.steps import N_STEPS, STEPS
from gui.player.export import SLIDE_SIZES, export_gif
from gui.player.player import SPEEDS

README = Path(__file__).resolve().parent.parent / "README.md"
WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
NUMBERS = {word: n for n, word in enumerate(WORDS.split())}


def section(title: str) -> str:
    """Return the README's section under the heading ``### title``, up to the next heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"### {title}\n")
    end = text.find("\n### ", start + 1)
    return " ".join(text[start : end if end > 0 else None].split())  # one line: no wrapping


def number(word: str) -> int:
    """Return the value of "12" or "twelve"."""
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def test_the_explorers_step_count_is_n_steps() -> None:
    text = section("The backprop explorer")
    counts = [number(w) for w in re.findall(r"\bin (\w+) steps\b", text)]
    assert counts == [N_STEPS]
    # The pictured steps and the "N more steps" after them are all the steps, each once.
    pictured = len(set(re.findall(r"!\[step (\d+)\]", text)))
    more = [number(w) for w in re.findall(r"\b(\w+) more steps\b", text)]
    assert pictured + sum(more) == N_STEPS
    numbered = {int(n) for n in re.findall(r"\b(\d+) · ", text)}
    assert numbered == set(range(1, N_STEPS + 1)) == {row.number for row in STEPS}


def test_the_players_speeds_sizes_and_frame_rate_are_the_codes() -> None:
    text = section("Play one real step")
    low, high = re.search(r"speed \(([\d.]+)–([\d.]+)×\)", text).groups()
    assert (float(low), float(high)) == (min(SPEEDS), max(SPEEDS))
    fps = inspect.signature(export_gif).parameters["fps"].default
    assert re.search(rf"\b{fps} frames a second\b", text)
    for w, h in SLIDE_SIZES:
        assert f"{w}x{h}" in text


def test_the_compare_tabs_colours_and_picture_size_are_the_codes() -> None:
    from gui.colors import LIGHT_SERIES, SERIES
    from gui.runs.compare_panel import EXPORT_SIZE

    text = section("Compare runs and experiments")
    count = number(re.search(r"up to (\w+) kept runs", text).group(1))
    assert count == len(SERIES) == len(LIGHT_SERIES)
    assert f"{EXPORT_SIZE[0]}x{EXPORT_SIZE[1]} PNG" in text
