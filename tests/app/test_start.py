"""The start path of ``cursor-builder``: what it does before the first frame, and what waits until after."""

from __future__ import annotations

import gc
from typing import Any, Callable, Iterator

import pytest

import builder.cli
import builder.tui.app
from builder.tui.app import BuilderApp

from .conftest import SIZE, settle

pytestmark = pytest.mark.anyio


@pytest.fixture
def gc_restored() -> Iterator[None]:
    """The cyclic GC as it was, whatever the test did to it (and nothing left frozen)."""
    enabled = gc.isenabled()
    try:
        yield
    finally:
        gc.unfreeze()
        (gc.enable if enabled else gc.disable)()


def test_the_tui_starts_with_the_cyclic_gc_off(monkeypatch: pytest.MonkeyPatch, gc_restored: None) -> None:
    """``cursor-builder`` (no command) turns the cyclic GC off before it imports and builds the app."""
    seen: list[bool] = []

    def run_app(project: Any, demo: bool = False) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(builder.tui.app, "run_app", run_app)
    monkeypatch.setattr(builder.cli, "_tui_ran", False)
    assert builder.cli.main(["--demo"]) == 0
    assert seen == [False]


async def test_the_first_paint_turns_the_cyclic_gc_back_on(demo_app: Callable[..., BuilderApp],
                                                           gc_restored: None) -> None:
    """The app started with the GC off (as the CLI starts it) has it on again once it has painted."""
    gc.disable()
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.isenabled()


async def test_an_app_started_with_the_gc_on_leaves_it_alone(demo_app: Callable[..., BuilderApp],
                                                             gc_restored: None) -> None:
    """Tests and the screenshot script build the app with the GC on: nothing is frozen then."""
    gc.enable()
    frozen = gc.get_freeze_count()
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen
