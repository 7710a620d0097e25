"""Editing the project from the Build tab: resources, properties, auto-map, request details,
and what must not count as an edit (moving around)."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.project.load import load_project
from widgets.mapping_table import MappingTable
from widgets.resource_list import ResourceList

from .conftest import SIZE, settle
from .snapshot_states import demo_app, pick

pytestmark = pytest.mark.anyio


async def test_moving_through_every_resource_changes_nothing(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.session.project.dumps()
        app.query_one(ResourceList).focus()
        for _ in app.session.project.resources:
            await pilot.press("down")  # fast, without waiting: late change events must not leak across
        await settle(pilot)
        await pilot.press("home")
        await settle(pilot)
        assert app.session.project.dumps() == before
        assert not app.session.dirty


async def test_add_duplicate_rename_remove_resources(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")
        count = len(app.session.project.resources)
        await pilot.press("c")  # duplicate
        await settle(pilot)
        assert app.session.resource.name == "members-copy"
        assert len(app.session.project.resources) == count + 1

        await pilot.press("f2")  # rename
        await pilot.press("end", "ctrl+u", *"members-b", "enter")
        await settle(pilot)
        assert app.session.resource.name == "members-b"
        assert "members-b" in str(app.query_one(ResourceList).get_option_at_index(app.session.selected).prompt)

        await pilot.press("f2")
        await pilot.press("end", "ctrl+u", *"members", "enter")  # taken: refused, dialog stays
        await settle(pilot)
        assert "already used" in str(app.screen.query_one("#prompt-error").render())
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("delete")
        await settle(pilot)
        assert "members-b" not in app.session.project.resource_names()

        await pilot.press("a")
        await pilot.press("end", "ctrl+u", *"/teams/spend", "enter")
        await settle(pilot)
        assert app.session.resource.kind == "/teams/spend"
        assert app.session.dirty


async def test_properties_add_rename_delete_and_auto_map(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")  # the preset's recorded sample: records without sending
        mappings = app.session.resource.mappings
        table = app.query_one(MappingTable)

        await pilot.press("f4")
        await pilot.press(*"seat", "enter")
        await settle(pilot)
        assert mappings["properties"]["seat"] == ".seat"
        assert table.focused_row is table.row(("properties", "seat"))  # ready to write its JQ
        assert table.editor.field.has_focus and table.editor.value == ".seat"

        await pilot.press("f2")
        await pilot.press("end", "ctrl+u", *"seat_type", "enter")
        await settle(pilot)
        assert "seat" not in mappings["properties"] and mappings["properties"]["seat_type"] == ".seat"
        assert list(mappings["properties"])[-1] == "seat_type"  # renamed in place, order kept

        table.focus_field(("properties", "seat_type"))
        await pilot.press("f8")
        await settle(pilot)
        assert "seat_type" not in mappings["properties"]

        del mappings["properties"]["email"]
        app.build_pane.select_resource(app.session.selected)
        await settle(pilot)
        await pilot.press("f6")  # auto-map adds what is missing and keeps what was written
        await settle(pilot)
        assert mappings["properties"]["email"] == ".email"
        assert mappings["properties"]["role"] == ".role"
        assert table.row(("properties", "email")) is not None


async def test_request_details_edit_the_selector_and_extensions(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "audit-logs")
        await app.run_action("show_io('request')")
        await settle(pilot)
        area = app.query_one("#section-query_params")
        area.focus()
        area.load_text("")  # start from empty, then type like a user
        await settle(pilot)
        await pilot.press(*"pageSize: 50")
        await settle(pilot)
        resource = app.session.resource
        assert resource.selector["query_params"] == {"pageSize": 50}
        await pilot.press("enter", *"size: [")
        await settle(pilot)
        assert "not valid YAML" in str(app.query_one("#error-query_params").render())
        # The last text that parsed is kept ("size:" on the way, a null), never the broken one.
        assert resource.selector["query_params"] == {"pageSize": 50, "size": None}
        await pilot.press("backspace", *"10")
        await settle(pilot)
        assert not app.query_one("#error-query_params").has_class("-shown")
        assert resource.selector["query_params"] == {"pageSize": 50, "size": 10}
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = load_project(tmp_path / "cursor-builder.yaml").find_resource("audit-logs")
    assert saved.selector["query_params"] == {"pageSize": 50, "size": 10}


async def test_late_change_events_never_edit_another_resource(tmp_path: Path) -> None:
    """Input reports programmatic values late: loading A then B must not write A's data_path into B."""
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.session.project.dumps()
        pane = app.build_pane
        for index in (0, 1, 2, 3, 4, 0, 4):
            pane.select_resource(index)  # no pause between: every field's Changed arrives after the next load
        await settle(pilot)
        assert app.session.project.dumps() == before and not app.session.dirty


async def test_save_as_then_open_it_and_a_broken_file_says_why(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")
        await app.run_action("save_as")
        await pilot.press("end", "ctrl+u", *str(tmp_path / "copy.yaml"), "enter")
        await settle(pilot)
        assert (tmp_path / "copy.yaml").exists() and app.session.project.path == tmp_path / "copy.yaml"

        (tmp_path / "broken.yaml").write_text("version: 1\nportAppConfig: [\n")
        await app.run_action("open_project")
        await pilot.press("end", "ctrl+u", *str(tmp_path / "broken.yaml"), "enter")
        await settle(pilot)
        assert app.session.project.path == tmp_path / "copy.yaml"  # unchanged
        assert any("invalid YAML" in str(n.message) for n in app._notifications)

        await app.run_action("open_project")
        await pilot.press("end", "ctrl+u", *str(tmp_path / "copy.yaml"), "enter")
        await settle(pilot)
        assert app.session.project.path == tmp_path / "copy.yaml" and not app.session.dirty
        assert app.session.resource.name == app.session.project.resources[0].name
