"""Colours live in gui/colors.py: a literal colour anywhere else under gui/ fails this scan."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[1] / "gui"
NAMES = "black|white|red|green|blue|gray|grey|yellow|orange|purple|cyan|magenta|pink|brown|navy"
# Inside a string: "#fff", "#rrggbb" or "#rrggbbaa", "rgb(...)", or a named colour in a style sheet.
IN_STRINGS = re.compile(
    r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b"
    r"|\brgba?\s*\("
    rf"|\b(?:color|background|border)[\w-]*\s*:[^;{{}}]*\b(?:{NAMES})\b"
)
# In code: a colour-taking call or keyword given a number, a tuple of numbers or a string.
LITERAL = r"(?:\d|\(\s*\d|[rbuf]?[\"'])"
CALLS = (
    "QColor|mkColor|mkPen|mkBrush|qcolor|setBackground|setColor|setPen|setBrush|setForeground"
    "|setSymbolBrush|setSymbolPen|setDefaultTextColor|setTextPen|setLabelTextColor|fill"
)
KEYWORDS = "color|colour|pen|brush|symbolBrush|symbolPen|background|foreground"
IN_CODE = re.compile(
    rf"\b(?:{CALLS})\(\s*{LITERAL}"
    rf"|\b(?:{KEYWORDS})\s*=\s*{LITERAL}"
    r"|\bQt\.GlobalColor\.(?!transparent\b)\w+"
    r"|\bQt\.(?:white|black|red|green|blue|gray|yellow|cyan|magenta)\b"
)


def literal_colours(source: str) -> list[tuple[int, str]]:
    """Return (line, text) for every literal colour in Python ``source``, comments aside."""
    found = []
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        row, col = token.start
        if token.type == tokenize.COMMENT:
            lines[row - 1] = lines[row - 1][:col]
        elif token.type == tokenize.STRING:
            found += [(row, m.group()) for m in IN_STRINGS.finditer(token.string)]
    code = "\n".join(lines)
    found += [(code.count("\n", 0, m.start()) + 1, m.group()) for m in IN_CODE.finditer(code)]
    return sorted(found)


def gui_files() -> list[Path]:
    """Return every Python file of the GUI except the colour module itself."""
    return sorted(p for p in GUI.rglob("*.py") if p != GUI / "colors.py")


@pytest.mark.parametrize("path", gui_files(), ids=lambda p: str(p.relative_to(GUI)))
def test_no_literal_colour_outside_the_colour_module(path: Path) -> None:
    found = literal_colours(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.name}: move these colours into gui/colors.py: {found}"


@pytest.mark.parametrize(
    "line",
    [
        'p.fillRect(rect, QColor("#5a1e1e"))',
        "pen = QPen(QColor(0, 0, 0), 2)",
        "p.setPen(qcolor((80, 86, 100)))",
        'curve.setPen(pg.mkPen("w", width=2))',
        "bars.setOpts(brush=pg.mkBrush(255, 0, 0))",
        'plot.setBackground("k")',
        'label = pg.TextItem("hi", color=(255, 255, 0))',
        'item = plot.plot(symbolBrush="r")',
        'w.setStyleSheet("QLabel { color: #ffecec; }")',
        'w.setStyleSheet(f"QPushButton {{ background: {c}; color: black; }}")',
        "html = \"<span style='color: rgb(10, 20, 30)'>x</span>\"",
        "p.setPen(Qt.GlobalColor.red)",
        "image.fill(0)",
    ],
)
def test_the_scan_finds_each_kind_of_literal_colour(line: str) -> None:
    assert literal_colours(line + "\n"), line


@pytest.mark.parametrize(
    "line",
    [
        "p.setPen(QPen(qcolor(palette().highlight), 2))",
        "fill = QColor(g, g, g)  # an activation's gray, #ffffff at 1",
        "curve.setPen(pg.mkPen(p.accent, width=3, style=Qt.PenStyle.DashLine))",
        "legend.setBrush(pg.mkBrush(*palette().panel, 200))",
        'w.setStyleSheet(f"color: {css(palette().dim)}")',
        "image.fill(Qt.GlobalColor.transparent)",
        'self.setObjectName("failureBanner")',
        "montage.paste(rgb(index, 0.75), (0, 0))",
        'text = "a black square, or the hidden layer\'s red and blue"',
    ],
)
def test_the_scan_passes_colours_taken_from_the_colour_module(line: str) -> None:
    assert literal_colours(line + "\n") == [], line
