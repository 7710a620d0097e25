"""Generated jq programs × generated inputs: jqnative gives jq's answer or declines, never another.

A bounded run of tests/engine/jqgen.py for CI (``PAIRS`` pairs from a fixed seed; set
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

from builder.engine.jqnative import runtime  # noqa: E402

DEFAULT_SEED = 20260510
PROGRAMS = 800
INPUTS_PER_PROGRAM = 25
PAIRS = PROGRAMS * INPUTS_PER_PROGRAM  # ≥ 20,000


def _seed() -> int:
    return int(os.environ.get("JQNATIVE_FUZZ_SEED", DEFAULT_SEED))


def test_generated_programs_match_jq() -> None:
    seed = _seed()
    print(f"jqnative generated differential: seed {seed} (JQNATIVE_FUZZ_SEED={seed} reproduces)")
    count, covered, found = jqgen.run(seed, PROGRAMS, INPUTS_PER_PROGRAM)
    assert count >= 20_000, count
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
    wrong = runtime._tostring

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
