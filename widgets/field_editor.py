"""The focused-field editor: the mapping field in focus, full width, with everything about it.

jnv/ijq-style: the JQ over several lines (highlighted, with completions), its value for the record
in view (or jq's error), its counts across all records, and the raw record beside the entity it
produces. Thin: it renders what the Build tab gives it and posts :class:`FieldEditor.Edited`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from builder.engine import jqrt
from builder.project.printable import printable_json
from widgets.deferred import ComposedAfterFirstPaint, LatestCalls
from widgets.help_data import HelpData
from widgets.json_viewer import JsonViewer

if TYPE_CHECKING:
    from widgets.jq_editor import JqEditor

Path = tuple[Any, ...]


def status_line(status: Any, records: int) -> Text:
    """'✓ 10 · 2 null · 0 err of 12 records' for a FieldStatus (``None``: not run yet)."""
    if status is None:
        return Text("not run over the records yet", style="dim")
    if getattr(status, "compile_error", None):
        return Text("does not compile", style="bold red")
    nulls = status.nulls + status.empties
    out = Text.assemble(("✓ ", "green"), (str(status.ok), "bold"), " ok · ",
                        (str(nulls), "bold yellow" if nulls else "bold"), " null · ",
                        (str(status.errors), "bold red" if status.errors else "bold"), " err",
                        (f" of {records} records", "dim"))
    return out


class FieldEditor(ComposedAfterFirstPaint, Vertical):
    """The selected mapping field, editable over several lines, with its value, counts, record and entity."""

    HELP: ClassVar = HelpData(
        "Field editor",
        """The mapping field in focus, with room to read and write its JQ.

- It follows the focused row of the mapping table; **Enter** on a row edits the field here
- **Enter** is a new line; typing `.` or a word offers completions (**↑ ↓**, **Tab**/**Enter** accept)
- Below: the value for the record in view (or jq's error) and the counts across all records
- Left, the raw record in view; right, the entity it produces (exactly Ocean's payload)
- **Esc** goes back to the row; **ctrl+n / ctrl+b** next / previous record; **ctrl+g** first failing""",
    )

    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back to the row", id="field.back"),
    ]

    DEFAULT_CSS = """
    FieldEditor {
        height: 1fr;
        & > #field-head { height: 1; padding: 0 1; background: $boost; }
        & > #field-value { height: auto; max-height: 3; padding: 0 1; }
        & > #field-value.-error { color: $error; }
        & > #field-io { height: 1fr; min-height: 3; }
        & > #field-io > Vertical { width: 1fr; }
        & > #field-io > Vertical > .io-title { height: 1; padding: 0 1; color: $text-muted; }
        & > #field-io > #field-entity-side { border-left: vkey $foreground 15%; }
        & #field-entity-reason { height: auto; max-height: 2; padding: 0 1; color: $warning; display: none; }
        & #field-entity-reason.-shown { display: block; }
    }
    """

    @dataclass
    class Edited(Message):
        path: Path
        expr: str

    @dataclass
    class Back(Message):
        """Esc: focus goes back to the field's row in the mapping table."""

        path: Path

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.path: Path | None = None
        self.label = ""
        self._editor: JqEditor | None = None
        self._known = ""  # the text the owner knows: setting it is not an edit
        self._shown: tuple[Any, Any] = (object(), object())
        self._after_paint = LatestCalls()
        self._painting_later = False

    @property
    def editor(self) -> JqEditor:
        """The JQ editor, made with the other children after the first paint (a TextArea: the first
        frame need not wait for its import, #13), or when asked for before."""
        if self._editor is None:
            from widgets.jq_editor import JqEditor

            self._editor = JqEditor(id="field-jq")
        return self._editor

    def _typing_here(self) -> bool:
        return self._editor is not None and self._editor.has_focus

    def _after_the_row(self, method: Any, **kwargs: Any) -> bool:
        """True when ``method(**kwargs)`` is put off until the next paint (the latest call of each
        method is kept), which is whenever the person is not typing here: typing in a mapping row,
        or switching resources, the row's new value is drawn first. Updated in the same frame, this
        tab (its JQ, two JSON viewers) and the row are far apart on screen, and the frame repaints
        everything between them (#13: the row's value came a frame later)."""
        if self._painting_later or self._typing_here() or not self.is_mounted:
            return False
        if not self._after_paint:
            self.call_after_refresh(self._paint_later)
        self._after_paint.keep(method, **kwargs)
        return True

    def _paint_later(self) -> None:
        self._painting_later = True
        try:
            self._after_paint.run()
        finally:
            self._painting_later = False

    def compose(self) -> ComposeResult:
        if not self.children_ready:
            return  # its tab is not shown at start: composed after the first paint (widgets.deferred)
        yield Static(Text("Focus a mapping row to edit its field here (↑ ↓ in the mapping).", style="dim"),
                     id="field-head")
        yield self.editor
        yield self.editor.completion_list
        yield Static("", id="field-value")
        with Horizontal(id="field-io"):
            with Vertical(id="field-record-side"):
                yield Static("record", id="field-record-title", classes="io-title")
                yield JsonViewer(id="field-record")
            with Vertical(id="field-entity-side"):
                yield Static("entity", classes="io-title")
                yield Static("", id="field-entity-reason")
                yield JsonViewer(id="field-entity")

    # -- what is edited ------------------------------------------------------------------------------
    def edit(self, path: Path, label: str, expr: str) -> None:
        """Show the field at ``path``; its text is replaced unless the user is typing in it."""
        changed = path != self.path
        self.path, self.label = path, label
        if changed or not self._typing_here():
            self.set_text(expr)

    def set_text(self, expr: str) -> None:
        if self._after_the_row(self.set_text, expr=expr):
            return
        self._known = expr
        if self.editor.text != expr:
            self.editor.load_text(expr)
        self.editor.set_class(bool(expr.strip()) and jqrt.check(expr) is not None, "-error")

    def set_paths(self, paths: list[tuple[str, str]]) -> None:
        if self.later(self.set_paths, paths):
            return
        self.editor.set_paths(paths)

    def on_text_area_changed(self, event: Any) -> None:
        """The JQ editor's TextArea.Changed (by its handler name: TextArea is imported with the editor)."""
        if event.text_area is not self._editor:
            return
        event.stop()
        text = self.editor.text
        self.editor.set_class(bool(text.strip()) and jqrt.check(text) is not None, "-error")
        if text == self._known or self.path is None:
            return
        self._known = text
        self.post_message(self.Edited(self.path, text))

    def action_back(self) -> None:
        if self.editor.dropdown_open:
            self.editor.close_dropdown()
        elif self.path is not None:
            self.post_message(self.Back(self.path))

    # -- results ---------------------------------------------------------------------------------
    def show(self, *, outcome: Any, status: Any, record: int | None, total: int, item: Any,
             entity: dict[str, Any] | None, reason: str | None) -> None:
        """The value of the field for the record in view, its counts, the record and its entity."""
        if self.later(self.show, outcome=outcome, status=status, record=record, total=total, item=item,
                      entity=entity, reason=reason) or \
                self._after_the_row(self.show, outcome=outcome, status=status, record=record, total=total,
                                    item=item, entity=entity, reason=reason):
            return
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(self.label or "(no field)", style="bold")
        head.append("  ")
        head.append_text(status_line(status, total) if total else Text("no records yet", style="dim"))
        if record is not None and total:
            head.append(f"  · record {record + 1} of {total}", style="dim")
        self.query_one("#field-head", Static).update(head, layout=False)
        value = self.query_one("#field-value", Static)
        value.set_class(outcome is not None and outcome.status == "error", "-error")
        value.update(_value_text(outcome, status), layout=False)
        self.query_one("#field-record-title", Static).update(
            f"record {record + 1} of {total} (raw)" if record is not None and total else "record", layout=False)
        reason_box = self.query_one("#field-entity-reason", Static)
        reason_box.update(f"No entity for this record: {reason}" if entity is None and reason else "", layout=False)
        reason_box.set_class(entity is None and bool(reason), "-shown")
        shown_item, shown_entity = self._shown
        if item is not shown_item:
            viewer = self.query_one("#field-record", JsonViewer)
            viewer.clear() if item is None else viewer.load(item)
        if entity != shown_entity:
            viewer = self.query_one("#field-entity", JsonViewer)
            viewer.clear() if entity is None else viewer.load(entity)
        self._shown = (item, entity)


def _value_text(outcome: Any, status: Any) -> Text:
    if status is not None and getattr(status, "compile_error", None):
        return Text(f"✗ does not compile: {status.compile_error}", style="bold red")
    if outcome is None:
        return Text("= –", style="dim")
    if outcome.status == "error":
        return Text(f"✗ {outcome.error}")
    if outcome.status == "empty":
        return Text("= no output (Ocean sends null)", style="dim italic")
    if outcome.status == "null":
        return Text("= null", style="yellow")
    return Text.assemble("= ", (printable_json(outcome.value),
                                "green" if isinstance(outcome.value, str) else "cyan"))
