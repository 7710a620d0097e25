"""Required is the user's decision (issue #14, 11): inference against a blueprint the project already
has keeps its ``required`` list, so an untouched preset shows no changes; proposals only when asked."""

from __future__ import annotations

from typing import Any

import pytest

from builder.ship.schema import compare_blueprints, infer_blueprint

EXISTING = {"identifier": "b", "title": "B", "schema": {"properties": {"on": {"type": "boolean"},
                                                                    "n": {"type": "number"}}, "required": ["n"]}}


def entities() -> list[dict[str, Any]]:
    return [{"identifier": f"e{i}", "blueprint": "b", "properties": {"on": i % 2 == 0, "n": i}} for i in range(5)]


@pytest.mark.parametrize("propose,required,changed", [
    (None, ["n"], []),  # default with an existing blueprint: as the project has it, nothing to change
    (False, ["n"], []),
    (True, ["on", "n"], ["~ properties.on: boolean → boolean, required"]),  # asked: always-present → proposed
])
def test_required_follows_the_project_unless_asked(propose: bool | None, required: list[str],
                                                   changed: list[str]) -> None:
    inferred = infer_blueprint(entities(), existing=EXISTING, propose_required=propose)
    assert inferred.blueprint["schema"]["required"] == required
    assert compare_blueprints(inferred, EXISTING).lines() == changed


def test_a_new_blueprint_gets_proposals() -> None:
    assert infer_blueprint(entities()).blueprint["schema"]["required"] == ["on", "n"]
