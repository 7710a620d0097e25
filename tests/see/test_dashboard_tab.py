"""The Dashboard tab on the demo: all nine widgets of Cursor AI Insights filled from the simulator
(fixed clock and seed), the same values as `cursor-builder dashboard`, and snapshots at 140×44 and
100×30 (update with --snapshot-update; open the SVGs and look at them)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from rich.text import Text
from textual.widgets import Input

from builder.simulator import SimulatorConfig
from builder.tui.app import BuilderApp, make_app
from builder.tui.screens.dashboard import DashboardPane
from widgets.line_chart import LineChart

NOW = datetime(2026, 5, 5, 12, 0, tzinfo=timezone.utc)


def demo_app(tmp_path: Path) -> BuilderApp:
    return make_app(tmp_path / "cursor-builder.yaml", demo=True,
                    simulator=SimulatorConfig(now=NOW, seed=42, rate_limits=False), env={}, test_mode=True)


async def dashboard_shown(pilot: Any) -> None:
    """Open the tab and wait for its worker (no sleeps: wait on the work itself)."""
    app = pilot.app
    await pilot.press("ctrl+d")
    for _ in range(100):
        await pilot.pause()
        await app.workers.wait_for_complete()
        panes = app.query(DashboardPane)
        if panes and panes.first().loaded and panes.first().values and not any(w.is_running for w in app.workers):
            break
    else:
        raise AssertionError("the Dashboard tab did not load")
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    for widget in app.query("*"):
        if hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False


@pytest.mark.parametrize("size", [(140, 44), (100, 30)], ids=["140x44", "100x30"])
def test_dashboard_snapshot(size: tuple[int, int], snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=dashboard_shown)


@pytest.mark.anyio
async def test_all_nine_widgets_are_filled_and_settings_toggle(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 44)) as pilot:
        await dashboard_shown(pilot)
        pane = app.query_one(DashboardPane)
        assert not pane.problems
        values = {v.id: v for v in pane.values}
        assert len(values) == 9
        assert values["totalActiveUsers"].value == 29 and values["totalAiAccepts"].value == 357
        for value in values.values():
            assert value.entities > 0, value.id
        assert values["aiModelUsageDistribution"].slices
        assert values["userActivityBreakdown"].calculated == ["acceptance_rate"]
        assert any(p for s in values["dailyCommitActivity"].series for _, p in s.points)
        # F1 on the tab says what Port leaves open and what this tab chose
        await pilot.press("f1")
        await pilot.pause()
        assert getattr(app.screen, "help_title", None) == "Dashboard"
        assert "UTC" in app.screen.markdown and "rolling" in app.screen.markdown
        await pilot.press("escape")
        await pilot.pause()
        # n: one setting switches how nulls count; the redraw happens without a new fetch
        await pilot.press("n")
        assert pane.options.nulls == "zero"
        await pilot.press("g")
        assert pane.options.time_range == "days"
        assert "nulls zero" in str(pane.query_one("#dash-summary").render())
        # z: the time zone of the buckets; an unknown zone is refused in the dialog, one line
        await pilot.press("z")
        await pilot.pause()
        prompt = app.screen.query_one("#prompt-input", Input)
        prompt.value = "Mars/Olympus"
        await pilot.press("enter")
        await pilot.pause()
        assert "unknown time zone" in str(app.screen.query_one("#prompt-error").render())
        prompt.value = "America/New_York"
        await pilot.press("enter")
        await pilot.pause()
        assert pane.options.timezone == "America/New_York"
        weeks = [b for b, _ in next(v for v in pane.values if v.id == "dailyCostTrends").series[0].points]
        assert weeks[0].endswith("-04:00")


@pytest.mark.parametrize("size", [(140, 44), (100, 30)], ids=["140x44", "100x30"])
@pytest.mark.anyio
async def test_line_chart_legends_sit_above_the_plot_never_over_it(size: tuple[int, int], tmp_path: Path) -> None:
    """plotext drew its legend inside the plot, over the lines (and dropped it when short): the
    legend is now the chart's first lines, an entry per series, and the plot below names none."""
    app = demo_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await dashboard_shown(pilot)
        charts = list(app.query(LineChart))
        assert len(charts) == 4  # of Cursor AI Insights
        for chart in charts:
            width, height = chart.size
            legend = chart.legend(width, height)
            assert legend and all(line.cell_len <= width for line in legend), chart.id
            drawn = chart.render()
            assert isinstance(drawn, Text)
            lines = drawn.split("\n")
            assert len(lines) <= height
            assert [line.plain for line in lines[:len(legend)]] == [line.plain for line in legend]
            assert " ".join(line.plain for line in legend).count("━━") == len(chart._series)
            plot = "\n".join(line.plain for line in lines[len(legend):])
            assert not any(name in plot for name, _ in chart._series), chart.id


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
