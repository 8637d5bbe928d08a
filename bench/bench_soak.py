"""Soak: many epochs of full MNIST at full speed with the whole window open, memory and lag logged.

The real main window (offscreen platform) trains continuously through its worker thread while
every view redraws from its timer, driven by the real event loop (a QEventLoop, as app.exec()
runs it; no busy polling). Two probes run in the GUI thread: a 10 ms QTimer records how late it
fires (the event-loop lag a user would feel) and a 250 ms QTimer samples the resident set size
from /proc/self/status. One row per epoch:

    epoch, seconds, test accuracy, RSS MB, lag p50 / p99 / max (ms)

Run from the repository root::

    .venv/bin/python bench/bench_soak.py [--epochs 50] [--data DIR|sample]

Exit status 0 when RSS grows less than 50 MB after the first epoch and the lag p99 of every epoch
stays under 50 ms. The timeline's kept snapshots (engine/session/replay.py) are memory spent on
purpose, up to its byte budget; the growth net of them is checked and reported too. The history and
cost-plot buffers are expected to grow by about 16 bytes per mini-batch and per buffer (300,000
mini-batches in 50 epochs: a few MB each, doubling when full).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

# isort: off
import engine  # noqa: E402  (before NumPy: it limits BLAS to one thread, as in the app)
import numpy as np  # noqa: E402
# isort: on

RSS_GROWTH_MB = 50.0
LAG_P99_MS = 50.0
LAG_TICK_MS = 10
RSS_TICK_MS = 250


def rss_mb() -> float:
    """Return this process's resident set size in MB, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


@dataclass
class EpochRow:
    """What one epoch cost: wall time, memory at its end, and the lag samples taken during it."""

    epoch: int
    seconds: float
    accuracy: float
    rss: float
    kept: float  # MB of the timeline's kept snapshots (engine/session/replay.py), bounded by design
    lags: list[float] = field(default_factory=list)

    @property
    def rss_net(self) -> float:
        """Return the RSS in MB less the timeline's kept snapshots."""
        return self.rss - self.kept

    def lag(self, q: float) -> float:
        """Return the q-quantile of this epoch's lag samples in ms."""
        return float(np.quantile(self.lags, q)) if self.lags else 0.0


def soak(app: QApplication, source: str, epochs: int, size: tuple[int, int]) -> list[EpochRow]:
    """Train ``epochs`` epochs in the real window and return one row per epoch."""
    from gui.window.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        window = MainWindow(QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat), source)
        window.resize(*size)
        window.show()
        window.set_speed(0.0)
        while window.worker.latest_snapshot() is None or window.data is None:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.005)
        print(
            f"data {window.data.source}: {len(window.data.train):,} training images, "
            f"{window.session.network.sizes}, mini-batch {window.session.train.batch_size}",
            file=sys.stderr,
        )
        rows: list[EpochRow] = []
        lags: list[float] = []
        rss_samples: list[tuple[float, float]] = []
        clock = QElapsedTimer()
        lag_timer = QTimer()
        lag_timer.setInterval(LAG_TICK_MS)
        lag_timer.timeout.connect(lambda: lags.append(max(0.0, clock.restart() - LAG_TICK_MS)))
        rss_timer = QTimer()
        rss_timer.setInterval(RSS_TICK_MS)
        rss_timer.timeout.connect(lambda: rss_samples.append((time.perf_counter(), rss_mb())))
        loop = QEventLoop()
        started = time.perf_counter()
        last = [started]

        def check() -> None:
            e = window.record.last_epoch
            if e is None or (rows and e.epoch == rows[-1].epoch):
                return
            now = time.perf_counter()
            kept = window.worker.kept_bytes() / 2**20
            rows.append(EpochRow(e.epoch, now - last[0], e.test_accuracy, rss_mb(), kept, lags[1:]))
            lags.clear()
            last[0] = now
            r = rows[-1]
            print(
                f"  epoch {r.epoch:3d}  {r.seconds:6.2f} s  {100 * r.accuracy:6.2f}%  "
                f"RSS {r.rss:7.1f} MB (kept {r.kept:5.1f})  "
                f"lag p50 {r.lag(0.5):5.1f}  p99 {r.lag(0.99):5.1f}  "
                f"max {max(r.lags, default=0):6.1f} ms",
                file=sys.stderr,
                flush=True,
            )
            if e.epoch >= epochs:
                window.worker.pause()
                loop.quit()

        checker = QTimer()
        checker.setInterval(50)
        checker.timeout.connect(check)
        clock.start()
        for timer in (lag_timer, rss_timer, checker):
            timer.start()
        window.worker.train_until_paused()
        loop.exec()
        for timer in (lag_timer, rss_timer, checker):
            timer.stop()
        batches = len(window.record.history)
        kept = window.worker.kept_bytes() / 2**20
        plot = window.cost_plot.point_count()
        window.close()
        app.processEvents()
    print(
        f"{batches:,} mini-batches in history, {plot:,} plot points, "
        f"{kept:.1f} MB of kept snapshots, {len(rss_samples)} RSS samples",
        file=sys.stderr,
    )
    return rows


def main() -> int:
    """Run the soak, print the per-epoch table and the checks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "mnist"))
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--size", default="1440x900", help="window size, WxH")
    args = parser.parse_args()
    engine.limit_blas_threads()
    app = QApplication.instance() or QApplication([])
    from gui.theme import apply_theme

    apply_theme(app)
    width, height = (int(v) for v in args.size.split("x"))
    start_rss = rss_mb()
    rows = soak(app, args.data, args.epochs, (width, height))
    print(f"Backprop Lab soak: {len(rows)} epochs at full speed, window {args.size}")
    print(f"RSS before the window opened: {start_rss:.1f} MB")
    print("epoch  seconds  accuracy   RSS MB  kept MB  RSS-kept  lag p50  lag p99  lag max (ms)")
    for r in rows:
        print(
            f"{r.epoch:5d}  {r.seconds:7.2f}  {100 * r.accuracy:7.2f}%  {r.rss:7.1f}  "
            f"{r.kept:7.1f}  {r.rss_net:8.1f}  "
            f"{r.lag(0.5):7.1f}  {r.lag(0.99):7.1f}  {max(r.lags, default=0):7.1f}"
        )
    growth = max(r.rss for r in rows) - rows[0].rss
    net = max(r.rss_net for r in rows) - rows[0].rss_net
    worst_p99 = max(r.lag(0.99) for r in rows)
    every = np.concatenate([r.lags for r in rows])
    checks = [
        (
            f"RSS growth after epoch 1 = {growth:.1f} MB "
            f"({rows[0].rss:.1f} -> {rows[-1].rss:.1f}, peak {max(r.rss for r in rows):.1f})",
            growth < RSS_GROWTH_MB,
            f"< {RSS_GROWTH_MB:g} MB",
        ),
        (
            f"RSS growth after epoch 1 less the timeline's kept snapshots = {net:.1f} MB "
            f"(kept snapshots: {rows[0].kept:.1f} -> {rows[-1].kept:.1f} MB, bounded by "
            "engine/session/replay.py's budget)",
            net < RSS_GROWTH_MB,
            f"< {RSS_GROWTH_MB:g} MB",
        ),
        (
            f"worst epoch lag p99 = {worst_p99:.1f} ms (all {every.size:,} samples: p50 "
            f"{np.quantile(every, 0.5):.1f}, p99 {np.quantile(every, 0.99):.1f}, "
            f"max {every.max():.1f})",
            worst_p99 < LAG_P99_MS,
            f"< {LAG_P99_MS:g} ms",
        ),
    ]
    for text, ok, required in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}  (required {required})")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
