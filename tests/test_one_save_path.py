"""No module in engine/ or gui/ writes (or deletes) a user's file except through
engine/data/atomic.py.

The scan reads every module's syntax tree and lists each call that can create, replace or write
a file by name: open() for writing, Path.write_text/bytes, numpy's save functions, shutil's
copies and moves, os.replace and rename, temporary files, Qt's and Pillow's save(path), QFile,
QSvgGenerator.setFileName, processes started (they may write what they are given), and deletes
(os.remove, Path.unlink, rmdir, rmtree: a failed export once deleted the old file). What is
allowed: engine/data/atomic.py itself; writing into the open handle the safe path hands out (named
``file``); os.devnull; an image encoded into a memory ``buffer``; the methods listed in
SAFE_METHODS, whose own source is checked to go through the safe path; and a line that says
why the file is not the user's (``# not the user's file: ...``, for the app's own cache).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from engine.data.my_digits import MyDigits
from engine.session.runs import KeptRun

ROOT = Path(__file__).resolve().parents[1]
SAFE_MODULE = "engine/data/atomic.py"
MODULE_CALLS = {  # module.function(...) that creates, replaces or writes a file it is given
    "os": {
        "replace",
        "rename",
        "open",
        "link",
        "symlink",
        "mkfifo",
        "fdopen",
        "truncate",
        "remove",
        "unlink",
        "rmdir",
    },
    "shutil": {"copy", "copyfile", "copy2", "copytree", "copyfileobj", "move", "rmtree"},
    "subprocess": {"Popen", "run", "call", "check_call", "check_output"},
    "tempfile": {"mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile"},
    "np": {"save", "savez", "savez_compressed", "savetxt"},
    "numpy": {"save", "savez", "savez_compressed", "savetxt"},
    "pooch": {"retrieve"},
    "imageio": {"imwrite", "mimwrite"},
}
METHOD_CALLS = {  # receiver.method(...) that writes a file by name, whatever the receiver
    "write_text", "write_bytes", "tofile", "setFileName", "symlink_to", "hardlink_to", "touch",
    "rename", "unlink", "rmdir",
}  # fmt: skip
SAVES = {"save", "savez", "savez_compressed"}  # may write into an open handle instead
CLASSES = {"QFile", "QSaveFile"}  # a Qt file object opened by name
HANDLES = {"file"}  # the open temporary file the safe path hands to a writer
BUFFERS = {"buffer"}  # a QBuffer in memory: an image encoded, not yet saved
SAFE_METHODS = {  # receiver.save(path) whose method goes through the safe path
    "my_digits": (MyDigits.save, "atomic_write"),
    "run": (KeptRun.save, "save_model"),
}
PROCESSES = {  # a process that writes only the temporary file atomic_path gave it
    ("gui/player/export.py", "Popen"): "FFmpeg writes the temporary path from atomic_path",
}
REASON = "# not the user's file:"


def call_name(call: ast.Call) -> tuple[str | None, str]:
    """Return (receiver's last name, "?" for an expression or None for none, name) of a call."""
    func = call.func
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        value = func.value
        receiver = "?"  # an expression: (folder / name).unlink(), images[0].save(...)
        if isinstance(value, ast.Name):
            receiver = value.id
        elif isinstance(value, ast.Attribute):
            receiver = value.attr
        return receiver, func.attr
    return None, ""


def writing_mode(call: ast.Call, position: int) -> bool:
    """Return whether an open() call's mode (argument ``position`` or mode=) writes."""
    mode = call.args[position] if len(call.args) > position else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if mode is None:
        return False
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return any(c in mode.value for c in "wax+")
    return True  # a mode computed at run time: assume the worst


def first_name(call: ast.Call) -> str | None:
    """Return the first argument's name, if it is a plain name."""
    return call.args[0].id if call.args and isinstance(call.args[0], ast.Name) else None


def devnull(call: ast.Call) -> bool:
    """Return whether a call's first argument is os.devnull (no one's file)."""
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Attribute) and first.attr == "devnull"


def writes(call: ast.Call) -> bool:
    """Return whether a call may write a file outside the safe path."""
    receiver, name = call_name(call)
    if devnull(call):
        return False
    if name == "open" and receiver in (None, "io"):
        return writing_mode(call, 1)
    if name in MODULE_CALLS.get(receiver or "", ()):
        return first_name(call) not in HANDLES or name not in SAVES
    if name == "open":  # Path.open(mode), QIODevice.open(flags)
        return writing_mode(call, 0) and receiver not in BUFFERS
    if name == "save" and call.args:  # Qt's or Pillow's image.save(path), or a model's
        return not (first_name(call) in HANDLES | BUFFERS or receiver in SAFE_METHODS)
    if receiver is None:
        return name in CLASSES
    return name in METHOD_CALLS


def violations() -> list[str]:
    """Return "path:line: source" for every write outside the safe path."""
    found = []
    for path in sorted([*ROOT.glob("engine/**/*.py"), *ROOT.glob("gui/**/*.py")]):
        relative = path.relative_to(ROOT).as_posix()
        if relative == SAFE_MODULE:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.Call) or not writes(node):
                continue
            if (relative, call_name(node)[1]) in PROCESSES:
                continue
            source = " ".join(lines[max(node.lineno - 3, 0) : node.end_lineno])
            if REASON in source:  # on the call's lines or in the two lines above it
                continue
            found.append(f"{relative}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return found


def test_no_module_writes_a_users_file_but_through_the_safe_path() -> None:
    assert violations() == []


def test_the_methods_trusted_to_save_do_go_through_the_safe_path() -> None:
    for method, safe in SAFE_METHODS.values():
        assert safe in inspect.getsource(method)


def test_the_scan_finds_each_kind_of_write() -> None:
    samples = [
        'open(p, "w")', 'open(p, mode="ab")', "open(p, m)", 'path.open("wb")',
        "path.write_text(t)", "p.write_bytes(b)", "np.savez(p, a=a)", "np.save(p, a)",
        "shutil.copyfile(a, b)", "shutil.move(a, b)", "os.replace(a, b)", "os.open(p, f)",
        'image.save(path, "PNG")', "frames[0].save(path)", "tempfile.mkstemp()",
        "generator.setFileName(p)", "subprocess.Popen(c)", "os.fdopen(h, 'wb')", "QFile(p)",
        "pooch.retrieve(u, h)", "p.rename(q)", "os.remove(p)", "p.unlink()", "shutil.rmtree(p)",
        "(folder / name).unlink()", "Path(p).write_text(t)",
    ]  # fmt: skip
    for sample in samples:
        assert writes(ast.parse(sample).body[0].value), sample
    safe = [
        'open(p, "rb")', "open(p)", 'path.open("rb")', "np.savez(file, a=a)", "a.copy()",
        'picture.save(buffer, "PNG")', "self.my_digits.save(p)", "painter.save()", "run.save(p)",
        'text.replace("a", "b")', "buffer.open(QIODevice.WriteOnly)", "write_text(p, w)",
        "widget.move(x, y)", "worker.run()", 'open(os.devnull, "w")', "os.open(os.devnull, f)",
    ]  # fmt: skip
    for sample in safe:
        assert not writes(ast.parse(sample).body[0].value), sample
