"""The mapping table: one row per mapping field with its JQ, its value and its status.

Thin by design: the table renders what it is given (field JQ, the selected record's outcomes,
per-field status across all records) and posts messages for edits and jumps; evaluation lives
in the Build pane's worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Label, Static

from builder.engine.jqrt import Outcome
from builder.engine.mapping import leaf_name
from builder.project.printable import printable_json
from widgets.help_data import HelpData
from widgets.jq_input import CompletionDropdown, JqInput

STANDARD_FIELDS = ("identifier", "title", "blueprint", "icon", "team")
#: A status not known yet: the field was just edited and the run over all records is under way.
PENDING = object()
Path = tuple[Any, ...]


def mapping_rows(mappings: dict[str, Any]) -> list[tuple[Path, str]]:
    """(path, JQ) for every editable leaf, standard fields first (shown even when unset)."""
    rows: list[tuple[Path, str]] = []

    def walk(path: Path, value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(path + (key,), child)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(path + (index,), child)
        else:
            rows.append((path, "" if value is None else str(value)))

    for key in STANDARD_FIELDS:
        if key in mappings:
            walk((key,), mappings[key])
        else:
            rows.append(((key,), ""))
    for key in ("properties", "relations"):
        for name, value in (mappings.get(key) or {}).items():
            walk((key, name), value)
    for key, value in mappings.items():
        if key not in STANDARD_FIELDS and key not in ("properties", "relations"):
            walk((key,), value)
    return rows


def _set(cell: Static, content: Text | str) -> None:
    """Update a cell only when what it shows changes: each update repaints its region."""
    key = (content.plain, tuple(content.spans), str(content.style)) if isinstance(content, Text) else content
    if getattr(cell, "_shown_key", None) != key:
        cell._shown_key = key  # type: ignore[attr-defined]
        cell.update(content, layout=False)


def short_value(outcome: Outcome | None, width: int = 200) -> Text:
    """One line; the cell crops it with an ellipsis at whatever width the layout gives."""
    if outcome is None:
        return Text("–", style="dim")
    if outcome.status == "error":
        return Text("error", style="bold red")
    if outcome.status == "empty":
        return Text("no output", style="dim italic")
    if outcome.status == "null":
        return Text("null", style="yellow")
    text = printable_json(outcome.value)
    if len(text) > width:
        text = text[: width - 1] + "…"
    style = "green" if isinstance(outcome.value, str) else "cyan"
    return Text(text, style=style, no_wrap=True, overflow="ellipsis", end="")


def one_line(expr: str) -> str:
    """A multi-line JQ as the one-line row shows it (jq reads a newline as a space)."""
    return " ".join(expr.split("\n")) if "\n" in expr else expr


class MappingRow(Horizontal):
    """One field: name, JQ input, value for the selected record, status across records.

    Rows are reused: switching resources or adding a property re-points existing rows at other
    fields (:meth:`point_at`) instead of building new widgets; rows a mapping does not need are
    hidden, not removed, and shown again for the next one that does (mounting a row, its JQ input
    and cells, then laying them out, cost most of a resource switch)."""

    DEFAULT_CSS = """
    MappingRow {
        height: 1;
        /* Every cell has a fixed height: results update them on each keystroke, and a cell that
           could change size would make Textual lay out the whole screen again. */
        & > .field-name { width: 14; height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
        & > JqInput { width: 3fr; min-width: 16; height: 1; }
        & > .field-value { width: 2fr; height: 1; min-width: 10; padding: 0 0 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
        & > .field-status { width: 9; height: 1; padding: 0 0 0 1; }
        &:focus-within > .field-name { color: $accent; text-style: bold; }
    }
    """

    def __init__(self, path: Path, expr: str, completion_list: Any = None) -> None:
        super().__init__(classes="mapping-row")
        self.path = path
        self.name_ = leaf_name(path)
        self.expr = expr
        self.severity = ""  # "" | "null" | "error"
        self.first_failing: int | None = None
        self.message = ""
        # Built here, not in compose: results may arrive before the row has finished mounting.
        self.name_label = Label(self.label, classes="field-name", markup=False)
        self.jq_input = JqInput(one_line(expr), placeholder=self._placeholder(), completion_list=completion_list)
        self.value_cell = Static("", classes="field-value")
        self.status_cell = Static("", classes="field-status")

    def _placeholder(self) -> str:
        return "(unset)" if self.path[0] in ("icon", "team", "title") else ""

    @property
    def label(self) -> str:
        if self.path[0] in ("properties", "relations") and len(self.path) >= 2:
            return leaf_name(self.path[1:])
        return self.name_

    def point_at(self, path: Path, expr: str) -> None:
        """Show another field in this row (no new widgets: a resource switch costs a few updates)."""
        if path != self.path:
            self.path = path
            self.name_ = leaf_name(path)
            self.name_label.update(self.label, layout=False)  # fixed size: no layout for a new name
            self.jq_input.field.placeholder = self._placeholder()
            self.severity, self.message, self.first_failing = "", "", None
        self.expr = expr
        self.jq_input.value = one_line(expr)

    def compose(self) -> ComposeResult:
        yield self.name_label
        yield self.jq_input
        yield self.value_cell
        yield self.status_cell


class MappingGroup(Vertical):
    """The rows of one part of the mapping (standard fields, properties, relations, others)."""

    DEFAULT_CSS = """
    MappingGroup {
        height: auto;
        & > .section { height: 1; color: $text-muted; text-style: italic; padding: 0 0 0 1; }
    }
    """

    def __init__(self, title: str | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.display = title is None

    def compose(self) -> ComposeResult:
        if self.title:
            yield Static(self.title, classes="section")


class MappingTable(VerticalScroll):
    """All mapping fields of the selected resource."""

    HELP: ClassVar = HelpData(
        "Mapping",
        """One row per entity mapping field: its JQ, its value for the selected record and its status
across all records that passed the selector (**✓** all fine, **N null**, **N err**).

- Edit a JQ and the values, the entity and the counts follow as you type
- The Field tab below shows the focused field in full: **Enter** edits it there over several lines
- **↑ ↓** move between fields; **Tab** accepts a completion
- **ctrl+g** jumps to the first record where the focused field fails (or is null)
- **ctrl+n / ctrl+b** next / previous record
- Add, rename and delete properties, and **auto-map**, from the command palette (**ctrl+p**)
  or with **f4** (add), **f2** (rename), **f8** (delete), **f6** (auto-map)""",
    )

    BINDINGS: ClassVar = [
        Binding("down", "move(1)", "Next field", show=False, id="mapping.next-field"),
        Binding("up", "move(-1)", "Previous field", show=False, id="mapping.previous-field"),
        Binding("ctrl+g", "jump_failing", "First failing", tooltip="Select the first record where this field fails",
                id="mapping.first-failing"),
    ]

    DEFAULT_CSS = """
    MappingTable {
        height: 1fr;
        /* The scrollbar's column is kept whether or not it shows: a resource with more fields than
           fit would otherwise narrow every row when it appears, a second layout of the screen. */
        scrollbar-gutter: stable;
        /* Docked: with more fields than fit, the message must not scroll away with the rows. */
        & > #mapping-message { dock: bottom; height: 2; padding: 0 1; color: $text-muted; background: $surface; }
        & > #mapping-message.-error { color: $error; }
    }
    """

    GROUPS = ("standard", "properties", "relations", "other")

    @dataclass
    class FieldEdited(Message):
        path: Path
        expr: str
        error: str | None

    @dataclass
    class JumpToRecord(Message):
        record: int

    @dataclass
    class FieldFocused(Message):
        """A row got the focus: the field editor shows that field."""

        path: Path
        label: str
        expr: str

    @dataclass
    class EditRequested(Message):
        """Enter on a row: edit the field in the full-width editor."""

        path: Path

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.paths: list[tuple[str, str]] = []
        self._moving_to: MappingRow | None = None
        self._focus_request: Path | None = None
        self._announced: Path | None = None
        #: One completion dropdown for every row (only the focused row ever shows it).
        self.completion_list = CompletionDropdown(id="completions", shared=True)
        self._groups = {name: MappingGroup(None if name in ("standard", "other") else name, id=f"group-{name}")
                        for name in self.GROUPS}

    def compose(self) -> ComposeResult:
        yield from self._groups.values()
        yield Static("", id="mapping-message")
        yield self.completion_list

    # -- building -----------------------------------------------------------------------------------
    def set_mapping(self, mappings: dict[str, Any]) -> None:
        """Show the mapping by updating rows in place; rows are only added or removed when the new
        mapping has more or fewer fields in a group than the one shown."""
        wanted: dict[str, list[tuple[Path, str]]] = {name: [] for name in self.GROUPS}
        for path, expr in mapping_rows(mappings):
            group = "standard" if path[0] in STANDARD_FIELDS else path[0] if path[0] in ("properties", "relations") \
                else "other"
            wanted[group].append((path, expr))
        focused = self.focused_row
        # One name column for all rows, as wide as the longest name (within reason).
        labels = [leaf_name(path[1:]) if path[0] in ("properties", "relations") and len(path) >= 2
                  else leaf_name(path) for rows in wanted.values() for path, _ in rows]
        width = min(17, max([len(label) for label in labels] + [9]) + 1)
        for name, rows in wanted.items():
            group = self._groups[name]
            existing = [row for row in group.children if isinstance(row, MappingRow)]  # shown, then hidden
            for row, (path, expr) in zip(existing, rows):
                if row is focused and row.path == path:
                    continue  # the user may be typing in it; the model already has what it shows
                row.point_at(path, expr)
                row.display = True
            for row in existing[len(rows):]:
                if row is focused:
                    row.remove()  # hidden, it would leave the focus nowhere; removed, it moves on
                else:
                    row.display = False
            new = [MappingRow(path, expr, self.completion_list) for path, expr in rows[len(existing):]]
            if new:
                group.mount_all(new)
            for row in new:
                row.jq_input.set_paths(self.paths)
            if name in ("properties", "relations"):
                group.display = bool(rows)
        for row in self.rows():
            row.name_label.styles.width = width
        if self._focus_request is not None:
            self.call_after_refresh(self._after_build)
        elif focused is not None and focused.is_mounted:
            self._announce(focused, force=True)

    def _after_build(self) -> None:
        target = self._focus_request
        self._focus_request = None
        row = self.row(target) if target is not None else None
        if row is not None:
            row.jq_input.focus()
            row.scroll_visible()

    def focus_field(self, path: Path) -> None:
        """Focus a field's JQ, now or (when rows are being added) as soon as it exists."""
        row = self.row(path)
        if row is not None and row.is_mounted:
            row.jq_input.focus()
            row.scroll_visible()
        else:
            self._focus_request = path
            self.call_after_refresh(self._after_build)

    def set_expr(self, path: Path, expr: str) -> None:
        """The model changed under a row (the field editor typed): show it without announcing an edit."""
        row = self.row(path)
        if row is not None:
            row.point_at(path, expr)

    def set_paths(self, paths: list[tuple[str, str]]) -> None:
        self.paths = paths
        for row in self._all_rows():  # hidden rows too: they come back with these paths
            row.jq_input.set_paths(paths)

    def _all_rows(self) -> Iterable[MappingRow]:
        return (row for group in self._groups.values() for row in group.children if isinstance(row, MappingRow))

    def rows(self) -> Iterable[MappingRow]:
        """The rows of the mapping shown (hidden rows wait for a mapping with more fields); read
        from the groups' children, not a DOM query: results ask on every keystroke and paint."""
        return (row for group in self._groups.values() for row in group.children
                if isinstance(row, MappingRow) and row.display)

    def row(self, path: Path) -> MappingRow | None:
        for row in self.rows():
            if row.path == path:
                return row
        return None

    @property
    def focused_row(self) -> MappingRow | None:
        focused = self.screen.focused if self.is_mounted else None
        node = focused
        while node is not None and node is not self:
            if isinstance(node, MappingRow):
                return node
            node = node.parent
        return None

    # -- results ------------------------------------------------------------------------------------
    def show_values(self, values: dict[str, Outcome], statuses: dict[str, Any], *, records: int) -> None:
        """``values``: field name → outcome for the selected record; ``statuses``: FieldStatus by name."""
        for row in self.rows():
            value_cell = row.value_cell
            status_cell = row.status_cell
            row.message, row.severity, row.first_failing = "", "", None
            if not row.jq_input.value.strip():
                _set(value_cell, Text("unset", style="dim italic"))
                _set(status_cell, "")
                continue
            outcome = values.get(row.name_)
            _set(value_cell, short_value(outcome))
            status = statuses.get(row.name_)
            if status is PENDING:
                _set(status_cell, Text("…", style="dim"))
            elif status is None:
                _set(status_cell, Text("–", style="dim") if records else "")
            elif status.compile_error:
                _set(status_cell, Text("syntax", style="bold red"))
                row.severity = "error"
                row.message = f"{row.name_}: the JQ does not compile: {status.compile_error}"
            elif status.errors:
                total = status.ok + status.nulls + status.empties + status.errors
                _set(status_cell, Text(f"{status.errors} err", style="bold red"))
                row.severity = "error"
                row.first_failing = status.first_error_record
                row.message = (f"{row.name_}: fails on {status.errors} of {total} records "
                               f"(first: record {status.first_error_record + 1}, ctrl+g): {status.first_error}")
            elif status.nulls or status.empties:
                count = status.nulls + status.empties
                _set(status_cell, Text(f"{count} null", style="yellow"))
                row.severity = "null"
                row.first_failing = status.first_null_record
                row.message = (f"{row.name_}: null on {count} records "
                               f"(first: record {(status.first_null_record or 0) + 1}, ctrl+g)")
            else:
                _set(status_cell, Text("✓", style="green") if status.ok else Text("–", style="dim"))
            if outcome is not None and outcome.status == "error" and row.severity != "error":
                row.severity = "error"
                row.message = f"{row.name_}: {outcome.error}"
        self._show_message()

    def clear_values(self) -> None:
        for row in self.rows():
            _set(row.value_cell, "")
            _set(row.status_cell, "")
            row.message, row.severity, row.first_failing = "", "", None
        self._show_message()

    def _show_message(self) -> None:
        row = self.focused_row
        shown = row if row is not None and row.message else None
        if shown is None:
            # With no message on the focused field, surface the first broken one: an error is never hidden.
            shown = next((r for r in self.rows() if r.severity == "error"), None)
        widget = self.query_one("#mapping-message", Static)
        widget.update(Text(shown.message) if shown else "", layout=False)
        widget.set_class(shown is not None and shown.severity == "error", "-error")

    # -- events -------------------------------------------------------------------------------------
    @on(JqInput.Changed)
    def _edited(self, event: JqInput.Changed) -> None:
        event.stop()
        node = event.jq_input.parent
        if isinstance(node, MappingRow):
            node.expr = event.value
            self.post_message(self.FieldEdited(node.path, event.value, event.error))

    def on_descendant_focus(self) -> None:
        self._moving_to = None
        self._show_message()
        row = self.focused_row
        if row is not None:
            self._announce(row)

    def _announce(self, row: MappingRow, force: bool = False) -> None:
        if force or row.path != self._announced:
            self._announced = row.path
            self.post_message(self.FieldFocused(row.path, row.label, row.expr))

    @on(JqInput.Submitted)
    def _submitted(self, event: JqInput.Submitted) -> None:
        event.stop()
        node = event.jq_input.parent
        if isinstance(node, MappingRow):
            self.post_message(self.EditRequested(node.path))

    def action_move(self, step: int) -> None:
        rows = list(self.rows())
        if not rows:
            return
        # Focus moves after this handler returns: keys typed fast (↓↓↓) must count from the row
        # we are moving to, not from the one that still has focus.
        current = self._moving_to if self._moving_to in rows else self.focused_row
        index = rows.index(current) if current in rows else -1
        target = rows[max(0, min(len(rows) - 1, index + step))]
        self._moving_to = target
        target.jq_input.focus()
        target.scroll_visible()

    def action_jump_failing(self) -> None:
        row = self.focused_row
        if row is None or row.first_failing is None:
            self.app.bell()
            return
        self.post_message(self.JumpToRecord(row.first_failing))

