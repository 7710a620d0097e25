"""A one-line JQ editor with a completion dropdown: record paths from the sample and jq builtins.

The dropdown is an ``overlay: screen`` list under the input (as Textual's Select does), so it
floats over the rows below instead of pushing them. Keys while it is open: ↑ ↓ choose, Tab or
Enter accept, Esc close. When it is closed those keys keep their usual meaning (Tab moves focus).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from builder.engine import jqrt
from widgets.help_data import HelpData
from widgets.repaint import set_virtual_size
from builder.engine.jsonpaths import Completion, completions


class JqField(Input):
    """The text part of :class:`JqInput`; its bindings only apply while the dropdown is open."""

    BINDINGS: ClassVar = [
        Binding("down", "complete_move(1)", "Next completion", show=False, id="jq.completion-next"),
        Binding("up", "complete_move(-1)", "Previous completion", show=False, id="jq.completion-previous"),
        Binding("enter", "complete_accept", "Accept completion", show=False, id="jq.completion-accept"),
        # Tab accepts what typing proposed; a list merely shown on focus (data_path's arrays) lets
        # Tab move on, as it does everywhere else.
        Binding("tab", "complete_accept_typed", "Accept completion", show=False, id="jq.completion-accept-tab"),
        Binding("escape", "complete_close", "Close completions", show=False, id="jq.completion-close"),
    ]

    def _watch_value(self, value: str) -> None:
        # Input's watcher sets the virtual size to the text's width, a layout of the whole screen on
        # every keystroke; the field's size is fixed, so set it here without one (Input's watcher
        # then finds it equal and asks for nothing).
        set_virtual_size(self, Size(self.content_width, 1))
        super()._watch_value(value)

    # Textual calls these alongside Input's own handlers (one per class in the MRO): no super().
    def _on_focus(self, event: Any) -> None:
        self.cursor_position = len(self.value)

    def _on_blur(self, event: Any) -> None:
        # Unfocused, a long expression shows its start (where the path begins), not its tail.
        self.cursor_position = 0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action.startswith("complete_"):
            owner = self.parent
            # Returning False lets the key fall through: Tab focuses the next field, ↑ ↓ move rows.
            if action == "complete_accept":
                return True  # Enter: accept when the list is open, else submit (Input's own Enter)
            if action == "complete_accept_typed":
                return isinstance(owner, JqInput) and owner.dropdown_open and not owner.browsing
            return isinstance(owner, JqInput) and owner.dropdown_open
        return super().check_action(action, parameters)

    async def action_complete_accept_typed(self) -> None:
        await self.action_complete_accept()

    def action_complete_move(self, step: int) -> None:
        owner = self.parent
        if isinstance(owner, JqInput):
            owner.move_highlight(step)

    async def action_complete_accept(self) -> None:
        owner = self.parent
        if isinstance(owner, JqInput) and owner.dropdown_open:
            owner.accept()
        else:
            await self.action_submit()

    def action_complete_close(self) -> None:
        owner = self.parent
        if isinstance(owner, JqInput):
            owner.close_dropdown()


class JqInput(Vertical):
    """JQ text with completions. Posts :class:`JqInput.Changed` on every edit."""

    HELP: ClassVar = HelpData(
        "JQ input",
        """A JQ expression, evaluated as you type (Ocean's jq semantics: first output only).

- Typing `.` offers the keys of the sample record; a word offers jq builtins (`tostring`, `select`, …)
- **↑ ↓** choose a completion, **Tab** or **Enter** accept it, **Esc** close the list
- A red field means the expression does not compile; the message says where""",
    )

    DEFAULT_CSS = """
    JqInput {
        height: auto;
        width: 1fr;
        & > JqField {
            /* Fixed size: an auto-sized Input re-lays-out the whole screen on every keystroke. */
            height: 1; width: 100%; border: none; padding: 0 1; background: $boost;
            /* Input scrolls to the cursor by force: a scrollbar (0 cells high) that shows when the
               text grows past the field only laid out the screen again. */
            overflow-x: hidden;
            /* Input draws a tall border on focus: in a one-line field it would hide the text. */
            &:focus { border: none; background: $primary 25%; }
        }
        &.-error > JqField { background: $error 25%; }
    }
    """

    @dataclass
    class Changed(Message):
        jq_input: JqInput
        value: str
        error: str | None  # compile error, None when it compiles
        #: What the input was editing when the edit was made (:attr:`JqInput.subject`): an input
        #: pointed at one thing after another (the mapping table's one editor) may have moved on
        #: by the time the message is handled.
        subject: Any = None

        @property
        def control(self) -> JqInput:
            return self.jq_input

    @dataclass
    class Submitted(Message):
        jq_input: JqInput
        value: str

        @property
        def control(self) -> JqInput:
            return self.jq_input

    def __init__(self, value: str = "", *, placeholder: str = "", show_all_on_focus: bool = False,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.paths: list[tuple[str, str]] = []
        self.show_all_on_focus = show_all_on_focus
        #: What this input edits now, passed on with each :class:`Changed` (the owner's key).
        self.subject: Any = None
        self._candidates: list[Completion] = []
        self.dropdown_open = False
        #: The open list was shown on focus, not proposed by typing (Tab then moves on).
        self.browsing = False
        # The text the owner knows about: Input also reports its initial and programmatic values as
        # changes, and those must not reach the model as user edits.
        self._known = value
        # Children exist from the start so the owner can set values before this is mounted.
        self._field = JqField(value, placeholder=placeholder, select_on_focus=False)
        self._options = CompletionDropdown(id="completions")

    def compose(self) -> ComposeResult:
        yield self._field
        yield self._options

    def on_mount(self) -> None:
        self.field.cursor_position = 0
        self._set_error(jqrt.check(self.value) if self.value.strip() else None)

    # -- value -------------------------------------------------------------------------------------
    @property
    def field(self) -> JqField:
        return self._field

    @property
    def value(self) -> str:
        return self.field.value

    @value.setter
    def value(self, text: str) -> None:
        """Set without announcing a user edit (used when the model changes under the input)."""
        field = self.field
        self._known = text
        if field.value == text:
            return
        field.value = text
        field.cursor_position = len(text) if field.has_focus else 0

    def focus(self, scroll_visible: bool = True) -> JqInput:
        self.field.focus(scroll_visible)
        return self

    def set_paths(self, paths: list[tuple[str, str]]) -> None:
        self.paths = paths

    def _set_error(self, error: str | None) -> None:
        self.set_class(error is not None, "-error")
        self.field.tooltip = error

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value
        if text != self.field.value:
            # Stale: the field changed again since (a resource loaded while keys were arriving,
            # or fast typing). Only the event that matches what the field holds now counts.
            return
        error = jqrt.check(text) if text.strip() else None
        self._set_error(error)
        if text != self._known:
            self._announce(text, error)

    def flush(self) -> None:
        """Announce an edit whose ``Input.Changed`` has not arrived yet: the owner is about to point
        this input at something else (its event would then be stale, and the edit lost)."""
        text = self.field.value
        if text != self._known:
            error = jqrt.check(text) if text.strip() else None
            self._set_error(error)
            self._announce(text, error)

    def _announce(self, text: str, error: str | None) -> None:
        self._known = text
        if self.field.has_focus:
            self._refresh_candidates()
        self.post_message(self.Changed(self, text, error, self.subject))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(self, event.value))

    def on_descendant_focus(self) -> None:
        if self.show_all_on_focus:
            self._show(self._all_candidates())
            self.browsing = True

    def on_descendant_blur(self) -> None:
        self.close_dropdown()

    # -- dropdown ----------------------------------------------------------------------------------
    def _all_candidates(self) -> list[Completion]:
        return [Completion(path, note, 0) for path, note in self.paths]

    def _refresh_candidates(self) -> None:
        self.browsing = False
        field = self.field
        found = completions(field.value, field.cursor_position, self.paths)
        if not found and self.show_all_on_focus and field.value.strip() in ("", "."):
            found = self._all_candidates()
        self._show(found)

    def _show(self, candidates: list[Completion]) -> None:
        self._candidates = candidates
        options = self._options
        options.clear_options()
        if not candidates:
            self.close_dropdown()
            return
        options.add_options([Option(Text.assemble((c.value, "bold"), "  ", (c.note, "dim"))) for c in candidates])
        options.highlighted = 0
        self.dropdown_open = True
        options.add_class("-open")

    def close_dropdown(self) -> None:
        self.dropdown_open = False
        self._options.remove_class("-open")

    def move_highlight(self, step: int) -> None:
        options = self._options
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    def accept(self, index: int | None = None) -> None:
        options = self._options
        chosen = options.highlighted if index is None else index
        if chosen is None or not 0 <= chosen < len(self._candidates):
            self.close_dropdown()
            return
        completion = self._candidates[chosen]
        field = self.field
        if completion.start == 0 and self.show_all_on_focus and completion.value in dict(self.paths):
            new = completion.value  # a whole data_path picked from the list replaces the text
            cursor = len(new)
        else:
            new = field.value[:completion.start] + completion.value + field.value[field.cursor_position:]
            cursor = completion.start + len(completion.value)
        self.close_dropdown()
        field.value = new
        field.cursor_position = cursor
        # A chosen path is usually complete: keep the list closed until the next keystroke.
        self.call_after_refresh(self.close_dropdown)


class CompletionDropdown(OptionList, can_focus=False):
    """The completion list under a :class:`JqInput` (focus stays in the text: a focusable list would
    blur the field and close itself on click)."""

    DEFAULT_CSS = """
    CompletionDropdown {
        overlay: screen;
        constrain: none inflect;
        display: none;
        width: auto; min-width: 24; max-width: 72;
        max-height: 12;
        border: round $primary;
        background: $panel;
        padding: 0;
        &.-open { display: block; }
    }
    """

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        owner = self.parent
        if isinstance(owner, JqInput):
            owner.accept(event.option_index)
            owner.field.focus()
