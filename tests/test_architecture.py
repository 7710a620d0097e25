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
