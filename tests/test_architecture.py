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
