"""The whole loop, driven by keys through Pilot, against the in-process Cursor simulator: open
the demo on a new project (the Cursor preset), pick a preset resource, send, change data_path,
edit a property's JQ (valid, invalid, valid again), check the values and the entity JSON shown,
save and reload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.tui.app import make_app
from builder.project.load import load_project
from widgets.json_viewer import JsonViewer
from widgets.mapping_table import MappingTable
from widgets.resource_list import ResourceList

from .conftest import SIZE, settle, simulator_config

pytestmark = pytest.mark.anyio


def entity_text(app) -> str:
    viewer = app.query_one("#entity-json", JsonViewer)
    return "\n".join(line.text() for line in viewer.body.json_lines)


def shown(widget) -> str:
    return str(widget.render())


async def pick(pilot, name: str) -> None:
    """Select a resource with the keyboard: focus the list, arrow down to it."""
    app = pilot.app
    resources = app.query_one(ResourceList)
    resources.focus()
    await pilot.press("home")
    for _ in range(app.session.project.resource_names().index(name)):
        await pilot.press("down")
    await settle(pilot)


async def retype(pilot, jq_input, text: str) -> None:
    jq_input.focus()
    await pilot.press("end", "ctrl+u", *text)
    await settle(pilot)


def demo(path: Path):
    return make_app(path, demo=True, simulator=simulator_config(), env={}, test_mode=True)


async def test_demo_send_map_edit_save_and_reload(tmp_path: Path) -> None:
    project_file = tmp_path / "cursor-builder.yaml"
    app = demo(project_file)  # no file yet: a new project from the Cursor preset
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.demo and app.session.project.path == project_file
        assert "members" in app.session.project.resource_names()
        await pick(pilot, "members")
        assert app.session.resource.name == "members"

        await pilot.press("ctrl+r")
        await settle(pilot)
        run = app.session.run
        assert run.error is None and not run.saved_sample
        summary = shown(app.query_one("#response-summary"))
        assert summary.startswith("200") and "– ms" in summary  # timings hidden in test mode
        members = run.pages[0].data["teamMembers"]
        result = app.session.result
        assert len(result.records) == len(members) == result.kept
        assert f"{len(members)} records" in shown(app.query_one("#found-count"))

        # data_path: narrow it, then back.
        data_path = app.query_one("#data-path")
        await retype(pilot, data_path, ".teamMembers[:3]")
        assert app.session.resource.data_path == ".teamMembers[:3]"
        assert len(app.session.result.records) == 3
        assert "3 records" in shown(app.query_one("#found-count"))
        await retype(pilot, data_path, ".teamMembers")
        assert len(app.session.result.records) == len(members)

        table = app.query_one(MappingTable)
        role = table.row(("properties", "role"))
        first = app.session.result.records[0]

        # Valid JQ: the value and the entity follow.
        await retype(pilot, table.focus_field(role.path), '.role | ascii_upcase')
        assert app.session.resource.mappings["properties"]["role"] == ".role | ascii_upcase"
        assert role.value.plain == json.dumps(first["role"].upper())
        assert f'"role": "{first["role"].upper()}"' in entity_text(app)
        assert role.status.plain == "✓"

        # Invalid JQ: said where it happened; the entity shows Ocean's null; the app goes on.
        await retype(pilot, table.focus_field(role.path), ".role |")
        assert table.editor.has_class("-error")
        assert role.status.plain == "syntax"
        message = shown(table.query_one("#mapping-message"))
        assert "properties.role" in message and "does not compile" in message
        assert '"role": null' in entity_text(app)
        assert app.session.result.kept == len(members)

        # Valid again: the error is gone.
        await retype(pilot, table.focus_field(role.path), ".name")
        assert not table.editor.has_class("-error")
        assert role.value.plain == json.dumps(first["name"])
        assert f'"role": {json.dumps(first["name"])}' in entity_text(app)
        assert role.status.plain == "✓"
        assert not shown(table.query_one("#mapping-message"))

        # The next record: values and entity follow the selection.
        await pilot.press("ctrl+n")
        await settle(pilot)
        second = app.session.result.records[1]
        assert role.value.plain == json.dumps(second["name"])
        assert "record 2 of" in shown(app.query_one("#entity-title"))
        assert json.dumps(second["id"]) in entity_text(app)

        assert app.session.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.session.dirty and project_file.exists()

    saved = load_project(project_file)
    assert saved.find_resource("members").mappings["properties"]["role"] == ".name"
    text = project_file.read_text()
    assert "${CURSOR_API_KEY}" in text and "crsr_" not in text  # the demo key never reaches the file

    again = demo(project_file)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "members")
        assert again.query_one(MappingTable).row(("properties", "role")).expr == ".name"
        assert not again.session.dirty


async def test_pages_forward_and_back(tmp_path: Path) -> None:
    app = demo(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "usage-events")
        await pilot.press("ctrl+r")
        await settle(pilot)
        run = app.session.run
        assert len(run.pages) > 1
        assert f"page 1/{len(run.pages)}" in shown(app.query_one("#response-summary"))
        app.query_one("#response-json").focus()
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert f"page 2/{len(run.pages)}" in shown(app.query_one("#response-summary"))
        assert run.current.request_body["page"] == 2  # pagination in the POST body (x-builder)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert f"page 1/{len(run.pages)}" in shown(app.query_one("#response-summary"))
        # Every page's records are mapped, not only the one in view.
        assert len(app.session.result.records) == sum(len(p.data["usageEvents"]) for p in run.pages)
