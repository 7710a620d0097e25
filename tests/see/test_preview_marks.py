"""The Build tab's entity view and entities table show Port's calculation properties, marked ƒ and
kept apart from the payload (which stays exactly Ocean's)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult

from builder.engine import mapping
from builder.project.presets import load_preset, preset_sample
from widgets.entity_preview import EntityPreview
from widgets.entity_table import EntityTable

PRESET = load_preset()


class Host(App[None]):
    def compose(self) -> ComposeResult:
        # The Build pane gives them the open project's blueprints the same way.
        yield EntityPreview(find_blueprint=PRESET.find_blueprint)
        yield EntityTable(find_blueprint=PRESET.find_blueprint, id="table")


@pytest.mark.anyio
async def test_calculated_columns_and_line() -> None:
    result = mapping.run(PRESET.find_resource("daily-usage"), preset_sample("cursor", "daily-usage"))
    entities: list[dict[str, Any]] = result.entities
    app = Host()
    async with app.run_test(size=(140, 30)) as pilot:
        table = app.query_one(EntityTable)
        table.show(entities, list(range(len(entities))))
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:5] == ["#", "identifier", "title", "blueprint", "ƒ acceptance_rate"]
        preview = app.query_one(EntityPreview)
        preview.show(0, len(entities), entities[0], None)
        await pilot.pause()
        line = str(preview.query_one("#entity-calculated").render())
        assert "ƒ calculated by Port on read (not sent): acceptance_rate = " in line
        assert "acceptance_rate" not in entities[0]["properties"]
        member = {"identifier": "m", "blueprint": "cursor_member", "properties": {}}
        preview.show(0, 1, member, None)
        await pilot.pause()
        assert not preview.query_one("#entity-calculated").has_class("-shown")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
