"""The Sync tab's Rehearse sub-tab: run the real Ocean Custom integration against the local catalog.

Same engine as ``cursor-builder rehearse`` (:mod:`builder.ship.rehearse`), offered only when an Ocean
runtime is found the way the CLI finds it (:meth:`OceanRuntime.find`: ``$ORACLE_PYTHON`` or
``.oracle-venv`` with ``port-ocean[cli]``, and the Ocean Custom checkout beside the repository).
The rehearsal is blocking code that starts servers and a process, so it runs in a thread worker;
its progress arrives as messages (``post_message`` is thread-safe and never blocks the run), and
cancelling sets the run's :class:`Cancel`, which signals Ocean's process group at once — the run
then stops every server and process it started. Below the run: the catalog's integrations with
their resync state and the kind examples Ocean sent.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, ProgressBar, Static

from builder.project.printable import printable_json
from widgets.help_data import HelpData

if TYPE_CHECKING:
    from builder.ship.rehearse import OceanRuntime
    from builder.ship.rehearse_progress import Cancel, RehearsalProgress
    from builder.ship.rehearse_report import RehearsalReport
    from builder.tui.state.session import Session

REDRAW_SECONDS = 0.1
#: (runtime or None, why not) once detected in this process: the palette asks without waiting.
_detected: tuple[OceanRuntime | None, str | None] | None = None


def detect_runtime() -> tuple[OceanRuntime | None, str | None]:
    """The Ocean runtime the CLI would use by default, or why there is none (runs a subprocess:
    call it from a thread)."""
    global _detected
    from builder.ship.rehearse import OceanRuntime
    from builder.ship.rehearse_progress import RehearsalError

    try:
        _detected = (OceanRuntime.find(), None)
    except RehearsalError as exc:
        _detected = (None, str(exc))
    return _detected


def ocean_offered() -> bool:
    """Whether to offer the rehearsal (palette, footer): not once the runtime is known to be missing."""
    return _detected is None or _detected[0] is not None


class RehearsePanel(Vertical):
    """Rehearse the deployment with the real Ocean and show what it delivered against the preview."""

    HELP = HelpData("Rehearse with the real Ocean", """**Rehearse** runs the unmodified Ocean Custom
integration (the code the `port-ocean-custom` image runs) once, with exactly the settings the export
deploys, against the **local catalog** (a Port on this machine) and — in demo mode — the Cursor
simulator. No Port account, no Kubernetes.

`o` starts it (installations one after the other, as the export splits them; progress per resource
as Ocean resyncs), `x` cancels it (Ocean and the local servers are stopped). The table then shows,
per resource, what Ocean **fetched**, what it **sent**, what it left **unchanged** because the
catalog already held it equal, and what **landed** — against the **preview**: *equal*, or the first
difference. Below: the catalog's integrations, their resync state and the kind examples Ocean sent
(what Port's UI shows when you edit a mapping). Same as `cursor-builder rehearse PROJECT --demo`.""")

    DEFAULT_CSS = """
    RehearsePanel { height: 1fr; }
    RehearsePanel #rehearse-status { height: auto; padding: 0 1; }
    RehearsePanel #rehearse-progress { height: 1; padding: 0 1; }
    RehearsePanel #rehearse-progress Bar { width: 60; }
    RehearsePanel #rehearse-resources { height: 1fr; }
    RehearsePanel #rehearse-report { height: auto; max-height: 6; padding: 0 1; color: $text-muted; }
    RehearsePanel #rehearse-integrations { height: auto; max-height: 6; border-top: hkey $foreground 15%; }
    RehearsePanel #rehearse-examples { height: 6; padding: 0 1; }
    """

    class Detected(Message):
        def __init__(self, runtime: OceanRuntime | None, reason: str | None) -> None:
            super().__init__()
            self.runtime, self.reason = runtime, reason

    class Progressed(Message):
        def __init__(self, progress: RehearsalProgress) -> None:
            super().__init__()
            self.progress = progress

    class Finished(Message):
        def __init__(self, report: RehearsalReport | None, error: str | None, cancelled: bool) -> None:
            super().__init__()
            self.report, self.error, self.cancelled = report, error, cancelled

    def __init__(self, session: Session, db_path: Callable[[], Path], on_finished: Callable[[], Any],
                 *, id: str | None = "rehearse-panel") -> None:
        super().__init__(id=id)
        self.session = session
        self._db_path = db_path
        self._on_finished = on_finished
        self.runtime: OceanRuntime | None = None
        self.unavailable: str | None = None
        self.detecting = True
        self.running = False
        self.cancel_event: Cancel | None = None
        self.progress: RehearsalProgress | None = None
        self.report: RehearsalReport | None = None
        self.error: str | None = None
        self._offset = 0  # resources of the installations already run
        self._seen_number = 0
        self._total_resources = 0
        self._last_draw = 0.0

    def compose(self) -> ComposeResult:
        yield Static("looking for an Ocean runtime…", id="rehearse-status")
        yield ProgressBar(total=None, show_eta=False, id="rehearse-progress")
        yield DataTable(id="rehearse-resources", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rehearse-report")
        yield DataTable(id="rehearse-integrations", cursor_type="row")
        yield Static("", id="rehearse-examples")

    def on_mount(self) -> None:
        self.query_one("#rehearse-resources", DataTable).add_columns(
            "installation", "resource", "Ocean", "fetched", "preview", "sent", "unchanged", "landed", "result")
        self.query_one("#rehearse-integrations", DataTable).add_columns(
            "integration", "resources", "resync", "last resync end", "kinds with examples", "logs")
        if _detected is not None:
            self._set_runtime(*_detected)
        else:
            self.run_worker(self._detect, thread=True, group="rehearse-detect", name="rehearse-detect")
        self.refresh_integrations()

    def _detect(self) -> None:
        self.post_message(self.Detected(*detect_runtime()))

    @on(Detected)
    def _detected_runtime(self, message: Detected) -> None:
        self._set_runtime(message.runtime, message.reason)

    def _set_runtime(self, runtime: OceanRuntime | None, reason: str | None) -> None:
        self.runtime, self.unavailable, self.detecting = runtime, reason, False
        if not self.running and self.report is None:
            if runtime is None:
                self._status(f"Rehearsal unavailable: {reason}")
            else:
                self._status(f"o rehearses with the real Ocean ({runtime.source.name}, {runtime.python}) against "
                             "the local catalog" + (" and the simulator" if self.session.demo else ""))
        self.refresh_bindings()

    def _status(self, text: str) -> None:
        self.query_one("#rehearse-status", Static).update(text)

    # -- run ---------------------------------------------------------------------------------------
    def start(self) -> None:
        from builder.ship.rehearse_progress import Cancel

        if self.running:
            self.notify("A rehearsal is already running: cancel it first (x).", severity="warning")
            return
        if self.detecting:
            self.notify("Still looking for an Ocean runtime; try again in a moment.", timeout=3)
            return
        if self.runtime is None:
            self.notify(f"Cannot rehearse: {self.unavailable}", title="Rehearse", severity="error")
            return
        session = self.session
        self.running, self.error, self.report, self.progress = True, None, None, None
        self._offset, self._seen_number, self._total_resources = 0, 0, len(session.project.resources)
        self.cancel_event = Cancel()
        self.query_one("#rehearse-resources", DataTable).clear()
        self.query_one("#rehearse-report", Static).update("")
        self.query_one("#rehearse-progress", ProgressBar).update(total=max(self._total_resources, 1), progress=0)
        self._status("rehearsing: starting the local catalog" + (" and the simulator" if session.demo else ""))
        # The run reads its own copy: editing the project meanwhile changes the next rehearsal, not this one.
        project = session.project.copy()
        env = {**session.env, **session.overrides()}
        self.run_worker(lambda: self._rehearse(project, env, session.demo), thread=True, exclusive=True,
                        group="rehearse", name="rehearse")

    def _rehearse(self, project: Any, env: dict[str, str], demo: bool) -> None:
        from builder.project.yamlio import ProjectError
        from builder.ship.rehearse import RehearsalOptions, rehearse
        from builder.ship.rehearse_progress import RehearsalCancelled

        assert self.runtime is not None and self.cancel_event is not None
        options = RehearsalOptions(demo=demo, db=self._db_path(), env=env, cancel=self.cancel_event)
        try:
            report = rehearse(project, self.runtime, options, progress=self._forward)
        except RehearsalCancelled:
            self.post_message(self.Finished(None, None, True))
        except ProjectError as exc:  # RehearsalError included: one line that says what to do
            self.post_message(self.Finished(None, str(exc), False))
        except Exception as exc:  # an unexpected failure is shown, never left in a dead worker
            self.post_message(self.Finished(None, f"the rehearsal failed: {type(exc).__name__}: {exc}", False))
        else:
            self.post_message(self.Finished(report, None, False))

    def _forward(self, progress: RehearsalProgress) -> None:
        # Ocean logs many lines: only steps, resources and every REDRAW_SECONDS of the rest are drawn.
        now = time.monotonic()
        if progress.event != "ocean" or now - self._last_draw >= REDRAW_SECONDS:
            self._last_draw = now
            self.post_message(self.Progressed(progress))

    def cancel(self) -> bool:
        """Stop a running rehearsal; returns whether one was running."""
        if not self.running or self.cancel_event is None:
            return False
        self.cancel_event.set()
        self._status("cancelling: stopping Ocean and the local servers")
        return True

    def on_unmount(self) -> None:
        self.cancel()  # leaving the app stops Ocean too

    # -- rendering ---------------------------------------------------------------------------------
    @on(Progressed)
    def _show_progress(self, message: Progressed) -> None:
        if not self.running:
            return  # a late message of a finished run
        progress = message.progress
        if progress.number != self._seen_number:
            if self._seen_number and self.progress is not None:
                self._offset += len(self.progress.resources)  # the installation before this one
            self._seen_number = progress.number
        self.progress = progress
        bar = self.query_one("#rehearse-progress", ProgressBar)
        bar.update(progress=min(self._offset + progress.done_resources, self._total_resources))
        self._status(f"rehearsing — {progress.summary()}")
        table = self.query_one("#rehearse-resources", DataTable)
        table.clear()
        for row in progress.resources:
            state = row.state if row.state != "done" else f"done ({row.entities} of {row.raw} raw)"
            table.add_row(progress.installation or "", row.kind, state, "", "", "", "", "", "")

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.running = False
        self.cancel_event = None
        if message.cancelled:
            self._status("⏹ cancelled: Ocean and the local servers were stopped; nothing was compared")
        elif message.error is not None:
            self.error = message.error
            self._status(f"✗ {message.error}")
            self.notify(message.error, title="Rehearse", severity="error")
        elif message.report is not None:
            self._show_report(message.report)
        self.refresh_integrations()
        self._on_finished()

    def _show_report(self, report: RehearsalReport) -> None:
        self.report = report
        table = self.query_one("#rehearse-resources", DataTable)
        table.clear()
        resources = 0
        for run in report.installations:
            for r in run.resources:
                resources += 1
                result = r.status if r.difference is None else f"{r.status}: {r.difference}"
                table.add_row(run.identifier, r.name, "done" if run.exit_status == 0 else f"exit {run.exit_status}",
                              r.fetched, r.preview, r.sent, r.unchanged, r.landed, result)
        self.query_one("#rehearse-progress", ProgressBar).update(total=max(resources, 1), progress=resources)
        notes = [line for line in report.lines() if line.startswith("installation ") or "Port calls" in line
                 or "entity error" in line or "extra:" in line]
        self.query_one("#rehearse-report", Static).update("\n".join(notes))
        equal = sum(r.status == "equal" for run in report.installations for r in run.resources)
        if report.ok:
            self._status(f"✓ delivered == preview for every resource ({equal} resources, "
                         f"{len(report.installations)} installations)")
        else:
            self._status(f"⚠ the deployment does NOT deliver what the preview shows: {equal}/{resources} resources "
                         "equal (see the result column)")

    def refresh_integrations(self) -> None:
        """The catalog's integrations with their resync state (and the highlighted one's kind examples)."""
        from builder.port.catalog import CatalogStore
        from builder.port.catalog.integrations import IntegrationStore

        table = self.query_one("#rehearse-integrations", DataTable)
        table.clear()
        path = self._db_path()
        if not path.exists():
            self.query_one("#rehearse-examples", Static).update(f"No local catalog yet at {path}.")
            return
        store = CatalogStore(path)
        try:
            rows = IntegrationStore(store).summary()
        finally:
            store.close()
        for row in rows:
            table.add_row(row["identifier"], row["resources"], row["resyncStatus"] or "never",
                          row["lastResyncEnd"] or "", row["kindsWithExamples"], row["logs"], key=row["identifier"])
        if rows:
            table.move_cursor(row=0)
            self._show_examples(rows[0]["identifier"])
        else:
            self.query_one("#rehearse-examples", Static).update("No integration installed in the local catalog yet.")

    def _show_examples(self, identifier: str) -> None:
        from builder.port.catalog import CatalogStore
        from builder.port.catalog.integrations import IntegrationStore

        store = CatalogStore(self._db_path())
        try:
            examples = IntegrationStore(store).examples(identifier)
        finally:
            store.close()
        lines = [f"kind examples of {identifier} (what Port's UI shows when you edit its mapping):"]
        for kind, items in examples.items():
            first = printable_json(items[0])[:100] if items else "—"
            lines.append(f"  {kind}  ×{len(items)}  {first}")
        self.query_one("#rehearse-examples", Static).update("\n".join(lines if examples else lines[:1] + ["  none"]))

    @on(DataTable.RowHighlighted, "#rehearse-integrations")
    def _integration_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value is not None:
            self._show_examples(str(event.row_key.value))
