"""The start path of ``cursor-builder``: what it does before the first frame, and what waits until after."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TextArea

import builder.cli
import builder.tui.app
import builder.tui.screens.results as results_module
from builder.tui.app import BuilderApp
from builder.tui.state.session import request_section
from widgets.deferred import ComposedAfterFirstPaint
from widgets.field_editor import FieldEditor
from widgets.mapping_table import MappingTable
from widgets.request_panel import RequestPanel, to_yaml

from .conftest import SIZE, settle

pytestmark = pytest.mark.anyio


@pytest.fixture
def gc_restored() -> Iterator[None]:
    """The cyclic GC as it was, whatever the test did to it (and nothing left frozen)."""
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
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
    gc.set_threshold(700, 10, 10)  # Python's own
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.isenabled()
        assert gc.get_threshold() == (builder.tui.app.GC_THRESHOLD, 10, 10)  # full collections ~14x rarer


async def test_an_app_started_with_the_gc_on_leaves_it_alone(demo_app: Callable[..., BuilderApp],
                                                             gc_restored: None) -> None:
    """Tests and the screenshot script build the app with the GC on: nothing is frozen then."""
    gc.enable()
    frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.isenabled()
        assert gc.get_freeze_count() == frozen and gc.get_threshold() == threshold


class Panel(ComposedAfterFirstPaint, Vertical):
    def compose(self) -> ComposeResult:
        if not self.children_ready:
            return
        yield Static("", id="text")

    def show(self, text: str) -> None:
        if self.later(self.show, text):
            return
        self.query_one("#text", Static).update(text)


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Panel()

    def on_mount(self) -> None:
        panel = self.query_one(Panel)
        self.before_paint = list(panel.children)
        panel.show("first")
        panel.show("latest")  # before the children exist: kept, the latest call wins


async def test_a_deferred_widget_shows_what_it_was_given_before_its_children_existed() -> None:
    app = Host()
    async with app.run_test() as pilot:
        panel = app.query_one(Panel)
        for _ in range(10):  # a hang guard: composed after the first paint, a few refreshes at most
            if panel.children_mounted:
                break
            await pilot.pause()
        assert app.before_paint == []
        assert str(app.query_one("#text", Static).content) == "latest"
        panel.show("now")  # once composed, straight through
        assert str(app.query_one("#text", Static).content) == "now"


async def test_the_hidden_request_and_field_panels_hold_the_selected_resource(
        demo_app: Callable[..., BuilderApp]) -> None:
    """Composed after the first paint, they show what the Build tab gave them before."""
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.query_one(RequestPanel).children_mounted and app.query_one(FieldEditor).children_mounted
        resource = app.session.resource
        assert resource is not None
        for key in ("query_params", "headers", "body", "x-query", "x-body", "x-pagination"):
            assert app.query_one(f"#section-{key}", TextArea).text == to_yaml(request_section(resource, key))
        head = str(app.query_one("#field-head", Static).content)
        # No row focused yet: it says how to pick one (and never "no records yet": the first
        # record is mapped with the first frame, #13).
        assert "Focus a mapping row" in head and "no records" not in head


def first_paint_spy(app: BuilderApp, look: Callable[[], Any]) -> list[Any]:
    """What ``look()`` returns at the app's first paint (the list fills when it happens)."""
    seen: list[Any] = []
    display = app._display

    def painted(screen: Any, renderable: Any) -> None:
        if not seen:
            seen.append(look())
        display(screen, renderable)

    app._display = painted  # type: ignore[method-assign]
    return seen


#: A field's status before the run over all records answers: not run yet, or run again after an edit.
NOT_YET = {"–", "…"}


def screen_state(app: BuilderApp) -> tuple[Any, ...]:
    table = app.query_one(MappingTable)
    return (app.session.result is not None, [row.status.plain for row in table.rows()],
            str(app.query_one("#found-count", Static).render()), app.build_pane.results.idle)


async def test_the_first_frame_holds_every_fields_status_and_the_counts(demo_app: Callable[..., BuilderApp]) -> None:
    """The first evaluation runs before the first frame (nothing else waits then): the frame holds
    what the run over all records gives, not '…' and a later frame with the rest (#13)."""
    app = demo_app()
    seen = first_paint_spy(app, lambda: screen_state(app))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert seen, "never painted"
        has_result, statuses, found, _ = seen[0]
        assert has_result
        assert statuses and not NOT_YET & set(statuses) and "✓" in statuses
        assert found == f"→ {len(app.session.result.records)} records"
        assert seen[0] == screen_state(app)  # and nothing changed after it


async def test_a_first_evaluation_over_its_budget_runs_in_the_worker(demo_app: Callable[..., BuilderApp],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Over :data:`START_BUDGET` the first evaluation stops on the UI thread and is left to the
    worker, as every later one is; its result is shown when it answers."""
    import threading

    from builder.tui.state.evaluation import Evaluator

    runs: list[tuple[bool, bool]] = []  # (on the UI thread, gave a result)
    run = Evaluator.run

    def spied(self: Evaluator, *args: Any, **kwargs: Any) -> Any:
        result = run(self, *args, **kwargs)
        runs.append((threading.current_thread() is threading.main_thread(), result is not None))
        return result

    monkeypatch.setattr(Evaluator, "run", spied)
    monkeypatch.setattr(results_module, "START_BUDGET", -1.0)  # over budget at its first chunk
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert runs == [(True, False), (False, True)]
        has_result, statuses, found, idle = screen_state(app)
        assert has_result and idle and "✓" in statuses and not NOT_YET & set(statuses)
        assert found == f"→ {len(app.session.result.records)} records"


async def test_the_demos_connection_test_imports_the_source_off_the_event_loop_after_the_first_paint(
        demo_app: Callable[..., BuilderApp], monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx and the source (~140 ms of imports) held up the first frame, then every key pressed
    after it: they load on a thread once the screen is painted, and the test runs when they are in."""
    import threading

    from builder.tui.screens.build import BuildPane

    events: list[str] = []
    imported = BuildPane.SourceImported.__init__
    tested = BuildPane.test_connection

    def on_imported(self: Any, *args: Any) -> None:
        events.append("imported on the event loop" if threading.current_thread() is threading.main_thread()
                      else "imported on a thread")
        imported(self, *args)

    def on_test(self: BuildPane) -> Any:
        events.append("tested")
        return tested(self)

    monkeypatch.setattr(BuildPane.SourceImported, "__init__", on_imported)
    monkeypatch.setattr(BuildPane, "test_connection", on_test)
    app = demo_app()
    display = app._display

    def painted(screen: Any, renderable: Any) -> None:
        if "painted" not in events:
            events.append("painted")
        display(screen, renderable)

    app._display = painted  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert events == ["painted", "imported on a thread", "tested"]
        assert "Reached the built-in simulator" in str(app.query_one("#connection-result").render())


@pytest.mark.parametrize("given, expected", [(None, "120"), ("30", "30")])
def test_the_app_paints_up_to_120_frames_a_second_unless_told_otherwise(given: str | None, expected: str) -> None:
    """Textual reads TEXTUAL_FPS once, on import: a fresh interpreter, as `cursor-builder` starts (#13)."""
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "TEXTUAL_FPS"}
    if given is not None:
        env["TEXTUAL_FPS"] = given
    shown = subprocess.run([sys.executable, "-c", "import builder.tui.app, textual.constants as c; print(c.MAX_FPS)"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert shown == expected


#: Modules the first frame never waits for (#13): the Request and Field panels' TextAreas (composed
#: after it), PyYAML (the preset's parse is cached; the Request panel's YAML comes after it),
#: httpx (the demo's connection test imports it on a thread), Pygments' lexers (the JSON viewer).
NOT_BEFORE_FIRST_FRAME = ("textual.widgets._text_area", "widgets.jq_editor", "yaml", "httpx", "rich.syntax",
                          "pygments.lexer")

FIRST_FRAME_MODULES = """
import asyncio, sys
from builder.tui.app import make_app

async def main():
    app = make_app(None, demo=True)
    seen = []
    display = app._display
    def painted(screen, renderable):
        if not seen:
            seen.append([name for name in NAMES if name in sys.modules])
        display(screen, renderable)
    app._display = painted
    async with app.run_test(size=(140, 44)) as pilot:
        while not seen:
            await pilot.pause()
    print(seen[0])

NAMES = %r
asyncio.run(main())
"""


def test_the_first_frame_waits_for_none_of_the_later_imports(tmp_path: Path) -> None:
    """In a fresh interpreter, as ``cursor-builder --demo`` starts in a folder without a project file:
    the first start after an install fills the cache (and parses the preset with PyYAML), the next
    ones import none of these before their first frame."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = FIRST_FRAME_MODULES % (NOT_BEFORE_FIRST_FRAME,)
    runs = [subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                           check=True).stdout.strip().splitlines()[-1] for _ in range(2)]
    assert runs == ["['yaml']", "[]"]


async def test_the_first_layout_is_done_once_and_lays_out_what_textuals_does(
        demo_app: Callable[..., BuilderApp], monkeypatch: pytest.MonkeyPatch) -> None:
    """builder.tui.first_screen.FirstLayoutCompositor: the screen's first layout arranges the screen
    once (Textual's lays it out again from inside, for a scroll bar's refresh); every widget ends up
    where Textual puts it, and the screen is drawn the same."""
    from textual._compositor import Compositor

    from builder.tui.first_screen import FirstLayoutCompositor

    arranged: list[bool] = []
    arrange = Compositor._arrange_root

    def counted(self: Compositor, *args: Any, **kwargs: Any) -> Any:
        arranged.append(bool(self._full_map))
        return arrange(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "_arrange_root", counted)

    async def start(app: BuilderApp) -> tuple[int, dict[Any, Any], str]:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            first = arranged.index(True) if True in arranged else len(arranged)  # arranges before a map existed
            compositor = app.screen._compositor
            layout = {(type(widget).__name__, widget.id, index): (geometry.region, geometry.clip)
                      for index, (widget, geometry) in enumerate(compositor.full_map.items())}
            return first, layout, app.export_screenshot()

    ours = await start(demo_app())
    arranged.clear()
    monkeypatch.setattr(FirstLayoutCompositor, "reflow", Compositor.reflow)  # Textual's own
    textuals = await start(demo_app())
    assert ours[0] == 1 and textuals[0] > 1, "Textual's first layout arranges again from inside; ours once"
    assert ours[1] == textuals[1]
    assert ours[2] == textuals[2]
