"""The Sync tab's report says why relations to Port's ``_user`` were left out (issue #14 bug 8), in the
CLI dry run's words (one copy: ``SyncPlan.relation_notes``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from .conftest import SIZE, settle
from .snapshot_states import demo_app

pytestmark = pytest.mark.anyio


async def finish(pilot: Any) -> None:
    for _ in range(3):
        await settle(pilot)


async def test_sync_report_explains_dropped_user_relations(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")
        await finish(pilot)
        from builder.tui.screens.sync import SyncPane

        pane = app.query_one(SyncPane)
        pane.db_path = tmp_path / "catalog.db"
        await pilot.press("p")
        await finish(pilot)
        notes = pane.plan.relation_notes()
        assert any("→ _user" in note for note in notes)  # the local catalog has no _user blueprint
        await pilot.press("s")
        await finish(pilot)
        report = str(pane.query_one("#sync-report", Static).render())
        for note in notes:
            assert note.strip() in report
