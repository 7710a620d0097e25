"""The mapping package's public switches: the fast path on/off, variants cached apart, chunked and
cancellable evaluation that gives exactly the one-call result."""

from __future__ import annotations

import copy

import pytest

from builder.engine import mapping
from builder.project.presets import load_preset, preset_sample

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
