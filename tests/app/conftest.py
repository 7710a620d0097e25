"""Fixtures for the app tests: the real app, in-process against the Cursor simulator, with a
fixed simulated "now" and seed so every run (and every snapshot) sees the same data."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from textual.worker import WorkerCancelled

from builder.tui.app import BuilderApp, make_app
from builder.project.model import Project, load_project
from builder.simulator import SimulatorConfig

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 5, 5, 12, 0, tzinfo=timezone.utc)
SIZE = (140, 44)


def simulator_config(**overrides: Any) -> SimulatorConfig:
    # No rate limits by default: a test that sends twice must not depend on the minute window.
    settings: dict[str, Any] = {"now": NOW, "seed": 42, "rate_limits": False}
    settings.update(overrides)
    return SimulatorConfig(**settings)


def fixture_project(tmp_path: Path) -> Project:
    """The test project, copied into tmp_path so saving never touches the repository."""
    target = tmp_path / "cursor-builder.yaml"
    target.write_text((FIXTURES / "project.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return load_project(target)


@pytest.fixture
def demo_app(tmp_path: Path) -> Callable[..., BuilderApp]:
    def factory(project: Project | None = None, **simulator: Any) -> BuilderApp:
        return make_app(project or fixture_project(tmp_path), demo=True, simulator=simulator_config(**simulator),
                        env={}, test_mode=True)

    return factory


async def settle(pilot: Any) -> None:
    """Let debounce timers fire and workers finish (no sleeps: wait on the work itself)."""
    app = pilot.app
    pane = app.build_pane
    for _ in range(40):
        await pilot.pause()
        # The evaluation debounce is a timer, not a worker: fire it now instead of waiting it out.
        pane.flush()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an evaluation replaced by a newer one (exclusive workers): wait for the newer
        await pilot.pause()
        if pane.idle and not any(worker.is_running for worker in app.workers):
            return


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Request history goes to the user's state directory: in tests, a fresh one per test."""
    where = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("CURSOR_BUILDER_STATE_DIR", str(where))
    return where


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
