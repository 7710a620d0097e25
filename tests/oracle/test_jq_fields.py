"""jq's own tests, as mapping fields: our engine against port-ocean 0.56.2, entity payloads byte for byte.

A small table derived from jqlang/jq ``tests/*.test`` at jq-1.8.2 (the libjq that jq 1.13.0 on
PyPI, port-ocean's, is built from): the forms a mapping can meet (destructuring alternatives,
``$__loc__``, paths, formats, number literals, dates, regexes, ``limit``/``label``, reductions),
written down here with inputs of our choosing (jq's files are not copied). Each pair is a mapping
field (tests/oracle/jq_fields.py: twice among other fields, so the batch program is under test
too) mapped by both engines. ``scripts/fuzz-jqnative.py --jq-tests FILES --ocean`` runs every pair
of jq's files the same way; recorded on jq-1.8.2's seven test files: 847 pairs as mapping fields
(the 9 others import modules, which Ocean has none of), 0 differences from port-ocean, fast path
on and off.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jq_fields  # noqa: E402

pytestmark = pytest.mark.oracle

#: (id, program, input): objects are the record itself; anything else is wrapped (jq_fields)
PAIRS: list[tuple[str, str, Any]] = [
    # destructuring alternatives: `?//` tries the next pattern on any error in the body
    ("alt-destructure-first-fails", ".[] as $a ?// {a:$a} ?// {a:$a} | $a", [[3], [4], [5], 6]),
    ("alt-destructure-last-wins", ".[] as {a:$a} ?// {a:$a} ?// $a | $a", [[3], [4], [5], 6]),
    ("alt-destructure-mixed", ".[] | . as {$a, b: [$c, {$d}]} ?// [$a, {$b}, $e] ?// $f | [$a, $b, $c, $d, $e, $f]",
     [{"a": 1, "b": [2, {"d": 3}]}, [4, {"b": 5, "c": 6}, 7, 8, 9], "foo"]),
    ("alt-destructure-record", ". as [$a] ?// {a: $a} | $a", {"a": 1, "b": 2}),
    ("alt-destructure-all-fail", ". as [$a] ?// [$a, $b] | $a", {"a": 1}),
    ("alt-destructure-error-in-body", ". as {a: $x} ?// [$x] | $x | error", {"a": "boom"}),
    # $__loc__ is on line 1 of a field's own program
    ("loc-in-error", 'try error("\\($__loc__)") catch .', {"a": 1}),
    ("loc-object", "{a, $__loc__, c: 3}", {"a": 1}),
    ("loc-line", "$__loc__.line + 1", {}),
    # paths
    ("getpath-set-del-missing", '["foo",1] as $p | getpath($p), setpath($p; 20), delpaths([$p])', {"bar": False}),
    ("getpath-set-del", '["foo",1] as $p | getpath($p), setpath($p; 20), delpaths([$p])',
     {"bar": 42, "foo": ["a", "b", "c", "d"]}),
    ("pick-deep", "pick(.a.b.c)", {"x": 1}),
    ("pick-first", "pick(first)", [1, 2]),
    ("optional-index", "[.[]|.foo?]", [1, [2], {"foo": 3, "bar": 4}, {}, {"foo": 5}]),
    ("alternative-iterate", "[.[] | [.foo[] // .bar]]",
     [{"foo": [1, 2], "bar": 42}, {"foo": [1], "bar": None}, {"foo": [None, False, 3], "bar": 18}, {"foo": [], "bar": 42}]),
    ("alternative-assign", ".[] //= .[0]", ["hello", True, False, [False], None]),
    ("computed-keys-stream", "{(.a,.b): .c}", {"a": "x", "b": "y", "c": 1}),
    # numbers: literals kept until arithmetic, negation, huge and big integers
    ("negate-and-abs", "[{x:-1},{x:-.},{x:-.|abs}]", 1),
    ("integral-float-printing", "[.[] | tostring, tojson, (fabs | tostring), (-. | tostring)]", [-2.0, 2.0, 1.0]),
    ("huge-float-printing", "[.[] | tostring, (fabs | tostring), length]", [1e300, -1e300, 1e17]),
    ("big-integer-literal", ".[0] | tostring", [13911860366432393]),
    ("big-integer-record", "[.n | tostring, tojson, . + 0, -.]", {"n": 100000000000000000000000}),
    ("floor-sqrt", "[.[] | floor, sqrt]", [-1.1, 1.1, 1.9, 4.0]),
    ("division", "[.[] | try (10 / .) catch .]", [3, 0, -0.5]),
    # strings and formats
    ("formats", "[@text, @json, ([1, .] | @csv, @tsv), @html, @uri, @sh, @base64, (@base64 | @base64d)]",
     "!()<>&'\"\t"),
    ("interpolated-format", '@sh "echo \\(.)"', "O'Hara's Ale"),
    ("trimstr", '[.[] | ltrimstr("foo"), rtrimstr("foo"), trimstr("foo")]', ["fo", "foo", "barfoo", "foobarfoo"]),
    ("utf8bytelength", "[.[] | try utf8bytelength catch .]", ["asdf\u03bc", [], 55]),
    ("tojson-roundtrip", "[.[] | tojson | fromjson]", ["foo", 1, ["a", 1, "b", 2, {"foo": "bar"}]]),
    ("tonumber-optional", "[.[] | tonumber?]", ["1", "hello", "3", 4, " 5", "1e1000"]),
    ("implode-explode", "[implode, (implode | explode)]", [65, 66, 233, 128512]),
    ("trim", "[trim, ltrim, rtrim]", " \t abc \n "),
    # dates
    ("strptime-mktime", '[strptime("%Y-%m-%dT%H:%M:%SZ") | (., mktime)]', "2015-03-05T23:51:47Z"),
    ("mktime-short", "mktime", [2024, 8, 21]),
    ("strftime", '[strftime("%Y-%m-%dT%H:%M:%SZ"), strftime("%A, %B %d, %Y"), todate]', 1425599621),
    ("gmtime-fraction", "gmtime", 1425599621.123),
    ("todate-record", "[.t / 1000 | todate, (.t / 1000 | floor | todate)]", {"t": 1777982163553}),
    # regexes (Oniguruma)
    ("match-empty-global", '[match("( )*"; "g")] | length', "abc"),
    ("capture", 'capture("(?<a>[a-z]+)-(?<n>[0-9]+)")', "xyzzy-14"),
    ("scan", '[scan("c")]', "abcdabcd"),
    ("gsub-named", 'gsub("(?<x>.)[^a]*"; "+\\(.x)-")', "Abcabc"),
    ("sub-named", 'sub("^(?<head>.)"; "Head=\\(.head) Tail=")', "abcdef"),
    ("whitespace-class", '[test("\\\\s"), gsub("\\\\s+"; "_")]', "a\u001c\u001d b"),
    # generators, first output, labels, reductions
    ("limit", "[limit(3; .[])]", [11, 22, 33, 44]),
    ("limit-then-error", "[limit(1; 1, error)]", "badness"),
    ("first-of-stream", ".[] | . * 2", [5, 6]),
    ("label-foreach", "label $out | foreach .[] as $item ([3, null]; if .[0] < 1 then break $out "
     "else [.[0] - 1, $item] end; .[1])", [11, 22, 33, 44, 55]),
    ("reduce-destructure", "reduce .[] as [$i, $j] (0; . + $i * $j)", [[1, 2], [3, 4], [5, 6]]),
    ("nested-defs", "def f: . + 1; def g: def g: . + 100; f | g | f; [(f | g), g]", 3.0),
    ("any-not", ". as $dot | any($dot[]; not)", [1, 2, 3, True, False]),
    ("paths", "[paths]", [1, [[], {"a": 2}]]),
    ("try-error-object", 'try error({a: 1}) catch .a', {"x": 1}),
    ("empty-field", ".missing[]?", {"x": 1}),
]


@pytest.fixture(scope="module")
def differences() -> tuple[dict[str, list[jq_fields.Difference]], dict[str, str]]:
    python = jq_fields.oracle_python()
    if python is None:
        pytest.skip("port-ocean oracle venv not found: run scripts/setup-oracle.sh (or set ORACLE_PYTHON)")
    cases = []
    for case_id, program, value in PAIRS:
        case = jq_fields.field_case(jq_fields.FieldPair(program, value), case_id)
        assert case is not None, f"{case_id}: {program!r} does not compile as a field"
        cases.append(case)
    found: dict[str, list[jq_fields.Difference]] = {case_id: [] for case_id, _, _ in PAIRS}
    ocean: dict[str, str] = {}
    for difference in jq_fields.compare(python, cases, ocean):
        found[difference.case.id].append(difference)
    return found, ocean


def test_ids_are_unique() -> None:
    assert len({case_id for case_id, _, _ in PAIRS}) == len(PAIRS)


@pytest.mark.parametrize("case_id", [case_id for case_id, _, _ in PAIRS])
def test_field_matches_ocean(case_id: str,
                             differences: tuple[dict[str, list[jq_fields.Difference]], dict[str, str]]) -> None:
    found, ocean = differences
    # port-ocean made the entity (a lost batch would compare nothing but the loss)
    assert json.loads(ocean[case_id])[0]["identifier"] == "x", ocean[case_id]
    found = found[case_id]
    if found:
        pytest.fail(f"{case_id}: our entity differs from port-ocean's\n" + "\n".join(d.describe() for d in found),
                    pytrace=False)
