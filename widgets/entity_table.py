"""A table of every entity the mapping produces; selecting a row selects its record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.message import Message
from textual.widgets import DataTable

from builder.project.printable import printable
from widgets.entity_preview import calculated_values_for
from widgets.help_data import HelpData


def cell(value: Any, width: int = 28) -> str:
    # Data on a terminal: control characters shown escaped, never obeyed (issue #11 row 13).
    text = printable(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), one_line=True)
    return text if len(text) <= width else text[: width - 1] + "…"


class EntityTable(DataTable):
    HELP: ClassVar = HelpData(
        "All entities",
        """Every entity the mapping produces over all fetched records, in the order Ocean would send
them: identifier, title, blueprint, the calculation properties (**ƒ**, computed by Port on read, not
sent) and the first properties. **Enter** on a row selects its record
(the mapping values and the entity preview follow).""",
    )

    MAX_PROPERTY_COLUMNS = 6

    @dataclass
    class RecordChosen(Message):
        record: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._records: list[int] = []

    def show(self, entities: list[dict[str, Any]], records: list[int]) -> None:
        self.clear(columns=True)
        self._records = list(records)
        properties: list[str] = []
        for entity in entities[:50]:
            for key in (entity.get("properties") or {}):
                if key not in properties:
                    properties.append(key)
        properties = properties[: self.MAX_PROPERTY_COLUMNS]
        calculated = [calculated_values_for(self, entity) for entity in entities]
        calc_names = list(dict.fromkeys(name for values in calculated for name in values))
        self.add_column("#", key="record")
        self.add_columns("identifier", "title", "blueprint")
        for name in calc_names:  # Port computes these on read; ƒ marks them as not sent
            self.add_column(f"ƒ {name}", key=f"c:{name}")
        for name in properties:
            self.add_column(name, key=f"p:{name}")
        rows = []
        for entity, record, values in zip(entities, records, calculated):
            props = entity.get("properties") or {}
            rows.append([str(record + 1), cell(entity.get("identifier")), cell(entity.get("title", "")),
                         cell(entity.get("blueprint"), 18)]
                        + [cell(values.get(name), 18) for name in calc_names]
                        + [cell(props.get(name), 18) for name in properties])
        self.add_rows(rows)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._records):
            self.post_message(self.RecordChosen(self._records[event.cursor_row]))
