"""data_path and selector.query, edited as JQ, with live counts (found / kept / dropped).

When the data_path field has focus, the arrays in the response are listed under it with their
item counts (Port's builder does the same with radio buttons); picking one sets the data_path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Label, Static

from widgets.help_data import HelpData
from widgets.jq_input import JqInput
from widgets.repaint import SettlesInOneLayout
from builder.engine.jsonpaths import ArrayInfo


class RecordsBar(SettlesInOneLayout, Vertical):
    """Two JQ rows: where the records are (data_path) and which to keep (selector.query)."""

    HELP: ClassVar = HelpData(
        "Records: data_path and selector",
        """**data_path** is the JQ that finds the records in each response page (Ocean takes its first
output; an array gives one record per item). With the field focused, the arrays found in the
response are listed with their item counts: pick one with ↑ ↓ and Enter. In the JSON viewer,
**p** uses the array at the cursor.

**selector** (`selector.query`) must give `true` or `false` for each record; `false` drops it.
Anything else is an error, and Ocean drops that record too.

The counts say how many records were found, kept and dropped; the Dropped tab says why.""",
    )

    DEFAULT_CSS = """
    RecordsBar {
        height: auto;
        & > Horizontal { height: 1; }
        & Label.name { width: 10; height: 1; color: $text-muted; }
        & JqInput { width: 1fr; height: 1; }
        /* fixed sizes: the counts change on every keystroke and must not re-lay-out the screen */
        & .count { width: 30; height: 1; padding: 0 0 0 1; }
        /* Always there, blank when there is nothing to say: a message that came and went with the
           resource would move the mapping table and lay out the screen twice per switch (#13). */
        & #records-message { height: 2; color: $error; padding: 0 1; }
        & #records-message.-note { color: $warning; }
    }
    """

    @dataclass
    class DataPathEdited(Message):
        value: str
        error: str | None

    @dataclass
    class SelectorEdited(Message):
        value: str
        error: str | None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("data_path", classes="name")
            yield JqInput(".", id="data-path", show_all_on_focus=True)
            yield Static("", id="found-count", classes="count")
        with Horizontal():
            yield Label("selector", classes="name")
            yield JqInput("true", id="selector")
            yield Static("", id="kept-count", classes="count")
        yield Static("", id="records-message")

    def set_values(self, data_path: str | None, selector: str) -> None:
        data_input = self.query_one("#data-path", JqInput)
        selector_input = self.query_one("#selector", JqInput)
        if not data_input.field.has_focus:
            data_input.value = data_path or ""
        if not selector_input.field.has_focus:
            selector_input.value = selector

    def set_arrays(self, arrays: list[ArrayInfo]) -> None:
        notes = []
        for info in arrays:
            what = "objects" if info.objects else "values"
            notes.append((info.path, f"{info.count} {what}" if info.count != 1 else f"1 {what[:-1]}"))
        self.query_one("#data-path", JqInput).set_paths(notes)

    def set_record_paths(self, paths: list[tuple[str, str]]) -> None:
        self.query_one("#selector", JqInput).set_paths(paths)

    def set_counts(self, *, found: int | None, pages: int = 0, kept: int = 0, dropped: int = 0,
                   message: str = "", note: str = "") -> None:
        """``message``: something is wrong (red); ``note``: worth knowing (pagination coverage)."""
        found_cell = self.query_one("#found-count", Static)
        kept_cell = self.query_one("#kept-count", Static)
        if found is None:
            found_cell.update(Text("no response yet", style="dim"), layout=False)
            kept_cell.update("", layout=False)
        else:
            pages_text = f" · {pages} page{'s' if pages != 1 else ''}" if pages > 1 else ""
            found_cell.update(Text.assemble("→ ", (f"{found}", "bold"), f" record{'s' if found != 1 else ''}",
                                            (pages_text, "dim")), layout=False)
            kept_cell.update(Text.assemble("→ ", (f"{kept}", "bold green" if kept else "bold"), " kept · ",
                                           (f"{dropped}", "bold yellow" if dropped else "bold"), " dropped"),
                             layout=False)
        text = message or note
        widget = self.query_one("#records-message", Static)
        if str(widget.render()) != text:
            widget.update(Text(text), layout=False)
        widget.set_class(bool(text), "-shown")
        widget.set_class(not message and bool(note), "-note")

    @on(JqInput.Changed, "#data-path")
    def _data_path(self, event: JqInput.Changed) -> None:
        event.stop()
        self.post_message(self.DataPathEdited(event.value, event.error))

    @on(JqInput.Changed, "#selector")
    def _selector(self, event: JqInput.Changed) -> None:
        event.stop()
        self.post_message(self.SelectorEdited(event.value, event.error))
