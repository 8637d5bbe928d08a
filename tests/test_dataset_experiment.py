"""The data-sets experiment: the video's network on several data sets, the same budget and seed.

It is built over the MnistData it is given, so the tests give it the bundled sample and variants
of it: relabelled with other names, pixels permuted, labels shuffled (a set nothing can learn).
The conclusion, which set is hardest, must come from the runs' own test errors.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from engine.data.datasets import Dataset, MnistData, load_sample
from engine.errors import DataError
from engine.lessons.experiment_data import find_datasets
from engine.lessons.experiment_findings import learned_pixels
from engine.lessons.experiments import FAIR, SAME, VIDEO_NETWORK, VIDEO_TRAIN, plan
from engine.session.runs import FINISHED
from gui.runs.experiment_runner import ExperimentRunner


def small(data: MnistData, n_train: int = 600, n_test: int = 300) -> MnistData:
    """Return ``data`` cut to a few hundred images, to keep the runs short."""
    return MnistData(
        Dataset(data.train.images[:n_train], data.train.labels[:n_train], "train"),
        Dataset(data.test.images[:n_test], data.test.labels[:n_test], "test"),
        data.source,
        data.class_names,
    )


@pytest.fixture(scope="module")
def digits() -> MnistData:
    """The bundled sample, cut short."""
    return small(load_sample())


def permuted(data: MnistData, seed: int = 1) -> MnistData:
    """Return ``data`` with every image's pixels shuffled by one fixed permutation."""
    order = np.random.default_rng(seed).permutation(784)

    def part(d: Dataset) -> Dataset:
        images = d.images.reshape(len(d), 784)[:, order].reshape(-1, 28, 28)
        return Dataset(images, d.labels, d.name)

    return MnistData(part(data.train), part(data.test), "permuted", data.class_names)


def shuffled_labels(data: MnistData, seed: int = 2) -> MnistData:
    """Return ``data`` with its training labels shuffled: nothing to learn, chance on test."""
    labels = np.random.default_rng(seed).permutation(data.train.labels)
    train = Dataset(data.train.images, labels, data.train.name)
    return MnistData(
        train, data.test, "shuffled", ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
    )


def test_the_plan_trains_the_video_network_on_each_set_with_one_budget() -> None:
    sizes = [("digits", 10000), ("clothes", 60000), ("kuzushiji", 60000)]
    for mode in (SAME, FAIR):  # it keeps the video's settings: only the data differs
        specs = plan("datasets", 2, 10000, seed=3, mode=mode, datasets=sizes)
        assert [s.dataset for s in specs] == ["digits", "clothes", "kuzushiji"]
        assert [s.variant for s in specs] == ["digits", "clothes", "kuzushiji"]
        for s in specs:
            assert (s.network, s.train, s.seed, s.rates) == (VIDEO_NETWORK, VIDEO_TRAIN, 3, ())
            assert s.batches == 12000  # 2 epochs of the largest set, for every run
    two = plan("datasets", 1, 100, seed=0, seeds=2, datasets=sizes[:2])
    assert [(s.dataset, s.seed) for s in two] == [
        ("digits", 0),
        ("clothes", 0),
        ("digits", 1),
        ("clothes", 1),
    ]


def test_bad_data_set_lists_are_refused() -> None:
    for datasets, words in (
        ([("digits", 100)], "at least two"),
        ([("digits", 100), ("digits", 200)], "appear once"),
        ([("digits", 100), ("clothes", 0)], "empty"),
    ):
        with pytest.raises(ValueError, match=words):
            plan("datasets", 1, 100, datasets=datasets)
    with pytest.raises(ValueError, match="not on named data sets"):
        plan("cost", 1, 100, datasets=[("digits", 100), ("clothes", 100)])
    with pytest.raises(ValueError, match="unknown experiment"):
        plan("data-sets", 1, 100)


def test_finding_the_data_sets_never_downloads_and_names_what_is_missing(digits) -> None:
    calls = []

    def loader(spec, cancel=None):
        calls.append((spec, cancel.is_set()))
        if spec == "sample":
            return digits
        if spec == "fashion":
            return dataclasses.replace(digits, source="fashion")
        raise DataError(f"{spec} is not on this machine")

    found = find_datasets(loader)
    assert list(found.found) == ["digits", "clothes"]
    assert found.found["clothes"].source == "fashion"
    assert found.missing == ("kuzushiji (Kuzushiji-MNIST (KMNIST))",)
    assert all(offline for _spec, offline in calls)  # every load was told not to download
    assert found.sizes() == [("digits", 600), ("clothes", 600)]
    text = found.describe()
    assert "digits (sample), clothes (fashion)" in text
    assert "Missing: kuzushiji" in text


@pytest.fixture
def runner(qtbot):
    r = ExperimentRunner()
    yield r
    r.shutdown()


def test_the_hardest_set_is_the_one_its_runs_found_hardest(qtbot, runner, digits) -> None:
    datasets = {
        "digits": digits,
        "permuted": permuted(digits),
        "shuffled": shuffled_labels(digits),
    }
    finished = []
    runner.run_finished.connect(finished.append)
    with qtbot.waitSignal(runner.experiment_finished, timeout=60000) as blocker:
        specs = runner.start("datasets", digits, 2, seed=5, mode=SAME, datasets=datasets)
    assert blocker.args == ["datasets", False]
    assert [s.dataset for s in specs] == list(datasets)
    assert [r.status for r in finished] == [FINISHED] * 3
    for run, spec in zip(finished, specs):
        assert run.updates == spec.batches == 120  # the same budget: 2 epochs of 600
        assert run.seed == 5 and run.network == VIDEO_NETWORK
        assert run.data == datasets[spec.dataset].source
        # Tested on its own test set: the engine's evaluation of the kept network.
        assert run.final_test[1] == pytest.approx(run.curves["epoch_test_accuracy"][-1])
    errors = {s.dataset: 1 - r.final_accuracy() for s, r in zip(specs, finished)}
    ranked = sorted(errors, key=errors.get, reverse=True)
    assert ranked[0] == "shuffled"  # labels shuffled: nothing to learn
    line = runner.findings[0]
    assert line.startswith("Test error after 2 epochs (seed 5), hardest first: ")
    shown = re.findall(r"(\w+) (\d+\.\d)%", line.split("hardest first: ")[1])
    assert [name for name, _ in shown] == ranked
    assert [float(p) for _, p in shown] == [round(100 * errors[v], 1) for v in ranked]
    hardest = runner.findings[1]
    gap = 100 * (errors[ranked[0]] - errors[ranked[1]])
    assert hardest.startswith(f"Hardest: {ranked[0]}, {gap:.1f} points more test error than ")
    assert hardest.endswith(f"easiest: {ranked[-1]} ({100 * errors[ranked[-1]]:.1f}%).")
    pixels = next(f for f in runner.findings if f.startswith("Pixels whose"))
    for spec, run in zip(specs, finished):
        k = learned_pixels(spec, run.parameters.weights[0])
        assert f"{spec.dataset} {k} of 784" in pixels
    blank = np.all(digits.train.images == 0, axis=0).ravel()  # never inked in training
    k_digits = learned_pixels(specs[0], finished[0].parameters.weights[0])
    assert k_digits == 784 - np.count_nonzero(blank)


def test_the_conclusion_follows_the_runs_not_the_order(qtbot, runner, digits) -> None:
    """Put the unlearnable set first: it is still the one named hardest."""
    datasets = {"shuffled": shuffled_labels(digits), "digits": digits}
    with qtbot.waitSignal(runner.experiment_finished, timeout=60000):
        runner.start("datasets", digits, 1, seed=0, mode=SAME, datasets=datasets)
    errors = {s.dataset: 1 - r.final_accuracy() for s, r in zip(runner.specs, runner.runs)}
    assert errors["shuffled"] > errors["digits"]
    assert runner.findings[1].startswith("Hardest: shuffled, ")


def test_the_experiment_refuses_to_start_without_its_data_sets(runner, digits) -> None:
    with pytest.raises(ValueError, match="needs the data sets"):
        runner.start("datasets", digits, 1)
    assert not runner.is_running()


def test_subsets_and_held_out_splits_keep_the_class_names(digits) -> None:
    from engine.lessons.experiments import split_validation, subset

    named = dataclasses.replace(digits, class_names=tuple("ABCDEFGHIJ"))
    assert subset(named, 100).class_names == tuple("ABCDEFGHIJ")
    assert split_validation(named)[0].class_names == tuple("ABCDEFGHIJ")


def test_the_compare_tab_offers_it_only_with_the_data_and_shows_each_first_layer(
    qtbot, tmp_path, digits
) -> None:
    from PySide6.QtCore import Qt
    from windows import open_window

    from engine.lessons.experiment_data import FoundData
    from engine.lessons.experiment_findings import first_layer_change
    from gui.runs.first_layer_tiles import tile_grid

    window = open_window(qtbot, tmp_path / "s.ini")
    runs, panel = window.runs, window.runs.panel
    alone = FoundData({"digits": digits}, ("clothes (Fashion-MNIST)", "kuzushiji (KMNIST)"))
    runs.find_data = lambda: alone
    panel.choose_experiment("datasets")
    qtbot.waitUntil(lambda: runs.found is alone, timeout=10000)
    assert not panel.run_button.isEnabled()
    said = panel.data_sets.text()
    assert said.startswith("Needs two data sets at least. On this machine: digits (sample).")
    assert "Missing: clothes (Fashion-MNIST), kuzushiji (KMNIST)" in said
    assert not panel.data_sets.isHidden()
    assert runs.start_experiment("datasets", 1) is False
    panel.choose_experiment("cost")
    assert panel.run_button.isEnabled() and panel.data_sets.isHidden()

    clothes = dataclasses.replace(permuted(digits), source="fashion-sample")
    two = FoundData({"digits": digits, "clothes": clothes}, ("kuzushiji (KMNIST)",))
    runs.found = None
    runs.find_data = lambda: two
    panel.choose_experiment("datasets")
    qtbot.waitUntil(lambda: panel.run_button.isEnabled(), timeout=10000)
    assert "Missing: kuzushiji (KMNIST)" in panel.data_sets.text()
    with qtbot.waitSignal(runs.runner.experiment_finished, timeout=60000):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    finished = runs.runner.runs
    assert [r.data for r in finished] == ["sample", "fashion-sample"]
    errors = [1 - r.final_accuracy() for r in finished]
    tiles = panel.first_layers
    assert not tiles.isHidden() and len(tiles.grids) == 2
    for caption, run, error in zip(tiles.captions, finished, errors):
        assert caption.text().endswith(f"({run.data}): {100 * error:.1f}% test error")
    for image, run, spec in zip(tiles.images, finished, runs.runner.specs):
        change = first_layer_change(spec, run.parameters.weights[0])
        np.testing.assert_array_equal(image, tile_grid(change))
        assert image.shape == (4 * 30 - 2, 4 * 30 - 2, 4)  # 16 tiles of 28x28, 4 by 4
    hardest = ["digits", "clothes"][int(np.argmax(errors))]
    shown = panel.findings.text()
    assert f"Hardest: {hardest}, " in shown or "within the spread" in shown
    assert "Test error after" in shown


def test_what_the_first_layer_learned_is_blank_where_no_image_has_ink(digits) -> None:
    """The tiles show weight minus start: exactly zero at pixels blank in every image."""
    from engine.core.network import Network
    from engine.core.training import Trainer
    from engine.lessons.experiment_findings import first_layer_change, first_layer_start

    spec = plan("datasets", 1, 600, seed=7, datasets=[("digits", 600), ("other", 600)])[0]
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 0]))
    net = Network(spec.network, rng)  # as the worker's reset draws it
    np.testing.assert_array_equal(net.weights[0], first_layer_start(spec))
    trainer = Trainer(net, digits.train.images, digits.train.labels, spec.train, spec.seed)
    for _ in range(30):
        trainer.step_batch()
    change = first_layer_change(spec, net.weights[0])
    blank = np.all(digits.train.images == 0, axis=0).ravel()
    assert change.shape == (16, 784)
    assert np.all(change[:, blank] == 0) and np.any(change[:, ~blank] != 0)
