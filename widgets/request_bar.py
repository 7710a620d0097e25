"""The request line: method, path, send, and what came back (status, elapsed, size, page i/N)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Input, Select, Static

from widgets.help_data import HelpData

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB" if size >= 10 * 1024 else f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def shorten(summary: Text, width: int, separator: str = " · ") -> Text:
    """``summary`` in at most ``width`` cells: its ``separator``-joined parts between the first and the
    last go first, earliest first; what still does not fit ends with …"""
    parts = list(summary.split(separator, allow_blank=True))
    while summary.cell_len > width and len(parts) > 2:
        del parts[1]
        summary = Text(separator, end="").join(parts)
    summary = summary.copy()
    summary.no_wrap, summary.overflow = True, "ellipsis"
    return summary


class PathInput(Input):
    """The path field. A path longer than its box shows its end, where paths differ
    (/analytics/by-user/…), until the user edits it (then the cursor decides what is in view)."""

    def show_end(self) -> None:
        if not self.has_focus and self.content_size.width:
            self.scroll_to(x=max(0, len(self.value) - self.content_size.width), animate=False, force=True,
                           immediate=True)

    def on_resize(self) -> None:
        self.show_end()  # its width is final here, after the layout


class RequestBar(Horizontal):
    HELP: ClassVar = HelpData(
        "Request",
        """The selected resource's request: method and path (Ocean's `kind`, relative to the base URL).

- **ctrl+r** (or the **send** button) sends it and fetches the pages (stops at the resource's
  page limit); the mapping then runs over every record
- **ctrl+left bracket / ctrl+right bracket** — or **◀ ▶**, or **[ ]** in the response — step through the pages
- Query params, headers, body, computed values and pagination are in the **Request** tab""",
    )

    DEFAULT_CSS = """
    RequestBar {
        height: 1;
        & > Select { width: 11; }
        & > #path { width: 1fr; height: 1; border: none; padding: 0 1; background: $boost; }
        & > #path:focus { border: none; background: $primary 25%; }
        & > Button { min-width: 8; height: 1; border: none; margin: 0 0 0 1; }
        & > #page-back, & > #page-forward { min-width: 3; width: 3; margin: 0; }
        & > #response-summary { width: auto; max-width: 60; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    }
    """

    #: The summary never grows past this, and gives way down to this before the path does.
    SUMMARY_MAX = 60
    SUMMARY_MIN = 12

    @dataclass
    class Edited(Message):
        method: str
        path: str
        owner: object  # what was loaded (the resource): an edit only applies to that

    class SendRequested(Message):
        pass

    @dataclass
    class PageRequested(Message):
        step: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # What load() put in the fields. Select and Input report programmatic changes too, and
        # later than they happen: only a difference from the loaded values is a user edit.
        self._loaded: tuple[str, str] = ("", "")
        self._owner: object = None
        self._summary: Text = Text()  # in full: shown shortened when the path needs the room
        self._shown: tuple[object, ...] = ()  # what the summary shows (text, styles, max width) as last set

    def compose(self) -> ComposeResult:
        yield Select([(m, m) for m in METHODS], value="GET", allow_blank=False, id="method", compact=True)
        yield PathInput(id="path", placeholder="/teams/members")
        yield Button("send ⏎", id="send", variant="primary", compact=True)
        yield Static("", id="response-summary")
        yield Button("◀", id="page-back", compact=True, tooltip="previous page")
        yield Button("▶", id="page-forward", compact=True, tooltip="next page")

    def load(self, method: str, path: str, owner: object = None) -> None:
        method = method if method in METHODS else "GET"
        self._loaded, self._owner = (method, path), owner
        self.query_one("#method", Select).value = method
        self.query_one("#path", Input).value = path
        self._fit()
        self.call_after_refresh(self.query_one(PathInput).show_end)  # a new path in a box that keeps its size

    def show_summary(self, text: Text | str) -> None:
        self._summary = Text(text) if isinstance(text, str) else text
        self._fit()

    def set_pages(self, count: int) -> None:
        """The page arrows only make sense with more than one page."""
        for button in self.query("#page-back, #page-forward"):
            button.display = count > 1
        self.call_after_refresh(self._fit)  # once the arrows have their width (or none)

    def on_resize(self) -> None:
        self._fit()
        # Again once the whole screen has its new layout: a terminal resize moves the bar's
        # neighbours (the sidebar narrows) after the bar's own resize.
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """The path keeps its room, the summary gives way: at 80 columns the summary drops its middle
        parts (elapsed, size) and keeps what happened and where you are (``200 · page 1/3``) before the
        path is cut. Wider terminals show it all."""
        summary = self.query_one("#response-summary", Static)
        width = self.size.width
        if not width:
            self._show(summary, self._summary, None)
            return
        path = self.query_one("#path", Input)
        others = sum(child.outer_size.width + child.styles.margin.width for child in self.children
                     if child.display and child is not path and child is not summary)
        room = width - others - (len(path.value) + 2)  # the path and its padding
        room = max(self.SUMMARY_MIN, min(self.SUMMARY_MAX, room))
        self._show(summary, shorten(self._summary, room - 2), room)  # its padding

    def _show(self, summary: Static, text: Text, room: int | None) -> None:
        """Update the summary only when what it shows changes: Static.update asks for a layout of the
        whole screen, and _fit runs again after each refresh (set_pages, set_busy) and on each switch,
        mostly with the same text and width (#13: a full layout and repaint more per resource switch)."""
        # Text's == compares the characters and spans only: its own style and wrapping count too.
        shown = (text.plain, tuple(text.spans), text.style, text.no_wrap, text.overflow, room)
        if shown == self._shown:
            return
        self._shown = shown
        if room is not None:
            summary.styles.max_width = room
        summary.update(text)

    def set_busy(self, busy: bool) -> None:
        button = self.query_one("#send", Button)
        button.label = "sending…" if busy else "send ⏎"
        button.disabled = busy
        self.call_after_refresh(self._fit)  # "sending…" is wider than "send ⏎"

    def _edited(self) -> None:
        current = (str(self.query_one("#method", Select).value), self.query_one("#path", Input).value.strip())
        if current != self._loaded:
            self._loaded = current
            self.post_message(self.Edited(current[0], current[1], self._owner))

    @on(Select.Changed, "#method")
    def _method(self, event: Select.Changed) -> None:
        event.stop()
        self._edited()

    @on(Input.Changed, "#path")
    def _path(self, event: Input.Changed) -> None:
        event.stop()
        self._edited()

    @on(Input.Submitted, "#path")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.SendRequested())

    @on(Button.Pressed, "#send")
    def _send(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.SendRequested())

    @on(Button.Pressed, "#page-back")
    def _back(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.PageRequested(-1))

    @on(Button.Pressed, "#page-forward")
    def _forward(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.PageRequested(1))
