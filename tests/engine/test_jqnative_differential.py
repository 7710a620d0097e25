"""Differential test: ``builder.engine.jqnative.first`` against jq (``builder.engine.jqrt.first``).

Why it exists: jqnative compiles a subset of jq to Python so that mapping fields run without a
trip through jq. A mapping value that differs from jq's is a silent data bug in Port (a wrong
identifier, a number that became a string, 1 instead of 1.0 in a title), so the fast path is only
acceptable if, whenever it answers, it answers exactly what jq answers. It may always decline
(return None): that costs speed, never correctness.

The contract checked for every (program, input) pair of the corpus (``jqnative_cases.py``):

* native None → fine (not covered);
* otherwise a ``jqrt.Outcome`` whose status equals jq's; for "ok"/"null" the values are equal as
  JSON text AND type-exact, recursively (bool vs int, int vs float, key order) — see ``jqgen.typed``;
  for "error" only the status must agree (the native message may be None);
* the native call must not raise and must not modify its input.

``test_native_covers_cursor_mappings`` is the speed target: in the ``cursor-mappings`` group
(the preset's mappings on its sample records, Port's doc mappings, the lead's realistic Cursor
mappings) native must answer every case where jq succeeds.

Run ``python tests/engine/test_jqnative_differential.py`` for a summary (cases, coverage per
group, every mismatch).
"""

from __future__ import annotations

import collections
import functools
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))  # the repo, when run as a script

from jqgen import Result, check, typed  # noqa: E402
from jqnative_cases import BATCH_FOUND, COVERAGE_GROUP, Case, build_cases, dumps  # noqa: E402

from builder.engine import jqrt  # noqa: E402
from builder.engine.mapping.compiled import CompiledMapping  # noqa: E402

CASES: list[Case] = build_cases()
MIN_CASES = 2000


@functools.cache
def results(index: int) -> list[Result]:
    """Every input of ``CASES[index]`` run both ways (cached: the coverage test reuses them)."""
    case = CASES[index]
    return [check(case.program, value) for value in case.inputs]


def _case_id(index: int) -> str:
    case = CASES[index]
    program = " ".join(case.program.split())
    return f"{case.group}#{index}:{program[:70]}"


@pytest.mark.parametrize("index", range(len(CASES)), ids=[_case_id(i) for i in range(len(CASES))])
def test_native_matches_jq(index: int) -> None:
    case = CASES[index]
    bad = [r for r in results(index) if r.problem is not None]
    if bad:  # pytest.fail: the message says it all (assert would also dump the Result objects)
        pytest.fail(f"{len(bad)} of {len(case.inputs)} inputs disagree with jq for {case.program!r}:\n"
                    + "\n\n".join(r.describe(case.program) for r in bad), pytrace=False)


def test_native_covers_cursor_mappings() -> None:
    """THE COVERAGE GROUP (``cursor-mappings``): every case where jq gives a value (ok or null) must
    be answered natively — the mapping speed target depends on it."""
    uncovered: dict[str, list[Result]] = collections.defaultdict(list)
    needed = 0
    for index, case in enumerate(CASES):
        if case.group != COVERAGE_GROUP:
            continue
        for result in results(index):
            if result.oracle.status in ("ok", "null"):
                needed += 1
                if not result.covered:
                    uncovered[case.program].append(result)
    missing = sum(len(v) for v in uncovered.values())
    listing = "\n".join(f"  {len(rs):5d} inputs  {program}\n         e.g. {dumps(rs[0].value)[:160]}"
                        for program, rs in sorted(uncovered.items(), key=lambda kv: -len(kv[1])))
    if uncovered:
        pytest.fail(f"native declines {missing} of {needed} cursor-mappings cases where jq succeeds, "
                    f"in {len(uncovered)} programs:\n{listing}", pytrace=False)


@pytest.mark.parametrize("fields, records", BATCH_FOUND, ids=[" ; ".join(f) for f, _ in BATCH_FOUND])
@pytest.mark.parametrize("native", [True, False], ids=["native", "jq-only"])
def test_batch_gives_each_field_its_own_answer(fields: list[str], records: list[Any], native: bool) -> None:
    """A mapping's fields over a batch of records give what each field gives on its own in jq
    (Ocean evaluates one field at a time), whatever the batch program wraps them in."""
    mappings = {"identifier": '"id"', "properties": {f"p{i}": text for i, text in enumerate(fields)}}
    compiled = CompiledMapping(mappings, "true", native=native)
    got = compiled.evaluate(records)
    for record, markers in zip(records, got):
        for leaf, marker in zip(compiled.leaves, markers[1:]):
            alone = jqrt.first(leaf.expr, record)
            want = None if alone.status == "error" else [] if alone.status == "empty" else [alone.value]
            assert typed(marker) == typed(want), (leaf.expr, dumps(record), marker, want)


def test_corpus_is_complete() -> None:
    """The corpus really holds what it claims (samples loaded, preset and doc expressions found)."""
    total = sum(len(case.inputs) for case in CASES)
    assert total >= MIN_CASES, total
    empty = [case.id for case in CASES if not case.inputs]
    assert not empty, empty
    coverage = [case for case in CASES if case.group == COVERAGE_GROUP]
    programs = {case.program for case in coverage}
    # A few expressions that must be there if project.yaml, the samples and Port's doc were read.
    for expected in ('.date / 1000 | todate', '.totals.total_accepts', 'if .eventType == "composer" then 1 else 0 end',
                     '[.rows[].totalAccepts] | add', '"cursor_member"'):
        assert expected in programs, expected
    assert sum(len(case.inputs) for case in coverage) >= 5000


def _summary() -> None:
    """Counts per group, coverage, and every mismatch grouped by problem (for the lead)."""
    per_group: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0, 0])  # cases, covered, mismatches
    by_problem: dict[str, list[str]] = collections.defaultdict(list)
    for index, case in enumerate(CASES):
        for result in results(index):
            stats = per_group[case.group]
            stats[0] += 1
            stats[1] += result.covered
            if result.problem is not None:
                stats[2] += 1
                key = "native modified its input" if result.problem.startswith("native modified") else result.problem
                by_problem[key].append(f"[{case.group}]\n" + result.describe(case.program))
    total = [sum(v[i] for v in per_group.values()) for i in range(3)]
    print(f"{total[0]} cases, {total[1]} covered natively, {total[2]} mismatches\n")
    for group, (n, covered, bad) in sorted(per_group.items()):
        print(f"  {group:28s} {n:6d} cases  {covered:6d} covered  {bad:5d} mismatches")
    for problem, items in sorted(by_problem.items(), key=lambda kv: -len(kv[1])):
        print(f"\n=== {problem}: {len(items)}")
        print("\n\n".join(items))


if __name__ == "__main__":
    _summary()
