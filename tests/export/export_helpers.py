"""Helpers shared by the export, lint and schema tests (imported as a plain module: tests/ is no package)."""

from __future__ import annotations

import os
from pathlib import Path

from builder.project import Project, load_project

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
ROOT = HERE.parents[1]


def oracle_python() -> str | None:
    """$ORACLE_PYTHON, the repo's .oracle-venv, or /tmp/oracle (the dev box's scratch venv)."""
    explicit = os.environ.get("ORACLE_PYTHON")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in (ROOT / ".oracle-venv" / "bin" / "python", Path("/tmp/oracle/bin/python")):
        if candidate.exists():
            return str(candidate)
    return None


def fixture_project() -> Project:
    return load_project(FIXTURES / "cursor-project.yaml")


def preset_project() -> Project | None:
    """The Cursor preset once its author has landed it; None until then."""
    try:
        from builder.presets import load_preset  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        return load_preset("cursor")
    except Exception:  # noqa: BLE001 - not there yet (FileNotFoundError, ProjectError, ...)
        return None
