"""What the tests of the files a start keeps in the user's cache share (method_cache, regex_cache,
compile_memo, the preset's parse, the JSON colours): running Python in a fresh process with its own
cache folder, the command run twice, and no home directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """``python -c code`` from the repository, with ``cache`` as ``$XDG_CACHE_HOME``."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env=dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONPATH=str(ROOT)))


def command(*argv: str) -> str:
    """The code that runs ``cursor-builder argv…`` through its entry point."""
    return f"import sys; sys.argv = {['cursor-builder', *argv]!r}; from builder.start import entry; entry()"


def kept_once(code: str, cache: Path, pattern: str) -> Path:
    """Run ``code`` twice: the first run writes the one file ``pattern`` names in the cache folder,
    the second prints the same and leaves that file as it was (it learned nothing new). The file."""
    first = run_python(code, cache)
    assert first.returncode == 0, first.stderr
    (path,) = (cache / "cursor-builder").glob(pattern)
    written = path.stat().st_mtime_ns
    second = run_python(code, cache)
    assert second.returncode == 0 and second.stdout == first.stdout, second.stderr
    assert path.stat().st_mtime_ns == written, "a run that learned nothing new writes nothing"
    return path


def no_home_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine where ``Path.home()`` fails (``HOME`` unset, no passwd entry): the caches then
    have no folder to name (``XDG_CACHE_HOME`` is left as the test set it)."""

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
