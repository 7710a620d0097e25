"""The mapping package's public switches: the fast path on/off, variants cached apart, chunked and
cancellable evaluation that gives exactly the one-call result."""

from __future__ import annotations

import copy

import pytest

from builder.engine import mapping
from builder.project.presets import load_preset, preset_sample
from tests.engine.compiles import counted_compiles

PROJECT = load_preset("cursor")


def _records(name: str, times: int = 3) -> tuple[mapping.Extraction, object]:
    resource = PROJECT.find_resource(name)
    pages = preset_sample("cursor", name) * times
    extraction = mapping.extract_items(copy.deepcopy(pages), resource.data_path, resource.items_to_parse,
                                       resource.items_to_parse_name, resource.items_to_parse_top_level_transform)
    return extraction, resource


def test_the_cache_keeps_variants_and_the_fast_path_switch_apart() -> None:
    """After a one-record preview, a batch in the same process still gets the batch variant."""
    mapping.clear_compiled_cache()
    mappings, query = {"identifier": ".id", "blueprint": '"b"'}, "true"
    one = mapping.map_items([{"id": "a"}], mappings, query, variant="record")
    batch = mapping.map_items([{"id": "a"}, {"id": "b"}], mappings, query)
    jq_only = mapping.map_items([{"id": "a"}], mappings, query, native=False)
    assert type(one.compiled) is mapping.PerFieldMapping
    assert type(batch.compiled) is mapping.CompiledMapping
    assert jq_only.compiled is not batch.compiled
    assert jq_only.compiled.native_fields == 0 < batch.compiled.native_fields
    assert [e["identifier"] for e in batch.entities] == ["a", "b"]


@pytest.mark.parametrize("name", ["usage-events", "members", "daily-usage"])
@pytest.mark.parametrize("chunk", [1, 7, 16, 1000])
def test_chunked_evaluation_equals_one_call(name: str, chunk: int) -> None:
    extraction, resource = _records(name)
    args = (extraction.records, resource.mappings, resource.query)
    options = dict(dropped=extraction.dropped, pages=extraction.pages, batches=extraction.record_batches,
                   clean=extraction.clean)
    whole = mapping.map_items(*args, **options)
    chunked = mapping.map_items(*args, **options, chunk=chunk, cancelled=lambda: False)
    assert chunked.to_json() == whole.to_json()
    assert chunked.entity_records == whole.entity_records
    assert chunked._markers == whole._markers


def test_a_cancelled_evaluation_raises_between_chunks() -> None:
    extraction, resource = _records("usage-events")
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) == 2

    with pytest.raises(mapping.Cancelled):
        mapping.map_items(extraction.records, resource.mappings, resource.query, chunk=4, cancelled=cancelled)
    assert len(asked) == 2


EXACT_CASES = [
    # (records, whether a record needs the exact program: an error or no output in some field)
    ([{"id": "a", "n": 1}, {"id": "b", "n": 2}], False),
    ([{"id": "a", "n": 1}, {"id": "b", "n": "x"}], True),  # "x" - 1: an error in one field
    ([{"id": "a", "n": 1}, {"id": "b", "n": []}], True),  # .n[] on []: no output
]


@pytest.mark.parametrize("records, needs_exact", EXACT_CASES)
def test_the_exact_batch_program_compiles_only_when_a_record_needs_it(records: list[dict[str, object]],
                                                                      needs_exact: bool,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """jq's batch runs a fast program (one ``try`` per record) and, for the records it cannot
    settle, an exact one (one ``try`` per field): the exact one is compiled only then."""
    mappings = {"identifier": ".id", "blueprint": '"b"', "properties": {"m": ".n - 1", "e": "(.n | arrays | .[]) // .n"}}
    expected = mapping.CompiledMapping(mappings, "true", native=False).evaluate(records)
    seen = counted_compiles(monkeypatch)
    got = mapping.CompiledMapping(mappings, "true", native=False).evaluate(records)
    assert got == expected
    combined = [program for program in seen if "[.[] |" in program]
    assert len(combined) == (2 if needs_exact else 1), combined


def test_an_exact_program_that_does_not_compile_sends_its_records_field_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """(It compiles whenever the fast one does; should it not, the outcome is jq's, one field at a time.)"""
    from builder.engine import jqrt

    mappings = {"identifier": ".id", "blueprint": '"b"', "properties": {"m": ".n - 1"}}
    records = [{"id": "a", "n": 1}, {"id": "b", "n": "x"}]
    expected = mapping.CompiledMapping(mappings, "true", native=False).evaluate(records)
    real = jqrt.compile_raw

    def refusing(program: str, label: str | None = None) -> object:
        if "(try [" in program:  # the exact program's fields
            raise jqrt.JQCompileError(program, "refused by the test")
        return real(program, label)

    monkeypatch.setattr(jqrt, "compile_raw", refusing)
    compiled = mapping.CompiledMapping(mappings, "true", native=False)
    assert compiled.evaluate(records) == expected
    assert compiled.single_field_runs == 4, "the record the fast program could not settle, field by field"
