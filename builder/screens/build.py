"""The Build tab: resources and connection on the left; request, response, records, mapping and
entities on the right. It wires the widgets together and runs the two kinds of work:

- sending a request (``@work(exclusive=True, group="fetch")``: a new send cancels the old one);
- evaluating the mapping: each edit updates the project at once, refreshes the edited field's
  value for the record in view synchronously (one jq call), then re-runs the whole mapping over
  every record ~150 ms after the last keystroke in a thread worker (exclusive: newest wins);
  the result comes back as an :class:`Evaluated` message.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from builder import mapping
from builder.screens import fetching
from builder.screens.eval_process import EvalProcess, Spec
from builder.screens.evaluation import BREATHE, Evaluator, preview_one
from builder.screens.session import ResourceRun, Session
from widgets.connection_panel import ConnectionPanel
from widgets.dropped_table import DroppedTable
from widgets.entity_preview import EntityPreview
from widgets.entity_table import EntityTable
from widgets.jsonpaths import find_arrays, merged_record_paths
from widgets.json_viewer import JsonLines
from widgets.mapping_table import PENDING, MappingTable, leaf_name
from widgets.records_bar import RecordsBar
from widgets.request_bar import RequestBar, human_size
from widgets.request_panel import RequestPanel
from widgets.resource_list import ResourceList, ResourceStatus
from widgets.response_panel import ResponseBody, ResponseHeaders

if TYPE_CHECKING:
    from builder.app import BuilderApp

DEBOUNCE_SECONDS = 0.15
log = logging.getLogger("cursor-builder")


@dataclass
class Evaluated(Message):
    """A finished evaluation of ``resource_name``'s mapping over its fetched records."""

    generation: int
    resource_name: str
    result: Any  # builder.mapping.MappingResult
    paths: list[tuple[str, str]]


class BuildPane(Horizontal):
    DEFAULT_CSS = ""

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self._generation = 0
        self._debounce: Timer | None = None
        self._evaluator = Evaluator(breathe=BREATHE)  # in-thread fallback
        self._process: EvalProcess | None = None
        self._process_failed = False
        self._waiters: dict[int, threading.Event] = {}
        self._replies: dict[int, tuple[Any, str | None]] = {}
        self._pending_tables = False
        self._pending_fields: set[str] = set()  # edited since the last full evaluation

    @property
    def builder_app(self) -> BuilderApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="sidebar"):
            yield Static("Resources", classes="panel-title")
            yield ResourceList(id="resources")
            yield Static("Connection", classes="panel-title")
            yield ConnectionPanel(demo=self.session.demo, id="connection")
        with Vertical(id="main"):
            yield RequestBar(id="request-bar")
            with Horizontal(id="middle"):
                with TabbedContent(id="io-tabs"):
                    with TabPane("Response", id="tab-response"):
                        yield ResponseBody(id="response")
                    with TabPane("Headers", id="tab-headers"):
                        yield ResponseHeaders(id="headers")
                    with TabPane("Request", id="tab-request"):
                        yield RequestPanel(id="request")
                with Vertical(id="mapping-side"):
                    yield RecordsBar(id="records")
                    yield MappingTable(id="mapping")
            with TabbedContent(id="bottom-tabs"):
                with TabPane("Entity", id="tab-entity"):
                    yield EntityPreview(id="entity")
                with TabPane("Entities", id="tab-entities"):
                    yield EntityTable(id="entities")
                with TabPane("Dropped", id="tab-dropped"):
                    yield DroppedTable(id="dropped")

    def on_mount(self) -> None:
        self.load_connection()
        self.refresh_resources()
        self.select_resource(self.session.selected)

    # -- loading the selected resource into the widgets ------------------------------------------------
    def load_connection(self) -> None:
        config = self.session.project.config
        self.query_one(ConnectionPanel).load(self.session.project.base_url, self.session.auth_type,
                                             bool(config.get("verifySsl", True)), self.session.key_source())

    def refresh_resources(self) -> None:
        self.query_one(ResourceList).show(self.session.project.resource_names(), self.session.statuses,
                                          self.session.selected)

    def select_resource(self, index: int) -> None:
        session = self.session
        session.selected = index
        resource = session.resource
        if resource is None:
            self.query_one(ResponseBody).reset("No resources: add one with 'a' in the resource list.")
            return
        session.record = 0
        self.query_one(RequestBar).load(resource.method, resource.kind, resource)
        self.query_one(RequestPanel).load({key: request_section(resource, key) for key in
                                           ("query_params", "headers", "body", "x-query", "x-body", "x-pagination")},
                                          resource)
        self.query_one(RecordsBar).set_values(resource.data_path, resource.query)
        self.query_one(MappingTable).set_mapping(resource.mappings)
        if session.run is None:
            sample = fetching.load_saved_sample(session.project, resource)
            if sample is not None:
                session.runs[resource.name] = sample
        self.show_run()
        self.evaluate(immediate=True)

    def show_run(self) -> None:
        """The response side: summary line, body or error, headers, request as sent."""
        run = self.session.run
        bar = self.query_one(RequestBar)
        body = self.query_one(ResponseBody)
        records = self.query_one(RecordsBar)
        bar.set_pages(len(run.pages) if run else 0)
        if run is None or (not run.pages and not run.error):
            bar.show_summary(Text("not sent yet · ctrl+r to send", style="dim"))
            body.reset()
            records.set_arrays([])
            self.query_one(ResponseHeaders).show({})
            return
        if not run.pages:
            bar.show_summary(Text("✗ not sent", style="bold red"))
            body.show(None, error=run.error)
            return
        page = run.current
        assert page is not None
        bar.show_summary(self._summary(run))
        body.show(page.data, error=page.error, text=page.text if page.data is None else None)
        self.query_one(ResponseHeaders).show(page.headers)
        if page.method:
            self.query_one(RequestPanel).show_sent(page.method, page.url, page.request_headers, page.request_body)
        arrays = find_arrays(page.data) if page.data is not None else []
        records.set_arrays(arrays)

    def _summary(self, run: ResourceRun) -> Text:
        page = run.current
        assert page is not None
        out = Text(no_wrap=True, overflow="ellipsis")
        if run.saved_sample:
            out.append("saved sample", style="italic")
        elif page.status is None:
            out.append("✗ failed", style="bold red")
        else:
            ok = 200 <= page.status < 300
            out.append(str(page.status), style="bold green" if ok else "bold red")
            elapsed = "– ms" if self.builder_app.test_mode or page.elapsed_ms is None else f"{page.elapsed_ms:.0f} ms"
            out.append(f" · {elapsed}")
        out.append(f" · {human_size(page.size)}")
        out.append(f" · page {run.page_index + 1}/{len(run.pages)}")
        return out

    # -- evaluation ----------------------------------------------------------------------------------
    def evaluate(self, immediate: bool = False) -> None:
        """Re-run the mapping soon (debounced) or now; results arrive as :class:`Evaluated`."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if immediate:
            self._start_evaluation()
        else:
            self._debounce = self.set_timer(DEBOUNCE_SECONDS, self._start_evaluation)

    def flush(self) -> None:
        """Start a debounced evaluation now (tests and save use it: no waiting on a timer)."""
        if self._debounce is not None:
            self._start_evaluation()

    def _start_evaluation(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = None
        resource = self.session.resource
        if resource is None:
            return
        run = self.session.run
        self._generation += 1
        pages = run.bodies if run else []
        if self._process is None and not self._process_failed:
            try:
                self._process = EvalProcess(self._remote_reply)
            except Exception:  # no subprocesses here (sandbox, frozen app): evaluate in a thread
                log.exception("evaluation process unavailable")
                self._process_failed = True
        if self._process is not None:
            self._evaluate_remote(self._generation, pages, Spec.of(resource), resource.name)
        else:
            self._evaluate_worker(self._generation, resource.copy(), pages, resource.name)

    @work(exclusive=True, group="evaluate", thread=True)
    def _evaluate_worker(self, generation: int, resource: Any, pages: list[Any], name: str) -> None:
        worker = get_current_worker()
        # Chunked: the screen keeps breathing between chunks and a newer edit stops this one early.
        result = self._evaluator.run(resource, pages, lambda: worker.is_cancelled)
        if result is None:
            return
        paths = merged_record_paths(result.records)
        self.post_message(Evaluated(generation, name, result, paths))

    @work(exclusive=True, group="evaluate", thread=True)
    def _evaluate_remote(self, generation: int, pages: list[Any], spec: Spec, name: str) -> None:
        """Hand the work to the evaluation process and wait (off the event loop) for its answer."""
        worker = get_current_worker()
        waiter = threading.Event()
        self._waiters[generation] = waiter
        assert self._process is not None
        self._process.submit(generation, pages, spec)
        while not waiter.wait(0.05):
            if worker.is_cancelled:
                self._waiters.pop(generation, None)
                return
        result, error = self._replies.pop(generation, (None, None))
        if error:
            log.error("evaluation failed: %s", error)
        if result is None:
            return
        result.compiled = mapping.compile_mapping(spec.mappings, spec.query)
        self.post_message(Evaluated(generation, name, result, merged_record_paths(result.records)))

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

    @on(Evaluated)
    def _evaluated(self, message: Evaluated) -> None:
        session = self.session
        session.results[message.resource_name] = message.result
        if message.generation != self._generation:
            return  # an older evaluation finished after a newer one started: keep it, show the newer
        self._pending_fields.clear()
        result = message.result
        run = session.run
        if run is not None and (run.pages or run.error):
            dropped_records = len(result.records) - result.kept
            errors = sum(1 for status in result.fields.values() if status.errors or status.compile_error)
            status = ResourceStatus(records=len(result.records), kept=result.kept, dropped=dropped_records,
                                    field_errors=errors, error=self._short_error(run))
            if run.saved_sample:
                status = None  # a recorded sample is not a "last status": nothing was sent
            if session.statuses.get(message.resource_name) != status:
                if status is None:
                    session.statuses.pop(message.resource_name, None)
                else:
                    session.statuses[message.resource_name] = status
                self.refresh_resources()
        self.query_one(MappingTable).set_paths(message.paths)
        self.query_one(RecordsBar).set_record_paths(message.paths)
        session.record = max(0, min(session.record, len(result.records) - 1))
        self._show_counts(result, run)
        self.show_record()
        self._pending_tables = True
        self._refresh_tables()
        self.builder_app.results_changed()

    def _short_error(self, run: ResourceRun) -> str | None:
        if not run.error:
            return None
        page = next((p for p in run.pages if p.error), None)
        if page is not None and page.status:
            return str(page.status)
        return "failed"

    def _show_counts(self, result: Any, run: ResourceRun | None) -> None:
        bar = self.query_one(RecordsBar)
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
        table = self.query_one(MappingTable)
        preview = self.query_one(EntityPreview)
        run = self.session.run
        records = self._evaluator.cached_records(resource, run.bodies) if resource and run else None
        if records is None and result is not None:
            records = result.records
        if resource is None or not records:
            table.clear_values()
            preview.show(None, 0, None, None)
            return
        index = self.session.record = max(0, min(self.session.record, len(records) - 1))
        one = preview_one(resource, records[index])
        statuses: dict[str, Any] = dict(result.fields) if result is not None else {}
        for name in self._pending_fields:
            fresh = one.fields.get(name)
            statuses[name] = fresh if fresh is not None and fresh.compile_error else PENDING
        table.show_values({value.path: value.outcome for value in one.values(0)}, statuses, records=len(records))
        if result is not None and not self._pending_fields and result.records is records:
            entity, drop = result.entity_for_record(index), result.drop_for_record(index)
        else:
            entity, drop = one.entity_for_record(0), one.drop_for_record(0)
        preview.show(index, len(records), entity, drop.reason if drop else None)

    def _refresh_tables(self) -> None:
        result = self.session.result
        bottom = self.query_one("#bottom-tabs", TabbedContent)
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
            self.query_one(EntityTable).show(result.entities, result.entity_records)
            self._pending_tables = False
        elif bottom.active == "tab-dropped":
            self.query_one(DroppedTable).show(result.dropped)
            self._pending_tables = False

    @on(TabbedContent.TabActivated, "#bottom-tabs")
    def _bottom_tab(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
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
            self.query_one("#bottom-tabs", TabbedContent).active = "tab-entity"

    # -- edits from the widgets ----------------------------------------------------------------------
    def _edited(self) -> None:
        self.builder_app.project_changed(from_build=True)

    @on(MappingTable.FieldEdited)
    def _field_edited(self, event: MappingTable.FieldEdited) -> None:
        resource = self.session.resource
        if resource is None or get_leaf(resource.mappings, event.path) == event.expr:
            return
        set_leaf(resource.mappings, event.path, event.expr)
        self._edited()
        self._pending_fields.add(leaf_name(event.path))
        self.show_record()
        self.evaluate()

    @on(RecordsBar.DataPathEdited)
    def _data_path(self, event: RecordsBar.DataPathEdited) -> None:
        resource = self.session.resource
        if resource is None or (resource.data_path or "") == event.value:
            return
        if event.value.strip():
            resource.selector["data_path"] = event.value
        else:
            resource.selector.pop("data_path", None)
        self._edited()
        self.evaluate()

    @on(RecordsBar.SelectorEdited)
    def _selector(self, event: RecordsBar.SelectorEdited) -> None:
        resource = self.session.resource
        if resource is None or resource.query == event.value:
            return
        resource.selector["query"] = event.value
        self._edited()
        self.evaluate()

    @on(JsonLines.PathPicked)
    def _path_picked(self, event: JsonLines.PathPicked) -> None:
        event.stop()
        if event.viewer.parent is None or event.viewer.parent.id != "response-json":
            return
        self.query_one(RecordsBar).query_one("#data-path").value = event.path
        resource = self.session.resource
        if resource is not None:
            resource.selector["data_path"] = event.path
            self._edited()
            self.evaluate(immediate=True)
            self.app.notify(f"data_path set to {event.path}", timeout=3)

    @on(RequestBar.Edited)
    def _request_edited(self, event: RequestBar.Edited) -> None:
        resource = self.session.resource
        if resource is None or event.owner is not resource or not event.path:
            return
        if event.method != resource.method or event.path != resource.kind:
            if event.method == "GET" and "method" not in resource.selector:
                pass
            else:
                resource.selector["method"] = event.method
            resource.kind = event.path
            self._edited()

    @on(RequestPanel.Edited)
    def _request_details(self, event: RequestPanel.Edited) -> None:
        resource = self.session.resource
        if resource is None or event.owner is not resource \
                or request_section(resource, event.section) == (event.value or None):
            return
        if event.section in ("query_params", "headers", "body"):
            if event.value is None:
                resource.selector.pop(event.section, None)
            else:
                resource.selector[event.section] = event.value
        elif event.section == "x-query":
            resource.extensions.query = dict(event.value or {})
        elif event.section == "x-body":
            resource.extensions.body = dict(event.value or {})
        elif event.section == "x-pagination":
            resource.extensions.pagination = dict(event.value) if event.value else None
        self._edited()

    @on(ResourceList.Chosen)
    def _resource_chosen(self, event: ResourceList.Chosen) -> None:
        if event.index != self.session.selected:
            self.select_resource(event.index)

    @on(ResourceList.Requested)
    async def _resource_requested(self, event: ResourceList.Requested) -> None:
        await self.app.run_action(f"{event.action}_resource")

    @on(MappingTable.JumpToRecord)
    @on(EntityTable.RecordChosen)
    @on(DroppedTable.RecordChosen)
    def _jump(self, event: Any) -> None:
        self.go_to_record(event.record)

    @on(RequestBar.SendRequested)
    def _send_requested(self) -> None:
        self.send()

    @on(RequestBar.PageRequested)
    @on(ResponseBody.PageRequested)
    def _page_requested(self, event: Any) -> None:
        self.step_page(event.step)

    def step_page(self, step: int) -> None:
        run = self.session.run
        if run is None or len(run.pages) < 2:
            self.app.bell()
            return
        run.page_index = max(0, min(len(run.pages) - 1, run.page_index + step))
        self.show_run()

    # -- connection ----------------------------------------------------------------------------------
    @on(ConnectionPanel.Changed)
    def _connection(self, event: ConnectionPanel.Changed) -> None:
        config = self.session.project.config
        changed = False
        if event.base_url and event.base_url != config.get("baseUrl"):
            config["baseUrl"] = event.base_url
            changed = True
        if event.auth_type != self.session.auth_type:
            self.session.set_auth_type(event.auth_type)
            changed = True
        if event.verify_tls != bool(config.get("verifySsl", True)):
            if event.verify_tls:
                config.pop("verifySsl", None)  # Ocean's default: keep the file minimal
            else:
                config["verifySsl"] = False
            changed = True
        if changed:
            self._edited()

    @on(ConnectionPanel.KeyTyped)
    def _key(self, event: ConnectionPanel.KeyTyped) -> None:
        self.session.typed_key = event.key  # memory only: never reaches the project

    @on(ConnectionPanel.TestRequested)
    def _test_requested(self) -> None:
        self.test_connection()

    @work(exclusive=True, group="connection")
    async def test_connection(self) -> None:
        panel = self.query_one(ConnectionPanel)
        panel.show_result(Text("testing…", style="dim"))
        ok, sentence = await fetching.test_connection(
            self.builder_app.make_source, self.session.project,
            where="the built-in simulator" if self.session.demo else None)
        panel.show_result(Text(("✓ " if ok else "✗ ") + sentence, style="green" if ok else "red"))

    # -- sending -------------------------------------------------------------------------------------
    @work(exclusive=True, group="fetch")
    async def send(self) -> None:
        resource = self.session.resource
        if resource is None:
            self.app.bell()
            return
        bar = self.query_one(RequestBar)
        bar.set_busy(True)
        bar.show_summary(Text("sending…", style="dim"))
        try:
            run = await fetching.fetch(self.builder_app.make_source, self.session.project, resource)
        finally:
            bar.set_busy(False)
        self.session.runs[resource.name] = run
        if self.session.resource is not resource:
            return  # the user moved to another resource meanwhile; the result waits for their return
        if run.error:
            self.query_one("#io-tabs", TabbedContent).active = "tab-response"
        self.session.record = 0
        self.show_run()
        self.evaluate(immediate=True)


def set_leaf(mappings: dict[str, Any], path: tuple[Any, ...], expr: str) -> None:
    """Write one mapping leaf; an empty optional field is removed rather than saved as ''."""
    node: Any = mappings
    for part in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            node = node[part]
    last = path[-1]
    if not expr.strip() and len(path) == 1 and last in ("title", "icon", "team"):
        node.pop(last, None)
        return
    node[last] = expr


def get_leaf(mappings: dict[str, Any], path: tuple[Any, ...]) -> str:
    node: Any = mappings
    try:
        for part in path:
            node = node[part]
    except (KeyError, IndexError, TypeError):
        return ""
    return "" if node is None else str(node)


def request_section(resource: Any, section: str) -> Any:
    """The current value of one request-panel section (None when unset or empty)."""
    if section in ("query_params", "headers", "body"):
        value = resource.selector.get(section)
    elif section == "x-query":
        value = resource.extensions.query
    elif section == "x-body":
        value = resource.extensions.body
    else:
        value = resource.extensions.pagination
    return value or None
