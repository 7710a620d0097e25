"""The Entities tab: a filter box (shown on ``/`` or while it holds text) above the entity table,
and one line saying how many entities are shown, filtered and sorted."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from widgets.entity_preview import BlueprintFinder
from widgets.entity_table import EntityTable


class EntitiesView(Vertical):
    DEFAULT_CSS = """
    EntitiesView {
        height: 1fr;
        & > #entity-filter { height: 1; border: none; padding: 0 1; background: $boost; display: none; }
        & > #entity-filter:focus { background: $primary 25%; }
        & > #entity-filter.-shown { display: block; }
        & > #entity-status { height: 1; color: $text-muted; padding: 0 1; display: none; }
        & > #entity-status.-shown { display: block; }
        & > EntityTable { height: 1fr; }
    }
    """

    BINDINGS: ClassVar = [Binding("escape", "clear_filter", "Clear filter", id="entities.clear-filter", show=False)]

    def __init__(self, *, find_blueprint: BlueprintFinder | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._find_blueprint = find_blueprint  # the table's, for its ƒ columns

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: text in any value (escape clears)", id="entity-filter")
        yield Static("", id="entity-status")
        yield EntityTable(find_blueprint=self._find_blueprint, id="entities")

    @property
    def table(self) -> EntityTable:
        return self.query_one(EntityTable)

    def open_filter(self) -> None:
        box = self.query_one("#entity-filter", Input)
        box.add_class("-shown")
        box.focus()

    def refresh_status(self) -> None:
        table = self.table
        status = self.query_one("#entity-status", Static)
        parts = []
        if table.filter_text:
            parts.append(f"{table.shown} of {table.total} entities contain {table.filter_text!r}")
        if table.sorted_by is not None:
            column, descending = table.sorted_by
            label = str(table.ordered_columns[column].label).rstrip(" ▲▼") if column < len(table.ordered_columns) else "?"
            parts.append(f"sorted by {label} {'descending' if descending else 'ascending'}")
        status.update(Text(" · ".join(parts), style="italic"))
        status.set_class(bool(parts), "-shown")

    @on(EntityTable.FilterRequested)
    def _filter_requested(self, event: EntityTable.FilterRequested) -> None:
        event.stop()
        self.open_filter()

    @on(EntityTable.Arranged)
    def _arranged(self, event: EntityTable.Arranged) -> None:
        event.stop()
        self.refresh_status()

    @on(Input.Changed, "#entity-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_filter(event.value.strip())

    @on(Input.Submitted, "#entity-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#entity-filter", Input)
        box.value = ""
        box.remove_class("-shown")
        self.table.set_filter("")
        self.table.focus()
