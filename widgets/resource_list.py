"""The project's resources, each with its last status (records, dropped, errors)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from builder.project.printable import printable

from widgets.help_data import HelpData
from widgets.repaint import KeepsScrollbars
from widgets.resource_status import ResourceStatus


class ResourceList(KeepsScrollbars, OptionList):
    HELP: ClassVar = HelpData(
        "Resources",
        """The project's resources: one Cursor endpoint each, with its own request, data_path and
mapping. The badge is the last result: **✓ N** entities, **⚠ N** entities but some fields fail or
records are dropped (see the mapping and the Dropped tab), **✗ status** when the request failed.

- **↑ ↓ / Enter** select a resource
- **a** add, **c** duplicate (copy), **f2** rename, **Delete** remove""",
    )

    BINDINGS: ClassVar = [
        Binding("a", "request('add')", "Add", tooltip="Add a resource", id="resources.add"),
        Binding("c", "request('duplicate')", "Duplicate", tooltip="Duplicate the selected resource",
                id="resources.duplicate"),
        Binding("delete", "request('remove')", "Remove", tooltip="Remove the selected resource",
                id="resources.remove"),
    ]

    DEFAULT_CSS = """
    ResourceList { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # What show() was given: the labels are laid out again for each width and highlight.
        self._names: list[str] = []
        self._statuses: dict[str, ResourceStatus | None] = {}

    @dataclass
    class Requested(Message):
        """The user asked for ``action`` (add, duplicate, remove) on the highlighted resource."""

        action: str

    @dataclass
    class Chosen(Message):
        index: int

    def action_request(self, action: str) -> None:
        self.post_message(self.Requested(action))

    def show(self, names: list[str], statuses: dict[str, ResourceStatus | None], selected: int) -> None:
        self._names, self._statuses = list(names), dict(statuses)
        selected = max(0, min(selected, len(names) - 1))
        self.clear_options()
        self.add_options([Option(self._label(index, index == selected), id=f"resource-{index}")
                          for index in range(len(names))])
        if names:
            self.highlighted = selected

    def _width(self) -> int:
        """Cells a label may take: the list's width less room for its scrollbar, whether or not it
        shows yet (a scrollbar appearing resizes nothing), 0 before the first layout."""
        return max(0, self.content_region.width - self.styles.scrollbar_size_vertical) if self.size.width else 0

    def _label(self, index: int, highlighted: bool) -> Text:
        """The name and its badge in the list's width. Names often share their start and differ at
        the end (analytics-by-user-client-versions, analytics-client-versions): the highlighted one
        is shown whole, wrapped at its dashes; the others keep their start and end around a …"""
        name = printable(self._names[index], one_line=True)
        status = self._statuses.get(self._names[index])
        badge = status.badge() if status is not None else Text()
        gap = "  " if badge else ""
        width = self._width()
        label = Text(no_wrap=True, overflow="ellipsis")
        if width <= 0 or len(name) + len(gap) + badge.cell_len <= width:
            return label.append(name).append(gap).append_text(badge)
        if badge.cell_len > 1 and not highlighted:
            badge = badge[:1]  # the name comes first: its symbol (✓ ⚠ ✗) still says how it went
        if len(name) + len(gap) + badge.cell_len <= width:
            return label.append(name).append(gap).append_text(badge)
        if highlighted:
            lines = wrap_at_dashes(name, width)
            for line in lines[:-1]:
                label.append(line + "\n")
            label.append(lines[-1])
            if len(lines[-1]) + len(gap) + badge.cell_len > width:
                gap = "\n"
            return label.append(gap).append_text(badge)
        return label.append(middle_ellipsis(name, width - len(gap) - badge.cell_len)).append(gap).append_text(badge)

    def _relabel(self, *indexes: int | None) -> None:
        for index in indexes:
            if index is not None and 0 <= index < min(len(self._names), self.option_count):
                label, prompt = self._label(index, index == self.highlighted), self.get_option_at_index(index).prompt
                # Replacing a prompt drops every option's rendering and line cache: only when it changes
                # (a name that fits the width reads the same highlighted or not).
                if not (isinstance(prompt, Text) and (prompt.plain, prompt.spans) == (label.plain, label.spans)):
                    self.replace_option_prompt_at_index(index, label)

    def on_resize(self) -> None:
        self._relabel(*range(len(self._names)))

    # Textual passes (old, new) to a watcher that takes two: the label losing the highlight shrinks back.
    def watch_highlighted(self, old: int | None, new: int | None) -> None:  # type: ignore[override]
        self._relabel(old, new)  # first: scrolling to the highlight needs its new height
        super().watch_highlighted(new)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option_index))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option_index))


def middle_ellipsis(name: str, width: int) -> str:
    """``name`` in ``width`` characters: its start and its end (where names differ most) around …"""
    if len(name) <= width:
        return name
    if width <= 1:
        return "…"[:width]
    tail = width // 2
    head = width - 1 - tail
    return name[:head] + "…" + name[len(name) - tail:]


def wrap_at_dashes(name: str, width: int) -> list[str]:
    """``name`` in lines of at most ``width`` characters, broken after a dash where it can be (a part
    longer than a line is cut where the line ends)."""
    parts = [part + "-" for part in name.split("-")]
    parts[-1] = parts[-1][:-1]
    lines = [""]
    for part in parts:
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
        while len(lines[-1]) > width:
            lines[-1], rest = lines[-1][:width], lines[-1][width:]
            lines.append(rest)
    return lines
