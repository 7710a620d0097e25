"""The widgets' pure helpers, as plain tables: JQ paths, arrays with counts, completions, the
JSON viewer's layout and caps, auto-map proposals."""

from __future__ import annotations

import json

import pytest

from builder.tui.state.automap import propose
from builder.tui.screens.registry import TabSpec, load_tab
from widgets.json_layout import build_lines
from builder.engine.jsonpaths import best_data_path, completions, find_arrays, join_path, key_segment, record_paths


@pytest.mark.parametrize("key,expected", [
    ("name", ".name"), ("_x1", "._x1"), ("with space", '."with space"'), ("a.b", '."a.b"'), ('q"t', '."q\\"t"'),
])
def test_key_segment(key: str, expected: str) -> None:
    assert key_segment(key) == expected


@pytest.mark.parametrize("parent,key,expected", [
    (".", "a", ".a"), (".a", "b", ".a.b"), (".", 0, ".[0]"), (".a", 2, ".a[2]"), (".a", "x y", '.a."x y"'),
])
def test_join_path(parent: str, key, expected: str) -> None:
    assert join_path(parent, key) == expected


def test_find_arrays_lists_reachable_arrays_with_counts_shallow_first() -> None:
    data = {"pagination": {"pages": [1, 2]}, "usageEvents": [{"a": 1}, {"a": 2}, {"a": 3}], "meta": {"n": 1},
            "deep": {"a": {"b": {"c": {"d": {"e": []}}}}}, "rows": [[1], [2]]}
    found = [(a.path, a.count, a.objects) for a in find_arrays(data)]
    assert found == [(".usageEvents", 3, True), (".rows", 2, False), (".pagination.pages", 2, False)]
    assert best_data_path(data) == ".usageEvents"
    assert best_data_path({"x": 1}) is None
    assert [a.path for a in find_arrays([{"a": 1}])] == ["."]


def test_record_paths_include_nested_keys_with_types() -> None:
    record = {"id": "u1", "n": 2, "ok": True, "tokenUsage": {"input": 3}, "tags": ["a"], "none": None}
    assert record_paths(record) == [(".id", "string"), (".n", "number"), (".ok", "boolean"),
                                    (".tokenUsage", "object"), (".tokenUsage.input", "number"),
                                    (".tags", "array[1]"), (".none", "null")]


PATHS = [(".email", "string"), (".id", "string"), (".tokenUsage", "object"), (".tokenUsage.inputTokens", "number")]


@pytest.mark.parametrize("text,expected", [
    (".e", [".email"]),
    (".tok", [".tokenUsage", ".tokenUsage.inputTokens"]),
    (".tokenUsage.", [".tokenUsage.inputTokens"]),
    (".id", []),  # complete already
    (".email | ascii_d", ["ascii_downcase"]),
    ("tost", ["tostring"]),
    ('"lit', []),
    ("12", []),
])
def test_completions(text: str, expected: list[str]) -> None:
    assert [c.value for c in completions(text, len(text), PATHS)] == expected


def test_completion_replaces_only_the_token_at_the_cursor() -> None:
    (found,) = completions(".a + .ema", 9, PATHS)
    assert found.start == 5 and ".a + .ema"[:found.start] + found.value == ".a + .email"


def test_json_lines_match_json_dumps_and_know_their_structure() -> None:
    data = {"a": [1, {"b": None}], "c": "x", "e": {}}
    lines, note = build_lines(data)
    assert "\n".join(line.text() for line in lines) == json.dumps(data, indent=2)
    assert note is None
    opener = lines[1]
    assert opener.kind == "open" and opener.is_array and opener.size == 2 and opener.path == ".a"
    assert lines[opener.close].text().strip() == "],"
    assert lines[3].path == ".a[1]" and lines[4].path == ".a[1].b"


def test_long_arrays_say_how_much_is_shown() -> None:
    lines, note = build_lines({"items": list(range(1000))}, item_cap=200)
    shown = [line for line in lines if line.kind == "note"]
    assert len(shown) == 1 and shown[0].body == "… showing 200 of 1000 items"
    assert "capped at 200" in note
    lines, note = build_lines(list(range(100)), line_cap=10)
    assert len(lines) == 10 and note == "showing the first 10 lines"


def test_auto_map_adds_only_what_is_missing() -> None:
    record = {"id": 42, "name": "Ann", "email": "a@x", "tokenUsage": {"inputTokens": 3}, "tags": ["a"]}
    mappings = {"identifier": ".email", "blueprint": '"u"', "properties": {"mail": ".email"}}
    proposed, added = propose(record, mappings)
    assert proposed["identifier"] == ".email"  # kept
    assert proposed["title"] == ".name"
    assert proposed["properties"] == {"mail": ".email", "id": ".id", "name": ".name",
                                      "tokenUsage_inputTokens": ".tokenUsage.inputTokens", "tags": ".tags"}
    assert "properties.mail" not in added and "title" in added
    fresh, _ = propose({"id": 7}, {"blueprint": '"u"'})
    assert fresh["identifier"] == ".id | tostring"  # Port identifiers are strings


def test_a_tab_module_that_is_not_there_is_not_an_error() -> None:
    assert load_tab(TabSpec("nope", "Nope", "builder.tui.screens.not_written_yet")) is None
    assert load_tab(TabSpec("fake", "Fake", "tests.app.fake_tab")) is not None
