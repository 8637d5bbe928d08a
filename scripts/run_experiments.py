"""Run the classic experiments through the app's experiment runner and print a markdown table.

Each experiment runs as the Compare tab runs it (fair mode by default: standard initialisation,
each variant at the learning rate its sweep picked) for every seed, then prints one row per
variant: the rates picked, the final test accuracy of each seed and their mean, and after the
table what each experiment showed, in the sentences the app shows. Run from the repository root
(``--data`` takes sample, full or a folder of MNIST IDX files)::

    .venv/bin/python scripts/run_experiments.py --data /work/shared/mnist --epochs 3 --seeds 3
"""

from __future__ import annotations

import argparse
import sys
import time

from _common import start_app

# isort: split
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from engine.data.datasets import load_data  # noqa: E402
from engine.lessons.experiments import BY_KEY, EXPERIMENTS, MODES  # noqa: E402
from gui.runs.experiment_runner import ExperimentRunner  # noqa: E402


def run(app: QApplication, runner: ExperimentRunner, key: str, data, args) -> float:
    """Train experiment ``key`` to the end; return the seconds it took."""
    finished: list = []
    runner.experiment_finished.connect(lambda *a: finished.append(a))
    start = time.perf_counter()
    runner.start(key, data, args.epochs, args.seed, args.mode, args.seeds)
    while not finished:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    runner.experiment_finished.disconnect()
    return time.perf_counter() - start


def rows(key: str, runner: ExperimentRunner) -> list[str]:
    """Return the experiment's table rows: one per variant (and group), seeds side by side."""
    table: dict[tuple[str, str], list] = {}
    for spec, r in zip(runner.specs, runner.runs):
        table.setdefault((spec.variant, spec.group), []).append((spec, r))
    out = []
    for (variant, group), pairs in table.items():
        name = f"{variant}, {group}" if group else variant
        rates = ", ".join(f"{s.train.learning_rate:g}" for s, _ in pairs)
        accs = [r.final_accuracy() if r.status != "diverged" else None for _, r in pairs]
        cells = " / ".join("diverged" if a is None else f"{100 * a:.1f}" for a in accs)
        done = [a for a in accs if a is not None]
        mean = f"{100 * sum(done) / len(done):.1f}" if done else "-"
        out.append(f"| {BY_KEY[key].title} | {name} | {rates} | {cells} | {mean} |")
    return out


def main() -> int:
    """Run the experiments one after another and print the table and the findings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="sample")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0, help="the first seed")
    parser.add_argument("--mode", choices=MODES, default=MODES[0])
    parser.add_argument("--only", nargs="*", default=[e.key for e in EXPERIMENTS])
    args = parser.parse_args()
    unknown = [k for k in args.only if k not in BY_KEY]
    if unknown:
        parser.error(f"unknown experiment {unknown[0]!r}; use one of {list(BY_KEY)}")
    app = start_app(theme=None)
    data = load_data(args.data)
    runner = ExperimentRunner()
    seeds = ", ".join(str(s) for s in range(args.seed, args.seed + args.seeds))
    print(
        f"{args.mode} mode, data {args.data}: {len(data.train):,} training and "
        f"{len(data.test):,} test images, {args.epochs} epochs, seeds {seeds}\n"
    )
    print(f"| experiment | run | \u03b7 (seed {seeds}) | test accuracy % (seed {seeds}) | mean |")
    print("| --- | --- | --- | --- | --- |")
    findings = []
    try:
        for key in args.only:
            seconds = run(app, runner, key, data, args)
            print("\n".join(rows(key, runner)), flush=True)
            findings.append((key, seconds, list(runner.findings)))
    finally:
        runner.shutdown()
    for key, seconds, lines in findings:
        print(f"\n{BY_KEY[key].title} ({seconds:.0f} s):")
        for line in lines:
            print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
