"""Generated jq programs × generated inputs: jqnative gives jq's answer or declines, never another.

A bounded run of tests/engine/jqgen.py for CI: every construct on every edge value
(``jqgen.stratified_pairs``), then ``PAIRS`` generated pairs, from a fixed seed (set
``JQNATIVE_FUZZ_SEED`` to try another, e.g. a random one in a scheduled job: the seed is in the
failure message). ``scripts/fuzz-jqnative.py --minutes N --seed S`` runs longer; every minimal
case either finds goes into ``FOUND`` in jqnative_cases.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import jqgen  # noqa: E402

from builder.engine.jqnative import runtime, values  # noqa: E402
from builder.engine.jqnative.runtime import Bail  # noqa: E402

DEFAULT_SEED = 20260510
PROGRAMS = 800
INPUTS_PER_PROGRAM = 25
PAIRS = PROGRAMS * INPUTS_PER_PROGRAM  # ≥ 20,000 generated, after the stratified pairs


def _seed() -> int:
    return int(os.environ.get("JQNATIVE_FUZZ_SEED", DEFAULT_SEED))


def test_generated_programs_match_jq() -> None:
    seed = _seed()
    print(f"jqnative generated differential: seed {seed} (JQNATIVE_FUZZ_SEED={seed} reproduces)")
    count, covered, found = jqgen.run(seed, PROGRAMS, INPUTS_PER_PROGRAM, stratified=True)
    assert count >= 20_000 + len(jqgen.CONSTRUCTS) * sum(map(len, jqgen.EDGE_CLASSES.values())), count
    # A generator whose programs jqnative always declines would prove nothing.
    assert covered >= count // 4, f"only {covered} of {count} pairs answered natively (seed {seed})"
    if found:
        shown = []
        for disagreement in found[:3]:
            program, value = jqgen.shrink(disagreement.tree or disagreement.program, disagreement.value, budget=1500)
            shown.append(disagreement.describe() + "\n  minimal: " + f"({program!r}, [{jqgen.dumps(value)}])")
        pytest.fail(f"seed {seed}: {len(found)} of {count} generated pairs disagree with jq "
                    f"(JQNATIVE_FUZZ_SEED={seed} reproduces):\n" + "\n\n".join(shown), pytrace=False)


def test_the_check_catches_a_wrong_fast_path_and_shrinks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A planted wrong answer (``tostring`` of 7 is "7!") is a disagreement, and the shrinker
    brings a large program and input down to the few pieces that show it."""
    wrong = values._tostring

    def planted(x: object) -> str:
        return wrong(x) + ("!" if x == 7 and x.__class__ is int else "")

    monkeypatch.setitem(runtime.RUNTIME, "_tostring", planted)
    monkeypatch.setattr(jqgen.jqnative, "_cache", {})
    program = '.b as $y | [.a | tostring, "x"] | .[0] + "-" + ($y | length | tostring)'
    value = {"a": 7, "b": [1, 2, 3, "s"], "c": {"name": "x"}}
    assert jqgen.check(program, value).problem == "different value"
    small_program, small_value = jqgen.shrink(program, value)
    assert jqgen.disagrees(small_program, small_value)
    assert len(jqgen.dumps(small_value)) < len(jqgen.dumps(value))
    assert jqgen.check(".a | tostring", {"a": 1}).problem is None


def test_the_generator_reaches_every_construct() -> None:
    """The programs of a run use every construct jqnative compiles (so a missing one is a choice)."""
    texts = {text for _, text, _ in jqgen.pairs(_seed(), PROGRAMS, 1)}
    joined = "\n".join(texts)
    for construct in (" as $", "?", " // ", "if ", " elif ", " and ", " or ", "not", " + ", " - ", " * ", " / ",
                      " % ", " == ", " < ", "\\(", "{(", "[]", ".[]?", "select(", "map(", "first(", "any", "all",
                      "test(", "gsub(", "sub(", "todate", "strftime(", "fromdateiso8601", "tostring", "tonumber",
                      "fabs", "floor", "round", "split(", "join(", "[1:]", "to_entries", "group_by(", "sort_by(",
                      "-."):
        assert construct in joined, construct
    # the stratified part: every construct compiles (none is silently skipped)
    assert [c for c in jqgen.CONSTRUCTS if not jqgen.compiles(".a | " + c)] == []


def _fabs_keeps_the_literal(x: object) -> object:
    """Issue #10's class: ``-2.0 | fabs`` as the float 2.0 (jq: a fresh double, the int 2)."""
    if x.__class__ is float:
        return -x if x < 0 else x
    return _REAL["_fabs"](x)


def _tostring_pads_tiny_floats(x: object) -> str:
    """Wrong for floats under 1e-3 only (``1e-4`` → "0.000100")."""
    if x.__class__ is float and 0 < abs(x) < 1e-3:  # type: ignore[operator]
        return f"{x:f}"
    return _REAL["_tostring"](x)


def _tostring_drops_the_float_literal(x: object) -> str:
    """Wrong for negative integral floats only (``-2.0`` → "-2"; jq keeps the literal "-2.0")."""
    if x.__class__ is float and x < 0 and x.is_integer():  # type: ignore[operator, union-attr]
        if x < -1e15:  # type: ignore[operator]
            raise Bail
        return str(int(x))  # type: ignore[call-overload]
    return _REAL["_tostring"](x)


_REAL = dict(runtime.RUNTIME)
#: (runtime rule, its planted wrong version)
MUTANTS = {"fabs-literal": ("_fabs", _fabs_keeps_the_literal), "tostring-tiny": ("_tostring", _tostring_pads_tiny_floats),
           "tostring-neg-integral": ("_tostring", _tostring_drops_the_float_literal)}


@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_the_ci_budget_catches_planted_rare_mutants(mutant: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule wrong on one edge class only is caught by the CI run itself (its seed, its pairs,
    in its order; stopping at the first disagreement changes nothing about whether one is found)."""
    name, wrong = MUTANTS[mutant]
    monkeypatch.setitem(runtime.RUNTIME, name, wrong)
    monkeypatch.setattr(jqgen.jqnative, "_cache", {})
    seed = _seed()
    count, _, found = jqgen.run(seed, PROGRAMS, INPUTS_PER_PROGRAM, stratified=True, stop_at_first=True)
    assert found, f"seed {seed}: the planted {mutant} mutant went unnoticed in {count} pairs"
    # and the mutant really is rare: a plain `.a | fabs` / `.a | tostring` on most values agrees
    ordinary = [v for values in jqgen.EDGE_CLASSES.values() for v in values]
    program = ".a | " + name.lstrip("_")
    agreeing = sum(jqgen.check(program, {"a": v}).problem is None for v in ordinary)
    assert agreeing >= len(ordinary) * 0.85, agreeing
