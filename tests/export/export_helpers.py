"""Helpers shared by the export, lint and schema tests (imported as a plain module: tests/ is no package)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from builder.project.load import load_project
from builder.project.model import Project

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
        from builder.project.presets import load_preset  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        return load_preset("cursor")
    except Exception:  # noqa: BLE001 - not there yet (FileNotFoundError, ProjectError, ...)
        return None


# -- the app, for the Pilot tests of the Export and Blueprint tabs -----------------------------------

SIZE = (140, 44)


def demo_app(tmp_path: Path, *, basic: bool = True) -> Any:
    """The real app on a copy of the fixture project, against the in-process Cursor simulator.

    ``basic``: authenticate the way the simulator expects (Basic, key as username) for sending;
    the fixture itself uses api_key (what Ocean needs), which the simulator refuses.
    """
    from datetime import datetime, timezone

    from builder.tui.app import make_app
    from builder.simulator import SimulatorConfig

    target = tmp_path / "cursor-builder.yaml"
    target.write_text((FIXTURES / "cursor-project.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    project = load_project(target)
    if basic:
        for key in ("apiKey", "apiKeyHeader"):
            project.config.pop(key, None)
        project.config.update(authType="basic", username="${CURSOR_API_KEY}")
    simulator = SimulatorConfig(now=datetime(2026, 5, 5, 12, tzinfo=timezone.utc), seed=42, rate_limits=False)
    return make_app(project, demo=True, simulator=simulator, env={}, test_mode=True)


async def settle(pilot: Any) -> None:
    """Let waiting evaluations start and workers finish (no sleeps: wait on the work itself)."""
    app = pilot.app
    for _ in range(4):
        await pilot.pause()
        app.build_pane.flush()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def open_tab(pilot: Any, tab: str, kind: type) -> Any:
    pilot.app.show_tab(tab)
    for _ in range(10):
        await pilot.pause()
        found = pilot.app.query(kind)
        if found and pilot.app.focused is not None and found.first() in pilot.app.focused.ancestors:
            # the pane builds its content in workers (exports, lint, inference): wait on them
            await settle(pilot)
            return found.first()
    raise AssertionError(f"the {tab} tab did not open with the focus inside it")
