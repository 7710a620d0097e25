"""A table of every entity the mapping produces; selecting a row selects its record.

**s** sorts by the next column, **S** flips the direction, a click on a header sorts by it, and
``set_filter`` keeps the rows whose cells contain a text; :class:`widgets.entities_view.EntitiesView`
puts the filter box above the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from builder.project.printable import printable
from widgets.entity_preview import BlueprintFinder, calculated_values_for
from widgets.help_data import HelpData


def cell(value: Any, width: int = 28) -> Text:
    # Data on a terminal: control characters shown escaped, never obeyed (issue #11 row 13); and a
    # rich Text, not a str, because DataTable reads a str as markup: a title "[bold]x[/]" or
    # "[link=…]" must show as written, not style or link the cell.
    text = printable(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), one_line=True)
    return Text(text if len(text) <= width else text[: width - 1] + "…")


def sort_key(value: Any) -> tuple[int, Any]:
    """Numbers before text, text before the rest, nulls last: a mixed column still sorts."""
    if value is None:
        return (3, "")
    if isinstance(value, bool):
        return (2, str(value))
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        return (1, value.casefold())
    return (2, json.dumps(value, sort_keys=True))


@dataclass
class Row:
    record: int
    cells: list[Text]
    values: list[Any]  # what the cells show, unabridged: sorting and filtering use these
    text: str  # every value, lower-case, for the filter


class EntityTable(DataTable):
    HELP: ClassVar = HelpData(
        "All entities",
        """Every entity the mapping produces over all fetched records, in the order Ocean would send
them: identifier, title, blueprint, the calculation properties (**ƒ**, computed by Port on read, not
sent) and the first properties. **Enter** on a row selects its record
(the mapping values and the entity preview follow).

- **s** sorts by the next column (#, identifier, title, …, then Ocean's order again); **S** flips
  ascending/descending; a click on a column header sorts by that column
- **/** filters: only entities with the text in some value stay (**escape** in the box clears it)""",
    )

    BINDINGS: ClassVar = [
        Binding("s", "sort", "Sort", id="entities.sort",
                tooltip="Sort by the next column (after the last: Ocean's order again)"),
        Binding("S", "reverse", "Reverse", id="entities.reverse", tooltip="Flip the sort: ascending / descending"),
        Binding("slash", "filter", "Filter", id="entities.filter",
                tooltip="Show only the entities with a text in some value"),
    ]

    MAX_PROPERTY_COLUMNS = 6

    @dataclass
    class RecordChosen(Message):
        record: int

    class Arranged(Message):
        """Rows were filtered or sorted anew: whatever describes the table should say so."""

    class FilterRequested(Message):
        """The user asked to filter (``/``): the view around the table opens its filter box."""

    def __init__(self, *, find_blueprint: BlueprintFinder | None = None, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.find_blueprint = find_blueprint  # for the ƒ columns (calculation properties)
        self._records: list[int] = []
        self._rows: list[Row] = []
        self._labels: list[str] = []
        self.filter_text = ""
        self.sorted_by: tuple[int, bool] | None = None  # (column index, descending)

    @property
    def total(self) -> int:
        return len(self._rows)

    @property
    def shown(self) -> int:
        return len(self._records)

    def show(self, entities: list[dict[str, Any]], records: list[int]) -> None:
        properties: list[str] = []
        for entity in entities[:50]:
            for key in (entity.get("properties") or {}):
                if key not in properties:
                    properties.append(key)
        properties = properties[: self.MAX_PROPERTY_COLUMNS]
        calculated = [calculated_values_for(self.find_blueprint, entity) for entity in entities]
        calc_names = list(dict.fromkeys(name for values in calculated for name in values))
        labels = ["#", "identifier", "title", "blueprint"] + [f"ƒ {name}" for name in calc_names] + properties
        if self.sorted_by is not None and self._labels:
            # Keep sorting by the same column when the columns change; drop it when that one left.
            name = self._labels[self.sorted_by[0]] if self.sorted_by[0] < len(self._labels) else None
            self.sorted_by = (labels.index(name), self.sorted_by[1]) if name in labels else None
        self._labels = labels
        self._rows = []
        for entity, record, values in zip(entities, records, calculated):
            props = entity.get("properties") or {}
            raw = ([record + 1, entity.get("identifier"), entity.get("title", ""), entity.get("blueprint")]
                   + [values.get(name) for name in calc_names] + [props.get(name) for name in properties])
            cells = ([Text(str(record + 1)), cell(raw[1]), cell(raw[2]), cell(raw[3], 18)]
                     + [cell(value, 18) for value in raw[4:]])
            text = " ".join(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in raw[1:])
            self._rows.append(Row(record, cells, raw, text.casefold()))
        self._render_rows()

    def _render_rows(self) -> None:
        self.clear(columns=True)
        for index, label in enumerate(self._labels):
            if self.sorted_by is not None and self.sorted_by[0] == index:
                label += " ▼" if self.sorted_by[1] else " ▲"
            # Property names come from the data too: a Text, never markup, and escaped.
            self.add_column(Text(printable(label, one_line=True)), key=f"col{index}")
        needle = self.filter_text.casefold()
        rows = [row for row in self._rows if needle in row.text] if needle else list(self._rows)
        if self.sorted_by is not None:
            column, descending = self.sorted_by
            rows.sort(key=lambda row: sort_key(row.values[column]), reverse=descending)
        self._records = [row.record for row in rows]
        self.add_rows([row.cells for row in rows])
        self.post_message(self.Arranged())

    def set_filter(self, text: str) -> None:
        if text != self.filter_text:
            self.filter_text = text
            self._render_rows()

    def sort_by(self, column: int | None, descending: bool = False) -> None:
        self.sorted_by = None if column is None else (column, descending)
        self._render_rows()

    def action_sort(self) -> None:
        """The next column, ascending; after the last one Ocean's order again."""
        column = 0 if self.sorted_by is None else self.sorted_by[0] + 1
        # Before the first fill there are no labels yet, but "#" (column 0) always comes.
        self.sort_by(column if column < max(1, len(self._labels)) else None)

    def action_reverse(self) -> None:
        if self.sorted_by is None:
            self.app.bell()
            return
        self.sort_by(self.sorted_by[0], not self.sorted_by[1])

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        same = self.sorted_by is not None and self.sorted_by[0] == event.column_index
        self.sort_by(event.column_index, same and not self.sorted_by[1])  # type: ignore[index]

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._records):
            self.post_message(self.RecordChosen(self._records[event.cursor_row]))
