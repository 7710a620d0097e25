"""Keyboard-first and discoverable: F1 help per widget, the command palette, completion,
the JSON viewer's keys, the first failing record, test connection and the quit guard."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import TabbedContent

from builder.tui.screens.actions import ACTIONS
from builder.tui.screens.dialogs import HelpScreen, UnsavedScreen
from widgets.mapping_table import MappingTable

from .conftest import SIZE, settle
from .snapshot_states import demo_app, pick

pytestmark = pytest.mark.anyio


def test_every_binding_has_an_id_and_a_description() -> None:
    from builder.tui.app import BuilderApp

    for binding in BuilderApp.BINDINGS:
        assert binding.id and binding.description, binding
    assert len({a.id for a in ACTIONS}) == len(ACTIONS)
    assert all(a.help and a.title for a in ACTIONS)


async def test_f1_explains_the_focused_widget(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and app.screen.help_title == "Resources"
        await pilot.press("escape")
        app.query_one(MappingTable).focus_field(("properties", "role"))
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.help_title == "JQ input"
        await pilot.press("escape")
        app.query_one("#response-json").focus()
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.help_title == "JSON viewer"


async def test_palette_offers_the_actions_and_runs_them(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert CommandPalette.is_open(app)
        await pilot.press(*"show all entities")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#bottom-tabs").active == "tab-entities"
        assert app.query_one("#entities").row_count == len(app.session.result.entities)


async def test_jq_completion_from_the_record_and_builtins(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")
        table = app.query_one(MappingTable)
        editor = table.focus_field(("properties", "role"))
        await pilot.press("end", "ctrl+u", *".ema")
        await settle(pilot)
        assert editor.dropdown_open
        await pilot.press("tab")
        await settle(pilot)
        assert editor.value == ".email"
        await pilot.press(*" | ascii_d")
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        assert editor.value == ".email | ascii_downcase"
        assert table.row(("properties", "role")).expr == ".email | ascii_downcase"
        assert not editor.dropdown_open
        await pilot.press("tab")  # no list open: Tab moves on, as everywhere (to the next field)
        await settle(pilot)
        assert table.focused_row is not None and table.focused_row.path != ("properties", "role")
        assert app.session.resource.mappings["properties"]["role"] == ".email | ascii_downcase"


async def test_data_path_lists_the_arrays_and_the_viewer_picks_one(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")
        data_path = app.query_one("#data-path")
        data_path.focus()
        await settle(pilot)
        assert data_path.dropdown_open
        assert [c.value for c in data_path._candidates] == [".teamMembers"]
        assert "objects" in data_path._candidates[0].note

        viewer = app.query_one("#response-json").body
        viewer.focus()
        await pilot.press("down", "down", "down")  # into the first member
        await pilot.press("p")
        await settle(pilot)
        assert app.session.resource.data_path == ".teamMembers"
        await pilot.press("home", "down", "enter")  # fold the array
        await settle(pilot)
        assert len(viewer.shown) == 3 and "⋯" in str(viewer._render_text(viewer.shown[1]))
        await pilot.press("slash", *"owner")
        await settle(pilot)
        assert viewer.matches and viewer.current_line.text().strip().startswith('"role": "owner"')


async def test_first_failing_record_is_one_key_away(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")
        records = app.session.result.records
        owners = [i for i, r in enumerate(records) if r["role"] == "owner"]
        table = app.query_one(MappingTable)
        row = table.row(("properties", "role"))
        editor = table.focus_field(row.path)
        # Fails on every record that is not an owner.
        await pilot.press("end", "ctrl+u", *'if .role == "owner" then .role else error("not an owner") end')
        await settle(pilot)
        first_bad = next(i for i in range(len(records)) if i not in owners)
        state = (editor.value, row.first_failing, app.build_pane.results.pending_fields, editor.dropdown_open)
        assert row.status.plain == f"{len(records) - len(owners)} err", state
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.session.record == first_bad, state
        assert "not an owner" in row.value.plain or row.value.plain == "error"
        assert "not an owner" in str(app.query_one("#mapping-message").render())


async def test_test_connection_says_what_it_reached(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        text = str(app.query_one("#connection-result").render())
        assert "Reached the built-in simulator" in text and "Enterprise endpoints available" in text


async def test_test_connection_on_a_team_plan(tmp_path: Path) -> None:
    from builder.tui.app import make_app

    from .conftest import simulator_config

    app = make_app(tmp_path / "p.yaml", demo=True, simulator=simulator_config(tier="team"), env={}, test_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "Enterprise endpoints not available" in str(app.query_one("#connection-result").render())


async def test_quit_asks_when_there_are_unsaved_changes(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "members")
        app.query_one(MappingTable).focus_field(("properties", "role"))
        await pilot.press(*" | length")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedScreen)
        await pilot.press("escape")  # stay
        await settle(pilot)
        assert app.is_running and not isinstance(app.screen, UnsavedScreen)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("enter")  # "Save and quit" has the focus
        await settle(pilot)
    assert ".role | length" in (tmp_path / "cursor-builder.yaml").read_text()
    assert app.return_code == 0


async def test_typed_key_is_masked_and_never_saved(tmp_path: Path) -> None:
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = app.query_one("#api-key")
        key.focus()
        await pilot.press(*"crsr_secret_typed_key_123")
        await settle(pilot)
        assert key.password and "crsr_secret" not in app.export_screenshot()
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert "crsr_secret" not in (tmp_path / "cursor-builder.yaml").read_text()


async def test_a_registered_tab_plugs_in(tmp_path: Path, monkeypatch) -> None:
    from builder.tui.screens import registry
    from builder.tui.screens.registry import TabSpec

    monkeypatch.setattr(registry, "TABS", [TabSpec("fake", "Fake", "tests.app.fake_tab"),
                                           TabSpec("later", "Later", "builder.tui.screens.not_written_yet")])
    import builder.tui.app as app_module

    monkeypatch.setattr(app_module, "TABS", registry.TABS)
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.query("#tab-later")  # a tab whose module is not in this build is not shown at all
        app.show_tab("fake")
        await settle(pilot)
        pane = app.query_one("#fake-pane")  # loaded by module name, as the app loads real tabs
        assert type(pane).shown >= 1 and str(pane.render()) == f"{len(app.session.project.resources)} resources"
        titles = [title for title, _, _ in app.tab_commands()]
        assert titles == ["Fake: do something"]


@pytest.mark.anyio
@pytest.mark.parametrize("title, tab", [("Export: copy the shown export", "export"),
                                        ("Dashboard: null values skipped or zero", "dashboard")])
async def test_a_tab_command_from_the_palette_opens_its_tab_first(tmp_path: Path, title: str, tab: str) -> None:
    # The tab has never been shown: the command creates its pane and acts on it only once the
    # pane's own widgets exist (the Sync tab's plan used to crash there).
    app = demo_app(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.query(f"#tab-{tab} *")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*title.lower())
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#top-tabs", TabbedContent).active == f"tab-{tab}"
        pane = app.tab_pane(tab)
        assert pane is not None and pane.is_mounted
        if tab == "export":
            assert app.clipboard and app.clipboard == pane.current_text()  # the view shown first: the lint
        else:
            assert pane.options.nulls == "zero"
