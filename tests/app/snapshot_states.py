"""The app's main states, reached the way a user reaches them. Shared by the snapshot tests and
``scripts/screenshots.py`` so the committed screenshots and the snapshots show the same thing."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator, TypeVar

import pytest

from textual.widgets import DataTable, Static, TabbedContent, TextArea

from builder.port.catalog.store import CatalogStore
from builder.ship.rehearse import OceanRuntime
from builder.tui.app import BuilderApp, make_app
from builder.tui.screens import sync_rehearse as rehearse_view
from builder.tui.screens.blueprint import BlueprintPane
from builder.tui.screens.export import ExportPane
from builder.tui.screens.sync import SyncPane
from builder.tui.screens.sync_rehearse import RehearsePanel
from widgets.entity_table import EntityTable
from widgets.history_table import HistoryTable
from widgets.mapping_table import MappingTable
from widgets.resource_list import ResourceList

from .conftest import NOW, settle, simulator_config

State = Callable[[Any], Awaitable[None]]
T = TypeVar("T")


def demo_app(project_file: Path) -> BuilderApp:
    """A new project (Cursor preset) against the simulator with a fixed clock and seed."""
    return make_app(project_file, demo=True, simulator=simulator_config(), env={}, test_mode=True)


#: The Ocean runtime the Rehearse view offers, the same on every machine (the states picture the
#: offer; running it needs the real Ocean and is tested in tests/rehearse).
PICTURED_RUNTIME = OceanRuntime(Path("ocean-custom"), Path(".oracle-venv/bin/python"))


@contextmanager
def pinned_surroundings(directory: Path) -> Iterator[None]:
    """What the Sync tab shows of the machine, the same on every one: the local catalog is a fresh
    one at a relative path (cursor-builder/catalog.db in ``directory``, never the user's), the
    request history starts empty, the Ocean runtime is found and the catalog's clock (the
    entities' createdAt / updatedAt) is the simulator's fixed present."""
    (directory / "cursor-builder").mkdir(exist_ok=True)  # as where the catalog was used before
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)
        patch.setenv("CURSOR_BUILDER_STATE_DIR", str(directory / "state"))
        patch.setenv("XDG_DATA_HOME", ".")
        patch.setattr(rehearse_view, "_detected", (PICTURED_RUNTIME, None))
        stamp = NOW.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        patch.setitem(CatalogStore.__init__.__kwdefaults__, "clock", lambda: stamp)
        yield


def steady(app: BuilderApp) -> None:
    """No blinking cursor and no animation in a picture: their phase would differ from run to run
    (an indeterminate progress bar, as in the Sync tab, draws its pulse where the clock says)."""
    app.animation_level = "none"
    for screen in app.screen_stack:  # a dialog's input too, not only the screen below it
        for widget in screen.query("*"):
            if hasattr(widget, "cursor_blink"):
                widget.cursor_blink = False
        for bar in screen.query("ProgressBar Bar"):  # drawn again without the pulse
            bar.refresh()


async def pick(pilot: Any, name: str) -> None:
    app = pilot.app
    resources = app.query_one(ResourceList)
    resources.focus()
    resources.highlighted = app.session.project.resource_names().index(name)
    await settle(pilot)


async def fresh_demo(pilot: Any) -> None:
    await settle(pilot)
    steady(pilot.app)


async def response_loaded(pilot: Any) -> None:
    await pick(pilot, "usage-events")
    await pilot.press("ctrl+r")
    await settle(pilot)
    steady(pilot.app)


async def mapping_error(pilot: Any) -> None:
    await response_loaded(pilot)
    pilot.app.query_one(MappingTable).focus_field(("properties", "input_tokens"))
    await pilot.press("end", "ctrl+u", *".tokenUsage | keys | length")  # null has no keys: some records fail
    await settle(pilot)
    steady(pilot.app)


async def entities_view(pilot: Any) -> None:
    await response_loaded(pilot)
    await pilot.app.run_action("show_bottom('entities')")
    pilot.app.query_one("#entities").focus()
    await settle(pilot)
    steady(pilot.app)


async def field_editor(pilot: Any) -> None:
    """The focused-field editor on a long expression (the title of a usage event)."""
    await response_loaded(pilot)
    pilot.app.query_one(MappingTable).focus_field(("title",))
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    steady(pilot.app)


#: Rounds of ``settle`` a pane gets to show its work (each waits for every worker): a hang guard,
#: not a timing. A pane that is still not ready fails the state, naming what it waited for.
READY_ROUNDS = 20


async def wait_until(pilot: Any, ready: Callable[[], bool], what: str) -> None:
    """Settle until ``ready()`` holds (the pane's worker answered and it drew the answer)."""
    for _ in range(READY_ROUNDS):
        await settle(pilot)
        if ready():
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
            steady(pilot.app)
            return
    raise AssertionError(f"{what}: not ready after {READY_ROUNDS} settled rounds")


def tab_pane(app: BuilderApp, tab: str, kind: type[T]) -> T | None:
    pane = app.tab_pane(tab)
    return pane if isinstance(pane, kind) else None


async def open_tab(pilot: Any, tab: str, kind: type[T], ready: Callable[[T], bool], what: str) -> T:
    """Show a top-level tab (its pane mounts lazily) and wait until ``ready(pane)``."""
    pilot.app.show_tab(tab)
    await wait_until(pilot, lambda: (pane := tab_pane(pilot.app, tab, kind)) is not None and ready(pane), what)
    pane = tab_pane(pilot.app, tab, kind)
    assert pane is not None
    return pane


def blueprint_inferred(pane: BlueprintPane) -> bool:
    return pane.inferred is not None and "inferring" not in str(pane.query_one("#bp-summary", Static).render())


async def blueprint_tab(pilot: Any) -> None:
    await response_loaded(pilot)
    await open_tab(pilot, "blueprint", BlueprintPane, blueprint_inferred, "the Blueprint tab's inference")


def exports_built(pane: ExportPane) -> bool:
    return bool(pane.files or pane.error) and "building" not in str(pane.query_one("#export-summary",
                                                                                   Static).render())


async def export_tab(pilot: Any) -> None:
    await response_loaded(pilot)
    await open_tab(pilot, "export", ExportPane, exports_built, "the Export tab's exports and lint")


def plan_proved(pane: ExportPane) -> bool:
    plan = getattr(pane, "plan", None)
    return plan is not None and any(r.builder_records is not None for r in plan.resources)


async def export_plan(pilot: Any) -> None:
    """The deployment plan with its record counts proved on the simulator (a second worker)."""
    pane = await open_tab(pilot, "export", ExportPane, exports_built, "the Export tab's exports and lint")
    pane.query_one("#export-tabs", TabbedContent).active = "export-plan"
    await wait_until(pilot, lambda: plan_proved(pane), "the Export plan's counts proved on the simulator")


async def export_helm(pilot: Any) -> None:
    pane = await open_tab(pilot, "export", ExportPane, exports_built, "the Export tab's exports and lint")
    pane.query_one("#export-tabs", TabbedContent).active = "export-helm"
    await wait_until(pilot, lambda: bool(pane.query_one("#text-helm", TextArea).text), "the Helm export")


def sync_idle(pane: SyncPane) -> bool:
    return pane.query_one(RehearsePanel).detecting is False and not pane.running


async def sync_plan(pilot: Any) -> None:
    """p in the Sync tab: every resource fetched, mapped and compared with an empty local catalog."""
    pane = await open_tab(pilot, "sync", SyncPane, sync_idle, "the Sync tab")
    await pilot.press("p")
    await wait_until(pilot, lambda: planned(pane), "the Sync tab's plan")


def planned(pane: SyncPane) -> bool:
    if pane.error:  # a plan that failed is not a picture of the plan: say why
        raise AssertionError(f"the Sync tab's plan failed: {pane.error}")
    return pane.plan is not None and not pane.running


async def sync_rehearse(pilot: Any) -> None:
    """The Rehearse view's offer (running it needs the real Ocean: not pictured)."""
    pane = await open_tab(pilot, "sync", SyncPane, sync_idle, "the Sync tab")
    pane.query_one("#sync-tabs", TabbedContent).active = "sync-tab-rehearse"
    await wait_until(pilot, lambda: sync_idle(pane), "the Rehearse view's runtime detection")


async def sync_progress(pilot: Any) -> None:
    """s in the Sync tab: planned and synced into the fresh local catalog; the Progress view."""
    pane = await open_tab(pilot, "sync", SyncPane, sync_idle, "the Sync tab")
    await pilot.press("s")
    await wait_until(pilot, lambda: synced(pane), "the Sync tab's sync into the local catalog")


def synced(pane: SyncPane) -> bool:
    if pane.error:
        raise AssertionError(f"the Sync tab's sync failed: {pane.error}")
    return pane.report is not None and not pane.running


async def sync_catalog(pilot: Any) -> None:
    """The Catalog view after that sync: the blueprints, the first one's entities."""
    await sync_progress(pilot)
    pane = pilot.app.tab_pane("sync")
    assert isinstance(pane, SyncPane)
    pane.query_one("#sync-tabs", TabbedContent).active = "sync-tab-catalog"
    blueprints = pane.query_one("#catalog-blueprints", DataTable)
    entities = pane.query_one("#catalog-entities", DataTable)
    await wait_until(pilot, lambda: blueprints.row_count > 0 and entities.row_count > 0
                     and not entities._require_update_dimensions, "the Catalog view of the synced entities")


async def history(pilot: Any) -> None:
    """The request history after two sends (the clock is fixed: same times every run)."""
    await response_loaded(pilot)
    await pick(pilot, "daily-usage")
    await pilot.press("ctrl+r")
    await settle(pilot)
    await pilot.app.run_action("show_history")
    await wait_until(pilot, lambda: pilot.app.build_pane.query_one(HistoryTable).row_count >= 2,
                     "the request history")


async def entities_filtered(pilot: Any) -> None:
    """The Entities table sorted by its third column (s moves the sort one column on) and filtered."""
    await entities_view(pilot)
    for _ in range(3):
        await pilot.app.run_action("sort_entities")
    await pilot.app.run_action("filter_entities")
    await settle(pilot)
    await pilot.press(*"claude", "enter")  # Enter hands the focus back to the table
    table = pilot.app.build_pane.query_one(EntityTable)
    # DataTable measures its columns when its own queue runs empty: until then a refilled table
    # draws every column as wide as its label (seen once in this picture).
    await wait_until(pilot, lambda: table.filter_text == "claude" and not table._require_update_dimensions,
                     "the filtered Entities table, measured")


async def rename_dialog(pilot: Any) -> None:
    await response_loaded(pilot)
    pilot.app.query_one(MappingTable).focus_field(("properties", "model"))
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)
    steady(pilot.app)


async def help_dialog(pilot: Any) -> None:
    await field_editor(pilot)
    await pilot.press("f1")
    await settle(pilot)
    steady(pilot.app)


async def palette(pilot: Any) -> None:
    await response_loaded(pilot)
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*"prop")
    await settle(pilot)
    steady(pilot.app)


async def unsaved_dialog(pilot: Any) -> None:
    await field_editor(pilot)
    await pilot.press(*" | ascii_downcase")
    await settle(pilot)
    await pilot.press("ctrl+q")
    await settle(pilot)
    steady(pilot.app)


async def add_resource_dialog(pilot: Any) -> None:
    """A prompt: Add resource asks for the endpoint path."""
    await response_loaded(pilot)
    await pilot.app.run_action("add_resource")
    await settle(pilot)
    steady(pilot.app)


async def prompt_refused(pilot: Any) -> None:
    """A prompt that refuses its answer, one line saying why: renaming a property to a taken name."""
    await rename_dialog(pilot)
    await pilot.press("ctrl+u", *"kind", "enter")
    await settle(pilot)
    steady(pilot.app)


async def export_write_dialog(pilot: Any) -> None:
    await open_tab(pilot, "export", ExportPane, exports_built, "the Export tab's exports and lint")
    await pilot.press("w")
    await settle(pilot)
    steady(pilot.app)


async def blueprint_help(pilot: Any) -> None:
    await blueprint_tab(pilot)
    await pilot.press("f1")
    await settle(pilot)
    steady(pilot.app)


#: Every tab, dialog and the palette (at the default size). The Dashboard tab has its own
#: snapshots (tests/see/test_dashboard_tab.py). The Sync states need a local catalog and Ocean
#: runtime that do not depend on the machine: see ``pinned_surroundings``.
SCREENS: dict[str, State] = {
    "field-editor": field_editor,
    "history": history,
    "entities-filtered": entities_filtered,
    "blueprint": blueprint_tab,
    "export": export_tab,
    "export-plan": export_plan,  # its counts proved on the session's simulator, fixed clock
    "export-helm": export_helm,
    "sync-plan": sync_plan,
    "sync-progress": sync_progress,
    "sync-catalog": sync_catalog,
    "sync-rehearse": sync_rehearse,
    "rename-dialog": rename_dialog,
    "prompt-refused": prompt_refused,
    "add-resource-dialog": add_resource_dialog,
    "export-write-dialog": export_write_dialog,
    "help-dialog": help_dialog,
    "blueprint-help": blueprint_help,
    "unsaved-dialog": unsaved_dialog,
    "palette": palette,
}

#: The sizes the layout is checked at (issue #14: from 80x24 up, the JQ always editable).
SIZES: list[tuple[int, int]] = [(80, 24), (100, 30), (140, 44), (200, 60)]

STATES: dict[str, State] = {
    "fresh-demo": fresh_demo,
    "response-loaded": response_loaded,
    "mapping-error": mapping_error,
    "entities": entities_view,
}
