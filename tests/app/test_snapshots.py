"""Snapshots of the main states, every tab, dialog and the palette at 140x44, and the Build tab at
80x24, 100x30, 140x44 and 200x60 (pytest-textual-snapshot; update with --snapshot-update).

Deterministic by construction: the simulator has a fixed "now" and seed, timings are hidden in
test mode, cursors do not blink, nothing animates, each state waits on the work of the pane it
pictures, and what the Sync tab shows of the machine is pinned (``pinned_surroundings``)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from .conftest import SIZE
from .snapshot_states import SCREENS, SIZES, STATES, demo_app, field_editor, pinned_surroundings, response_loaded


@pytest.fixture
def surroundings(tmp_path: Path) -> Iterator[None]:
    with pinned_surroundings(tmp_path):
        yield


@pytest.mark.parametrize("state", list(STATES))
def test_main_states(state: str, snap_compare, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path / "cursor-builder.yaml"), terminal_size=SIZE, run_before=STATES[state])


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_screen(screen: str, snap_compare, surroundings: None) -> None:
    # Relative to tmp_path (the surroundings' working directory): paths the app offers, such as
    # the export directory, read the same on every run.
    assert snap_compare(demo_app(Path("cursor-builder.yaml")), terminal_size=SIZE, run_before=SCREENS[screen])


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("state", ["response-loaded", "field-editor"])
def test_sizes(state: str, size: tuple[int, int], snap_compare, tmp_path: Path) -> None:
    run_before = response_loaded if state == "response-loaded" else field_editor
    assert snap_compare(demo_app(tmp_path / "cursor-builder.yaml"), terminal_size=size, run_before=run_before)
