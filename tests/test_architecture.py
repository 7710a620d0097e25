"""The house rules that the import contracts cannot see on their own.

``.importlinter`` checks the static imports; this checks the running program: importing an engine
package in a fresh interpreter must not load Textual (a lazy import inside a function would slip past
a static check only until someone calls it at import time)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import builder

ROOT = Path(__file__).resolve().parents[1]
ENGINE_PACKAGES = ["builder.net", "builder.project", "builder.engine", "builder.simulator", "builder.source",
                   "builder.port", "builder.see", "builder.sync", "builder.ship"]


def _modules_of(package: str) -> list[str]:
    module = __import__(package, fromlist=["__path__"])
    return [package] + [m.name for m in pkgutil.walk_packages(module.__path__, package + ".")]


def test_every_builder_package_is_listed_in_a_layer() -> None:
    """A new package must take its place in the layers (and in this list) on purpose."""
    packages = {m.name for m in pkgutil.iter_modules(builder.__path__) if m.ispkg}
    assert packages == {p.split(".")[1] for p in ENGINE_PACKAGES} | {"cli", "tui"}
    layers = (ROOT / ".importlinter").read_text()
    for name in packages:
        assert f"builder.{name}" in layers, f"builder.{name} is in no import contract"


@pytest.mark.parametrize("package", ENGINE_PACKAGES)
def test_engine_package_never_loads_textual(package: str) -> None:
    modules = _modules_of(package)
    assert len(modules) > 1 or package == "builder.net", modules
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'widgets', 'builder.tui')))\n"
            "print(','.join(loaded))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{package} loads {done.stdout.strip()}"


@pytest.mark.parametrize("module", _modules_of("builder.tui.state"))
def test_tui_state_never_loads_textual(module: str) -> None:
    """The TUI's state (session, evaluation, fetching) is plain Python: the plain data it shares with a
    widget (the resource list's ResourceStatus) lives in a Textual-free module."""
    code = (f"import importlib, sys\nimportlib.import_module({module!r})\n"
            "print(','.join(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{module} loads {done.stdout.strip()}"


#: Parameters whose type the engine knows (Project, Resource, MappingResult, SyncPlan, PortClient…):
#: ``Any`` there hides the pipeline's own types from mypy and from the reader.
TYPED_PARAMETERS = {"project", "resource", "result", "result_or_entities", "plan", "client", "blueprint",
                    "exchange"}


def _any_typed_parameters(path: Path) -> list[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                note = arg.annotation
                is_any = (isinstance(note, ast.Name) and note.id == "Any") or (
                    isinstance(note, ast.Attribute) and note.attr == "Any") or (
                    isinstance(note, ast.Constant) and note.value == "Any")
                if arg.arg in TYPED_PARAMETERS and is_any:
                    found.append(f"{path.relative_to(ROOT)}:{arg.lineno} {node.name}({arg.arg}: Any)")
    return found


def test_engine_signatures_name_their_types() -> None:
    """No ``project: Any``, ``resource: Any``… in the engine packages and the CLI (issue #12)."""
    folders = [ROOT / package.replace(".", "/") for package in ENGINE_PACKAGES] + [ROOT / "builder" / "cli"]
    offenders = [hit for folder in folders for path in sorted(folder.rglob("*.py"))
                 for hit in _any_typed_parameters(path)]
    assert offenders == []


#: Textual's App API set in its ``__init__`` (not class attributes).
APP_INSTANCE_API = {"console"}


def _app_reaches(path: Path) -> list[str]:
    """``x.app.<name>`` where ``name`` is not Textual's App API, and ``getattr(x.app, …)``: a widget or
    pane using the builder's App (its session, its panes) instead of being given what it uses."""
    import ast

    from textual.app import App

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) and node.value.attr == "app" \
                and not hasattr(App, node.attr) and node.attr not in APP_INSTANCE_API:
            found.append(f"{where} .app.{node.attr}")
        if isinstance(node, ast.Attribute) and node.attr == "build_pane":
            found.append(f"{where} .build_pane")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
                and node.args and isinstance(node.args[0], ast.Attribute) and node.args[0].attr == "app":
            found.append(f"{where} getattr(….app, …)")
    return found


def test_panes_and_widgets_are_given_what_they_use() -> None:
    """One state flow in the TUI (#12): widgets and the tabs' panes and controllers never reach into the
    builder's App (``self.app.session``, ``app.build_pane``, ``getattr(self.app, …)``); they are given
    the session and callables, and say what changed with messages. Only the App module knows its panes;
    Textual's own App API (``bell``, ``notify``, ``push_screen``…) is fair game."""
    files = sorted((ROOT / "widgets").rglob("*.py")) + sorted(
        path for path in (ROOT / "builder" / "tui").rglob("*.py") if path.name != "app.py")
    offenders = [hit for path in files for hit in _app_reaches(path)]
    assert offenders == []


def test_app_and_screen_state_never_repaints_the_whole_screen() -> None:
    """A ``reactive`` declared on the App or a Screen repaints the whole screen each time it changes
    (the App's refresh is its screen's): the App's ``selected`` and ``result`` change on every resource
    switch and every result, and each cost a full-screen render more (#13). State there is a ``var``;
    the watchers refresh what shows it."""
    import inspect

    from textual.app import App
    from textual.reactive import Reactive
    from textual.screen import Screen

    modules = [m for package in ("builder.tui", "widgets") for m in _modules_of(package)]
    owners = {cls for name in modules for _, cls in inspect.getmembers(__import__(name, fromlist=["_"]), inspect.isclass)
              if issubclass(cls, (App, Screen)) and cls.__module__.startswith(("builder.", "widgets."))}
    assert any(cls.__name__ == "BuilderApp" for cls in owners)
    repainting = [f"{cls.__module__}.{cls.__name__}.{name}" for cls in owners for name, value in vars(cls).items()
                  if isinstance(value, Reactive) and (value._repaint or value._layout)]
    assert repainting == []


def _work_decorators() -> list[tuple[str, int, set[str]]]:
    """(file, line, keywords) of every ``@work(...)`` in the project."""
    import ast

    found = []
    for path in sorted([*(ROOT / "builder").rglob("*.py"), *(ROOT / "widgets").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    call = decorator if isinstance(decorator, ast.Call) else None
                    target = call.func if call else decorator
                    if isinstance(target, ast.Name) and target.id == "work":
                        keywords = {keyword.arg for keyword in call.keywords if keyword.arg} if call else set()
                        found.append((str(path.relative_to(ROOT)), node.lineno, keywords))
    return found


def test_every_worker_has_a_description() -> None:
    """Without one, Textual's ``@work`` writes the repr of every argument into the worker's description,
    on the event loop: the evaluation's pages cost 6.5 ms of each keystroke that way (#13), and a
    result or a project would carry records into a debug string."""
    workers = _work_decorators()
    assert len(workers) >= 9, workers  # the walk found the project's workers
    assert [(path, line) for path, line, keywords in workers if "description" not in keywords] == []
