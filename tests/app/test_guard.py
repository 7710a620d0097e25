"""The runtime guard in the TUI: a fault-injected fast path (jqnative's ``tostring`` made wrong in
this test, never in the code) is caught while the user edits a field; the app tells which field,
which record and both values, and shows jq's answer."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from builder.engine import jqnative, mapping
from builder.engine.jqnative import runtime
from builder.engine.mapping import guard
from builder.tui.screens import results
from widgets.mapping_table import MappingTable

from .conftest import SIZE, settle
from .test_build_loop import pick, retype

pytestmark = pytest.mark.anyio


@pytest.fixture
def broken_tostring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    right = runtime.RUNTIME["_tostring"]

    def wrong(value: Any) -> str:
        text = right(value)
        return text + "!" if isinstance(value, (int, float)) and not isinstance(value, bool) else text

    guard.forget()
    monkeypatch.setitem(runtime.RUNTIME, "_tostring", wrong)
    monkeypatch.setattr(jqnative, "_cache", {})
    mapping.clear_compiled_cache()
    # Evaluate in a thread of this process (the app's fallback), where the fault is injected.
    monkeypatch.setattr(results, "EvalProcess", _no_process)
    yield
    guard.forget()
    mapping.clear_compiled_cache()


def _no_process(*args: Any) -> Any:
    raise OSError("no subprocesses in this test")


async def test_the_tui_tells_and_shows_jq_values(demo_app, broken_tostring: None) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "usage events")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.session.run.error is None
        table = app.query_one(MappingTable)
        row = table.row(("properties", "charged_cents"))
        await retype(pilot, table.focus_field(row.path), ".chargedCents | tostring")
        result = app.session.result
        first = result.records[0]
        assert row.value.plain == json.dumps(str(first["chargedCents"]))
        assert all(not entity["properties"]["charged_cents"].endswith("!") for entity in result.entities)
        told = [str(n.message) for n in app._notifications if "fast path disagreed" in str(n.message)]
        assert len(told) == 1
        assert "properties.charged_cents" in told[0] and "record 0" in told[0]
        assert json.dumps(str(first["chargedCents"]) + "!") in told[0]
