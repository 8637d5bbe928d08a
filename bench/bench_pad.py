"""How faithful the drawing pad's preprocessing is, and how quickly the bars follow a stroke.

Fidelity: train 784-16-16-10 on the full MNIST training set, then put each of the 10,000 test
digits on a pad-sized canvas (280 x 280) the way a learner might draw it: bilinearly upscaled so
the longer side of its ink is 40%-90% of the pad, at a random place, stored as the pad stores ink
(8-bit gray). ``engine.data.preprocess.to_mnist`` turns each canvas back into a 28x28 input. The
network's accuracy on these must be at least 97% of its accuracy on the original test images.

Latency: the real ``DigitPanel`` (offscreen), predicting through ``engine.session.snapshot.predict``
as the app does, receives synthetic mouse strokes at 125 events per second (a common mouse rate).
For every mouse event we measure the time until the bar chart holds outputs computed from a drawing
that includes it, and until the chart has been painted. The median must be at most 30 ms.

Run from the repository root::

    .venv/bin/python bench/bench_pad.py [--quick] [--epochs N] [--mnist DIR]

The exit status is 0 when every requirement holds and 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmark the checkout, wherever it is run from

from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig, Trainer, evaluate  # noqa: E402
from engine.data.datasets import MnistData, load_mnist_dir, load_sample  # noqa: E402
from engine.data.preprocess import to_mnist  # noqa: E402
from engine.errors import DataError  # noqa: E402
from engine.session.snapshot import predict, take_snapshot  # noqa: E402

PAD = 280
SIZES = (784, 16, 16, 10)
REQUIRED_RATIO = 0.97
REQUIRED_MEDIAN_MS = 30.0
MOUSE_INTERVAL_S = 0.008  # 125 Hz
SEED = 0


def bilinear_matrix(n_out: int, n_in: int, scale: float, offset: float) -> np.ndarray:
    """Return the (n_out, n_in) matrix that samples n_in pixels, scaled and shifted, bilinearly.

    Output pixel y's centre, y + 0.5, maps to source coordinate (y + 0.5 - offset) / scale - 0.5
    in pixel indices; samples outside the source read as background (0).
    """
    u = (np.arange(n_out) + 0.5 - offset) / scale - 0.5
    i0 = np.floor(u).astype(np.intp)
    t = (u - i0).astype(np.float32)
    m = np.zeros((n_out, n_in), np.float32)
    rows = np.arange(n_out)
    for index, weight in ((i0, 1.0 - t), (i0 + 1, t)):
        inside = (index >= 0) & (index < n_in)
        m[rows[inside], index[inside]] += weight[inside]
    return m


def draw_on_pad(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return a uint8 MNIST digit drawn on a PAD x PAD canvas at a random size and place."""
    ink = image.astype(np.float32) / 255.0
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    longest = max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    scale = rng.uniform(0.4, 0.9) * PAD / longest
    # Pick the offsets so that the upscaled ink box lies inside the pad.
    offsets = []
    for first, last in ((rows[0], rows[-1]), (cols[0], cols[-1])):
        low, high = -first * scale, PAD - (last + 1) * scale
        offsets.append(rng.uniform(low, max(low, high)))
    canvas = (
        bilinear_matrix(PAD, 28, scale, offsets[0])
        @ ink
        @ bilinear_matrix(PAD, 28, scale, offsets[1]).T
    )
    return np.rint(np.clip(canvas, 0.0, 1.0) * 255).astype(np.uint8)  # the pad keeps 8-bit ink


def load(directory: str) -> tuple[MnistData, str]:
    """Return the full MNIST from ``directory``, or the bundled sample if it is not there."""
    try:
        return load_mnist_dir(directory), f"full MNIST from {directory}"
    except DataError as exc:
        print(f"  ({exc}; using the bundled sample instead)", file=sys.stderr)
        return load_sample(), "the bundled 10k/2k sample"


def train(data: MnistData, epochs: int) -> Trainer:
    """Return a trainer whose 784-16-16-10 network has trained ``epochs`` epochs."""
    net = Network(NetworkConfig(sizes=SIZES), np.random.default_rng(SEED))
    trainer = Trainer(net, data.train.images, data.train.labels, TrainConfig(3.0, 10), SEED)
    for _ in range(epochs):
        for _ in trainer.epoch_batches():
            pass
    return trainer


def fidelity(trainer: Trainer, data: MnistData, limit: int | None) -> dict[str, float]:
    """Return the accuracy on the original test digits and on the same digits drawn on the pad."""
    images, labels = data.test.images[:limit], data.test.labels[:limit]
    original = evaluate(trainer.network, images, labels).accuracy
    rng = np.random.default_rng(SEED)
    start = time.perf_counter()
    inputs = np.stack([to_mnist(draw_on_pad(im, rng) / np.float32(255)) for im in images])
    seconds = time.perf_counter() - start
    outputs = trainer.network.feedforward(inputs.reshape(len(inputs), -1))
    drawn = float(np.mean(np.argmax(outputs, axis=1) == labels))
    return {
        "n": len(labels),
        "original": original,
        "drawn": drawn,
        "ratio": drawn / original,
        "ms_per_digit": 1000 * seconds / len(labels),
    }


def strokes(rng: np.random.Generator) -> list[list[tuple[float, float]]]:
    """Return a digit-like set of strokes: a few random polylines sampled every 6 pixels."""
    result = []
    for _ in range(int(rng.integers(1, 3))):
        corners = rng.uniform(50, 230, size=(int(rng.integers(3, 6)), 2))
        points = [tuple(corners[0])]
        for a, b in zip(corners, corners[1:]):
            n = max(1, int(np.hypot(*(b - a)) // 6))
            points += [tuple(a + (b - a) * t) for t in np.arange(1, n + 1) / n]
        result.append(points)
    return result


def latency(trainer: Trainer, data: MnistData, digits: int) -> dict[str, float]:
    """Drive the real DigitPanel with mouse events and return latency figures in milliseconds."""
    from PySide6.QtCore import QEvent, QPointF, Qt, qInstallMessageHandler
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    def quiet(kind, context, message: str) -> None:
        if "propagateSizeHints" not in message:  # the offscreen platform's harmless notice
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = QApplication.instance() or QApplication([])
    from gui.pad.digit_panel import DigitPanel

    snapshot = take_snapshot(trainer, data.train.images)
    panel = DigitPanel()
    panel.set_predictor(lambda x: predict(snapshot, x))
    panel.resize(panel.minimumSizeHint())
    panel.show()
    app.processEvents()
    viewport = panel.output_plot.viewport()
    pending: list[float] = []  # times of mouse events not yet reflected in the bars
    to_data: list[float] = []
    to_paint: list[float] = []
    updated = [False]  # the bars took new outputs during the current piece of event work

    def on_input_changed(x) -> None:
        # The panel emits input_changed once the bars hold the outputs of the new drawing.
        if x is None or panel.outputs() is None:
            return
        data_done = time.perf_counter()
        viewport.repaint()  # what the event loop would do next, done now so it can be timed
        painted = time.perf_counter()
        to_data.extend(1000 * (data_done - t) for t in pending)
        to_paint.extend(1000 * (painted - t) for t in pending)
        pending.clear()
        updated[0] = True

    panel.input_changed.connect(on_input_changed)
    updates: list[float] = []  # the event work that carried one update: stroke, to_mnist, bars

    def timed(work) -> None:
        """Do one piece of event work; if it updated the bars, record how long it took."""
        updated[0] = False
        begin = time.perf_counter()
        work()
        if updated[0]:
            updates.append(1000 * (time.perf_counter() - begin))

    def send(kind: QEvent.Type, point: tuple[float, float], button, buttons) -> None:
        p = QPointF(*point)
        event = QMouseEvent(
            kind, p, panel.pad.mapToGlobal(p), button, buttons, Qt.KeyboardModifier.NoModifier
        )
        pending.append(time.perf_counter())
        timed(lambda: QApplication.sendEvent(panel.pad, event))

    def idle_until(deadline: float) -> None:
        while time.perf_counter() < deadline:
            timed(app.processEvents)  # the pad's throttle timer may fire here
            time.sleep(0.0005)

    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    rng = np.random.default_rng(SEED)
    clock = time.perf_counter()
    for _ in range(digits):
        panel.pad.clear()
        for points in strokes(rng):
            pending.clear()
            for i, point in enumerate(points):
                if i == 0:
                    send(QEvent.Type.MouseButtonPress, point, left, left)
                else:
                    send(QEvent.Type.MouseMove, point, none, left)
                clock += MOUSE_INTERVAL_S
                idle_until(clock)
            send(QEvent.Type.MouseButtonRelease, points[-1], left, none)
            clock += 0.15
            idle_until(clock)
    panel.close()
    pct = np.percentile
    return {
        "events": len(to_paint),
        "data_median": statistics.median(to_data),
        "median": statistics.median(to_paint),
        "p90": float(pct(to_paint, 90)),
        "max": max(to_paint),
        "updates": len(updates),
        "update_median": statistics.median(updates),
    }


def main() -> int:
    """Run both measurements, print the figures and PASS/FAIL, and return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mnist", default=str(ROOT.parent / "shared" / "mnist"), help="full MNIST directory"
    )
    parser.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    parser.add_argument("--quick", action="store_true", help="2,000 test digits, fewer strokes")
    args = parser.parse_args()

    data, source = load(args.mnist)
    start = time.perf_counter()
    trainer = train(data, args.epochs)
    seconds = time.perf_counter() - start
    print(f"network 784-16-16-10 trained {args.epochs} epochs on {source} in {seconds:.1f} s")

    fid = fidelity(trainer, data, 2000 if args.quick else None)
    ok_fid = fid["ratio"] >= REQUIRED_RATIO
    print(
        f"fidelity on {fid['n']} test digits: original {fid['original']:.2%}, "
        f"drawn on the pad and preprocessed {fid['drawn']:.2%}, ratio {fid['ratio']:.2%} "
        f"(need >= {REQUIRED_RATIO:.0%})  {'PASS' if ok_fid else 'FAIL'}"
    )
    print(f"  drawing on the canvas + to_mnist: {fid['ms_per_digit']:.2f} ms per digit")

    lat = latency(trainer, data, 6 if args.quick else 20)
    ok_lat = lat["median"] <= REQUIRED_MEDIAN_MS
    print(
        f"latency stroke -> bars over {lat['events']} mouse events: median {lat['median']:.1f} ms, "
        f"p90 {lat['p90']:.1f} ms, max {lat['max']:.1f} ms (bars' data: median "
        f"{lat['data_median']:.1f} ms; need median <= {REQUIRED_MEDIAN_MS:.0f} ms)  "
        f"{'PASS' if ok_lat else 'FAIL'}"
    )
    print(
        f"  {lat['updates']} updates (throttled to one per 16 ms while drawing), each "
        f"{lat['update_median']:.1f} ms median of event work: stroke -> to_mnist -> predict -> "
        "bars + paint"
    )
    return 0 if ok_fid and ok_lat else 1


if __name__ == "__main__":
    sys.exit(main())
