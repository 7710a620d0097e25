"""The Sync tab: choose a target, see the plan, run it with live counts, cancel safely, browse.

Same engine as ``cursor-builder sync`` (:mod:`builder.sync.run`): the plan table is ``SyncPlan``, the
counts are the ``SyncProgress`` a run reports per (resource, blueprint), the report is
``SyncReport.lines()``. Work runs in one exclusive async worker; cancel sets the run's cancel
event, so bulks in flight finish and the rest go to the failures file as "not sent: cancelled".
The Catalog sub-tab (:mod:`builder.tui.screens.sync_catalog`) browses the local catalog.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, DataTable, ProgressBar, Select, Static, TabbedContent, TabPane

from builder.project.printable import printable
from builder.sync.failures import failures_path
from builder.tui.screens.registry import when_pane
from builder.tui.screens.sync_catalog import CatalogBrowser, cell
from builder.tui.screens.sync_rehearse import RehearsePanel, ocean_offered
from widgets.help_data import HelpData

if TYPE_CHECKING:
    from builder.project.model import Project
    from builder.source.client import Source
    from builder.tui.screens.registry import TabHost
    from builder.tui.state.session import Session
    from builder.sync.plan import SyncPlan
    from builder.sync.report import SyncProgress, SyncReport

TARGETS = [("Local catalog", "local"), ("Port EU", "eu"), ("Port US", "us")]
REDRAW_SECONDS = 0.1


class SyncPane(Vertical):
    """Plan and apply the project's entities to Port or the local catalog."""

    HELP = HelpData("Sync", """Sync the project's resources straight into **Port** (EU or US, with
`PORT_CLIENT_ID` / `PORT_CLIENT_SECRET`) or the **local catalog** (a Port-compatible store on this machine).

`p` computes the **plan**: every resource is fetched and mapped exactly as Ocean would, then compared
with the target — per blueprint, how many entities are created, updated or left unchanged (and, with
*delete stale*, which ones would be deleted; Ocean's `entityDeletionThreshold` stops a mass delete).
`s` **starts** it: blueprints first, then bulk upserts, with live counts. `x` **cancels** safely:
requests in flight finish, the rest are recorded as not sent. Records that fail are written to
`<project>.failures.jsonl`; `f` **retries** exactly those. The **Catalog** tab browses the local catalog
(`r` refreshes, type to search). When an Ocean runtime is installed, `o` **rehearses** the deployment: the
real Ocean Custom integration runs once against the local catalog, and the **Rehearse** tab compares what
it delivered with the preview (`x` cancels it too).""")

    BINDINGS = [
        Binding("p", "plan", "Plan", id="sync.plan", tooltip="Fetch, map and compare with the target (writes nothing)"),
        Binding("s", "start", "Start", id="sync.start", tooltip="Run the sync (plans first when needed)"),
        Binding("x", "cancel", "Cancel", id="sync.cancel", tooltip="Cancel safely: in-flight requests finish"),
        Binding("f", "retry_failed", "Retry failed", id="sync.retry",
                tooltip="Re-send exactly the records of the failures file"),
        Binding("r", "refresh_catalog", "Refresh catalog", id="sync.refresh",
                tooltip="Reload the local catalog browser"),
        Binding("o", "rehearse", "Rehearse with Ocean", id="sync.rehearse",
                tooltip="Run the real Ocean Custom integration against the local catalog and compare with the preview"),
    ]

    DEFAULT_CSS = """
    SyncPane { height: 1fr; }
    SyncPane #sync-controls { height: 3; padding: 0 1; }
    SyncPane #sync-target { width: 24; }
    SyncPane #sync-delete-stale { width: auto; margin: 0 2; }
    SyncPane #sync-where { width: 1fr; padding: 1 0 0 0; color: $text-muted; }
    SyncPane #sync-status { height: 1; padding: 0 1; }
    SyncPane #sync-progress { height: 1; padding: 0 1; }
    SyncPane #sync-progress Bar { width: 60; }
    SyncPane #sync-tabs { height: 1fr; }
    SyncPane DataTable { height: 1fr; }
    SyncPane #sync-plan, SyncPane #sync-counts { height: auto; max-height: 16; }
    SyncPane #sync-notes, SyncPane #sync-report { height: 1fr; padding: 1 1 0 1; }
    SyncPane #catalog-blueprints { width: 56; border-right: vkey $foreground 15%; }
    SyncPane #catalog-search { margin: 0 1; }
    SyncPane #catalog-entity { height: 10; padding: 0 1; border-top: hkey $foreground 15%; }
    """

    def __init__(self, session: Session, *, make_source: Callable[[Project], Source],
                 id: str | None = "sync-pane") -> None:
        super().__init__(id=id)
        self.session = session
        self._make_source = make_source
        from builder.port.catalog import default_db_path
        from builder.sync.target import default_target

        kind, self.default_reason = default_target(session.project, session.env, demo=session.demo)
        region = str(session.project.port.get("region") or "eu").lower()
        self.target = "local" if kind == "local" else ("us" if region == "us" else "eu")
        self._db_path: Path = default_db_path()
        self.delete_stale = False
        self.plan: SyncPlan | None = None
        self.report: SyncReport | None = None
        self.progress: SyncProgress | None = None
        self.running = False
        self.cancel_event: asyncio.Event | None = None
        self.error: str | None = None
        self._last_draw = 0.0
        self._ready = False
        self._catalog_width = 0  # the pane width the catalog columns were made for

    @property
    def db_path(self) -> Path:
        """The local catalog's database (the shared default; tests point it into a temporary dir)."""
        return self._db_path

    @db_path.setter
    def db_path(self, value: Path) -> None:
        self._db_path = Path(value)
        if self._ready:
            self._show_where()

    # -- layout ----------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="sync-controls"):
            yield Select(TARGETS, value=self.target, allow_blank=False, id="sync-target")
            yield Checkbox("delete stale", self.delete_stale, id="sync-delete-stale")
            yield Static("", id="sync-where")
        yield Static("p plan · s start · x cancel · f retry failed", id="sync-status")
        yield ProgressBar(total=None, show_eta=False, id="sync-progress")
        with TabbedContent(id="sync-tabs"):
            with TabPane("Plan", id="sync-tab-plan"):
                yield DataTable(id="sync-plan", cursor_type="row", zebra_stripes=True)
                yield Static("", id="sync-notes")
            with TabPane("Progress", id="sync-tab-progress"):
                yield DataTable(id="sync-counts", cursor_type="row", zebra_stripes=True)
                yield Static("", id="sync-report")
            with TabPane("Rehearse", id="sync-tab-rehearse"):
                yield RehearsePanel(self.session, lambda: self.db_path, self.refresh_catalog)
            with TabPane("Catalog", id="sync-tab-catalog"):
                yield CatalogBrowser(lambda: self.db_path)

    def on_mount(self) -> None:
        self.query_one("#sync-plan", DataTable).add_columns("blueprint", "definition", "create", "update",
                                                            "unchanged", "stale", "duplicates")
        self.query_one("#sync-counts", DataTable).add_columns("resource", "blueprint", "to send", "created",
                                                              "updated", "unchanged", "failed", "cancelled")
        self._catalog_columns()
        self._ready = True
        self._show_where()
        self.call_after_refresh(self.query_one("#sync-plan", DataTable).focus)

    def _catalog_columns(self) -> None:
        """The catalog's columns for this pane's width (every one in sight at 140 columns)."""
        self._catalog_width = self.size.width
        self.query_one(CatalogBrowser).lay_out(self.size.width or self.app.size.width)

    def on_resize(self) -> None:
        if self._ready and self.size.width != self._catalog_width:
            self._catalog_columns()
            self.refresh_catalog()

    def on_tab_shown(self) -> None:
        if self._ready:
            self._show_where()
            self.query_one("#sync-plan", DataTable).focus()

    # -- state shown -----------------------------------------------------------------------------
    def _show_where(self) -> None:
        if self.target == "local":
            text = f"local catalog: {self.db_path}"
            if self.default_reason:
                text += f" ({self.default_reason})"
        else:
            from builder.project.yamlio import ProjectError
            from builder.sync.target import port_target  # the same resolution as the CLI's (issue #11 row 4)

            try:
                url = port_target(self.session.project, self.target)[1]
            except ProjectError as exc:
                url = str(exc)
            text = f"Port {self.target.upper()} ({url}) — credentials from PORT_CLIENT_ID / PORT_CLIENT_SECRET"
        self.query_one("#sync-where", Static).update(text)

    def _status(self, text: str) -> None:
        self.query_one("#sync-status", Static).update(text)

    @on(Select.Changed, "#sync-target")
    def _target_changed(self, event: Select.Changed) -> None:
        if event.value != self.target:
            self.target = str(event.value)
            self._forget_plan()
            self._show_where()

    @on(Checkbox.Changed, "#sync-delete-stale")
    def _delete_stale_changed(self, event: Checkbox.Changed) -> None:
        self.delete_stale = event.value
        self._forget_plan()

    def _forget_plan(self) -> None:
        if self.plan is not None and not self.running:
            self.plan = None
            self._status("the target or options changed: press p to plan again")

    def _open_target(self, dry_run: bool = False) -> Any:
        """``dry_run``: a plan, which writes nothing, not even a first empty local catalog (as the
        CLI's dry run)."""
        from builder.sync.target import open_target

        session = self.session
        if self.target == "local":
            from builder.port.catalog import default_db_path

            # The shared default catalog is ours to create, folder included, as the CLI's `sync` does:
            # a newcomer's first plan must not fail on a missing ~/.local/share/cursor-builder. Only a
            # path set on purpose must already have its folder.
            db = None if self.db_path == default_db_path() else self.db_path
            return open_target(session.project, target="local", db=db, env=session.env, dry_run=dry_run)
        return open_target(session.project, target="port", region=self.target, env=session.env)

    # -- work ------------------------------------------------------------------------------------
    def _begin(self, what: str) -> bool:
        if self.running:
            self.notify("A sync is already running: cancel it first (x).", severity="warning")
            return False
        self.running = True
        self.error = None
        self.cancel_event = asyncio.Event()
        self._status(f"{what}…")
        return True

    def action_plan(self) -> None:
        if self._begin("planning"):
            self.run_worker(self._work(run=False), exclusive=True, group="sync", name="sync-plan")

    def action_start(self) -> None:
        if self._begin("syncing"):
            self.run_worker(self._work(run=True), exclusive=True, group="sync", name="sync-run")

    def action_retry_failed(self) -> None:
        path = failures_path(self.session.project.path)
        if not path.exists():
            self.notify(f"No failures file ({path.name}): nothing to retry.", timeout=3)
            return
        if self._begin("retrying failed records"):
            self.run_worker(self._work(run=True, retry=path), exclusive=True, group="sync", name="sync-retry")

    def action_rehearse(self) -> None:
        self.query_one("#sync-tabs", TabbedContent).active = "sync-tab-rehearse"
        self.query_one(RehearsePanel).start()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "rehearse":
            return ocean_offered()  # the footer offers it only when an Ocean runtime is there
        return True

    def action_cancel(self) -> None:
        if self.query_one(RehearsePanel).cancel():
            return
        if not self.running or self.cancel_event is None:
            self.notify("Nothing to cancel.", timeout=2)
            return
        self.cancel_event.set()
        self._status("cancelling: requests in flight finish, the rest are recorded as not sent")

    async def _work(self, *, run: bool, retry: Path | None = None) -> None:
        from builder.sync.failures import FailuresFileError
        from builder.port.outcomes import PortError
        from builder.sync.report import SyncProgress
        from builder.sync.run import plan_sync, retry_failed, run_plan
        from builder.project.yamlio import ProjectError

        session = self.session
        project = session.project
        session.install_environment()  # what the sync maps with: the deployed integration's `env`
        target = None
        source = None
        self.progress = SyncProgress()
        try:
            target = self._open_target(dry_run=not run and retry is None)
            await target.client.authenticate()
            if retry is not None:
                self.report = await retry_failed(project, target.client, retry, cancel=self.cancel_event,
                                                 on_progress=self._on_progress, target=target.description)
                self.plan = self.report.plan
                self._show_plan()
            else:
                if self.plan is None or not run:
                    source = self._make_source(project)
                    self.plan = await plan_sync(project, target.client, delete_stale=self.delete_stale,
                                                source=source, target=target.description,
                                                on_progress=self._on_progress, progress=self.progress)
                    self._show_plan()
                if run and self.cancel_event is not None and self.cancel_event.is_set():
                    self._status("cancelled before anything was written — the plan is shown; s starts it")
                    return
                if run:
                    plan, self.plan = self.plan, None  # a plan is used once: the target changes under it
                    self.report = await run_plan(project, target.client, plan, cancel=self.cancel_event,
                                                 on_progress=self._on_progress,
                                                 failures_file=failures_path(project.path),
                                                 replace_resources=[r.name for r in plan.resources],
                                                 progress=self.progress)
            if run and self.report is not None:
                self._show_report()
            elif self.plan is not None:
                sends = len(self.plan.to_send)
                self._status(f"plan ready: {sends} entities to send, {len(self.plan.failures)} records fail "
                             "before sending — press s to start")
        except (ProjectError, PortError, FailuresFileError) as exc:
            self.error = str(exc)
            self._status(f"✗ {exc}")
            self.notify(str(exc), title="Sync", severity="error")
        finally:
            self.running = False
            if source is not None:
                await source.aclose()
            if target is not None:
                await target.aclose()
            self.refresh_catalog()

    def _on_progress(self, progress: SyncProgress) -> None:
        self.progress = progress
        now = time.monotonic()
        if progress.phase not in ("upsert", "delete") or now - self._last_draw >= REDRAW_SECONDS:
            self._last_draw = now
            self._show_progress()

    # -- rendering -------------------------------------------------------------------------------
    def _show_progress(self) -> None:
        progress = self.progress
        if progress is None:
            return
        total = progress.total()
        bar = self.query_one("#sync-progress", ProgressBar)
        if progress.phase in ("upsert", "delete", "done") and total.planned:
            bar.update(total=total.planned, progress=total.done)
        elif progress.phase == "done":
            bar.update(total=1, progress=1)
        if progress.phase != "done":
            self._status(f"{progress.phase}: {progress.message}"
                         + (f" — {total.done}/{total.planned}" if total.planned else ""))
        table = self.query_one("#sync-counts", DataTable)
        table.clear()
        for (resource, blueprint), c in sorted(progress.counts.items()):
            table.add_row(cell(resource), cell(blueprint), c.planned, c.created, c.updated, c.unchanged,
                          c.failed, c.cancelled)

    def _show_plan(self) -> None:
        plan = self.plan
        if plan is None:
            return
        table = self.query_one("#sync-plan", DataTable)
        table.clear()
        for bp in plan.blueprints.values():
            stale = str(len(bp.stale)) if plan.delete_stale else "—"
            table.add_row(cell(bp.blueprint), bp.action, bp.create, bp.update, bp.unchanged, stale, bp.duplicates)
        notes = [line for line in plan.lines() if not line.startswith("blueprint ")]
        if plan.failures:
            notes.append(f"{len(plan.failures)} records fail before sending (mapping / validation); they go to the "
                         "failures file when the sync runs")
        self.query_one("#sync-notes", Static).update(Text(printable("\n".join(notes))))

    def _show_report(self) -> None:
        report = self.report
        if report is None:
            return
        self._show_progress()
        # The CLI prints the plan's relation notes above its report; the tab shows the report alone.
        lines = report.lines() + [note.strip() for note in report.plan.relation_notes()]
        self.query_one("#sync-report", Static).update(Text(printable("\n".join(lines))))
        self.query_one("#sync-tabs", TabbedContent).active = "sync-tab-progress"
        total = report.total()
        mark = "✓" if report.ok else ("⏹" if report.cancelled else "⚠")
        self._status(f"{mark} {total.created} created, {total.updated} updated, {total.unchanged} unchanged, "
                     f"{len(report.failures)} failed" + (" — cancelled" if report.cancelled else ""))

    # -- catalog browser ---------------------------------------------------------------------------
    def action_refresh_catalog(self) -> None:
        self.refresh_catalog()

    def refresh_catalog(self) -> None:
        if self._ready:
            self.query_one(CatalogBrowser).refresh_catalog()

    @on(TabbedContent.TabActivated, "#sync-tabs")
    def _sub_tab(self, event: TabbedContent.TabActivated) -> None:
        # Keep the focus inside the pane (a hidden widget loses it), so p / s / x keep working.
        if event.pane.id == "sync-tab-catalog":
            self.refresh_catalog()
        elif event.pane.id == "sync-tab-rehearse":
            self.query_one(RehearsePanel).refresh_integrations()  # a CLI rehearsal may have run meanwhile
        target = {"sync-tab-plan": "#sync-plan", "sync-tab-progress": "#sync-counts",
                  "sync-tab-rehearse": "#rehearse-resources"}.get(
            event.pane.id or "", "#catalog-blueprints")
        self.call_after_refresh(self.query_one(target, DataTable).focus)


def create_pane(app: TabHost) -> SyncPane:
    return SyncPane(app.session, make_source=app.make_source)


def commands(app: TabHost) -> Iterable[tuple[str, str, Callable[[], Any]]]:
    def run(action: Callable[[SyncPane], Any]) -> Callable[[], Any]:
        return lambda: when_pane(app, SyncPane, "sync", action)

    yield "Sync: plan", "Fetch, map and compare with the target; writes nothing", run(SyncPane.action_plan)
    yield "Sync: start", "Sync the entities to Port or the local catalog", run(SyncPane.action_start)
    yield "Sync: cancel", "Stop safely: requests in flight finish, the rest are recorded", run(SyncPane.action_cancel)
    yield "Sync: retry failed records", "Re-send exactly the records of the failures file", run(SyncPane.action_retry_failed)
    if ocean_offered():
        yield ("Sync: rehearse with the real Ocean", "Run the Ocean Custom integration against the local catalog and "
               "compare what it delivers with the preview", run(SyncPane.action_rehearse))
