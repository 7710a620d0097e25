"""Request history of the project: every send, newest first, secrets masked; Enter replays one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence
from urllib.parse import urlsplit

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from builder.project.printable import printable
from widgets.help_data import HelpData


WHEN = 10  # "2026-05-05" over "12:00:00"
OUTCOME = 8  # "200" over "12 pages"
REQUEST_MIN = 16


class HistoryTable(DataTable):
    HELP: ClassVar = HelpData(
        "Request history",
        """Every request sent from this project, newest first: when, the resource, status, pages
and the request line as it went out (**secrets masked**: the key is never stored). The history lives in
your state directory (`$XDG_STATE_HOME/cursor-builder/history/`, one file per project file, the last
200 sends), never beside the project.

- **Enter** or **r** replays the entry: the resource's request as it was then (method, path, query,
  body, computed values, pagination) is sent again, with today's key and the current mapping.
  The project itself does not change.""",
    )

    BINDINGS: ClassVar = [
        Binding("r", "replay", "Replay", id="history.replay", tooltip="Send the highlighted request again"),
    ]

    @dataclass
    class Replay(Message):
        entry: Any  # builder.tui.state.history.Entry

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._entries: list[Any] = []
        self._fitted_to = -1  # the width the columns were fitted to

    def on_mount(self) -> None:
        self._fit()

    def on_resize(self) -> None:
        if self.size.width != self._fitted_to:
            self._fit()

    def _fit(self) -> None:
        """Two lines a send, in columns that fit the width (the Build tab's middle is ~44 columns at
        140): the day over the time, the resource over the request line (the long one, cut with …
        where the column ends), the status over the pages; every column in sight."""
        self._fitted_to = self.size.width
        row = self.cursor_row
        self.clear(columns=True)
        rest = self.size.width - WHEN - OUTCOME - 2 * self.cell_padding * 3 - 2  # less the scrollbar
        self.add_column("when (UTC)", width=WHEN)
        self.add_column("resource · request", width=max(REQUEST_MIN, rest))
        self.add_column("status", width=OUTCOME)
        for entry in self._entries:
            ok = entry.status is not None and 200 <= entry.status < 300
            status = Text()  # the status coloured, the pages under it plain
            status.append(str(entry.status) if entry.status is not None else "✗", style="green" if ok else "red")
            status.append(f"\n{entry.pages} page" + ("" if entry.pages == 1 else "s"))
            day, clock = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.at)).split()
            # A name or URL is data: control characters shown escaped, one line each.
            # The path and query: the origin is the project's base URL, the same on every line.
            url = urlsplit(entry.url or "")
            target = (url.path + (f"?{url.query}" if url.query else "")) if entry.url else entry.kind
            line = printable(f"{entry.method} {target}", one_line=True)
            request = Text(f"{printable(entry.resource, one_line=True)}\n{line}", no_wrap=True, overflow="ellipsis")
            self.add_row(f"{day}\n{clock}", request, status, height=2)
        if self._entries:
            self.move_cursor(row=min(max(row, 0), len(self._entries) - 1))

    def show(self, entries: Sequence[Any]) -> None:
        self._entries = list(entries)
        self._fit()

    def action_replay(self) -> None:
        if not 0 <= self.cursor_row < len(self._entries):
            self.app.bell()
            return
        self.post_message(self.Replay(self._entries[self.cursor_row]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_replay()
