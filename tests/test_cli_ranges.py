"""Every numeric option refuses huge, negative, fractional, NaN and infinite values in plain words.

The message reads as a person writes numbers ("2,147,483,647", "a whole number"), names the
option's range, and the range is the one its window control has where there is one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QSpinBox
from windows import open_window

from engine import cli, limits
from gui import app

ROOT = Path(__file__).resolve().parents[1]
HUGE_INT = "9" * 5000  # longer than Python's int() reads

# (command, option, whole number?, the range as the message must say it)
OPTIONS = [
    ("train", "--batch-size", True, "1 and 10,000"),
    ("train", "--lr", False, "0.0001 and 10,000"),
    ("train", "--momentum", False, "0 and 0.99"),
    ("train", "--l2", False, "0 and 100"),
    ("train", "--epochs", True, "1 and 1000"),
    ("train", "--seed", True, "0 and 2,147,483,647"),
    (None, "--train-batches", True, "0 and 1,000,000"),
    (None, "--pad-digit", True, "0 and 2,147,483,647"),
    (None, "--explorer-step", True, "1 and 12"),
]
OUT_OF_RANGE = {
    "99999999999": "99,999,999,999",
    "2147483648": "2,147,483,648",
    "-5": "-5",
    HUGE_INT: "a number of about 5,001 digits",
}
NOT_FINITE = {"nan": "nan", "inf": "inf", "-inf": "-inf", "1e999": "inf"}


def refusal(command: str | None, option: str, value: str, capsys) -> str:
    """Parse ``option=value`` as the command line does; return argparse's one line."""
    parser = cli.build_parser() if command else app.build_parser()
    with pytest.raises(SystemExit) as stop:
        parser.parse_args([*([command] if command else []), f"{option}={value}"])
    assert stop.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert "a int" not in lines[0] and "a float" not in lines[0] and "e+0" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(("command", "option", "whole", "between"), OPTIONS)
@pytest.mark.parametrize("value", list(OUT_OF_RANGE))
def test_out_of_range_values_are_written_as_a_person_writes_them(
    capsys, command, option, whole, between, value
) -> None:
    line = refusal(command, option, value, capsys)
    assert f"argument {option}: " in line
    shown = "inf" if value == HUGE_INT and not whole else OUT_OF_RANGE[value]  # beyond a float
    assert f" is {shown}; it must be between {between} (try --help)" in line


@pytest.mark.parametrize(("command", "option", "whole", "between"), OPTIONS)
@pytest.mark.parametrize("value", list(NOT_FINITE))
def test_nan_and_infinities_are_refused(capsys, command, option, whole, between, value) -> None:
    line = refusal(command, option, value, capsys)
    if whole:
        assert line.endswith(f"expected a whole number, got {value!r} (try --help)")
    else:
        assert f" is {NOT_FINITE[value]}; it must be between {between}" in line


@pytest.mark.parametrize(("command", "option", "whole", "between"), OPTIONS)
def test_a_fraction_or_a_word_is_not_a_number_of_the_right_kind(
    capsys, command, option, whole, between
) -> None:
    wanted = "a whole number" if whole else "a number"
    for value in ("1.5", "1e3", "ten") if whole else ("ten", "1,5"):
        line = refusal(command, option, value, capsys)
        assert line.endswith(f"expected {wanted}, got {value!r} (try --help)"), line
    line = refusal(command, option, "x" * 500, capsys)
    assert len(line) < 200 and "..." in line


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        (
            "784,99999999999,10",
            "layer 2's size is 99,999,999,999; it must be between 1 and 100,000",
        ),
        ("784,0,10", "layer 2's size is 0; it must be between 1 and 100,000"),
        ("784,50000,50000,10", "layers 784,50000,50000,10 make 2,539,700,000 weights; a network"),
        ("784,-3,10", "layer 2's size is -3"),
        ("784,1.5,10", "layers must be whole numbers separated by commas: '784,1.5,10'"),
        ("784,nan,10", "layers must be whole numbers"),
        ("784", "the number of layers is 1; it must be between 2 and 12"),
        (",".join(["784"] + ["4"] * 20 + ["10"]), "the number of layers is 22"),
        ("784,16,9", "MNIST needs 784 inputs and 10 outputs"),
    ],
)
def test_layers_have_sane_sizes(capsys, layers: str, words: str) -> None:
    assert words in refusal("train", "--layers", layers, capsys)


@pytest.mark.parametrize(
    ("size", "words"),
    [
        ("99999x300", "--size 99999x300: the width is 99,999; it must be between 320 and 8000"),
        ("800x100", "--size 800x100: the height is 100; it must be between 240 and 8000"),
        ("nanxinf", "--size must look like 1440x900, got 'nanxinf'"),
        ("800.5x600", "--size must look like 1440x900, got '800.5x600'"),
    ],
)
def test_size_names_the_side_out_of_range(size: str, words: str) -> None:
    with pytest.raises(ValueError) as refused:
        app._size(size)
    assert str(refused.value) == words


def test_the_edges_of_every_range_are_accepted() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["train", "--epochs", "1000", "--seed", "2147483647"])
    assert (args.epochs, args.seed) == (1000, 2**31 - 1)
    args = parser.parse_args(["train", "--batch-size", "10000", "--lr", "0.0001", "--l2", "100"])
    assert (args.batch_size, args.lr, args.l2) == (10000, 0.0001, 100.0)
    args = app.build_parser().parse_args(["--train-batches", "1000000", "--explorer-step", "12"])
    assert (args.train_batches, args.explorer_step) == (1_000_000, 12)


def test_epochs_share_the_limit_of_the_windows_run_goal(qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, tmp_path / "s.ini")
    goal = window.controls.goal
    assert isinstance(goal, QSpinBox)
    assert goal.maximum() == limits.GOAL_EPOCHS.high
    assert cli.build_parser().parse_args(["train", "--epochs", str(goal.maximum())]).epochs


def test_epochs_without_end_are_refused_at_once_by_a_real_process() -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "train", "--epochs", "99999999999"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "backprop-lab train: argument --epochs: the number of epochs is 99,999,999,999; "
        "it must be between 1 and 1000 (try --help)\n"
    )
    assert time.monotonic() - started < 30  # it trained nothing
