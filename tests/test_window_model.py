"""One model behind the window (issue 24, part 2), held by reading the source and driving it.

The window's helpers are each built from the lab (gui/lab.py) and the widgets they drive, and
hear of one another only through the lab's signals. The rules are read from the source, so a
new import or assignment that breaks one fails here; each detector is first shown a planted
violation, so a detector that finds nothing cannot pass for a clean source.
"""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QMainWindow

from engine.core.training import TrainConfig
from engine.session.worker import PAUSED

ROOT = Path(__file__).resolve().parent.parent
GUI = ROOT / "gui"
WINDOWISH = {"window", "w", "win", "main_window", "mainwindow"}  # names a window goes by
# The window's helpers: each is built from the lab and its widgets, never from the window.
HELPERS = [
    GUI / "window" / f"{name}.py"
    for name in (
        "data_sources",
        "dialogs",
        "explore_handoff",
        "live_feed",
        "model_files",
        "recovery",
        "teach_undo",
        "training_goal",
        "menus",
    )
] + [GUI / "player" / "playback.py"]


def sources(root: Path = GUI) -> list[Path]:
    return sorted(root.rglob("*.py"))


# --- MainWindow is imported by the app's start-up alone -------------------------------------


def imports_main_window(path: Path) -> bool:
    """Whether a file imports MainWindow or its module, at any depth (TYPE_CHECKING too)."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            if any(a.name.endswith("main_window") for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if module.endswith("main_window") or any(a.name == "MainWindow" for a in node.names):
                return True
    return False


def test_only_the_app_imports_main_window() -> None:
    allowed = {GUI / "app.py", GUI / "window" / "__init__.py"}  # the start-up, the room's face
    importers = [p for p in sources() if p not in allowed and imports_main_window(p)]
    assert importers == []


def test_a_planted_import_of_main_window_is_found(tmp_path: Path) -> None:
    for text in (
        "if TYPE_CHECKING:\n    from gui.window import MainWindow\n",
        "def f():\n    from gui.window.main_window import MainWindow\n",
        "import gui.window.main_window\n",
    ):
        planted = tmp_path / "planted.py"
        planted.write_text(text)
        assert imports_main_window(planted), text
    clean = tmp_path / "clean.py"
    clean.write_text("from gui.window import install_memory_guard\n")
    assert not imports_main_window(clean)


# --- Nothing outside main_window.py assigns an attribute of the window ----------------------


def is_window(node: ast.expr) -> bool:
    """``window``, ``w`` ... or ``self.window``, ``self._window`` ..."""
    if isinstance(node, ast.Name):
        return node.id.lower() in WINDOWISH
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "self" and node.attr.lower().lstrip("_") in WINDOWISH
    return False


def window_attribute_writes(path: Path) -> list[str]:
    """Every ``window.x = ...`` (plain, augmented, annotated, unpacked) and setattr(window, ...)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setattr":
            if node.args and is_window(node.args[0]):
                found.append(f"{path.name}:{node.lineno} setattr")
            continue
        while targets:
            target = targets.pop()
            if isinstance(target, ast.Tuple | ast.List):
                targets.extend(target.elts)
            elif isinstance(target, ast.Attribute) and is_window(target.value):
                found.append(f"{path.name}:{node.lineno} {ast.unparse(target)}")
    return found


def test_nothing_outside_main_window_assigns_an_attribute_of_the_window() -> None:
    writes = [
        w for p in sources() if p.name != "main_window.py" for w in window_attribute_writes(p)
    ]
    assert writes == []


def test_planted_writes_to_the_window_are_found(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "def f(window, w):\n"
        "    window.run_action = 1\n"
        "    w.count += 1\n"
        "    a, window.data = 1, 2\n"
        "    setattr(window, 'x', 3)\n"
        "class H:\n"
        "    def g(self):\n"
        "        self.window.step_player: int = 4\n"
        "        self._window.menu = 5\n"
        "        self.window = None\n"  # the helper's own attribute: not the window's
        "        self.lab.data = 6\n"
    )
    assert len(window_attribute_writes(planted)) == 6


# --- No import loop in gui/ -----------------------------------------------------------------


def module_names(root: Path, package: str) -> dict[str, Path]:
    names = {}
    for path in sources(root):
        parts = (package, *path.relative_to(root).with_suffix("").parts)
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Who imports whom among a package's modules: at module level, in functions, under
    TYPE_CHECKING. ``from pkg import name`` is an import of pkg's __init__ (its face), unless
    ``name`` is a submodule, which is then the one imported. A lazy face (gui/faces.py) imports
    the modules its ``_FACE`` table names, when asked."""
    names = module_names(root, package)
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name in names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                for alias in node.names:
                    if f"{base}.{alias.name}" in names:
                        found.add(f"{base}.{alias.name}")
                    elif base in names:
                        found.add(base)
            elif isinstance(node, ast.Assign) and any(  # a lazy face: {name: its module}
                getattr(t, "id", None) == "_FACE" for t in node.targets
            ):
                table = ast.literal_eval(node.value)
                found |= {f"{here}.{m}" for m in table.values() if f"{here}.{m}" in names}
        graph[name] = found - {name}
    return graph


def import_loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                loops.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return loops


def test_gui_has_no_import_loop() -> None:
    graph = import_graph(GUI, "gui")
    assert "gui.lab" in graph and graph["gui.window.main_window"]  # the graph is really built
    assert import_loops(graph) == []


def test_the_lab_imports_no_room() -> None:
    rooms = {p.name for p in GUI.iterdir() if (p / "__init__.py").exists()}
    imported = import_graph(GUI, "gui")["gui.lab"]
    assert not {m for m in imported if m.split(".")[1] in rooms}


def test_planted_import_loops_are_found(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "room").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n"
    )
    (pkg / "b.py").write_text("def f():\n    from pkg import a\n")  # a submodule, in a function
    (pkg / "room" / "__init__.py").write_text("from pkg.room.inside import X\n")
    (pkg / "room" / "inside.py").write_text("from pkg.room import Y\n")  # through the face
    (pkg / "room" / "other.py").write_text("from . import inside\n")  # a submodule: no loop
    (pkg / "lazy").mkdir()
    (pkg / "lazy" / "__init__.py").write_text("_FACE = {'Z': 'inner'}\n")  # loads it when asked
    (pkg / "lazy" / "inner.py").write_text("def f():\n    from pkg.lazy import Z\n")
    loops = import_loops(import_graph(pkg, "pkg"))
    assert sorted(loops) == [
        ["pkg.a", "pkg.b"],
        ["pkg.lazy", "pkg.lazy.inner"],
        ["pkg.room", "pkg.room.inside"],
    ]


# --- The helpers: built from the lab and their widgets, not from the window ----------------


# Every module of gui/ but these is built from the lab and the widgets it drives. The start-up
# makes the window, and main_window.py is the window; the others act on the window itself, as a
# Qt widget (its geometry, its event filter, its status bar, the QActions under it), through
# Qt's API alone, never the app's attributes of it: that is checked below.
NOT_HELPERS = {GUI / "app.py", GUI / "window" / "main_window.py"}
ON_THE_WINDOW = {
    GUI / "window" / "placement.py": "saves and restores the window's geometry",
    GUI / "window" / "shortcut_guard.py": "filters the keys of the window's focused control",
    GUI / "window" / "status_tips.py": "keeps a tip from hiding the window's status message",
    GUI / "window" / "help_dialog.py": "lists every QAction with a shortcut under the window",
}
NUMBERS = {"int", "float"}  # ``window: int`` is a moving mean's span, not the main window


def window_references(path: Path) -> list[str]:
    """Parameters named like the window (unless typed as a number), and ``self.window`` reads."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.arg) and node.arg.lower() in WINDOWISH:
            if node.annotation is None or ast.unparse(node.annotation) not in NUMBERS:
                found.append(f"{path.name}:{node.lineno} parameter {node.arg}")
        elif isinstance(node, ast.Attribute) and is_window(node):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


def window_parameter_types(path: Path) -> set[str]:
    """The annotations of the parameters named like the window."""
    return {
        ast.unparse(node.annotation) if node.annotation is not None else ""
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.arg) and node.arg.lower() in WINDOWISH
    }


def window_attributes_read(path: Path) -> set[str]:
    """The names read off the window (``window.x``, ``self._window.x``)."""
    return {
        node.attr
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Attribute) and is_window(node.value)
    }


def test_no_helper_receives_the_window() -> None:
    """Every module of gui/ (the window's helpers, the runs, the guide, the lesson room ...)."""
    modules = [p for p in sources() if p not in NOT_HELPERS and p not in ON_THE_WINDOW]
    rebuilt = [GUI / "runs" / "controller.py", GUI / "guide" / "controller.py"]
    rebuilt += sorted((GUI / "lesson").glob("*.py"))  # and the lesson room, whole
    assert set(HELPERS + rebuilt) <= set(modules)  # the scan reaches every room
    assert [r for p in modules for r in window_references(p)] == []


def test_the_modules_that_act_on_the_window_use_only_qts_api_of_it() -> None:
    for path in ON_THE_WINDOW:
        assert window_parameter_types(path) <= {"QMainWindow", "QWidget"}, path.name
        app_attributes = {a for a in window_attributes_read(path) if not hasattr(QMainWindow, a)}
        assert app_attributes == set(), path.name


def test_a_planted_window_parameter_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "class H:\n"
        "    def __init__(self, window: QMainWindow, lab):\n"  # found: the window itself
        "        self.lab = lab\n"
        "    def f(self):\n"
        "        return self._window.tabs\n"  # found: a read of the window kept
        "def g(w):\n"  # found: no annotation
        "    return w.record\n"
        "def mean(y, window: int = 20):\n"  # a span: not the window
        "    return y\n"
    )
    assert len(window_references(planted)) == 3
    assert window_parameter_types(planted) == {"QMainWindow", "", "int"}
    assert window_attributes_read(planted) == {"tabs", "record"}
    assert hasattr(QMainWindow, "statusBar") and not hasattr(QMainWindow, "record")
    # The runs controller as it was (it received the window) is found by the same scan.
    old = tmp_path / "controller.py"
    old.write_text(
        "class RunsController(QObject):\n"
        "    def __init__(self, window: QMainWindow, settings) -> None:\n"
        "        super().__init__(window)\n"
        "        self.window = window\n"
        "    def show_panel(self):\n"
        "        tabs = self.window.tabs\n"
    )
    assert window_references(old) == [
        "controller.py:2 parameter window",
        "controller.py:4 self.window",
        "controller.py:6 self.window",
    ]


def test_no_helper_imports_another() -> None:
    """Helpers talk through the lab's signals; only the menus, whose actions start their work,
    and the window, which builds them, know them."""
    graph = import_graph(GUI, "gui")
    helpers = {".".join(("gui", *p.relative_to(GUI).with_suffix("").parts)) for p in HELPERS} - {
        "gui.window.menus"
    }
    for helper in helpers:
        assert not graph[helper] & (helpers | {"gui.window.menus", "gui.window.main_window"})


def worker_lambdas(path: Path) -> list[str]:
    """``...worker.signal.connect(lambda ...)``: the lambda would run in the worker's thread."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "connect"
            and isinstance(node.func.value, ast.Attribute)
            and "worker" in ast.unparse(node.func.value.value)
            and node.args
            and isinstance(node.args[0], ast.Lambda | ast.Call)
        ):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}")
    return found


def test_no_lambda_is_connected_to_the_workers_signals() -> None:
    assert worker_lambdas(GUI / "lab.py") == []
    assert [
        f for p in HELPERS + [GUI / "window" / "main_window.py"] for f in worker_lambdas(p)
    ] == []


def test_a_planted_worker_lambda_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(
        "lab.worker.network_reset.connect(lambda _c: view.refresh())\n"
        "self.worker.taught.connect(partial(f, 1))\n"
        "lab.network_reset.connect(lambda _c: view.refresh())\n"  # the lab's: the GUI thread
    )
    assert len(worker_lambdas(planted)) == 2


# --- The hyper-parameters: one Session, one signal ------------------------------------------


def test_the_learning_rate_typed_reaches_the_next_mini_batch_and_the_settings_through_one_signal(
    qtbot, window, tmp_path: Path
) -> None:
    lab = window.lab
    heard = []
    lab.session_changed.connect(heard.append)  # "anything else": any view may follow the lab
    before = window.worker.latest_snapshot().train_config.learning_rate
    assert before != 0.5 and window.worker.train_config.learning_rate == before

    window.controls.learning_rate.setValue(0.5)  # the learner's edit

    assert [s.train.learning_rate for s in heard] == [0.5]  # one signal, once
    assert window.session.train.learning_rate == 0.5  # what the recovery's trials start from
    assert window.worker.train_config.learning_rate == 0.5
    saved = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert float(saved.value("train/learning_rate")) == 0.5
    seen = window.worker.latest_snapshot().examples_seen
    window.menus.step_action.trigger()
    qtbot.waitUntil(
        lambda: (
            window.worker.state == PAUSED and window.worker.latest_snapshot().examples_seen > seen
        )
    )
    assert window.worker.latest_snapshot().train_config.learning_rate == 0.5  # the step used it


def test_settings_chosen_through_the_lab_reach_the_controls_worker_and_file(
    qtbot, window, tmp_path: Path
) -> None:
    """The other way round (a remedy, a restore): the controls follow the same one signal."""
    train = TrainConfig(0.25, 20, 0.5, 0.0)
    window.lab.choose(train=train, speed=20.0)
    c = window.controls
    assert c.train_config() == train and c.speed.currentData() == 20.0
    assert window.worker.train_config == train and window.worker.batch_interval == 1 / 20
    checked = [value for value, action in window.menus.speed_actions if action.isChecked()]
    assert checked == [20.0]
    saved = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert float(saved.value("train/learning_rate")) == 0.25
    assert int(saved.value("train/batch_size")) == 20


def test_an_opened_models_settings_are_used_and_shown_but_not_saved(
    qtbot, window, tmp_path: Path
) -> None:
    window.lab.show_opened(train=TrainConfig(0.3, 10, 0.0, 0.0))
    assert window.controls.learning_rate.value() == 0.3
    assert window.worker.train_config.learning_rate == 0.3
    saved = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert saved.value("train/learning_rate") in (None, 3.0, "3.0", "3")


# --- The training goal: a Run ended in the instant it began never reaches the worker ---------


def test_run_and_pause_in_the_same_instant_train_nothing(qtbot, window) -> None:
    sent = []
    window.worker.run_to_epoch_end = lambda: sent.append("run")  # what a Run sends, recorded
    window.toggle_run()
    assert window.menus.run_action.text() == "Pause" and window.goal.goal is not None
    window.toggle_run()
    assert window.menus.run_action.text() == "Run" and window.goal.goal is None
    later = []
    QTimer.singleShot(0, lambda: later.append(True))  # after the Run's own zero timer
    qtbot.waitUntil(lambda: bool(later))
    assert sent == []  # the worker was never told to run: no mini-batch slipped in
    window.toggle_run()  # a Run on its own starts
    qtbot.waitUntil(lambda: sent == ["run"])
