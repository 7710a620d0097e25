"""The mapping table: one line per mapping field with its JQ, its value and its status.

Thin by design: the table renders what it is given (field JQ, the selected record's outcomes,
per-field status across all records) and posts messages for edits and jumps; evaluation lives
in the Build pane's worker.

Drawn, not composed (#13): the fields are data (:class:`MappingRow`) that one line widget
(:class:`MappingLines`) draws, and one :class:`JqInput` — the editor — lies over the JQ column of
the field the cursor is on. A widget per cell made a resource switch lay out, show, hide and draw
about 120 widgets (and wake each one's task), most of a switch's time; now a switch or a keystroke
repaints one widget's lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from builder.engine.jqrt import Outcome
from builder.engine.mapping import leaf_name
from builder.project.printable import printable, printable_json
from widgets.help_data import HelpData
from widgets.jq_input import JqInput
from widgets.repaint import SettlesInOneLayout

STANDARD_FIELDS = ("identifier", "title", "blueprint", "icon", "team")
#: A status not known yet: the field was just edited and the run over all records is under way.
PENDING = object()
Path = tuple[Any, ...]

#: Column widths, in cells: the JQ never narrower than this, the status column (a space, then
#: "✓", "syntax", "340 err" or up to "12345 null").
JQ_MIN_WIDTH = 16
STATUS_WIDTH = 11


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


def short_value(outcome: Outcome | None, width: int = 200) -> Text:
    """One line; the table crops it with an ellipsis at whatever width its column has."""
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


def _label(path: Path) -> str:
    """The name a row shows: a property or relation by its own name, anything else by its leaf."""
    if path[0] in ("properties", "relations") and len(path) >= 2:
        return leaf_name(path[1:])
    return leaf_name(path)


def _group(path: Path) -> str:
    return "standard" if path[0] in STANDARD_FIELDS else path[0] if path[0] in ("properties", "relations") \
        else "other"


class MappingRow:
    """One field as the table shows it: data, not a widget (the table draws it)."""

    __slots__ = ("path", "name_", "label", "expr", "value", "status", "severity", "first_failing", "message",
                 "compile_error")

    def __init__(self, path: Path, expr: str) -> None:
        self.path = path
        #: The field's name in results (``values`` and ``statuses`` are keyed by it).
        self.name_ = leaf_name(path)
        self.label = _label(path)
        self.expr = expr
        #: What the value and status columns show (set by :meth:`MappingTable.show_values`).
        self.value = Text("")
        self.status = Text("")
        self.severity = ""  # "" | "null" | "error"
        self.first_failing: int | None = None
        self.message = ""
        self.compile_error = False

    @property
    def placeholder(self) -> str:
        return "(unset)" if self.path[0] in ("icon", "team", "title") else ""

    def __repr__(self) -> str:
        return f"MappingRow({self.path!r}, {self.expr!r})"


class MappingLines(SettlesInOneLayout, Widget):
    """Draws the table's lines: a section title, or a field's name, JQ, value and status."""

    COMPONENT_CLASSES: ClassVar = {
        "mapping-lines--name", "mapping-lines--name-focused", "mapping-lines--jq", "mapping-lines--jq-error",
        "mapping-lines--placeholder", "mapping-lines--section",
    }

    DEFAULT_CSS = """
    MappingLines {
        height: 0;
        & > .mapping-lines--name { color: $text-muted; }
        & > .mapping-lines--name-focused { color: $accent; text-style: bold; }
        & > .mapping-lines--jq { background: $boost; }
        & > .mapping-lines--jq-error { background: $error 25%; }
        & > .mapping-lines--placeholder { color: $text-disabled; }
        & > .mapping-lines--section { color: $text-muted; text-style: italic; }
    }
    """

    @dataclass
    class Clicked(Message):
        line: int

    def __init__(self) -> None:
        super().__init__()
        #: A section title (str) or a field, top to bottom.
        self.lines: list[MappingRow | str] = []
        self.name_width = 10
        #: The line whose name shows as focused (the editor's, while it has the focus).
        self.focused_line: int | None = None
        # line → (what it was drawn from, the strip): a keystroke redraws the lines that changed.
        self._strips: dict[int, tuple[tuple[Any, ...], Strip]] = {}
        # The styles of one paint: each is computed from the ancestors' backgrounds (~0.2 ms a read).
        self._styles: dict[str, Style] = {}

    def columns(self) -> tuple[int, int, int]:
        """Widths of the name, JQ and value columns at the current width (the status column's is fixed)."""
        rest = max(0, self.size.width - self.name_width - STATUS_WIDTH)
        jq = max(JQ_MIN_WIDTH, rest * 3 // 5)
        return self.name_width, jq, max(0, rest - jq)

    def set_lines(self, lines: list[MappingRow | str], name_width: int) -> None:
        self.lines = lines
        self.name_width = name_width
        if self.styles.height is None or self.styles.height.value != len(lines):
            self.styles.height = len(lines)  # a layout, only when the number of fields changes
        self.refresh()

    def refresh_line(self, y: int) -> None:
        self.refresh(Region(0, y, self.size.width, 1))

    def on_resize(self) -> None:
        self._strips.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # a theme change: the component styles changed

    def render_lines(self, crop: Region) -> list[Strip]:
        self._styles = {}
        return super().render_lines(crop)

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.rich_style if name == "base" else self.get_component_rich_style(name)
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y >= len(self.lines):
            return Strip.blank(width, self._style("base"))
        line = self.lines[y]
        if isinstance(line, str):
            key: tuple[Any, ...] = (width, line)
        else:
            key = (width, self.name_width, line.label, line.expr, line.path[0], line.compile_error,
                   _text_key(line.value), _text_key(line.status), y == self.focused_line)
        cached = self._strips.get(y)
        if cached is not None and cached[0] == key:
            return cached[1]
        if isinstance(line, str):
            segments = [Segment(_cells(" " + line, width), self._style("mapping-lines--section"))]
        else:
            segments = self._row(line, y == self.focused_line)
        strip = Strip(segments).adjust_cell_length(width).apply_style(self._style("base"))
        self._strips[y] = (key, strip)
        return strip

    def _row(self, row: MappingRow, focused: bool) -> list[Segment]:
        """Segments, not a Text laid out: a switch draws every line, and each Text cost ~0.3 ms."""
        name_width, jq_width, value_width = self.columns()
        style = self._style
        segments = [Segment(_cells(row.label, name_width, ellipsis=True),
                            style("mapping-lines--name-focused" if focused else "mapping-lines--name"))]
        # The JQ as the editor shows it unfocused: its start, a cell of padding either side.
        jq_style = style("mapping-lines--jq-error" if row.compile_error else "mapping-lines--jq")
        expr = one_line(row.expr)
        # (only the placeholder's colour: its background is the field's)
        text_style = jq_style if expr else jq_style + Style(color=style("mapping-lines--placeholder").color)
        segments.append(Segment(_cells(f" {_cells(expr or row.placeholder, max(0, jq_width - 2))} ", jq_width),
                                text_style))
        segments.extend(self._cell(row.value, value_width))
        segments.extend(self._cell(row.status, STATUS_WIDTH))
        return segments

    def _cell(self, text: Text, width: int) -> list[Segment]:
        """A value or status column: a space, then the text, cropped with an ellipsis."""
        if width <= 0:
            return []
        if text.spans:  # styled in parts: let Rich lay it out
            line = Text(" ", end="").append_text(text)
            line.truncate(width, overflow="ellipsis", pad=True)
            return list(line.render(self.app.console))
        style = self.app.console.get_style(text.style) if text.style else None
        return [Segment(" "), Segment(_cells(text.plain, width - 1, ellipsis=True), style)]

    def on_click(self, event: events.Click) -> None:
        self.post_message(self.Clicked(event.y))


def _text_key(text: Text) -> tuple[Any, ...]:
    """What a Text shows (``Text.__eq__`` ignores its base style: "null" in red would equal it in yellow)."""
    return text.plain, str(text.style), tuple(text.spans)


def _cells(text: str, width: int, ellipsis: bool = False) -> str:
    """Exactly ``width`` cells: control characters shown, never obeyed (the project's one rule,
    :func:`printable`), cropped (with an ellipsis when asked), padded with spaces."""
    text = printable(text, one_line=True)
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    if ellipsis and width >= 1:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class MappingTable(SettlesInOneLayout, VerticalScroll):
    """All mapping fields of the selected resource."""

    HELP: ClassVar = HelpData(
        "Mapping",
        """One row per entity mapping field: its JQ, its value for the selected record and its status
across all records that passed the selector (**✓** all fine, **N null**, **N err**).

- Edit a JQ and the values, the entity and the counts follow as you type
- The Field tab below shows the focused field in full: **Enter** edits it there over several lines
- **↑ ↓** (or **Tab**) move between fields; **Tab** accepts a completion
- **ctrl+g** jumps to the first record where the focused field fails (or is null)
- **ctrl+n / ctrl+b** next / previous record
- Add, rename and delete properties, and **auto-map**, from the command palette (**ctrl+p**)
  or with **f4** (add), **f2** (rename), **f8** (delete), **f6** (auto-map)""",
    )

    BINDINGS: ClassVar = [
        Binding("down", "move(1)", "Next field", show=False, id="mapping.next-field"),
        Binding("up", "move(-1)", "Previous field", show=False, id="mapping.previous-field"),
        # Tab goes field by field, then on to the next part of the screen (as a form does).
        Binding("tab", "tab(1)", "Next field", show=False, id="mapping.tab-next-field"),
        Binding("shift+tab", "tab(-1)", "Previous field", show=False, id="mapping.tab-previous-field"),
        Binding("ctrl+g", "jump_failing", "First failing", tooltip="Select the first record where this field fails",
                id="mapping.first-failing"),
    ]

    DEFAULT_CSS = """
    MappingTable {
        height: 1fr;
        /* The scrollbar is always there: a resource with more fields than fit would otherwise
           narrow every row when it appears, or lay out the screen again to show it (#13). */
        overflow-y: scroll;
        /* Over the JQ column of the cursor's line (placed by the table: offset and width). */
        & > #mapping-editor { position: absolute; width: 16; height: 1; }
        /* Docked: with more fields than fit, the message must not scroll away with the rows. */
        & > #mapping-message { dock: bottom; height: 2; padding: 0 1; color: $text-muted; background: $surface; }
        & > #mapping-message.-error { color: $error; }
    }
    """

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
        """A field got the focus: the field editor shows that field."""

        path: Path
        label: str
        expr: str

    @dataclass
    class EditRequested(Message):
        """Enter on a field: edit it in the full-width editor."""

        path: Path

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[MappingRow] = []
        self._by_path: dict[Path, MappingRow] = {}
        #: The field the editor is on (an index into the rows).
        self.cursor = 0
        self._announced: Path | None = None
        self.lines = MappingLines()
        self.editor = JqInput(id="mapping-editor")
        self.message = Static("", id="mapping-message")

    def compose(self) -> ComposeResult:
        yield self.lines
        yield self.editor
        yield self.message

    # -- building -----------------------------------------------------------------------------------
    def set_mapping(self, mappings: dict[str, Any]) -> None:
        """Show a mapping: new data for the lines, the editor on the same field when the new
        mapping has it (else on the same line), no widget added or removed."""
        current = self.current_row
        focused = self.focused_row
        groups: dict[str, list[MappingRow]] = {"standard": [], "properties": [], "relations": [], "other": []}
        for path, expr in mapping_rows(mappings):
            groups[_group(path)].append(MappingRow(path, expr))
        lines: list[MappingRow | str] = []
        for name, rows in groups.items():
            if rows and name in ("properties", "relations"):
                lines.append(name)
            lines.extend(rows)
        self._rows = [line for line in lines if isinstance(line, MappingRow)]
        self._by_path = {row.path: row for row in self._rows}
        # One name column for all rows, as wide as the longest name (within reason).
        name_width = min(17, max([len(row.label) for row in self._rows] + [9]) + 1)
        self.lines.set_lines(lines, name_width)
        if current is not None and current.path in self._by_path:
            self.cursor = self._rows.index(self._by_path[current.path])
        else:
            self.cursor = min(self.cursor, max(0, len(self._rows) - 1))
        row = self.current_row
        if row is None:
            return
        self._point_editor(row)
        self._place_editor()
        if focused is not None:
            self._announce(row, force=True)

    def _point_editor(self, row: MappingRow) -> None:
        editor = self.editor
        # The row itself, not its path: an edit that arrives after a switch must not land on the
        # new mapping's field of the same name.
        editor.subject = row
        editor.field.placeholder = row.placeholder
        editor.value = one_line(row.expr)

    def _place_editor(self) -> None:
        """Over the JQ column of the cursor's line; a layout only when that place changes."""
        row = self.current_row
        if row is None:
            return
        name_width, jq_width, _ = self.lines.columns()
        offset = (name_width, self.lines.lines.index(row))
        styles = self.editor.styles
        if styles.width is None or styles.width.value != jq_width:
            styles.width = jq_width
        if (styles.offset.x.value, styles.offset.y.value) != offset:
            styles.offset = offset
        self._mark_focused()

    def _mark_focused(self) -> None:
        row = self.focused_row
        line = self.lines.lines.index(row) if row is not None else None
        if line != self.lines.focused_line:
            for old in (self.lines.focused_line, line):
                if old is not None:
                    self.lines.refresh_line(old)
            self.lines.focused_line = line

    def on_resize(self) -> None:
        self._place_editor()  # the lines have their new width (sizes are set during the layout)

    def focus_field(self, path: Path) -> JqInput:
        """Put the editor on a field and focus it; returns the editor."""
        row = self._by_path.get(path)
        if row is not None:
            self._go_to(self._rows.index(row))
        self.editor.focus(scroll_visible=False)  # _go_to scrolled: the editor may not be in its new place yet
        return self.editor

    def _go_to(self, index: int) -> None:
        if not self._rows:
            return
        index = max(0, min(len(self._rows) - 1, index))
        if index != self.cursor or self.editor.subject is not self._rows[index]:
            self.editor.flush()  # what was typed in the field being left counts for that field
            self.editor.close_dropdown()
            self.cursor = index
            self._point_editor(self._rows[index])
            self._place_editor()
        line = self.lines.lines.index(self._rows[index])
        self.scroll_to_region(Region(0, line, 1, 1), spacing=self.lines.dock_gutter, animate=False, immediate=True)
        self._show_message()
        if self.editor.field.has_focus:
            self._announce(self._rows[index])

    def set_expr(self, path: Path, expr: str) -> None:
        """The model changed under a field (the field editor typed): show it without announcing an edit."""
        row = self._by_path.get(path)
        if row is not None:
            row.expr = expr
            self.lines.refresh_line(self.lines.lines.index(row))
            if row is self.current_row:
                self.editor.value = one_line(expr)

    def set_paths(self, paths: list[tuple[str, str]]) -> None:
        self.editor.set_paths(paths)

    def rows(self) -> list[MappingRow]:
        """The fields of the mapping shown, top to bottom."""
        return self._rows

    def row(self, path: Path) -> MappingRow | None:
        return self._by_path.get(path)

    @property
    def current_row(self) -> MappingRow | None:
        """The field the editor is on, focused or not."""
        return self._rows[self.cursor] if 0 <= self.cursor < len(self._rows) else None

    @property
    def focused_row(self) -> MappingRow | None:
        """The field being edited: the editor's, while it has the focus."""
        return self.current_row if self.editor.field.has_focus else None

    # -- results ------------------------------------------------------------------------------------
    def show_values(self, values: dict[str, Outcome], statuses: dict[str, Any], *, records: int) -> None:
        """``values``: field name → outcome for the selected record; ``statuses``: FieldStatus by name."""
        for row in self._rows:
            row.message, row.severity, row.first_failing, row.compile_error = "", "", None, False
            if not row.expr.strip():
                row.value, row.status = Text("unset", style="dim italic"), Text("")
                continue
            outcome = values.get(row.name_)
            row.value = short_value(outcome)
            status = statuses.get(row.name_)
            if status is PENDING:
                row.status = Text("…", style="dim")
            elif status is None:
                row.status = Text("–", style="dim") if records else Text("")
            elif status.compile_error:
                row.status = Text("syntax", style="bold red")
                row.severity, row.compile_error = "error", True
                row.message = f"{row.name_}: the JQ does not compile: {status.compile_error}"
            elif status.errors:
                total = status.ok + status.nulls + status.empties + status.errors
                row.status = Text(f"{status.errors} err", style="bold red")
                row.severity = "error"
                row.first_failing = status.first_error_record
                row.message = (f"{row.name_}: fails on {status.errors} of {total} records "
                               f"(first: record {status.first_error_record + 1}, ctrl+g): {status.first_error}")
            elif status.nulls or status.empties:
                count = status.nulls + status.empties
                row.status = Text(f"{count} null", style="yellow")
                row.severity = "null"
                row.first_failing = status.first_null_record
                row.message = (f"{row.name_}: null on {count} records "
                               f"(first: record {(status.first_null_record or 0) + 1}, ctrl+g)")
            else:
                row.status = Text("✓", style="green") if status.ok else Text("–", style="dim")
            if outcome is not None and outcome.status == "error" and row.severity != "error":
                row.severity = "error"
                row.message = f"{row.name_}: {outcome.error}"
        self.lines.refresh()  # only the lines whose text changed are drawn again (MappingLines._strips)
        self._show_message()

    def clear_values(self) -> None:
        for row in self._rows:
            row.value, row.status = Text(""), Text("")
            row.message, row.severity, row.first_failing, row.compile_error = "", "", None, False
        self.lines.refresh()
        self._show_message()

    def _show_message(self) -> None:
        row = self.focused_row
        shown = row if row is not None and row.message else None
        if shown is None:
            # With no message on the focused field, surface the first broken one: an error is never hidden.
            shown = next((r for r in self._rows if r.severity == "error"), None)
        widget = self.message
        widget.update(Text(shown.message) if shown else "", layout=False)
        widget.set_class(shown is not None and shown.severity == "error", "-error")

    # -- events -------------------------------------------------------------------------------------
    @on(JqInput.Changed, "#mapping-editor")
    def _edited(self, event: JqInput.Changed) -> None:
        event.stop()
        row = event.subject
        if isinstance(row, MappingRow) and self._by_path.get(row.path) is row:
            row.expr = event.value
            self.lines.refresh_line(self.lines.lines.index(row))
            self.post_message(self.FieldEdited(row.path, event.value, event.error))

    @on(JqInput.Submitted, "#mapping-editor")
    def _submitted(self, event: JqInput.Submitted) -> None:
        event.stop()
        row = self.current_row
        if row is not None:
            self.post_message(self.EditRequested(row.path))

    @on(MappingLines.Clicked)
    def _clicked(self, event: MappingLines.Clicked) -> None:
        if 0 <= event.line < len(self.lines.lines):
            line = self.lines.lines[event.line]
            if isinstance(line, MappingRow):
                self.focus_field(line.path)

    def on_descendant_focus(self) -> None:
        self._mark_focused()
        self._show_message()
        row = self.focused_row
        if row is not None:
            self._announce(row)

    def on_descendant_blur(self) -> None:
        self.call_later(self._mark_focused)  # after the focus has moved on (it may come straight back)

    def _announce(self, row: MappingRow, force: bool = False) -> None:
        if force or row.path != self._announced:
            self._announced = row.path
            self.post_message(self.FieldFocused(row.path, row.label, row.expr))

    def action_move(self, step: int) -> None:
        self._go_to(self.cursor + step)
        if not self.editor.field.has_focus:
            self.editor.focus(scroll_visible=False)

    def action_tab(self, step: int) -> None:
        if 0 <= self.cursor + step < len(self._rows):
            self.action_move(step)
        elif step > 0:
            self.screen.focus_next()
        else:
            self.screen.focus_previous()

    def action_jump_failing(self) -> None:
        row = self.focused_row
        if row is None or row.first_failing is None:
            self.app.bell()
            return
        self.post_message(self.JumpToRecord(row.first_failing))
