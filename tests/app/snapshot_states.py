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


async def field_editor(pilot: Any) -> None:
    """The focused-field editor on a long expression (the title of a usage event)."""
    await response_loaded(pilot)
    pilot.app.query_one(MappingTable).row(("title",)).jq_input.focus()
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    steady(pilot.app)


async def top_tab(pilot: Any, tab: str) -> None:
    await response_loaded(pilot)
    pilot.app.show_tab(tab)
    for _ in range(3):  # the tab's pane mounts, then its worker fills it
        await settle(pilot)
    steady(pilot.app)


async def rename_dialog(pilot: Any) -> None:
    await response_loaded(pilot)
    pilot.app.query_one(MappingTable).row(("properties", "model")).jq_input.focus()
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)
    steady(pilot.app)


async def help_dialog(pilot: Any) -> None:
    await field_editor(pilot)
    await pilot.press("f1")
    await settle(pilot)


async def palette(pilot: Any) -> None:
    await response_loaded(pilot)
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*"prop")
    await settle(pilot)


async def unsaved_dialog(pilot: Any) -> None:
    await field_editor(pilot)
    await pilot.press(*" | ascii_downcase")
    await settle(pilot)
    await pilot.press("ctrl+q")
    await settle(pilot)


#: Every tab, dialog and the palette (at the default size).
SCREENS: dict[str, State] = {
    "field-editor": field_editor,
    # The Blueprint, Export and Sync tabs are not pictured yet: their panes now mount lazily and fill
    # from workers, and top_tab does not wait for that (the first attempt pictured an empty pane).
    "rename-dialog": rename_dialog,
    "help-dialog": help_dialog,
    "unsaved-dialog": unsaved_dialog,
    "palette": palette,
}

#: The sizes the layout is checked at (issue #14: from 80x24 up, the JQ always editable).
SIZES: list[tuple[int, int]] = [(80, 24), (100, 30), (140, 44), (200, 60)]

STATES: dict[str, State] = {
    "fresh-demo": fresh_demo,
    "response-loaded": response_loaded,
    "mapping-error": mapping_error,
    "entities": entities_view,
}
