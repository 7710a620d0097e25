"""The engine with builder.engine.jqnative (fields compiled to Python) against the engine with every field
in jq: the same entities, drops and field diagnostics, on every preset resource's recorded sample,
on the benchmark's mapping, and on mappings built to hit the seams (fields jqnative does not
compile mixed with ones it does, compile errors, records it hands back to jq, selector edge cases).

Per-expression agreement with jq lives in test_jqnative_differential.py; this is the engine's
bookkeeping around it (rows vs markers, field counts, first error/null record, batch losses)."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from builder.engine import mapping
from builder.project.presets import load_preset, preset_sample
from builder.project.load import parse_project

ROOT = Path(__file__).resolve().parents[2]
PROJECT = load_preset("cursor")


def both(run) -> tuple[Any, Any]:
    """``run(native=True)`` (jqnative), then ``run(native=False)`` (jq only), fresh compiles each time."""
    mapping.clear_compiled_cache()
    native = run(native=True)
    mapping.clear_compiled_cache()
    plain = run(native=False)
    mapping.clear_compiled_cache()
    return native, plain


def summary(result: mapping.MappingResult) -> dict[str, Any]:
    out = result.to_json()
    out["passed"], out["filtered"] = result.passed, result.filtered
    out["values"] = [[(v.path, v.outcome.status, v.outcome.value) for v in result.values(i)]
                     for i in range(min(len(result.records), 5))]
    return json.loads(json.dumps(out, default=str))


@pytest.mark.parametrize("name", PROJECT.resource_names())
def test_preset_samples_map_the_same_natively(name: str) -> None:
    resource = PROJECT.find_resource(name)
    pages = preset_sample("cursor", name)
    native, plain = both(lambda native: mapping.run(resource, copy.deepcopy(pages), native=native))
    assert summary(native) == summary(plain)


def test_every_preset_field_compiles_natively() -> None:
    """The preset is what users start from: all of it on the fast path (the selector included)."""
    missing = []
    for name in PROJECT.resource_names():
        resource = PROJECT.find_resource(name)
        compiled = mapping.compile_mapping(resource.mappings, resource.query)
        for position, native in enumerate(compiled.native_flags):
            if not native:
                text = resource.query if position == 0 else compiled.leaves[position - 1].expr
                missing.append(f"{name}: {text}")
    assert missing == []


def test_the_benchmark_mapping_runs_natively_without_handing_records_to_jq() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import mapping as bench  # bench/mapping.py

    resource = parse_project(bench.RESOURCE_YAML).resources[0]
    events = bench.simulator_events(600, 7) or bench.local_events(600, 7)
    pages = bench.pages_of(events, 200)
    native, plain = both(lambda native: mapping.run(resource, copy.deepcopy(pages), native=native))
    assert summary(native) == summary(plain)
    compiled = mapping.compile_mapping(resource.mappings, resource.query)
    assert compiled.native_fields == len(compiled.leaves) + 1
    compiled.jq_records = 0
    mapping.run(resource, copy.deepcopy(pages))
    assert compiled.jq_records == 0


SEAMS = {
    "identifier": ".id",
    "blueprint": '"thing"',
    "title": "reduce .tags[] as $t (\"\"; . + $t)",  # jq only (reduce)
    "properties": {
        "n": ".n + 1",
        "text": ".n | tostring",  # a float jq prints in exponent form: that record goes to jq
        "broken": ".a |",  # does not compile
        "maybe": ".tags[]?",
        "none": "empty",
        "bad": ".n.x",  # an error for numbers
        "dates": ".ts | todate",
        "shout": ".name | ascii_upcase",
    },
    "relations": {"owner": {"combinator": '"and"', "rules": [
        {"property": '"$identifier"', "operator": '"="', "value": ".owner"}]}},
}
SEAM_ITEMS = [
    {"id": "a", "n": 1, "tags": ["x", "y"], "ts": 1700000000, "name": "Ada", "owner": "o1"},
    {"id": "b", "n": 1.5e-7, "tags": [], "ts": 1700000000.5, "name": "ßob", "owner": None},
    {"id": "c", "n": 2.0, "tags": None, "ts": "x", "name": None},
    {"id": "", "n": 10 ** 17, "tags": ["z"], "ts": -5},
    {"id": "e", "n": "str", "tags": "s", "ts": 0, "name": "e"},
    {"id": "f", "n": None, "tags": [1, None], "ts": None, "name": "f\nline"},
]


@pytest.mark.parametrize("query", ["true", ".n != null", ".n", '.id | startswith("a")', "(.n | tostring) != \"x\"",
                                   "select(.n)", ".n >"])
@pytest.mark.parametrize("clean", [True, False])
def test_seams_map_the_same_natively(query: str, clean: bool) -> None:
    items = copy.deepcopy(SEAM_ITEMS)
    run = lambda native: mapping.map_items(copy.deepcopy(items), SEAMS, query, clean=clean,  # noqa: E731
                                           batches=[0, 0, 1, 1, 2, 2], native=native)
    native, plain = both(run)
    assert summary(native) == summary(plain)


def test_a_mapping_with_no_native_field_still_maps() -> None:
    mappings = {"identifier": "reduce .a[] as $x (0; . + $x) | tostring", "blueprint": '"b"'}
    items = [{"a": [1, 2]}, {"a": []}]
    native, plain = both(lambda native: mapping.map_items(items, mappings, native=native))
    assert summary(native) == summary(plain)
    assert [e["identifier"] for e in native.entities] == ["3", "0"]


def test_evaluate_gives_markers_either_way() -> None:
    items = copy.deepcopy(SEAM_ITEMS)
    native, plain = both(lambda native: mapping.compile_mapping(SEAMS, "true", native=native)
                         .evaluate(copy.deepcopy(items)))
    assert json.dumps(native) == json.dumps(plain)


class _Unfused(mapping.CompiledMapping):
    FUSE = False


def test_per_field_functions_give_the_fused_rows() -> None:
    """FUSE off (the TUI's one-record preview) calls each field's own function instead."""
    fused = mapping.CompiledMapping(SEAMS, "true").evaluate(copy.deepcopy(SEAM_ITEMS))
    unfused = _Unfused(SEAMS, "true").evaluate(copy.deepcopy(SEAM_ITEMS))
    assert json.dumps(fused) == json.dumps(unfused)
