"""Lint rules about the mapping itself: what the preview would show as broken, said before a sync.

Every field Ocean runs as JQ (identifier, title, blueprint, icon, team, properties, relations,
selector.query, itemsToParse) must compile; the blueprint must be a JQ string; an identifier
that comes out as the string "null" is one entity for every such record; a mapping that reads
the environment would send the integration's own secrets to Port; the integration base URL must
be set; and the processing mode must be the one in which Ocean runs this mapping at all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Mapping

from builder.engine import jqrt, mapping
from builder.engine.jsonpaths import json_type_phrase
from builder.ship.export.settings import PIN_REASONS, PROCESSING_MODE, PROCESSING_MODE_ENV

if TYPE_CHECKING:
    from builder.project.model import Project, Resource

Add = Callable[[str, str | None, str, str, str, str], None]

_ENV_WORD = re.compile(r"(?<![\w$.@])env\b(?!\s*:)|\$ENV\b")


def code_of(text: str) -> str:
    """``text`` with the literal parts of its strings removed (interpolations ``\\(…)`` kept), so
    a word inside a string is not taken for code."""
    out: list[str] = []
    depth_stack: list[int] = []  # paren depth at which each open interpolation returns to its string
    depth = 0
    in_string = False
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\" and text[index + 1:index + 2] == "(":
                depth_stack.append(depth)
                depth += 1
                in_string = False
                out.append(" (")
                index += 2
                continue
            if char == "\\":
                index += 2
                continue
            if char == '"':
                in_string = False
                out.append('""')
            index += 1
            continue
        if char == '"':
            in_string = True
        elif char == "#":  # a comment runs to the end of the line
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth_stack and depth == depth_stack[-1]:
                depth_stack.pop()
                in_string = True
                out.append(") ")
                index += 1
                continue
        if not in_string or char != '"':
            out.append(char)
        index += 1
    return "".join(out)


def reads_environment(expr: Any) -> bool:
    return isinstance(expr, str) and bool(_ENV_WORD.search(code_of(expr)))


def _fields(res: Resource) -> list[tuple[str, Any]]:
    """(field name, JQ) for every program Ocean runs for this resource."""
    compiled = mapping.compile_mapping(res.mappings, res.query)
    out: list[tuple[str, Any]] = [("selector.query", res.query)]
    out += [(leaf.name, leaf.expr) for leaf in compiled.leaves]
    if res.items_to_parse:
        out.append(("itemsToParse", res.items_to_parse))
    if res.data_path:
        out.append(("data_path", res.data_path))
    return out


_CONSEQUENCE = {
    "selector.query": "Ocean fails every item of this kind: nothing is synced",
    "itemsToParse": "Ocean skips every item of this kind: nothing is synced",
    "data_path": "Ocean fails every page of this kind: nothing is synced",
    "identifier": "every entity of this kind is dropped (no identifier)",
    "blueprint": "every entity of this kind is dropped (no blueprint)",
}


def resource_findings(res: Resource, results: Mapping[str, Any], add: Add) -> None:
    compiled = mapping.compile_mapping(res.mappings, res.query)
    for name, expr in _fields(res):
        error = _compile_error(name, expr, compiled)
        if error is not None:
            add("error", res.name, "invalid-jq", f"{name} does not compile: {error}",
                _CONSEQUENCE.get(name, f"Ocean sends {name} as null on every entity"),
                "fix the JQ (the Build view shows the error as you type)")
        if reads_environment(expr):
            add("error", res.name, "reads-environment", f"{name} reads the environment (env / $ENV): {expr!r}",
                "with allowEnvironmentVariablesJqAccess true (Ocean's default) the deployed integration puts its "
                "own environment into the entity, its Port client secret and Cursor key included, and sends it to "
                "Port; the export pins it false, where env is {} and the field comes out null or empty",
                "write the value into the mapping as a literal (or a property of the record) instead of env")
    blueprint = res.mappings.get("blueprint")
    if "blueprint" in res.mappings and not isinstance(blueprint, str):
        add("error", res.name, "blueprint-not-string", f"blueprint is {json_type_phrase(blueprint)} "
            f"({blueprint!r}), not a JQ string", "Ocean reads it as JQ text: no valid blueprint, every entity of "
            "this kind is dropped or rejected", "quote the name as a JQ string: blueprint: '\"myBlueprint\"'")
    _null_identifier(res, results, add)


def _compile_error(name: str, expr: Any, compiled: mapping.CompiledMapping) -> str | None:
    if name == "selector.query":
        return compiled.selector_error
    if name in ("itemsToParse", "data_path"):
        return jqrt.check(expr) if isinstance(expr, str) else "not a JQ string"
    leaf = next((leaf for leaf in compiled.leaves if leaf.name == name), None)
    return leaf.compile_error if leaf is not None else None


def _null_identifier(res: Resource, results: Mapping[str, Any], add: Add) -> None:
    """An identifier that is the string "null" for some record: on the mapped responses when the
    lint has them, else on the Cursor preset's recorded sample for the same endpoint."""
    result = results.get(res.name)
    where = "the given response"
    if result is None:
        pages = _preset_sample(res.kind)
        if pages is None:
            return
        result = mapping.run(res, pages, native=False)
        where = "the preset's recorded sample"
    records = [record for entity, record in zip(result.entities, result.entity_records)
               if entity.get("identifier") == "null"]
    if records:
        add("error", res.name, "identifier-null", f"the identifier is the string \"null\" for {len(records)} "
            f"record(s) of {where} (first: record {records[0]})",
            "Ocean keeps \"null\" as an identifier: all those records become one entity",
            "guard the field before tostring: (.x // empty) | tostring")


def _preset_sample(kind: str) -> list[Any] | None:
    from builder.project.presets import load_preset, preset_sample

    try:
        preset = load_preset("cursor")
        name = next((r.name for r in preset.resources if r.kind == kind), None)
        return None if name is None else preset_sample("cursor", name)
    except Exception:  # no recorded sample for this kind: nothing to map
        return None


def integration_findings(project: Project, add: Add) -> None:
    config = project.config
    if not str(config.get("baseUrl") or "").strip():
        add("error", None, "base-url-empty", "integration.config.baseUrl is empty",
            "Ocean Custom has no API to call: every resync fails", "set baseUrl, e.g. https://api.cursor.com")
    mode = str((project.integration or {}).get("processingMode") or PROCESSING_MODE)
    if mode != PROCESSING_MODE:
        add("error", None, "processing-mode", f"integration.processingMode is {mode!r}; the exports pin "
            f"{PROCESSING_MODE_ENV}={PROCESSING_MODE} for a reason: {PIN_REASONS[0]}",
            "Ocean would not run this mapping: what reaches Port is not the preview",
            f"remove integration.processingMode (the export then sets {PROCESSING_MODE})")

