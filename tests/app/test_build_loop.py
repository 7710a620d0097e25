"""The whole loop, driven by keys through Pilot, against the in-process Cursor simulator:
open the demo, pick a resource, send, change data_path, edit a property's JQ (valid, invalid,
valid again), check the values and the entity JSON shown, save and reload."""

from __future__ import annotations

import json
from pathlib import Path

from builder.app import make_app
from builder.project import load_project
from widgets.json_viewer import JsonViewer
from widgets.mapping_table import MappingTable
from widgets.records_bar import RecordsBar
from widgets.resource_list import ResourceList

import pytest

from .conftest import SIZE, fixture_project, settle, simulator_config


def entity_text(app) -> str:
    viewer = app.query_one("#entity-json", JsonViewer)
    return "\n".join(line.text() for line in viewer.body.json_lines)


def shown(widget) -> str:
    return str(widget.render())


async def pick(pilot, name: str) -> None:
    resources = pilot.app.query_one(ResourceList)
    resources.focus()
    index = pilot.app.session.project.resource_names().index(name)
    resources.highlighted = index
    await settle(pilot)


async def retype(pilot, row_input, text: str) -> None:
    row_input.focus()
    await pilot.press("end", "ctrl+u", *text)
    await settle(pilot)


@pytest.mark.anyio
async def test_demo_send_map_edit_and_save(demo_app, tmp_path: Path) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.demo
        await pick(pilot, "usage events")
        assert app.session.resource.name == "usage events"

        await pilot.press("ctrl+r")
        await settle(pilot)
        run = app.session.run
        assert run.error is None and len(run.pages) == 3  # maxPages: 3 in the project
        summary = shown(app.query_one("#response-summary"))
        assert "200" in summary and "page 1/3" in summary and "– ms" in summary
        result = app.session.result
        assert len(result.records) == 300 and result.kept == 300
        assert "300 records" in shown(app.query_one("#found-count"))

        # data_path: the pagination object is one record; back to the events array.
        data_path = app.query_one("#data-path")
        await retype(pilot, data_path.field, ".pagination")
        assert app.session.resource.data_path == ".pagination"
        assert len(app.session.result.records) == 3  # one object per page
        await retype(pilot, data_path.field, ".usageEvents")
        assert len(app.session.result.records) == 300

        table = app.query_one(MappingTable)
        model_row = table.row(("properties", "model"))
        record = app.session.result.records[0]

        # Valid JQ: the value follows.
        await retype(pilot, model_row.jq_input.field, ".model | ascii_upcase")
        assert app.session.resource.mappings["properties"]["model"] == ".model | ascii_upcase"
        assert shown(model_row.value_cell) == json.dumps(record["model"].upper())
        assert f'"model": "{record["model"].upper()}"' in entity_text(app)

        # Invalid JQ: said where it happened, the app keeps working, Ocean's null in the entity.
        await retype(pilot, model_row.jq_input.field, ".model |")
        assert model_row.jq_input.has_class("-error")
        assert shown(model_row.status_cell) == "syntax"
        message = shown(table.query_one("#mapping-message"))
        assert "properties.model" in message and "does not compile" in message
        assert '"model": null' in entity_text(app)
        assert app.session.result.kept == 300

        # Valid again: the error is gone.
        await retype(pilot, model_row.jq_input.field, ".kind")
        assert not model_row.jq_input.has_class("-error")
        assert shown(model_row.value_cell) == json.dumps(record["kind"])
        assert f'"model": {json.dumps(record["kind"])}' in entity_text(app)
        assert shown(model_row.status_cell) == "✓"

        # Next record: values and entity follow the selection.
        await pilot.press("ctrl+n")
        await settle(pilot)
        second = app.session.result.records[1]
        assert app.session.record == 1
        assert json.dumps(second["kind"]) == shown(model_row.value_cell)

        assert app.session.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.session.dirty

    saved = load_project(tmp_path / "cursor-builder.yaml")
    usage = saved.find_resource("usage events")
    assert usage.mappings["properties"]["model"] == ".kind"
    assert usage.data_path == ".usageEvents"
    assert "CURSOR_API_KEY" in (tmp_path / "cursor-builder.yaml").read_text()

    # Reload: the saved mapping is what the app shows.
    again = make_app(tmp_path / "cursor-builder.yaml", demo=True, simulator=simulator_config(), env={},
                     test_mode=True)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "usage events")
        row = again.query_one(MappingTable).row(("properties", "model"))
        assert row.jq_input.value == ".kind"
        assert not again.session.dirty
