"""The mapping table draws its fields as lines, with one editor over the field being edited (#13):
what each line shows, and the editor's moves (keys, clicks, scrolling, Tab) and edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.mapping_table import JQ_MIN_WIDTH, STATUS_WIDTH, MappingLines, MappingTable, one_line

from .conftest import settle
from .snapshot_states import demo_app, pick

pytestmark = pytest.mark.anyio


def drawn(table: MappingTable, line: int) -> str:
    """A line of the table as it is painted (the text of its cells)."""
    return table.lines.render_line(line).text


def columns(table: MappingTable, line: int) -> tuple[str, str, str, str]:
    """A field's line cut into its name, JQ, value and status cells."""
    name, jq, value = table.lines.columns()
    text = drawn(table, line)
    return (text[:name], text[name:name + jq], text[name + jq:name + jq + value],
            text[name + jq + value:name + jq + value + STATUS_WIDTH])


@pytest.mark.parametrize("size", [(140, 44), (100, 30), (80, 24)], ids=["140x44", "100x30", "80x24"])
async def test_each_line_shows_its_fields_name_jq_value_and_status(tmp_path: Path, size: tuple[int, int]) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=size) as pilot:
        await pick(pilot, "usage-events")
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = app.query_one(MappingTable)
        if not table.region.width:  # the compact layout shows the response: f3 shows the mapping
            await pilot.press("f3")
            await settle(pilot)
        name_width, jq_width, value_width = table.lines.columns()
        assert jq_width >= JQ_MIN_WIDTH and name_width + jq_width + value_width + STATUS_WIDTH == table.lines.size.width
        sections = [line for line in table.lines.lines if isinstance(line, str)]
        assert sections == ["properties", "relations"]
        for index, line in enumerate(table.lines.lines):
            if isinstance(line, str):
                assert drawn(table, index).strip() == line
                continue
            name, jq, value, status = columns(table, index)
            assert len(drawn(table, index)) == table.lines.size.width
            # Cropped to the column, with an ellipsis where the text goes on.
            assert name.rstrip() == line.label or (name.endswith("…") and line.label.startswith(name[:-1]))
            shown = one_line(line.expr) or line.placeholder
            assert jq[0] == " " and shown.startswith(jq[1:-1].rstrip()) and jq[1:-1].rstrip()
            text = line.value.plain
            assert value[0] == " " and (value[1:].rstrip() == text or value.endswith("…")
                                        and text.startswith(value[1:-1]))
            assert status.strip() == line.status.plain
        icon = table.row(("icon",))
        assert icon is not None and columns(table, table.lines.lines.index(icon))[1].strip() == "(unset)"
        assert icon.value.plain == "unset"
        model = table.row(("properties", "model"))
        record = app.session.result.records[app.session.record]
        assert model is not None and model.value.plain == f'"{record["model"]}"' and model.status.plain == "✓"


async def test_an_edit_changes_the_line_and_moving_on_keeps_what_was_typed(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(140, 44)) as pilot:
        await pick(pilot, "members")
        table = app.query_one(MappingTable)
        editor = table.focus_field(("properties", "role"))
        await settle(pilot)
        assert table.editor.region.y == table.lines.region.y + table.lines.lines.index(table.row(("properties", "role")))
        # Typed and moved on at once: the keys reach the field before it moves (no wait between).
        await pilot.press("end", *" | ascii_upcase", "down")
        await settle(pilot)
        role = table.row(("properties", "role"))
        assert role.expr == ".role | ascii_upcase"
        assert app.session.resource.mappings["properties"]["role"] == ".role | ascii_upcase"
        assert table.focused_row is not role and editor.value == one_line(table.focused_row.expr)
        assert ".role | ascii_upcase" in columns(table, table.lines.lines.index(role))[1]
        record = app.session.result.records[app.session.record]
        assert role.value.plain == f'"{record["role"].upper()}"'

        # Moved on before the field's own change event is handled (keys faster than the loop): what
        # the field holds is handed to the field it was typed in, not lost, not given to the next one.
        email = table.row(("properties", "email"))
        editor = table.focus_field(email.path)
        await settle(pilot)
        editor.field.value = ".email | ascii_upcase"  # as a key does; its Input.Changed still queued
        table.action_move(-1)
        await settle(pilot)
        assert email.expr == ".email | ascii_upcase"
        assert app.session.resource.mappings["properties"]["email"] == ".email | ascii_upcase"
        assert table.focused_row is not email and table.focused_row.expr != ".email | ascii_upcase"


async def test_clicks_scrolling_and_tab_move_the_editor(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(140, 44)) as pilot:
        await pick(pilot, "usage-events")
        table = app.query_one(MappingTable)
        lines = table.lines.lines
        table.focus_field(("properties", "timestamp"))
        await settle(pilot)
        before = table.editor.region.y
        table.scroll_to(y=5, animate=False)
        await settle(pilot)
        assert table.editor.region.y == before - 5  # the editor scrolls with its line
        email = table.row(("properties", "user_email"))
        await pilot.click(MappingLines, offset=(2, lines.index(email)))
        await settle(pilot)
        assert table.focused_row is email and app.focused is table.editor.field
        assert table.editor.value == ".userEmail"

        rows = table.rows()
        await pilot.press("tab")  # Tab goes field by field...
        await settle(pilot)
        assert table.focused_row is rows[rows.index(email) + 1]
        await pilot.press("shift+tab")
        await settle(pilot)
        assert table.focused_row is email
        table.focus_field(rows[-1].path)
        await settle(pilot)
        region = table.editor.region
        assert table.scrollable_content_region.contains(region.x, region.y)  # scrolled into view
        await pilot.press("tab")  # ...and on out of the table after the last one
        await settle(pilot)
        assert table.focused_row is None and app.focused is not None


async def test_control_characters_in_a_field_are_shown_not_obeyed(tmp_path: Path) -> None:
    # Other people's data: an ESC or a C1 CSI in a property's name or JQ would recolour or move the
    # terminal's cursor if drawn raw (builder.project.printable, issue #11).
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=(140, 44)) as pilot:
        await pick(pilot, "members")
        table = app.query_one(MappingTable)
        mappings = dict(app.session.resource.mappings)
        mappings["properties"] = {"ev\x9bil": '"\x1b[2J"'}
        table.set_mapping(mappings)
        await settle(pilot)
        row = table.row(("properties", "ev\x9bil"))
        text = drawn(table, table.lines.lines.index(row))
        assert "ev\\x9bil" in text and '"\\x1b[2J"' in text
        assert "\x9b" not in text and "\x1b" not in text
