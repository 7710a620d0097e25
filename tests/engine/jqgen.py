"""Generated jq programs and inputs, the type-exact check of jqnative against jq, and a shrinker.

Used by tests/engine/test_jqnative_generated.py (a bounded run in CI), scripts/fuzz-jqnative.py
(long runs that shrink every disagreement) and tests/engine/test_jqnative_differential.py (the
check itself).

A program is a tree of ``Node`` s over the constructs jqnative compiles (paths, ``?``, ``//``,
``as`` after any expression, ``if/elif``, ``and/or/not``, arithmetic and comparisons, string
interpolation, objects with computed keys, ``[]``, ``select``, ``map``, ``first``, ``any/all``,
regex builtins, dates, numbers, strings, sorting and grouping…), rendered with parentheses only
where jq's grammar needs them, so precedence itself is under test. Inputs are records with the
values where jq and Python part ways: nulls, integers past 2**53, -0, 1e300, floats jq prints in
exponent form, control characters (U+001C–U+001F among them), non-ASCII text, empty and nested
containers.

The verdict for one (program, input): jq's first output (or error / no output) against jqnative's.
A decline (``None``: the program is outside the subset, or jqnative bails for this input) is fine;
a different confident answer, a crash, or a changed input is a disagreement.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field
from typing import Any, Iterator

from jqnative_cases import dumps

from builder.engine import jqnative, jqrt

# -- the type-exact check -------------------------------------------------------------------------


def typed(value: Any) -> Any:
    """A structure that tells apart everything jq tells apart: the exact Python type of every
    value (bool/int/float/str/None/list/dict, no subclasses), float bits (-0.0, nan) and key order."""
    kind = type(value)
    if value is None:
        return ("null",)
    if kind is bool:
        return ("bool", value)
    if kind is int:
        return ("int", value)
    if kind is float:
        return ("float", repr(value))
    if kind is str:
        return ("str", value)
    if kind is list:
        return ("list", [typed(item) for item in value])
    if kind is dict:
        return ("dict", [(("key", key) if type(key) is str else ("non-string key", repr(key)), typed(item))
                         for key, item in value.items()])
    return ("unexpected type", kind.__name__, repr(value))


def _json(value: Any) -> str:
    try:
        return json.dumps(value)
    except (TypeError, ValueError) as exc:
        return f"<not JSON: {exc}>"


def show(outcome: Any) -> str:
    if outcome is None:
        return "None"
    if not isinstance(outcome, jqrt.Outcome):
        return f"<{type(outcome).__name__}> {outcome!r}"[:300]
    if outcome.status in ("ok", "null"):
        return f"{outcome.status} {dumps(outcome.value)}"
    if outcome.status == "error":
        return f"error ({outcome.error})"
    return outcome.status


@dataclass
class Result:
    value: Any  # the input
    oracle: jqrt.Outcome
    native: Any  # jqrt.Outcome | None, or whatever a buggy native returned
    problem: str | None  # why native disagrees with jq; None when it agrees (or declined)

    @property
    def covered(self) -> bool:
        return self.native is not None

    def describe(self, program: str) -> str:
        return (f"  program: {program}\n  input:   {dumps(self.value)}\n  native:  {show(self.native)}\n"
                f"  jq:      {show(self.oracle)}\n  problem: {self.problem}")


def check(program: str, value: Any) -> Result:
    """``program`` on ``value`` through jq (jqrt) and through jqnative, compared type-exactly."""
    oracle = jqrt.first(program, value)
    # Native gets its own copy (a JSON round trip is exact for these values and faster than
    # deepcopy); the JSON text, which tells 1 / 1.0 / true and key orders apart, shows any change.
    text = json.dumps(value)
    given = json.loads(text)
    try:
        native = jqnative.first(program, given)
    except Exception as exc:  # noqa: BLE001 - a crash is a finding, reported with the others
        return Result(value, oracle, f"raised {type(exc).__name__}: {exc}", "native raised instead of answering")
    if json.dumps(given) != text:
        return Result(value, oracle, native, f"native modified its input into {dumps(given)}")
    if native is None:
        return Result(value, oracle, None, None)
    if not isinstance(native, jqrt.Outcome):
        return Result(value, oracle, native, "native returned something other than jqrt.Outcome or None")
    if native.status != oracle.status:
        return Result(value, oracle, native, f"status {native.status!r}, jq says {oracle.status!r}")
    if oracle.status in ("ok", "null"):
        if _json(native.value) != _json(oracle.value):
            return Result(value, oracle, native, "different value")
        if typed(native.value) != typed(oracle.value):
            return Result(value, oracle, native, "same JSON text, different Python types (a tuple, a subclass…)")
    return Result(value, oracle, native, None)


# -- programs -------------------------------------------------------------------------------------

# Precedence levels of a rendered node (jq 1.8's parser.y): a slot that needs a higher level than
# its child has gets parentheses.
PIPE, COMMA, ALT, OR, AND, CMP, ADD, MUL, TERM = range(9)


@dataclass
class Node:
    """``parts``: literal text and child nodes, with the level each child slot needs."""

    level: int
    parts: list[Any] = field(default_factory=list)  # str | (Node, min_level)
    binds: str | None = None  # the variable this node binds over its last child (for shrinking)
    path: bool = False  # a path/variable/`.`: takes postfix steps without parentheses

    def render(self) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                child, need = part
                text = child.render()
                out.append(f"({text})" if child.level < need else text)
        return "".join(out)

    def children(self) -> list[Node]:
        return [part[0] for part in self.parts if not isinstance(part, str)]

    def size(self) -> int:
        return 1 + sum(child.size() for child in self.children())


def leaf(text: str, level: int = TERM, path: bool = False) -> Node:
    return Node(level, [text], path=path)


def node(level: int, *parts: Any, binds: str | None = None) -> Node:
    return Node(level, list(parts), binds=binds)


KEYS = ["a", "b", "c", "id", "name"]
STRING_LITERALS = ['"x"', '""', '"a,b"', '"é"', '"-"', '"A b"', '"2026-05-05T11:56:03Z"', '"1.5"', '"12"', '"\\u001c"']
NUMBER_LITERALS = ["0", "1", "2", "10", "1000", "2.5", "0.1", "100", "1.5"]
REGEXES = ["\\\\s+", "\\\\s", "\\\\S", "[a-z]+", "\\\\d+", "^a", "b$", ".", "\\\\w+", "(a|b)", "[^x]", "a*", "[,-]",
           "x?", "[A-Z]", "\\\\.", "[[:alpha:]]", "\\\\W", "^", "$", "[\\\\s,]+", "(?:ab)+", "[0-9]{2}", "é"]
FORMATS = ['"%Y-%m-%d"', '"%H:%M:%S"', '"%Y-%m-%dT%H:%M:%SZ"', '"%A %B %e"', '"%s"', '"%j"']
NULLARY = ["tostring", "tonumber", "length", "type", "keys", "add", "sort", "unique", "min", "max", "reverse",
           "first", "last", "to_entries", "from_entries", "flatten", "any", "all", "ascii_downcase",
           "ascii_upcase", "tojson", "fromdateiso8601", "fromdate", "todate", "todateiso8601", "fabs", "floor",
           "round", "ceil", "sqrt", "abs", "not", "utf8bytelength", "keys_unsorted", "values", "nulls", "strings",
           "numbers", "arrays", "objects", "iterables", "scalars", "booleans", "ltrim", "rtrim", "trim", "empty",
           "error"]
FILTER_CALLS = ["select", "map", "first", "any", "all", "sort_by", "group_by", "unique_by", "min_by", "max_by",
                "with_entries"]
VALUE_CALLS = ["has", "split", "join", "ltrimstr", "rtrimstr", "startswith", "endswith", "contains", "error"]
BINARY = [("+", ADD), ("-", ADD), ("*", MUL), ("/", MUL), ("%", MUL), ("==", CMP), ("!=", CMP), ("<", CMP),
          ("<=", CMP), (">", CMP), (">=", CMP), ("and", AND), ("or", OR), ("//", ALT)]


# Typed steps: (step, type of its output) by the type of its input, so that chains such as
# `.a | fabs | tostring` compute values (random programs mostly stop at a type error).
STEPS: dict[str, list[tuple[str, str]]] = {
    "num": [("fabs", "num"), ("floor", "num"), ("round", "num"), ("ceil", "num"), ("sqrt", "num"), ("abs", "num"),
            ("tostring", "str"), (". + 1", "num"), (". * 2", "num"), (". / 1000", "num"), ("-.", "num"),
            (". % 3", "num"), ("length", "num"), ("todate", "str"), ('strftime("%Y-%m-%d")', "str"),
            (". - 0.5", "num"), (". == 2", "any"), (". > 1", "any"), ('"n=\\(.)"', "str"), ("tojson", "str"),
            ("[., 1] | max", "num"), ("floor | tostring", "str"), ("if . > 0 then . else -. end", "num")],
    "str": [('test("\\\\s")', "any"), ('gsub("\\\\s+"; "_")', "str"), ('gsub("[^A-Za-z0-9]"; "-")', "str"),
            ('sub("^a"; "b")', "str"), ('split(",")', "arr"), ("ascii_downcase", "str"), ("ascii_upcase", "str"),
            ('ltrimstr("a")', "str"), ('rtrimstr("b")', "str"), ("tonumber", "num"), ("fromdateiso8601", "num"),
            ("length", "num"), ("utf8bytelength", "num"), (".[1:]", "str"), (".[:2]", "str"), ("trim", "str"),
            ('"<\\(.)>"', "str"), ('. + "x"', "str"), ('startswith("a")', "any"), ("tojson", "str"),
            ('test("^[0-9]+$")', "any"), ('test("a"; "i")', "any"), ("ltrim", "str"), ('contains("b")', "any"),
            ('. // "none"', "str"), ('gsub("\\\\w"; "."; "g")', "str"), ("tostring", "str")],
    "arr": [("length", "num"), ("sort", "arr"), ("unique", "arr"), ("add", "any"), ('join(",")', "str"),
            ("first", "any"), ("last", "any"), (".[0]", "any"), (".[-1]", "any"), ("reverse", "arr"),
            ("flatten", "arr"), ("min", "any"), ("max", "any"), ("any", "any"), ("all", "any"),
            ("map(tostring)", "arr"), ("map(. // 0)", "arr"), ("[.[] | select(. != null)]", "arr"),
            ("group_by(type)", "arr"), ("sort_by(tostring)", "arr"), ("unique_by(type)", "arr"),
            ("[.[]? | numbers]", "arr"), ("map(type)", "arr"), ("first(.[])", "any"), ("any(. == 1)", "any"),
            ("all(type == \"number\")", "any"), ("[.[] | tostring] | join(\"-\")", "str"), (".[1:]", "arr"),
            ("min_by(tostring)", "any"), ("max_by(length?)", "any"), ("tojson", "str"), ("[.[]?]", "arr")],
    "obj": [("keys", "arr"), ("to_entries", "arr"), ("with_entries(.value |= tostring)", "obj"), ('has("a")', "any"),
            (".a", "num"), (".name", "str"), ("length", "num"), ("tojson", "str"), ("[.[]]", "arr"),
            ("keys_unsorted", "arr"), ("to_entries | map(.key) | join(\",\")", "str"), ("{a, name}", "obj"),
            ('{(.name // "k"): .a}', "obj"), ("with_entries(select(.value != null))", "obj"), ("add", "any")],
}
STEPS["any"] = [step for steps in STEPS.values() for step in steps[:6]] + [
    ("type", "str"), ("tostring", "str"), ("tojson", "str"), (". // 0", "any"), ("[.]", "arr"), ("values", "any"),
    ("select(. != null)", "any"), ("strings", "str"), ("numbers", "num"), ("arrays", "arr"), ("objects", "obj"),
    ('if type == "number" then . + 1 else . end', "any"), ("not", "any")]
# with_entries(.value |= …) uses an assignment jqnative declines: it stays as a decline check.
STARTS: dict[str, list[str]] = {"num": [".a", ".id", ".c.a", ".b[0]", ".a?"], "str": [".name", ".c.name", ".id", '.["name"]'],
                                "arr": [".b", ".c.b", "[.a, .name]", "[.b[]?]"], "obj": [".c", ".", "{a}"],
                                "any": [".a", ".b", ".c", ".id", ".name", "."]}


# Atoms that give no output, several, or an error on some inputs, and the combinators around
# them: where a compiler that thinks in single values goes wrong.
ATOMS = [".a?", ".[]?", ".b[]", "select(.a)", "empty", "error", "(1, 2)", ".a[]?", "(.b | .[]?)", "values",
         "strings", "first(.b[])", ".c?", ".a.b?[]", "(.a | select(. > 1))", "(.name | tonumber?)", "null", ".a",
         ".name", "(.b // [] | .[0])", "(.c | objects)", '(.name | select(test("a")))', ".b[0]?", "(.b | first)",
         ".id", "(.a, .name)", "[.b[]?]", "(.c[]?)", "error(.a)", "(.a | numbers)", ".[\"name\"]?", "0", '"s"',
         ".b", ".c", '""', '","', "1.5", "-1", "(.a // 0)", "{}", "[]", "(.b | length)", '(.name // "")', "true",
         "(.b[]? | numbers)", "(.c | to_entries)", "[.a, .name]", "(.b | map(tostring))"]
COMBINATORS = ["[{0}]", "{{k: {0}}}", "{{({0}): {1}}}", '"\\({0})-\\({1})"', "{0} // {1}", "{0} and {1}", "{0} or {1}",
               "first({0})", "{0} as $x | {1}", "[{0} as $x | $x, {1}]", "{0} + {1}", "{0} == {1}", "{0} < {1}",
               "if {0} then {1} else {2} end", "[{0}, {1}]", "{0} | {1}", "({0})?", "[{0}[]?]", "[({0})[]]",
               "select({0}) | {1}", "map({0})", "any({0})", "all({0})", "{{a: {0}, b: {1}}}", "-{0}",
               "[.[]? | {0}]", "{0} | tostring", "[{0} // {1}]", "({0} | {1}) // {2}", '"x\\({0})"', "{0}, {1}",
               "[limit(1; {0})]", "{0} as $x | {1} as $y | [$x, $y]", "{0} | .[{1}]?", "{0}[{1}:]",
               "[{0}] | length", "if {0} then {1} end", "{0} | not", "{0} * {1}", "{{(.name): {0}}}",
               "{0} | has({1})", "{0} | split({1})", "{0} | join({1})", "{0} | ltrimstr({1})", "{0} | rtrimstr({1})",
               "{0} | startswith({1})", "{0} | contains({1})", "{0} | sort_by({1})", "{0} | group_by({1})",
               "{0} | min_by({1})", "{0} | max_by({1})", "{0} | unique_by({1})", "{0} - {1}", "{0} / {1}",
               "{0} % {1}", "{0} | keys", "{0} | to_entries", "{0} | from_entries", "{0} | with_entries({1})",
               "{0} | add", "{0} | flatten", "{0} | unique", "{0} | tojson", "{0} | floor", "{0} | round",
               "{0} | todate", "{0} | length", "{0} | tonumber", "{0} | reverse", "{0} | sort", "{0} | min",
               "{0} | first", "{0} | last", "{0} | .[{1}]", "{0} | ascii_downcase", "{0} | utf8bytelength",
               '"\\({0})\\({1})\\({2})"', "{{a: {0}, ({1}): {2}}}", "[{0}, {1}] | add", "{0} | fabs", "{0} | abs",
               "{0} >= {1}", "{0} != {1}", "[{0}] | map({1})", "{0} as $x | {1} | [$x, .]"]


class ProgramGenerator:
    def __init__(self, rng: random.Random, max_depth: int = 3) -> None:
        self.rng = rng
        self.max_depth = max_depth

    def program(self) -> Node:
        r = self.rng.random()
        if r < 0.3:
            return self.chain()
        if r < 0.6:
            return self.combined()
        return self.query(0, [])

    def combined(self) -> Node:
        """One or two combinators around atoms; each atom is its own node (the shrinker drops them)."""
        rng = self.rng
        tree = self._combine(rng.choice(COMBINATORS), [leaf("(" + rng.choice(ATOMS) + ")") for _ in range(3)])
        if rng.random() < 0.4:
            atoms = [tree] + [leaf("(" + rng.choice(ATOMS) + ")") for _ in range(2)]
            rng.shuffle(atoms)
            tree = self._combine(rng.choice(COMBINATORS), atoms)
        return tree

    @staticmethod
    def _combine(template: str, args: list[Node]) -> Node:
        parts: list[Any] = []
        text = template
        while text:
            at = min((text.find("{" + str(i) + "}") for i in range(3) if "{" + str(i) + "}" in text), default=-1)
            if at < 0:
                parts.append(text.replace("{{", "{").replace("}}", "}"))
                break
            parts.append(text[:at].replace("{{", "{").replace("}}", "}"))
            parts.append((args[int(text[at + 1])], TERM))
            text = text[at + 3:]
        return Node(PIPE, parts)

    # A query: pipes, commas, bindings over whole expressions.
    def query(self, depth: int, scope: list[str]) -> Node:
        r = self.rng.random()
        if depth >= self.max_depth or r < 0.45:
            return self.expr(depth, scope)
        if r < 0.65:
            return node(PIPE, (self.query(depth + 1, scope), COMMA), " | ", (self.query(depth + 1, scope), PIPE))
        if r < 0.75:
            return node(COMMA, (self.query(depth + 1, scope), COMMA), ", ", (self.expr(depth + 1, scope), ALT))
        name = self.rng.choice(["x", "y", "n"])
        source = self.expr(depth + 1, scope)
        body = self.query(depth + 1, scope + [name])
        return node(PIPE, (source, ALT), f" as ${name} | ", (body, PIPE), binds=name)

    # An expression: binary operators over terms (no pipe, comma or `as` unless parenthesised).
    def expr(self, depth: int, scope: list[str]) -> Node:
        if depth >= self.max_depth or self.rng.random() < 0.5:
            return self.term(depth, scope)
        op, level = self.rng.choice(BINARY)
        if op == "//":  # right-associative
            left, right = level + 1, level
        elif level == CMP:  # non-associative
            left = right = level + 1
        else:  # left-associative
            left, right = level, level + 1
        return node(level, (self.expr(depth + 1, scope), left), f" {op} ", (self.expr(depth + 1, scope), right))

    def term(self, depth: int, scope: list[str]) -> Node:
        rng = self.rng
        if depth >= self.max_depth:
            return self.simple(scope)
        r = rng.random()
        if r < 0.3:
            return self.simple(scope) if rng.random() < 0.5 else self.chain()
        if r < 0.42:
            return self.postfix(self.term(depth + 1, scope))
        if r < 0.5:
            return self.call(depth, scope)
        if r < 0.56:
            return node(TERM, "-", (self.term(depth + 1, scope), TERM))
        if r < 0.62:
            return self.conditional(depth, scope)
        if r < 0.7:
            parts: list[Any] = ['"']
            for _ in range(rng.randint(1, 2)):
                parts += [rng.choice(["", "p", " ", "é", "-"]), "\\(", (self.query(depth + 1, scope), PIPE), ")"]
            parts.append(rng.choice(["", "q"]) + '"')
            return node(TERM, *parts)
        if r < 0.78:
            return self.obj(depth, scope)
        if r < 0.86:
            if rng.random() < 0.2:
                return leaf("[]")
            return node(TERM, "[", (self.query(depth + 1, scope), PIPE), "]")
        if r < 0.9:
            return node(TERM, (self.term(depth + 1, scope), TERM), "?")
        return self.call(depth, scope)

    def chain(self) -> Node:
        """A start path of some type and one to three steps that fit it, as nested pipes."""
        rng = self.rng
        kind = rng.choice(list(STARTS))
        tree = leaf(rng.choice(STARTS[kind]), path=True)
        for _ in range(rng.randint(1, 3)):
            step, kind = rng.choice(STEPS[kind])
            tree = node(PIPE, (tree, COMMA), " | ", (leaf(step, PIPE), PIPE))
        if rng.random() < 0.5:
            # Printing shows what values cannot: jq keeps a number's literal (2.0 prints "2.0")
            # until arithmetic makes a fresh double, and prints some doubles in exponent form.
            printed = rng.choice(["tostring", "tojson", '"\\(.)"', "[.] | tojson", '"\\(.)-\\(.)"'])
            tree = node(PIPE, (tree, COMMA), " | ", (leaf(printed, PIPE), PIPE))
        return tree

    def simple(self, scope: list[str]) -> Node:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            return self.path()
        if r < 0.55 and scope:
            return leaf("$" + rng.choice(scope), path=True)
        if r < 0.7:
            return leaf(rng.choice(STRING_LITERALS))
        if r < 0.85:
            return leaf(rng.choice(NUMBER_LITERALS))
        return leaf(rng.choice(["null", "true", "false", "."]), path=True)

    def path(self) -> Node:
        rng = self.rng
        text = rng.choice([".", ".a", ".b", ".c", ".id", ".name", ".a.b", ".[0]", ".[-1]", '."c"', '.["a"]', ".[1:]",
                           ".[:2]", ".a[0]", ".[]", ".[]?", ".a?", ".a[]?", ".a.b?", ".b[]", ".[\"name\"]?"])
        return leaf(text, path=True)

    def postfix(self, target: Node) -> Node:
        rng = self.rng
        step = rng.choice([".a", ".b", "[0]", "[]", "[]?", ".a?", "[1:]", '["c"]', "?"])
        if target.path:
            # `.` + `.a` is `..a` (recurse): a bare dot takes its step as `.a`.
            if target.render() == "." and step[0] in ".[":
                return leaf("." + step.lstrip("."), path=True)
            if target.render() in ("null", "true", "false") and step[0] == ".":
                return node(TERM, "(", (target, PIPE), ")", step)
            return Node(TERM, [(target, TERM), step], path=True)
        return Node(TERM, ["(", (target, PIPE), ")", step], path=True)

    def conditional(self, depth: int, scope: list[str]) -> Node:
        rng = self.rng
        parts: list[Any] = ["if ", (self.query(depth + 1, scope), PIPE), " then ", (self.query(depth + 1, scope), PIPE)]
        if rng.random() < 0.3:
            parts += [" elif ", (self.query(depth + 1, scope), PIPE), " then ", (self.query(depth + 1, scope), PIPE)]
        if rng.random() < 0.8:
            parts += [" else ", (self.query(depth + 1, scope), PIPE)]
        parts.append(" end")
        return node(TERM, *parts)

    def obj(self, depth: int, scope: list[str]) -> Node:
        rng = self.rng
        parts: list[Any] = ["{"]
        for index in range(rng.randint(0, 3)):
            if index:
                parts.append(", ")
            r = rng.random()
            value = (self.expr(depth + 1, scope), ALT)
            if r < 0.35:
                parts += [rng.choice(KEYS) + ": ", value]
            elif r < 0.6:
                parts += ["(", (self.query(depth + 1, scope), PIPE), "): ", value]
            elif r < 0.7:
                parts.append(rng.choice(KEYS))
            elif r < 0.78 and scope:
                parts.append("$" + rng.choice(scope))
            elif r < 0.88:
                parts += [rng.choice(['"k"', '"a"', '"\\(.b)"']) + ": ", value]
            else:
                parts += [rng.choice(KEYS) + ": ", value, " | ", (self.expr(depth + 1, scope), ALT)]
        parts.append("}")
        return node(TERM, *parts)

    def call(self, depth: int, scope: list[str]) -> Node:
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return leaf(rng.choice(NULLARY))
        if r < 0.65:
            name = rng.choice(FILTER_CALLS)
            return node(TERM, name + "(", (self.query(depth + 1, scope), PIPE), ")")
        if r < 0.8:
            name = rng.choice(VALUE_CALLS)
            argument = self.query(depth + 1, scope) if rng.random() < 0.5 else leaf(rng.choice(STRING_LITERALS))
            return node(TERM, name + "(", (argument, PIPE), ")")
        if r < 0.93:
            regex = '"' + rng.choice(REGEXES) + '"'
            flags = rng.choice(["", "", '; "g"', '; "i"', '; "gi"', '; "x"'])
            name = rng.choice(["test", "sub", "gsub"])
            if name == "test":
                return leaf(f"test({regex}{flags})")
            replacement = rng.choice(['"_"', '""', '"X"', '"-"'])
            return leaf(f"{name}({regex}; {replacement}{flags})")
        return leaf(f"strftime({rng.choice(FORMATS)})")


# -- inputs ---------------------------------------------------------------------------------------

EDGE_NUMBERS: list[Any] = [0, 1, -1, 7, 2**53, 2**53 + 1, -(2**53) - 3, 2**64, 10**20, -0.0, 0.0, 2.0, -2.0, 1.5,
                           -2.5, 0.1, 1e300, -1e300, 1e17, 1.5e17, 1e-5, 1e-7, 2.5e-3, 5e-324, 1e15, 123456789012.5,
                           1777982163553, 1777982163.553, 0.30000000000000004, 1 / 3, 100.0, 1e16, -7.0, 3.0, 0.5,
                           -0.5, 1e-4, 12345678901234567.0, 1.0, -1.0, 9007199254740993.0, 4.35, 1e21, 2.5e-7]
EDGE_STRINGS: list[str] = ["", "a", "x", "abc", "ABC", "a,b", "a b", " x ", "a\u001c\u001d b", "\u001e\u001f",
                           "\t\n", "a\nb", "\u000b\u000c", "é", "héllo wörld 😀", "日本", "Straße", "\u0000", "\u007f",
                           "12", "-1.5", "1e3", "2026-05-05T11:56:03Z", "1970-01-01T00:00:00Z", "aab", "b", "a\"b\\"]


# Every edge value above, and containers, in classes: the stratified part of a run applies each
# construct to every value of every class (a rule wrong on one class only, e.g. a ``fabs`` that
# keeps an integral float's literal, is caught by every run, whatever its seed).
EDGE_CLASSES: dict[str, list[Any]] = {
    "null": [None],
    "booleans": [True, False],
    "small integers": [0, 1, -1, 7, 100],
    "integers past 2**53": [2**53, 2**53 + 1, -(2**53) - 3, 2**64, 10**20],
    "zeros": [-0.0, 0.0],
    "integral floats": [2.0, -2.0, 100.0, -7.0, 3.0, 1.0, -1.0, 12345678901234567.0, 9007199254740993.0],
    "fractions": [1.5, -2.5, 0.1, 0.30000000000000004, 1 / 3, 0.5, -0.5, 4.35, 123456789012.5],
    "exponent-form floats": [1e300, -1e300, 1e17, 1.5e17, 1e16, 1e21, 1e15],
    "tiny floats": [1e-4, 2.5e-3, 1e-5, 1e-7, 2.5e-7, 5e-324],
    "timestamps": [1777982163553, 1777982163.553],
    "empty string": [""],
    "ascii strings": ["a", "x", "abc", "ABC", "a,b", "a b", " x ", "aab", "b", "a\"b\\"],
    "control characters": ["a\u001c\u001d b", "\u001e\u001f", "\t\n", "a\nb", "\u000b\u000c", "\u0000", "\u007f"],
    "non-ASCII strings": ["é", "héllo wörld 😀", "日本", "Straße"],
    "numeric strings": ["12", "-1.5", "1e3"],
    "date strings": ["2026-05-05T11:56:03Z", "1970-01-01T00:00:00Z"],
    "empty containers": [[], {}],
    "arrays": [[1, "a", None], [2.0, -2.0], [[1], [2, [3]]], ["b", "a", "b"], [1e300, -0.0, 0.5], [{"a": 1}, {"a": 2.0}]],
    "objects": [{"a": 1, "name": "x"}, {"é": [], "": None}, {"a": {"b": 2.0}}, {"b": -2.0, "a": "s"}],
}
# The constructs applied to each edge value: every typed step, nullary builtin and call form above.
CONSTRUCTS: list[str] = list(dict.fromkeys(
    [step for steps in STEPS.values() for step, _ in steps] + NULLARY
    + ["select(. != null)", "select(.)", "map(. + 1)", "map(tostring)", "first(.[])", "first(.[]?)", "any(. == 1)",
       "all(type == \"number\")", "sort_by(.)", "sort_by(tostring)", "group_by(type)", "unique_by(length?)",
       "min_by(.)", "max_by(tostring)", "with_entries(.)", "with_entries(select(.value))", 'has("a")', "has(0)",
       'split(",")', 'split("")', 'join("-")', 'join(",")', 'ltrimstr("a")', 'rtrimstr("b")', 'startswith("a")',
       'endswith("b")', 'contains("a")', 'contains(["a"])', 'error("x")', ".[]", ".[]?", ".[0]", ".[-1:]", ".[1:]",
       ".[:2]", ".a", ".a?", ".[\"a\"]?", "-.", ". + 1", ". - 1", ". * 2", ". / 3", ". % 2", ". + .", ". == 2",
       ". < 1", ". // \"d\"", ". and true", ". or false", "not", "if . then 1 else 2 end", "[.]", "{k: .}",
       "{(tostring): 1}", '"\\(.)"', '"a\\(.)b"', ". as $x | [$x, $x]", "[.[]?]", "[.[]?] | length", "to_entries",
       "from_entries", "tostring | length", "tojson | fromjson", "implode", "explode", "splits(\",\")",
       "todateiso8601", "gmtime", "mktime", "strptime(\"%Y-%m-%dT%H:%M:%SZ\")",
       "fromjson", "@base64", "@uri", "@csv", "@html", "@sh", "@text", "@json", "ltrimstr(\"\")", "significand",
       "trunc", "log10", "exp10", "pow(.; 2)", "infinite", "isinfinite", "isnormal", "getpath([\"a\"])",
       "paths", "del(.a)", "tonumber?", "min_by(length?)", "indices(\"a\")",
       "index(\"a\")", "ascii_downcase | ascii_upcase", "test(\"\\\\s\")", "test(\"\\\\S\")",
       'gsub("\\\\s+"; "_")', 'gsub("[^A-Za-z0-9]"; "-")', 'sub("^."; "X")', 'gsub(""; "-")',
       'test("é")', 'test("a"; "x")', "strftime(\"%Y-%m-%dT%H:%M:%SZ\")", "strftime(\"%A %B %e %j\")"]))
PRINTERS = ["tostring", "tojson", '"\\(.)"', "[.] | tojson", "{v: .} | tojson"]


class InputGenerator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def value(self, depth: int = 0) -> Any:
        rng = self.rng
        r = rng.random()
        if depth >= 3 or r < 0.55:
            return self.scalar()
        if r < 0.78:
            return [self.value(depth + 1) for _ in range(rng.choice([0, 1, 2, 3]))]
        return {rng.choice(KEYS + ["é", "k", ""]): self.value(depth + 1) for _ in range(rng.choice([0, 1, 2, 3]))}

    def scalar(self) -> Any:
        rng = self.rng
        r = rng.random()
        if r < 0.15:
            return None
        if r < 0.25:
            return rng.choice([True, False])
        if r < 0.6:
            return rng.choice(EDGE_NUMBERS)
        return rng.choice(EDGE_STRINGS)

    def typed(self, key: str) -> Any:
        """What a key usually holds (``.a`` a number, ``.name`` a string…), as the typed chains expect."""
        rng = self.rng
        if key == "a":
            return rng.choice(EDGE_NUMBERS)
        if key == "name":
            return rng.choice(EDGE_STRINGS)
        if key == "b":
            return [self.scalar() if rng.random() < 0.8 else self.value(2) for _ in range(rng.choice([0, 1, 2, 3, 4]))]
        if key == "c":
            return {k: self.typed(k) for k in rng.sample(["a", "name", "b", "é"], rng.randint(0, 3))}
        return rng.choice(EDGE_NUMBERS + EDGE_STRINGS)

    def record(self) -> Any:
        """Mostly objects with the keys programs read, each usually of its type; sometimes any value."""
        rng = self.rng
        if rng.random() < 0.1:
            return self.value()
        keys = rng.sample(KEYS, rng.randint(1, len(KEYS)))
        return {key: self.typed(key) if rng.random() < 0.8 else self.value(1) for key in keys}


# -- runs and shrinking -------------------------------------------------------------------------


def compiles(program: str) -> bool:
    return jqrt.check(program) is None


@dataclass
class Disagreement:
    program: str
    value: Any
    result: Result
    tree: Node | None = None

    def describe(self) -> str:
        return self.result.describe(self.program)


def pairs(seed: int, programs: int, inputs_per_program: int) -> Iterator[tuple[Node, str, Any]]:
    """``programs`` generated programs that compile (tree and text), each with
    ``inputs_per_program`` inputs; the same seed gives the same pairs."""
    rng = random.Random(seed)
    program_gen = ProgramGenerator(rng)
    input_gen = InputGenerator(rng)
    made = 0
    while made < programs:
        tree = program_gen.program()
        text = tree.render()
        if not compiles(text):
            continue
        made += 1
        for _ in range(inputs_per_program):
            yield tree, text, input_gen.record()


def stratified_pairs(seed: int) -> Iterator[tuple[Node, str, Any]]:
    """Each construct of ``CONSTRUCTS`` on every value of every class of ``EDGE_CLASSES``, as
    ``.a | construct`` and printed (``.a | construct | tostring``, a printer of ``PRINTERS``
    chosen by ``seed``): each construct meets each edge value in every run. Printing shows what
    values cannot: jq keeps a number's literal until arithmetic makes a fresh double."""
    rng = random.Random(seed)
    for construct in CONSTRUCTS:
        bare = node(PIPE, (leaf(".a", path=True), COMMA), " | ", (leaf(construct, PIPE), PIPE))
        if not compiles(bare.render()):
            continue  # a builtin this jq does not have
        printed = {printer: node(PIPE, (bare, COMMA), " | ", (leaf(printer, PIPE), PIPE)) for printer in PRINTERS}
        for values in EDGE_CLASSES.values():
            for value in values:
                yield bare, bare.render(), {"a": value}
                tree = printed[rng.choice(PRINTERS)]
                yield tree, tree.render(), {"a": value}


def run(seed: int, programs: int, inputs_per_program: int, *, stratified: bool = False,
        stop_at_first: bool = False) -> tuple[int, int, list[Disagreement]]:
    """(pairs compared, pairs answered natively, disagreements). ``stratified``: the pairs of
    ``stratified_pairs`` first, then the generated ones; ``stop_at_first``: stop at the first
    disagreement (the same pairs in the same order: whether one is found does not change)."""
    count = covered = 0
    found: list[Disagreement] = []
    generated = pairs(seed, programs, inputs_per_program)
    for tree, program, value in itertools.chain(stratified_pairs(seed) if stratified else (), generated):
        if stop_at_first and found:
            break
        result = check(program, value)
        count += 1
        covered += result.covered
        if result.problem is not None:
            found.append(Disagreement(program, value, result, tree))
    return count, covered, found


def disagrees(program: str, value: Any) -> bool:
    return compiles(program) and check(program, value).problem is not None


def _value_candidates(value: Any) -> Iterator[Any]:
    """Smaller inputs than ``value``: its parts, fewer items, simpler scalars."""
    if isinstance(value, dict):
        for key in value:
            yield value[key]
            yield {k: v for k, v in value.items() if k != key}
        for key, item in value.items():
            for smaller in _value_candidates(item):
                yield {**value, key: smaller}
    elif isinstance(value, list):
        for index in range(len(value)):
            yield value[index]
            yield value[:index] + value[index + 1:]
        for index, item in enumerate(value):
            for smaller in _value_candidates(item):
                yield value[:index] + [smaller] + value[index + 1:]
    elif isinstance(value, str):
        if value:
            yield ""
            if len(value) > 1:
                yield value[: len(value) // 2]
                yield value[len(value) // 2:]
                yield value[1:]
                yield value[:-1]
    elif isinstance(value, bool) or value is None:
        if value is not None:
            yield None
    elif isinstance(value, (int, float)):
        for simpler in (0, 1, None):
            if typed(simpler) != typed(value):
                yield simpler


def _node_candidates(tree: Node) -> Iterator[Node]:
    """Smaller programs: a subtree replaced by one of its children or by a trivial term."""
    yield leaf(".", path=True)
    yield leaf("null", path=True)
    for child in tree.children():
        yield child
    for index, part in enumerate(tree.parts):
        if isinstance(part, str):
            continue
        child, need = part
        for smaller in _node_candidates(child):
            parts = list(tree.parts)
            parts[index] = (smaller, need)
            yield Node(tree.level, parts, tree.binds, tree.path)


def shrink(tree: Node | str, value: Any, budget: int = 4000) -> tuple[str, Any]:
    """A minimal (program, input) that still disagrees: greedy, smallest first, until no step helps."""
    current_tree = tree if isinstance(tree, Node) else None
    program = tree.render() if isinstance(tree, Node) else tree
    tries = 0
    improved = True
    while improved and tries < budget:
        improved = False
        if current_tree is not None:
            for candidate in _node_candidates(current_tree):
                tries += 1
                text = candidate.render()
                if candidate.size() < current_tree.size() and disagrees(text, value):
                    current_tree, program, improved = candidate, text, True
                    break
                if tries >= budget:
                    break
        for candidate in _value_candidates(value):
            tries += 1
            if disagrees(program, candidate):
                value, improved = candidate, True
                break
            if tries >= budget:
                break
    return program, value
