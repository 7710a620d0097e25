"""A JSON value laid out in lines as ``json.dumps(indent=2)`` would, each line remembering its
structure (depth, JQ path, parent, matching close, size) so a viewer can fold, search and pick paths
without parsing text. Plain Python: :mod:`widgets.json_viewer` draws these lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
