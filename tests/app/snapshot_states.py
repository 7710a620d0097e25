"""The app's main states, reached the way a user reaches them. Shared by the snapshot tests and
``scripts/screenshots.py`` so the committed screenshots and the snapshots show the same thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Awaitable, Callable

from builder.tui.app import BuilderApp, make_app
from widgets.mapping_table import MappingTable
from widgets.resource_list import ResourceList

from .conftest import settle, simulator_config

State = Callable[[Any], Awaitable[None]]


def demo_app(project_file: Path) -> BuilderApp:
    """A new project (Cursor preset) against the simulator with a fixed clock and seed."""
    return make_app(project_file, demo=True, simulator=simulator_config(), env={}, test_mode=True)


def steady(app: BuilderApp) -> None:
    """No blinking cursor in a picture: the blink phase would differ from run to run."""
    for widget in app.query("*"):
        if hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False


async def pick(pilot: Any, name: str) -> None:
    app = pilot.app
    resources = app.query_one(ResourceList)
    resources.focus()
    resources.highlighted = app.session.project.resource_names().index(name)
    await settle(pilot)


async def fresh_demo(pilot: Any) -> None:
    await settle(pilot)
    steady(pilot.app)


async def response_loaded(pilot: Any) -> None:
    await pick(pilot, "usage-events")
    await pilot.press("ctrl+r")
    await settle(pilot)
    steady(pilot.app)


async def mapping_error(pilot: Any) -> None:
    await response_loaded(pilot)
    row = pilot.app.query_one(MappingTable).row(("properties", "input_tokens"))
    row.jq_input.focus()
    await pilot.press("end", "ctrl+u", *".tokenUsage | keys | length")  # null has no keys: some records fail
    await settle(pilot)
    steady(pilot.app)


async def entities_view(pilot: Any) -> None:
    await response_loaded(pilot)
    await pilot.app.run_action("show_bottom('entities')")
    pilot.app.query_one("#entities").focus()
    await settle(pilot)
    steady(pilot.app)


STATES: dict[str, State] = {
    "fresh-demo": fresh_demo,
    "response-loaded": response_loaded,
    "mapping-error": mapping_error,
    "entities": entities_view,
}
