"""The mapping pipeline: responses → records (``extract``) → rows (``compiled``) → entities (``entity``).

``run`` maps a resource over its pages; ``map_items`` maps records already extracted, at once or
chunk by chunk (``chunk``/``cancelled``: the TUI evaluates in small steps that a newer keystroke
cancels, and gets exactly the result of one call). Field diagnostics are counted here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from builder.engine.mapping.cache import compile_mapping
from builder.engine.mapping.compiled import CompiledMapping
from builder.engine.mapping.entity import falsy_key, lose_failed_batches, to_payload
from builder.engine.mapping.extract import extract_items
from builder.engine.mapping.result import Dropped, FieldStatus, MappingResult

if TYPE_CHECKING:
    from builder.project.model import Resource


def map_items(records: Sequence[Any], mappings: dict[str, Any], query: str = "true", *,
              env_access: bool = True, dropped: list[Dropped] | None = None, pages: int = 0,
              batches: Sequence[Any] | None = None, clean: bool = False, native: bool = True,
              variant: str = "batch", chunk: int | None = None,
              cancelled: Callable[[], bool] | None = None) -> MappingResult:
    """``batches``: Ocean's parse_items batch of each record (``Extraction.record_batches``); when
    given, an entity the Entity model rejects loses its whole batch, as in Ocean. ``clean``: the
    records are in jqrt.normal_form (``Extraction.clean``), which spares a check per record.

    ``native``: the jqnative fast path on (off: every field in jq). ``variant``: "batch", or
    "record" for a one-record preview (see ``cache.VARIANTS``). ``chunk``/``cancelled``:
    evaluate ``chunk`` records at a time and raise ``Cancelled`` as soon as ``cancelled()`` is
    true between two chunks."""
    compiled = compile_mapping(mappings, query, env_access, native=native, variant=variant)
    known = len(compiled.disagreements)
    rows = compiled.evaluate_rows(records, clean, chunk=chunk, cancelled=cancelled)
    fields = {leaf.name: FieldStatus(leaf.name, leaf.expr, leaf.compile_error) for leaf in compiled.leaves}
    statuses = list(fields.values())
    selector = FieldStatus("selector.query", query, compiled.selector_error)
    result = MappingResult(list(records), [], [], list(dropped or []), fields, selector, compiled, pages=pages,
                           disagreements=compiled.disagreements[known:], _markers=rows)
    build = compiled.build_plain
    entities, entity_records, drops = result.entities, result.entity_records, result.dropped
    plain: list[tuple[Any, ...]] = []  # rows of records that passed the selector with one value per field
    plain_records: list[int] = []
    selector_broken = 0 in compiled.static_errors
    for index, row in enumerate(rows):
        plain_row = row.__class__ is tuple
        if plain_row:
            marker = None if selector_broken else [row[0]]
        else:
            marker = row[0]
        if not marker or not isinstance(marker[0], bool):
            _selector_failed(result, compiled, records, index, marker)
            continue
        if marker[0] is False:
            result.filtered += 1
            drops.append(Dropped("selector", "selector.query is false", record=index))
            continue
        if plain_row:
            plain.append(row)
            plain_records.append(index)
            entity = build(row)
        else:
            _count_markers(statuses, row, index, records, compiled)
            entity = compiled.build(row)
        selector.ok += 1
        result.passed += 1
        # Ocean keeps an entity only if identifier and blueprint are truthy *Python* values.
        if not entity.get("identifier") or not entity.get("blueprint"):
            problem = falsy_key(entity)
            if problem:
                drops.append(Dropped(problem[0], problem[1], record=index))
                continue
        payload, error = to_payload(entity)
        if error:
            drops.append(Dropped("entity", error, record=index))
            continue
        entities.append(payload)
        entity_records.append(index)
    if plain:
        _count_plain(statuses, plain, plain_records, compiled)
    if batches is not None:
        lose_failed_batches(result, batches)
    return result


def _selector_failed(result: MappingResult, compiled: CompiledMapping, records: Sequence[Any], index: int,
                     marker: Any) -> None:
    selector = result.selector
    message = _selector_message(compiled, records[index], marker)
    selector.errors += 1
    if selector.first_error_record is None:
        selector.first_error_record = index
        selector.first_error = message
    result.dropped.append(Dropped("selector_error", message, record=index))


def _count_markers(statuses: list[FieldStatus], row: list[Any], index: int, records: Sequence[Any],
                   compiled: CompiledMapping) -> None:
    for status, marker in zip(statuses, row[1:]):
        if marker is None:
            status.errors += 1
            if status.first_error_record is None:
                status.first_error_record = index
                status.first_error = status.compile_error or _leaf_message(compiled, status, records[index])
        elif marker == []:
            status.empties += 1
            if status.first_null_record is None:
                status.first_null_record = index
        elif marker[0] is None:
            status.nulls += 1
            if status.first_null_record is None:
                status.first_null_record = index
        else:
            status.ok += 1


def _count_plain(statuses: list[FieldStatus], plain: list[tuple[Any, ...]], plain_records: list[int],
                 compiled: CompiledMapping) -> None:
    """Field counts over the plain rows, a column at a time (C loops, not one per cell)."""
    columns = list(zip(*plain))
    static = set(compiled.static_errors)
    for position, (status, column) in enumerate(zip(statuses, columns[1:]), start=1):
        if position in static:
            status.errors += len(column)
            first = plain_records[0]
            if status.first_error_record is None or first < status.first_error_record:
                status.first_error_record = first
                status.first_error = status.compile_error
            continue
        nulls = column.count(None)
        status.nulls += nulls
        status.ok += len(column) - nulls
        if nulls:
            first = plain_records[column.index(None)]
            if status.first_null_record is None or first < status.first_null_record:
                status.first_null_record = first


def _selector_message(compiled: CompiledMapping, item: Any, marker: Any) -> str:
    if compiled.selector_error:
        return f"selector.query does not compile: {compiled.selector_error}"
    if marker is None:
        outcome = compiled.selector_outcome(item)
        return f"selector.query failed: {outcome.error}"
    if marker == []:
        return "selector.query gave no output; Ocean needs true or false"
    return f"selector.query gave {json.dumps(marker[0])[:60]}, not a boolean; Ocean needs true or false"


def _leaf_message(compiled: CompiledMapping, status: FieldStatus, item: Any) -> str:
    for index, leaf in enumerate(compiled.leaves):
        if leaf.name == status.path:
            return compiled.leaf_outcome(index, item).error or "error"
    return "error"


# -- the whole pipeline -------------------------------------------------------------------------


def run(resource: Resource, responses: Sequence[Any], *, env_access: bool = True,
        page_params: Sequence[dict[str, str]] | None = None, native: bool = True) -> MappingResult:
    """Map a resource (``builder.project.model.Resource``) over responses (one parsed JSON body per page).

    ``page_params``: the path-parameter values of each page, from ``FetchResult.page_params``."""
    extraction = extract_items(
        responses,
        resource.data_path,
        resource.items_to_parse,
        resource.items_to_parse_name,
        resource.items_to_parse_top_level_transform,
        env_access,
        page_params,
    )
    return map_items(extraction.records, resource.mappings, resource.query, env_access=env_access,
                     dropped=extraction.dropped, pages=extraction.pages, batches=extraction.record_batches,
                     clean=extraction.clean, native=native)


def iter_leaf_paths(mappings: dict[str, Any]) -> Iterable[str]:
    return (leaf.name for leaf in compile_mapping(mappings, "true").leaves)
