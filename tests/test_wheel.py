"""The app as a user installs it: a wheel built from the source, in a fresh environment, run
from another folder.

An editable install puts the source tree itself on the path, so a package the build leaves out
still imports there; only a real wheel shows it (``gui.explorer`` was missing from every wheel
while the editable install worked). The fresh environment gets the project's dependencies from the
test environment's site-packages by a plain path entry (never its ``.pth`` files, so the editable
install of the project is not seen), because a test must not download: only Backprop Lab's own
code comes from the wheel.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from engine import __version__

ROOT = Path(__file__).resolve().parent.parent
SKIP_IN_COPY = shutil.ignore_patterns(
    ".venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "tests",
    "docs",
    "bench",
)


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 300):
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Build the wheel from a copy of the source, install it in a new venv; return bin, env."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=SKIP_IN_COPY)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    built = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(tmp / "dist"),
            str(source),
        ],
        cwd=tmp,
        env=env,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list((tmp / "dist").glob("backprop_lab-*.whl"))
    assert len(wheels) == 1, wheels
    venv = tmp / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp, env=env)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = _run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheels[0])],
        cwd=tmp,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        cwd=tmp,
        env=env,
    ).stdout.strip()
    deps = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    Path(purelib, "zz_test_dependencies.pth").write_text("\n".join(dict.fromkeys(deps)) + "\n")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(elsewhere), XDG_CONFIG_HOME=str(elsewhere))
    return venv / "bin", env, wheels[0], elsewhere


def test_the_wheel_holds_every_package_and_the_bundled_data(installed):
    _, _, wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        p.relative_to(ROOT).as_posix()
        for top in ("engine", "gui", "resources")
        for p in (ROOT / top).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert sources - names == set(), "left out of the wheel"
    assert "main.py" in names


def test_the_installed_app_runs_from_another_folder(installed):
    bin_dir, env, _, elsewhere = installed
    where = _run(
        [
            str(bin_dir / "python"),
            "-c",
            "import gui.explorer.panel, engine, main; print(gui.explorer.panel.__file__)",
        ],
        cwd=elsewhere,
        env=env,
    )
    assert where.returncode == 0, where.stderr
    assert str(bin_dir.parent) in where.stdout, "imported from the source tree, not the wheel"

    version = _run([str(bin_dir / "backprop-lab"), "--version"], cwd=elsewhere, env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"backprop-lab {__version__}"

    trained = _run(
        [str(bin_dir / "backprop-lab"), "train", "--epochs", "1", "--json"],
        cwd=elsewhere,
        env=env,
    )
    assert trained.returncode == 0, trained.stderr
    assert '"epoch": 1' in trained.stdout

    shot = elsewhere / "window.png"
    window = _run(
        [
            str(bin_dir / "backprop-lab"),
            "--screenshot",
            str(shot),
            "--size",
            "1280x720",
            "--settings",
            str(elsewhere / "settings.ini"),
        ],
        cwd=elsewhere,
        env=env,
    )
    assert window.returncode == 0, window.stderr
    assert shot.stat().st_size > 10_000
