"""A multi-line JQ editor: jq syntax highlighting and the same completions as the one-line field.

A ``TextArea`` whose highlights come from a small jq tokenizer (tree-sitter has no jq grammar
here). Completions come from :func:`builder.engine.jsonpaths.completions` for the token left of
the cursor and float under the editor; while the list is open ↑ ↓ choose, Tab or Enter accept,
Esc closes it. Otherwise Enter is a new line and Tab moves on, as anywhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.message import Message
from textual.widgets import OptionList, TextArea
from textual.widgets.option_list import Option

from builder.engine.jsonpaths import Completion, completions

_KEYWORDS = frozenset({"if", "then", "elif", "else", "end", "as", "and", "or", "not", "reduce", "foreach",
                       "try", "catch", "label", "def", "import", "include"})
_CONSTANTS = frozenset({"true", "false", "null"})
# One alternative per token kind; the group name is the TextArea theme's highlight name.
_JQ_TOKEN = re.compile(r"""
    (?P<comment>\#.*$)
  | (?P<string>"(?:[^"\\]|\\.)*"?)
  | (?P<number>(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
  | (?P<variable>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<format>@[A-Za-z0-9]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<operator>\?//|//=|\|=|==|!=|<=|>=|//|[|,+\-*/%<>=?:;])
  | (?P<bracket>[\[\](){}])
""", re.VERBOSE)
_HIGHLIGHT_OF = {"comment": "comment", "string": "string", "number": "number", "field": "json.label",
                 "variable": "variable", "format": "function", "operator": "operator",
                 "bracket": "punctuation.bracket"}


def jq_highlights(line: str) -> list[tuple[int, int, str]]:
    """(start, end, highlight name) in character offsets for one line of jq."""
    out: list[tuple[int, int, str]] = []
    for found in _JQ_TOKEN.finditer(line):
        kind = found.lastgroup or ""
        if kind == "word":
            word = found.group()
            name = "keyword" if word in _KEYWORDS else "boolean" if word in _CONSTANTS else "function"
        else:
            name = _HIGHLIGHT_OF[kind]
        out.append((found.start(), found.end(), name))
    return out


class JqEditor(TextArea):
    """JQ text over several lines, highlighted, with completions for record paths and builtins."""

    DEFAULT_CSS = """
    JqEditor {
        height: auto; min-height: 3; max-height: 8;
        border: round $foreground 20%; padding: 0 1;
        &:focus { border: round $primary; }
        &.-error { border: round $error; }
    }
    """

    @dataclass
    class Completed(Message):
        """A completion was accepted (tests and the owner may want to know)."""

        editor: JqEditor
        value: str

    def __init__(self, text: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(text, soft_wrap=True, tab_behavior="focus", show_line_numbers=False, id=id,
                         classes=classes)
        self.paths: list[tuple[str, str]] = []
        self._candidates: list[Completion] = []
        self._typed = False
        #: The dropdown; the owner composes it right after the editor, so it floats just under it.
        self.completion_list = CompletionList()

    # -- highlighting ------------------------------------------------------------------------------
    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        for row, line in enumerate(self.document.lines):
            for start, end, name in jq_highlights(line):
                # The TextArea draws highlights by UTF-8 byte offset (tree-sitter's unit).
                highlights[row].append((len(line[:start].encode()), len(line[:end].encode()), name))

    # -- completion --------------------------------------------------------------------------------
    @property
    def dropdown(self) -> CompletionList | None:
        return self.completion_list if self.completion_list.is_mounted else None

    @property
    def dropdown_open(self) -> bool:
        dropdown = self.dropdown
        return dropdown is not None and dropdown.has_class("-open")

    def set_paths(self, paths: list[tuple[str, str]]) -> None:
        self.paths = paths

    def _cursor_index(self) -> int:
        return self.document.get_index_from_location(self.cursor_location)

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        if self.has_focus and self._typed:
            self._candidates = completions(self.text, self._cursor_index(), self.paths)
            self._show()

    def load_text(self, text: str) -> None:
        """Replace the text (the model changed): not typing, so no completions."""
        self._typed = False
        self.close_dropdown()
        super().load_text(text)

    def _show(self) -> None:
        dropdown = self.dropdown
        if dropdown is None:
            return
        dropdown.clear_options()
        if not self._candidates:
            dropdown.remove_class("-open")
            return
        dropdown.add_options([Option(Text.assemble((c.value, "bold"), "  ", (c.note, "dim")))
                              for c in self._candidates])
        dropdown.highlighted = 0
        # Under the editor, at the token's column.
        dropdown.styles.offset = (min(self.cursor_location[1], max(0, self.size.width - 24)), 0)
        dropdown.add_class("-open")

    def close_dropdown(self) -> None:
        dropdown = self.dropdown
        if dropdown is not None:
            dropdown.remove_class("-open")

    def accept(self, index: int | None = None) -> None:
        dropdown = self.dropdown
        chosen = dropdown.highlighted if index is None and dropdown is not None else index
        self.close_dropdown()
        if chosen is None or not 0 <= chosen < len(self._candidates):
            return
        completion = self._candidates[chosen]
        cursor = self._cursor_index()
        start = self.document.get_location_from_index(completion.start)
        end = self.document.get_location_from_index(cursor)
        self.replace(completion.value, start, end)
        self.post_message(self.Completed(self, completion.value))

    async def _on_key(self, event: events.Key) -> None:
        dropdown = self.dropdown
        if dropdown is not None and self.dropdown_open and event.key in ("up", "down", "tab", "enter", "escape"):
            # The list is open: these keys are its own (a binding or a new line would be a surprise).
            event.stop()
            event.prevent_default()
            if event.key in ("up", "down") and dropdown.option_count:
                current = dropdown.highlighted or 0
                dropdown.highlighted = (current + (1 if event.key == "down" else -1)) % dropdown.option_count
            elif event.key in ("tab", "enter"):
                self.accept()
            else:
                self.close_dropdown()
            return
        if event.is_printable or event.key == "backspace":
            self._typed = True

    def _on_blur(self, event: events.Blur) -> None:
        self.close_dropdown()



class CompletionList(OptionList, can_focus=False):
    """The completion dropdown of a :class:`JqEditor` (focus stays in the text)."""

    DEFAULT_CSS = """
    CompletionList {
        overlay: screen; constrain: none inflect; display: none;
        width: auto; min-width: 24; max-width: 72; max-height: 10;
        border: round $primary; background: $panel; padding: 0;
        &.-open { display: block; }
    }
    """

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        editor = self.parent.query_one(JqEditor) if self.parent else None
        if editor is not None:
            editor.accept(event.option_index)
            editor.focus()
