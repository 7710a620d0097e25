"""Issue #14: a newcomer does connect → map → infer → export → sync at 100×30 with the keyboard
alone. One run, every step a key press found in the footer, F1 or the palette (ctrl+p); no focus
calls, no clicks, no method calls: what the test presses is what a person presses."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Markdown, Static, TextArea

from builder.port.catalog import CatalogStore
from builder.tui.app import make_app
from builder.tui.screens.dialogs import HelpScreen
from widgets.jq_editor import JqEditor

from .conftest import settle, simulator_config

SIZE = (100, 30)


async def palette(pilot, command: str) -> None:
    """ctrl+p, type the command's title, Enter: how F1 says every action is reached."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*command)
    await settle(pilot)  # the palette's search is a worker
    await pilot.press("enter")
    await settle(pilot)


def shown(widget: Static) -> str:
    return str(widget.render())


@pytest.mark.anyio
async def test_connect_map_infer_export_sync_by_keyboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A new project (the Cursor preset) in an empty directory, and a machine where the local
    # catalog has never been used: its folder does not exist yet.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = make_app(tmp_path / "cursor-builder.yaml", demo=True, simulator=simulator_config(), env={}, test_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = app.build_pane

        # F1 names the keys of every step: send, the palette, and the tabs the footer has no room for.
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert {"ctrl+r", "ctrl+e", "ctrl+y"} <= set(keys) and "Export tab" in keys["ctrl+e"]
        assert "command palette (**ctrl+p**)" in app.screen.query_one(Markdown).source
        await pilot.press("escape")
        await settle(pilot)

        # Connect: the resource list has the focus; ↓ picks the second resource, ctrl+r sends it.
        assert app.session.resource.name == "members"
        await pilot.press("down")
        await settle(pilot)
        assert app.session.resource.name == "daily-usage"
        await pilot.press("ctrl+r")
        await settle(pilot)
        run = app.session.runs["daily-usage"]
        assert run.error is None and not run.saved_sample and run.current.status == 200
        assert "200" in shown(pane.query_one("#response-summary", Static))

        # Map: the palette's "Focus mapping" puts the cursor in the first field (identifier); ↓ to
        # the title; typing edits its JQ and the focused-field editor shows the value for the record.
        await palette(pilot, "focus mapping")
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("end", *" | ascii_upcase")
        await settle(pilot)
        title = app.session.resource.mappings["title"]
        assert title.endswith(" | ascii_upcase")
        assert pane.query_one("#field-jq", JqEditor).text == title
        value = shown(pane.query_one("#field-value", Static))
        assert value.startswith('= "') and value == value.upper(), value
        assert app.result is not None and all(entity["title"] == entity["title"].upper()
                                               for entity in app.result.entities)

        # Infer: the Blueprint tab (palette: "Go to Blueprint") proposes the blueprint from the entities.
        await palette(pilot, "go to blueprint")
        summary = shown(app.query_one("#bp-summary", Static))
        entities = len(app.result.entities)
        assert "cursor_user_usage_record" in summary and f"inferred from {entities} entities" in summary, summary
        assert '"identifier": "cursor_user_usage_record"' in app.query_one("#bp-json", TextArea).text

        # Export: ctrl+e, w (footer), Enter accepts the offered folder; the files land in it.
        await pilot.press("ctrl+e")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        written = tmp_path / "ocean-export"
        assert {"port-app-config.yaml", "blueprints.json", "values.yaml", "README.md"} <= {
            path.name for path in written.iterdir()}
        assert "ascii_upcase" in (written / "port-app-config.yaml").read_text(encoding="utf-8")

        # Sync: ctrl+y, p plans (nothing written), s runs into the embedded local catalog.
        await pilot.press("ctrl+y")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        sync = app.query_one("#sync-pane")
        assert sync.error is None and sync.plan is not None and sync.report is None, sync.error
        assert not (tmp_path / "data" / "cursor-builder" / "catalog.db").exists()  # a plan writes nothing
        await pilot.press("s")
        await settle(pilot)
        assert sync.error is None and sync.report is not None, sync.error

    # The default local catalog, its folder created for the newcomer as the CLI's sync does.
    store = CatalogStore(tmp_path / "data" / "cursor-builder" / "catalog.db")
    try:
        assert store.count_entities("cursor_user_usage_record") == entities
        assert store.count_entities("cursor_member") > 0
    finally:
        store.close()
