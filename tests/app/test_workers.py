"""No engine work on the event loop (issue #13): the Export tab's exports and lint, the Blueprint
tab's inference, the Sync tab's catalog search and its planning run in worker threads; the newest
request wins and its answer arrives as a message.

Each test spies on the real engine function (it calls straight through) to record which thread ran
it, then waits on the workers (no sleeps) and checks what the screen shows against the engine's own
answer."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

import pytest
from textual.widgets import DataTable, Input, Static

from builder.port.catalog import CatalogStore
from builder.ship.lint import lint_project
from builder.ship.schema import infer_blueprint
from builder.tui.screens.blueprint import BlueprintPane
from builder.tui.screens.export import ExportPane
from builder.tui.screens.sync import SyncPane
from builder.tui.screens.sync_catalog import CatalogBrowser

from .conftest import SIZE, settle

pytestmark = pytest.mark.anyio


def spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[bool]:
    """Wrap ``owner.name`` so each call records whether it ran on the event loop's (main) thread."""
    real: Callable[..., Any] = getattr(owner, name)
    on_main: list[bool] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        on_main.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return on_main


async def open_pane(pilot: Any, tab: str, kind: type) -> Any:
    pilot.app.show_tab(tab)
    for _ in range(20):
        await pilot.pause()
        found = pilot.app.query(kind)
        if found:
            await settle(pilot)
            return found.first()
    raise AssertionError(f"the {tab} tab did not open")


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_export_and_lint_are_built_in_a_worker_and_the_newest_refresh_wins(demo_app, monkeypatch) -> None:
    import builder.tui.screens.export as export_screen

    lint_calls = spy(monkeypatch, export_screen, "lint_project")
    export_calls = spy(monkeypatch, export_screen, "export_all")
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = await open_pane(pilot, "export", ExportPane)
        first = len(lint_calls)
        # Three refreshes in a row: each starts a worker; only the newest one's answer is shown.
        pane.refresh_exports()
        pane.refresh_exports()
        pane.refresh_exports()
        assert pane._generation >= 4
        await settle(pilot)
        assert lint_calls and export_calls and first >= 1
        assert not any(lint_calls) and not any(export_calls), "the lint or the exports ran on the event loop"
        expected = lint_project(app.session.project, results=app.session.results or None,
                                samples=pane._samples() or None, now=app.now)
        assert [(f.resource, f.code) for f in pane.findings] == [(f.resource, f.code) for f in expected]
        assert pane.query_one("#lint-table", DataTable).row_count == len(expected)
        assert "lint:" in str(pane.query_one("#export-summary", Static).render())


async def test_blueprint_inference_runs_in_a_worker(demo_app, monkeypatch) -> None:
    import builder.tui.screens.blueprint as blueprint_screen

    calls = spy(monkeypatch, blueprint_screen, "infer_blueprint")
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")  # members, the first resource
        await settle(pilot)
        pane = await open_pane(pilot, "blueprint", BlueprintPane)
        assert calls and not any(calls), "inference ran on the event loop"
        project = app.session.project
        result = app.session.results["members"]
        expected = infer_blueprint(result, project.resources[0], existing=project.find_blueprint("cursorMember"),
                                   known_blueprints=[b["identifier"] for b in project.blueprints])
        assert pane.inferred is not None and pane.inferred.blueprint == expected.blueprint
        assert f"inferred from {len(result.entities)} entities" in str(pane.query_one("#bp-summary").render())


def member_catalog(path: Path, count: int) -> None:
    store = CatalogStore(path)
    try:
        store.put_blueprint({"identifier": "cursorMember", "title": "Cursor member",
                             "schema": {"properties": {}, "required": []}, "relations": {}})
        docs = [{"identifier": f"user{i:03d}@example.com", "title": f"User {i}", "blueprint": "cursorMember",
                 "properties": {}, "relations": {}, "createdAt": "2026-05-05T12:00:00.000Z",
                 "updatedAt": "2026-05-05T12:00:00.000Z"} for i in range(count)]
        store.write_entities("cursorMember", docs, {}, None)
    finally:
        store.close()


async def test_catalog_search_asks_sqlite_in_a_worker_and_shows_the_newest_answer(demo_app, monkeypatch,
                                                                                  tmp_path: Path) -> None:
    calls = spy(monkeypatch, CatalogStore, "list_entities")
    db = tmp_path / "catalog.db"
    member_catalog(db, 40)
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = await open_pane(pilot, "sync", SyncPane)
        pane.db_path = db
        pane.query_one("#sync-tabs").active = "sync-tab-catalog"
        await settle(pilot)
        entities = pane.query_one("#catalog-entities", DataTable)
        assert rows(pane.query_one("#catalog-blueprints", DataTable)) == [["cursorMember", "40", "Cursor member"]]
        assert entities.row_count == 40
        search = pane.query_one("#catalog-search", Input)
        search.focus()
        await pilot.press(*"user01")  # six questions; the last one's answer is what shows
        await settle(pilot)
        assert calls and not any(calls), "the catalog was queried on the event loop"
        assert sorted(r[0] for r in rows(entities)) == [f"user{i:03d}@example.com" for i in range(10, 20)]
        assert pane.query_one(CatalogBrowser)._shown == ("cursorMember", "user01")


async def test_sync_plan_maps_off_the_event_loop(demo_app, monkeypatch, tmp_path: Path) -> None:
    import builder.sync.run as sync_run

    calls = spy(monkeypatch, sync_run, "map_resource")
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = await open_pane(pilot, "sync", SyncPane)
        pane.db_path = tmp_path / "catalog.db"
        pane.query_one("#sync-plan", DataTable).focus()
        await pilot.press("p")
        await settle(pilot)
        assert pane.plan is not None, pane.error
        assert len(calls) == len(app.session.project.resources) and not any(calls), \
            "the sync plan mapped records on the event loop"
        assert "press s to start" in str(pane.query_one("#sync-status").render())
