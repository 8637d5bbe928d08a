"""What the window costs: training throughput with every view open, event-loop lag, start-up time.

Rows, measured in one run and interleaved so the ratio holds on a busy machine:

- headless: the engine's trainer alone, as ``python main.py train`` runs it, for a fixed number
  of mini-batches;
- window: the real main window on screen (offscreen platform), training the same number of
  mini-batches at full speed through the worker thread while every view redraws from its timer.
  A 10 ms QTimer records how late it fires: the event-loop lag a user would feel.

Then the start-up time: from launching ``python main.py`` to its first painted window.

Run from the repository root::

    /work/venv/bin/python bench/bench_gui.py [--data DIR|sample] [--batches N] [--rounds R]

Exit status 0 when throughput >= 80% of headless, lag p99 < 50 ms and start-up < 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import engine  # noqa: E402
from engine.datasets import load_data  # noqa: E402
from engine.network import Network, NetworkConfig  # noqa: E402
from engine.training import TrainConfig, Trainer  # noqa: E402

THROUGHPUT_RATIO = 0.80
LAG_P99_MS = 50.0
STARTUP_S = 2.0


def headless_rate(data, batches: int) -> float:
    """Return examples per second of the bare trainer over ``batches`` mini-batches."""
    net = Network(NetworkConfig(), __import__("numpy").random.default_rng(0))
    trainer = Trainer(net, data.train.images, data.train.labels, TrainConfig(), 0)
    start = time.perf_counter()
    for _ in range(batches):
        trainer.step_batch()
    return batches * 10 / (time.perf_counter() - start)


def window_rate(app: QApplication, source: str, batches: int) -> tuple[float, list[float]]:
    """Return examples per second in the real window and the timer lateness samples (ms)."""
    from gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, data=source)
        window.resize(1440, 900)
        window.show()
        while window.worker.latest_snapshot() is None or window.data is None:
            app.processEvents()
            time.sleep(0.005)
        lags: list[float] = []
        clock = QElapsedTimer()
        timer = QTimer()
        timer.setInterval(10)

        def tick() -> None:
            lags.append(max(0.0, clock.restart() - 10.0))

        timer.timeout.connect(tick)
        clock.start()
        timer.start()
        loop = QEventLoop()  # the real event loop, as app.exec() runs it; no busy polling
        check = QTimer()
        check.setInterval(5)
        target = window.worker.latest_snapshot().examples_seen + 10 * batches

        def done() -> None:
            if window.worker.latest_snapshot().examples_seen >= target:
                loop.quit()  # the worker publishes its snapshot right after the last batch

        check.timeout.connect(done)
        start = time.perf_counter()
        window.worker.run_batches(batches)
        check.start()
        loop.exec()
        seconds = time.perf_counter() - start
        timer.stop()
        window.close()
        app.processEvents()
    return batches * 10 / seconds, lags[1:]


def startup_seconds() -> float:
    """Return the time from launching main.py to its first painted window."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BACKPROP_LAB_STARTUP": "1", "QT_QPA_PLATFORM": "offscreen"}
        start = time.time()
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--settings", str(Path(tmp) / "s.ini")],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        for line in done.stdout.splitlines():
            if line.startswith("first paint at "):
                return float(line.split()[-1]) - start
    raise RuntimeError(f"main.py did not report its first paint: {done.stderr.strip()}")


def main() -> int:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "mnist"))
    parser.add_argument("--batches", type=int, default=12000, help="mini-batches per row")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine.limit_blas_threads()
    app = QApplication.instance() or QApplication([])
    from gui.theme import apply_theme

    apply_theme(app)
    data = load_data(args.data)
    headless, windowed, lags = [], [], []
    for r in range(args.rounds):
        print(f"  ... round {r + 1}/{args.rounds}", file=sys.stderr)
        headless.append(headless_rate(data, args.batches))
        rate, lag = window_rate(app, args.data, args.batches)
        windowed.append(rate)
        lags.extend(lag)
    starts = sorted(startup_seconds() for _ in range(3))
    h, w = statistics.median(headless), statistics.median(windowed)
    lags.sort()
    p50 = lags[len(lags) // 2]
    p99 = lags[min(len(lags) - 1, int(0.99 * len(lags)))]
    ratio = w / h
    checks = [
        (f"window throughput / headless = {ratio:.2f}", ratio >= THROUGHPUT_RATIO, ">= 0.80"),
        (
            f"event-loop lag p99 = {p99:.1f} ms (p50 {p50:.1f}, max {lags[-1]:.1f})",
            p99 < 50,
            "< 50 ms",
        ),
        (
            f"start-up to first paint = {starts[1]:.2f} s (median of 3)",
            starts[1] < STARTUP_S,
            "< 2 s",
        ),
    ]
    print(
        f"Backprop Lab GUI benchmark: 784-16-16-10, mini-batch 10, {args.batches} batches per row,"
    )
    print(
        f"data {data.source} ({len(data.train):,} train images), {args.rounds} rounds interleaved"
    )
    print(f"headless examples/s: {', '.join(f'{x:,.0f}' for x in headless)} (median {h:,.0f})")
    print(f"window   examples/s: {', '.join(f'{x:,.0f}' for x in windowed)} (median {w:,.0f})")
    print(f"lag samples: {len(lags):,}")
    for text, ok, required in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}  (required {required})")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
