"""The Export tab: every export in its own tab, the lint findings, copy and save.

The text shown is exactly what ``cursor-builder export`` prints (same functions, same project);
secrets are ``"$VAR"`` references here — the TUI never reveals them (principle 4: masked on
screen). Copy uses ``App.copy_to_clipboard`` (OSC 52, works over SSH); save writes every file to a
directory the user confirms.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane, TextArea
from textual.worker import get_current_worker

from builder.ship.export import FORMATS, export_all
from builder.ship.lint import Finding, lint_project, render_text
from builder.tui.screens.dialogs import PromptScreen
from builder.tui.screens.registry import when_pane
from builder.tui.screens.sync_catalog import cell
from widgets.help_data import HelpData

if TYPE_CHECKING:
    from builder.simulator import SimulatorConfig
    from builder.tui.screens.registry import TabHost
    from builder.tui.state.session import Session

TITLES = {"yaml": "Mapping YAML", "blueprints": "Blueprints", "dashboard": "Dashboard", "helm": "Helm",
          "values": "values.yaml", "docker": "Docker", "readme": "README", "setup": "Port setup"}
#: The deployment plan table (builder.ship.deploy_plan): one row per resource.
PLAN_COLUMNS = ("installation", "resource", "pagination", "ingested / preview", "verdict", "native kind")
#: The widest each plan column is drawn, the verdict's the room left (at least PLAN_VERDICT_MIN):
#: at 140 columns every column is in sight, the installation, resource and counts whole; a longer
#: pagination, verdict or native kind ends in … and the note gives the highlighted row in full.
PLAN_WIDTHS = (23, 37, 12, 18, 0, 16)
PLAN_VERDICT = PLAN_COLUMNS.index("verdict")
PLAN_VERDICT_MIN = 16
SEVERITY_MARK = {"error": "✗ error", "warning": "⚠ warning", "info": "· info"}
EXPORT_DIR = "ocean-export"


class ExportPane(Vertical):
    """Exports of the project as the deployed integration needs them, and what will differ."""

    HELP = HelpData("Export", """Everything that ships the integration, exactly as `cursor-builder export` writes it:
the **mapping YAML** (port-app-config, paste it into Port), the **blueprints** in creation order, the
**Helm** command and **values.yaml**, and the **Docker** command. Secrets appear as `"$VAR"`: your shell
fills them in when the command runs.

**Lint** lists what the deployed Ocean integration will do differently from the preview, with the
consequence and a fix. Keys: `c` copy the shown export, `w` write all files, `r` refresh.""")

    BINDINGS = [
        Binding("c", "copy", "Copy", id="export.copy", tooltip="Copy the shown export to the clipboard"),
        Binding("w", "write", "Write files", id="export.write", tooltip="Write every export file to a directory"),
        Binding("r", "refresh", "Refresh", id="export.refresh", tooltip="Rebuild the exports and the lint"),
        # The sub-tabs by key (Tab stays with the widgets): [ previous, ] next.
        Binding("left_square_bracket", "sub_tab(-1)", "Prev view", id="export.previous-view",
                tooltip="Show the previous export view"),
        Binding("right_square_bracket", "sub_tab(1)", "Next view", id="export.next-view",
                tooltip="Show the next export view"),
    ]

    DEFAULT_CSS = """
    ExportPane { height: 1fr; }
    ExportPane #export-summary { height: 1; padding: 0 1; color: $text-muted; }
    ExportPane #export-tabs { height: 1fr; }
    ExportPane TextArea { height: 1fr; border: none; }
    ExportPane #lint-table { height: 1fr; }
    ExportPane #lint-detail { height: auto; max-height: 8; padding: 0 1; border-top: hkey $foreground 15%; }
    ExportPane #plan-table { height: 1fr; }
    ExportPane #plan-note { height: auto; max-height: 8; padding: 0 1; border-top: hkey $foreground 15%; }
    """

    def __init__(self, session: Session, *, now: float | None = None, simulator: SimulatorConfig | None = None,
                 id: str | None = "export-pane") -> None:
        super().__init__(id=id)
        self.session = session
        self.now = now  # the instant the lint's computed request values ($now) use; fixed in tests
        # The session's simulator (None: a default team at ``now``): the plan's counts are proved on
        # the same data, under the same clock, as the rest of the app, so a fixed clock fixes them.
        self.simulator = simulator
        self._ready = False
        self.files: dict[str, str] = {}
        self.findings: list[Finding] = []
        self.error: str | None = None
        self._plan_width = 0  # the pane width the plan table was fitted to
        self._generation = 0  # of refresh_exports: only the newest build is shown
        self._shown = 0  # the generation on screen; behind _generation while a build runs
        # Copy or write asked for while the newest build runs: done when it answers, so what lands in
        # the clipboard or on disk is never an empty "no findings" or the exports before an edit.
        self._after_build: Callable[[], Any] | None = None
        self.plan: Any = None  # the deployment plan shown (builder.ship.deploy_plan.DeployPlan)

    def compose(self) -> ComposeResult:
        yield Static("", id="export-summary")
        with TabbedContent(id="export-tabs"):
            with TabPane("Lint", id="export-lint"):
                yield DataTable(id="lint-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="lint-detail")
            with TabPane("Plan", id="export-plan"):
                yield DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="plan-note")
            for fmt, name in FORMATS.items():
                with TabPane(TITLES.get(fmt, name), id=f"export-{fmt}"):
                    yield TextArea("", read_only=True, show_line_numbers=True, id=f"text-{fmt}",
                                   soft_wrap=False)

    def on_mount(self) -> None:
        table = self.query_one("#lint-table", DataTable)
        table.add_columns("severity", "resource", "code", "what Ocean will do")
        self.query_one("#plan-table", DataTable).add_columns(*PLAN_COLUMNS)
        self._ready = True
        self.refresh_exports()
        # After the first refresh the pane is on screen; focusing it earlier is a no-op.
        self.call_after_refresh(table.focus)

    # -- the app's hooks -----------------------------------------------------------------------
    # The app calls these hooks right after mounting the pane too, possibly before on_mount has
    # run (children not composed yet): on_mount does the first refresh, so skip until then.
    def on_tab_shown(self) -> None:
        if not self._ready:
            return
        self.refresh_exports()
        # Focus inside the pane so its keys (c, w, r) work at once.
        self.query_one("#lint-table", DataTable).focus()

    def on_results_updated(self) -> None:
        if self._ready:
            self.refresh_exports()

    # -- content -------------------------------------------------------------------------------
    def _samples(self) -> dict[str, list[Any]]:
        return {name: run.bodies for name, run in self.session.runs.items() if run.bodies}

    def refresh_exports(self) -> None:
        """Rebuild the exports, the lint and the deployment plan in a thread (the lint maps every
        resource: seconds on a loaded machine); the newest request wins and ``Built`` shows it."""
        session = self.session
        session.install_environment()  # the lint maps with the deployed integration's `env`
        self._generation += 1
        self.query_one("#export-summary", Static).update("building the exports and the lint…")
        self._build(self._generation, session.project.copy(), dict(session.results), self._samples(),
                    self.now)

    class Built(Message):
        """The exports, lint findings and deployment plan of one ``refresh_exports``."""

        def __init__(self, generation: int, files: dict[str, str], findings: list[Finding], plan: Any,
                     error: str | None) -> None:
            super().__init__()
            self.generation, self.files, self.findings, self.plan, self.error = (generation, files, findings,
                                                                                 plan, error)

    @work(thread=True, exclusive=True, group="export-build", description="build the exports")
    def _build(self, generation: int, project: Any, results: dict[str, Any], samples: dict[str, list[Any]],
               now: float | None) -> None:
        from builder.ship.deploy_plan import plan_deployment

        error: str | None = None
        try:
            files = export_all(project, env={})
        except Exception as exc:  # a project mid-edit may not export: say why instead of crashing
            files, error = {}, f"cannot export: {exc}"
        try:
            findings = lint_project(project, results=results or None, samples=samples or None, now=now)
        except Exception as exc:  # noqa: BLE001 - same: the pane must stay usable
            findings = []
            error = (error + "; " if error else "") + f"lint failed: {exc}"
        try:
            plan = plan_deployment(project, samples)
        except Exception:  # noqa: BLE001 - a project mid-edit: the lint tab says why
            plan = None
        if not get_current_worker().is_cancelled:
            self.post_message(self.Built(generation, files, findings, plan, error))

    def on_export_pane_built(self, message: Built) -> None:
        if message.generation != self._generation:
            return  # a newer refresh is on its way
        session = self.session
        self._shown = message.generation
        self.files, self.findings, self.error = message.files, message.findings, message.error
        for fmt, name in FORMATS.items():
            area = self.query_one(f"#text-{fmt}", TextArea)
            area.load_text(self.files.get(name, self.error or ""))
        table = self.query_one("#lint-table", DataTable)
        table.clear()
        for finding in self.findings:
            table.add_row(SEVERITY_MARK[finding.severity], finding.resource or "integration", finding.code,
                          finding.message)
        self._show_detail(0)
        if message.plan is not None:
            self._show_plan(message.plan)
        counts = {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITY_MARK}
        identifier = session.project.integration.get("identifier") or "unnamed integration"
        summary = (f"{identifier} · lint: {counts['error']} error(s), {counts['warning']} warning(s), "
                   f"{counts['info']} info · c copy · w write files")
        self.query_one("#export-summary", Static).update(self.error or summary)
        waiting, self._after_build = self._after_build, None
        if waiting is not None:
            waiting()

    def _show_plan(self, plan: Any = None) -> None:
        """The deployment plan at once; the record counts once ``_prove_plan`` has run it on the simulator."""
        from builder.ship.deploy_plan import plan_deployment

        try:
            plan = plan or plan_deployment(self.session.project, self._samples())
        except Exception:  # noqa: BLE001 - a project mid-edit: the lint tab says why
            return
        self.plan = plan
        self._fill_plan()
        proved = any(r.builder_records is not None for r in plan.resources)
        if not proved:
            self._prove_plan(self.session.project.copy(), plan)

    @work(thread=True, exclusive=True, group="export-plan", description="prove the sync plan")
    def _prove_plan(self, project: Any, plan: Any) -> None:
        # Both fetches run against the in-process simulator, off the UI thread (a few seconds of work).
        import asyncio

        from builder.ship.deploy_plan import prove

        try:
            proved = asyncio.run(prove(project, plan, self.simulator, self.now))
        except Exception:  # noqa: BLE001 - the table keeps the structural plan
            return
        self.app.call_from_thread(self._show_plan, proved)

    def _fill_plan(self) -> None:
        """The plan's rows in columns that fit the pane's width (refilled when it changes)."""
        plan = self.plan
        if plan is None:
            return
        table = self.query_one("#plan-table", DataTable)
        rows = plan.rows()
        widths = [min(cap, max([len(label)] + [len(row[i]) for row in rows]))
                  for i, (label, cap) in enumerate(zip(PLAN_COLUMNS, PLAN_WIDTHS))]
        # The pane's width (the table's is 0 while its sub-tab is hidden), less the scrollbar and
        # each column's padding either side.
        room = (self.size.width or self.app.size.width) - 2 - 2 * table.cell_padding * len(PLAN_COLUMNS)
        widths[PLAN_VERDICT] = max(PLAN_VERDICT_MIN, room - sum(widths))
        self._plan_width = self.size.width
        row_before = table.cursor_row
        table.clear(columns=True)
        for label, width in zip(PLAN_COLUMNS, widths):
            table.add_column(label, width=width)
        for row in rows:
            # Each cell holds its whole value and is drawn cut with … where its column ends.
            table.add_rows([[cell(value) for value in row]])
        if rows:
            table.move_cursor(row=min(max(row_before, 0), len(rows) - 1))
        self._show_plan_note(table.cursor_row)

    def _show_plan_note(self, row: int) -> None:
        plan = self.plan
        if plan is None:
            return
        proved = any(r.builder_records is not None for r in plan.resources)
        rows = plan.rows()
        lines = []
        if rows:  # the highlighted resource in full, and what its installation's pagination does
            installation, name, pagination, coverage, verdict, kind = rows[max(0, min(row, len(rows) - 1))]
            entry = plan.resource(name)
            lines.append(f"{name} ({installation}, pagination {pagination}): {verdict}"
                         + (f" · ingested {coverage}" if entry.builder_records is not None else "")
                         + (f" · Port's native kind {kind}" if kind != "-" else ""))
            lines += [f"→ {text}" for text in (entry.closest, entry.alternative) if text]
            lines += [f"{i.identifier}: {i.note()}" for i in plan.installations
                      if i.identifier == installation and i.pagination.type != "none"]
        # The counts always come from the built-in simulator, also when the session fetches a live API:
        # the proof must not spend the team's rate limit, and it proves pagination, not the live data.
        lines.append(("Counts proved on the built-in simulator" if proved else
                      "Proving the counts on the built-in simulator…")
                     + " (also in live mode): each installation's deployed settings run through the source's "
                     "Ocean mode against what the builder fetches.")
        self.query_one("#plan-note", Static).update(Text("\n".join(lines)))

    def on_resize(self) -> None:
        if self.plan is not None and self.size.width != self._plan_width:
            self._fill_plan()

    def _show_detail(self, row: int) -> None:
        detail = self.query_one("#lint-detail", Static)
        if not self.findings:
            detail.update("No findings: the deployed integration will behave like the preview.")
            return
        finding = self.findings[max(0, min(row, len(self.findings) - 1))]
        detail.update(f"{finding.message}\n→ {finding.consequence}\nfix: {finding.fix}")

    def action_sub_tab(self, step: int) -> None:
        tabs = self.query_one("#export-tabs", TabbedContent)
        ids = [pane.id for pane in tabs.query(TabPane) if pane.id]
        if ids:
            current = ids.index(tabs.active) if tabs.active in ids else 0
            tabs.active = ids[(current + step) % len(ids)]

    @on(TabbedContent.TabActivated, "#export-tabs")
    def _sub_tab(self, event: TabbedContent.TabActivated) -> None:
        # Keep the focus inside the pane (a hidden widget loses it), so c / w / r keep working.
        fmt = (event.pane.id or "").removeprefix("export-")
        target = (self.query_one(f"#text-{fmt}", TextArea) if fmt in FORMATS else
                  self.query_one("#plan-table" if fmt == "plan" else "#lint-table"))
        self.call_after_refresh(target.focus)

    @on(DataTable.RowHighlighted, "#lint-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    @on(DataTable.RowHighlighted, "#plan-table")
    def _plan_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_plan_note(event.cursor_row)

    # -- actions -------------------------------------------------------------------------------
    @property
    def current_format(self) -> str | None:
        active = self.query_one("#export-tabs", TabbedContent).active.removeprefix("export-")
        return active if active in FORMATS else None

    def current_text(self) -> str:
        fmt = self.current_format
        if fmt is None:  # the lint tab: copy the findings as the CLI prints them
            return render_text(self.findings)
        return self.files.get(FORMATS[fmt], "")

    def _when_built(self, action: Callable[[], Any]) -> bool:
        """True when the exports on screen are the newest; otherwise ``action`` runs once they are."""
        if self._shown == self._generation:
            return True
        self._after_build = action
        self.notify("The exports are being built: done as soon as they are", timeout=3)
        return False

    def action_copy(self) -> None:
        if not self._when_built(self.action_copy):
            return
        text = self.current_text()
        self.app.copy_to_clipboard(text)
        what = FORMATS.get(self.current_format or "", "lint findings")
        self.notify(f"Copied {what} ({len(text.splitlines())} lines) to the clipboard", timeout=3)

    def action_refresh(self) -> None:
        self.refresh_exports()

    def default_directory(self) -> Path:
        project_path = self.session.project.path
        return (project_path.parent if project_path else Path.cwd()) / EXPORT_DIR

    def write_files(self, directory: Path) -> list[Path]:
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in self.files.items():
            path = directory / name
            path.write_text(text, encoding="utf-8")
            if name.endswith(".sh"):
                path.chmod(0o755)
            written.append(path)
        return written

    def action_write(self) -> None:
        if not self._when_built(self.action_write):
            return
        if not self.files:
            self.notify(self.error or "nothing to write", severity="error")
            return

        def chosen(value: str | None) -> None:
            if not value:
                return
            try:
                written = self.write_files(Path(value).expanduser())
            except OSError as exc:
                self.notify(f"Cannot write to {value}: {exc.strerror or exc}", severity="error")
                return
            self.notify(f"Wrote {len(written)} files to {value}", timeout=4)

        self.app.push_screen(PromptScreen("Write the export files to", str(self.default_directory()),
                                          hint="a directory; existing files with the same names are replaced"),
                             chosen)


def create_pane(app: TabHost) -> ExportPane:
    return ExportPane(app.session, now=app.now, simulator=app.simulator)


def commands(app: TabHost) -> Iterable[tuple[str, str, Callable[[], Any]]]:
    def run(action: Callable[[ExportPane], Any]) -> Callable[[], Any]:
        return lambda: when_pane(app, ExportPane, "export", action)

    yield "Export: copy the shown export", "Copy the export in view to the clipboard", run(ExportPane.action_copy)
    yield "Export: write all files", "Write the mapping, blueprints, Helm and Docker files to a directory", run(ExportPane.action_write)
