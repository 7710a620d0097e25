"""What the App does around the request in view and the entities it produced: copy as curl,
request history, sorting and filtering the Entities table. A plain object the App owns (its
``action_*`` methods delegate here); it is given what it uses, the App's shell never leaks in.
Keys and palette entries are in :mod:`builder.tui.screens.actions`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from builder.source.curl import as_curl
from builder.tui.state.fetching import SIMULATOR_ORIGIN
from widgets.entities_view import EntitiesView
from widgets.history_table import HistoryTable

if TYPE_CHECKING:
    from builder.tui.screens.build import BuildPane
    from builder.tui.screens.surface import Surface
    from builder.tui.state.session import Session


class RequestActions:
    """Copy as curl, the request history and the Entities table's sort and filter."""

    def __init__(self, session: Session, *, surface: Surface, build_pane: Callable[[], BuildPane],
                 show_tab: Callable[[str], None]) -> None:
        self.session = session
        self._surface = surface
        self._build_pane = build_pane  # looked up when used: the pane is composed after the App
        self._show_tab = show_tab

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

    def copy_curl(self) -> None:
        command = self.curl_for_view()
        if command is None:
            self._surface.notify("Nothing sent yet for this resource: send it (ctrl+r), then copy it as curl.",
                                 severity="warning")
            return
        self._surface.copy_to_clipboard(command)
        where = (f" It calls {self.session.project.base_url}, not the simulator." if self.session.demo else "")
        self._surface.notify(f"Copied as curl (the key as ${self.session.key_env}, never its value).{where}",
                             title="Copy as curl", markup=False)

    def show_history(self) -> None:
        self._show_tab("build")
        pane = self._build_pane()
        pane.show_io("history")
        self._surface.call_after_refresh(pane.query_one(HistoryTable).focus)

    def _entities(self) -> EntitiesView:
        self._show_tab("build")
        pane = self._build_pane()
        pane.show_bottom("entities")
        return pane.query_one(EntitiesView)

    def filter_entities(self) -> None:
        view = self._entities()
        self._surface.call_after_refresh(view.open_filter)

    def sort_entities(self) -> None:
        view = self._entities()
        view.table.focus()
        view.table.action_sort()
