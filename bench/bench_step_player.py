"""How smooth "Play one step" is, and how long its GIF export takes, in the real window.

For each architecture the real main window is opened at 1920x1080 (offscreen platform) on the
bundled sample, trained for a few hundred mini-batches, and one step is played:

- frame: the story is walked at 30 frames a second of story time; each frame is one ``seek`` and
  one synchronous ``repaint`` of the diagram, timed together: preparing the frame (a beat's scene
  is built the first time the beat is shown) and painting it. Median and p95 over every frame.
- lag: the step is then played by the player's own clock at normal speed, without pausing for
  reading, while a 10 ms QTimer records how late it fires (the event-loop lag a user would feel).
- gif (784-16-16-10 only): the animation is exported as a 10-second GIF at 30 frames a second
  (played at the speed that makes it 10 s) at the diagram's size in that window.

Run from the repository root::

    .venv/bin/python bench/bench_step_player.py

Exit status 0 when 784-16-16-10 frames take <= 16 ms (median and p95), 784-128-64-10 frames
<= 40 ms, the lag p99 < 50 ms while playing, and the GIF export < 30 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QSettings, QSize, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from engine.core.network import NetworkConfig  # noqa: E402
from gui.window.main_window import MainWindow  # noqa: E402

WINDOW = QSize(1920, 1080)
TRAIN_BATCHES = 300
FPS = 30
LIMITS = {(784, 16, 16, 10): 16.0, (784, 128, 64, 10): 40.0}
LAG_LIMIT = 50.0
GIF_LIMIT = 30.0


def wait(app: QApplication, condition, timeout: float = 120.0) -> None:
    """Process events until condition() holds."""
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the window did not get there in time")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile (0..100) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def open_window(app: QApplication, sizes: tuple[int, ...], tmp: str) -> MainWindow:
    """Return the window at 1920x1080 with a network of ``sizes`` trained for a while."""
    window = MainWindow(
        QSettings(str(Path(tmp) / f"{len(sizes)}-{sizes[1]}.ini"), QSettings.Format.IniFormat)
    )
    window.confirm = lambda title, text: True
    window.resize(WINDOW)
    window.show()
    wait(app, lambda: window.worker.latest_snapshot() is not None)
    if window.worker.latest_snapshot().sizes != sizes:
        window.reset(ask=False, config=NetworkConfig(sizes=sizes))
        wait(app, lambda: window.worker.latest_snapshot().sizes == sizes)
    window.worker.run_batches(TRAIN_BATCHES)
    target = 10 * TRAIN_BATCHES
    wait(app, lambda: window.worker.latest_snapshot().examples_seen >= target)
    wait(app, lambda: window.worker.state == "paused")
    return window


def play_step(app: QApplication, window: MainWindow):
    """Press Play one step and return the player, paused, once its story is loaded."""
    window.play_step_action.trigger()
    wait(app, window.step_player.is_active)
    player = window.step_player
    player.pause()
    return player


def frame_times(app: QApplication, window: MainWindow) -> list[float]:
    """Return the milliseconds of every frame's seek and repaint through the whole story."""
    player = play_step(app, window)
    view = window.network_view
    times = []
    n = int(player.duration * FPS) + 1
    for i in range(n):
        start = time.perf_counter()
        player.seek(i / FPS)
        view.repaint()
        times.append(1000 * (time.perf_counter() - start))
        app.processEvents()
    player.close()
    return times


def lag_while_playing(app: QApplication, window: MainWindow) -> list[float]:
    """Return how late (ms) a 10 ms timer fires while one step plays at normal speed."""
    player = play_step(app, window)
    player.set_pause_for_reading(False)
    player.set_speed(1.0)
    lags: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: lags.append(max(0.0, clock.restart() - 10.0)))
    player.seek(0.0)
    clock.start()
    timer.start()
    player.play()
    wait(app, lambda: not player.is_playing(), timeout=player.duration + 30)
    timer.stop()
    player.close()
    return lags[1:]


def gif_seconds(app: QApplication, window: MainWindow, path: Path) -> tuple[float, int, float]:
    """Return the seconds a 10-s 30-fps GIF export takes, its frames written and the MB."""
    player = play_step(app, window)
    player.set_speed(player.duration / 10.0)
    start = time.perf_counter()
    frames = window.step_player_controls.export(path, "gif")
    seconds = time.perf_counter() - start
    player.close()
    return seconds, frames, path.stat().st_size / 1e6


def main() -> int:
    """Measure, print the figures and return 0 when every limit holds."""
    app = QApplication.instance() or QApplication([])
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for sizes, limit in LIMITS.items():
            window = open_window(app, sizes, tmp)
            view = window.network_view
            name = "-".join(map(str, sizes))
            times = frame_times(app, window)
            median, p95 = statistics.median(times), percentile(times, 95)
            good = median <= limit and p95 <= limit
            ok &= good
            print(
                f"{name}: diagram {view.width()}x{view.height()} in a {WINDOW.width()}x"
                f"{WINDOW.height()} window, {len(times)} frames: prepare+paint median "
                f"{median:.1f} ms, p95 {p95:.1f} ms, max {max(times):.1f} ms "
                f"(limit {limit:g}) {'ok' if good else 'TOO SLOW'}"
            )
            lags = lag_while_playing(app, window)
            p99 = percentile(lags, 99)
            good = p99 < LAG_LIMIT
            ok &= good
            print(
                f"{name}: event-loop lag while playing p99 {p99:.1f} ms, p50 "
                f"{percentile(lags, 50):.1f} ms, max {max(lags):.1f} ms over {len(lags)} ticks "
                f"(limit {LAG_LIMIT:g}) {'ok' if good else 'TOO LATE'}"
            )
            if sizes == (784, 16, 16, 10):
                seconds, frames, mb = gif_seconds(app, window, Path(tmp) / "step.gif")
                good = seconds < GIF_LIMIT
                ok &= good
                print(
                    f"{name}: 10-s 30-fps GIF at {view.width()}x{view.height()} exported in "
                    f"{seconds:.1f} s ({frames} distinct frames of 301, {mb:.1f} MB) "
                    f"(limit {GIF_LIMIT:g} s) {'ok' if good else 'TOO SLOW'}"
                )
            window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
