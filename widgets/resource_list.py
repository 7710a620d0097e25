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
from widgets.resource_status import ResourceStatus


class ResourceList(OptionList):
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
        self.clear_options()
        options = []
        for name in names:
            status = statuses.get(name)
            label = Text(no_wrap=True, overflow="ellipsis")
            label.append(printable(name, one_line=True))
            if status is not None:
                label.append("  ")
                label.append_text(status.badge())
            options.append(Option(label, id=f"resource-{len(options)}"))
        self.add_options(options)
        if names:
            self.highlighted = max(0, min(selected, len(names) - 1))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option_index))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.option_index))
