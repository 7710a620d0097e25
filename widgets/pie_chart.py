"""A pie chart of a dashboard, drawn as horizontal bars (a terminal has no round pixels): one bar per
slice with its share, at most 14 slices plus Other, as Port shows them."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from builder.see.widgets import WidgetValue

LABEL = 16  # characters of a slice's value before it is cut


class PieChart(PlotextPlot):
    DEFAULT_CSS = """
    PieChart { height: 1fr; border: round $foreground 30%; }
    """

    def show(self, value: WidgetValue) -> None:
        self.border_title = value.title
        total = sum(count for _, count in value.slices)
        self.border_subtitle = f"{total} entities · {len(value.slices)} slices"
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if value.slices:
            slices = list(reversed(value.slices))  # the largest on top
            # A long value is cut with … (the share stays whole): plotext gives the labels the width
            # of the longest one, taken from the bars.
            labels = [f"{label if len(label) <= LABEL else label[:LABEL - 1] + '…'} {count / total:.0%}"
                      for label, count in slices]
            plt.bar(labels, [count for _, count in slices], orientation="horizontal", width=0.6)
        else:
            plt.title("no data")
        self.refresh()
