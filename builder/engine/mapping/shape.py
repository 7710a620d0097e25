"""The entity's shape as Ocean builds it: the leaves of a mapping, their names, and the key order.

Ocean evaluates the compilable leaves of ``entity.mappings`` apart from the rest and deep-merges the
two, and pydantic re-orders search queries (``IngestSearchQuery`` / ``Rule``): the order of keys in
an entity is part of "byte-for-byte". ``build_shape`` walks a mapping once into that order;
``entity_builder`` turns the shape into one function from a row of values to the entity dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from builder.engine import jqrt
from builder.engine.jqrt import JQCompileError


def leaf_name(path: tuple[Any, ...]) -> str:
    """A mapping leaf's field name as the engine reports it: ``properties.x``, ``identifier.rules[0].value``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class Leaf:
    path: tuple[Any, ...]  # ("properties", "x") or ("identifier", "rules", 0, "value")
    expr: Any  # as written in the mapping
    compile_error: str | None

    @property
    def name(self) -> str:
        return leaf_name(self.path)


@dataclass
class _Node:
    """The mapping's shape, ordered as Ocean's deep merge leaves it (see ``_build_node``)."""

    kind: str  # "leaf" | "dict" | "list" | "invalid"
    leaf_index: int = -1
    children: list[tuple[Any, _Node]] = field(default_factory=list)


_QUERY_FIELDS = ("combinator", "rules")  # port_ocean ... port_app_config/models.py: IngestSearchQuery
_RULE_FIELDS = ("property", "operator", "value")  # ... and Rule (each a str field)


def _is_search_query_path(path: tuple[Any, ...]) -> bool:
    """identifier, team and relations.<name> may be search queries; so may items of their rules."""
    if path in (("identifier",), ("team",)) or (len(path) == 2 and path[0] == "relations"):
        return True
    return len(path) > 2 and path[-2] == "rules" and isinstance(path[-1], int) and _is_search_query_path(path[:-2])


def _search_query_fields(value: dict[str, Any], path: tuple[Any, ...]) -> tuple[str, ...] | None:
    """The model fields Ocean keeps for a search-query dict at ``path`` (None: not a search query)."""
    if not _is_search_query_path(path):
        return None
    # `rules: list[Rule | IngestSearchQuery]`: pydantic tries Rule first, which needs all three
    # fields as str-coercible scalars.
    if len(path) > 2 and all(isinstance(value.get(key), (str, int, float)) for key in _RULE_FIELDS):
        return _RULE_FIELDS
    return _QUERY_FIELDS


def _compiles(value: Any, env_access: bool) -> bool:
    if not isinstance(value, (str, int, float)):
        return False
    return jqrt.compile_error(jqrt.as_program_text(value), env_access) is None


def build_shape(mappings: dict[str, Any], env_access: bool) -> tuple[_Node, list[Leaf]]:
    """The mapping's shape (root node) and its leaves, in the order a row holds their values."""
    leaves: list[Leaf] = []
    return _build_node(mappings, (), env_access, leaves), leaves


def _build_node(value: Any, path: tuple[Any, ...], env_access: bool, leaves: list[Leaf]) -> _Node:
    if isinstance(value, dict):
        fields = _search_query_fields(value, path)
        if fields is not None:
            # pydantic parses a search query into IngestSearchQuery / Rule: the dict Ocean
            # evaluates has the model's field order, and unknown keys are gone.
            value = {key: value[key] for key in fields if key in value}
        # Ocean evaluates compilable leaves in a process pool and the rest in-process, then
        # deep-merges the two dicts: keys that fail to compile (and lists, which cannot be
        # compiled) land after the others. Key order is part of "byte-for-byte".
        first_half: list[tuple[Any, _Node]] = []
        second_half: list[tuple[Any, _Node]] = []
        for key, child in value.items():
            node = _build_node(child, path + (key,), env_access, leaves)
            if isinstance(child, dict) or _compiles(child, env_access):
                first_half.append((key, node))
            else:
                second_half.append((key, node))
        return _Node("dict", children=first_half + second_half)
    if isinstance(value, list):
        children = []
        for index, child in enumerate(value):
            if isinstance(child, dict):
                children.append((index, _build_node(child, path + (index,), env_access, leaves)))
            else:
                # Ocean calls `_search_as_object` on each list item; a non-dict item raises and
                # the whole list becomes null.
                children.append((index, _Node("invalid")))
        return _Node("list", children=children)
    try:
        error = jqrt.compile_error(jqrt.as_program_text(value), env_access)
    except JQCompileError as exc:  # not a JQ string at all
        error = exc.message
    if error is not None and value is None:
        error = "no JQ given (the value is empty)"
    leaves.append(Leaf(path, value, error))
    return _Node("leaf", leaf_index=len(leaves) - 1)


def entity_builder(root: _Node) -> Any:
    """The entity dict of a plain row (a tuple of values [selector, leaves…]), as one generated function."""
    # The entity's shape is fixed per mapping, so we generate one Python expression for it
    # (``{"identifier": v[1], "properties": {"a": v[2]}}``) instead of walking the node tree
    # for every record: this is a third of the engine's Python time on a 1,000-record page.
    def source(node: _Node) -> str:
        if node.kind == "leaf":
            return f"v[{node.leaf_index + 1}]"
        if node.kind == "dict":
            return "{" + ", ".join(f"{key!r}: {source(child)}" for key, child in node.children) + "}"
        if node.kind == "list" and not any(child.kind == "invalid" for _, child in node.children):
            return "[" + ", ".join(source(child) for _, child in node.children) + "]"
        return "None"

    return eval("lambda v: " + source(root), {"__builtins__": {}})  # noqa: S307 - keys are repr()s
