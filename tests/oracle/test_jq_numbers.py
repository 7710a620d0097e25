"""jqrt's simple-path walk (``.a.b`` without jq) must hand back exactly what jq would.

Ocean runs every data_path through jq, and jq changes numbers on the way (integral floats become
ints, big ints lose digits, NaN → null, ±Infinity → ±DBL_MAX) and fails on a lone surrogate. The
walk reproduces that with json's parse hooks or hands over to jq; here jq itself is the reference
(no port-ocean needed).
"""

from __future__ import annotations

import json
import random
import sys

import jq
import pytest

from builder.engine import jqrt

DBL_MAX = sys.float_info.max


def _values(seed: int, count: int) -> list:
    rnd = random.Random(seed)
    out: list = []
    for _ in range(count):
        roll = rnd.random()
        if roll < 0.25:
            out.append(rnd.uniform(-1e6, 1e6))
        elif roll < 0.4:
            out.append(float(rnd.randint(-10**6, 10**6)))
        elif roll < 0.55:
            out.append(10.0 ** rnd.randint(-320, 308) * rnd.choice([1, -1, 1.5, 3.25, 7.123456789]))
        elif roll < 0.65:
            out.append(rnd.randint(-2**70, 2**70))
        elif roll < 0.75:
            out.append(rnd.choice([0.0, -0.0, 5e-324, DBL_MAX, -DBL_MAX, float("nan"), float("inf"),
                                   float("-inf"), 2.0**53, 2**53 + 1, 10**400, -10**400, 1e21]))
        elif roll < 0.9:
            out.append(round(rnd.uniform(0, 100), rnd.randint(0, 6)))
        else:
            out.append(rnd.choice(["1.0", "x 1e+5", "日本", "🚀", "", None, True, False, [1.0, {"b": 2.0}]]))
    return out


def _jq(path: str, data):
    try:
        return "ok", jq.compile(path).input_value(data).first()
    except Exception as exc:  # noqa: BLE001 - jq's parse errors are ValueErrors
        return "error", str(exc)


@pytest.mark.parametrize("seed", range(6))
def test_walk_gives_what_jq_gives(seed: int) -> None:
    values = _values(seed, 400)
    data = {"page": {"items": values}, "n": 1.0}
    outcome = jqrt.first(".page.items", data)
    kind, expected = _jq(".page.items", data)
    assert kind == "ok"
    assert outcome.status == "ok"
    assert json.dumps(outcome.value) == json.dumps(expected)
    assert [type(v) for v in outcome.value] == [type(v) for v in expected]


@pytest.mark.parametrize("value", [1.0, -0.0, 1e21, 2**53 + 1, 12345678901234567890123, float("nan"), float("inf"),
                                   "1.0", "\ud800", {"x": [2.0, "ok"]}, 0.30000000000000004, 9007199254740992])
def test_single_values(value) -> None:
    data = {"a": value}
    outcome = jqrt.first(".a", data)
    kind, expected = _jq(".a", data)
    if kind == "error":
        assert outcome.status == "error"
    else:
        assert json.dumps(outcome.ocean_value) == json.dumps(expected)
        assert type(outcome.ocean_value) is type(expected)
