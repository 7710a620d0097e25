"""A resource switch shows the resource's last result again when nothing it was made from changed
(#13: no second evaluation, layout and paint for the same result), and evaluates again when
anything did: its mapping, its pages, the environment `env` means."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.tui.app import make_app
from builder.tui.screens.results import Results
from widgets.mapping_table import MappingTable
from widgets.resource_list import ResourceList

from .conftest import SIZE, settle, simulator_config

from .test_build_loop import retype, shown

pytestmark = pytest.mark.anyio


def demo(path: Path):
    return make_app(path, demo=True, simulator=simulator_config(), env={}, test_mode=True)


async def pick(pilot, name: str) -> None:
    """Select a resource as ↑/↓ in the resource list do (one highlight: no resource in between)."""
    app = pilot.app
    resources = app.query_one(ResourceList)
    resources.focus()
    resources.highlighted = app.session.project.resource_names().index(name)
    await settle(pilot)
    assert app.session.resource.name == name


def count_evaluations(monkeypatch) -> list[str]:
    """The resource of every evaluation started, in order."""
    started: list[str] = []
    original = Results._start_evaluation

    def start(self: Results) -> None:
        started.append(self.session.resource.name)
        original(self)

    monkeypatch.setattr(Results, "_start_evaluation", start)
    return started


def screen_of(app) -> tuple[str, str, str, str]:
    """What the Build tab shows of the selected resource's result."""
    table = app.query_one(MappingTable)
    identifier = table.row(("identifier",))
    tabs = app.query_one("#bottom-tabs")
    return (identifier.value.plain, identifier.status.plain, shown(app.query_one("#found-count")),
            str(tabs.get_tab("tab-entities").label))


async def test_switching_back_shows_the_last_result_without_evaluating_it_again(tmp_path: Path,
                                                                                monkeypatch) -> None:
    app = demo(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.session.result  # members, the resource the demo starts on, evaluated at start
        first_screen = screen_of(app)
        started = count_evaluations(monkeypatch)
        await pick(pilot, "daily-usage")
        daily = app.session.result
        daily_screen = screen_of(app)
        assert daily is not None and daily.records and started == ["daily-usage"]
        await pick(pilot, "usage-events")
        usage = app.session.result
        usage_screen = screen_of(app)
        assert started == ["daily-usage", "usage-events"] and usage is not daily
        assert usage_screen != daily_screen

        await pick(pilot, "daily-usage")
        assert started == ["daily-usage", "usage-events"]  # nothing changed: no evaluation
        assert app.session.result is daily and app.result is daily
        assert screen_of(app) == daily_screen
        await pick(pilot, "usage-events")
        assert app.session.result is usage and screen_of(app) == usage_screen
        await pick(pilot, "members")
        assert app.session.result is first and screen_of(app) == first_screen
        assert started == ["daily-usage", "usage-events"]


async def test_a_changed_mapping_or_new_pages_are_evaluated_on_the_switch(tmp_path: Path, monkeypatch) -> None:
    app = demo(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "members")
        await pick(pilot, "usage-events")
        started = count_evaluations(monkeypatch)

        # Changed while another resource was shown (as another tab or a dialog would change it).
        app.session.project.find_resource("members").mappings["title"] = '"renamed"'
        await pick(pilot, "members")
        assert started == ["members"]
        assert app.query_one(MappingTable).row(("title",)).value.plain == '"renamed"'
        assert app.session.result.fields["title"].expr == '"renamed"'

        # An edit in the table, then away and back: the result of the edit is shown again as it is.
        await retype(pilot, app.query_one(MappingTable).focus_field(("properties", "role")), ".role | ascii_upcase")
        edited = app.session.result
        assert started[-1] == "members" and edited.fields["properties.role"].expr == ".role | ascii_upcase"
        count = len(started)
        await pick(pilot, "usage-events")
        await pick(pilot, "members")
        assert len(started) == count and app.session.result is edited

        # New pages (a send) make a new result.
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert started[-1] == "members" and app.session.result is not edited
        count = len(started)
        await pick(pilot, "usage-events")
        await pick(pilot, "members")
        assert len(started) == count


async def test_an_evaluation_still_running_at_the_switch_is_never_shown_as_the_new_resources(tmp_path: Path,
                                                                                             monkeypatch) -> None:
    app = demo(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "usage-events")
        await pick(pilot, "members")
        members_screen = screen_of(app)
        await pick(pilot, "usage-events")
        usage = app.session.result
        started = count_evaluations(monkeypatch)
        app.query_one(MappingTable).focus_field(("properties", "model"))
        # The edit starts an evaluation of usage-events; the switch comes before it answers.
        await pilot.press("end", "ctrl+u", *'"x"')
        assert started and set(started) == {"usage-events"}
        await pick(pilot, "members")
        assert screen_of(app) == members_screen
        assert app.session.result.records and app.session.result is app.session.results["members"]
        assert set(started) == {"usage-events"}  # members was shown again, not evaluated
        # usage-events' edit still gets its result, shown when it is selected again.
        await pick(pilot, "usage-events")
        assert app.session.result is not usage
        assert app.session.result.fields["properties.model"].expr == '"x"'


async def test_the_entities_tab_follows_a_switch_that_reuses_a_result(tmp_path: Path) -> None:
    from widgets.entity_table import EntityTable

    app = demo(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "daily-usage")
        daily = len(app.session.result.entities)
        app.query_one("#bottom-tabs").active = "tab-entities"
        await settle(pilot)
        table = app.query_one(EntityTable)
        assert table.shown == daily
        members = len(app.session.results["members"].entities)
        assert members != daily
        await pick(pilot, "members")  # evaluated at start: shown again, not evaluated
        assert table.shown == members
        assert str(app.query_one("#bottom-tabs").get_tab("tab-entities").label) == f"Entities ({members})"
        await pick(pilot, "daily-usage")
        assert table.shown == daily
