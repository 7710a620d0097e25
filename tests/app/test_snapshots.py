"""Snapshots of the main states at 140x44 (pytest-textual-snapshot; update with --snapshot-update).

Deterministic by construction: the simulator has a fixed "now" and seed, timings are hidden in
test mode and cursors do not blink."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SIZE
from .snapshot_states import STATES, demo_app


@pytest.mark.parametrize("state", list(STATES))
def test_main_states(state: str, snap_compare, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path / "cursor-builder.yaml"), terminal_size=SIZE, run_before=STATES[state])
