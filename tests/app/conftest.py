"""Fixtures for the app tests: the real app, in-process against the Cursor simulator, with a
fixed simulated "now" and seed so every run (and every snapshot) sees the same data."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from textual.worker import WorkerCancelled

from builder.tui.app import BuilderApp, make_app
from builder.project.load import load_project
from builder.project.model import Project
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


SETTLE_TRIES = 40
#: A hang guard, not a timing: a worker still running after this long fails the test, named,
#: instead of hanging the session (the app's workers answer within seconds on a loaded machine).
WORKER_DEADLINE = 120.0


async def settle(pilot: Any) -> None:
    """Let waiting evaluations start and workers finish (no sleeps: wait on the work itself).

    Fails loudly, naming what still runs, when the app has not settled after ``SETTLE_TRIES``
    rounds: a test must never go on to assert against a screen that is still changing."""
    app = pilot.app
    pane = app.build_pane
    for _ in range(SETTLE_TRIES):
        await pilot.pause()
        starting = pane.starting_process
        # Started after the first paint; until it answers, evaluations run in a thread. Waiting
        # for it here means what a test does next runs where the app normally evaluates.
        if starting is not None and not await asyncio.to_thread(starting.wait_ready, WORKER_DEADLINE):
            if starting.starting:  # neither ready nor ended: stuck
                raise AssertionError(f"the evaluation process did not start within {WORKER_DEADLINE:.0f} s")
        # An edit made while an evaluation runs waits for it to answer (newest wins): start it now.
        pane.flush()
        waiting = asyncio.ensure_future(app.workers.wait_for_complete())
        # asyncio.wait, not wait_for: wait_for_complete swallows the cancel wait_for would send.
        done, _ = await asyncio.wait({waiting}, timeout=WORKER_DEADLINE)
        if not done:
            # Left to end with the app (which cancels its workers); its outcome is not news.
            waiting.add_done_callback(lambda task: task.cancelled() or task.exception())
            raise AssertionError(f"workers still running after {WORKER_DEADLINE:.0f} s: {unsettled(app)}")
        try:
            waiting.result()
        except WorkerCancelled:
            pass  # an evaluation replaced by a newer one (exclusive workers): wait for the newer
        await pilot.pause()
        if pane.idle and not any(worker.is_running for worker in app.workers):
            return
    raise AssertionError(f"the app did not settle after {SETTLE_TRIES} rounds: {unsettled(app)}")


def unsettled(app: BuilderApp) -> str:
    """What keeps the app busy: an evaluation waiting to start and each running worker."""
    busy = [f"worker {worker.name!r} (group {worker.group!r}, {worker.state.name})"
            for worker in app.workers if worker.is_running]
    if not app.build_pane.idle:
        busy.insert(0, "an evaluation waiting for the running one to answer, or the demo's connection test for its imports")
    if app.build_pane.starting_process is not None:
        busy.insert(0, "the evaluation process, still starting")
    return ", ".join(busy) or "nothing running, yet not idle"


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Request history goes to the user's state directory: in tests, a fresh one per test."""
    where = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("CURSOR_BUILDER_STATE_DIR", str(where))
    return where


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
