"""One jq program as mapping fields, mapped by our engine and by port-ocean, compared byte for byte.

Used by tests/oracle/test_jq_fields.py (a small committed table of cases derived from jq's own
test files) and ``scripts/fuzz-jqnative.py --jq-tests FILES --ocean`` (every (program, input) pair
of those files). Not a test module.

A pair becomes one resource whose mapping holds the program in two properties around a plain one
(``p``, ``q: .``, ``r``): Ocean evaluates each field on its own, our engine evaluates them together
(jqnative and the combined batch program), so both the fast path and the batch wrapping are under
test. The record is the input itself when it is an object (reached without a data_path, so
numbers stay exactly as parsed); any other input is wrapped as ``{"v": input}`` and the program
as ``.v | (program)``, since Ocean only maps objects.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_differential import Case, load_resource, oracle_python, run_oracle  # noqa: E402

from builder.engine import jqrt, mapping  # noqa: E402

__all__ = ["Difference", "FieldPair", "compare", "field_case", "oracle_python"]


@dataclass(frozen=True)
class FieldPair:
    program: str
    value: Any
    id: str = ""


def field_case(pair: FieldPair, case_id: str) -> Case | None:
    """The resource and response of ``pair``; None when the program does not compile as a field."""
    if isinstance(pair.value, dict):
        program, record = pair.program, copy.deepcopy(pair.value)
    else:
        # a newline only where a `# comment` needs it: it moves `$__loc__`'s line
        inner = "\n" + pair.program + "\n" if "#" in pair.program else pair.program
        program, record = ".v | (" + inner + ")", {"v": copy.deepcopy(pair.value)}
    if jqrt.check(program) is not None:
        return None
    mappings = {"identifier": '"x"', "blueprint": '"b"', "properties": {"p": program, "q": ".", "r": program}}
    resource = {"kind": "/jq", "selector": {"query": "true"}, "port": {"entity": {"mappings": mappings}}}
    return Case(case_id, [record], resource)


def _dumps(entities: list[Any]) -> str:
    return json.dumps(entities, ensure_ascii=False, allow_nan=True)


@dataclass
class Difference:
    case: Case
    native: bool
    ours: str
    ocean: str
    ocean_errors: list[str]

    def describe(self) -> str:
        fields = self.case.resource["port"]["entity"]["mappings"]["properties"]  # type: ignore[index]
        return (f"  program: {fields['p']}\n  record:  {json.dumps(self.case.responses[0], ensure_ascii=False)}\n"
                f"  ours ({'fast path' if self.native else 'jq only'}): {self.ours}\n  ocean: {self.ocean}"
                + (f"\n  ocean's errors: {self.ocean_errors[:3]}" if self.ocean_errors else ""))


def compare(python: str, cases: list[Case], ocean: dict[str, str] | None = None) -> list[Difference]:
    """Every case through port-ocean (one process) and through our engine, fast path on and off.
    ``ocean``: filled with port-ocean's entities (JSON text) by case id."""
    results = run_oracle(python, cases, env_access=True)
    differences: list[Difference] = []
    for case, expected in zip(cases, results):
        want = _dumps(expected["entities"]) if expected["config_error"] is None else f"config error {expected['config_error']}"
        if ocean is not None:
            ocean[case.id] = want
        resource = load_resource(case)
        for native in (True, False):
            ours = mapping.run(resource, copy.deepcopy(case.responses), env_access=True, native=native)
            got = _dumps(ours.entities)
            if got != want:
                differences.append(Difference(case, native, got, want, list(expected["errors"])))
    return differences
