"""The focused-field editor and the layout from 80x24 up: the JQ is always editable, the editor
follows the focused row, edits flow both ways, the response follows the record in view, and the
mapping table reuses its rows when the resource changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.field_editor import FieldEditor
from widgets.json_viewer import JsonLines
from widgets.mapping_table import MappingRow, MappingTable

from .conftest import settle
from .snapshot_states import demo_app, pick, response_loaded

pytestmark = pytest.mark.anyio

SIZES = [(80, 24), (100, 30), (140, 44), (200, 60)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_the_jq_stays_editable_at_every_size(size: tuple[int, int], tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=size) as pilot:
        await response_loaded(pilot)
        for widget_id in ("#data-path", "#selector"):
            assert app.query_one(widget_id).size.width >= 20, widget_id
        table = app.query_one(MappingTable)
        row = table.row(("title",))
        assert row is not None
        table.focus_field(row.path)
        await settle(pilot)
        assert table.editor.size.width >= 16 and table.editor.region.y == table.lines.region.y + 1
        editor = app.query_one(FieldEditor)
        assert editor.path == ("title",) and editor.editor.text == row.expr
        assert app.query_one("#bottom-tabs").active == "tab-field"
        # The editor spans the main area (not the mapping column), whatever the width of the row.
        assert editor.editor.size.width >= app.query_one("#main").size.width - 6


async def test_edits_flow_between_the_row_and_the_editor(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(100, 30)) as pilot:
        await pick(pilot, "members")
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = app.query_one(MappingTable)
        table.focus_field(("properties", "role"))
        await settle(pilot)
        await pilot.press("enter")  # Enter on a row: edit it in the full-width editor
        await settle(pilot)
        editor = app.query_one(FieldEditor)
        assert app.focused is editor.editor
        await pilot.press("end", *" | ascii_upcase")
        await settle(pilot)
        resource = app.session.resource
        assert resource.mappings["properties"]["role"] == ".role | ascii_upcase"
        assert table.row(("properties", "role")).expr == ".role | ascii_upcase"
        assert table.editor.value == ".role | ascii_upcase"  # the table's editor is still on that field
        assert '"OWNER"' in str(app.query_one("#field-value").render())
        await pilot.press("escape")  # back to the row
        await settle(pilot)
        assert table.focused_row is not None and table.focused_row.path == ("properties", "role")
        await pilot.press("end", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace",
                          "backspace", "backspace", "backspace", "backspace", "backspace", "backspace",
                          "backspace", "backspace", "backspace")
        await settle(pilot)
        assert editor.editor.text == ".role"
        assert app.session.dirty


async def test_the_editor_completes_record_paths(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(100, 30)) as pilot:
        await response_loaded(pilot)
        app.query_one(MappingTable).focus_field(("title",))
        await settle(pilot)
        await pilot.press("enter")
        editor = app.query_one(FieldEditor).editor
        editor.load_text("")
        await settle(pilot)
        await pilot.press(*".userE")
        await settle(pilot)
        assert editor.dropdown_open
        await pilot.press("tab")
        await settle(pilot)
        assert editor.text == ".userEmail" and not editor.dropdown_open
        assert app.session.resource.mappings["title"] == ".userEmail"


async def test_multi_line_jq_shows_on_one_line_in_the_row(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(140, 44)) as pilot:
        await response_loaded(pilot)
        table = app.query_one(MappingTable)
        table.focus_field(("title",))
        await settle(pilot)
        await pilot.press("enter")
        editor = app.query_one(FieldEditor).editor
        editor.load_text(".userEmail\n| ascii_downcase")
        await settle(pilot)
        assert app.session.resource.mappings["title"] == ".userEmail\n| ascii_downcase"
        assert table.editor.value == ".userEmail | ascii_downcase"
        assert table.row(("title",)).expr == ".userEmail\n| ascii_downcase"  # drawn on one line (one_line)
        assert "@" in str(app.query_one("#field-value").render())


async def test_the_response_follows_the_record_in_view(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(140, 44)) as pilot:
        await response_loaded(pilot)
        lines = app.query_one("#response-json").query_one(JsonLines)
        await pilot.press("ctrl+n", "ctrl+n")
        await settle(pilot)
        assert lines.current_line is not None and lines.current_line.path == ".usageEvents[2]"
        app.session.record = 1000  # on page 3 of 4 (500 records a page)
        app.build_pane.show_record()
        await settle(pilot)
        run = app.session.run
        assert run.page_index == 2
        assert lines.current_line.path == ".usageEvents[0]"


async def test_switching_resources_adds_no_widgets(tmp_path: Path) -> None:
    # The fields are drawn by one widget, edited by one editor: a switch to a mapping with more
    # or fewer fields mounts, hides and lays out nothing per field (#13).
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(140, 44)) as pilot:
        await pick(pilot, "usage-events")
        table = app.query_one(MappingTable)
        widgets = list(table.walk_children())
        usage_fields = len(table.rows())
        await pick(pilot, "members")
        assert len(table.rows()) < usage_fields
        assert [row.path for row in table.rows()][:3] == [("identifier",), ("title",), ("blueprint",)]
        assert table.row(("properties", "email")).expr == ".email"
        assert list(table.walk_children()) == widgets
        await pick(pilot, "usage-events")
        assert len(table.rows()) == usage_fields and list(table.walk_children()) == widgets
        assert table.lines.size.height == usage_fields + 2  # and a title line for "properties" and "relations"


async def test_tab_in_data_path_moves_on(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(140, 44)) as pilot:
        await response_loaded(pilot)
        data_path = app.query_one("#data-path")
        data_path.focus()
        await settle(pilot)
        assert data_path.dropdown_open  # the arrays of the response are offered on focus
        await pilot.press("tab")
        await settle(pilot)
        assert data_path.value == ".usageEvents"  # not overwritten by the highlighted choice
        assert not data_path.field.has_focus


async def test_compact_layout_switches_between_response_and_mapping(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(100, 30)) as pilot:
        await response_loaded(pilot)
        assert not app.query_one("#io-tabs").display or not app.query_one("#io-tabs").region.width
        await pilot.press("f3")
        await settle(pilot)
        assert app.query_one("#io-tabs").region.width > 60
        assert app.focused is app.query_one("#response-json").query_one(JsonLines)
        await pilot.press("f3")
        await settle(pilot)
        assert app.query_one("#mapping").region.width > 60
        assert isinstance(app.query_one(MappingTable).focused_row, MappingRow)
