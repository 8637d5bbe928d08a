"""Read a lesson from the window's views, and set them back from one.

Only the views' public methods are used: the diagram's edge mode and scale, the pad's drawing
and label, the explorer's view, the guide's stop, the step player's story and position, the
kept runs. The network and its history come from the lab: the worker's latest snapshot and the
record. The views come in one explicit bundle (``LessonViews``), never the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.data.lesson import TABS, ComparedRun, Lesson, PlayerView, full_snapshot, last_batch_of
from engine.data.model_io import SavedModel
from engine.session.runs import RUNNING
from engine.session.snapshot import Snapshot, network_of

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtWidgets import QTabWidget

    from gui.diagram import NetworkView
    from gui.explorer import ExplorerPanel
    from gui.guide import GuideController
    from gui.lab import Lab
    from gui.pad import DigitPanel
    from gui.player import StepPlayback
    from gui.runs import RunsController


@dataclass(frozen=True)
class LessonViews:
    """What a lesson reads and restores besides the lab: the window builds it, with these."""

    tabs: QTabWidget
    network_view: NetworkView
    explorer: ExplorerPanel
    digit_panel: DigitPanel
    guide: GuideController
    playback: StepPlayback
    runs: RunsController
    feed: QObject  # the live feed: refresh(), show_snapshot(snapshot)
    explore: QObject  # the hand-off to the explorer: load()
    data_sources: QObject  # load(source, ask=False)


def tab_name(views: LessonViews) -> str:
    """Return the name of the tab shown (engine.data.lesson.TABS)."""
    if views.tabs.currentWidget() is views.runs.panel:
        return "compare"
    return TABS[min(views.tabs.currentIndex(), len(TABS) - 2)]


def show_tab(views: LessonViews, name: str) -> None:
    """Bring tab ``name`` forward."""
    if name == "compare":
        views.runs.show_panel()
    else:
        views.tabs.setCurrentIndex(TABS.index(name))


def capture(lab: Lab, views: LessonViews) -> tuple[Lesson, list[str]]:
    """Return what the window shows as a lesson, and what of it a lesson cannot keep.

    Raises ValueError when there is no network yet (the data is still loading).
    """
    snap = lab.worker.latest_snapshot()
    if snap is None:
        raise ValueError("There is no network to save yet: wait for the data to load.")
    left_out = []
    train = lab.session.train  # as the controls show them, even if not yet applied
    model = SavedModel(
        network_of(snap), train, snap.epoch, snap.examples_seen, lab.record.history.to_arrays()
    )
    if lab.record.scrubbed is not None:
        left_out.append("the timeline's past moment (the lesson holds the live network)")
    kept = []
    selected = views.runs.selected_run()
    selected_index = None
    for run, shown in views.runs.kept_runs():
        if run.parameters is None or run.status == RUNNING:
            left_out.append(f"{run.name} (it kept no finished network)")
            continue
        if run is selected:
            selected_index = len(kept)
        kept.append(ComparedRun(run, shown))
    player = None
    p = views.playback.player
    if p.is_active() and p.story is not None and p.story.after is not None:
        player = PlayerView(p.story, p.focus(), p.position)
    lesson = Lesson(
        model=model,
        seed=lab.session.seed,
        data=lab.session.data,
        tab=tab_name(views),
        edge_mode=views.network_view.edge_mode(),
        per_layer=views.network_view.per_layer_scale(),
        emphasis=views.network_view.emphasis(),
        drawing=views.digit_panel.drawing(),
        label=views.digit_panel.selected_label(),
        guide_stop=views.guide.current_stop(),
        guide_open=views.guide.is_open(),
        explorer=views.explorer.view(),
        player=player,
        runs=tuple(kept),
        selected_run=selected_index,
        last_batch=last_batch_of(snap),
    )
    return lesson, left_out


def show_views(views: LessonViews, lesson: Lesson) -> Snapshot | None:
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
        views.feed.refresh()  # the worker's own snapshot first, so it does not replace this one
        views.feed.show_snapshot(shown)
    view = views.network_view
    view.set_edge_mode(lesson.edge_mode)
    view.set_scale_mode(lesson.per_layer)
    view.set_emphasis(lesson.emphasis)
    view.refresh()
    views.digit_panel.set_drawing(lesson.drawing)
    views.digit_panel.select_label(lesson.label)
    views.guide.set_stop(lesson.guide_stop, lesson.guide_open)
    views.runs.replace_runs([(k.run, k.shown) for k in lesson.runs], lesson.selected_run)
    show_tab(views, lesson.tab)
    return shown


def show_explorer_and_player(views: LessonViews, lesson: Lesson, shown: Snapshot | None) -> None:
    """Set the explorer's example, step and selections and the step being played."""
    if lesson.explorer is not None:
        views.explore.load()  # the lesson's network, now, not after the tab's zero timer
        if shown is not None:
            views.explorer.set_snapshot(shown)
        views.explorer.show_view(lesson.explorer)
    if lesson.player is not None:  # last: a new drawing or network closes the player
        p = lesson.player
        views.playback.show_story(p.story, p.focus, p.position)
