"""Start-up and quit: the evaluation process starts after the first paint and never holds up a
quit, whatever state it is in; and ``settle()`` fails loudly, naming what still runs."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

import pytest

from builder.tui.app import BuilderApp
from builder.tui.screens import results
from builder.tui.screens.build import BuildPane
from builder.tui.state.eval_process import EvalProcess

from . import conftest
from .conftest import SIZE, WORKER_DEADLINE, settle

pytestmark = pytest.mark.anyio


async def exited(app: BuilderApp) -> bool:
    """True once the app's run task has ended (a hang guard, not a timing)."""
    task = app._task
    assert task is not None
    done, _ = await asyncio.wait({task}, timeout=WORKER_DEADLINE)
    return bool(done)


def refuse(*args: Any) -> Any:
    raise OSError("no subprocesses in this test")


@pytest.mark.parametrize("state", ["no-process", "not-started", "starting", "ready", "mid-evaluation"])
async def test_quit_right_after_start(demo_app: Callable[..., BuilderApp], monkeypatch: pytest.MonkeyPatch,
                                      state: str) -> None:
    """ctrl+q quits in every state the evaluation process can be in, and leaves no child behind."""
    if state == "no-process":
        monkeypatch.setattr(results, "EvalProcess", refuse)
    elif state == "not-started":
        monkeypatch.setattr(BuildPane, "start_evaluation_process", lambda self: None)
    app = demo_app()
    process: EvalProcess | None = None
    async with app.run_test(size=SIZE) as pilot:
        pane = app.build_pane
        if state in ("ready", "mid-evaluation"):
            await settle(pilot)
            process = pane.results.process
            assert process is not None and process.ready
            if state == "mid-evaluation":
                pane.send()  # a fetch, then an evaluation in the child: quit while they run
                await pilot.pause()
        else:
            await pilot.pause()
            process = pane.results.process
            if state == "starting":
                assert process is not None  # started after the first paint, and not waited for
            else:
                assert process is None
        await pilot.press("ctrl+q")
        assert await exited(app), "the app did not quit"
    assert app.return_code == 0
    if process is not None:
        # Stopped without waiting on it: reaped in the background; the child is gone.
        assert await asyncio.to_thread(process.wait_ended, WORKER_DEADLINE)


async def test_the_build_tab_evaluates_in_the_process_once_it_is_ready(
        demo_app: Callable[..., BuilderApp], monkeypatch: pytest.MonkeyPatch) -> None:
    submitted: list[int] = []
    submit = EvalProcess.submit

    def spy(self: EvalProcess, generation: int, *args: Any) -> None:
        submitted.append(generation)
        submit(self, generation, *args)

    monkeypatch.setattr(EvalProcess, "submit", spy)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.build_pane.results.process is not None and app.build_pane.results.process.ready
        app.build_pane.send()
        await settle(pilot)
        assert submitted and app.session.result is not None and app.session.result.records


async def test_settle_fails_naming_a_pending_evaluation(demo_app: Callable[..., BuilderApp],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(BuildPane, "idle", property(lambda self: False))  # an edit that never starts
        with pytest.raises(AssertionError, match="evaluation waiting for the running one to answer"):
            await settle(pilot)


async def test_settle_fails_naming_a_worker_that_never_ends(demo_app: Callable[..., BuilderApp],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        never = asyncio.Event()
        app.run_worker(never.wait(), name="never-ends", group="test")
        monkeypatch.setattr(conftest, "WORKER_DEADLINE", 0.2)  # the guard only: nothing is timed
        with pytest.raises(AssertionError, match="never-ends"):
            await settle(pilot)
        never.set()
