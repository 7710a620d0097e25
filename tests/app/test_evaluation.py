"""The UI's chunked evaluation gives exactly ``mapping.run``'s result, and stops when cancelled."""

from __future__ import annotations

import copy

import pytest

from builder.engine import mapping
from builder.project.presets import load_preset, preset_sample
from builder.tui.state.evaluation import CHUNK, Evaluator, preview_one


def _resource(name: str):
    return load_preset("cursor").find_resource(name)


def _edited(resource, edit):
    """The resource with one mapping leaf replaced: (group, key or None, JQ)."""
    if edit:
        group, key, expr = edit
        if key is None:
            resource.mappings[group] = expr
        else:
            resource.mappings[group][key] = expr
    return resource


def _pages(name: str, times: int = 1) -> list:
    return preset_sample("cursor", name) * times


@pytest.mark.parametrize("name,edit", [
    ("usage-events", None),
    ("usage-events", ("properties", "input_tokens", ".tokenUsage.inputTokens | tostring | ascii_downcase")),
    ("usage-events", ("properties", "model", ".model |")),  # does not compile
    ("usage-events", ("identifier", None, "if .maxMode then null else .timestamp end")),  # drops some
    ("members", None),
    ("daily-usage", ("properties", "is_active", ".isActive | not | not")),
])
def test_chunked_result_equals_mapping_run(name: str, edit) -> None:
    resource = _edited(_resource(name), edit)
    pages = _pages(name, 3)
    expected = mapping.run(resource, pages)
    got = Evaluator().run(resource, pages)
    assert got is not None
    assert got.to_json() == expected.to_json()
    assert got.entities == expected.entities and got.entity_records == expected.entity_records
    assert [(d.stage, d.reason, d.record, d.page) for d in got.dropped] == \
        [(d.stage, d.reason, d.record, d.page) for d in expected.dropped]
    assert (got.passed, got.filtered, got.kept) == (expected.passed, expected.filtered, expected.kept)
    for record in (0, len(got.records) - 1):
        assert [(v.path, v.outcome) for v in got.values(record)] == \
            [(v.path, v.outcome) for v in expected.values(record)]


def test_lost_batch_rule_survives_chunking() -> None:
    resource = _resource("members")
    resource.mappings["icon"] = "{}"  # an object icon: Ocean's Entity model rejects it, the batch goes
    pages = _pages("members", 2)
    assert Evaluator().run(resource, pages).to_json() == mapping.run(resource, pages).to_json()


def test_cancelled_evaluation_stops_early() -> None:
    resource = _resource("usage-events")
    pages = _pages("usage-events", 2)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 2

    assert Evaluator().run(resource, pages, cancelled) is None
    assert len(calls) == 3 < len(mapping.run(resource, pages).records) // CHUNK


def test_extraction_is_reused_until_data_path_changes() -> None:
    resource = _resource("usage-events")
    pages = _pages("usage-events")
    evaluator = Evaluator()
    first = evaluator.extract(resource, pages)
    assert evaluator.extract(resource, pages) is first
    assert evaluator.cached_records(resource, pages) is first.records
    changed = copy.deepcopy(resource)
    changed.selector["data_path"] = ".usageEvents[:3]"
    assert evaluator.cached_records(changed, pages) is None
    assert len(evaluator.extract(changed, pages).records) == 3


def test_preview_one_matches_the_full_result_for_that_record() -> None:
    resource = _resource("usage-events")
    pages = _pages("usage-events")
    full = mapping.run(resource, pages)
    one = preview_one(resource, full.records[5])
    assert one.entities[0] == full.entity_for_record(5)


@pytest.mark.parametrize("edit", [
    None,
    ("properties", "model", ".model | ascii_upcase"),
    ("properties", "model", ".model |"),
    ("properties", "input_tokens", ".tokenUsage.inputTokens | error"),
    ("identifier", None, "null"),
    ("properties", "kind", ".kind, .model"),  # streams: first output only
    ("properties", "kind", "empty"),
])
def test_preview_one_equals_the_batch_engine(edit) -> None:
    resource = _edited(_resource("usage-events"), edit)
    pages = _pages("usage-events")
    mapping.clear_compiled_cache()
    full = Evaluator().run(resource, pages)  # the batch programs, in chunks
    mapping.clear_compiled_cache()  # so the preview builds its own per-field mapping
    for index in (0, 1, 7, len(full.records) - 1):
        one = preview_one(resource, full.records[index])
        assert type(one.compiled) is mapping.PerFieldMapping
        assert one.entity_for_record(0) == full.entity_for_record(index)
        assert [(v.path, v.outcome) for v in one.values(0)] == [(v.path, v.outcome) for v in full.values(index)]
        drop, expected = one.drop_for_record(0), full.drop_for_record(index)
        assert (drop.stage, drop.reason) == (expected.stage, expected.reason) if expected else drop is None
    mapping.clear_compiled_cache()
