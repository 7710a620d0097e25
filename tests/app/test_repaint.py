"""Repaints that cost what they change (widgets/repaint.py): a layout of the screen that leaves a
scrolling widget's size as it was leaves its scrollbars alone, and they still follow its content."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.scrollbar import ScrollBar

from widgets.json_viewer import JsonLines, JsonViewer
from widgets.resource_list import ResourceList

from .conftest import SIZE, settle
from .test_switch import demo, pick

pytestmark = pytest.mark.anyio


async def test_a_layout_that_changes_no_size_repaints_no_scrollbar_of_the_viewers_or_the_list(
        tmp_path: Path, monkeypatch) -> None:
    app = demo(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "usage-events")
        viewer = app.query_one("#response-json", JsonViewer).body
        resources = app.query_one(ResourceList)
        assert viewer.show_vertical_scrollbar and resources.show_vertical_scrollbar  # there is something to keep
        repainted: list[str] = []
        original = ScrollBar.refresh

        def refresh(self: ScrollBar, *args, **kwargs):
            if isinstance(self.parent, (JsonLines, ResourceList)):
                repainted.append(f"{type(self.parent).__name__}#{self.parent.id}")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(ScrollBar, "refresh", refresh)
        app.screen.refresh(layout=True)  # a layout of every widget, on the screen's next update
        await pilot.pause()
        await pilot.pause()
        assert repainted == []


async def test_the_scrollbars_still_follow_the_content(tmp_path: Path) -> None:
    app = demo(tmp_path / "cursor-builder.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.query_one("#response-json", JsonViewer).body
        short = viewer.vertical_scrollbar.window_virtual_size
        assert short == len(viewer.shown)
        await pick(pilot, "usage-events")
        assert len(viewer.shown) > short
        assert viewer.vertical_scrollbar.window_virtual_size == len(viewer.shown)
        assert viewer.show_vertical_scrollbar
        resources = app.query_one(ResourceList)
        assert resources.vertical_scrollbar.window_virtual_size == resources.option_count
