"""The Sync tab's rehearsal, driven through Pilot with the real Ocean Custom integration (a small installation
of the Cursor preset against the simulator): offered, run in a worker with progress per resource, reported
per resource against the preview, the catalog's integrations and kind examples shown — and cancelled with
every process stopped.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from builder.project.presets import load_preset
from builder.ship.rehearse_progress import RehearsalProgress
from builder.tui.app import make_app
from builder.tui.screens.dialogs import HelpScreen
from builder.tui.screens.sync import SyncPane
from builder.tui.screens.sync_rehearse import RehearsePanel

SIZE = (160, 48)


def small_project(tmp_path: Path) -> Path:
    project = load_preset("cursor")
    # members: more than Ocean's 10-entity threshold (it compares with Port); repo-blocklists: a second kind.
    project.resources = [project.find_resource("members"), project.find_resource("repo-blocklists")]
    return project.save(tmp_path / "cursor-builder.yaml")


async def open_sync(pilot: Any, tmp_path: Path) -> tuple[SyncPane, RehearsePanel]:
    await pilot.app.workers.wait_for_complete()
    await pilot.press("ctrl+y")
    for _ in range(10):
        await pilot.pause()
        found = pilot.app.query(SyncPane)
        if found:
            pane = found.first()
            pane.db_path = tmp_path / "catalog.db"
            await finish(pilot)  # the runtime detection worker
            return pane, pane.query_one(RehearsePanel)
    raise AssertionError("the Sync tab did not open")


async def finish(pilot: Any) -> None:
    """Wait for the workers themselves and the messages they posted (no sleeps)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def status(panel: RehearsePanel) -> str:
    return str(panel.query_one("#rehearse-status").render())


def record_progress(panel: RehearsePanel) -> list[RehearsalProgress]:
    """Keep every snapshot the run forwards (from its thread) to the panel."""
    seen: list[RehearsalProgress] = []
    forward = panel._forward

    def keep(progress: RehearsalProgress) -> None:
        seen.append(progress)
        forward(progress)

    panel._forward = keep  # type: ignore[method-assign]
    return seen


def processes_with(marker: str) -> list[int]:
    """Live processes whose environment holds ``marker`` (the rehearsal's own catalog URL): Ocean and its
    workers. A zombie is not one: it runs nothing and holds no pipe (whoever adopted it reaps it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def test_the_sync_tab_rehearses_with_the_real_ocean_and_shows_the_report(runtime, tmp_path):
    async def scenario() -> None:
        app = make_app(small_project(tmp_path), demo=True, env={}, test_mode=True)
        async with app.run_test(size=SIZE) as pilot:
            pane, panel = await open_sync(pilot, tmp_path)
            assert panel.runtime == runtime and status(panel).startswith("o rehearses with the real Ocean")
            assert pane.check_action("rehearse", ()) is True
            titles = [title for title, _, _ in app.tab_commands()]
            assert "Sync: rehearse with the real Ocean" in titles
            assert [b.id for b in SyncPane.BINDINGS if b.action == "rehearse"] == ["sync.rehearse"]

            seen = record_progress(panel)
            await pilot.press("o")
            assert panel.running and pane.query_one("#sync-tabs").active == "sync-tab-rehearse"
            await finish(pilot)
            assert not panel.running

            # Progress came per resource, as Ocean resynced them.
            started = [p.message for p in seen if p.event == "resource" and "started" in p.message]
            done = [p for p in seen if p.event == "resource" and "finished" in p.message]
            assert len(started) == 2 and len(done) == 2 and done[-1].done_resources == 2
            assert [p.phase for p in seen if p.event == "step"][-2:] == ["comparing", "done"]

            report = panel.report
            assert report is not None and report.ok, "\n".join(report.lines() if report else [panel.error or ""])
            members = next(r for run in report.installations for r in run.resources if r.name == "members")
            table = rows(panel.query_one("#rehearse-resources", DataTable))
            assert table[0] == ["cursor-usage", "members", "done", str(members.fetched), str(members.preview),
                                str(members.preview), "0", str(members.preview), "equal"]
            assert [row[1] for row in table] == ["members", "repo-blocklists"] and all(r[-1] == "equal" for r in table)
            assert status(panel).startswith("✓ delivered == preview for every resource (2 resources")
            assert "Port calls:" in str(panel.query_one("#rehearse-report").render())

            # The catalog's integration, its resync state and the kind examples Ocean sent.
            integrations = rows(panel.query_one("#rehearse-integrations", DataTable))
            assert [row[:3] + [row[4]] for row in integrations] == [["cursor-usage", "2", "completed", "2"]]
            examples = str(panel.query_one("#rehearse-examples").render())
            assert "/teams/members" in examples and "/settings/repo-blocklists/repos" in examples
            # The catalog browser shows what landed.
            blueprints = {row[0]: row[1] for row in rows(pane.query_one("#catalog-blueprints", DataTable))}
            assert blueprints["cursor_member"] == str(members.preview)

            panel.query_one("#rehearse-resources").focus()
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen) and app.screen.help_title == "Rehearse with the real Ocean"

    asyncio.run(scenario())


def test_cancelling_the_rehearsal_stops_ocean_and_every_process(runtime, tmp_path):
    async def scenario() -> None:
        app = make_app(small_project(tmp_path), demo=True, env={}, test_mode=True)
        async with app.run_test(size=SIZE) as pilot:
            pane, panel = await open_sync(pilot, tmp_path)
            seen = record_progress(panel)
            resyncing = threading.Event()
            forward = panel._forward

            def watch(progress: RehearsalProgress) -> None:
                forward(progress)
                if progress.event == "resource":
                    resyncing.set()

            panel._forward = watch  # type: ignore[method-assign]
            await pilot.press("o")
            # Wait (off the event loop) until Ocean is resyncing, then cancel with the key a user presses.
            assert await asyncio.to_thread(resyncing.wait, 300), "Ocean never started a resource"
            catalog_url = next(p.message for p in seen if p.message.startswith("local catalog at "))
            marker = "OCEAN__PORT__BASE_URL=" + catalog_url.split()[3].rstrip(",")
            assert processes_with(marker), "Ocean is not running"
            await pilot.press("x")
            await finish(pilot)
            assert not panel.running and panel.report is None
            assert status(panel).startswith("⏹ cancelled")
            assert processes_with(marker) == []  # Ocean and every process it started are gone
            assert pane.running is False  # the sync itself was never involved

    asyncio.run(scenario())
