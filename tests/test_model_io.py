"""Model files: exact round trip, atomic writes, and a clear error for every kind of bad file."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from engine.core.network import Network, NetworkConfig
from engine.core.training import TrainConfig
from engine.data.model_io import load_model, save_model
from engine.errors import ModelFileError


@pytest.fixture
def saved(tmp_path):
    net = Network(
        NetworkConfig((784, 12, 10), "tanh", "cross-entropy", "scaled"), np.random.default_rng(3)
    )
    path = tmp_path / "model.npz"
    history = {"batch_cost": np.linspace(2, 0.1, 50), "examples_seen": np.arange(50) * 10}
    save_model(
        path,
        net,
        TrainConfig(0.5, 20, 0.9, 1.0),
        epoch=4,
        examples_seen=1234,
        history=history,
        extra={"seed": 7},
    )
    return path, net, history


def test_round_trip_restores_everything(saved):
    path, net, history = saved
    model = load_model(path)
    assert model.network.config == net.config
    for a, b in zip(model.network.params, net.params):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float32
    assert model.train_config == TrainConfig(0.5, 20, 0.9, 1.0)
    assert (model.epoch, model.examples_seen, model.extra) == (4, 1234, {"seed": 7})
    np.testing.assert_array_equal(model.history["batch_cost"], history["batch_cost"])
    np.testing.assert_array_equal(model.history["examples_seen"], history["examples_seen"])


def test_loaded_network_computes_the_same_outputs(saved, rng):
    path, net, _ = saved
    x = rng.random((3, 784)).astype(np.float32)
    np.testing.assert_array_equal(load_model(path).network.feedforward(x), net.feedforward(x))


def rewrite(path, drop=(), replace=None):
    """Rewrite an npz, dropping or replacing members."""
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files if k not in drop}
    arrays.update(replace or {})
    np.savez(path, **arrays)


def meta_of(path):
    with np.load(path) as data:
        return json.loads(str(data["meta"]))


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: p.write_bytes(b""), "not a NumPy .npz"),
        (lambda p: p.write_bytes(p.read_bytes()[:300]), "damaged or truncated|not a NumPy"),
        (lambda p: p.write_bytes(np.random.default_rng(0).bytes(5000)), "not a NumPy"),
        (lambda p: rewrite(p, drop=["params_1"]), "weights of layer 2 are missing"),
        (lambda p: rewrite(p, drop=["meta"]), "description"),
        (lambda p: rewrite(p, replace={"params_0": np.zeros((3, 3), np.float32)}), "shape"),
        (lambda p: rewrite(p, replace={"params_1": np.full((10, 13), np.nan, np.float32)}), "NaN"),
        (lambda p: rewrite(p, replace={"params_1": np.ones((10, 13), np.int64) > 0}), "bool"),
        (lambda p: rewrite(p, replace={"params_2": np.zeros((1, 1), np.float32)}), "more layers"),
        (lambda p: rewrite(p, replace={"meta": np.array("{not json")}), "description is invalid"),
        (
            lambda p: rewrite(p, replace={"meta": np.array(json.dumps({"format": "x"}))}),
            "not written by Backprop Lab",
        ),
        (
            lambda p: rewrite(
                p,
                replace={
                    "meta": np.array(
                        json.dumps(
                            {
                                **meta_of(p),
                                "network": {**meta_of(p)["network"], "activation": "swish"},
                            }
                        )
                    )
                },
            ),
            "unknown activation",
        ),
        (lambda p: rewrite(p, replace={"history_x": np.zeros((2, 2))}), "history 'x'"),
    ],
)
def test_bad_files_get_a_clear_error(saved, damage, message):
    path = saved[0]
    damage(path)
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(path)
    assert path.name in str(info.value)


def test_pickled_object_array_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("meta.npy", buffer.getvalue())
    with pytest.raises(ModelFileError, match="Python objects"):
        load_model(path)


def test_other_architecture_is_refused(tmp_path):
    net = Network(NetworkConfig((100, 5, 3)), np.random.default_rng(0))
    path = tmp_path / "small.npz"
    save_model(path, net, TrainConfig())
    with pytest.raises(ModelFileError, match="100-5-3 network; this needs 784 inputs"):
        load_model(path)
    assert load_model(path, io_sizes=None).network.sizes == (100, 5, 3)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        load_model(tmp_path / "nope.npz")
    with pytest.raises(ModelFileError, match="folder"):
        load_model(tmp_path)


def test_failed_save_keeps_the_old_file_and_leaves_no_temp(saved, monkeypatch):
    path, net, _ = saved
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", explode)
    with pytest.raises(OSError):
        save_model(path, net, TrainConfig())
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]
