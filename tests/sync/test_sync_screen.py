"""The Sync tab, driven through Pilot against the simulator and a local catalog in tmp_path."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, ProgressBar, Select

from builder.tui.app import make_app
from builder.port.catalog import CatalogStore
from builder.sync.failures import read_failures
from builder.tui.screens.sync import SyncPane
from builder.simulator import SimulatorConfig
from sync_fixtures import make_project

SIZE = (140, 44)


def demo_app(tmp_path: Path) -> Any:
    simulator = SimulatorConfig(now=datetime(2026, 5, 5, 12, tzinfo=timezone.utc), seed=42, rate_limits=False)
    return make_app(make_project(tmp_path), demo=True, simulator=simulator, env={}, test_mode=True)


async def open_sync(pilot: Any, tmp_path: Path) -> SyncPane:
    await pilot.app.workers.wait_for_complete()
    await pilot.press("ctrl+y")
    for _ in range(10):
        await pilot.pause()
        found = pilot.app.query(SyncPane)
        if found:
            pane = found.first()
            pane.db_path = tmp_path / "catalog.db"
            return pane
    raise AssertionError("the Sync tab did not open")


async def finish(pilot: Any) -> None:
    """Wait for the sync worker itself (no sleeps)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_plan_start_progress_report_and_catalog_browser(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            pane = await open_sync(pilot, tmp_path)
            assert pane.target == "local"  # demo mode
            await pilot.press("p")
            await finish(pilot)
            plan = pane.plan
            assert plan is not None and plan.blueprints["cursorMember"].create == 12
            events = plan.blueprints["cursorUsageEvent"].create
            assert events > 0
            assert rows(pane.query_one("#sync-plan", DataTable)) == [
                ["cursorMember", "create", "12", "0", "0", "—", "0"],
                ["cursorUsageEvent", "create", str(events), "0", "0", "—", "0"]]
            assert "press s to start" in str(pane.query_one("#sync-status").render())
            assert CatalogStore(pane.db_path).list_blueprints() == []  # planning writes nothing

            await pilot.press("s")
            await finish(pilot)
            report = pane.report
            assert report is not None and report.ok and report.total().created == 12 + events
            bar = pane.query_one("#sync-progress", ProgressBar)
            assert bar.total == 12 + events and bar.progress == 12 + events
            assert ["members", "cursorMember", "12", "12", "0", "0", "0", "0"] in rows(
                pane.query_one("#sync-counts", DataTable))
            assert str(pane.query_one("#sync-status").render()).startswith("✓")

            await pilot.press("p")  # a second plan: nothing left to send
            await finish(pilot)
            assert len(pane.plan.to_send) == 0 and pane.plan.blueprints["cursorUsageEvent"].unchanged == events

            pane.query_one("#sync-tabs").active = "sync-tab-catalog"
            await finish(pilot)  # the catalog is read in a worker
            blueprints = rows(pane.query_one("#catalog-blueprints", DataTable))
            store = CatalogStore(pane.db_path)
            members = store.count_entities("cursorMember")  # 12 + the users events relate to (created bare)
            store.close()
            assert members >= 12
            assert blueprints == [["cursorMember", str(members), "Cursor member"],
                                  ["cursorUsageEvent", str(events), "Cursor usage event"]]
            entities = pane.query_one("#catalog-entities", DataTable)
            assert entities.row_count == members
            search = pane.query_one("#catalog-search", Input)
            search.focus()
            email = rows(entities)[0][0]
            await pilot.press(*email[:6])
            await finish(pilot)  # each keystroke asks the catalog in a worker; the newest answer shows
            assert 1 <= entities.row_count < members and all(email[:6] in r[0] for r in rows(entities))

    asyncio.run(scenario())


def test_cancel_is_safe_and_retry_failed_finishes_the_job(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            pane = await open_sync(pilot, tmp_path)
            await pilot.press("x")  # nothing running: says so, no crash
            await pilot.pause()
            original = pane._on_progress

            def cancel_after_first_bulks(progress: Any) -> None:
                original(progress)
                if progress.phase == "upsert" and progress.total().created >= 20 and \
                        not pane.cancel_event.is_set():
                    pane.action_cancel()

            pane._on_progress = cancel_after_first_bulks  # type: ignore[method-assign]
            await pilot.press("s")
            await finish(pilot)
            report = pane.report
            total = report.total()
            assert report.cancelled and total.created >= 20 and total.cancelled > 0
            assert total.created + total.cancelled == total.planned
            failures_file = tmp_path / "cursor-builder.failures.jsonl"
            failures = read_failures(failures_file)
            assert len(failures) == total.cancelled and {f.reason for f in failures} == {"not sent: cancelled"}
            store = CatalogStore(pane.db_path)
            assert store.count_entities() == total.created
            store.close()
            assert "cancelled" in str(pane.query_one("#sync-status").render())

            pane._on_progress = original  # type: ignore[method-assign]
            await pilot.press("f")
            await finish(pilot)
            assert pane.report.ok and pane.report.total().created == total.cancelled
            assert not failures_file.exists()

    asyncio.run(scenario())


def test_port_without_credentials_is_a_clear_error(tmp_path):
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            pane = await open_sync(pilot, tmp_path)
            pane.query_one("#sync-target", Select).value = "us"
            await pilot.pause()
            assert "Port US" in str(pane.query_one("#sync-where").render())
            await pilot.press("p")
            await finish(pilot)
            assert pane.plan is None and not pane.running
            assert "PORT_CLIENT_ID and PORT_CLIENT_SECRET" in str(pane.query_one("#sync-status").render())

    asyncio.run(scenario())


def test_palette_plans_before_the_sync_tab_was_ever_opened(tmp_path, monkeypatch):
    # "Sync: plan" from the palette is the first thing the user does with the Sync tab: the pane is
    # created by that command, and the plan must wait until the pane's own widgets exist.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"sync: plan")
            await finish(pilot)
            await pilot.press("enter")
            await finish(pilot)
            pane = app.query_one(SyncPane)
            assert pane.error is None and pane.plan is not None, pane.error
            assert pane.report is None  # a plan writes nothing

    asyncio.run(scenario())
