"""Records that reach the mapping without a data_path keep their numbers exactly as parsed.

Ocean runs a data_path through jq, which hands back an integral float as an int (``-2.0`` → ``-2``);
without one, the page goes to the mapping as parsed, so ``-2.0`` stays a float and jq keeps its
literal (``tostring`` gives ``"-2.0"``) until arithmetic makes a fresh double (``fabs`` gives
``"2"``). Here the engine's answers on such records, through ``map_items`` (fast path on and off,
batch and one-record variants) and ``mapping.run`` with no data_path, against a table of what
libjq 1.8.2 (jq 1.13.0 on PyPI, port-ocean 0.56.2's) gives for each field on its own. The same
records go through port-ocean itself in tests/oracle/test_differential.py
(``float_records_without_data_path``).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jqgen import typed  # noqa: E402

from builder.engine import jqrt, mapping  # noqa: E402
from builder.project.load import parse_project  # noqa: E402
from builder.project.yamlio import dump  # noqa: E402

BIG = int(1e300)  # jq hands an integral double back as an int: 1e300 → 10**300 rounded to the double
PROGRAMS = [".a | fabs", ".a | fabs | tostring", ".a | tostring", ".a | -.", ".a | -. | tostring", "-.a",
            ".a | length", ".a | length | tostring", ".a | tojson", '"\\(.a | fabs)"', ".a | fabs | tojson",
            "[.a | fabs, length] | tojson"]
#: libjq 1.8.2's answer for each of PROGRAMS, per value of ``.a`` (written down from jq, not computed here)
EXPECTED: dict[float, list[Any]] = {
    -2.0: [2, "2", "-2.0", 2, "2.0", 2, 2, "2.0", "-2.0", "2", "2", "[2,2.0]"],
    2.0: [2, "2", "2.0", -2, "-2.0", -2, 2, "2.0", "2.0", "2", "2", "[2,2.0]"],
    1e300: [BIG, "1e+300", "1E+300", -BIG, "-1E+300", -BIG, BIG, "1E+300", "1E+300", "1e+300", "1e+300",
            "[1e+300,1E+300]"],
    -1e300: [BIG, "1e+300", "-1E+300", BIG, "1E+300", BIG, BIG, "1E+300", "-1E+300", "1e+300", "1e+300",
             "[1e+300,1E+300]"],
}
VALUES = list(EXPECTED)
MAPPINGS = {"identifier": ".id", "blueprint": '"thing"',
            "properties": {f"p{i}": program for i, program in enumerate(PROGRAMS)}}


def _records() -> list[dict[str, Any]]:
    return [{"id": f"r{i}", "a": value} for i, value in enumerate(VALUES)]


def _check(entities: list[dict[str, Any]]) -> None:
    assert [entity["identifier"] for entity in entities] == [f"r{i}" for i in range(len(VALUES))]
    for value, entity in zip(VALUES, entities):
        got = [entity["properties"][f"p{i}"] for i in range(len(PROGRAMS))]
        for program, mine, want in zip(PROGRAMS, got, EXPECTED[value]):
            assert typed(mine) == typed(want), (program, value, mine, want)


def test_the_table_is_what_jq_gives() -> None:
    """The written-down table against jq itself, field by field (jqrt.first: one jq run each)."""
    for value in VALUES:
        for program, want in zip(PROGRAMS, EXPECTED[value]):
            outcome = jqrt.first(program, {"a": value})
            assert outcome.status == "ok" and typed(outcome.ocean_value) == typed(want), (program, value, outcome)


@pytest.mark.parametrize("native", [True, False], ids=["fast-path", "jq-only"])
@pytest.mark.parametrize("variant", ["batch", "record"])
def test_map_items_on_parsed_floats(native: bool, variant: str) -> None:
    records = _records()
    result = mapping.map_items(records, MAPPINGS, native=native, variant=variant)
    _check(result.entities)
    assert not result.disagreements  # the fast path's own answers, not the guard's corrections
    assert records == _records()  # the records are not changed on the way


@pytest.mark.parametrize("native", [True, False], ids=["fast-path", "jq-only"])
def test_run_without_a_data_path(native: bool) -> None:
    resource = parse_project(dump({"resources": [{"kind": "/things", "selector": {"query": "true"},
                                                  "port": {"entity": {"mappings": MAPPINGS}}}]})).resources[0]
    assert resource.data_path in (None, "", ".")
    result = mapping.run(resource, copy.deepcopy(_records()), native=native)
    _check(result.entities)
