"""A line chart of a dashboard (plotext): one line per series, one point per time bucket; a bucket
without data is a gap, not a zero."""

from __future__ import annotations

import os

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from builder.see.widgets import WidgetValue

#: The series' colours, in order: the line's and its legend entry's (the same RGB in both).
COLORS = [(0, 130, 200), (60, 180, 75), (230, 25, 75), (255, 225, 25), (245, 130, 48), (145, 30, 180)]
LEGEND_GAP = "  "
#: A plot shorter than this gets a one-line legend (names cut to fit) so that it keeps its lines.
ROOMY = 10


class LineChart(PlotextPlot):
    """``show(value)`` draws a computed line widget; redrawn on resize so the labels fit.

    The legend is drawn above the plot, not by plotext: plotext's sits inside the plot, over the
    lines, and disappears when the plot is short."""
    DEFAULT_CSS = """
    LineChart { height: 1fr; border: round $foreground 30%; }
    """

    _value: WidgetValue | None = None
    _series: list[tuple[str, tuple[int, int, int]]] = []

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
        self._series = []
        buckets = [b for b, _ in value.series[0].points] if value.series else []
        for n, series in enumerate(value.series):
            color = COLORS[n % len(COLORS)]
            self._series.append((series.name, color))
            points = [(i, v) for i, (_, v) in enumerate(series.points) if v is not None]
            if points:
                plt.plot([i for i, _ in points], [v for _, v in points], color=color, marker="braille")
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

    def legend(self, width: int, height: int) -> list[Text]:
        """The series' names, each after a mark in its line's colour, packed into lines of ``width``:
        two lines at most (one when the plot is short), the names' common prefix left out and then
        each name cut with … when they do not fit."""
        if not self._series or width < 8:
            return []
        names = [name for name, _ in self._series]
        most = 2 if height >= ROOMY else 1
        if len(_pack(names, width)) > most:
            prefix = os.path.commonprefix(names)
            prefix = prefix[:prefix.rfind("_") + 1] if "_" in prefix else ""
            if prefix and all(len(name) > len(prefix) for name in names):
                names = [name[len(prefix):] for name in names]
        longest = max(len(name) for name in names)
        while len(_pack(names, width)) > most and longest > 4:
            longest -= 1
            names = [name if len(name) <= longest else name[:longest - 1] + "…" for name in names]
        lines = []
        for row in _pack(names, width)[:most]:
            line = Text(no_wrap=True, overflow="ellipsis")
            for n in row:
                if line:
                    line.append(LEGEND_GAP)
                r, g, b = self._series[n][1]
                line.append("━━ ", style=f"rgb({r},{g},{b})")
                line.append(names[n])
            line.truncate(width, overflow="ellipsis")
            lines.append(line)
        return lines

    def render(self) -> RenderResult:
        width, height = self.size
        legend = self.legend(width, height)
        if not legend:
            return super().render()
        plot_height = max(1, height - len(legend))
        plot = self._plot
        plot.plotsize(width, plot_height)
        plot._set_size(width, plot_height)  # as PlotextPlot.render does (textual-plotext issue #5)
        plot.theme(self._get_plotext_theme_name(self.app.theme))
        return Text("\n").join([*legend, Text.from_ansi(plot.build())])


def _pack(names: list[str], width: int) -> list[list[int]]:
    """The indexes of ``names`` in lines of legend entries no wider than ``width``."""
    rows: list[list[int]] = [[]]
    used = 0
    for n, name in enumerate(names):
        size = 3 + len(name)
        if rows[-1] and used + len(LEGEND_GAP) + size > width:
            rows.append([])
            used = 0
        used += (len(LEGEND_GAP) if rows[-1] else 0) + size
        rows[-1].append(n)
    return rows
