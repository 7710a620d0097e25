"""The corpus of ``tests/engine/test_jqnative_differential.py``: jq programs and the inputs to run them on.

Every entry is a ``Case(group, program, inputs)``; the test runs ``program`` on each input through
``builder.engine.jqnative.first`` and through ``builder.engine.jqrt.first`` (jq itself) and compares.

Groups
------
``cursor-mappings``  THE COVERAGE GROUP (``COVERAGE_GROUP``). Every mapping expression of
                     presets/cursor/project.yaml on the sample records of its resource (up to 150), every
                     expression of Port's Cursor doc mappings (../shared/reference/port-doc-mappings.yaml)
                     on records of that shape, and the Cursor mappings the lead listed, on typical
                     records. The native path must cover every case here where jq succeeds.
``cursor-extra``     More Cursor-style mappings (same records), compared but not required to be covered.
``cursor-adversarial`` The programs above on mutated records: nulls, wrong types, empty containers,
                     integral floats (2.0), big ints (2**53+1), unicode, nesting.
``cursor-data-path`` The preset's data_path / selector / computed (``$now``) / stop-rule programs on
                     the recorded response pages and mutated pages.
``sem/<topic>``      Edge cases of jq semantics, one topic per group.
``beyond-subset``    Constructs a small native compiler will likely not support: it must bail (None)
                     or match jq.

Inputs are plain Python values (what ``json.loads`` gives). Nothing here calls the native compiler.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from builder.engine import jqrt
from builder.project.presets import load_preset, preset_sample
from builder.project.model import iter_mapping_fields

COVERAGE_GROUP = "cursor-mappings"

REPO_ROOT = Path(__file__).resolve().parents[2]
PORT_DOC_MAPPINGS = REPO_ROOT.parent / "shared" / "reference" / "port-doc-mappings.yaml"

BIG = 2**53 + 1  # not representable as a double: jq rounds it
NAN = float("nan")
INF = float("inf")


@dataclass
class Case:
    group: str
    program: str
    inputs: list[Any] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.group}:{self.program}"


class _Corpus:
    """Cases keyed by (group, program); adding the same program twice merges (and dedupes) inputs."""

    def __init__(self) -> None:
        self._cases: dict[tuple[str, str], Case] = {}
        self._seen: dict[tuple[str, str], set[str]] = {}

    def add(self, group: str, programs: str | Iterable[str], inputs: Iterable[Any]) -> None:
        if isinstance(programs, str):
            programs = [programs]
        tagged = [(_fingerprint(value), value) for value in inputs]
        for program in programs:
            key = (group, program)
            case = self._cases.setdefault(key, Case(group, program))
            seen = self._seen.setdefault(key, set())
            for fingerprint, value in tagged:
                if fingerprint not in seen:
                    seen.add(fingerprint)
                    case.inputs.append(value)

    def cases(self) -> list[Case]:
        return list(self._cases.values())


def _fingerprint(value: Any) -> str:
    """Identity of an input, type-exact: JSON text keeps 1 / 1.0 / true / -0.0 and key order apart."""
    return json.dumps(value)


# ---------------------------------------------------------------------------------------------
# Shared input pools
# ---------------------------------------------------------------------------------------------

SCALARS: list[Any] = [
    None, True, False, 0, 1, -1, 7, 2.0, 1.5, -2.5, -0.0, 0.1, BIG, 2**53, 1e17, 1e-7, 1e300,
    "", "a", "abc", "ABC", "héllo wörld 😀", "123", "1e3", "a,b,c", " x ", "2026-05-05T11:56:03Z",
]
CONTAINERS: list[Any] = [
    [], {}, [1, 2, 3], [3, 1, 2], ["b", "a", "c"], [None], [None, 1], [1.5, 2.0], [[1], [2, 3]],
    {"a": 1}, {"b": 2, "a": 1}, {"a": None}, {"a": {"b": 1}}, {"a": [1, 2]}, [{"a": 1}, {"a": 2}],
    [True, False], ["a", None, 1], {"é": "ü", "k": [None]},
]
ANY = SCALARS + CONTAINERS

NUMBERS: list[Any] = [
    0, 1, -1, 3, 2.0, 100.0, 3.0, -0.0, 0.5, 1.5, -1.5, 2.5, -2.5, 10.1, 0.1, 0.30000000000000004, 1 / 3,
    1.5e-05, 1e-7, 2.5e-3, 5e-324, 1e15, 1e16, 1e17, 123456789012.5, 123456789.123, 1e300,
    1.7976931348623157e308, 2**53, BIG, 2**64, 12345678901234567890, 1777982163553, 1777982163.553,
    NAN, INF, -INF,
]

STRINGS: list[Any] = [
    "", "a", "abc", "ABC", "aBc", "é", "😀", "e\u0301", "日本語", "héllo wörld 😀", "a\nb", "\u0000",
    "a\"b\\c", "\u007f\u0080", "Straße", "ÀÉÎ", "ǅ", "  pad  ", "a,b,c", "123", "-1.5",
]


def _pairs(xs: list[Any], ys: list[Any], a: str = "a", b: str = "b") -> list[dict[str, Any]]:
    return [{a: x, b: y} for x, y in itertools.product(xs, ys)]


def _wrap(values: Iterable[Any], key: str = "a") -> list[dict[str, Any]]:
    return [{key: v} for v in values]


# ---------------------------------------------------------------------------------------------
# Semantics: paths
# ---------------------------------------------------------------------------------------------

PATH_INPUTS: list[Any] = [
    None, True, False, 0, 1.5, "abc", "", [], {},
    {"a": 1}, {"a": None}, {"a": 0}, {"a": False}, {"a": "xyz"}, {"a": True}, {"a": 2.0}, {"a": BIG},
    {"a": {"b": 2}}, {"a": {"b": None}}, {"a": {"b": 2.0}}, {"a": {"b": BIG}}, {"a": {"b": [1, 2]}},
    {"a": {"b": {"c": "deep"}}}, {"a": [10, 20, 30]}, {"a": [1.0]}, {"a": []}, {"a": {}},
    {"a": [{"b": 1}, {"b": "x"}]}, {"a": [{"b": 1}, 2]}, {"a-b": 3, "a": 0}, {"é": "u", "a": "é"},
    {"b": 1}, {"0": "zero"}, {"end": 1, "if": 2, "and": 3, "__loc__": 4},
    [1, 2, 3], [{"a": 1}], [None], ["x"], [[1, 2]], [1.0, 2.5], [{"a": {"b": 5}}, {"a": None}],
]

PATH_PROGRAMS = [
    ".", ".a", ".a.b", ".a.b.c", '."a-b"', '.["a"]', '.["a-b"]', '."é"', ".[0]", ".[1]", ".[-1]", ".[-4]",
    ".[2]", ".a[1]", ".a[0].b", ".a[-1]", ".a.b[0]", ".a?", ".a.b?", ".a?.b", ".a?.b?", ".[0]?", ".a[1]?",
    '."a-b"?', '.["a"]?', ".[]?", ".a[]?", ".a[]?.b", ".[]", ".a[]", ".a[].b", ".[].a", ".[]?.a",
    ".[1:]", ".[:2]", ".[-2:]", ".a[1:]", ".[1.5]", ".a | .b", ".a | .b | .c", '.["a"]["b"]', '.a["b"]',
    '.a."b"', '."a"."b"', ".a.[0]", ".end", ".if", ".and", ".__loc__", "(.a).b", "(.a)[0]", ".a.b?.c",
    "(.a.b)?", "try .a catch \"caught\"", ".a // \"none\"", ".[0].a", ".[0]?.a", ".a[]?[0]?",
]

# ---------------------------------------------------------------------------------------------
# Semantics: literals (closed programs)
# ---------------------------------------------------------------------------------------------

LITERAL_PROGRAMS = [
    "1", "1.0", "1.5", "1e3", "1E3", "1e-3", "0.1", ".5", "-1", "- 1", "00012", "1.5e300", "1e1000", "-1e1000",
    "100000000000000000000", "9007199254740993", "9007199254740992", "-0", "-0.0", "0.0", "1.10",
    "true", "false", "null", "[]", "{}", '"x"', '""', r'"a\tb"', r'"\u00e9"', r'"\ud83d\ude00"', r'"\\"',
    r'"\""', r'"\/"', '"é"', r'"\u0000"', r'"\n" | length', r'"\ud83d\ude00" | length', r'"\ud800"',
    r'"\a"', "'single'", "'a b'", "'it''s'", '"it\'s"', "'a' + 'b'", '"\\(1 + 2)"', '"a" "b"',
    "1.0 | tostring", "1e3 | tostring", "1.10 | tostring", "100000000000000000000 | tostring",
    "9007199254740993 | tostring", "0.1 + 0.2 | tostring", "3.0 | tojson", "[1.0] | tojson",
    '{"a": 1.0} | tostring', "-0 | tostring", "-0.0 | tostring", "1e1000 | tostring", "nan", "infinite",
    "-infinite", "nan | tostring", "[nan] | tojson", "infinite | tostring", "null | tostring",
    "true | tostring", "[1, 1.0, 1.5, 1e3] | map(type)", "[1, 2] == [1.0, 2.0]", "1.0 == 1",
    "1e17 | tostring", "1e17 + 0 | tostring", "0.1 | tostring", "[.1, 1., 01]",
]

# ---------------------------------------------------------------------------------------------
# Semantics: arithmetic, comparisons, logic, alternative
# ---------------------------------------------------------------------------------------------

ARITH_VALUES: list[Any] = [
    None, True, False, 0, 1, -3, 7, 2.5, 2.0, 0.1, -0.0, 2**53, BIG, 1e17, 1e300,
    "", "ab", [], [1, 2], [2, 3], {}, {"a": 1, "k": {"x": 1}}, {"a": 2, "k": {"y": 2}},
]
ARITH_PROGRAMS = [".a + .b", ".a - .b", ".a * .b", ".a / .b", ".a % .b"]
ARITH_CLOSED = [
    "0.1 + 0.2", "1 / 3", "2 / 3 * 3", "10 / 2", "5 / 2", "1 / 0", "0 / 0", "-1 / 0", "5 % 0", "5 % 0.5",
    "-5 % 3", "5 % -3", "-5 % -3", "5.9 % 2.1", "1e17 % 7", "9007199254740993 % 2", "nan % 1", "1 % nan",
    "9007199254740992 + 1", "9007199254740993 - 1", "1e308 * 10", "-(1)", "-(-0)", "1 - -1", "4 / 2 | type",
    "100 / 3 | floor", '"ab" * 3', '"ab" * 0', '"ab" * 0.5', '"ab" * 1.5', '"ab" * -1', '3 * "ab"',
    '"ab" * nan', "[1, 2, 3, 2] - [2]", "[1, 1.0] - [1]", "{} * {}", "{a: {b: 1}} * {a: {c: 2}}",
    "{a: 1} * {a: {b: 2}}", '"a,b" / ","', '"abc" / ""', "null + null", "null - null", "1 + null",
    "null + 1", '"a" + null', "[] + null", "{} + null", "{a: 1} + {a: 2, b: 3}", "[1] + [1]",
    "1e-7 * 10", "0.1 * 3", "3 * 0.1", "1 / 3 + 1 / 3 + 1 / 3", "2 * 0.5", "7 / 7", "-7 % 7", "1.5 * 2",
    "1000000 * 1000000 * 1000000", "1777982163553 / 1000", "1777982163553 / 1000 | floor",
    "1777982163553 % 1000", ".5 + .5", "(-1) * 0", "-1 * 0 | tostring", "0 * -1 | tojson",
]
UNARY_MINUS_INPUTS = [None, 0, 1, -1, 2.0, -0.0, 1.5, BIG, "a", [], {}, True]

CMP_VALUES: list[Any] = [
    None, False, True, 0, 1, 1.0, -1, 0.5, 2**53, BIG, "", "a", "b", "B", "é", "10", "9",
    [], [1], [1, 2], [2], {}, {"a": 1}, {"a": 2}, {"b": 0}, {"a": 1, "b": 2},
]
CMP_PROGRAMS = [".a == .b", ".a != .b", ".a < .b", ".a <= .b", ".a > .b", ".a >= .b"]
CMP_CLOSED = [
    "true == 1", "false == 0", "null == false", "1 == 1.0", "null < false", "false < true", "true < 0",
    '0 < ""', '"" < []', "[] < {}", '"a" < "b"', '"B" < "a"', '"é" > "z"', '"😀" > "\uffff"', "[1, 2] < [1, 3]",
    "[1] < [1, 0]", '{"a": 1} < {"b": 0}', '{"a": 2} < {"a": 1, "b": 0}', '{"b": 1} < {"a": 1, "c": 0}',
    "nan == nan", "nan < nan", "nan < 1", "1 < nan", "[nan] == [nan]", "9007199254740993 == 9007199254740992",
    "1e17 == 100000000000000000", "0.1 + 0.2 == 0.3", "-0 == 0", "-0.0 == 0", "[-0.0] == [0]",
    '{"a": 1, "b": 2} == {"b": 2, "a": 1}', '"10" < "9"', "10 < 9", "[[]] > [{}]",
]

TRUTHY: list[Any] = [None, False, True, 0, "", [], {}, "false", 1, -0.0]
LOGIC_PROGRAMS = [
    ".a and .b", ".a or .b", ".a | not", "(.a | not) or .b", ".a and (.b | not)", "(.a and .b) | not",
    "if .a then 1 else 2 end", "if .a and .b then \"both\" elif .a or .b then \"one\" else \"none\" end",
    ".a and error(\"x\")", ".a or error(\"x\")", "[.a, .b] | all", "[.a, .b] | any", ".a == true",
    "select(.a) | .b", "[.a, .b] | map(not)", ".a // .b", ".a // .b // \"c\"", "(.a // .b) | not",
]
LOGIC_CLOSED = [
    'false and error("x")', 'true or error("x")', 'true and error("x")', 'null or error("x")',
    "(true, false) and true", "(true, false) or false", "true and (true, false)", "empty and true",
    "true and empty", "not", "null | not", "0 | not", '"" | not', "[] | not", "1 and 1", "null and null",
]

ALT_INPUTS: list[Any] = [
    None, {}, {"a": None}, {"a": False}, {"a": 0}, {"a": ""}, {"a": []}, {"a": "x"}, {"a": 1}, {"a": "12"},
    {"a": "abc"}, {"a": {"b": None}}, {"a": {"b": 2}}, {"a": "str"}, {"b": "y"}, {"a": None, "b": False},
    {"a": False, "b": None, "c": 3}, [1, None], [], "s", 3,
]
ALT_PROGRAMS = [
    '.a // "d"', ".a // .b // \"c\"", ".a.b // 0", "(.a | tonumber) // 0", "(.a | tonumber? ) // -1",
    '.a // empty', '[.a // empty]', "empty // 1", "false // false", "null // null", "false // null",
    ".[]? // 0", 'error("x") // 1', "(1, null) // 2", "(null, false) // 2", "(null, 3, 4) // 2",
    '.a // error("d")', "[] // 1", "0 // 1", '"" // 1', "(.a | length) // 0", ".a.b.c // \"deep\"",
    "(.a // {}) | .b", "(.a // {}) | .b // 0", ".a // .b | tostring", "[.a, .b] | map(. // 0)",
    '.a[]? // "none"', "(.a // 0) + 1", '(.a // "x") + (.b // "y")', ".a // (.b, .c)",
    "(.a, .b) // \"d\"", "first(.a, .b) // \"d\"", '(.a.b? // "x")', "try .a catch \"c\" // 5",
]

IF_INPUTS: list[Any] = [
    None, {}, {"a": 1}, {"a": 2}, {"a": 3}, {"a": 0}, {"a": False}, {"a": True, "b": "B"}, {"a": "x", "b": 5},
    {"c": 1, "d": "D"}, {"a": None, "c": None}, {"a": 2.0}, {"a": "1"}, [1], "s", 1.5,
]
IF_PROGRAMS = [
    'if .a then "y" else "n" end', "if .a then .b end", 'if .a == 1 then "one" elif .a == 2 then "two" else "many" end',
    "if .a then .b elif .c then .d end", "if .a then .b elif .c then .d else null end",
    "if empty then 1 else 2 end", "if (true, false) then 1 else 2 end", 'if error("x") then 1 else 2 end',
    "if .a > 1 then . else empty end", "if .a then (if .b then 1 else 2 end) else 3 end",
    "if .a | not then 0 else .a end", "if .a == null then \"null\" else .a end", "if . then . else 0 end",
    "if .a? then 1 else 0 end", "if (.a | type) == \"number\" then .a * 2 else .a end",
    "if .a >= 2 then \"big\" elif .a >= 1 then \"small\" else \"zero\" end", "(if .a then 1 else 2 end) + 10",
    "if .a then .a.b else .c end",
]

# ---------------------------------------------------------------------------------------------
# Semantics: string interpolation, bindings, pipes, construction
# ---------------------------------------------------------------------------------------------

INTERP_VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 1.5, 2.0, 10.1, 100.0, 1e17, 1e-7, -0.0, BIG, 1e300, 0.30000000000000004,
    "", "x", "é😀", 'a"b\\c', "\n", [], [1, "a", None, 1.5, 2.0], {}, {"a": 1.0, "b": [2.5]}, NAN, INF,
]
INTERP_PROGRAMS = [
    '"\\(.a)-\\(.b)"', '"x\\(.a)"', '"\\(.a)"', '"\\(.)"', '"\\(.a + 1)"', '"\\(.a)\\(.a)"',
    '"pre \\(.a | tostring) post"',
    '"\\(.a // "none")"', '"\\("\\(.a)")"', r'"a\tb\n\u00e9 \(.a)"', '"\\(.a | length)"', '@text "\\(.a)"',
    '@json "v=\\(.a)"', '"\\(.a)" | length', '"\\(.a, .b)"', '"\\([.a])"', '"\\({a})"', '"k:\\(.b)"',
    '"\\(.a | type): \\(.a)"',
]

BIND_INPUTS: list[Any] = [
    None, {"a": 1, "b": 2}, {"a": "x", "b": "y"}, {"a": [1, 2], "b": {"c": 3}}, {"a": None}, [1, 2], "s",
    {"a": {"b": 5}, "b": [10, 20]}, {"a": 2.0, "b": 1.5},
]
BIND_PROGRAMS = [
    ".a as $x | $x", ".a as $x | .b as $y | [$x, $y]", ".a as $x | .b as $x | $x", ". as $r | .a | $r.b",
    ".a as $x | {$x}", ".a as $x | $x | .b", "(.a as $x | $x) as $y | $y", "1 as $x | 2 as $y | $x + $y",
    ".a as $x | [.b[]? | . + $x]", "$undefined", ".a as $x | (.b as $x | $x) as $y | [$x, $y]",
    ". as [$a, $b] | $b", ". as {a: $v} | $v", ". as {$a} | $a", ".a as $x | $x.b", ".b as $b | .a | $b",
    '.a as $a | "\\($a)!"', ".a as $x | .a as $y | $x == $y", "[.a, .b] as [$p, $q] | $q",
    ".a as $x | if $x then $x else \"no\" end", ". as $d | $d", ".[]? as $x | $x",
]

PIPE_PROGRAMS = [
    ".a | .b", "(.a | .b)", "(.a)", "((.a))", ".a | (.b | .c)", "(.a | .b) + 1", ".a | . + 1", ". | .",
    "(.a, .b) | . + 1", ".a | length | . + 1", "(.a | length) + (.b | length)", ". | . | .a", ".a | (.)",
    "(.a | tostring) + \"!\"", ".a | [.] | length",
]
PIPE_INPUTS: list[Any] = [
    None, {"a": {"b": {"c": 1}}}, {"a": {"b": 2}}, {"a": 1, "b": 2}, {"a": "xy", "b": [1]}, {"a": [1]},
    {"a": None}, {"a": {"b": "s"}}, [1], "s",
]

ARRAY_PROGRAMS = [
    "[.a, .b]", "[.[] | .x]", "[.a[].b]", "[.[]?]", "[]", "[.a]", "[.a, [.b]]", "[.[] | select(. != null)]",
    "[empty]", "[.a, empty, .b]", "[.a // empty]", "[.[]?.x]", "[.a[]?]", "[.a[] | tostring]", "[.[] | .x?]",
    "[.a, .b] | length", "[.[] | numbers]", "[.[]?] | length", "[.a[]?.b] | add", "[.x[]?.y] | add",
    "[.[] | .a?]", "[.a, .a]", "[[.a]]", "[.[] | [.]]", "[.a, 1, \"s\", null, true]",
]
ARRAY_INPUTS: list[Any] = [
    None, [], {}, {"a": 1, "b": 2}, {"a": [{"b": 1}, {"b": 2}]}, [{"x": 1}, {"x": 2}], [{"x": 1}, 3],
    [1, None, "a"], {"a": [], "b": None}, {"x": [{"y": 1}, {"y": 2.5}]}, {"x": [{"y": "a"}, {"y": "b"}]},
    {"x": []}, {"x": None}, [{"a": 1}, {"a": None}], "s", 1, [[1]], {"a": ["p", "q"]}, {"a": [1.0, 2]},
    {"x": [{"y": 1}, {"z": 2}]}, {"a": "str"},
]

OBJECT_PROGRAMS = [
    "{a: .x}", '{"a": 1}', "{(.k): .v}", "{a}", ".x as $x | {$x}", '{"\\(.k)": 1}', "{a: .x, b: .y}",
    "{a: .x, a: .y}", "{(.k): 1, b: 2}", "{a: (.x, .y)}", '{"a-b": 1}', "{a: .x?}", '{a: (.x // "d")}',
    "{(.k | tostring): .v}", "{k: {n: .x}}", "{a: 1} + {b: 2}", "{a: .x} | .a", '{"a": .x} | keys',
    "{x: empty}", "{if: 1, then: 2}", "{(.k): .v} | keys", "{a: .x, b: {c: .y}} | tojson", "{x, y}",
    '{"x": .x, "y": .y}', "{@text: 1}", "{$__loc__}", "{a: [.x, .y]}", "{(.x): 1}",
]
OBJECT_INPUTS: list[Any] = [
    None, {}, {"x": 1, "y": 2}, {"k": "key", "v": "val"}, {"k": 1, "v": 2}, {"k": None, "v": 1},
    {"k": "é😀", "v": [1]}, {"x": None, "y": "y"}, {"x": "a", "y": 2.0}, {"k": True}, {"a": 9, "x": {"z": 1}},
    [1], "s",
]

# ---------------------------------------------------------------------------------------------
# Semantics: builtins
# ---------------------------------------------------------------------------------------------

UNARY_BUILTINS = [
    "length", "utf8bytelength", "not", "tostring", "tonumber", "type", "keys", "keys_unsorted", "add",
    "ascii_downcase", "ascii_upcase", "floor", "ceil", "round", "sqrt", "fabs", "abs", "min", "max", "sort",
    "unique", "reverse", "first", "last", "tojson", "to_entries", "from_entries", "any", "all", "flatten",
    "values", "objects", "strings", "numbers", "nulls", "arrays", "booleans", "iterables", "scalars",
    "todate", "todateiso8601", "fromdate", "fromdateiso8601", "map(.)", 'join(",")', 'has("a")', "has(0)",
    'ltrimstr("a")', 'rtrimstr("c")', 'startswith("a")', 'endswith("c")', 'split(",")', 'test("a")',
    "tostring | length", "empty", "error", 'error("x")', "select(.)", "length > 0", "min_by(.a)",
    "sort_by(.a)", "first(.[])", "[.[]]", "map(type)", ".[0]", "isempty(.[])", "to_entries | from_entries",
    "tojson | length", "@text", "tostring | tojson", "tonumber? // \"bad\"", "ascii_downcase? // .",
]

TONUMBER_INPUTS: list[Any] = [
    "123", "1777982163553", "10.10", "007", "1e3", " 1", "1 ", "abc", "", "-5", "+5", "0x10", "1.0", "-0",
    ".5", "5.", "1e400", "nan", "NaN", "Infinity", "-Infinity", "9007199254740993", "1_000", "١٢٣", "1e-7",
    "0.1", "12345678901234567890", "1E3", "- 1", "0001.500", "\t1", "1\n",
    1, 1.5, 2.0, BIG, None, True, [], {},
]
TONUMBER_PROGRAMS = [
    "tonumber", "tonumber | tostring", "tonumber | type", "tonumber / 1000", 'tonumber? // "bad"',
    'try tonumber catch "bad"', "(tonumber? // 0) + 1", "tonumber | tojson", "[tonumber]", "tonumber == 123",
]

NUMBER_PROGRAMS = [
    "tostring", "tojson", '"\\(.)"', "[.] | tojson", "{a: .} | tostring", ". + 0", ".", "[.]",
    ". * 1 | tostring", "floor", "round", "ceil", "abs", "fabs", "sqrt", ". == 1", "-.", ". % 3", "todate",
    "tostring | tonumber", "@text", "length", ". / 1000 | todate", "type", "[., 1] | add", ". < 1",
    ". + 0 | tostring", ". / 1", "floor | tostring", "[.] | add", "{a: .} | .a", "[., .] | unique",
    "tostring | length", "if . > 1000000 then \"big\" else \"small\" end", ". > 9007199254740992",
    ". == 9007199254740993", "[.] == [.]", ". as $x | $x", "-. | tostring", ". * 2",
]

LENGTH_INPUTS: list[Any] = STRINGS + [
    -5, 0, -0.0, 1.5, -1.5, BIG, None, True, False, [], [1, [2, 3]], {}, {"a": 1, "b": 2}, NAN,
]

KEYS_INPUTS: list[Any] = [
    {"b": 1, "a": 2, "A": 3, "é": 4, "10": 5, "9": 6, "": 7}, {}, {"a": None}, [], [1, 2, 3], ["x"], None,
    "abc", 1, True, {"b": {"c": 1}, "a": [1]},
]
KEYS_PROGRAMS = [
    "keys", "keys_unsorted", 'has("a")', 'has("b")', "has(0)", "has(5)", "has(-1)", 'has("10")', "has(1.5)",
    "keys[0]", "keys | length", "to_entries", "length", "[keys[] | ascii_upcase]", 'has("é")', "has(null)",
    'to_entries | map("\\(.key)=\\(.value)") | join("&")', "keys == keys_unsorted", "map_values(. )",
]

ADD_INPUTS: list[Any] = [
    [1, 2, 3], ["a", "b"], [[1], [2]], [{"a": 1}, {"b": 2}, {"a": 3}], [None, 1], [1, None], [None, None], [],
    None, [None, "a"], ["a", None], [1, "a"], [1.5, 2.5], [0.1, 0.2], [2**53, 1], [BIG, 0], {"a": 1, "b": 2},
    {}, "abc", 5, [True, False], [[], None], [{}, None], [2.0, 3.0], [1e17, 1], [-0.0], [-0.0, 0],
    [{"a": {"b": 1}}, {"a": {"c": 2}}], ["é", "😀"], [[1, [2]], [3]], [None], [False, 1],
]
ADD_PROGRAMS = [
    "add", "add // 0", "add | type", "add | tostring", "[.[]?] | add", "add / length", "map(. // 0) | add",
    "add | tojson", "(add // 0) + 1", "[add]",
]

CASE_INPUTS: list[Any] = [
    "ABC", "aBc", "ÀÉÎ", "Straße", "", "123-X", "ǅ", "ĲIJ", "İ", "ſ", "ﬀ", "mixed Case 😀", 1, None, [], True,
    {"a": "A"},
]
CASE_PROGRAMS = [
    "ascii_downcase", "ascii_upcase", "ascii_downcase | ascii_upcase", "ascii_downcase == \"abc\"",
    "ascii_upcase | length",
]

TRIM_INPUTS: list[Any] = [
    "abc", "ab", "abab", "cab", "", "ABc", "éa", "aé", " ab ", "a", "b", 1, None, ["ab"], {"a": 1}, True, 1.5,
]
TRIM_PROGRAMS = [
    'ltrimstr("ab")', 'rtrimstr("ab")', 'startswith("ab")', 'endswith("ab")', 'ltrimstr("")', 'rtrimstr("")',
    "ltrimstr(1)", "startswith(1)", "endswith(null)", 'ltrimstr("é")', 'rtrimstr("é")', "trim", "ltrim",
    "rtrim", 'ltrimstr("a") | rtrimstr("b")', 'startswith("")', 'endswith("")', "ltrimstr(.)",
    'ltrimstr("abc")', 'rtrimstr("abc")', 'startswith("ABC")',
]

SPLIT_INPUTS: list[Any] = [
    "a,b,c", "", ",", ",a,", "a,,b", "abc", "é,ü", "a, b, c", "a,b,", "😀,😀", "a,,,b", 1, None, ["a"], {"a": 1},
]
SPLIT_PROGRAMS = [
    'split(",")', 'split("")', 'split(", ")', 'split(",,")', 'split("a")', 'split(",") | length',
    'split(",")[0]', 'split(",") | join("-")', "split(1)", '. / ","', 'split(",") | .[-1]',
    'split(",") | map(length)', 'split(",") | first', 'split(",") | last', 'split("😀")',
    'split(",")[1:]', 'split(",") | reverse | join(",")', 'split(",") | map(select(. != ""))',
]

JOIN_INPUTS: list[Any] = [
    ["a", "b"], [], ["a"], [None], [None, "a"], [1, 2], [1.5, 2.0], [True, False], [["a"]], [{"a": 1}],
    ["a", None, "b"], "abc", None, [BIG], [1e17], [-0.0], [0.1], [100.0], ["é", "😀"], [1e-7], {"a": "x", "b": "y"},
    [None, None], ["", ""],
]
JOIN_PROGRAMS = [
    'join(",")', 'join("")', 'join(", ")', 'join(" · ")', "join(1)", "join(null)", 'join(",") | length',
    'map(tostring) | join(",")', 'map(. // "") | join("-")', 'join("-") | split("-")',
]

REGEXES = [
    "[^A-Za-z0-9@_.:/=+-]", r"\\s+", "^a", "a$", "a|b", "(a)(b)", "", "a*", "é", "[[:alpha:]]+", r"\\d+",
    r"(?<n>\\d+)", ".", "^$", "a.c", r"\\bfoo\\b", "[A-Z]", r"^\\s*$", "ss", r"\\w+", "😀", "(?i)abc",
    r"\\.", "[0-9]{4}-[0-9]{2}", "b+?", "[^-]+$", r"\\p{L}+", "a{2,}", "(?x) a b",
]
REGEX_FLAGS = ["", "g", "i", "x", "gi", "n", "s"]
REGEX_INPUTS: list[Any] = [
    "abc", "ABC", "a b  c", "aab", "ba", "a\na", "a\nb\n", "a\n", "", "héllo wörld", "日本 語", "😀a😀",
    "user@x.com 2026-05-05T11:56:03Z", "x-y_z/w=1+2:3", "(a)(b)", "$&\\1", "1 22 333", "١٢٣", "Straße",
    "STRASSE", "foo bar foobar", "a.c abc", "\t \n", "ÉCOLE école", None, 1, ["a"],
]
REPLACEMENTS = ['"X"', '"_"', '""', r'"\\1"', '"$"', '"&"', '"$1"', r'"\(.n)"', '"<\\(.)>"', '"é😀"']

DATE_INPUTS: list[Any] = [
    0, 1, 1777982163, 1777982163.553, 1777982163.9999, -1, -86400.5, -0.5, 1.5, 1e10, 253402300800, 1e18, 1e20,
    -62135596800, -62135596801, BIG, "1777982163", None, 946684800, 951782400, 4107542400, 1777982163553,
    2.0, -0.0, NAN, INF, [1], 1e-7, 59.99999999, 86399.9999999,
]
DATE_PROGRAMS = [
    "todate", "todateiso8601", "todate[0:10]", 'strftime("%Y-%m-%d")', 'strftime("%Y-%m-%dT%H:%M:%SZ")',
    'strftime("%A %B %j %e %Z %z %s")', 'strftime("%H:%M")', 'strftime("%a %b %d %y")', 'strftime("%c")',
    'strftime("%%")', 'strftime("%u %w %U %W %V %G %g")', 'strftime("%I %p %M")', 'strftime("%D %F %T %R")',
    'strftime("%C")', 'strftime("%n%t")', 'strftime("")', 'strftime("plain")', "gmtime", "gmtime | mktime",
    "gmtime | todate", ". / 1000 | todate", "todate | fromdate", 'strftime("%Y-%m-%dT%H:%M:%S.000Z")',
    "todate | length", "strftime(1)", 'strftime("%s") | tonumber', "dateadd(\"seconds\"; 1)", "date",
]
FROMDATE_INPUTS: list[Any] = [
    "2026-05-05T11:56:03Z", "1970-01-01T00:00:00Z", "2024-02-29T12:00:00Z", "2023-02-29T00:00:00Z",
    "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2026-05-05T11:56:03.123Z", "2026-05-05",
    "2026-05-05T11:56:03+00:00", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
    "2026-05-05T24:00:00Z", "2026-05-05T23:59:60Z", " 2026-05-05T11:56:03Z", "2026-5-5T1:2:3Z", "",
    "2026-05-05T11:56:03z", "2026-05-05 11:56:03Z", "10000-01-01T00:00:00Z", "2026-05-05T11:56:03Zjunk",
    1, None, 1777982163,
]
FROMDATE_PROGRAMS = [
    "fromdate", "fromdateiso8601", "fromdate | todate", "fromdateiso8601 * 1000",
    'strptime("%Y-%m-%dT%H:%M:%SZ")', 'strptime("%Y-%m-%dT%H:%M:%SZ") | mktime', '.[0:19] + "Z" | fromdate',
    r'sub("\\.[0-9]+Z$"; "Z") | fromdate', "fromdate? // 0", "try fromdate catch \"bad\"", "fromdate | type",
    "dateiso8601 | type",
]

MATH_PROGRAMS = ["floor", "ceil", "round", "sqrt", "fabs", "abs", "-.", "floor | type", "round | tostring",
                 "sqrt | . * .", "pow(.; 2)", "log", "exp10", "trunc", "significand", "isnan", "isinfinite",
                 "isnormal", "infinite == .", "nan < ."]

SORT_INPUTS: list[Any] = [
    [3, 1, 2], [], ["b", "a", "B", "é", "A"], [1, "a", None, True, False, [], {}], [1, 1.0], [{"x": 2}, {"x": 1}],
    [[2], [1, 2], [1]], [{"b": 1}, {"a": 2}, {"a": 1, "b": 0}], None, "abc", {"a": 3, "b": 1}, [0.1, -0.0, 0],
    [BIG, 2**53], [3, 3, 1, 1], [None, None], [2.0, 1, 2], [-1, -1.5, -0.5], [NAN, 1, -INF],
]
SORT_PROGRAMS = [
    "min", "max", "sort", "unique", "reverse", "sort | first", "sort | last", "unique | length",
    "sort | reverse", "min == (sort | first)", "[.[] | type] | unique",
]
BY_INPUTS: list[Any] = [
    [{"x": 1, "i": 0}, {"x": 2, "i": 1}, {"x": 1, "i": 2}, {"x": 2, "i": 3}],
    [{"x": None, "i": 0}, {"i": 1}, {"x": False, "i": 2}],
    [{"x": "b", "i": 0}, {"x": "a", "i": 1}, {"x": "b", "i": 2}],
    [{"x": 1.0, "i": 0}, {"x": 1, "i": 1}],
    [{"x": [1], "i": 0}, {"x": [0, 5], "i": 1}],
    [{"x": {"a": 1}, "i": 0}, {"x": {"a": 1}, "i": 1}],
    [{"x": BIG, "i": 0}, {"x": 2**53, "i": 1}],
    [{"x": 3, "y": "b", "i": 0}, {"x": 3, "y": "a", "i": 1}, {"x": 1, "y": "z", "i": 2}],
    [{"x": 1, "i": 0}], [], [1, 2], None, {"a": {"x": 1}}, [{"x": -0.0, "i": 0}, {"x": 0, "i": 1}],
    [{"email": "b@x", "n": 1}, {"email": "a@x", "n": 2}, {"email": "b@x", "n": 3}, {"n": 4}],
]
BY_PROGRAMS = [
    "min_by(.x)", "max_by(.x)", "sort_by(.x)", "unique_by(.x)", "group_by(.x)", "sort_by(.x; .y)", "sort_by(-.x)",
    "sort_by(.x) | reverse", "group_by(.x) | map(length)", "max_by(.x) | .i", "min_by(.x) | .i",
    "sort_by(.x) | map(.i)", "unique_by(.x) | map(.i)", "group_by(.x) | map(map(.i))", "sort_by(.y)",
    "max_by(.x; .y)", "sort_by(.x, .y) | map(.i)", "group_by(.email) | map({email: .[0].email, n: length})",
    "min_by(.x) // \"none\"", "[max_by(.x)]", "max_by(.missing) | .i", "sort_by(.i) | map(.x)",
]
REVERSE_INPUTS: list[Any] = [[1, 2, 3], "abc", "héllo😀", None, [], {}, 1, "", [[1], 2], {"a": 1}]

FIRST_PROGRAMS = [
    "first", "last", "first(.[])", "first(.[] | select(.a))", "last(.[])", "first(empty)", "nth(1)",
    "limit(1; .[])", "first(.[]?)", "first(.[] | .a)", "[.[] | select(.a)] | length", ".[] | select(.a)",
    ".[] | .a", ".[]", ".[] | select(.a) | .a", "first(.[] | numbers)", "[.[] | .a] | first",
    ".[0], error(\"late\")", "error(\"early\"), .[0]", ".[] | if . == 2 then error(\"two\") else . end",
    "[.[] | if . == 2 then error(\"two\") else . end]", ".[] | .[]", ".[][]", "[.[] | .[]?]",
    "(.[0], .[1]) | select(. != null)", "empty, 1", "first(.[] | select(. > 1))",
]
FIRST_INPUTS: list[Any] = [
    [], [1, 2, 3], [2, 1], [{"a": 1}, {"a": 2}], [{"a": None}, {"a": False}, {"a": "x"}], [{"b": 1}],
    None, "abc", {"a": 1, "b": 2}, {}, [[1, 2], [3]], [None, 5], [0, 0.5, 2.0], [{"a": 1}, 3],
]

MAP_PROGRAMS = [
    "map(.x)", "map(select(.x > 1))", "select(.a)", "select(.a) | .b", "empty", "error", 'error("x")',
    "error(null)", "error({a: 1})", "map(.x?)", "map(tostring)", "map(. * 2)", "map(select(. != null))",
    "map(.x) | add", "map(keys)", "map_values(. + 1)", 'map(has("x"))', '[.[] | select(type == "number")]',
    "map(.x // 0)", "map(select(.x)) | length", "map(.x) | unique", "map({x})", "map([.x])",
    "select(length > 1)", "select(. == null)", "map(select(.x == 1).x)", "map(.x) | map(. + 1)",
]
MAP_INPUTS: list[Any] = [
    [], [{"x": 1}, {"x": 2}, {"x": 3}], [{"x": None}, {}], [1, 2, None], [{"x": "a"}, {"x": 1.5}], None, "s",
    {"a": 1, "b": 2}, {"a": None}, [{"x": 2.0}], [[1]], {"x": 1}, [{"x": BIG}], {"a": True, "b": "B"},
]

TOJSON_INPUTS: list[Any] = [
    {"a": [1, 2.5, {"b": None}], "é": "\u007f\u0001\"\\/"}, 1.0, 100.0, 1e17, 1e-7, -0.0, BIG, "é😀",
    "\u0000\u001f\u007f\u0080\u2028\u2029", "<>&'", "\t\n\r\b\f", {"b": 1, "a": 2}, [], {}, None, True,
    [NAN, INF, -INF], "\ud83d", 0.30000000000000004, [1.0, [2.0, {"x": 3.0}]], 12345678901234567890,
]
TOJSON_PROGRAMS = ["tojson", "tostring", "tojson | fromjson", "[.] | tojson", "tojson | length", "@json",
                   '"\\(.)"', "{v: .} | tojson", "tojson | tojson"]

ENTRIES_INPUTS: list[Any] = [
    [{"key": "a", "value": 1}], [{"k": "a", "v": 1}], [{"name": "a", "value": 1}], [{"Name": "a", "Value": 1}],
    [{"K": "a", "V": 1}], [{"Key": "a", "Value": 1}], [{"key": 1, "value": 1}], [{"key": None, "value": 1}],
    [{"key": True, "value": 1}], [{"key": False, "value": 1}], [{"key": "a"}], [{"key": "a", "value": None, "v": 2}],
    [{"key": "a", "value": False, "v": 2}], [{"k": "a", "key": False}], [{"k": "a", "key": None}],
    [{"key": "a", "value": 1}, {"key": "a", "value": 2}], [{"key": "b", "value": 1}, {"key": "a", "value": 2}],
    [], {"b": 1, "a": None}, {}, None, [1], [{"key": 1.5, "value": 1}], [{"name": "n", "k": "k", "value": 1}],
    [{"key": "", "value": 1}], [{"key": "é", "V": [1]}], {"x": {"y": 1}, "n": None, "z": 0},
]
ENTRIES_PROGRAMS = [
    "to_entries", "from_entries", "with_entries(.value |= tostring)", "with_entries(select(.value != null))",
    "to_entries | map(.value)", "to_entries | map(.key)", "with_entries(.key |= ascii_upcase)",
    "with_entries(.value += 1)", "to_entries | from_entries", "from_entries | keys", "from_entries | to_entries",
    'to_entries | map("\\(.key)=\\(.value)")', "with_entries(.)",
]

ANYALL_INPUTS: list[Any] = [
    [], [True], [False], [None, 1], [0], [False, None], "a", {}, {"a": True}, {"a": False}, None, [1, 2, 3],
    [[], {}], 5,
]
ANYALL_PROGRAMS = ["any", "all", "any(. == 2)", "all(. > 0)", "any(.[]; . == 2)", "all(.[]; .)", "[any, all]",
                   "map(. == 1) | any", "any(not)"]

FLATTEN_INPUTS: list[Any] = [
    [1, [2, [3]]], [], [[]], [1], "a", {}, [{"a": [1]}], None, [[1, [2]], [[3]]], {"a": [1]}, [None, [None]],
]
FLATTEN_PROGRAMS = ["flatten", "flatten(1)", "flatten(0)", "flatten(-1)", "flatten | length", "flatten(2)"]

SELECTORS_INPUTS: list[Any] = [[1, "a", None, True, [], {}, 1.5, False], [], {"a": 1, "b": None, "c": "x"}, None, "s"]
SELECTORS_PROGRAMS = [
    "[.[] | values]", "[.[] | objects]", "[.[] | strings]", "[.[] | numbers]", "[.[] | nulls]",
    "[.[] | arrays]", "[.[] | booleans]", "[.[] | iterables]", "[.[] | scalars]", ".[] | values",
    ".[] | strings", "[.[] | values] | length", "map(values)", "[.[] | select(. != null)]",
]

# ---------------------------------------------------------------------------------------------
# Beyond the subset: must bail or match
# ---------------------------------------------------------------------------------------------

BEYOND_PROGRAMS = [
    "def f: .a; f", "def f(x): x + 1; f(.a)", "reduce .[] as $x (0; . + $x)", "foreach .[] as $x (0; . + $x)",
    "try error(\"x\") catch .", "try (1 / 0) catch \"div\"", "(.a | tonumber)?", "label $out | 1, break $out",
    "[limit(2; .[])]", "[range(3)]", "range(2; 5)", "[paths]", "path(.a)", ".a |= 3", ".a += 1", ".a //= 3",
    "del(.a)", 'getpath(["a"])', 'setpath(["a"]; 1)', "[.. | numbers]", "..", "@base64", "@base64d", "@csv",
    "@tsv", "@sh", "@uri", "@html", "@base32", "explode", "implode", 'indices(",")', 'index(",")', 'rindex(",")',
    'contains("a")', 'contains(["a"])', 'inside("abc")', 'in({"a": 1})', 'splits(", *")', 'capture("(?<n>[0-9]+)")',
    '[match("a"; "g").offset]', '[scan("[0-9]+")]', 'split(", *"; null)', 'ascii', "fromjson", "input",
    "$__loc__", "env | type", "$ENV | type", "$ENV.PATH | type", "now | type", "input_filename",
    "significand", "[combinations]", "walk(if type == \"number\" then . + 1 else . end)", "transpose",
    "tostream", "[tostream] | fromstream(.[])", "getpath([\"a\", \"b\"]) // 0", "ltrimstr(\"a\") | explode",
    ". as [$a] ?// $a | $a", "[.[] | tostring] | join(\"\")", "pick(.a)", "have_decnum", "toarray", "abs",
    "trim", "splits(\"a\")", "isvalid(.a)", "getpath([0])", "to_entries[0].key", "[splits(\",\")]",
    '@json "x\\(.)"', '@uri "q=\\(.)"', "$__prog_args", "error(null) // 1", "add(.[])", "[.[] | tojson]",
    "utf8bytelength", "ascii(65)", "builtins | length > 10", "input_line_number", "[.[]?] | implode",
    "[recurse] | length", "[recurse(.[]?)] | length", "isempty(.[])", "[first(range(10))]", "[limit(0; 1, 2)]",
    "until(. > 4; . + 1)", "[while(. < 3; . + 1)]", "getpath([\"a\"]) |= 5", "to_entries | map(.key) | join(\",\")",
    "gsub(\"(?<x>.)\"; \"\\(.x|ascii_upcase)\")", "sub(\"a\"; \"b\"; \"g\")", "test([\"a\", \"i\"])",
    "ascii_downcase | @base64", "ltrimstr(\"x\") as $s | $s", "localtime | type", "mktime", "gmtime | todate",
    "strflocaltime(\"%Y\")", "@text", "tojson | @json", "infinite | isinfinite", "nan | isnan", "debug",
    "splits(\"\")", "[splits(\"\")]", "ltrimstr(null)", "pow(2; 10)", "log2", "ldexp(1; 2)",
]
BEYOND_INPUTS: list[Any] = [
    None, {"a": 1, "b": [1, 2]}, [1, 2, 3], "abc", 1.5, {"a": "x,y"}, "a, b,c 12 345", [104, 105], [[1, 2], [3, 4]],
    '{"a": 1}', 0,
]

# ---------------------------------------------------------------------------------------------
# Found: wrong answers jqnative once gave confidently (issue #10), and every minimal case the
# generated-program test or scripts/fuzz-jqnative.py shrank a disagreement to. (program, inputs).
# ---------------------------------------------------------------------------------------------

FOUND: list[tuple[str, list[Any]]] = [
    # jq 1.8 binds `E as $x` over the whole expression E (jq 1.7 bound its last term).
    ('.name // "x" as $n | "hi \\($n)"', [{"name": "bob"}, {}, {"name": False}]),
    ('.a + 1 as $x | $x * 2', [{"a": 1}, {"a": 2.5}, {}]),
    ('.a, .b as $x | $x, 3', [{"a": 1, "b": 2}]),
    ('.a and .b as $x | [$x]', [{"a": True, "b": False}, {"a": 1, "b": 2}, {}]),
    ('-.a as $x | $x', [{"a": 1}, {"a": 2.0}]),
    # jq 1.8's object values are whole expressions (DictExpr), and unary minus is a term.
    ('{a: .b + 1, c: .b // 0 | . * 2}', [{"b": 1}, {}, {"b": "x"}]),
    ('2 * -.a', [{"a": 3}, {"a": 1.5}, {"a": "x"}]),
    ('-.a.b?', [{"a": {"b": 2}}, {"a": "s"}]),
    # Python's \s matches U+001C–U+001F, Oniguruma's does not.
    ('gsub("\\\\s+"; "_")', ["a\u001c\u001d b", "a\u001e\u001f\tb", "\u000b \u000c"]),
    ('test("\\\\s")', ["\u001c", "\u001f", "\u000b"]),
    ('gsub("[\\\\s]"; "_")', ["a\u001c b"]),
    ('gsub("\\\\S"; "_")', ["a\u001c b"]),
    # fabs computes a fresh double: no literal survives.
    ('.a | fabs | tostring', [{"a": -2.0}, {"a": 2.0}, {"a": -2.5}, {"a": -0.0}, {"a": "x"}, {"a": None}]),
    ('fabs', [-2.0, 2.0, -0.0, 3, "s", None, []]),
    # A computed object key is checked after its value: no value, no error.
    ('[{(.id): select(.ok)}]', [{"id": 5, "ok": False}, {"id": 5, "ok": True}, {"id": "k", "ok": True}]),
    ('{(.id): empty}', [{"id": 5}]),
    ('{a: 1, (.id): empty}', [{"id": 5}]),
    ('{(.id): 1, a: empty}', [{"id": 5}, {"id": "k"}]),
    ('{(.id): 1, a: error}', [{"id": 5}]),
    # `[]` on an expression that may give no output.
    ('[.a.b?[]]', [{"a": "s"}, {"a": {"b": [1, 2]}}, {"a": {"b": 3}}]),
    ('[(.a | select(. != null))[]]', [{"a": None}, {"a": [1]}, {"a": 1}]),
    ('[.a?[]]', ["s", {"a": [1, 2]}]),
    # Found by the generated test (seeds 5000–5045), shrunk: a computed key or slice bound is
    # evaluated on the same input as the target, before it, outside the `?` of `.[k]?`; and
    # `null | .[null]` is an error.
    ('("s") | .[((.name | tonumber?))]?', [None]),
    ('((.a, .name)) | .[(error(.a))]?', [{}]),
    ('((.a, .name))[((.c | objects)):]', [{'name': ''}]),
    ('((.a, .name))[((.name | tonumber?)):]', [{'name': ''}]),
    ('((.a, .name))[(values):]', [{}]),
    ('((.b // [] | .[0])) | .[([.b[]?])]?', [{'b': ['']}]),
    ('((.b // [] | .[0])) | .[(error(.a))]?', [{}]),
    ('((.b // [] | .[0])) | .[(error)]?', [{}]),
    ('((.b // [] | .[0])) | .[(null)]?', [{}]),
    ('((.b | .[]?)) | .[((.a | numbers))]?', [{'b': [True]}]),
    ('((.b | first)) | .[((.a | numbers))]?', [{'b': ['']}]),
    ('((.c[]?)) | .[(.b[0]?)]?', [{'c': {'é': 0}}]),
    ('((.c[]?)) | .[(error(.a))]?', [{'c': {'name': ''}}]),
    ('((.c[]?)) | .[(select(.a))]?', [{'c': {'é': 1}}]),
    ('((.c[]?))[(.a):]', [{'c': ['']}]),
    ('(.[]?)[((.b // [] | .[0])):]', ['']),
    ('(.a.b?[])[(error(.a)):]', [{'a': 0}]),
    ('(.a?) | .[((.a | select(. > 1)))]?', [{'a': 1}]),
    ('(.a?) | .[(.name)]?', [{}]),
    ('(.a?) | .[([.b[]?])]?', [{'a': ''}]),
    ('(.a[]?) | .[((.a | select(. > 1)))]?', [{'a': ['']}]),
    ('(.a[]?) | .[(select(.a))]?', [{'a': ['']}]),
    ('(.id) | .[(.a)]?', [{}]),
    ('(.id) | .[(.name)]?', [{}]),
    ('(.id) | .[([.b[]?])]?', [{'id': 1}]),
    ('(.id) | .[(first(.b[]))]?', [None]),
    ('(.name) | .[(first(.b[]))]?', [{}]),
    ('(.name) | .[.]?', [{}]),
    ('(first(.b[])) | .[(null)]?', [{'b': {'é': None}}]),
    ('(null) | .[(.c?)]?', [1]),
    ('(null) | .[(error(.a))]?', ['']),
    ('(values) | .[((.b | first))]?', [True]),
    ('. | .[(first(.b[]))]?', [1]),
]

# The combined jq batch program (builder/engine/mapping) must give each field the answer Ocean's
# one-field-at-a-time evaluation gives: fields wrapping would change run on their own.
# (fields of one mapping, records).
MIXED_BATCH_RECORDS: list[Any] = [{"a": 1, "b": [2]}, {"a": "s", "b": []}, [[1], 2], None, {"a": -2.0, "b": [[3]]},
                                   {"b": [{"a": 4}]}, [7], {"a": [5], "b": "x"}]
BATCH_FOUND: list[tuple[list[str], list[Any]]] = [
    # Inside a `?//` body the break that ends `first(f)` counts as an error: the next pattern ran.
    ([".[] as $a ?// {a:$a} ?// {a:$a} | $a", ".[0]"], [[[3], [4], [5], 6], [[1]], [6], []]),
    (["[.[] as [$a] ?// $a | $a]", ". as {a: $x} ?// [$x] | $x"], [[[1], 2], {"a": 5}, [7]]),
    # `$__loc__` is on line 1 in Ocean; the batch program puts each field on a later line.
    (["$__loc__", "$__loc__.line", ".a"], [{"a": 1}, None]),
    # A comment continued by a trailing backslash would swallow the program text after the field.
    ([".a # note \\", ".b"], [{"a": 1, "b": 2}]),
    ([".a # note \\\n| . + 1", ".b"], [{"a": 1, "b": 2}]),
] + [
    # Only the fields a combined program would change leave it (CompiledMapping.per_field_positions):
    # one of them among safe fields that error, give no output or one value, in rows of every kind.
    (fields, MIXED_BATCH_RECORDS) for fields in (
        [".a", ". as [$x] ?// $x | $x", ".b[]", ".a + 1", "[.[]?]", "first(.b[]?)"],
        ["$__loc__", ".a", ".a | fabs | tostring", "$__loc__.line", ".b | length"],
        [".a // 0", ".[] as [$a] ?// $a | $a", ".b[0]?", ". as {a: $v} ?// [$v] | $v", "select(.a)"])
]

# Ocean rewrites single quotes into double quotes before jq sees the program (jqrt.format_filter).
QUOTE_PROGRAMS = [
    ".a + '/' + .b", "'abc'", "'a b'", "'a' + 'b'", ".x | test('^a')", "{k: 'v'}", ".a + \"'\"", "'it s'",
    "[.a, 'x']", "if .a then 'yes' else 'no' end", ".a | ltrimstr('a')", "\"don't\"", "'\\(.a)'",
    ".a // 'none'", "'' + .a",
]
QUOTE_INPUTS: list[Any] = [{"a": "a1", "b": "b2", "x": "abc"}, {"a": None}, {}, None, {"a": 5}]

# ---------------------------------------------------------------------------------------------
# Cursor: the lead's realistic mappings (coverage) and more of the same kind (extra)
# ---------------------------------------------------------------------------------------------

# (program, where its inputs come from). Sources: "R:<resource>" the resource's records,
# "P:<resource>" its raw response pages, "L:<resource>" its data_path result (a list of records).
LEAD_REALISTIC: list[tuple[str, list[str]]] = [
    ('(.timestamp + "-" + .userEmail + "-" + .model + "-" + .kind) | gsub("[^A-Za-z0-9@_.:/=+-]"; "_")',
     ["R:usage-events"]),
    (".timestamp | tonumber / 1000 | todate", ["R:usage-events"]),
    ("(.tokenUsage // {}) | [.inputTokens, .outputTokens] | map(. // 0) | add", ["R:usage-events"]),
    ("if .isTokenBasedCall then .tokenUsage.inputTokens else 0 end", ["R:usage-events"]),
    ('if .cloudAgentId then "cloud-agent" elif .serviceAccountId then "service-account" else "ide" end',
     ["R:usage-events", "R:audit-logs"]),
    ('(.email // "team") + " · " + .event_date + " · " + (.model | tostring)',
     ["R:analytics-models", "R:analytics-by-user-models"]),
    ("[.commits[].composerLinesDeleted] | add", ["R:ai-code-commits-daily"]),
    ("[.metadata[].fileExtension] | unique", ["R:ai-code-changes"]),
    (".data | to_entries | map(.value) | add", ["P:analytics-by-user-agent-edits", "P:analytics-by-user-tabs"]),
    ("group_by(.email) | map({email: .[0].email, n: length})", ["L:daily-usage", "L:analytics-by-user-mcp"]),
    ('.date / 1000 | strftime("%Y-%m-%d")', ["R:daily-usage"]),
]

EXTRA_REALISTIC: list[tuple[str, list[str]]] = [
    (p, ["R:usage-events"]) for p in [
        ".tokenUsage.totalCents // 0", ".chargedCents | floor", "(.chargedCents * 100 | round) / 100",
        ".requestsCosts", ".maxMode | not", ".userEmail | ascii_downcase", '.userEmail | split("@") | .[0]',
        '.userEmail | split("@")[1]', ".model | ascii_upcase", '.kind | test("included"; "i")',
        ".timestamp | tonumber", "(.timestamp | tonumber) / 1000 | floor",
        '.timestamp | tonumber / 1000 | strftime("%Y-%m-%dT%H:%M:%SZ")', '"\\(.userEmail)-\\(.timestamp)"',
        "{model, kind, maxMode}", "[.tokenUsage | .inputTokens, .outputTokens, .cacheReadTokens] | add",
        ".tokenUsage | to_entries | map(select(.value > 0)) | from_entries", ".tokenUsage | keys",
        "(.tokenUsage.inputTokens // 0) + (.tokenUsage.outputTokens // 0)", ".isChargeable and .isTokenBasedCall",
        '.conversationId // "none"', '.conversationId | if . == null then "none" else .[0:8] end',
        '.model | startswith("claude")', '.model | sub("-[0-9.]+.*$"; "")', '.model | ltrimstr("claude-")',
        ".chargedCents - .cursorTokenFee", '"\\(.chargedCents)"', ".chargedCents | tostring",
        ".tokenUsage.totalCents | tostring", "[.chargedCents, .cursorTokenFee] | max", ".requestsCosts * 2",
        ".timestamp | tonumber / 1000 | todate | .[0:10]", '.model + " (" + (.requestsCosts | tostring) + ")"',
    ]
] + [
    (p, ["R:ai-code-commits", "R:ai-code-changes"]) for p in [
        ".createdAt[0:10]", ".commitHash[0:7]", r'.createdAt | sub("\\.[0-9]+Z$"; "Z") | fromdate',
        '.createdAt | .[0:19] + "Z" | fromdateiso8601', '.userEmail | test("@northwind\\\\.dev$")',
        ".totalLinesAdded - .totalLinesDeleted", ".metadata | length", "[.metadata[]?.linesAdded] | add",
        '[.metadata[]? | .fileExtension // empty] | unique | join(", ")', ".repoName // .source // \"n/a\"",
        "(.isPrimaryBranch // false) | not", ".message | length", ".message | split(\" \") | first",
    ]
] + [
    (p, ["R:daily-usage"]) for p in [
        ".isActive | not", '.email | test("@northwind\\\\.dev$")',
        "(.acceptedLinesAdded / (.totalLinesAdded | if . == 0 then 1 else . end)) * 100 | round",
        "if .totalTabsShown > 0 then .totalTabsAccepted / .totalTabsShown else null end",
        '.day | strptime("%Y-%m-%d") | mktime', '.day + "T00:00:00Z" | fromdate', ".date / 1000 | todate | .[0:10]",
        ".date / 1000 | todateiso8601", ".mostUsedModel // \"none\"",
        "[.chatRequests, .composerRequests, .agentRequests] | add",
    ]
] + [
    (p, ["R:members", "R:spend"]) for p in [
        ".isRemoved | not", '.role == "owner"', ".spendCents / 100", "(.spendCents // 0) / 100 | tostring",
        ".monthlyLimitDollars // .effectivePerUserLimitDollars",
        "[.monthlyLimitDollars, .effectivePerUserLimitDollars] | max",
        '.name | split(" ") | map(.[0:1]) | join("")', ".email | ascii_downcase | ltrimstr(\"\")",
    ]
] + [
    (p, ["P:usage-events"]) for p in [
        ".usageEvents | map(.chargedCents) | add", ".usageEvents | [.[] | select(.isChargeable)] | length",
        "first(.usageEvents[] | select(.maxMode)) | .model", ".usageEvents | unique_by(.model) | map(.model)",
        ".usageEvents | group_by(.model) | map({model: .[0].model, cents: (map(.chargedCents) | add)})",
        ".usageEvents | length", ".pagination.hasNextPage", ".usageEvents[0].timestamp", ".usageEvents[-1].model",
    ]
] + [
    (p, ["P:daily-usage", "P:members"]) for p in [
        ".data | map(.totalLinesAdded) | add",
        ".data | group_by(.email) | map({email: .[0].email, lines: (map(.totalLinesAdded) | add)})",
        ".data | max_by(.totalLinesAdded) | .email", ".data | min_by(.date) | .day",
        ".data | sort_by(.date) | last | .day",
        ".teamMembers | map(.email)", '.teamMembers | map(select(.role == "owner")) | length',
    ]
]

# ---------------------------------------------------------------------------------------------
# Port's doc mappings: records of the shape they were written for (cursor-api.md §6 says the real
# API differs; the preset's records are used too)
# ---------------------------------------------------------------------------------------------

PORT_DOC_RECORDS: dict[str, list[dict[str, Any]]] = {
    "/teams/daily-usage-data": [
        {"org": "acme", "date": "2026-05-05", "breakdown": {"x": 1},
         "totals": {"total_accepts": 3, "total_rejects": 1, "total_tabs_shown": 10, "total_tabs_accepted": 4,
                    "total_lines_added": 120, "total_lines_deleted": 5, "accepted_lines_added": 60,
                    "accepted_lines_deleted": 2, "composer_requests": 7, "chat_requests": 2, "agent_requests": 9,
                    "subscription_included_reqs": 11, "api_key_reqs": 0, "usage_based_reqs": 1, "bugbot_usages": 0,
                    "most_used_model": "claude-4.5-sonnet", "total_active_users": 3, "total_input_tokens": 12345,
                    "total_output_tokens": 678, "total_cache_write_tokens": 0, "total_cache_read_tokens": 9000,
                    "total_cents": 12.5}},
        {"org": "acme", "date": "2026-05-04", "totals": {}, "breakdown": None},
    ],
    "/teams/filtered-usage-events": [
        {"id": "evt_1", "userEmail": "a@x.dev", "eventType": "composer", "createdAt": "2026-05-05T10:00:00Z",
         "org": "acme", "totalAccepts": 2, "inputTokens": 100, "outputTokens": 50, "cacheWriteTokens": 0,
         "cacheReadTokens": 10, "totalCents": 1.25, "model": "gpt-5"},
        {"id": "evt_2", "userEmail": "b@x.dev", "eventType": "chat", "createdAt": "2026-05-05T11:00:00Z",
         "org": "acme", "totalRejects": 1, "model": None},
        {"id": "evt_3", "userEmail": "c@x.dev", "eventType": "agent", "createdAt": "2026-05-05T12:00:00Z",
         "org": "acme", "totalAccepts": None, "totalCents": 0},
    ],
    "/analytics/ai-code/commits": [
        {"commitHash": "abc123", "userId": "u1", "userEmail": "a@x.dev", "repoName": "acme/api", "branchName": "main",
         "isPrimaryBranch": True, "totalLinesAdded": 10, "totalLinesDeleted": 2, "tabLinesAdded": 1,
         "tabLinesDeleted": 0, "composerLinesAdded": 5, "composerLinesDeleted": 1, "nonAiLinesAdded": 4,
         "nonAiLinesDeleted": 1, "message": "fix: é", "commitTs": "2026-05-05T10:00:00Z",
         "createdAt": "2026-05-05T10:01:00Z", "org": "acme"},
    ],
    "/analytics/ai-code/changes": [
        {"userEmail": "a@x.dev", "createdAt": "2026-05-05T10:00:00Z", "org": "acme", "totalChanges": 3,
         "totalLinesAdded": 30, "totalLinesDeleted": 3, "tabChanges": 1, "composerChanges": 2, "tabLinesAdded": 5,
         "tabLinesDeleted": 0, "composerLinesAdded": 25, "composerLinesDeleted": 3, "mostUsedModel": "gpt-5",
         "uniqueFileExtensions": ["ts", "py"], "metadata": [{"fileExtension": "ts"}]},
    ],
}

# ---------------------------------------------------------------------------------------------
# Mutations: the same programs on records with broken/edge values
# ---------------------------------------------------------------------------------------------


def _deep(value: Any, leaf: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict):
        return {k: _deep(v, leaf) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep(v, leaf) for v in value]
    return leaf(value)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def mutations(record: Any) -> list[Any]:
    """Variants of one record that break what mappings usually assume (types, presence, ranges)."""
    out: list[Any] = [None, {}, [record], "abc", 0]
    if not isinstance(record, dict):
        return out
    out += [
        {k: None for k in record},
        _deep(record, lambda v: None),
        _deep(record, lambda v: float(v) if _is_int(v) else v),  # integral floats: 2.0
        _deep(record, lambda v: v + BIG if _is_int(v) else v),  # beyond 2**53
        _deep(record, lambda v: v + 0.5 if _is_num(v) else v),  # fractional
        _deep(record, lambda v: -v - 1 if _is_num(v) else v),  # negative
        _deep(record, lambda v: str(v) if _is_num(v) else v),  # numbers as strings
        _deep(record, lambda v: 7 if isinstance(v, str) else v),  # strings as numbers
        _deep(record, lambda v: v + " é😀\u2028" if isinstance(v, str) else v),  # unicode
        _deep(record, lambda v: "" if isinstance(v, str) else v),
        _deep(record, lambda v: int(v) if isinstance(v, bool) else v),  # booleans as 0/1
        {k: ([] if isinstance(v, list) else {} if isinstance(v, dict) else v) for k, v in record.items()},
        {k: ({"nested": v} if isinstance(v, (list, dict)) else v) for k, v in record.items()},
        {k: ([v] if not isinstance(v, list) else v) for k, v in record.items()},  # scalars wrapped in arrays
        {**record, **{k: 1e300 for k, v in record.items() if _is_num(v)}},
    ]
    return out


def _richest(records: list[Any]) -> Any:
    """The record with the most non-null leaves (the most paths exercised)."""

    def score(r: Any) -> int:
        if isinstance(r, dict):
            return sum(score(v) for v in r.values()) + 1
        if isinstance(r, list):
            return sum(score(v) for v in r) + 1
        return 0 if r is None else 1

    return _shrink(max(records, key=score)) if records else None


def _shrink(value: Any, keep: int = 3) -> Any:
    """The value with every array cut to its first ``keep`` elements (mutating a whole page is slow)."""
    if isinstance(value, dict):
        return {k: _shrink(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [_shrink(v, keep) for v in value[:keep]]
    return value


# ---------------------------------------------------------------------------------------------
# Loading the preset and its samples
# ---------------------------------------------------------------------------------------------


@dataclass
class _Resource:
    name: str
    kind: str
    data_path: str
    pages: list[Any]
    records: list[Any]
    mappings: list[str]  # distinct mapping expressions, in order
    computed: list[str]  # x-builder body/query values (JQ with $now) and pagination stop rules
    query: str


def _records(data_path: str, pages: list[Any]) -> list[Any]:
    """What Ocean hands the mappings: data_path (through jq, as jqrt runs it) on each page."""
    records: list[Any] = []
    for page in pages:
        if data_path == "." and not isinstance(page, list):
            records.append(page)
            continue
        outcome = jqrt.first(data_path, page)
        if outcome.status != "ok":
            continue
        value = outcome.value
        records.extend(value if isinstance(value, list) else [value])
    return records


def load_cursor_resources() -> list[_Resource]:
    project = load_preset("cursor")
    out: list[_Resource] = []
    for resource in project.resources:
        pages = preset_sample("cursor", resource.name)
        data_path = resource.data_path or "."
        mappings: list[str] = []
        for _, expr in iter_mapping_fields(resource.mappings):
            text = jqrt.as_program_text(expr)
            if text not in mappings:
                mappings.append(text)
        if resource.items_to_parse:
            mappings.append(resource.items_to_parse)
        ext = resource.extensions
        computed = [v for section in (ext.body, ext.query) if section for v in section.values() if isinstance(v, str)]
        stop = (ext.pagination or {}).get("stop")
        if isinstance(stop, str):
            computed.append(stop)
        out.append(_Resource(resource.name, resource.kind, data_path, pages, _records(data_path, pages),
                             mappings, computed, resource.query))
    return out


def load_port_doc() -> list[tuple[str, str, list[str]]]:
    """(kind, data_path, distinct expressions) per resource of Port's doc mappings."""
    doc = yaml.safe_load(PORT_DOC_MAPPINGS.read_text(encoding="utf-8"))
    out = []
    for resource in doc["resources"]:
        exprs: list[str] = []
        for _, expr in iter_mapping_fields(resource["port"]["entity"]["mappings"]):
            text = jqrt.as_program_text(expr)
            if text not in exprs:
                exprs.append(text)
        query = resource.get("selector", {}).get("query")
        if isinstance(query, str) and query not in exprs:
            exprs.append(query)
        out.append((resource["kind"], resource.get("selector", {}).get("data_path") or ".", exprs))
    return out


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

MAX_RECORDS = 150  # per resource and program (usage-events has 268 alike records; keeps the run short)
NOW = 1777982400.25  # the computed values' $now (epoch seconds, a float as the builder binds it)


def build_cases() -> list[Case]:
    corpus = _Corpus()
    add = corpus.add

    # --- Cursor preset and Port doc (programmatic) --------------------------------------------
    resources = load_cursor_resources()
    by_name = {r.name: r for r in resources}
    for res in resources:
        add(COVERAGE_GROUP, res.mappings, res.records[:MAX_RECORDS])
        add(COVERAGE_GROUP, res.query, res.records[:5])  # 'true' everywhere: a few records say it all
        add("cursor-adversarial", res.mappings, mutations(_richest(res.records)))
        add("cursor-data-path", [res.data_path], res.pages)
        page = _shrink(res.pages[0]) if res.pages else {}
        add("cursor-data-path", [res.data_path], mutations(page) + [
            {k: None for k in page} if isinstance(page, dict) else None,
            {k: [] for k in page} if isinstance(page, dict) else [],
        ])
        for expr in res.computed:
            # Computed values run on a null input with $now bound; stop rules on a response with $page.
            add("cursor-data-path", f"{NOW} as $now | {expr}", [None, {}])
            add("cursor-data-path", f"3 as $page | {expr}", res.pages + [{"page": 2, "pageSize": 500,
                                                                          "totalCount": 1000, "totalPages": 3}])

    for kind, data_path, exprs in load_port_doc():
        records = list(PORT_DOC_RECORDS.get(kind, []))
        records += [r for res in resources if res.kind == kind for r in res.records[:25]]
        add(COVERAGE_GROUP, exprs, records)
        for record in PORT_DOC_RECORDS.get(kind, [])[:1]:
            add("cursor-adversarial", exprs, mutations(record))
        add("cursor-data-path", [data_path], [p for res in resources if res.kind == kind for p in res.pages])

    def source_inputs(sources: list[str]) -> list[Any]:
        inputs: list[Any] = []
        for source in sources:
            how, name = source.split(":", 1)
            res = by_name[name]
            if how == "R":
                inputs += res.records[:60]
            elif how == "P":
                inputs += res.pages
            else:
                inputs += [res.records, res.records[:5], []]  # whole lists: group_by, map, …
        return inputs

    for group, table in ((COVERAGE_GROUP, LEAD_REALISTIC), ("cursor-extra", EXTRA_REALISTIC)):
        for program, sources in table:
            typical = source_inputs(sources)
            add(group, program, typical)
            add("cursor-adversarial", program, mutations(_richest(typical)))

    # --- jq semantics -----------------------------------------------------------------------
    add("sem/paths", PATH_PROGRAMS, PATH_INPUTS)
    add("sem/literals", LITERAL_PROGRAMS, [None, {"a": 1}])
    add("sem/arith", ARITH_PROGRAMS, _pairs(ARITH_VALUES, ARITH_VALUES))
    add("sem/arith", ARITH_CLOSED, [None])
    add("sem/arith", ["-.", "-.a", ".a | -.", "-(.a)", "0 - .a"], UNARY_MINUS_INPUTS + _wrap(UNARY_MINUS_INPUTS))
    add("sem/compare", CMP_PROGRAMS, _pairs(CMP_VALUES, CMP_VALUES))
    add("sem/compare", CMP_CLOSED, [None])
    add("sem/logic", LOGIC_PROGRAMS, _pairs(TRUTHY, TRUTHY))
    add("sem/logic", LOGIC_CLOSED, [None, 1, False])
    add("sem/alternative", ALT_PROGRAMS, ALT_INPUTS)
    add("sem/if", IF_PROGRAMS, IF_INPUTS)
    add("sem/interpolation", INTERP_PROGRAMS, [{"a": v, "b": "z"} for v in INTERP_VALUES] + [None, "s", [1], {}])
    add("sem/bindings", BIND_PROGRAMS, BIND_INPUTS)
    add("sem/pipes", PIPE_PROGRAMS, PIPE_INPUTS)
    add("sem/arrays", ARRAY_PROGRAMS, ARRAY_INPUTS)
    add("sem/objects", OBJECT_PROGRAMS, OBJECT_INPUTS)
    add("sem/quotes", QUOTE_PROGRAMS, QUOTE_INPUTS)

    add("sem/builtins-any-input", UNARY_BUILTINS, ANY)
    add("sem/tonumber", TONUMBER_PROGRAMS, TONUMBER_INPUTS)
    add("sem/numbers", NUMBER_PROGRAMS, NUMBERS)
    add("sem/numbers", [".a", ".a | tostring", '"\\(.a)"', ".a + 0", "[.a]", "{b: .a}"], _wrap(NUMBERS))
    add("sem/length", ["length", "utf8bytelength", "length == utf8bytelength", ".[0:1]", ".[1:]", ".[-1:]",
                       "explode | length"], LENGTH_INPUTS)
    add("sem/keys", KEYS_PROGRAMS, KEYS_INPUTS)
    add("sem/add", ADD_PROGRAMS, ADD_INPUTS)
    add("sem/case", CASE_PROGRAMS, CASE_INPUTS)
    add("sem/trim", TRIM_PROGRAMS, TRIM_INPUTS)
    add("sem/split", SPLIT_PROGRAMS, SPLIT_INPUTS)
    add("sem/join", JOIN_PROGRAMS, JOIN_INPUTS)

    for regex in REGEXES:
        add("sem/regex-test", f'test("{regex}")', REGEX_INPUTS)
        for flags in REGEX_FLAGS[1:]:
            add("sem/regex-test", f'test("{regex}"; "{flags}")', REGEX_INPUTS)
        add("sem/regex-sub", [f'sub("{regex}"; "X")', f'gsub("{regex}"; "_")', f'sub("{regex}"; "X"; "g")',
                              f'gsub("{regex}"; "x"; "i")'], REGEX_INPUTS)
    for replacement in REPLACEMENTS:
        add("sem/regex-sub", [f'sub("(?<n>[a-z])"; {replacement})', f'gsub("(?<n>[a-z])"; {replacement})',
                              f'gsub("(a)(b)"; {replacement})', f'gsub(""; {replacement})'], REGEX_INPUTS[:20])

    add("sem/dates", DATE_PROGRAMS, DATE_INPUTS)
    add("sem/fromdate", FROMDATE_PROGRAMS, FROMDATE_INPUTS)
    add("sem/math", MATH_PROGRAMS, NUMBERS + [None, "1", [], True])
    add("sem/math", ["min", "max", "min_by(.)", "max_by(.)"], [[1, 1.0], [1.0, 1], [-0.0, 0], [0, -0.0]])
    add("sem/sort", SORT_PROGRAMS, SORT_INPUTS)
    add("sem/by", BY_PROGRAMS, BY_INPUTS)
    add("sem/reverse", ["reverse", "reverse | length", "reverse | reverse"], REVERSE_INPUTS)
    add("sem/first", FIRST_PROGRAMS, FIRST_INPUTS)
    add("sem/map", MAP_PROGRAMS, MAP_INPUTS)
    add("sem/tojson", TOJSON_PROGRAMS, TOJSON_INPUTS)
    add("sem/entries", ENTRIES_PROGRAMS, ENTRIES_INPUTS)
    add("sem/any-all", ANYALL_PROGRAMS, ANYALL_INPUTS)
    add("sem/flatten", FLATTEN_PROGRAMS, FLATTEN_INPUTS)
    add("sem/selectors", SELECTORS_PROGRAMS, SELECTORS_INPUTS)
    add("beyond-subset", BEYOND_PROGRAMS, BEYOND_INPUTS)
    for program, inputs in FOUND:
        add("sem/found", program, inputs)

    # Inputs jq itself cannot parse (a lone surrogate), or that json.loads can give but JSON cannot say.
    add("sem/odd-inputs", [".", ".a", "tostring", "length", "type", "[.[]?]", ". == .", "tojson"],
        ["\ud800", {"a": "\udfff"}, ["x", "\ud83d"], NAN, {"a": NAN}, INF, {"a": -INF}, [NAN, 1], 10**400,
         {"a": 10**400}, -(10**30)])
    return corpus.cases()


def dumps(value: Any) -> str:
    """A short, unambiguous rendering of an input or output for failure messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


