"""Request history of the project: every send, newest first, secrets masked; Enter replays one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from widgets.help_data import HelpData


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

    def on_mount(self) -> None:
        # The request line last: it is the long one, and in the Build tab's narrow middle a long
        # line before them would push status and pages out of sight.
        self.add_columns("when (UTC)", "resource", "status", "pages", "request")

    def show(self, entries: Sequence[Any]) -> None:
        self._entries = list(entries)
        self.clear()
        for entry in self._entries:
            status = Text(str(entry.status) if entry.status is not None else "✗",
                          style="green" if entry.status is not None and 200 <= entry.status < 300 else "red")
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.at))
            self.add_row(when, entry.resource, status, str(entry.pages), f"{entry.method} {entry.url or entry.kind}")

    def action_replay(self) -> None:
        if not 0 <= self.cursor_row < len(self._entries):
            self.app.bell()
            return
        self.post_message(self.Replay(self._entries[self.cursor_row]))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_replay()
