"""Records (and pages) that produce no entity, each with the step that dropped it and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from textual.message import Message
from textual.widgets import DataTable

from builder.project.printable import printable

from widgets.help_data import HelpData

#: The engine's stage names in a user's words.
STAGES = {
    "data_path": "data_path",
    "not_object": "not an object",
    "items_to_parse": "itemsToParse",
    "selector": "selector false",
    "selector_error": "selector error",
    "identifier": "identifier",
    "blueprint": "blueprint",
    "entity": "entity invalid",
}


class DroppedTable(DataTable):
    HELP: ClassVar = HelpData(
        "Dropped records",
        """Records that produce no entity, with the step that dropped them and the reason in Ocean's
terms: a selector that said false (or not a boolean), a null identifier or blueprint, a page whose
items are not objects, … **Enter** on a row selects that record.""",
    )

    @dataclass
    class RecordChosen(Message):
        record: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._records: list[int | None] = []

    def show(self, dropped: list[Any], page_of: Callable[[int], int | None] | None = None) -> None:
        """``page_of``: the page a record came from (0-based), when the caller can tell."""
        self.clear(columns=True)
        self.add_columns("record", "page", "step", "reason")
        self._records = []
        rows = []
        for drop in dropped:
            self._records.append(drop.record)
            page = drop.page
            if page is None and drop.record is not None and page_of is not None:
                page = page_of(drop.record)
            rows.append(["–" if drop.record is None else str(drop.record + 1),
                         "–" if page is None else str(page + 1),
                         printable(STAGES.get(drop.stage, drop.stage), one_line=True),
                         printable(drop.reason, one_line=True)])
        self.add_rows(rows)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._records) and self._records[event.cursor_row] is not None:
            self.post_message(self.RecordChosen(self._records[event.cursor_row]))
