"""What a parsed jq tree can output, decided before any code is generated: at most one value
(``_is_single``: straight-line code) or maybe none (``_may_be_empty``), and the builtins the fast
path knows with the helper each one calls.
"""

from __future__ import annotations

from typing import Any


# Builtins: name/arity → (single-output?, may give no output?)
_FILTER_BUILTINS = {("map", 1), ("select", 1), ("sort_by", 1), ("group_by", 1), ("unique_by", 1),
                    ("max_by", 1), ("min_by", 1), ("any", 1), ("all", 1), ("first", 1), ("with_entries", 1)}
_VALUE_BUILTINS = {
    # name/arity: runtime helper; arguments are values ($x-style parameters)
    ("length", 0): "_length", ("utf8bytelength", 0): "_utf8bytelength", ("not", 0): "_not",
    ("tostring", 0): "_tostring", ("tonumber", 0): "_tonumber", ("type", 0): "_type", ("keys", 0): "_keys",
    ("keys_unsorted", 0): "_keys_unsorted", ("has", 1): "_has", ("add", 0): "_add", ("sort", 0): "_sort",
    ("unique", 0): "_unique", ("min", 0): "_min", ("max", 0): "_max", ("reverse", 0): "_reverse",
    ("first", 0): "_first", ("last", 0): "_last", ("to_entries", 0): "_to_entries",
    ("from_entries", 0): "_from_entries", ("flatten", 0): "_flatten", ("any", 0): "_any", ("all", 0): "_all",
    ("ascii_downcase", 0): "_ascii_downcase", ("ascii_upcase", 0): "_ascii_upcase",
    ("ltrimstr", 1): "_ltrimstr", ("rtrimstr", 1): "_rtrimstr", ("startswith", 1): "_startswith",
    ("endswith", 1): "_endswith", ("split", 1): "_split", ("join", 1): "_join", ("contains", 1): "_contains",
    ("tojson", 0): "_tojson", ("fromdateiso8601", 0): "_fromdateiso8601", ("fromdate", 0): "_fromdateiso8601",
    ("sqrt", 0): "_sqrt", ("abs", 0): "_abs", ("fabs", 0): "_fabs", ("round", 0): "_round",
}
_TYPE_SELECTORS = {"values": "{x} is not None", "nulls": "{x} is None", "booleans": "{x}.__class__ is bool",
                   "numbers": "({x}.__class__ is int or {x}.__class__ is float)", "strings": "{x}.__class__ is str",
                   "arrays": "{x}.__class__ is list", "objects": "{x}.__class__ is dict",
                   "iterables": "({x}.__class__ is list or {x}.__class__ is dict)",
                   "scalars": "not ({x}.__class__ is list or {x}.__class__ is dict)"}


def _is_single(node: Any) -> bool:
    """At most one output for any input (generators: iter, comma, and pipes/binds through them)."""
    kind = node[0]
    if kind in ("id", "lit", "var", "array", "local"):
        return True
    if kind in ("iter", "comma"):
        return False
    if kind == "call":
        name, args = node[1], node[2]
        if (name, len(args)) in _FILTER_BUILTINS:
            # map/sort_by/… collect their filter; select/first(f)/any(f) decide from it.
            return name == "first" or _is_single(args[0]) or name in ("map", "any", "all", "with_entries")
        return all(_is_single(arg) for arg in args)
    if kind == "object":
        return all(_is_single(k) and _is_single(v) for k, v in node[1])
    if kind == "str":
        return all(isinstance(part, str) or _is_single(part) for part in node[1])
    return all(_is_single(child) for child in _children(node))


def _may_be_empty(node: Any) -> bool:
    kind = node[0]
    if kind in ("id", "lit", "var", "array", "local"):
        return False
    if kind in ("opt", "optstep", "iter"):
        return True  # `.[]` on [] or {} gives nothing
    if kind == "alt":
        return _may_be_empty(node[2])
    if kind == "call":
        name, args = node[1], node[2]
        if name in ("select", "empty", "first") or name in _TYPE_SELECTORS:
            return True
        if (name, len(args)) in _FILTER_BUILTINS:
            return False  # collected
        return any(_may_be_empty(arg) for arg in args)
    if kind == "object":
        return any(_may_be_empty(k) or _may_be_empty(v) for k, v in node[1])
    if kind == "str":
        return any(not isinstance(part, str) and _may_be_empty(part) for part in node[1])
    return any(_may_be_empty(child) for child in _children(node))


def _comma_items(node: Any) -> list[Any]:
    """``a, b, c`` as [a, b, c] (left to right)."""
    if node[0] == "comma":
        return _comma_items(node[1]) + _comma_items(node[2])
    return [node]


def _children(node: Any) -> list[Any]:
    kind = node[0]
    if kind in ("field", "iter", "opt", "neg", "optstep"):
        return [node[1]]
    if kind == "index":
        return [node[1], node[2]]
    if kind == "slice":
        return [child for child in node[1:] if child is not None]
    if kind == "bin":
        return [node[2], node[3]]
    if kind in ("and", "or", "alt", "pipe", "comma"):
        return [node[1], node[2]]
    if kind == "if":
        return [node[1], node[2], node[3]]
    if kind == "bind":
        return [node[1], node[3]]
    return []
