"""The Blueprint tab, driven through Pilot: inference from every fetched entity, the diff, the
problems, and `a` adopting the blueprint into the project."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from textual.widgets import DataTable, TextArea

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "export"))
from export_helpers import SIZE, demo_app, open_tab, settle  # noqa: E402

from builder.ship.schema import compare_blueprints, infer_blueprint  # noqa: E402
from builder.tui.screens.blueprint import BlueprintPane  # noqa: E402


def test_blueprint_tab_without_entities_says_what_to_do(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.session.results.clear()  # whatever was loaded at start (saved samples), forget it
            pane = await open_tab(pilot, "blueprint", BlueprintPane)
            assert "no entities yet" in str(pane.query_one("#bp-summary").render())
            await pilot.press("a")
            await pilot.pause()
            assert not app.session.dirty

    asyncio.run(scenario())


def test_infer_diff_and_adopt(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+r")  # members, the first resource
            await settle(pilot)
            result = app.session.results["members"]
            assert len(result.entities) > 1
            pane = await open_tab(pilot, "blueprint", BlueprintPane)
            project = app.session.project
            before = project.find_blueprint("cursorMember")
            expected = infer_blueprint(result, project.resources[0], existing=before,
                                       known_blueprints=[b["identifier"] for b in project.blueprints])
            assert pane.inferred is not None and pane.inferred.blueprint == expected.blueprint
            assert pane.inferred.samples == len(result.entities)
            diff = compare_blueprints(expected, before)
            shown = str(pane.query_one("#bp-diff").render())
            assert diff.lines() and all(line in shown for line in diff.lines())
            assert '"identifier": "cursorMember"' in pane.query_one("#bp-json", TextArea).text
            assert pane.query_one("#bp-problems", DataTable).row_count == len(pane.problems)

            await pilot.press("a")
            await settle(pilot)  # adopting infers again, in a worker
            assert app.session.dirty
            after = project.find_blueprint("cursorMember")
            left = compare_blueprints(expected, after)
            assert not left.added and not left.changed
            # What inference cannot know is kept: the enum, and a relation the mapping does not fill.
            assert [f"{c.section}.{c.key}" for c in left.removed] == ["relations.user"]
            assert after["schema"]["properties"]["role"]["enum"] == ["owner", "member", "free-owner"]
            assert str(pane.query_one("#bp-diff").render()) == "- relations.user: _user → —"

    asyncio.run(scenario())


def test_adopt_adds_a_blueprint_the_project_lacks(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = demo_app(tmp_path)
        app.session.project.blueprints = [b for b in app.session.project.blueprints
                                          if b["identifier"] != "cursorMember"]
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+r")
            await settle(pilot)
            pane = await open_tab(pilot, "blueprint", BlueprintPane)
            assert "not in the project" in str(pane.query_one("#bp-diff").render())
            await pilot.press("a")
            await pilot.pause()
            added = app.session.project.find_blueprint("cursorMember")
            assert added is not None and added["schema"]["properties"]["email"]["format"] == "email"

    asyncio.run(scenario())
