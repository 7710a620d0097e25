"""The combined jq batch program keeps every field it can: only the fields whose answer a combined
program would change (``?//``, ``$__loc__``, a backslash-continued comment) run one field at a time.

The answers themselves are checked against each field alone in jq by
tests/engine/test_jqnative_differential.py::test_batch_gives_each_field_its_own_answer (the same
``BATCH_FOUND`` table); here: which fields left the batch, read from the public
``CompiledMapping.per_field_positions`` and ``single_field_runs``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jqnative_cases import BATCH_FOUND, MIXED_BATCH_RECORDS  # noqa: E402

from builder.engine.mapping.compiled import CompiledMapping  # noqa: E402


def _wrapping_changes(text: str) -> bool:
    """Written out here, not asked of jqrt: what the batch program may not wrap."""
    return "?//" in text or "$__loc__" in text or re.search(r"#[^\n]*\\(\n|$)", text) is not None


def _compiled(fields: list[str]) -> CompiledMapping:
    mappings = {"identifier": '"id"', "properties": {f"p{i}": text for i, text in enumerate(fields)}}
    return CompiledMapping(mappings, "true", native=False)


@pytest.mark.parametrize("fields, records", BATCH_FOUND, ids=[" ; ".join(f) for f, _ in BATCH_FOUND])
def test_only_the_unsafe_fields_run_one_at_a_time(fields: list[str], records: list[Any]) -> None:
    compiled = _compiled(fields)
    # positions: 0 the selector, 1 the identifier, 2… the properties
    unsafe = tuple(2 + i for i, text in enumerate(fields) if _wrapping_changes(text))
    assert compiled.per_field_positions == unsafe
    compiled.evaluate(records)
    assert compiled.single_field_runs == len(records) * len(unsafe)


def test_a_mixed_mapping_keeps_its_safe_fields_batched() -> None:
    fields = [".a", ". as [$x] ?// $x | $x", ".b[]", ".a + 1", "[.[]?]", "first(.b[]?)"]
    assert (fields, MIXED_BATCH_RECORDS) in BATCH_FOUND  # its answers are checked there
    compiled = _compiled(fields)
    assert compiled.per_field_positions == (3,)
    rows = compiled.evaluate(MIXED_BATCH_RECORDS)
    # One jq run per record for the one unsafe field, none for the five safe ones.
    assert compiled.single_field_runs == len(MIXED_BATCH_RECORDS)
    assert rows[0][2:] == [[1], [{"a": 1, "b": [2]}], [2], [2], [[1, [2]]], [2]]
    assert rows[1][2:] == [["s"], [{"a": "s", "b": []}], [], None, [["s", []]], []]
    assert rows[2][3] == [[1]]
