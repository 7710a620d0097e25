#!/usr/bin/env python3
"""Long runs of the generated jq differential test: jqnative against jq, every disagreement shrunk.

    .venv/bin/python scripts/fuzz-jqnative.py --minutes 10 --seed 7
    .venv/bin/python scripts/fuzz-jqnative.py --jq-tests /path/to/jq/tests/jq.test [more.test …]
    .venv/bin/python scripts/fuzz-jqnative.py --jq-tests /path/to/jq/tests/*.test --ocean

Rounds of generated programs (tests/engine/jqgen.py) run from ``--seed`` upwards until the time is
up. Each disagreement is shrunk to a minimal (program, input) and printed once, as a line for
``FOUND`` in tests/engine/jqnative_cases.py. ``--jq-tests`` runs the (program, input) pairs of jq's
own test files (jqlang/jq ``tests/*.test``) instead; with ``--ocean``, each pair becomes a mapping
field (tests/oracle/jq_fields.py) mapped by our engine and by port-ocean 0.56.2 (the oracle venv:
``$ORACLE_PYTHON`` or .oracle-venv), entity payloads compared byte for byte. Exit 1 when anything
disagrees.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "engine"))
sys.path.insert(0, str(ROOT))

import jqgen  # noqa: E402

from builder.engine import jqrt  # noqa: E402

PROGRAMS_PER_ROUND = 200
INPUTS_PER_PROGRAM = 25


def jq_test_pairs(path: Path) -> Iterator[tuple[str, Any]]:
    """(program, input) of each test in a jq test file: blocks of program, input, outputs…,
    separated by blank lines; ``%%FAIL`` blocks (programs that must not compile) are skipped."""
    block: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#"):
            continue
        if line.strip():
            block.append(line)
            continue
        if len(block) >= 2 and not block[0].startswith("%%"):
            try:
                value = json.loads(block[1])
            except ValueError:
                value = None  # several inputs on one line, or none: not a mapping's single record
            else:
                yield block[0], value
        block = []


def _report(seen: dict[str, Any], program: str, value: Any, detail: str) -> None:
    if program in seen:
        return
    seen[program] = value
    print(f"\n{detail}\n  minimal: ({program!r}, [{jqgen.dumps(value)}]),", flush=True)


def fuzz(minutes: float, seed: int) -> int:
    deadline = time.monotonic() + minutes * 60
    seen: dict[str, Any] = {}
    total = covered = rounds = 0
    current = seed
    while time.monotonic() < deadline:
        # the first round also puts every construct on every edge value (jqgen.stratified_pairs)
        count, native, found = jqgen.run(current, PROGRAMS_PER_ROUND, INPUTS_PER_PROGRAM, stratified=current == seed)
        total, covered, rounds = total + count, covered + native, rounds + 1
        for disagreement in found:
            program, value = jqgen.shrink(disagreement.tree or disagreement.program, disagreement.value)
            _report(seen, program, value, f"[seed {current}]\n" + disagreement.describe())
        current += 1
    print(f"\nseeds {seed}..{current - 1}: {rounds} rounds, {total} pairs, {covered} answered natively, "
          f"{len(seen)} distinct minimal disagreements")
    return 1 if seen else 0


def batch_problem(program: str, value: Any) -> str | None:
    """The engine's batch evaluation (the combined jq program, and jqnative where it compiles) of a
    mapping holding ``program`` twice among other fields, against jq on that field alone (Ocean)."""
    from builder.engine.mapping.compiled import CompiledMapping

    alone = jqrt.first(program, value)
    want = None if alone.status == "error" else [] if alone.status == "empty" else [alone.value]
    mappings = {"identifier": '"id"', "properties": {"p": program, "q": ".", "r": program}}
    for native in (True, False):
        rows = CompiledMapping(mappings, "true", native=native).evaluate([value, value])
        for markers in rows:
            for marker in (markers[2], markers[4]):
                if jqgen.typed(marker) != jqgen.typed(want):
                    return (f"batch ({'native' if native else 'jq only'}) gives {jqgen.dumps(marker)}, "
                            f"the field alone {jqgen.dumps(want)}")
    return None


def run_jq_tests(paths: list[Path]) -> int:
    seen: dict[str, Any] = {}
    total = covered = batch_bad = 0
    for path in paths:
        for program, value in jq_test_pairs(path):
            if not jqgen.compiles(program):
                continue
            result = jqgen.check(program, value)
            total += 1
            covered += result.covered
            if result.problem is not None:
                small_program, small_value = jqgen.shrink(program, value)
                _report(seen, small_program, small_value, f"[{path.name}]\n" + result.describe(program))
            problem = batch_problem(program, value)
            if problem is not None:
                batch_bad += 1
                print(f"\n[{path.name}] batch\n  program: {program}\n  input:   {jqgen.dumps(value)}\n  {problem}")
    print(f"\n{total} pairs from jq's tests, {covered} answered natively, {len(seen)} jqnative disagreements, "
          f"{batch_bad} batch disagreements")
    return 1 if seen or batch_bad else 0


def run_jq_tests_ocean(paths: list[Path]) -> int:
    """Every pair of jq's test files as mapping fields, our engine against port-ocean."""
    import os

    sys.path.insert(0, str(ROOT / "tests" / "oracle"))
    import jq_fields

    python = jq_fields.oracle_python()
    if python is None:
        print("fuzz-jqnative: no port-ocean venv (run scripts/setup-oracle.sh or set ORACLE_PYTHON)", file=sys.stderr)
        return 2
    # The runner inherits this process's environment and port-ocean hands it to `env`: install the same.
    jqrt.install_environment(dict(os.environ))
    cases = []
    skipped = 0
    for path in paths:
        for number, (program, value) in enumerate(jq_test_pairs(path)):
            case = jq_fields.field_case(jq_fields.FieldPair(program, value), f"{path.name}#{number}")
            if case is None:
                skipped += 1
            else:
                cases.append(case)
    differences = []
    for start in range(0, len(cases), 200):  # one port-ocean process per 200 cases
        differences.extend(jq_fields.compare(python, cases[start:start + 200]))
    # port-ocean loses a batch when its process pool times out (a loaded machine): a difference
    # counts when a fresh port-ocean process gives it again
    again = list({id(d.case): d.case for d in differences}.values())
    confirmed = jq_fields.compare(python, again) if again else []
    for difference in confirmed:
        print(f"\n[{difference.case.id}]\n{difference.describe()}")
    print(f"\n{len(cases)} pairs from jq's tests as mapping fields ({skipped} do not compile as one), "
          f"{len(confirmed)} differences from port-ocean ({len(again) - len({id(d.case) for d in confirmed})} "
          f"more seen once, not again in a fresh port-ocean process)")
    return 1 if confirmed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="how long to run (default 5)")
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100000, help="first seed (default: the clock)")
    parser.add_argument("--jq-tests", type=Path, nargs="+", help="jq test files to run instead of generated programs")
    parser.add_argument("--ocean", action="store_true",
                        help="with --jq-tests: map each pair as a field, our engine against port-ocean")
    args = parser.parse_args()
    if args.jq_tests:
        missing = [str(path) for path in args.jq_tests if not path.is_file()]
        if missing:
            print(f"fuzz-jqnative: no such file: {', '.join(missing)} (give jq's tests/*.test files)", file=sys.stderr)
            return 2
        return run_jq_tests_ocean(args.jq_tests) if args.ocean else run_jq_tests(args.jq_tests)
    if args.ocean:
        print("fuzz-jqnative: --ocean goes with --jq-tests FILES", file=sys.stderr)
        return 2
    print(f"fuzz-jqnative: {args.minutes} minutes from seed {args.seed}", flush=True)
    return fuzz(args.minutes, args.seed)


if __name__ == "__main__":
    sys.exit(main())
