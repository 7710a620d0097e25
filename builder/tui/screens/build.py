"""The Build tab: resources and connection on the left; request, response, records, mapping and
entities on the right. It loads the selected resource into the widgets, turns their messages into
project edits, and sends requests (``@work(exclusive=True)``: a new send cancels the old one).
Evaluating the mapping and showing its results is :class:`builder.tui.screens.results.Results`, a
child the pane composes and calls.

The pane holds no App: it is given the session, how to make a source, the instant requests use
and whether timings show, and says what changed with app-level messages (:mod:`builder.tui.messages`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, TypeVar, overload

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from builder.project.model import Resource
from builder.tui.messages import ProjectChanged, SelectionChanged
from builder.tui.state import fetching
from builder.tui.state import history as request_history
from builder.tui.screens.results import Results
from builder.tui.state.session import ResourceRun, Session, get_leaf, request_section, set_leaf
from widgets.connection_panel import ConnectionPanel
from widgets.dropped_table import DroppedTable
from widgets.entity_preview import EntityPreview
from widgets.entities_view import EntitiesView
from widgets.entity_table import EntityTable
from widgets.history_table import HistoryTable
from widgets.field_editor import FieldEditor
from builder.engine.jsonpaths import find_arrays
from builder.engine.mapping import leaf_name
from widgets.json_viewer import JsonLines
from widgets.mapping_table import MappingTable
from widgets.records_bar import RecordsBar
from widgets.request_bar import RequestBar, human_size
from widgets.request_panel import RequestPanel
from widgets.resource_list import ResourceList
from widgets.response_panel import ResponseBody, ResponseHeaders

if TYPE_CHECKING:
    from builder.project.model import Project
    from builder.source.client import Source
    from builder.tui.state.eval_process import EvalProcess

W = TypeVar("W", bound=Widget)


class BuildPane(Horizontal):
    def __init__(self, session: Session, *, make_source: Callable[[Project], Source], now: float | None = None,
                 test_mode: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self._found: dict[tuple[Any, Any], Widget] = {}
        self._connection_pending = False  # the demo's connection test, until its imports are done
        self.session = session
        self.make_source = make_source
        self.now = now  # the instant computed request values ($now) use; fixed in tests
        self.test_mode = test_mode  # timings hidden, so screenshots are stable
        #: Evaluation and what it shows: it fills this pane's widgets, found with this pane's find.
        self.results = Results(session, find=self.find, show_run=self.show_run,
                               statuses_changed=self.refresh_resources)

    @overload
    def find(self, selector: type[W]) -> W: ...

    @overload
    def find(self, selector: str, expect_type: type[W]) -> W: ...

    @overload
    def find(self, selector: str) -> Widget: ...

    def find(self, selector: Any, expect_type: Any = None) -> Any:
        """``query_one`` with a memory. The pane's widgets are composed once and stay; a DOM query
        matched selectors against every widget of the screen (~250), and a resource switch made
        about sixty (two fifths of its time in the pane, #13). A widget no longer attached is looked
        up again."""
        key = (selector, expect_type)
        widget = self._found.get(key)
        if widget is None or not widget.is_attached:
            widget = self.query_one(selector) if expect_type is None else self.query_one(selector, expect_type)
            self._found[key] = widget
        return widget

    def compose(self) -> ComposeResult:
        with Vertical(id="sidebar"):
            yield Static("Resources", classes="panel-title")
            yield ResourceList(id="resources")
            yield Static("Connection", classes="panel-title", id="connection-title")
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
                    with TabPane("History", id="tab-history"):
                        yield HistoryTable(id="history")
                with Vertical(id="mapping-side"):
                    yield RecordsBar(id="records")
                    yield MappingTable(id="mapping")
            with TabbedContent(id="bottom-tabs", initial="tab-entity"):
                with TabPane("Field", id="tab-field"):
                    yield FieldEditor(id="field-editor")
                with TabPane("Entity", id="tab-entity"):
                    yield EntityPreview(find_blueprint=self._find_blueprint, id="entity")
                with TabPane("Entities", id="tab-entities"):
                    yield EntitiesView(find_blueprint=self._find_blueprint, id="entities-view")
                with TabPane("Dropped", id="tab-dropped"):
                    yield DroppedTable(id="dropped")
        yield self.results

    def on_mount(self) -> None:
        self.find(HistoryTable).show(request_history.load(self.session.project))
        self.load_connection()
        self.refresh_resources()
        self.select_resource(self.session.selected)
        if self.session.demo:
            # The demo says at once what it is connected to (in-process: no network, no rate limit).
            self._connection_pending = True
            self.call_after_refresh(self._import_source_then_test)
        # After the first paint: the child's imports would compete with it for the CPU (until it
        # answers, evaluations run in a thread).
        self.call_after_refresh(self.start_evaluation_process)

    def _find_blueprint(self, identifier: str) -> dict[str, Any] | None:
        return self.session.project.find_blueprint(identifier)  # the project open now (open replaces it)

    # -- the evaluation (tests and the App ask the pane; the work is the Results child's) --------------
    def start_evaluation_process(self) -> None:
        self.results.start_process()

    class SourceImported(Message):
        """The HTTP source (httpx) is imported: the demo's connection test can run."""

    def _import_source_then_test(self) -> None:
        """Import the HTTP source on a thread, then test the demo's connection. On the event loop its
        imports (httpx and the source: ~140 ms) held up the first frame by ~100 ms, and after it
        every key pressed meanwhile, quitting included (#13). A daemon thread: quitting never waits
        for it (the CLI leaves with os._exit)."""

        def load() -> None:
            try:
                import builder.source.client  # noqa: F401
            except Exception:
                pass  # the test imports it again on the event loop, and says what failed
            finally:
                self.post_message(self.SourceImported())  # thread-safe

        threading.Thread(target=load, name="import-source", daemon=True).start()

    @on(SourceImported)
    def _source_imported(self) -> None:
        self._connection_pending = False
        self.test_connection()

    @property
    def idle(self) -> bool:
        """No evaluation waiting for its debounce, and no connection test waiting for its imports
        (tests use it to know the screen has settled)."""
        return self.results.idle and not self._connection_pending

    def flush(self) -> None:
        """Start a debounced evaluation now (tests and save use it: no waiting on a timer)."""
        self.results.flush()

    @property
    def starting_process(self) -> EvalProcess | None:
        """The evaluation process while it is still starting (tests wait for it to answer)."""
        return self.results.starting_process

    def show_record(self) -> None:
        self.results.show_record()

    def step_record(self, step: int) -> None:
        self.results.step_record(step)

    # -- loading the selected resource into the widgets ------------------------------------------------
    def load_connection(self) -> None:
        config = self.session.project.config
        self.find(ConnectionPanel).load(self.session.project.base_url, self.session.auth_type,
                                        bool(config.get("verifySsl", True)), self.session.key_source())

    def reload(self) -> None:
        """The project changed outside this pane (another tab, a dialog): show it again."""
        self.refresh_resources()
        self.select_resource(self.session.selected)

    def refresh_resources(self) -> None:
        self.find(ResourceList).show(self.session.project.resource_names(), self.session.statuses,
                                     self.session.selected)

    def select_resource(self, index: int) -> None:
        session = self.session
        session.selected = index
        self.post_message(SelectionChanged(index))
        resource = session.resource
        if resource is None:
            self.find(ResponseBody).reset("No resources: add one with 'a' in the resource list.")
            return
        session.record = 0
        self.find(RequestBar).load(resource.method, resource.kind, resource)
        self.find(RequestPanel).load({key: request_section(resource, key) for key in
                                      ("query_params", "headers", "body", "x-query", "x-body", "x-pagination")},
                                     resource, about=str(resource.extensions.other.get("description") or ""))
        self.find(RecordsBar).set_values(resource.data_path, resource.query)
        table = self.find(MappingTable)
        table.set_mapping(resource.mappings)
        editor = self.find(FieldEditor)
        if editor.path is not None:
            # The editor keeps the same field when the new resource has it, else its identifier.
            row = table.row(editor.path) or table.row(("identifier",))
            if row is not None:
                editor.edit(row.path, row.label, row.expr)
        if session.run is None:
            sample = fetching.load_saved_sample(session.project, resource)
            if sample is not None:
                session.runs[resource.name] = sample
        self.show_run()
        if self.results.reuse():
            return  # its last result still holds: shown with the rest, in the same paint
        # Until its evaluation comes back, show this resource's last result, never the previous one's.
        if session.result is not None:
            self.results.show_counts(session.result, session.run)
        else:
            self.find(RecordsBar).set_counts(found=None)
        self.show_record()
        self.results.evaluate(immediate=True)

    def show_run(self) -> None:
        """The response side: summary line, body or error, headers, request as sent."""
        run = self.session.run
        bar = self.find(RequestBar)
        body = self.find(ResponseBody)
        records = self.find(RecordsBar)
        bar.set_pages(len(run.pages) if run else 0)
        if run is None or (not run.pages and not run.error):
            bar.show_summary(Text("not sent yet · ctrl+r to send", style="dim"))
            body.reset()
            records.set_arrays([])
            self.find(ResponseHeaders).show({})
            return
        if not run.pages:
            bar.show_summary(Text("✗ not sent", style="bold red"))
            body.show(None, error=run.error)
            return
        page = run.current
        assert page is not None
        bar.show_summary(self._summary(run))
        body.show(page.data, error=page.error, text=page.text if page.data is None else None)
        self.find(ResponseHeaders).show(page.headers)
        if page.method:
            self.find(RequestPanel).show_sent(page.method, page.url, page.request_headers, page.request_body)
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
            elapsed = "– ms" if self.test_mode or page.elapsed_ms is None else f"{page.elapsed_ms:.0f} ms"
            out.append(f" · {elapsed}")
        out.append(f" · {human_size(page.size)}")
        out.append(f" · page {run.page_index + 1}/{len(run.pages)}")
        return out

    # -- edits from the widgets ----------------------------------------------------------------------
    def _edited(self) -> None:
        self.post_message(ProjectChanged(reload=False))  # already on screen here

    @on(MappingTable.FieldEdited)
    @on(FieldEditor.Edited)
    def _field_edited(self, event: MappingTable.FieldEdited | FieldEditor.Edited) -> None:
        resource = self.session.resource
        if resource is None or get_leaf(resource.mappings, event.path) == event.expr:
            return
        set_leaf(resource.mappings, event.path, event.expr)
        # Two views of one field: the row and the editor each learn what the other one typed.
        if isinstance(event, FieldEditor.Edited):
            self.find(MappingTable).set_expr(event.path, event.expr)
        else:
            editor = self.find(FieldEditor)
            if editor.path == event.path:
                editor.set_text(event.expr)
        self._edited()
        self.results.pending_fields.add(leaf_name(event.path))
        # Before the record in view is mapped: this edit may be the first JQ to read `env`.
        self.session.install_environment()
        self.show_record()
        self.results.evaluate()

    @on(MappingTable.FieldFocused)
    def _field_focused(self, event: MappingTable.FieldFocused) -> None:
        self.find(FieldEditor).edit(event.path, event.label, event.expr)
        self.set_class(False, "-show-response")
        self.find("#bottom-tabs", TabbedContent).active = "tab-field"
        self.show_record()

    @on(MappingTable.EditRequested)
    def _edit_requested(self, event: MappingTable.EditRequested) -> None:
        self.find("#bottom-tabs", TabbedContent).active = "tab-field"
        self.find(FieldEditor).editor.focus()

    @on(FieldEditor.Back)
    def _editor_back(self, event: FieldEditor.Back) -> None:
        self.find(MappingTable).focus_field(event.path)

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
        self.results.evaluate()

    @on(RecordsBar.SelectorEdited)
    def _selector(self, event: RecordsBar.SelectorEdited) -> None:
        resource = self.session.resource
        if resource is None or resource.query == event.value:
            return
        resource.selector["query"] = event.value
        self._edited()
        self.results.evaluate()

    @on(JsonLines.PathPicked)
    def _path_picked(self, event: JsonLines.PathPicked) -> None:
        event.stop()
        if event.viewer.parent is None or event.viewer.parent.id != "response-json":
            return
        self.find(RecordsBar).query_one("#data-path").value = event.path
        resource = self.session.resource
        if resource is not None:
            resource.selector["data_path"] = event.path
            self._edited()
            self.results.evaluate(immediate=True)
            self.notify(f"data_path set to {event.path}", timeout=3)

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

    @on(MappingTable.JumpToRecord)
    @on(EntityTable.RecordChosen)
    @on(DroppedTable.RecordChosen)
    def _jump(self, event: Any) -> None:
        self.results.go_to_record(event.record)

    @on(TabbedContent.TabActivated, "#bottom-tabs")
    def _bottom_tab(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self.results.tables_shown()

    @on(HistoryTable.Replay)
    def _replay(self, event: HistoryTable.Replay) -> None:
        names = self.session.project.resource_names()
        if event.entry.resource not in names:
            self.notify(f"{event.entry.resource!r} is no longer in the project: nothing to replay",
                            severity="warning")
            return
        if names.index(event.entry.resource) != self.session.selected:
            self.select_resource(names.index(event.entry.resource))
        assert self.session.resource is not None
        self.send(request_history.replayed(self.session.resource, event.entry))

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

    # -- what the App's keys show in this pane -------------------------------------------------------
    def focus_part(self, target: str) -> None:
        """Focus the resource list, the mapping, the response or the data_path input."""
        if target == "resources":
            self.find(ResourceList).focus()
        elif target == "mapping":
            self.remove_class("-show-response")
            table = self.find(MappingTable)
            rows = table.rows()
            if rows:
                self.call_after_refresh(table.focus_field, rows[0].path)
        elif target == "response":
            self.show_io("response")
            self.call_after_refresh(self.find("#response-json").focus)
        elif target == "data_path":
            self.find("#data-path").focus()

    def show_bottom(self, which: str) -> None:
        """The bottom tab ``which`` (field, entity, entities, dropped)."""
        self.find("#bottom-tabs", TabbedContent).active = f"tab-{which}"

    def show_io(self, which: str) -> None:
        """The response side's tab ``which`` (response, headers, request, history), in view."""
        self.add_class("-show-response")
        self.find("#io-tabs", TabbedContent).active = f"tab-{which}"

    def toggle_response(self) -> None:
        """Compact layout: the middle shows either the response or the mapping."""
        self.focus_part("mapping" if self.has_class("-show-response") else "response")

    def first_failing(self) -> None:
        self.find(MappingTable).action_jump_failing()

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

    @work(exclusive=True, group="connection", description="test the connection")
    async def test_connection(self) -> None:
        panel = self.find(ConnectionPanel)
        missing = self.session.missing_key()
        if missing:
            panel.show_result(Text("✗ " + missing, style="red"))
            return
        panel.show_result(Text("testing…", style="dim"))
        ok, sentence = await fetching.test_connection(
            self.make_source, self.session.project,
            where="the built-in simulator" if self.session.demo else None)
        panel.show_result(Text(("✓ " if ok else "✗ ") + sentence, style="green" if ok else "red"))

    # -- sending -------------------------------------------------------------------------------------
    @work(exclusive=True, group="fetch", description="send the request")
    async def send(self, replay: Resource | None = None) -> None:
        """``replay``: a copy of the selected resource with an earlier request (request history)."""
        resource = self.session.resource
        if resource is None:
            self.app.bell()
            return
        bar = self.find(RequestBar)
        missing = self.session.missing_key()
        if missing:
            run = ResourceRun([], error=missing)
        else:
            bar.set_busy(True)
            bar.show_summary(Text("sending…", style="dim"))
            try:
                run = await fetching.fetch(self.make_source, self.session.project, replay or resource,
                                           shown_origin=fetching.SIMULATOR_ORIGIN if self.session.demo else None)
            finally:
                bar.set_busy(False)
        self.session.runs[resource.name] = run
        request_history.record(self.session.project, replay or resource, run, at=self.now)
        self.find(HistoryTable).show(request_history.load(self.session.project))
        if self.session.resource is not resource:
            return  # the user moved to another resource meanwhile; the result waits for their return
        if run.error:
            self.find("#io-tabs", TabbedContent).active = "tab-response"
        self.session.record = 0
        self.show_run()
        self.results.evaluate(immediate=True)


