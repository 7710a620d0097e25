"""A line chart of a dashboard (plotext): one line per series, one point per time bucket; a bucket
without data is a gap, not a zero."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from builder.see.widgets import WidgetValue


class LineChart(PlotextPlot):
    """``show(value)`` draws a computed line widget; redrawn on resize so the labels fit."""
    DEFAULT_CSS = """
    LineChart { height: 1fr; border: round $foreground 30%; }
    """

    _value: WidgetValue | None = None

    def on_resize(self) -> None:
        if self._value is not None:
            self.show(self._value)

    def show(self, value: WidgetValue) -> None:
        self._value = value
        self.border_title = value.title
        self.border_subtitle = f"{value.entities} entities · ISO weeks"
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        buckets = [b for b, _ in value.series[0].points] if value.series else []
        for series in value.series:
            points = [(i, v) for i, (_, v) in enumerate(series.points) if v is not None]
            if points:
                plt.plot([i for i, _ in points], [v for _, v in points], label=series.name[:24], marker="braille")
        if buckets:
            # Only as many labels as fit without touching: plotext otherwise drops overlapping ones
            # in an order that varies from run to run (and the snapshots with it).
            room = max(1, (self.size.width - 10) // 8)
            step = max(1, -(-len(buckets) // room))
            ticks = list(range(0, len(buckets), step))
            plt.xticks(ticks, [buckets[i][5:10] for i in ticks])
            plt.xlim(-0.2, len(buckets) - 0.8)
        if not any(v is not None for s in value.series for _, v in s.points):
            plt.title("no data in the range")
        self.refresh()
