"""App actions around the request in view and the entities it produced: copy as curl, request
history, sorting and filtering the Entities table. A mixin of the App (like
:class:`builder.tui.screens.editing.EditingActions`); keys and palette entries are in
:mod:`builder.tui.screens.actions`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import TabbedContent

from builder.source.curl import as_curl
from builder.tui.state.fetching import SIMULATOR_ORIGIN
from widgets.entities_view import EntitiesView
from widgets.history_table import HistoryTable

if TYPE_CHECKING:
    from builder.tui.screens.build import BuildPane
    from builder.tui.state.session import Session


class RequestActions:
    session: Session

    if TYPE_CHECKING:
        build_pane: BuildPane

        def show_tab(self, tab_id: str) -> None: ...
        def notify(self, message: str, *, title: str = "", severity: str = "information",
                   timeout: float | None = None, markup: bool = True) -> None: ...
        def copy_to_clipboard(self, text: str) -> None: ...
        def bell(self) -> None: ...

    def curl_for_view(self) -> str | None:
        """The request of the page in view as ``curl``, the key as ``$CURSOR_API_KEY``; None before a send."""
        run = self.session.run
        page = run.current if run is not None else None
        if page is None or not page.method:
            return None
        return as_curl(page.method, page.url, page.request_headers, page.request_body,
                       auth_type=self.session.auth_type, key_env=self.session.key_env,
                       base_url=self.session.project.base_url,
                       shown_origin=SIMULATOR_ORIGIN if self.session.demo else None)

    def action_copy_curl(self) -> None:
        command = self.curl_for_view()
        if command is None:
            self.notify("Nothing sent yet for this resource: send it (ctrl+r), then copy it as curl.",
                        severity="warning")
            return
        self.copy_to_clipboard(command)
        where = (f" It calls {self.session.project.base_url}, not the simulator." if self.session.demo else "")
        self.notify(f"Copied as curl (the key as ${self.session.key_env}, never its value).{where}",
                    title="Copy as curl", markup=False)

    def action_show_history(self) -> None:
        self.show_tab("build")
        pane = self.build_pane
        pane.add_class("-show-response")
        pane.query_one("#io-tabs", TabbedContent).active = "tab-history"
        self.call_after_refresh(pane.query_one(HistoryTable).focus)  # type: ignore[attr-defined]

    def _entities(self) -> EntitiesView:
        self.show_tab("build")
        pane = self.build_pane
        pane.query_one("#bottom-tabs", TabbedContent).active = "tab-entities"
        return pane.query_one(EntitiesView)

    def action_filter_entities(self) -> None:
        view = self._entities()
        self.call_after_refresh(view.open_filter)  # type: ignore[attr-defined]

    def action_sort_entities(self) -> None:
        view = self._entities()
        view.table.focus()
        view.table.action_sort()
