"""Evaluating a mapping for the UI: the same result as ``mapping.run``, in small chunks.

jq holds the GIL while it runs, so one call over 1,000 records would freeze the screen for
most of a second even in a worker thread. Evaluating 32 records at a time gives the event loop
a turn between chunks, and lets a newer keystroke cancel a stale evaluation early. The records
extracted by data_path are cached, so editing a field does not re-run data_path over every page.

Plain Python (no Textual); ``tests/app/test_evaluation.py`` checks the chunked result equals
``mapping.run`` exactly.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from builder.engine import mapping

CHUNK = 16
#: Seconds the worker thread sleeps between chunks: a sleeping thread gives up the GIL, so the
#: event loop handles keys at full speed while a long evaluation runs.
BREATHE = 0.004


def _settings(resource: Any) -> tuple[Any, ...]:
    return (resource.data_path, resource.items_to_parse, resource.items_to_parse_name,
            resource.items_to_parse_top_level_transform)


@dataclass(frozen=True)
class _Cached:
    pages: Sequence[Any]  # held, and compared by identity: a fetch makes a new list
    settings: tuple[Any, ...]
    extraction: mapping.Extraction


class Evaluator:
    """One per Build tab: remembers the last extraction (records after data_path).

    The cache is one immutable object swapped in a single assignment, so a stale worker thread
    finishing late can never pair one key with another extraction.
    """

    def __init__(self, breathe: float = 0.0) -> None:
        self._cached: _Cached | None = None
        self.breathe = breathe

    def extract(self, resource: Any, pages: Sequence[Any]) -> mapping.Extraction:
        cached = self._cached
        settings = _settings(resource)
        if cached is not None and cached.pages is pages and cached.settings == settings:
            return cached.extraction
        extraction = mapping.extract_items(pages, *settings)
        self._cached = _Cached(pages, settings, extraction)
        return extraction

    def cached_records(self, resource: Any, pages: Sequence[Any]) -> list[Any] | None:
        """The records if the cache matches (no evaluation here: safe on the UI thread)."""
        cached = self._cached
        if cached is not None and cached.pages is pages and cached.settings == _settings(resource):
            return cached.extraction.records
        return None

    def run(self, resource: Any, pages: Sequence[Any], cancelled: Callable[[], bool] = lambda: False
            ) -> mapping.MappingResult | None:
        """``mapping.run`` chunk by chunk; None when ``cancelled()`` turned true on the way."""
        extraction = self.extract(resource, pages)
        records = extraction.records
        parts: list[mapping.MappingResult] = []
        for start in range(0, max(len(records), 1), CHUNK):
            if cancelled():
                return None
            if start and self.breathe:
                time.sleep(self.breathe)
            parts.append(mapping.map_items(records[start:start + CHUNK], resource.mappings, resource.query,
                                           clean=extraction.clean))
        return merge(parts, extraction, CHUNK)


class _PerFieldMapping(mapping.CompiledMapping):
    """The engine's compiled mapping for one record: no whole-batch jq programs, no fused row.

    For one record, each field's own compiled form (cached by text: only the field being edited
    compiles anew) is much cheaper than building programs that span every field, on every
    keystroke: jqnative's per-field functions, and one cached jq call per field where it bails.
    The outcomes are the same.
    """

    FUSE = False

    def _combined_program(self, indices: Any = None) -> tuple[Any, Any]:
        return None, None


def preview_one(resource: Any, record: Any) -> mapping.MappingResult:
    """The selected record alone, mapped exactly as ``map_items`` would, in a millisecond or so."""
    # map_items looks the compiled mapping up by content: hand it the per-field variant. Batch runs
    # happen in the evaluation process, whose cache this does not touch.
    mapping.compile_mapping(resource.mappings, resource.query, factory=_PerFieldMapping)
    return mapping.map_items([record], resource.mappings, resource.query)


def _merge_status(target: mapping.FieldStatus, part: mapping.FieldStatus, offset: int) -> None:
    target.ok += part.ok
    target.nulls += part.nulls
    target.empties += part.empties
    target.errors += part.errors
    if target.first_error_record is None and part.first_error_record is not None:
        target.first_error_record = part.first_error_record + offset
        target.first_error = part.first_error
    if target.first_null_record is None and part.first_null_record is not None:
        target.first_null_record = part.first_null_record + offset


def merge(parts: list[mapping.MappingResult], extraction: mapping.Extraction, chunk: int) -> mapping.MappingResult:
    """Chunk results → the one result ``map_items`` would give for all records at once."""
    first = parts[0]
    fields = {name: mapping.FieldStatus(name, status.expr, status.compile_error) for name, status in first.fields.items()}
    selector = mapping.FieldStatus(first.selector.path, first.selector.expr, first.selector.compile_error)
    result = mapping.MappingResult(list(extraction.records), [], [], list(extraction.dropped), fields, selector,
                                   first.compiled, pages=extraction.pages, _markers=[])
    for index, part in enumerate(parts):
        offset = index * chunk
        result.entities.extend(part.entities)
        result.entity_records.extend(record + offset for record in part.entity_records)
        for drop in part.dropped:
            result.dropped.append(mapping.Dropped(drop.stage, drop.reason,
                                                  None if drop.record is None else drop.record + offset,
                                                  drop.page, drop.item))
        for name, status in part.fields.items():
            _merge_status(fields[name], status, offset)
        _merge_status(selector, part.selector, offset)
        result.passed += part.passed
        result.filtered += part.filtered
        result._markers.extend(part._markers)
    # Ocean loses a whole parse batch (a page) when one entity is rejected; batches span chunks,
    # so the rule runs once over the merged result, exactly where map_items runs it.
    if extraction.record_batches:
        mapping.lose_failed_batches(result, extraction.record_batches)
    return result
