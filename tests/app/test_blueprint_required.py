"""Required proposals in the Blueprint tab (issue #14 bug 11, TUI side): the project's `required`
list stays as it is until the user asks, by the key (q), the palette or as F1 says."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette

from builder.tui.screens.blueprint import BlueprintPane

from .conftest import SIZE, settle
from .snapshot_states import blueprint_inferred, demo_app, open_tab, response_loaded, wait_until

pytestmark = pytest.mark.anyio


def required_changes(pane: BlueprintPane) -> list[str]:
    assert pane.diff is not None
    return [line for line in pane.diff.lines() if "required" in line]


async def test_required_is_proposed_only_when_asked(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await response_loaded(pilot)  # usage-events: its blueprint is in the project
        pane = await open_tab(pilot, "blueprint", BlueprintPane, blueprint_inferred, "the Blueprint tab")
        assert not pane.propose_required
        assert required_changes(pane) == []  # the untouched preset: no `required` churn
        assert "q required proposals off" in str(pane.query_one("#bp-summary").render())
        bindings = {b.id: b for b in pane.BINDINGS}
        assert bindings["blueprint.propose-required"].description == "Propose required"
        assert "blueprint.propose-required" in {b.binding.id for b in app.active_bindings.values()}

        # q: every always-present field is proposed as required (diff lines name them)
        await pilot.press("q")
        await wait_until(pilot, lambda: blueprint_inferred(pane) and pane.propose_required, "proposals")
        proposed = required_changes(pane)
        assert proposed and all(line.startswith("~ ") for line in proposed)
        assert "q required proposals on" in str(pane.query_one("#bp-summary").render())
        assert "timestamp" in pane.inferred.blueprint["schema"]["required"]

        # the palette entry turns it off again
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert CommandPalette.is_open(app)
        await pilot.press(*"propose required")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: blueprint_inferred(pane) and not pane.propose_required, "no proposals")
        assert required_changes(pane) == []

        # F1 in the tab says how
        pane.query_one("#bp-problems").focus()
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.help_title == "Blueprint"
        assert "`q` asks for **required proposals**" in app.screen.markdown

