"""A number widget of a dashboard: the value, big, with its unit and how many entities it read."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from builder.see.widgets import WidgetValue, format_number


class NumberChart(Static):
    DEFAULT_CSS = """
    NumberChart { height: 1fr; border: round $foreground 30%; border-title-color: $text; content-align: center middle;
                  padding: 0 1; }
    """

    def show(self, value: WidgetValue) -> None:
        self.border_title = value.title
        self.border_subtitle = f"{value.entities} entities"
        text = Text(format_number(value.value, value.unit), style="bold")
        if value.note:
            text.append(f"\n{value.note}", style="dim")
        self.update(text)
