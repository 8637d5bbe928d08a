"""Read a lesson from the window's widgets, and set their views back from one.

Only the widgets' public methods are used: the diagram's edge mode and scale, the pad's drawing
and label, the explorer's view, the guide's stop, the step player's story and position, the
kept runs. The network and its history come from the worker's latest snapshot and the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.data.lesson import TABS, ComparedRun, Lesson, PlayerView, full_snapshot, last_batch_of
from engine.data.model_io import SavedModel
from engine.session.runs import RUNNING
from engine.session.snapshot import Snapshot, network_of

if TYPE_CHECKING:
    from gui.window import MainWindow


def tab_name(window: MainWindow) -> str:
    """Return the name of the tab shown (engine.data.lesson.TABS)."""
    if window.tabs.currentWidget() is window.runs.panel:
        return "compare"
    return TABS[min(window.tabs.currentIndex(), len(TABS) - 2)]


def show_tab(window: MainWindow, name: str) -> None:
    """Bring tab ``name`` forward."""
    if name == "compare":
        window.runs.show_panel()
    else:
        window.tabs.setCurrentIndex(TABS.index(name))


def capture(window: MainWindow) -> tuple[Lesson, list[str]]:
    """Return what the window shows as a lesson, and what of it a lesson cannot keep.

    Raises ValueError when there is no network yet (the data is still loading).
    """
    snap = window.worker.latest_snapshot()
    if snap is None:
        raise ValueError("There is no network to save yet: wait for the data to load.")
    left_out = []
    train = window.session.train  # as the controls show them, even if not yet applied
    model = SavedModel(
        network_of(snap), train, snap.epoch, snap.examples_seen, window.record.history.to_arrays()
    )
    if window.record.scrubbed is not None:
        left_out.append("the timeline's past moment (the lesson holds the live network)")
    kept = []
    selected = window.runs.selected_run()
    selected_index = None
    for run, shown in window.runs.kept_runs():
        if run.parameters is None or run.status == RUNNING:
            left_out.append(f"{run.name} (it kept no finished network)")
            continue
        if run is selected:
            selected_index = len(kept)
        kept.append(ComparedRun(run, shown))
    player = None
    p = window.step_player
    if p.is_active() and p.story is not None and p.story.after is not None:
        player = PlayerView(p.story, p.focus(), p.position)
    lesson = Lesson(
        model=model,
        seed=window.session.seed,
        data=window.session.data,
        tab=tab_name(window),
        edge_mode=window.network_view.edge_mode(),
        per_layer=window.network_view.per_layer_scale(),
        emphasis=window.network_view.emphasis(),
        drawing=window.digit_panel.drawing(),
        label=window.digit_panel.selected_label(),
        guide_stop=window.guide.current_stop(),
        guide_open=window.guide.is_open(),
        explorer=window.explorer.view(),
        player=player,
        runs=tuple(kept),
        selected_run=selected_index,
        last_batch=last_batch_of(snap),
    )
    return lesson, left_out


def show_views(window: MainWindow, lesson: Lesson) -> Snapshot | None:
    """Set every view but the explorer and the player as the lesson has them; return the
    snapshot shown (None: the worker's own).

    The lesson's network is already the window's. Opening a tab hands the explorer the latest
    network a moment later, so ``show_explorer_and_player`` is called after that.

    With the network's latest step, the views show it as they did (its gradient, update and
    example on the edges, the explorer on the step's network) until training publishes anew.
    """
    shown = None
    if lesson.last_batch is not None:
        shown = full_snapshot(lesson.model, lesson.last_batch)
        window.feed.refresh()  # the worker's own snapshot first, so it does not replace this one
        window.feed.show_snapshot(shown)
    view = window.network_view
    view.set_edge_mode(lesson.edge_mode)
    view.set_scale_mode(lesson.per_layer)
    view.set_emphasis(lesson.emphasis)
    view.refresh()
    window.digit_panel.set_drawing(lesson.drawing)
    window.digit_panel.select_label(lesson.label)
    window.guide.set_stop(lesson.guide_stop, lesson.guide_open)
    window.runs.replace_runs([(k.run, k.shown) for k in lesson.runs], lesson.selected_run)
    show_tab(window, lesson.tab)
    return shown


def show_explorer_and_player(window: MainWindow, lesson: Lesson, shown: Snapshot | None) -> None:
    """Set the explorer's example, step and selections and the step being played."""
    if lesson.explorer is not None:
        window.explore.load()  # the lesson's network, now, not after the tab's zero timer
        if shown is not None:
            window.explorer.set_snapshot(shown)
        window.explorer.show_view(lesson.explorer)
    if lesson.player is not None:  # last: a new drawing or network closes the player
        p = lesson.player
        window.playback.show_story(p.story, p.focus, p.position)
