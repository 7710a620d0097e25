"""What users of posting, jnv and Airbyte's Connector Builder expect (issue #14, item 4): request history
with replay, copy as curl, sorting and filtering the Entities table, and the demo saying honestly that it
talks to the simulator. Each through the real app, by its key and by the palette."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, TabbedContent

from builder.source.curl import as_curl
from builder.tui.state import history
from builder.tui.state.fetching import SIMULATOR_ORIGIN
from widgets.entities_view import EntitiesView
from widgets.entity_table import EntityTable
from widgets.history_table import HistoryTable
from widgets.request_panel import RequestPanel

from .conftest import SIZE, settle
from .snapshot_states import demo_app, pick, response_loaded

pytestmark = pytest.mark.anyio

SECRET = "key_live_0123456789abcdef"


@pytest.mark.parametrize(("auth_type", "headers", "expected"), [
    ("basic", {"Authorization": "Basic ••••"}, '-u "$CURSOR_API_KEY:"'),
    ("bearer_token", {"Authorization": "Bearer ••••"}, '-H "Authorization: Bearer $CURSOR_API_KEY"'),
    ("api_key", {"X-Api-Key": "••••"}, '-H "X-Api-Key: $CURSOR_API_KEY"'),
    ("none", {"Accept": "application/json"}, "-H 'Accept: application/json'"),
])
def test_curl_names_the_key_never_its_value(auth_type: str, headers: dict[str, str], expected: str) -> None:
    command = as_curl("GET", "https://api.cursor.com/teams/members", headers, None, auth_type=auth_type)
    assert expected in command
    assert "••••" not in command


def test_curl_post_body_and_demo_origin() -> None:
    command = as_curl("POST", f"{SIMULATOR_ORIGIN}/teams/daily-usage-data", {}, {"startDate": 1, "q": "it's"},
                      auth_type="basic", base_url="https://api.cursor.com", shown_origin=SIMULATOR_ORIGIN)
    assert command.startswith("curl -X POST https://api.cursor.com/teams/daily-usage-data")
    assert """--data-raw '{"startDate":1,"q":"it'"'"'s"}'""" in command


async def test_demo_requests_say_the_simulator(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await response_loaded(pilot)
        page = app.session.run.current
        assert page.url.startswith(SIMULATOR_ORIGIN + "/")
        sent = str(app.query_one(RequestPanel).query_one("#as-sent").render())
        assert SIMULATOR_ORIGIN in sent and "https://api.cursor.com" not in sent


async def test_copy_as_curl_by_key_and_palette(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.run_action("copy_curl")  # nothing sent yet: a warning, nothing copied
        assert app.clipboard == ""
        await response_loaded(pilot)
        await pilot.press("f7")
        await settle(pilot)
        copied = app.clipboard
        assert copied.startswith("curl ") and '-u "$CURSOR_API_KEY:"' in copied
        assert "https://api.cursor.com/teams/filtered-usage-events" in copied  # the real API, not the simulator
        assert "simulator" not in copied and "••••" not in copied
        from builder.simulator import DEMO_API_KEY
        assert DEMO_API_KEY not in copied
        binding = next(b for b in app.BINDINGS if getattr(b, "id", None) == "builder.copy-curl")
        assert binding.key == "f7" and binding.tooltip


async def test_history_records_masked_and_replays(tmp_path: Path, state_dir: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        app.session.typed_key = SECRET  # a typed key reaches the request, never the history
        await response_loaded(pilot)
        files = list((state_dir / "history").glob("*.jsonl"))
        assert len(files) == 1 and SECRET not in files[0].read_text(encoding="utf-8")
        entry = json.loads(files[0].read_text(encoding="utf-8").splitlines()[-1])
        # The simulator refuses a key it did not issue: the outcome is recorded as it came back.
        assert entry["resource"] == "usage-events" and entry["status"] == 401
        assert entry["url"].startswith(SIMULATOR_ORIGIN)
        await pick(pilot, "members")
        await pilot.press("f5")
        await settle(pilot)
        assert app.build_pane.query_one("#io-tabs", TabbedContent).active == "tab-history"
        table = app.query_one(HistoryTable)
        assert table.has_focus and table.row_count == 1
        await pilot.press("enter")  # replay: back to usage-events, sent again
        await settle(pilot)
        assert app.session.resource.name == "usage-events"
        assert table.row_count == 2
        assert len(history.load(app.session.project)) == 2
        assert not app.session.dirty  # replaying never edits the project


def test_replay_keeps_the_current_secret_header() -> None:
    from builder.project.model import Resource

    resource = Resource("/teams/members", {"headers": {"Authorization": "Bearer ${CURSOR_API_KEY}", "A": "1"}},
                        {"entity": {"mappings": {"identifier": ".id"}}})
    entry = history.entry_for(resource, history.ResourceRun([]), 0.0)
    assert entry.request["headers"]["Authorization"] == "Bearer ••••"
    assert history.replayed(resource, entry).selector["headers"]["Authorization"] == "Bearer ${CURSOR_API_KEY}"


async def test_entities_sort_and_filter(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await response_loaded(pilot)
        await app.run_action("sort_entities")  # palette action: opens the table, sorts by "#"
        await settle(pilot)
        table = app.query_one(EntityTable)
        assert table.has_focus and table.sorted_by == (0, False)
        await pilot.press("s")  # identifier, ascending
        identifiers = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]  # cells are rich Text
        assert identifiers == sorted(identifiers, key=str.casefold)
        await pilot.press("S")
        reversed_ids = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert reversed_ids == sorted(identifiers, key=str.casefold, reverse=True)
        assert "sorted by identifier descending" in str(app.query_one("#entity-status").render())
        total = table.row_count
        first = reversed_ids[0]
        await pilot.press("slash", *first[:12])
        await settle(pilot)
        assert 1 <= table.row_count < total
        assert all(first[:12].casefold() in " ".join(map(str, table.get_row_at(i))).casefold()
                   for i in range(table.row_count))
        assert f"of {total} entities" in str(app.query_one("#entity-status").render())
        await pilot.press("enter")  # back to the table; Enter there selects the record
        await pilot.press("enter")
        await settle(pilot)
        chosen = app.session.record
        identifier = app.session.result.entities[app.session.result.entity_records.index(chosen)]["identifier"]
        assert identifier.startswith(first.rstrip("…"))  # the cell is cut, the entity is the one filtered
        await pilot.press("escape")
        assert table.row_count == total


async def test_new_actions_have_help_and_palette_entries(tmp_path: Path) -> None:
    from builder.tui.screens.actions import ACTIONS
    from builder.tui.screens.commands import BuilderCommands

    ids = {a.id for a in ACTIONS}
    assert {"builder.copy-curl", "builder.show-history", "builder.sort-entities", "builder.filter-entities"} <= ids
    assert "**s**" in EntityTable.HELP.markdown and "**/**" in EntityTable.HELP.markdown
    assert "masked" in HistoryTable.HELP.markdown and "replays" in HistoryTable.HELP.markdown
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {title for title, _, _ in BuilderCommands(app.screen)._commands()}
        assert {"Copy request as curl", "Show request history", "Sort entities", "Filter entities"} <= titles
        bindings = {b.id for b in EntityTable.BINDINGS} | {b.id for b in HistoryTable.BINDINGS}
        assert {"entities.sort", "entities.reverse", "entities.filter", "history.replay"} <= bindings
        assert isinstance(app.query_one(EntitiesView).table, DataTable)
