"""A JSON value laid out in lines as ``json.dumps(indent=2)`` would, each line remembering its
structure (depth, JQ path, parent, matching close, size) so a viewer can fold, search and pick paths
without parsing text. Plain Python: :mod:`widgets.json_viewer` draws these lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pygments.token import Token, _TokenType

from builder.engine.jsonpaths import join_path
from builder.project.printable import printable_json


@dataclass
class JsonLine:
    depth: int
    prefix: str  # '"key": ' inside an object, '' otherwise
    body: str  # '{', '[', '}', ']' or a scalar's JSON text
    comma: bool
    kind: str  # "open" | "close" | "scalar" | "note"
    path: str  # JQ path of the value on this line
    parent: int = -1
    close: int = -1  # for "open": index of the matching "close"
    size: int = 0  # for "open": number of children
    is_array: bool = False

    def text(self) -> str:
        return "  " * self.depth + self.prefix + self.body + ("," if self.comma else "")


def build_lines(data: Any, item_cap: int = 200, line_cap: int = 200_000) -> tuple[list[JsonLine], str | None]:
    """Lay the value out as ``json.dumps(indent=2)`` would, remembering structure for folding."""
    lines: list[JsonLine] = []
    capped: list[str] = []

    class _Full(Exception):
        pass

    def add(line: JsonLine) -> int:
        if len(lines) >= line_cap:
            raise _Full
        lines.append(line)
        return len(lines) - 1

    def emit(value: Any, path: str, prefix: str, depth: int, comma: bool, parent: int) -> None:
        if isinstance(value, (dict, list)) and value:
            is_array = isinstance(value, list)
            opener = add(JsonLine(depth, prefix, "[" if is_array else "{", False, "open", path, parent,
                                  size=len(value), is_array=is_array))
            if is_array:
                shown = value[:item_cap]
                more = len(value) - len(shown)
                for index, child in enumerate(shown):
                    emit(child, join_path(path, index), "", depth + 1, index < len(shown) - 1 or more > 0, opener)
                if more:
                    capped.append(path)
                    add(JsonLine(depth + 1, "", f"… showing {len(shown)} of {len(value)} items", False, "note",
                                 path, opener))
            else:
                items = list(value.items())
                for index, (key, child) in enumerate(items):
                    emit(child, join_path(path, str(key)), printable_json(str(key)) + ": ",
                         depth + 1, index < len(items) - 1, opener)
            close = add(JsonLine(depth, "", "]" if is_array else "}", comma, "close", path, parent))
            lines[opener].close = close
        else:
            add(JsonLine(depth, prefix, printable_json(value), comma, "scalar", path, parent))

    note = None
    try:
        emit(data, ".", "", 0, False, -1)
    except _Full:
        note = f"showing the first {line_cap:,} lines"
        # Unclosed openers would fold to nowhere; make them close at the end.
        for line in lines:
            if line.kind == "open" and line.close < 0:
                line.close = len(lines) - 1
    if capped and note is None:
        note = f"long arrays capped at {item_cap} items ({len(capped)} array{'s' if len(capped) > 1 else ''})"
    return lines, note


#: Every token :func:`line_tokens` gives.
JSON_TOKENS = (Token.Name.Tag, Token.Punctuation, Token.Text.Whitespace, Token.Literal.String.Double,
               Token.Keyword.Constant, Token.Literal.Number.Integer, Token.Literal.Number.Float, Token.Error)

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def scalar_token(body: str) -> _TokenType:
    """The Pygments token of a scalar's JSON text, as Pygments' JSON lexer classes it."""
    if body.startswith('"'):
        return Token.Literal.String.Double
    if body in ("true", "false", "null"):
        return Token.Keyword.Constant
    number = _NUMBER.fullmatch(body)
    if number:
        return Token.Literal.Number.Float if number.group(1) or number.group(2) else Token.Literal.Number.Integer
    if body in ("{}", "[]"):
        return Token.Punctuation
    return Token.Error  # NaN, Infinity: not JSON (Pygments marks them as errors too, letter by letter)


def line_tokens(line: JsonLine) -> list[tuple[str, _TokenType]]:
    """A line's text (without its indent) in tokens, from what the line knows (key, value, comma)
    instead of lexing its text again: a switch draws tens of lines, at ~0.2 ms a line to lex (#13)."""
    punctuation = Token.Punctuation
    out: list[tuple[str, _TokenType]] = []
    if line.prefix:  # '"key": '
        out += [(line.prefix[:-2], Token.Name.Tag), (":", punctuation), (" ", Token.Text.Whitespace)]
    out.append((line.body, punctuation if line.kind in ("open", "close") else scalar_token(line.body)))
    if line.comma:
        out.append((",", punctuation))
    return out
