"""Every view speaks the data's class names and follows its number of classes.

Two data sets stand in for the new sources: the bundled sample relabelled with Fashion-MNIST's
names (ten classes, long names), and the sample's digits 0, 1 and 2 called cat, dog and bird
(three classes, a 784-16-16-3 network). Tests read the names back from what the learner sees.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from windows import shown_text, train_batches

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig, Trainer
from engine.data.catalog import FASHION as FASHION_MNIST
from engine.data.datasets import Dataset, MnistData, load_sample
from engine.lessons.insight import confusion_matrix
from engine.lessons.teach import teach_step
from engine.session.snapshot import take_snapshot, trace_example
from engine.words import a
from gui.diagram.view import NetworkView
from gui.insight.panel import DATASET, InsightPanel
from gui.pad.digit_panel import DigitPanel
from gui.pad.teach_box import bar_tick_names

FASHION = FASHION_MNIST.class_names  # the names the Data menu's download gives
ANIMALS = ("cat", "dog", "bird")


def three_classes(data: MnistData) -> MnistData:
    """Return the sample's digits 0, 1 and 2 only, named cat, dog and bird."""

    def part(d: Dataset) -> Dataset:
        keep = d.labels < 3
        return Dataset(d.images[keep], d.labels[keep], d.name)

    return MnistData(part(data.train), part(data.test), "three", ANIMALS)


def trained(data: MnistData, sizes: tuple[int, ...], batches: int = 200):
    """Return a snapshot of a ``sizes`` network after ``batches`` mini-batches of ``data``."""
    images, labels = data.train.images, data.train.labels
    net = Network(NetworkConfig(sizes=sizes), np.random.default_rng(0))
    trainer = Trainer(net, images, labels, TrainConfig(), 0)
    for _ in range(batches):
        trainer.step_batch()
    return take_snapshot(trainer, images), net


@pytest.fixture(scope="module")
def sample() -> MnistData:
    """The bundled sample, once for the module."""
    return load_sample()


@pytest.fixture(scope="module")
def fashion(sample) -> MnistData:
    """The sample relabelled with Fashion-MNIST's ten names."""
    return dataclasses.replace(sample, class_names=FASHION)


@pytest.fixture(scope="module")
def three(sample):
    """Three classes (cat, dog, bird) and a 784-16-16-3 network trained on them."""
    data = three_classes(sample)
    snapshot, net = trained(data, (784, 16, 16, 3))
    return data, snapshot, net


def test_the_three_class_confusion_matrix_is_3x3_and_named(qtbot, three) -> None:
    data, snapshot, _ = three
    result = confusion_matrix(snapshot, data.test.images, data.test.labels)
    assert result.matrix.shape == (3, 3)
    assert result.total == len(data.test)
    panel = InsightPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.set_data(data)
    panel.set_snapshot(snapshot)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    canvas = panel.confusion.canvas
    assert canvas.n == 3
    assert [canvas.column_label(j) for j in range(3)] == list(ANIMALS)
    assert [canvas.row_label(j) for j in range(3)] == list(ANIMALS)
    assert canvas.cell_at(canvas.cell_center(2, 2)) == (2, 2)
    assert canvas.cell_at(canvas.cell_center(2, 2) + QPoint(int(canvas.cell_size()), 0)) is None
    off = result.matrix * (1 - np.eye(3, dtype=int))
    true, predicted = (int(v) for v in np.unravel_index(np.argmax(off), off.shape))
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.cell_center(true, predicted))
    count = int(result.matrix[true, predicted])
    title = panel.confusion.strip_title.text()
    assert title.startswith(f"{count} test image")
    assert f"of a {ANIMALS[true]} mistaken for a {ANIMALS[predicted]}" in title
    tip = canvas.tip_at(canvas.cell_center(true, predicted))
    assert tip.startswith(f"true {ANIMALS[true]}, answered {ANIMALS[predicted]}: {count} ")
    assert "Rows: the class shown" in panel.confusion.caption.text()
    wrong = panel.mistakes.indices
    k = 0
    label, answer = int(data.test.labels[wrong[k]]), int(panel.result.predictions[wrong[k]])
    assert panel.mistakes.captions[k].startswith(f"{ANIMALS[label]} \u2192 {ANIMALS[answer]} (")


def test_the_dataset_tab_names_each_class(qtbot, three) -> None:
    data, snapshot, _ = three
    panel = InsightPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 700)
    panel.set_data(data)
    panel.set_snapshot(snapshot)
    panel.tabs.setCurrentIndex(DATASET)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    assert panel.counts.bar_labels() == list(ANIMALS)
    np.testing.assert_array_equal(panel.counts.counts, np.bincount(data.train.labels))
    assert panel.averages.captions == list(ANIMALS)
    assert [panel.filter.itemText(i) for i in range(panel.filter.count())] == [
        "All classes",
        "Only cat",
        "Only dog",
        "Only bird",
    ]
    panel.filter.setCurrentIndex(3)
    assert set(panel.examples.captions) == {"bird"}
    assert len(panel.examples.captions) == np.count_nonzero(data.train.labels == 2)


def test_fashion_names_in_the_confusion_matrix_fit_or_are_cut(qtbot, fashion, sample) -> None:
    snapshot, _ = trained(sample, (784, 16, 16, 10), 50)
    panel = InsightPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.set_data(fashion)
    panel.set_snapshot(snapshot)
    panel.show()
    qtbot.waitExposed(panel)
    panel.refresh()
    canvas = panel.confusion.canvas
    assert canvas.n == 10
    rows = [canvas.row_label(j) for j in range(10)]
    assert rows[1] == "Trouser" and rows[9] in ("Ankle boot", "Ankle b\u2026", "Ankle bo\u2026")
    for j, shown in enumerate(rows + [canvas.column_label(j) for j in range(10)]):
        full = FASHION[j % 10]
        assert shown == full or (shown.endswith("\u2026") and full.startswith(shown[:-1]))
    assert "Rows: the class shown" in panel.confusion.caption.text()
    assert canvas.upright()  # names too wide for a cell stand upright over their columns
    assert canvas.cell_rect(9, 9).bottom() <= canvas.height()  # the grid is whole
    assert canvas.height() >= canvas.minimumHeight()


def test_the_pad_shows_three_bars_three_buttons_and_the_guess_by_name(qtbot, three) -> None:
    data, _, net = three
    panel = DigitPanel()
    qtbot.addWidget(panel)
    panel.set_predictor(lambda x: net.feedforward(x.reshape(1, -1))[0])
    panel.set_class_names(data.class_names)
    panel.set_test_images(data.test.images, data.test.labels)
    panel.show()
    qtbot.waitExposed(panel)
    buttons = panel.label_group.buttons()
    assert [b.text() for b in buttons] == list(ANIMALS)
    assert [panel.label_group.id(b) for b in buttons] == [0, 1, 2]
    panel.load_test_digit(0)
    outputs = panel.outputs()
    assert outputs.shape == (3,)
    np.testing.assert_array_equal(panel.bars.opts["height"], outputs)
    winner = int(np.argmax(outputs))
    assert panel.guess_label.text() == f"Guess: {ANIMALS[winner]}"
    assert bar_tick_names(panel.output_plot) == list(ANIMALS)
    label = int(data.test.labels[0])
    assert panel.source_label.text().endswith(f"labelled {ANIMALS[label]}")
    assert panel.selected_label() == label
    assert shown_text(panel.teach.step_button) == f"Apply one SGD step: a {ANIMALS[label]}"


def test_teach_it_on_three_classes_names_the_label_and_guesses(qtbot, three) -> None:
    data, _, net = three
    network = net.copy()
    panel = DigitPanel()
    qtbot.addWidget(panel)
    panel.set_predictor(lambda x: network.feedforward(x.reshape(1, -1))[0])
    panel.set_class_names(data.class_names)
    panel.set_test_images(data.test.images, data.test.labels)
    panel.teach_requested.connect(
        lambda x, label: panel.show_teach_result(teach_step(network, x, label, 3.0))
    )
    panel.show()
    qtbot.waitExposed(panel)
    panel.load_test_digit(0)
    qtbot.mouseClick(panel.label_group.button(2), Qt.MouseButton.LeftButton)
    before = int(np.argmax(panel.outputs()))
    qtbot.mouseClick(panel.teach.step_button, Qt.MouseButton.LeftButton)
    after = int(np.argmax(panel.outputs()))
    text = panel.teach.result_label.text()
    assert "Taught <b>bird</b>" in text
    assert f"guess {ANIMALS[before]} &rarr; <b>{ANIMALS[after]}</b>." in text
    assert len(panel.teach.nudge_bars.opts["height"]) == 3
    assert len(panel.teach.after_bars.opts["height"]) == 3
    assert bar_tick_names(panel.teach.change_plot) == list(ANIMALS)
    assert "up</span> for the right class" in panel.teach.nudge_caption.text()


def test_the_pad_fits_fashion_names_in_a_narrow_dock(qtbot, fashion, sample) -> None:
    net = Network(NetworkConfig(), np.random.default_rng(1))
    panel = DigitPanel()
    qtbot.addWidget(panel)
    panel.set_predictor(lambda x: net.feedforward(x.reshape(1, -1))[0])
    panel.set_class_names(fashion.class_names)
    panel.set_test_images(sample.test.images, sample.test.labels)
    panel.resize(panel.minimumSizeHint().width(), 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.load_test_digit(3)
    buttons = panel.label_group.buttons()
    assert [b.accessibleName() for b in buttons] == [f"It is {a(n)}" for n in FASHION]
    assert [b.toolTip() for b in buttons][9] == "This drawing is an Ankle boot"
    for b, full in zip(buttons, FASHION):  # the name or its start, on two rows at most
        shown = b.text()
        assert shown == full or (shown.endswith("\u2026") and full.startswith(shown[:-1]))
    assert len({b.y() for b in buttons}) == 2
    for b in buttons:  # whole text, inside the panel
        assert b.width() >= b.fontMetrics().horizontalAdvance(b.text())
        right = b.mapTo(panel, b.rect().topRight()).x()
        assert right <= panel.width()
    assert panel.width() <= 460
    winner = int(np.argmax(panel.outputs()))
    assert panel.guess_label.text() == f"Guess: {FASHION[winner]}"
    for shown, full in zip(bar_tick_names(panel.output_plot), FASHION):
        assert shown == full or (shown.endswith("\u2026") and full.startswith(shown[:-1]))


def test_the_diagram_names_the_outputs_and_follows_three_classes(qtbot, three, sample) -> None:
    data, snapshot, net = three
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.set_class_names(data.class_names)
    trace = trace_example(snapshot, data.test.images[0], int(data.test.labels[0]))
    view.set_snapshot(snapshot)
    view.set_trace(trace)
    view.show()
    qtbot.waitExposed(view)
    view.refresh()
    layout = view.diagram_layout()
    assert len(layout.centers[-1]) == 3
    assert view.output_labels() == list(ANIMALS)
    guess = int(np.argmax(trace.outputs))
    label = int(data.test.labels[0])
    title = view.scene().class_names
    assert title == ANIMALS
    from gui.diagram.labels import titles

    last = titles(layout.sizes, view.scene())[-1]
    assert last.endswith(f"label {ANIMALS[label]} \u00b7 guess {ANIMALS[guess]}")
    x, y = layout.centers[-1][2]
    assert view.tooltip_at(QPoint(int(x), int(y))).startswith("output neuron 2 (bird)")
    fashion_snapshot, _ = trained(sample, (784, 16, 16, 10), 20)
    view.set_snapshot(fashion_snapshot)
    view.set_class_names(FASHION)
    view.refresh()
    shown = view.output_labels()
    assert len(shown) == 10
    for s, full in zip(shown, FASHION):
        assert s == full or (s.endswith("\u2026") and full.startswith(s[:-1]))
    from gui.diagram.paint import output_labels_right

    assert output_labels_right(view.diagram_layout()) <= view.width()


def test_the_step_players_captions_name_the_classes(three) -> None:
    from engine.lessons.step_story import finish_story, prepare_story
    from gui.player.frames import StepFrames

    data, _, _ = three
    images, labels = data.train.images[:200], data.train.labels[:200]
    net = Network(NetworkConfig(sizes=(784, 16, 16, 3)), np.random.default_rng(3))
    trainer = Trainer(net, images, labels, TrainConfig(), seed=11)
    before = take_snapshot(trainer, images)
    story = prepare_story(trainer, images, trainer.config, before)
    trainer.step_batch()
    story = finish_story(story, take_snapshot(trainer, images))
    frames = StepFrames(story, names=ANIMALS)
    phases = {b.phase: k for k, b in enumerate(frames.beats)}
    i = frames.beats[phases["cost"]].example
    label = ANIMALS[int(story.labels[i])]
    article = "an" if label[0] in "aeiou" else "a"
    cost = frames.caption(phases["cost"])
    assert cost.split("\n")[0].endswith(f"of {story.batch_size}, {article} {label}")
    nudges = frames.values(phases["cost"]).nudges[-1]
    assert len(nudges) == 3
    assert f"output {label} " in cost.split("\n")[1]
    forward = [k for k, b in enumerate(frames.beats) if b.phase == "forward"]
    out = frames.caption(forward[-1]).split("\n")[1]
    guess = ANIMALS[int(np.argmax(frames.values(forward[-1]).activations[-1]))]
    assert out.startswith(f"The output layer guesses {guess} (a = ")
    assert f"the label is {label}: " in out
    assert "The image enters" in frames.caption(forward[0])
    digits = StepFrames(story)  # no names: the outputs' numbers, as before
    assert f"the label is {int(story.labels[i])}: " in digits.caption(forward[-1])


def test_the_explorer_says_the_guess_and_label_by_name(qtbot, three) -> None:
    from gui.explorer.panel import ExplorerPanel
    from gui.explorer.text import plain

    data, snapshot, _ = three
    panel = ExplorerPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 700)
    panel.set_class_names(data.class_names)
    image, label = data.test.images[5], int(data.test.labels[5])
    with qtbot.waitSignal(panel.trace_changed):
        panel.set_snapshot(snapshot)
    panel.set_example(image, label)
    panel.show()
    qtbot.waitExposed(panel)
    e = panel.exploration
    a = e.activations(e.n_layers)
    assert len(a) == 3 and e.label == label
    guess = ANIMALS[int(np.argmax(a))]
    panel.set_step(2)
    said = plain(panel.text.text())
    assert f"We want output 1 for the correct class ({ANIMALS[label]}) and 0 for" in said
    page = panel.pages[1]
    total = plain(page.total.text())
    assert total.startswith(f"Label {ANIMALS[label]}, the network's guess {guess}. ")
    ticks = page.plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert [text for _x, text in ticks] == list(ANIMALS)
    assert [panel.diagram.output_label(j) for j in range(3)] == list(ANIMALS)
    panel.set_step(3)
    table = plain(panel.pages[2].table.text())
    assert table.startswith("classa")
    for name, value in zip(ANIMALS, a):
        assert f"{name}{value:.3f}" in table
    panel.set_step(4)
    combo = panel.output_page.combo
    assert [combo.itemText(j) for j in range(combo.count())] == list(ANIMALS)
    assert panel.output_page.combo_label.text() == "Output neuron (class):"


@pytest.mark.parametrize(
    "kind, width, height, manager",
    [("fashion", 1280, 720, True), ("three", 1280, 720, True), ("fashion", 1366, 768, False)],
)
def test_named_classes_fit_every_view_after_an_epoch(tmp_path, kind, width, height, manager):
    """The generic layout walk (every tab, every explorer step, the pad, Teach it, slow motion)
    with Fashion-MNIST's names or three long names on a 784-16-16-3 network finds nothing cut."""
    from test_layout import launch

    report = launch(width, height, 1, tmp_path, manager, LAYOUT_CLASSES=kind)
    assert report["problems"] == []


def test_two_classes_give_two_of_everything(qtbot, sample) -> None:
    def part(d: Dataset) -> Dataset:
        keep = d.labels < 2
        return Dataset(d.images[keep], d.labels[keep], d.name)

    data = MnistData(part(sample.train), part(sample.test), "two", ("zero", "one"))
    snapshot, net = trained(data, (784, 16, 16, 2), 60)
    result = confusion_matrix(snapshot, data.test.images, data.test.labels)
    assert result.matrix.shape == (2, 2) and result.total == len(data.test)
    pad = DigitPanel()
    qtbot.addWidget(pad)
    pad.set_predictor(lambda x: net.feedforward(x.reshape(1, -1))[0])
    pad.set_class_names(data.class_names)
    pad.set_test_images(data.test.images, data.test.labels)
    pad.load_test_digit(1)
    assert len(pad.outputs()) == 2 and len(pad.bars.opts["height"]) == 2
    assert [b.text() for b in pad.label_group.buttons()] == ["zero", "one"]
    pad.pad.clear()
    assert pad.outputs() is None and len(pad.bars.opts["x"]) == 2
    assert pad.empty_text.textItem.toPlainText() == "draw here"  # not "a digit"
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(800, 500)
    view.set_class_names(data.class_names)
    view.set_snapshot(snapshot)
    view.refresh()
    assert len(view.diagram_layout().centers[-1]) == 2
    assert view.output_labels() == ["zero", "one"]


def test_the_window_hands_the_names_to_every_view(qtbot, tmp_path) -> None:
    from layout_checks import named_classes
    from windows import open_window

    window = open_window(qtbot, tmp_path / "s.ini")
    named = named_classes(window.data, "three")
    names = named.class_names
    window.worker.load_data(lambda: named)
    window.worker.reset(NetworkConfig(sizes=(784, 16, 16, 3)))
    qtbot.waitUntil(
        lambda: window.data is named and window.worker.latest_snapshot().sizes[-1] == 3,
        timeout=10000,
    )
    train_batches(qtbot, window, 30)
    qtbot.waitUntil(lambda: window.network_view.snapshot().sizes[-1] == 3, timeout=10000)
    window.network_view.refresh()
    assert window.network_view.class_names() == names
    assert len(window.network_view.output_labels()) == 3
    for shown, full in zip(window.network_view.output_labels(), names):
        assert shown == full or (shown.endswith("\u2026") and full.startswith(shown[:-1]))
    assert [b.toolTip() for b in window.digit_panel.label_group.buttons()] == [
        f"This drawing is {a(n)}" for n in names
    ]
    window.digit_panel.load_test_digit(0)
    qtbot.waitUntil(lambda: window.digit_panel.outputs() is not None, timeout=10000)
    outputs = window.digit_panel.outputs()
    assert len(outputs) == 3
    assert window.digit_panel.guess() == f"Guess: {names[int(np.argmax(outputs))]}"
    window.tabs.setCurrentIndex(2)
    window.insight.tabs.setCurrentIndex(0)
    window.insight.recompute()
    assert window.insight.result.matrix.shape == (3, 3)
    assert window.insight.confusion.names == names


def test_exports_paint_the_names_diagram_png_and_the_players_frames(qtbot, three, monkeypatch):
    """A diagram export at another size and a played step's frames (GIF, slides) carry the names."""
    from PySide6.QtCore import QSize

    import gui.diagram.view as view_module
    from engine.lessons.step_story import finish_story, prepare_story
    from gui.diagram.layout import LABEL_WIDTH, compute_layout
    from gui.player.frames import StepFrames

    data, snapshot, _ = three
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(700, 450)
    view.set_class_names(data.class_names)
    view.set_snapshot(snapshot)
    painted = []
    real = view_module.paint_scene
    monkeypatch.setattr(
        view_module, "paint_scene", lambda p, layout, scene, *a: painted.append((layout, scene))
    )
    view.render_image(QSize(1600, 900))
    monkeypatch.setattr(view_module, "paint_scene", real)
    layout, scene = painted[-1]
    assert (layout.width, layout.height) == (1600, 900)
    assert scene.class_names == ANIMALS and layout.label_width > LABEL_WIDTH
    images, labels = data.train.images[:100], data.train.labels[:100]
    net = Network(NetworkConfig(sizes=(784, 16, 16, 3)), np.random.default_rng(3))
    trainer = Trainer(net, images, labels, TrainConfig(), seed=11)
    story = prepare_story(trainer, images, trainer.config, take_snapshot(trainer, images))
    trainer.step_batch()
    story = finish_story(story, take_snapshot(trainer, images))
    frames = StepFrames(story, names=ANIMALS)
    slide = compute_layout((784, 16, 16, 3), 1066, 600, layout.label_width)
    for index in range(len(frames.beats)):
        assert frames.scene(index, slide, ("weight", True, 1.0)).class_names == ANIMALS


def test_the_matrix_waits_for_a_network_with_an_output_per_class(qtbot, three, sample) -> None:
    """Switching from three classes to ten: until the new network arrives nothing is tallied."""
    _, snapshot, _ = three
    panel = InsightPanel()
    qtbot.addWidget(panel)
    panel.set_data(sample)
    panel.set_snapshot(snapshot)  # 3 outputs, labels up to 9: the old network
    panel.show()
    qtbot.waitExposed(panel)
    panel.recompute()
    assert panel.result is None
    ten, _ = trained(sample, (784, 16, 16, 10), 5)
    panel.set_snapshot(ten)
    panel.recompute()
    assert panel.result.matrix.shape == (10, 10)
