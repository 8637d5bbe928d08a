"""Saves are atomic: a process killed at a random moment mid-save never leaves a corrupt file.

One helper process imports the engine once and, for each round, forks a child that saves a model
and a "my digits" set over the same two paths as fast as it can, each save a different version.
The test kills the child with SIGKILL after a random delay; the target files must then load and
hold one complete version, old or new. Forking keeps a round at a few milliseconds of start-up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from engine.data.model_io import load_model
from engine.data.my_digits import MyDigits

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 15

HELPER = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, {root!r})
    import numpy as np
    from engine.data.model_io import save_model
    from engine.data.my_digits import MyDigits
    from engine.core.network import Network, NetworkConfig
    from engine.core.training import TrainConfig

    folder = sys.argv[1]
    net = Network(NetworkConfig((784, 30, 10)), np.random.default_rng(0))

    def save_forever(start):
        version = start
        while True:
            for p in net.params:
                p[...] = version  # every weight of a complete file equals its version
            history = {{"batch_cost": np.full(2000 + version % 7, float(version))}}
            save_model(os.path.join(folder, "model.npz"), net, TrainConfig(), version, version,
                       history)
            n = 1 + version % 5
            MyDigits(np.full((n, 28, 28), version % 256, np.uint8), np.full(n, version % 10)
                     ).save(os.path.join(folder, "mine.npz"))
            os.write(1, f"{{version}}\\n".encode())  # one write: a line a kill cannot split
            version += 1

    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            sys.stdin.close()
            save_forever(int(line))
        os.write(1, f"child {{pid}}\\n".encode())
    """
)


def check_model(path: Path) -> int:
    """Load the model and return its version, asserting the file is one complete save."""
    saved = load_model(path)
    version = saved.epoch
    assert saved.examples_seen == version
    for p in saved.network.params:
        assert (p == version).all(), "weights from two different saves"
    cost = saved.history["batch_cost"]
    assert len(cost) == 2000 + version % 7 and (cost == version).all()
    return version


def check_digits(path: Path) -> int:
    """Load the digits and return their version modulo 256, asserting they are complete."""
    images, labels = MyDigits.load(path).as_uint8()
    n = len(labels)
    assert 1 <= n <= 5 and images.shape == (n, 28, 28)
    value = int(images[0, 0, 0])
    assert (images == value).all() and (labels == labels[0]).all()
    return value


def wait_until_dead(pid: int) -> None:
    """Wait until a killed process is gone or a zombie (its parent reaps it later)."""
    status = Path(f"/proc/{pid}/status")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if "State:\tZ" in status.read_text():
                return
        except FileNotFoundError:
            return
        time.sleep(0.002)
    raise AssertionError(f"process {pid} survived SIGKILL")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to start savers cheaply")
def test_killing_a_saver_at_random_moments_never_corrupts_the_files(tmp_path: Path) -> None:
    helper = subprocess.Popen(
        [sys.executable, "-c", HELPER.format(root=str(ROOT)), str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    rng = np.random.default_rng(8)
    versions: list[int] = []
    leftovers_seen = 0
    try:
        for round_ in range(ROUNDS):
            first = 1000 * round_
            helper.stdin.write(f"{first}\n")
            helper.stdin.flush()
            child, saved = 0, False
            while not (child and saved):  # the fork's pid, and the new child's first full save
                words = helper.stdout.readline().split()
                if words[0] == "child":
                    child = int(words[1])
                else:
                    saved = saved or int(words[0]) >= first
            time.sleep(float(rng.uniform(0.0, 0.3)))  # a random point in its stream of saves
            os.kill(child, signal.SIGKILL)
            wait_until_dead(child)
            version = check_model(tmp_path / "model.npz")
            assert version >= first, "the file must hold this round's save, not an older one"
            check_digits(tmp_path / "mine.npz")
            versions.append(version - first)
            temporaries = [p for p in tmp_path.iterdir() if p.name not in ("model.npz", "mine.npz")]
            for temp in temporaries:  # a killed save may leave its hidden temporary file behind
                assert temp.name.startswith((".model.npz.", ".mine.npz.")), temp.name
                assert temp.name.endswith(".tmp") and temp.suffix != ".npz"
                leftovers_seen += 1
                temp.unlink()
    finally:
        helper.stdin.close()
        helper.kill()
        helper.wait(timeout=10)
        helper.stdout.close()
    assert len(versions) == ROUNDS
    assert sum(versions) > ROUNDS, "the savers must have saved several versions per round"
    print(f"{ROUNDS} kills after {versions} saves, {leftovers_seen} temporaries left mid-save")
