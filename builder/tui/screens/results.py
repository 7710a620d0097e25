"""The Build tab's results side: evaluating the mapping and showing what it gives.

Each edit updates the project at once and re-maps the record in view on the spot (one jq call
per field); the run over every record starts at once when none is running, else as soon as the
running one answers (only the newest edit waits: newest wins), in a separate process (see
``eval_process``; a worker thread when no process can be started), and comes back as an
:class:`Evaluated` message. :class:`Results` does this: a widget of its own with
nothing to draw, composed by :class:`builder.tui.screens.build.BuildPane`, which calls it (``evaluate``,
``show_record``, ``step_record``…) and gives it what it needs: the session, how to find the widgets it
fills and what to call when the resource list or the response page must be shown again. A new result
goes up to the App as :class:`builder.tui.messages.ResultsChanged`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.widgets import TabbedContent
from textual.worker import get_current_worker

from builder.engine import mapping
from builder.engine.mapping import leaf_name
from builder.tui.state.eval_process import EvalProcess, Spec
from builder.tui.state.evaluation import BREATHE, EXTRACT_NOW_BYTES, Evaluator, preview_one
from builder.tui.messages import ResultsChanged
from builder.tui.state.session import ResourceRun, Session
from widgets.dropped_table import DroppedTable
from widgets.entity_preview import EntityPreview
from widgets.entity_table import EntityTable
from widgets.field_editor import FieldEditor
from builder.engine.jsonpaths import join_path, merged_record_paths
from widgets.mapping_table import PENDING, MappingTable
from widgets.records_bar import RecordsBar
from widgets.resource_status import ResourceStatus
from widgets.response_panel import ResponseBody

log = logging.getLogger("cursor-builder")

#: Seconds the pane's first evaluation may take on the UI thread (see ``Results._evaluate_here``).
START_BUDGET = 0.06


@dataclass
class Evaluated(Message):
    """A finished evaluation of ``resource_name``'s mapping over its fetched records: what it was
    made from (``spec``, and ``pages`` by identity: a new send makes a new list) and what it gave."""

    generation: int
    resource_name: str
    spec: Spec
    pages: list[Any]
    result: Any  # builder.engine.mapping.MappingResult
    paths: list[tuple[str, str]]


@dataclass
class Answered(Message):
    """The evaluation ``generation`` is over (with a result, skipped, failed or cancelled)."""

    generation: int


_PLAIN_PATH = re.compile(r"^(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def record_location(data_path: str | None, bodies: list[Any], index: int) -> tuple[int, str] | None:
    """(page, JSON path in that page) of record ``index`` when data_path is a plain path (or '.');
    None when only running data_path could tell."""
    path = data_path or "."
    if path != "." and not _PLAIN_PATH.match(path):
        return None
    keys = [] if path == "." else path[1:].split(".")
    for page, body in enumerate(bodies):
        items = body
        for key in keys:
            items = items.get(key) if isinstance(items, dict) else None
        if isinstance(items, list):
            if index < len(items):
                return page, join_path(path, index)
            index -= len(items)
        elif items is not None:
            if index == 0:
                return page, path
            index -= 1
    return None


class Results(Widget):
    """Evaluation and result display for the Build pane, which composes the widgets it fills
    (mapping table, field editor, records bar, entity preview, Entities/Dropped tables, response).

    ``find`` looks those widgets up (the pane's ``find``: ``query_one`` with a memory); ``show_run``
    shows the response again (the record in view moved to another page) and ``statuses_changed`` the
    resource list (a resource's last status changed). Nothing else of the pane is assumed."""

    DEFAULT_CSS = "Results { display: none; }"  # nothing to draw: it fills the pane's widgets

    def __init__(self, session: Session, *, find: Callable[..., Any], show_run: Callable[[], None],
                 statuses_changed: Callable[[], None]) -> None:
        super().__init__()
        self.session = session
        self._find = find
        self._show_run = show_run
        self._statuses_changed = statuses_changed
        self._generation = 0
        self._in_flight: int | None = None  # the generation running, until it answers
        self._queued = False  # an evaluation asked for while one runs: started when it answers
        self._evaluator = Evaluator(breathe=BREATHE)  # in-thread fallback
        self._process: EvalProcess | None = None
        self._process_failed = False
        self._waiters: dict[int, threading.Event] = {}
        self._replies: dict[int, tuple[Any, str | None]] = {}
        self._pending_tables = False
        #: resource name → the evaluation ``session.results[name]`` came from (``reuse`` compares it).
        self._made: dict[str, Evaluated] = {}
        #: Fields edited since the last full evaluation: shown as '…' until it comes back.
        self.pending_fields: set[str] = set()
        #: The pane's first evaluation has started (see ``_evaluate_here``).
        self._started = False

    # -- evaluation ----------------------------------------------------------------------------------
    def evaluate(self, immediate: bool = False) -> None:
        """Re-run the mapping over every record: now when none runs (or ``immediate``), else once
        the running one answers. No wait after a keystroke, and no flood: while one runs, the
        requests made meanwhile are one (it evaluates the project as it is when it starts).
        Results arrive as :class:`Evaluated`."""
        if immediate or self._in_flight is None:
            self._start_evaluation()
        else:
            self._queued = True

    def reuse(self) -> bool:
        """Show the selected resource's last result when what it was made from is unchanged (its
        mapping, query, data_path, the environment `env` means and the very pages it ran over);
        False when it must be evaluated again. Whatever still runs answers to a selection that
        has gone, so it is shown nowhere (#13: a switch is then one layout and one paint, not a
        second round of both when the same result comes back)."""
        session = self.session
        resource, run = session.resource, session.run
        made = self._made.get(resource.name) if resource is not None else None
        if (resource is None or run is None or made is None or session.results.get(resource.name) is not made.result
                or run.bodies is not made.pages or Spec.of(resource, session.install_environment()) != made.spec):
            return False
        self._generation += 1
        self._queued = False
        self.pending_fields.clear()  # edits to this resource would have changed its spec
        self._show(resource.name, made.result, made.paths)
        return True

    @property
    def idle(self) -> bool:
        """No evaluation waiting for the running one to answer (tests use it to know the screen has
        settled, with no worker running)."""
        return not self._queued

    def flush(self) -> None:
        """Start the waiting evaluation now, without waiting for the running one (tests and save)."""
        if self._queued:
            self._start_evaluation()

    def _start_evaluation(self) -> None:
        self._queued = False
        resource = self.session.resource
        if resource is None:
            return
        run = self.session.run
        self._generation += 1
        self._in_flight = self._generation
        pages = run.bodies if run else []
        # The project may have changed since the last run (settings, opt-in): `env` follows it here,
        # in this process (the record in view, the other tabs) and in the evaluation process alike.
        environment = self.session.install_environment()
        spec = Spec.of(resource, environment)
        first, self._started = not self._started, True
        if first and self._evaluate_here(self._generation, spec, run, pages, resource.name):
            return
        process = self._process
        if process is not None and process.ready:
            self._evaluate_remote(process, self._generation, pages, spec, resource.name)
        else:
            self._evaluate_worker(self._generation, spec, pages, resource.name)

    def _evaluate_here(self, generation: int, spec: Spec, run: ResourceRun | None, pages: list[Any],
                       name: str) -> bool:
        """The pane's first evaluation, run here on the UI thread when it fits in
        :data:`START_BUDGET`; False (nothing shown) when it does not, or the pages are too large to
        cut here. It runs as the app starts, before the first frame and before any key is read:
        nothing waits on the event loop meanwhile. From a worker its answer could arrive just after
        the first layout began, and the statuses and counts reached the screen one or two frames
        (~100 ms) after the rest (#13, cold start); here the first frame holds them."""
        if run is None or not pages or sum(page.size for page in run.pages) > EXTRACT_NOW_BYTES:
            return False
        deadline = time.perf_counter() + START_BUDGET
        result = self._evaluator.run(spec, pages, lambda: time.perf_counter() > deadline, breathe=False)
        if result is None:
            return False  # over budget: the worker runs it (the records' extraction stays cached)
        self._in_flight = None
        self._evaluated(Evaluated(generation, name, spec, pages, result, merged_record_paths(result.records)))
        return True

    def start_process(self) -> None:
        """Start the evaluation process (the pane calls this after its first paint: the child's
        imports would compete with it for the CPU). Evaluations use it once it says it is ready."""
        if self._process is not None or self._process_failed or not self.is_attached:
            return
        try:
            self._process = EvalProcess(self._remote_reply)
        except Exception:  # no subprocesses here (sandbox, frozen app): evaluate in a thread
            log.exception("evaluation process unavailable")
            self._process_failed = True

    @property
    def process(self) -> EvalProcess | None:
        """The evaluation process (None before it starts, or where none can be started)."""
        return self._process

    @property
    def starting_process(self) -> EvalProcess | None:
        """The evaluation process while it is still starting (tests wait for it to answer)."""
        process = self._process
        return process if process is not None and process.starting else None

    @work(exclusive=True, group="evaluate", thread=True, description="evaluate in a thread")
    def _evaluate_worker(self, generation: int, spec: Spec, pages: list[Any], name: str) -> None:
        worker = get_current_worker()
        try:
            # Chunked: the screen keeps breathing between chunks, and a resource switch stops it early.
            result = self._evaluator.run(spec, pages, lambda: worker.is_cancelled)
            if result is None:
                return
            self.post_message(Evaluated(generation, name, spec, pages, result, merged_record_paths(result.records)))
        finally:
            self.post_message(Answered(generation))

    @work(exclusive=True, group="evaluate", thread=True, description="evaluate in the process")
    def _evaluate_remote(self, process: EvalProcess, generation: int, pages: list[Any], spec: Spec,
                         name: str) -> None:
        """Hand the work to the evaluation process and wait (off the event loop) for its answer."""
        try:
            self._await_process(process, generation, pages, spec, name)
        finally:
            self.post_message(Answered(generation))

    def _await_process(self, process: EvalProcess, generation: int, pages: list[Any], spec: Spec,
                       name: str) -> None:
        worker = get_current_worker()
        waiter = threading.Event()
        self._waiters[generation] = waiter
        try:
            process.submit(generation, pages, spec)
        except (OSError, ValueError):
            pass  # it ended meanwhile: process.ready is now false, evaluated below in this thread
        while not waiter.wait(0.05):
            if worker.is_cancelled:
                self._waiters.pop(generation, None)
                return
            if not process.ready:  # the child ended (killed, crashed): never wait on it again
                self._waiters.pop(generation, None)
                self._replies[generation] = (self._evaluator.run(spec, pages, lambda: worker.is_cancelled), None)
                break
        result, error = self._replies.pop(generation, (None, None))
        if error:
            log.error("evaluation failed: %s", error)
        if result is None:
            return
        result.compiled = mapping.compile_mapping(spec.mappings, spec.query)
        self.post_message(Evaluated(generation, name, spec, pages, result, merged_record_paths(result.records)))

    def _remote_reply(self, generation: int, result: Any, error: str | None) -> None:
        """Called on the process reader thread."""
        waiter = self._waiters.pop(generation, None)
        if waiter is not None:
            self._replies[generation] = (result, error)
            waiter.set()

    def on_unmount(self) -> None:
        if self._process is not None:
            self._process.close()
            self._process = None

    def on_answered(self, message: Answered) -> None:
        message.stop()
        if message.generation != self._in_flight:
            return  # replaced by a newer one (a resource switch, a flush), which is running
        self._in_flight = None
        if self._queued:
            self._start_evaluation()

    def on_evaluated(self, message: Evaluated) -> None:
        message.stop()
        self._evaluated(message)

    def _evaluated(self, message: Evaluated) -> None:
        session = self.session
        session.results[message.resource_name] = message.result
        self._made[message.resource_name] = message
        if message.generation != self._generation:
            return  # an older evaluation finished after a newer one started: keep it, show the newer
        if not self._queued:  # else edits came after it started: '…' until the queued one answers
            self.pending_fields.clear()
        self._tell_disagreements(message.result)
        self._show(message.resource_name, message.result, message.paths)

    def _show(self, name: str, result: Any, paths: list[tuple[str, str]]) -> None:
        """A result of the selected resource, everywhere the pane shows one."""
        session = self.session
        run = session.run
        if run is not None and (run.pages or run.error):
            dropped_records = len(result.records) - result.kept
            errors = sum(1 for status in result.fields.values() if status.errors or status.compile_error)
            status = ResourceStatus(records=len(result.records), kept=result.kept, dropped=dropped_records,
                                    field_errors=errors, error=self._short_error(run))
            if run.saved_sample:
                status = None  # a recorded sample is not a "last status": nothing was sent
            if session.statuses.get(name) != status:
                if status is None:
                    session.statuses.pop(name, None)
                else:
                    session.statuses[name] = status
                self._statuses_changed()
        self._find(MappingTable).set_paths(paths)
        self._find(FieldEditor).set_paths(paths)
        self._find(RecordsBar).set_record_paths(paths)
        session.record = max(0, min(session.record, len(result.records) - 1))
        self.show_counts(result, run)
        self.show_record()
        self._pending_tables = True
        self._refresh_tables()
        # Sent by this widget even when the pane's handler is running (a switch that reuses a
        # result): Textual stops a message at its sender, and the pane is this widget's parent.
        self.post_message(ResultsChanged(name, result).set_sender(self))

    def _tell_disagreements(self, result: mapping.MappingResult) -> None:
        """The engine's runtime guard caught the fast path disagreeing with jq: say so (once per field;
        the values on screen are already jq's)."""
        for disagreement in result.disagreements:
            self.notify(disagreement.message(), title="Fast path checked against jq", severity="warning", timeout=12)

    def _short_error(self, run: ResourceRun) -> str | None:
        if not run.error:
            return None
        page = next((p for p in run.pages if p.error), None)
        if page is not None and page.status:
            return str(page.status)
        # A word for the resource list when there is no HTTP status to show.
        text = run.error.lower()
        for needle, word in (("no api key", "no key"), ("timed out", "timeout"), ("cannot reach", "unreachable"),
                             ("tls", "TLS")):
            if needle in text:
                return word
        return "failed"

    def show_counts(self, result: Any, run: ResourceRun | None) -> None:
        """The records bar's counts and message for ``result`` (the last one until a new one comes)."""
        bar = self._find(RecordsBar)
        if run is None or not run.bodies:
            # The failure itself is shown in the Response tab, where it happened; here, only its effect.
            bar.set_counts(found=None, message="no records: the request failed (see Response)"
                           if run is not None and run.error else "")
            return
        message = ""
        page_drops = [d for d in result.dropped if d.record is None]
        if result.compiled.selector_error:
            message = f"selector does not compile: {result.compiled.selector_error}"
        elif page_drops:
            message = page_drops[0].reason
        elif result.selector.errors:
            message = f"selector: {result.selector.first_error}"
        bar.set_counts(found=len(result.records), pages=len(run.bodies), kept=result.kept,
                       dropped=len(result.records) - result.kept, message=message,
                       note=run.stop_note if "miss" in run.stop_note or "more" in run.stop_note else "")

    def show_record(self) -> None:
        """Values, entity and title for the selected record. The record is mapped here on its own
        (about a millisecond), so what is shown always follows the mapping as typed; counts and
        statuses come from the last run over all records, '…' where an edit is still being run."""
        result = self.session.result
        resource = self.session.resource
        table = self._find(MappingTable)
        preview = self._find(EntityPreview)
        run = self.session.run
        records = self._evaluator.cached_records(resource, run.bodies) if resource and run else None
        if records is None and result is not None:
            records = result.records
        if records is None and resource is not None and run is not None:
            # Shown before its first evaluation answers (a resource's first visit): the record in
            # view comes with the switch's first frame, the counts when the evaluation answers.
            records = self._evaluator.records_now(resource, run.bodies, sum(page.size for page in run.pages))
        editor = self._find(FieldEditor)
        if resource is None or not records:
            table.clear_values()
            preview.show(None, 0, None, None)
            editor.show(outcome=None, status=None, record=None, total=0, item=None, entity=None, reason=None)
            return
        index = self.session.record = max(0, min(self.session.record, len(records) - 1))
        one = preview_one(resource, records[index])
        self._tell_disagreements(one)
        statuses: dict[str, Any] = dict(result.fields) if result is not None else {}
        for name in self.pending_fields:
            fresh = one.fields.get(name)
            statuses[name] = fresh if fresh is not None and fresh.compile_error else PENDING
        table.show_values({value.path: value.outcome for value in one.values(0)}, statuses, records=len(records))
        if result is not None and not self.pending_fields and result.records is records:
            entity, drop = result.entity_for_record(index), result.drop_for_record(index)
        else:
            entity, drop = one.entity_for_record(0), one.drop_for_record(0)
        preview.show(index, len(records), entity, drop.reason if drop else None)
        if editor.path is not None:
            name = leaf_name(editor.path)
            outcome = next((value.outcome for value in one.values(0) if value.path == name), None)
            status = statuses.get(name)
            editor.show(outcome=outcome, status=None if status is PENDING else status, record=index,
                        total=len(records), item=records[index], entity=entity, reason=drop.reason if drop else None)
        self.follow_record(index)

    def follow_record(self, index: int) -> None:
        """The response JSON follows the record in view: its page, and its cursor on the record."""
        resource, run = self.session.resource, self.session.run
        if resource is None or run is None or not run.bodies or resource.items_to_parse:
            return
        found = record_location(resource.data_path, run.bodies, index)
        if found is None:
            return
        page, path = found
        if run.page_index != page:
            run.page_index = page
            self._show_run()
        viewer = self._find(ResponseBody).viewer.body
        if not viewer.has_focus:  # never pull the cursor from under a person reading the response
            viewer.goto_path(path)

    def _refresh_tables(self) -> None:
        result = self.session.result
        bottom = self._find("#bottom-tabs", TabbedContent)
        entities = len(result.entities) if result else 0
        dropped = len(result.dropped) if result else 0
        for tab_id, label in (("tab-entities", f"Entities ({entities})"), ("tab-dropped", f"Dropped ({dropped})")):
            tab = bottom.get_tab(tab_id)
            if str(tab.label) != label:  # a label change re-lays-out the screen: only when it changes
                tab.label = label
        # Filling a 1,000-row table costs more than a keystroke should: only the visible one is kept fresh.
        if not self._pending_tables or result is None:
            return
        if bottom.active == "tab-entities":
            self._find(EntityTable).show(result.entities, result.entity_records)
            self._pending_tables = False
        elif bottom.active == "tab-dropped":
            resource, run = self.session.resource, self.session.run
            page_of = None
            if resource is not None and run is not None and not resource.items_to_parse:
                data_path, bodies = resource.data_path, run.bodies

                def page_of(record: int) -> int | None:
                    found = record_location(data_path, bodies, record)
                    return found[0] if found else None
            self._find(DroppedTable).show(result.dropped, page_of=page_of)
            self._pending_tables = False

    def tables_shown(self) -> None:
        """Another bottom tab is in view: fill its table if it missed a result."""
        self._pending_tables = True
        self._refresh_tables()

    def step_record(self, step: int) -> None:
        result = self.session.result
        if result is None or not result.records:
            self.app.bell()
            return
        self.session.record = (self.session.record + step) % len(result.records)
        self.show_record()

    def go_to_record(self, record: int) -> None:
        result = self.session.result
        if result is not None and 0 <= record < len(result.records):
            self.session.record = record
            self.show_record()
            self._find("#bottom-tabs", TabbedContent).active = "tab-entity"

