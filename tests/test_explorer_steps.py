"""One table of the explorer's steps: the panel shows each row's title, idea, page and overlay.

A source scan finds any comparison of a step with a number in gui/explorer: a fact about a step
belongs in its row of ``gui.explorer.steps.STEPS``.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from gui.explorer.diagram import LayerDiagram, show_overlay
from gui.explorer.steps import N_STEPS, STEPS, ExplorerStep, step_row
from gui.explorer.text import explanation, highlighted_equations

EXPLORER = Path(__file__).resolve().parent.parent / "gui" / "explorer"
OPERATOR = r"(?:==|!=|<=|>=|<|>)"
STEP = r"[\w.]*step\w*(?:\(\))?"  # step, self._step, panel.step(), step_number
COMPARISONS = (
    re.compile(rf"\b{STEP}\s*{OPERATOR}\s*\d+\b"),  # step == 5, self._step >= 9
    re.compile(rf"\b\d+\s*{OPERATOR}\s*{STEP}"),  # 6 <= step
    re.compile(rf"\b{STEP}\s+(?:not\s+)?in\s*[(\[{{]\s*\d"),  # step in (1, 2, 3)
    re.compile(rf"\b{STEP}\s+(?:not\s+)?in\s+range\("),  # step in range(6, 9)
)


def step_comparisons(source: str) -> list[int]:
    """Return the lines whose code (not comments or strings) compares a step with a number."""
    code: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.COMMENT, tokenize.STRING):
            continue
        code[tok.start[0]] = code.get(tok.start[0], "") + " " + tok.string
    lines = {n: re.sub(r" ?([.(\[]) ?", r"\1", text) for n, text in code.items()}
    return sorted(n for n, t in lines.items() if any(p.search(t) for p in COMPARISONS))


def test_the_scan_finds_a_planted_step_number() -> None:
    planted = (
        '"""Step 5 is the backward pass; if step == 5 in a docstring is words."""\n'
        "def overlay(step, d):\n"
        "    # if step == 1: a comment\n"
        "    if step == 5:\n"
        "        d.clear()\n"
        "    elif 6 <= step <= 8:\n"
        "        d.fill()\n"
        "    visible = self._step in (1, 2, 3)\n"
        "    full = self._step >= 9\n"
        "    number = row.number\n"
        "    ok = panel.step() != 12\n"
    )
    assert step_comparisons(planted) == [4, 6, 8, 9, 11]


def test_no_step_is_compared_with_a_number_in_the_explorer() -> None:
    found = [
        f"{path.name}:{n}"
        for path in sorted(EXPLORER.glob("*.py"))
        for n in step_comparisons(path.read_text())
    ]
    assert not found, "a step compared with a number (make it a column of steps.STEPS): " + str(
        found
    )


def test_the_table_has_twelve_rows_numbered_from_one() -> None:
    assert N_STEPS == len(STEPS) == 12
    assert [row.number for row in STEPS] == list(range(1, 13))
    assert all(isinstance(row, ExplorerStep) for row in STEPS)
    assert len({row.key for row in STEPS}) == len({row.title for row in STEPS}) == 12
    assert len({row.page for row in STEPS}) == 12  # a page of its own for every step
    assert all(step_row(row.number) is row for row in STEPS)
    for bad in (0, 13):
        with pytest.raises(ValueError, match="steps 1 to 12"):
            step_row(bad)


@pytest.fixture
def panel(open_explorer, trained_on_sample):
    snap, data = trained_on_sample
    return open_explorer(snap, (data.train.images[:300], data.train.labels[:300]))


def test_every_page_title_idea_overlay_and_equation_the_panel_shows_is_its_rows(
    qtbot, panel
) -> None:
    assert [type(page) for page in panel.pages] == [row.page for row in STEPS]
    e = panel.exploration
    for row in STEPS:
        panel.set_step(row.number)
        qtbot.waitUntil(lambda: not panel.busy(), timeout=30000)  # steps 9-11's pictures
        assert panel.row() is row
        assert panel.title.text() == f"Step {row.number} of 12 · {row.title}"
        words = f"<i>In the video: {row.idea}.</i><br>{explanation(row.key, e)}"
        assert panel.text.text() == words
        page = panel.stack.currentWidget()
        assert type(page) is row.page and page is panel.page()
        assert panel.displayed_values() is page.values
        assert panel.diagram.isVisibleTo(panel) == (row.overlay is not None)
        assert panel.highlighted_equations() == highlighted_equations(panel.state, row)
        if row.overlay is not None:  # the diagram carries exactly the row's overlay
            fresh = LayerDiagram()
            fresh.set_state(e.sizes, [e.activations(k) for k in range(e.n_layers + 1)], e.image, 0)
            show_overlay(fresh, panel.state, row.overlay)
            d = panel.diagram
            assert (d.caption, d.revealed, d.selected) == (
                fresh.caption,
                fresh.revealed,
                fresh.selected,
            )
            assert d.edges == fresh.edges and (d.arrows is None) == (fresh.arrows is None)
    assert not panel.next_button.isEnabled()
    panel.set_step(1)
    assert not panel.back_button.isEnabled() and panel.next_button.isEnabled()
