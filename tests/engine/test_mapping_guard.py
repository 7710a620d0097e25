"""The runtime guard: a fast path (jqnative) that gives a wrong answer is caught while it works.

The fault is injected here, never in the code: jqnative's ``tostring`` rule is replaced by one that
appends "!" to numbers. The guard must catch it on the first records, switch the field to jq for
the rest of the process, say which field, which record and both values, and hand out jq's answer;
the CLI says it on stderr; a sync writes jq's values whatever the fast path does."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from builder.cli import main
from builder.engine import jqnative, mapping
from builder.engine.jqnative import runtime
from builder.engine.mapping import guard
from builder.project.presets import load_preset, preset_sample

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from sync_fixtures import PROJECT_YAML  # noqa: E402  (tests/sync/sync_fixtures.py)

MAPPINGS = {"identifier": ".id", "blueprint": '"thing"',
            "properties": {"text": ".n | tostring", "next": ".n + 1", "label": '"n=" + (.n | tostring)'}}
ITEMS = [{"id": f"r{i}", "n": i} for i in range(200)]


@pytest.fixture(autouse=True)
def trusting_process() -> Iterator[None]:
    """Each test starts as a fresh process would: nothing distrusted, nothing compiled."""
    guard.forget()
    mapping.clear_compiled_cache()
    yield
    guard.forget()
    mapping.clear_compiled_cache()


@pytest.fixture
def broken_tostring(monkeypatch: pytest.MonkeyPatch) -> None:
    right = runtime.RUNTIME["_tostring"]

    def wrong(value: Any) -> str:
        text = right(value)
        return text + "!" if isinstance(value, (int, float)) and not isinstance(value, bool) else text

    monkeypatch.setitem(runtime.RUNTIME, "_tostring", wrong)
    monkeypatch.setattr(jqnative, "_cache", {})  # programs compiled before the fault keep the right rule
    mapping.clear_compiled_cache()


def jq_only(items: list[Any], mappings: dict[str, Any] = MAPPINGS) -> mapping.MappingResult:
    return mapping.map_items(items, mappings, native=False)


def test_the_fault_is_real_without_the_guard(broken_tostring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sanity: with no record checked, the injected rule does reach the entities."""
    monkeypatch.setattr(guard, "FIRST", 0)
    monkeypatch.setattr(guard, "RATE", 0.0)
    result = mapping.map_items(ITEMS[:3], MAPPINGS)
    assert result.entities[1]["properties"]["text"] == "1!"
    assert result.disagreements == []


def test_the_guard_catches_a_wrong_fast_path_and_answers_with_jq(broken_tostring: None) -> None:
    result = mapping.map_items(ITEMS, MAPPINGS)
    assert result.entities == jq_only(ITEMS).entities
    assert [(d.field, d.record, d.native, d.jq) for d in result.disagreements] == [
        ("properties.text", 0, ["0!"], ["0"]), ("properties.label", 0, ["n=0!"], ["n=0"])]
    message = result.disagreements[0].message()
    assert "properties.text" in message and "record 0" in message and '"0!"' in message and '"0"' in message
    assert "\n" not in message
    flags = dict(zip(["selector"] + [leaf.name for leaf in result.compiled.leaves], result.compiled.native_flags))
    assert flags == {"selector": True, "identifier": True, "blueprint": True, "properties.text": False,
                     "properties.next": True, "properties.label": False}


def test_a_distrusted_field_stays_in_jq_for_the_process(broken_tostring: None) -> None:
    mapping.map_items(ITEMS[:5], MAPPINGS)
    # Another mapping with the same field text, compiled afterwards: jq from the start, nothing to report.
    other = {"identifier": ".id", "blueprint": '"other"', "properties": {"text": ".n | tostring"}}
    result = mapping.map_items(ITEMS[50:60], other)
    assert result.disagreements == []
    assert result.compiled.native_flags[3] is False
    assert [e["properties"]["text"] for e in result.entities] == [str(i) for i in range(50, 60)]


def test_a_mapping_compiled_before_the_distrust_stops_trusting_the_field(broken_tostring: None,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    early = mapping.compile_mapping(MAPPINGS, "true")
    monkeypatch.setattr(guard, "FIRST", 0)
    monkeypatch.setattr(guard, "RATE", 0.0)
    guard.distrust(".n | tostring")  # found by another mapping meanwhile
    result = mapping.map_items(ITEMS[:4], MAPPINGS)
    assert result.compiled is early and early.native_flags[3] is False
    assert [e["properties"]["text"] for e in result.entities] == ["0", "1", "2", "3"]
    # Distrust is per field program: the label (another program, unchecked here) is still native.
    assert early.native_flags[5] is True


def test_records_after_the_first_are_sampled_at_random(broken_tostring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "FIRST", 0)
    monkeypatch.setattr(guard, "RATE", 1.0)  # every later record is drawn
    result = mapping.map_items(ITEMS[:10], MAPPINGS)
    assert result.entities == jq_only(ITEMS[:10]).entities
    assert {d.field for d in result.disagreements} == {"properties.text", "properties.label"}


def test_chunked_evaluation_reports_the_record_by_its_index_in_the_whole_run(broken_tostring: None,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "FIRST", 0)
    monkeypatch.setattr(guard, "RATE", 0.0)
    compiled = mapping.compile_mapping(MAPPINGS, "true")
    compiled.sampler.seen = 0
    monkeypatch.setattr(compiled.sampler, "picks", lambda count: [2] if count == 8 and compiled.sampler.seen else [])
    compiled.sampler.seen = 1
    result = mapping.map_items(ITEMS[:24], MAPPINGS, chunk=8, cancelled=lambda: False)
    assert [d.record for d in result.disagreements] == [2, 2]  # the first chunk with a pick: offset 0
    assert result.entities[:8] == jq_only(ITEMS[:8]).entities


@pytest.mark.parametrize("seen,count,first,expected", [
    (0, 5, 32, [0, 1, 2, 3, 4]),
    (30, 5, 32, [0, 1]),
    (40, 5, 32, []),
    (0, 3, 0, []),
])
def test_the_sampler_checks_the_first_records(seen: int, count: int, first: int, expected: list[int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "FIRST", first)
    monkeypatch.setattr(guard, "RATE", 0.0)
    sampler = guard.Sampler(seed=1)
    sampler.seen = seen
    assert sampler.picks(count) == expected
    assert sampler.seen == seen + count


@pytest.mark.parametrize("native,jq,same", [
    (["2"], ["2"], True), ([2], [2.0], False), ([1], [True], False), ([{"a": 1, "b": 2}], [{"b": 2, "a": 1}], False),
    (None, None, True), ([], [], True), ([], None, False), ([None], [], False), ([None], None, False),
])
def test_markers_are_compared_type_exactly(native: Any, jq: Any, same: bool) -> None:
    assert guard.same(native, jq) is same


@pytest.mark.parametrize("name", load_preset("cursor").resource_names())
def test_the_preset_samples_raise_no_alarm(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "RATE", 1.0)  # check every record
    resource = load_preset("cursor").find_resource(name)
    result = mapping.run(resource, preset_sample("cursor", name) * 2)
    assert result.disagreements == []


# -- the CLI -------------------------------------------------------------------------------------


def test_preview_says_so_on_stderr_and_prints_jq_values(broken_tostring: None, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "p.yaml"
    project.write_text(PROJECT_YAML.replace("role: .role", 'role: .role + "/" + (.seats | tostring)'),
                       encoding="utf-8")
    response = tmp_path / "members.json"
    response.write_text(json.dumps({"teamMembers": [
        {"email": f"u{i}@x.dev", "name": f"U{i}", "role": "member", "seats": i} for i in range(3)]}))
    assert main(["preview", str(project), "-r", "members", "--response", str(response), "--format", "json"]) == 0
    captured = capsys.readouterr()
    roles = [entity["properties"]["role"] for entity in json.loads(captured.out)["entities"]]
    assert roles == ["member/0", "member/1", "member/2"]
    warnings = [line for line in captured.err.splitlines() if "fast path disagreed" in line]
    assert len(warnings) == 1
    assert "properties.role" in warnings[0] and "record 0" in warnings[0]
    assert '"member/0!"' in warnings[0] and '"member/0"' in warnings[0]


def test_a_streamed_preview_in_two_processes_checks_its_first_records_once(
        broken_tostring: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Each chunk is sampled by its place in the preview, whichever worker maps it: only the first
    chunk holds the first records, so one worker finds the fault, once."""
    from builder.cli import stream

    monkeypatch.setattr(guard, "RATE", 0.0)
    monkeypatch.setattr(stream, "CHUNK", 40)  # > FIRST: only the first chunk has records to check
    monkeypatch.setattr(stream, "_workers", lambda size: 2)
    preset = Path(__file__).resolve().parents[2] / "presets" / "cursor"
    events = [event for page in json.loads((preset / "samples" / "usage-events.json").read_text())["pages"]
              for event in page["usageEvents"]]
    response = tmp_path / "events.json"
    response.write_text(json.dumps({"usageEvents": (events * 20)[:200]}))
    assert main(["preview", str(preset / "project.yaml"), "-r", "usage-events", "--response", str(response),
                 "--format", "json", "-v"]) == 0
    err = capsys.readouterr().err
    assert "in chunks of 40 (2 processes)" in err
    warnings = [line for line in err.splitlines() if "fast path disagreed" in line]
    assert len(warnings) == 1 and "identifier" in warnings[0] and "record 0" in warnings[0]


def test_a_finding_in_one_worker_reaches_the_others() -> None:
    import multiprocessing

    from builder.cli import stream

    with stream._SharedDistrust() as shared:
        other = multiprocessing.get_context("fork").Process(target=shared.publish, args=([".n | tostring"],))
        other.start()
        other.join()
        assert not guard.distrusted(".n | tostring")
        shared.adopt()  # what a worker does before each chunk
        assert guard.distrusted(".n | tostring")


# -- the sync ------------------------------------------------------------------------------------


def test_a_sync_writes_jq_values_whatever_the_fast_path_says(broken_tostring: None, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from builder.port.catalog import CatalogStore

    monkeypatch.delenv("PORT_CLIENT_ID", raising=False)
    monkeypatch.delenv("PORT_CLIENT_SECRET", raising=False)
    # With no record checked, only "the sync never uses the fast path" keeps the values right.
    monkeypatch.setattr(guard, "FIRST", 0)
    monkeypatch.setattr(guard, "RATE", 0.0)
    project = tmp_path / "cursor-builder.yaml"
    project.write_text(PROJECT_YAML.replace("model: .model", 'model: .model + "/" + (.chargedCents | tostring)'),
                       encoding="utf-8")
    assert main(["sync", str(project), "--db", str(tmp_path / "catalog.db"), "--demo",
                 "--resource", "usage events"]) == 0
    capsys.readouterr()
    store = CatalogStore(tmp_path / "catalog.db")
    try:
        models = [entity["properties"]["model"] for entity in store.iter_entities("cursorUsageEvent")]
    finally:
        store.close()
    assert len(models) == 100
    assert not any(model.endswith("!") for model in models)
    assert all(model.rsplit("/", 1)[1].lstrip("-").replace(".", "", 1).isdigit() for model in models)
