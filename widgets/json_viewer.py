"""A JSON viewer: pretty-printed, coloured as Pygments colours JSON, foldable, searchable, virtualised.

Only the lines in view are highlighted and drawn (Textual's Line API), so a 10 MB response scrolls
as fast as a small one. Arrays longer than ``item_cap`` show their first items and a line saying
"showing N of M"; the full data stays available to the mapping engine. The lines and what each one
knows (depth, JQ path, fold extent) are :mod:`widgets.json_layout`'s; this module draws, folds and
searches them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pygments.token import Token, _TokenType
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from builder.project.user_cache import cache_path, file_stamp, write_atomically
from widgets.help_data import HelpData
from widgets.json_layout import JSON_TOKENS, JsonLine, build_lines, line_tokens
from widgets.repaint import KeepsScrollbars, QuietWhileHidden, set_virtual_size

#: Token → style for dark and light themes: the same colours Pygments' themes give JSON.
_TOKEN_STYLES: dict[bool, dict[_TokenType, Style]] = {}
#: The Pygments styles the colours come from (dark, light), and the files that define them.
_THEMES = {True: "monokai", False: "friendly"}
_THEME_FILES = ("style.py", "styles/monokai.py", "styles/friendly.py")


def token_styles(dark: bool) -> dict[_TokenType, Style]:
    """The colours Rich's ``PygmentsSyntaxTheme`` gives these tokens (monokai, friendly), read from
    Pygments' style classes themselves: importing ``rich.syntax`` for it loaded Pygments' lexer
    machinery too, ~9 ms of every start (#13). tests/app/test_json_highlight.py checks the colours
    against the lexer and Rich's theme."""
    styles = _TOKEN_STYLES.get(dark)
    if styles is None:
        styles = {token: Style(color=color, bold=bold, italic=italic)
                  for token, (color, bold, italic) in zip(JSON_TOKENS, _theme_colours(dark))}
        _TOKEN_STYLES[dark] = styles
    return styles


def _theme_colours(dark: bool) -> list[tuple[str, bool, bool]]:
    """(colour, bold, italic) of each of ``JSON_TOKENS`` in the theme. Importing Pygments' styles to
    read them was ~5 ms of the first frame, so they are kept in the user's cache, under the stamps of
    the files that define them (another Pygments: read anew)."""
    import pygments

    root = Path(pygments.__file__).parent
    stamp = "|".join([_THEMES[dark], *(file_stamp(root / name) for name in _THEME_FILES), *map(str, JSON_TOKENS)])
    path = cache_path(f"json-colours-{hashlib.sha256(stamp.encode()).hexdigest()[:20]}.json")
    try:
        kept = json.loads(path.read_text()) if path is not None else None
        if (isinstance(kept, list) and len(kept) == len(JSON_TOKENS)
                and all(isinstance(c, str) and type(b) is bool and type(i) is bool for c, b, i in kept)):
            return [(c, b, i) for c, b, i in kept]
    except (OSError, ValueError, TypeError):
        pass  # none yet, or damaged: read from Pygments and written anew
    from pygments.styles import get_style_by_name

    theme = get_style_by_name(_THEMES[dark])
    colours = []
    for token in JSON_TOKENS:
        style = theme.style_for_token(token)
        colours.append((f"#{style['color']}" if style["color"] else "#000000", bool(style["bold"]), bool(style["italic"])))
    try:
        if path is not None:
            write_atomically(path, json.dumps(colours).encode())
    except OSError:
        pass  # an unwritable cache: read from Pygments again next time
    return colours


#: Bodies whose lines each viewer keeps: switching back to a resource shows its page again without
#: laying out tens of thousands of lines anew.
RECENT_BODIES = 4


@dataclass
class _Laid:
    """A value laid out in lines, remembered by the value's identity (shown values, pages, records and
    entities, are never changed in place: a new response or evaluation makes new objects)."""

    data: Any  # held, so its identity is not reused while remembered
    lines: list[JsonLine]
    note: str | None
    width: int
    paths: dict[str, int] | None = None


class JsonLines(QuietWhileHidden, KeepsScrollbars, ScrollView, can_focus=True):
    """The scrolling, folding body of :class:`JsonViewer`."""

    BINDINGS: ClassVar = [
        Binding("up", "cursor(-1)", "Up", show=False, id="json.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="json.down"),
        Binding("pageup", "cursor(-20)", "Page up", show=False, id="json.pageup"),
        Binding("pagedown", "cursor(20)", "Page down", show=False, id="json.pagedown"),
        Binding("home", "cursor_to(0)", "Top", show=False, id="json.top"),
        Binding("end", "cursor_to(-1)", "Bottom", show=False, id="json.bottom"),
        Binding("enter,space", "toggle_fold", "Fold", tooltip="Fold or unfold the object or array at the cursor",
                id="json.fold"),
        Binding("minus", "fold_all", "Fold all", show=False, id="json.fold-all"),
        Binding("plus,equals_sign", "unfold_all", "Unfold all", show=False, id="json.unfold-all"),
        Binding("slash", "search", "Search", tooltip="Search keys and values", id="json.search"),
        Binding("n", "next_match(1)", "Next match", show=False, id="json.next-match"),
        Binding("N", "next_match(-1)", "Previous match", show=False, id="json.previous-match"),
        Binding("p", "pick_path", "Use as data_path", tooltip="Use the array at the cursor as the data_path",
                id="json.pick-path"),
    ]

    cursor: reactive[int] = reactive(0)

    @dataclass
    class PathPicked(Message):
        """The user chose the value at ``path`` (an array) as the records' data_path."""

        viewer: JsonLines
        path: str

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.json_lines: list[JsonLine] = []
        self.shown: list[int] = []
        self.folded: set[int] = set()
        self.matches: list[int] = []
        self.search_term = ""
        self._cache: dict[int, Strip] = {}
        self._base_style: Style | None = None  # set while render_lines runs
        self._max_width = 0
        self.note: str | None = None
        self._paths: tuple[list[JsonLine], dict[str, int]] | None = None
        self._laid: list[_Laid] = []  # most recent first

    # -- data ------------------------------------------------------------------------------------
    def load(self, data: Any, *, fold_depth: int | None = None) -> None:
        laid = next((laid for laid in self._laid if laid.data is data), None)
        if laid is None:
            lines, note = build_lines(data)
            laid = _Laid(data, lines, note, max((len(line.text()) + 16 for line in lines), default=0))
        else:
            self._laid.remove(laid)
        self._laid.insert(0, laid)
        del self._laid[RECENT_BODIES:]
        self.json_lines, self.note, self._max_width = laid.lines, laid.note, laid.width
        self.folded = set()
        if fold_depth is not None:
            self.folded = {i for i, line in enumerate(self.json_lines) if line.kind == "open" and line.depth >= fold_depth}
        self.matches = []
        self._relayout()
        self.cursor = 0
        self.scroll_to(0, 0, animate=False)

    def clear(self) -> None:
        self.json_lines, self.note = [], None
        self.folded, self.matches = set(), []
        self._relayout()

    def _relayout(self) -> None:
        visible: list[int] = []
        index = 0
        total = len(self.json_lines)
        while index < total:
            visible.append(index)
            line = self.json_lines[index]
            if line.kind == "open" and index in self.folded:
                index = line.close + 1
            else:
                index += 1
        self.shown = visible
        self._cache.clear()
        # Fixed size (1fr): a new body changes only the scroll range, never the screen's layout.
        set_virtual_size(self, Size(self._max_width, len(visible)))
        self.refresh()

    @property
    def current_line(self) -> JsonLine | None:
        if 0 <= self.cursor < len(self.shown):
            return self.json_lines[self.shown[self.cursor]]
        return None

    # -- rendering -------------------------------------------------------------------------------
    def _render_text(self, number: int) -> Text:
        line = self.json_lines[number]
        styles = token_styles(self.app.current_theme.dark)
        gutter = "  "
        if line.kind == "open":
            gutter = "▸ " if number in self.folded else "▾ "
        out = Text(gutter, style="dim", no_wrap=True, end="")
        out.append("  " * line.depth)
        if line.kind == "note":
            out.append(line.body, style="italic dim")
            return out
        for text, token in line_tokens(line):
            out.append(text, styles[token])
        if line.kind == "open" and number in self.folded:
            out.append("⋯", style="dim")
            closer = "]" if line.is_array else "}"
            out.append(closer + ("," if self.json_lines[line.close].comma else ""), styles[Token.Punctuation])
            noun = "item" if line.is_array else "key"
            out.append(f"  {line.size} {noun}{'s' if line.size != 1 else ''}", style="dim italic")
        if self.search_term:
            out.highlight_words([self.search_term], style="reverse", case_sensitive=False)
        return out

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style walks up the DOM (its background blended with every ancestor's): once
        # a paint, not once a line (it was a third of this viewer's paint on a switch, #13).
        self._base_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.size.width
        base = self._base_style or self.rich_style
        if index >= len(self.shown):
            return Strip.blank(width, base)
        number = self.shown[index]
        strip = self._cache.get(number)
        if strip is None:
            text = self._render_text(number)
            text.stylize_before(base)
            strip = Strip(list(text.render(self.app.console)), text.cell_len)
            self._cache[number] = strip
        strip = strip.crop_extend(scroll_x, scroll_x + width, base)
        if index == self.cursor and self.has_focus:
            strip = strip.apply_style(self.get_component_rich_style("json--cursor"))
        elif index == self.cursor:
            strip = strip.apply_style(self.get_component_rich_style("json--cursor-blurred"))
        return strip.apply_offsets(scroll_x, index)

    COMPONENT_CLASSES: ClassVar = {"json--cursor", "json--cursor-blurred"}
    DEFAULT_CSS = """
    JsonLines {
        height: 1fr;
        /* Both scrollbars always there: a body whose lines fit (or not) would otherwise show or
           hide one, a second layout of the screen on a resource switch (#13). */
        overflow: scroll scroll;
        & > .json--cursor { background: $block-cursor-background 40%; }
        & > .json--cursor-blurred { background: $foreground 8%; }
    }
    """

    # -- cursor and folding ------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_region_line(new)
        self.refresh()

    def scroll_to_region_line(self, index: int) -> None:
        height = self.scrollable_content_region.height or 1
        top = int(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + height:
            self.scroll_to(y=index - height + 1, animate=False)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        if self.shown:
            self.cursor = max(0, min(len(self.shown) - 1, self.cursor + delta))

    def action_cursor_to(self, where: int) -> None:
        if self.shown:
            self.cursor = len(self.shown) - 1 if where < 0 else 0

    def on_click(self, event: Any) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self.shown):
            was = self.cursor
            self.cursor = index
            # A click on the fold marker (or a second click on the same line) folds, like an outline.
            if event.x - self.scrollable_content_region.x < 2 or was == index:
                self.action_toggle_fold()

    def action_toggle_fold(self) -> None:
        line = self.current_line
        if line is None:
            return
        number = self.shown[self.cursor]
        if line.kind == "close" or (line.kind != "open" and line.parent >= 0):
            # On a closer or a leaf, fold the enclosing container, cursor onto its opener.
            number = line.parent if line.kind != "close" else self._opener_of(number)
            if number < 0:
                return
        if self.json_lines[number].kind != "open":
            return
        if number in self.folded:
            self.folded.discard(number)
        else:
            self.folded.add(number)
        self._relayout()
        self.cursor = self.shown.index(number)

    def _opener_of(self, close_index: int) -> int:
        for index, line in enumerate(self.json_lines):
            if line.kind == "open" and line.close == close_index:
                return index
        return -1

    def action_fold_all(self) -> None:
        self.folded = {i for i, line in enumerate(self.json_lines) if line.kind == "open" and line.depth >= 1}
        self._relayout()
        self.cursor = min(self.cursor, max(0, len(self.shown) - 1))

    def action_unfold_all(self) -> None:
        self.folded = set()
        self._relayout()

    def action_pick_path(self) -> None:
        line = self.current_line
        if line is None:
            return
        if line.kind == "open" and line.is_array:
            self.post_message(self.PathPicked(self, line.path))
            return
        # From inside an array item, pick the array that holds it.
        parent = line.parent
        while parent >= 0 and not self.json_lines[parent].is_array:
            parent = self.json_lines[parent].parent
        if parent >= 0:
            self.post_message(self.PathPicked(self, self.json_lines[parent].path))
        else:
            self.app.bell()

    def goto_path(self, path: str) -> bool:
        """Put the cursor on the value at ``path`` (a JQ path such as ``.items[3]``), at the top of
        the view, unfolding what hides it. False when the path is not shown (capped arrays)."""
        index = self._path_index().get(path)
        if index is None:
            return False
        self._goto_match(index)
        self.scroll_to(y=self.cursor, animate=False)
        return True

    def _path_index(self) -> dict[str, int]:
        laid = self._laid[0] if self._laid and self._laid[0].lines is self.json_lines else None
        if laid is not None and laid.paths is not None:
            return laid.paths
        if self._paths is None or self._paths[0] is not self.json_lines:
            paths: dict[str, int] = {}
            for number, line in enumerate(self.json_lines):
                if line.kind in ("open", "scalar"):
                    paths.setdefault(line.path, number)
            self._paths = (self.json_lines, paths)
            if laid is not None:
                laid.paths = paths
        return self._paths[1]

    # -- search ----------------------------------------------------------------------------------
    def action_search(self) -> None:
        self.post_message(JsonViewer.SearchRequested())

    def search(self, term: str) -> int:
        """Highlight ``term`` (case-insensitive) and jump to its first match; returns the count."""
        self.search_term = term
        needle = term.lower()
        self.matches = [i for i, line in enumerate(self.json_lines) if needle and needle in line.text().lower()]
        self._cache.clear()
        self.refresh()
        if self.matches:
            self._goto_match(self.matches[0])
        return len(self.matches)

    def action_next_match(self, step: int) -> None:
        if not self.matches:
            self.app.bell()
            return
        current = self.shown[self.cursor] if self.shown else 0
        if step > 0:
            following = [m for m in self.matches if m > current]
            target = following[0] if following else self.matches[0]
        else:
            preceding = [m for m in self.matches if m < current]
            target = preceding[-1] if preceding else self.matches[-1]
        self._goto_match(target)

    def _goto_match(self, number: int) -> None:
        parent = self.json_lines[number].parent
        unfolded = False
        while parent >= 0:
            if parent in self.folded:
                self.folded.discard(parent)
                unfolded = True
            parent = self.json_lines[parent].parent
        if unfolded:
            self._relayout()
        self.cursor = self.shown.index(number)
        self.post_message(MatchMoved())


class MatchMoved(Message):
    """The cursor moved to a search match (the viewer's status line says which one)."""


class JsonViewer(Vertical):
    """JSON with a search bar (``/``) and a status line ("showing N of M", matches)."""

    HELP: ClassVar = HelpData(
        "JSON viewer",
        """The response body, pretty-printed and highlighted.

- **↑ ↓ PgUp PgDn Home End** move the cursor
- **Enter / Space** fold or unfold the object or array at the cursor (click the ▾ marker too)
- **-** fold everything below the top level, **+** unfold everything
- **/** search keys and values ("match k of N"); **Enter** back to the JSON, then **n** / **N** next and
  previous match; **Esc** closes the search
- **p** use the array at the cursor (or the array holding it) as the resource's **data_path**

Long arrays show their first 200 items and say so; the mapping always sees every record.""",
    )

    class SearchRequested(Message):
        pass

    DEFAULT_CSS = """
    JsonViewer {
        height: 1fr;
        & > #json-search { display: none; height: 1; border: none; padding: 0 1; }
        & > #json-search.-open { display: block; }
        /* Always there, blank when there is nothing to say: a line that came and went with the
           body would resize the viewer and lay out the screen twice per switch (#13). */
        & > #json-status { height: 1; color: $text-muted; padding: 0 1; }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.body = JsonLines(id="json-lines")
        self._status_text = ""

    def compose(self) -> ComposeResult:
        yield self.body
        yield Input(placeholder="search keys and values (Enter: next, Esc: close)", id="json-search")
        yield Static("", id="json-status")

    def load(self, data: Any, *, fold_depth: int | None = None) -> None:
        self.body.load(data, fold_depth=fold_depth)
        self._update_status()

    def clear(self, message: str = "") -> None:
        self.body.clear()
        status = self.query_one("#json-status", Static)
        if message != self._status_text:
            self._status_text = message
            status.update(message)

    def _update_status(self, extra: str = "") -> None:
        parts = [p for p in (self.body.note, extra) if p]
        status = self.query_one("#json-status", Static)
        text = " · ".join(parts)
        if text != self._status_text:
            # Only on change: an update re-lays-out the screen, and entities reload on every keystroke.
            self._status_text = text
            status.update(text)

    @on(SearchRequested)
    def _open_search(self, event: Message) -> None:
        event.stop()
        search = self.query_one("#json-search", Input)
        search.add_class("-open")
        search.focus()

    def match_status(self) -> str:
        """'match k of N' for the match at the cursor (or the count when the cursor is elsewhere)."""
        body = self.body
        if not body.search_term:
            return ""
        total = len(body.matches)
        if not total:
            return "no match"
        current = body.shown[body.cursor] if body.shown else -1
        if current in body.matches:
            return f"match {body.matches.index(current) + 1} of {total}"
        return f"{total} match{'es' if total != 1 else ''}"

    @on(Input.Changed, "#json-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.body.search(event.value)
        self._update_status(self.match_status())

    @on(Input.Submitted, "#json-search")
    def _search_next(self, event: Input.Submitted) -> None:
        event.stop()
        # Enter ends typing: the keys go back to the viewer, where n / N step through the matches.
        self.body.focus()
        self._update_status(self.match_status())

    @on(MatchMoved)
    def _match_moved(self, event: Message) -> None:
        event.stop()
        self._update_status(self.match_status())

    def on_key(self, event: Any) -> None:
        search = self.query_one("#json-search", Input)
        if event.key == "escape" and search.has_focus:
            event.stop()
            search.remove_class("-open")
            self.body.focus()

    def focus(self, scroll_visible: bool = True) -> JsonViewer:
        self.body.focus(scroll_visible)
        return self


