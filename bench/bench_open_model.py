"""Opening large model files: the CLI's 784-4000-4000-10 and a window model with a full history.

Prints how long each step takes and how long the window's event loop went without a turn while
the longest history the reader accepts opened. Exits 0 when the window answered within 0.5 s
throughout and refused the 4000-neuron layers at once.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from engine.core.network import Network, NetworkConfig  # noqa: E402
from engine.core.training import TrainConfig  # noqa: E402
from engine.data.model_io import MAX_HISTORY_ROWS, load_model, save_model  # noqa: E402


def main() -> int:
    """Build the two files, open them as the CLI and as the window do, and print the figures."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from gui.window.main_window import MainWindow

    folder = Path(tempfile.mkdtemp())
    wide = folder / "wide.npz"
    start = time.perf_counter()
    save_model(
        wide, Network(NetworkConfig((784, 4000, 4000, 10)), np.random.default_rng(0)), TrainConfig()
    )
    print(
        f"784-4000-4000-10: {wide.stat().st_size / 2**20:.0f} MB written in "
        f"{time.perf_counter() - start:.1f} s"
    )
    start = time.perf_counter()
    load_model(wide)
    print(f"  engine (evaluate) reads it in {time.perf_counter() - start:.2f} s")
    long = folder / "long.npz"
    rows = MAX_HISTORY_ROWS
    history = {"batch_progress": np.linspace(0, 50, rows), "batch_cost": np.linspace(2, 0.1, rows)}
    save_model(
        long,
        Network(NetworkConfig((784, 16, 16, 10)), np.random.default_rng(0)),
        TrainConfig(),
        50,
        rows * 10,
        history,
    )
    print(f"784-16-16-10 with {rows:,} history rows: {long.stat().st_size / 2**20:.1f} MB")

    app = QApplication.instance() or QApplication([])
    window = MainWindow(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    window.confirm = lambda title, text: True
    window.show()
    while window.worker.latest_snapshot() is None:
        app.processEvents()
    start = time.perf_counter()
    refused = not window.open_model(wide)
    refuse_seconds = time.perf_counter() - start
    print(f"  window refuses 784-4000-4000-10 in {refuse_seconds:.2f} s: {refused}")
    ticks = [time.perf_counter()]
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    start = time.perf_counter()
    opened = window.open_model(long)
    while len(window.record.history) < rows and time.perf_counter() - start < 120:
        app.processEvents()
    for _ in range(50):  # the views' next redraws
        app.processEvents()
        time.sleep(0.01)
    total = time.perf_counter() - start
    gap = max(np.diff(ticks)) if len(ticks) > 1 else float("nan")
    print(
        f"  window opens it ({opened}) and shows it in {total:.2f} s; "
        f"longest event-loop gap {gap * 1000:.0f} ms"
    )
    window.close()
    ok = refused and refuse_seconds < 0.5 and opened and gap < 0.5
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
