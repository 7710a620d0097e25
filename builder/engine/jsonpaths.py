"""Pure helpers over parsed JSON for the widgets: JQ paths, arrays with counts, completions.

No Textual import here, so these are tested as plain functions (tests/app/test_jsonpaths.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: jq builtins a mapping author reaches for; offered after a pipe or at the start of a word.
JQ_BUILTINS: tuple[str, ...] = (
    "tostring", "tonumber", "length", "keys", "values", "has", "select", "map", "map_values",
    "first", "last", "join", "split", "ascii_downcase", "ascii_upcase", "ltrimstr", "rtrimstr",
    "startswith", "endswith", "test", "sub", "gsub", "todate", "fromdate", "todateiso8601",
    "fromdateiso8601", "strftime", "strptime", "mktime", "gmtime", "now", "floor", "round", "ceil",
    "add", "any", "all", "min", "max", "sort", "sort_by", "unique", "group_by", "to_entries",
    "from_entries", "with_entries", "type", "not", "empty", "tojson", "fromjson", "if", "then",
    "else", "elif", "end", "and", "or", "null", "true", "false", "try", "catch", "del", "index",
    "contains", "inside", "flatten", "reverse", "range", "limit", "env", "$ENV", "@base64", "@uri",
)


def key_segment(key: str) -> str:
    """One object step in JQ: ``.name`` when the key is an identifier, else ``."odd key"``."""
    if _IDENT.match(key):
        return "." + key
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return '."' + escaped + '"'


def join_path(parent: str, key: str | int) -> str:
    """JQ path of a child; the root is ``.`` and children do not repeat the dot."""
    if isinstance(key, int):
        return f".[{key}]" if parent == "." else f"{parent}[{key}]"
    segment = key_segment(key)
    return segment if parent == "." else parent + segment


@dataclass(frozen=True)
class ArrayInfo:
    """An array in a response: where it is (a data_path) and how many items it holds."""

    path: str
    count: int
    objects: bool  # every item is an object (Ocean needs objects as records)


def find_arrays(data: Any, max_depth: int = 4) -> list[ArrayInfo]:
    """Every array reachable through objects only (no indexing), shallow first, like Port's builder.

    Arrays nested in array items are not data_path candidates: Ocean takes one JQ output, so the
    records must be reachable by keys alone (``itemsToParse`` handles the nested case).
    """
    found: list[ArrayInfo] = []

    def walk(value: Any, path: str, depth: int) -> None:
        if isinstance(value, list):
            found.append(ArrayInfo(path, len(value), all(isinstance(item, dict) for item in value)))
            return
        if isinstance(value, dict) and depth < max_depth:
            for key, child in value.items():
                walk(child, join_path(path, str(key)), depth + 1)

    walk(data, ".", 0)
    found.sort(key=lambda info: (info.path.count(".") + info.path.count("["), -info.count))
    return found


def best_data_path(data: Any) -> str | None:
    """The array Ocean would most plausibly read records from: the largest array of objects."""
    arrays = [a for a in find_arrays(data) if a.objects and a.count]
    if not arrays:
        return None
    return max(arrays, key=lambda a: a.count).path


def record_paths(record: Any, max_depth: int = 4, limit: int = 400) -> list[tuple[str, str]]:
    """(JQ path, short type) for every key in a record, nested objects included, in order."""
    out: list[tuple[str, str]] = []

    def walk(value: Any, path: str, depth: int) -> None:
        if len(out) >= limit:
            return
        if isinstance(value, dict):
            if path != ".":
                out.append((path, "object"))
            if depth < max_depth:
                for key, child in value.items():
                    walk(child, join_path(path, str(key)), depth + 1)
        else:
            out.append((path, type_name(value)))

    walk(record, ".", 0)
    return out


def merged_record_paths(records: Iterable[Any], sample: int = 50) -> list[tuple[str, str]]:
    """Paths over the first ``sample`` records: optional keys (absent in record 1) still complete."""
    seen: dict[str, str] = {}
    for index, record in enumerate(records):
        if index >= sample:
            break
        for path, kind in record_paths(record):
            if path not in seen or seen[path] == "null":
                seen[path] = kind
    return list(seen.items())


def json_type(value: Any) -> str:
    """The JSON type of a parsed value in Port's words ('number', never 'integer'); 'null' for None."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def json_type_phrase(value: Any) -> str:
    """``json_type`` with its article, for messages: "a string", "an array", "null"."""
    kind = json_type(value)
    if value is None:
        return kind
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def type_name(value: Any) -> str:
    """``json_type`` as the completion list shows it: arrays with their length."""
    return f"array[{len(value)}]" if isinstance(value, list) else json_type(value)


# The token being completed: a path (`.a.b`), a `$var`, or a bare word, at the end of the text.
_TOKEN = re.compile(r'(\.[A-Za-z0-9_."\[\]]*|\$[A-Za-z_]*|@?[A-Za-z_][A-Za-z0-9_]*)$')


@dataclass(frozen=True)
class Completion:
    """Replace ``text[start:cursor]`` by ``value``; ``note`` is shown beside it (type, count)."""

    value: str
    note: str
    start: int


def completions(text: str, cursor: int, paths: list[tuple[str, str]], limit: int = 12) -> list[Completion]:
    """Candidates for the token left of the cursor: record paths for ``.x``, builtins for words."""
    head = text[:cursor]
    found = _TOKEN.search(head)
    if not found:
        return []
    token = found.group(1)
    start = found.start(1)
    out: list[Completion] = []
    if token.startswith("."):
        for path, kind in paths:
            if path.startswith(token) and path != token:
                out.append(Completion(path, kind, start))
        # Shallow paths first: the next key is more likely wanted than a deep leaf.
        out.sort(key=lambda c: (c.value.count(".") + c.value.count("["), c.value))
    else:
        if token.isdigit():
            return []
        for word in JQ_BUILTINS:
            if word.startswith(token) and word != token:
                out.append(Completion(word, "jq", start))
    return out[:limit]
