"""The interactive builder (Textual). ``make_app`` builds it the same way for the CLI, the tests
and the screenshot script; ``run_app`` is what ``cursor-builder`` calls.

The App holds the session, the top-level tabs (Build plus the tabs registered in
:mod:`builder.tui.screens.registry`) and the app-wide actions (generated from
:mod:`builder.tui.screens.actions`). The Build tab's work lives in :mod:`builder.tui.screens.build`.

State moves one way (:mod:`builder.tui.messages`): panes post ``ProjectChanged``, ``SelectionChanged``
and ``ResultsChanged``; the App keeps ``dirty``, ``selected`` and ``result`` as reactives whose watchers
update the title and the session, and tell the tab in view (``TabShown``, ``ResultsUpdated``).
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Mapping

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, TabPane

from builder.engine import jqrt
from builder.engine.mapping import MappingResult
from builder.project import compile_memo, method_cache, regex_cache
from builder.project.load import load_project
from builder.project.model import DEFAULT_PROJECT_FILE, Project
from builder.tui.css_cache import CssCache, RememberingStylesheet
from builder.tui.first_screen import BuilderScreen
from builder.tui.messages import ProjectChanged, ResultsChanged, ResultsUpdated, SelectionChanged, TabShown
from builder.tui.screens import actions as action_table
from builder.tui.screens.build import BuildPane
from builder.tui.screens.commands import BuilderCommands
from builder.tui.state.eval_process import prepare as prepare_evaluation
from builder.tui.screens.dialogs import HelpScreen, UnsavedScreen
from builder.tui.screens.editing import EditingActions
from builder.tui.screens.request_actions import RequestActions
from builder.tui.screens.registry import TABS, Command, TabModule, TabSpec, load_tab, tab_available
from builder.tui.state.session import Session
from builder.project.yamlio import ProjectError
from widgets.help_data import HelpData
from widgets.resource_list import ResourceList

if TYPE_CHECKING:
    from textual.driver import Driver
    from builder.simulator import SimulatorConfig

log = logging.getLogger("cursor-builder")

SourceFactory = Callable[[Project], Any]

APP_HELP = HelpData("cursor-builder", """Build the Ocean Custom integration that brings Cursor usage into Port:
pick a resource, send its request, point **data_path** at the records, write the mapping's JQ and
watch the entity follow as you type.""")


class BuilderApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "cursor-builder"
    COMMANDS = App.COMMANDS | {BuilderCommands}
    BINDINGS: ClassVar = action_table.bindings() + [
        Binding(spec.key, f"show_tab('{spec.id}')", spec.title, id=f"builder.tab-{spec.id}", tooltip=spec.description,
                priority=True)
        for spec in TABS if spec.key
    ]

    # ``var``, not ``reactive``: an App reactive repaints the whole screen when it changes (Textual
    # refreshes the App, i.e. the screen), and these change on every resource switch and result —
    # a full-screen render more each time (#13). Their watchers refresh what shows them.
    #: Unsaved edits: the title's ●, and quitting asks first (``session.dirty`` follows it).
    dirty: reactive[bool] = var(False, init=False)
    #: The resource the Build tab shows (``session.selected`` follows it).
    selected: reactive[int] = var(0, init=False)
    #: The selected resource's last mapping result (also in ``session.results``).
    result: reactive[MappingResult | None] = var(None, init=False, always_update=True)

    def __init__(self, session: Session, *, source: SourceFactory | None = None, simulator: Any = None,
                 test_mode: bool = False, now: float | None = None) -> None:
        super().__init__()
        #: Textual's CSS work from the last start: its parse and the rules each widget matched (~100 ms
        #: less before the first frame).
        self.stylesheet = RememberingStylesheet(variables=self.stylesheet._variables)
        self.css_cache = CssCache(self.stylesheet)
        self.css_cache.load()
        prepare_evaluation()
        #: The instant computed request values ($now) use; fixed in tests so requests are reproducible.
        self.now = now
        self.session = session
        # `env` / `$ENV` in every mapping this app evaluates (Build, Sync, Export, the evaluation
        # process) are the deployed integration's, never this machine's; put back when the app ends.
        self._environment_token = jqrt.install_environment({})
        session.install_environment()
        self._source_factory = source
        #: The demo simulator's settings (tests fix its clock and seed); also what a pane that runs
        #: its own simulator (the Export plan's proof) runs, so it sees the session's data and clock.
        self.simulator: SimulatorConfig | None = simulator
        self._demo_transport: Any = None
        self.test_mode = test_mode
        self.set_reactive(BuilderApp.dirty, session.dirty)
        self.set_reactive(BuilderApp.selected, session.selected)
        self._tab_modules: dict[str, TabModule] = {}
        self._tab_specs: dict[str, TabSpec] = {}  # tabs whose module exists, imported on first use
        self._tab_panes: dict[str, Widget] = {}
        #: Copy as curl, request history, Entities sort/filter (the App's actions delegate to it).
        self.requests = RequestActions(session, surface=self, build_pane=lambda: self.build_pane,
                                       show_tab=self.show_tab)
        #: Resource and property edits, auto-map, open and save as (the App's actions delegate to it).
        self.editing = EditingActions(session, surface=self, build_pane=lambda: self.build_pane,
                                      changed=self._project_edited,
                                      opened=self._opened, save=self.action_save)

    def get_default_screen(self) -> Screen[None]:
        return BuilderScreen(id="_default")

    # -- layout ------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="top-tabs"):
            with TabPane("Build", id="tab-build"):
                yield BuildPane(self.session, make_source=self.make_source, now=self.now, test_mode=self.test_mode,
                                id="build-pane")
            for spec in TABS:
                # The module is imported and its pane created when the tab first opens (plotext, the
                # catalog…), like Textual's Lazy: startup only checks that the module exists.
                if tab_available(spec):
                    self._tab_specs[spec.id] = spec
                    yield TabPane(spec.title, id=f"tab-{spec.id}")
        yield Footer()

    def _load_tab(self, spec: TabSpec) -> TabModule | None:
        try:
            module = load_tab(spec)
        except Exception:  # a broken tab module must not take the Build tab down with it
            log.exception("tab %s failed to load", spec.id)
            module = None
        if module is not None:
            self._tab_modules[spec.id] = module
        return module

    def on_resize(self, event: Any) -> None:
        self._size_classes(event.size.width, event.size.height)

    def _size_classes(self, width: int, height: int) -> None:
        # Smaller terminals give the side panels' space to the mapping, never its JQ: under 132
        # columns the sidebar narrows, under 120 the connection panel goes and the response shares
        # the middle with the mapping (f3 switches), under 36 rows the field editor gets more room.
        screen = self.screen
        screen.set_class(width < 132, "-narrow")
        screen.set_class(width < 120, "-compact")
        screen.set_class(height < 36, "-short")

    def on_mount(self) -> None:
        self._size_classes(self.size.width, self.size.height)
        self._update_title()
        self.build_pane.focus_part("resources")
        # The screen's queue, not the App's: the App drops an after-refresh callback asked for
        # before it runs (its on_mount is before that).
        self.screen.call_after_refresh(collect_after_start)
        # Written only when something was new: after the first frame, and again once what follows it
        # (the footer's keys, the first focus) has been styled and imported, so the next start has that too.
        self.screen.call_after_refresh(self.save_start_caches)
        self.set_timer(START_SETTLED, self.save_start_caches)

    def get_driver_class(self) -> type[Driver]:
        """Textual's choice, except that Linux gets the driver whose input thread stops at once when
        asked (builder.tui.driver: ~0.1-0.2 s off every quit)."""
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and driver.__module__ == "textual.drivers.linux_driver":
            from builder.tui.driver import WakingLinuxDriver

            return WakingLinuxDriver
        return driver

    def save_start_caches(self) -> None:
        """What makes the next start faster: the CSS work (``css_cache``), the compiled methods
        of the classes defined so far, the regular expressions compiled so far and the JQ programs
        known to compile (``method_cache``, ``regex_cache`` and ``compile_memo``, when
        ``builder.start`` installed them)."""
        self.css_cache.save()
        method_cache.save()
        regex_cache.save()
        compile_memo.save()

    @property
    def build_pane(self) -> BuildPane:
        return self.query_one(BuildPane)

    def _update_title(self) -> None:
        session = self.session
        where = "demo: simulated Cursor team (enterprise)" if session.demo else (session.project.base_url or "no base URL")
        name = session.project.path.name if session.project.path else "unsaved project"
        self.sub_title = f"{where} · {name}{' ●' if session.dirty else ''}"

    @on(TabbedContent.TabActivated, "#top-tabs")
    def _top_tab(self, event: TabbedContent.TabActivated) -> None:
        tab_id = (event.pane.id or "").removeprefix("tab-")
        module = self._tab_module(tab_id)
        if module is None:
            return
        pane = self._tab_panes.get(tab_id)
        if pane is None:
            # Created on first use, like Textual's Lazy: startup stays fast and a tab that never
            # opens costs nothing.
            try:
                pane = module.create_pane(self)
            except Exception as exc:
                log.exception("tab %s failed", tab_id)
                self.notify(f"The {tab_id} tab failed to open: {exc}", severity="error")
                return
            self._tab_panes[tab_id] = pane
            event.pane.mount(pane)
        pane.post_message(TabShown())

    def get_system_commands(self, screen: Any) -> Iterable[Any]:
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command

    def _tab_module(self, tab_id: str) -> TabModule | None:
        """The tab's module, imported the first time it is asked for."""
        if tab_id not in self._tab_modules and tab_id in self._tab_specs:
            if self._load_tab(self._tab_specs[tab_id]) is None:
                del self._tab_specs[tab_id]
        return self._tab_modules.get(tab_id)

    def tab_titles(self) -> list[tuple[str, str]]:
        return [("build", "Build")] + [(spec.id, spec.title) for spec in TABS if spec.id in self._tab_specs]

    def tab_commands(self) -> Iterable[Command]:
        for tab_id in list(self._tab_specs):
            module = self._tab_module(tab_id)
            if module is None:
                continue
            try:
                yield from module.commands(self)
            except Exception:
                log.exception("commands of tab %s failed", tab_id)

    def tab_pane(self, tab_id: str) -> Widget | None:
        """The pane of a top-level tab, once it has been opened."""
        return self._tab_panes.get(tab_id)

    def show_tab(self, tab_id: str) -> None:
        self.query_one("#top-tabs", TabbedContent).active = f"tab-{tab_id}"

    # -- state shared with other tabs --------------------------------------------------------------
    def make_source(self, project: Project) -> Any:
        """A ``builder.source.client.Source`` for ``project``: the simulator in demo mode, else the real API."""
        if self._source_factory is not None:
            return self._source_factory(project)
        from builder.simulator import DEMO_API_KEY
        from builder.source.client import RetryPolicy, Source, demo_transport

        transport = None
        if self.session.demo:
            if self._demo_transport is None:
                # One simulator per session: its rate-limit window and data stay consistent across sends.
                self._demo_transport = demo_transport(self.simulator)
            transport = self._demo_transport
        # A person is waiting: retry once, and never sit out a long Retry-After (the error says to wait).
        retry = RetryPolicy(attempts=2, max_delay=2.0, max_retry_after=3.0)
        return Source(project, transport=transport, env=self.session.env, now=self.now,
                      overrides=self.session.overrides(DEMO_API_KEY), retry=retry, timeout=20.0)

    def _project_edited(self) -> None:
        """The project was edited: unsaved (the title's ●), and `env` read again from its settings.
        Called at once by the App's own edit actions (they reload the Build tab themselves)."""
        self.dirty = True
        self.session.dirty = True  # also when already dirty: an edit may have cleared nothing else
        self.session.install_environment()  # a setting may have changed what `env` holds

    def on_project_changed(self, message: ProjectChanged) -> None:
        """A pane edited the project; an edit from elsewhere than the Build tab is shown there again."""
        self._project_edited()
        if message.reload:
            self.build_pane.reload()

    def on_selection_changed(self, message: SelectionChanged) -> None:
        self.selected = message.index

    def on_results_changed(self, message: ResultsChanged) -> None:
        self.result = message.result

    def watch_dirty(self, dirty: bool) -> None:
        self.session.dirty = dirty
        self._update_title()

    def watch_selected(self, index: int) -> None:
        self.session.selected = index

    def watch_result(self, result: MappingResult | None) -> None:
        """A new mapping result: the plug-in tab in view refreshes itself (the others when shown)."""
        if not self.is_running:
            return  # quitting: the screen's widgets may be gone already (an evaluation ended meanwhile)
        active = self.query_one("#top-tabs", TabbedContent).active.removeprefix("tab-")
        pane = self._tab_panes.get(active)
        if pane is not None:
            pane.post_message(ResultsUpdated())

    @on(ResourceList.Requested)
    async def _resource_requested(self, event: ResourceList.Requested) -> None:
        await self.run_action(f"{event.action}_resource")

    # -- actions -----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_property":
            row = self.editing.focused_mapping_row()
            return row is not None and row.path[0] in ("properties", "relations")
        if action in ("send", "auto_map", "add_property", "duplicate_resource", "rename_resource",
                      "remove_resource", "record", "first_failing"):
            return self.session.resource is not None
        return True

    def action_send(self) -> None:
        self.show_tab("build")
        self.build_pane.send()

    def action_record(self, step: int) -> None:
        self.build_pane.step_record(step)

    def action_page(self, step: int) -> None:
        self.build_pane.step_page(step)

    def action_test_connection(self) -> None:
        self.build_pane.test_connection()

    def action_first_failing(self) -> None:
        self.build_pane.first_failing()

    def action_focus(self, target: str) -> None:
        self.show_tab("build")
        self.build_pane.focus_part(target)

    def action_show_bottom(self, which: str) -> None:
        self.show_tab("build")
        self.build_pane.show_bottom(which)

    def action_show_io(self, which: str) -> None:
        self.show_tab("build")
        self.build_pane.show_io(which)

    def action_toggle_response(self) -> None:
        """Compact layout: the middle shows either the response or the mapping; f3 switches."""
        self.show_tab("build")
        self.build_pane.toggle_response()

    def action_show_tab(self, tab_id: str) -> None:
        self.show_tab(tab_id)

    def action_copy_curl(self) -> None:
        self.requests.copy_curl()

    def action_show_history(self) -> None:
        self.requests.show_history()

    def action_filter_entities(self) -> None:
        self.requests.filter_entities()

    def action_sort_entities(self) -> None:
        self.requests.sort_entities()

    def action_add_resource(self) -> None:
        self.editing.add_resource()

    def action_duplicate_resource(self) -> None:
        self.editing.duplicate_resource()

    def action_rename_resource(self) -> None:
        self.editing.rename_resource()

    def action_remove_resource(self) -> None:
        self.editing.remove_resource()

    def action_rename(self) -> None:
        self.editing.rename()

    def action_add_property(self) -> None:
        self.editing.add_property()

    def action_delete_property(self) -> None:
        self.editing.delete_property()

    def action_auto_map(self) -> None:
        self.editing.auto_map()

    def action_open_project(self) -> None:
        self.editing.open_project()

    def action_save_as(self) -> None:
        self.editing.save_as()

    def action_help(self) -> None:
        node = self.focused
        help_data = APP_HELP
        while node is not None:
            found = getattr(type(node), "HELP", None)
            if isinstance(found, HelpData):
                help_data = found
                break
            node = node.parent
        keys = [(a.key or "", a.help) for a in action_table.ACTIONS if a.key]
        # The tab keys too: at 100 columns the footer has no room left for them.
        keys += [(spec.key, f"{spec.title} tab: {spec.description}") for spec in TABS
                 if spec.key and spec.id in self._tab_specs]
        self.push_screen(HelpScreen(help_data.title, help_data.markdown, keys))

    # -- save and quit -----------------------------------------------------------------------------
    def action_save(self, path: str | None = None) -> bool:
        project = self.session.project
        try:
            target = project.save(Path(path) if path else project.path or Path(DEFAULT_PROJECT_FILE))
        except ProjectError as exc:
            self.notify(str(exc), title="Not saved", severity="error")
            return False
        except OSError as exc:
            self.notify(f"Cannot write the project file: {exc.strerror or exc}", title="Not saved", severity="error")
            return False
        self.dirty = False
        self.notify(f"Saved {target}", timeout=3)
        return True

    def _opened(self) -> None:
        self.dirty = False  # another project was opened: nothing is unsaved

    def on_unmount(self) -> None:
        jqrt.restore_environment(self._environment_token)

    async def action_quit(self) -> None:
        if not self.dirty:
            self.exit(0)
            return
        target = str(self.session.project.path or DEFAULT_PROJECT_FILE)

        def decided(choice: str | None) -> None:
            if choice == "save" and self.action_save():
                self.exit(0)
            elif choice == "discard":
                self.exit(0)

        self.push_screen(UnsavedScreen(target), decided)


#: Seconds after which a start's own styling is done (what the CSS cache writes a second time).
START_SETTLED = 2.0

#: The cyclic GC's first threshold while the app runs (Python's is 700 allocations). A full collection
#: scans every object the app holds (~200,000 with a response and its results in view, most of them
#: Textual's cached strips) in 50-60 ms, and came every few keystrokes or switches, on top of one:
#: the slowest switch in twenty. Collecting young objects every 10,000 allocations instead of 700 makes
#: full collections ~14x rarer for the same work per allocation (#13: switch 104-113 -> 60-81 ms p95).
GC_THRESHOLD = 10_000


def collect_after_start() -> None:
    """After the first paint: the cyclic GC back on if the start turned it off (``cursor-builder``
    does, builder.cli). What the start built lives as long as the app, so it is frozen first: later
    collections (while typing) never scan it again; and they come less often (:data:`GC_THRESHOLD`)."""
    if not gc.isenabled():
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        gc.enable()


# -- building and running ----------------------------------------------------------------------------

def open_project(project: Project | str | Path | None, now: float | None = None) -> Project:
    """The project to edit: given, the file at the path, or (file missing) the Cursor preset with
    its literal date windows moved to ``now``."""
    if isinstance(project, Project):
        return project
    path = Path(project) if project is not None else Path(DEFAULT_PROJECT_FILE)
    if path.exists():
        return load_project(path)
    from builder.project.presets import load_preset
    from builder.source.request import refresh_literal_values

    fresh = load_preset("cursor")
    refresh_literal_values(fresh, time.time() if now is None else now)
    fresh.path = path  # ctrl+s creates it
    return fresh


def make_app(project: Project | str | Path | None = None, *, demo: bool = False, source: SourceFactory | None = None,
             simulator: Any = None, env: Mapping[str, str] | None = None, test_mode: bool = False,
             now: float | None = None) -> BuilderApp:
    """Build the app. ``source`` replaces the HTTP source factory; ``simulator`` is the
    ``SimulatorConfig`` for ``demo`` (tests fix its ``now`` and ``seed``); ``test_mode`` hides
    timings so snapshots are stable."""
    if now is None and simulator is not None and getattr(simulator, "now", None) is not None:
        now = simulator.resolved_now().timestamp()  # ask for the simulated history, not today's
    session = Session(open_project(project, now), demo=demo)
    if env is not None:
        session.env = dict(env)
    return BuilderApp(session, source=source, simulator=simulator, test_mode=test_mode, now=now)


def run_app(project_path: str | Path | None, demo: bool = False) -> int:
    app = make_app(project_path, demo=demo)
    result = app.run()
    return int(result or app.return_code or 0)
