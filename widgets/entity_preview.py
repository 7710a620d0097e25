"""The entity for the selected record, exactly as Ocean would send it, or why there is none."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from widgets.help_data import HelpData
from widgets.json_viewer import JsonViewer


class EntityPreview(Vertical):
    HELP: ClassVar = HelpData(
        "Entity preview",
        """The entity built from the selected record, byte for byte the payload Ocean's
`JQEntityProcessor` would send to Port (key order included). When the record produces no entity,
the reason is shown instead (selector false, identifier null, …).

- **ctrl+n / ctrl+b** next / previous record
- The JSON viewer keys work here: fold with **Enter**, search with **/**""",
    )

    DEFAULT_CSS = """
    EntityPreview {
        height: 1fr;
        & > #entity-title { height: 1; padding: 0 1; background: $boost; }
        & > #entity-reason { height: 2; padding: 0 1; color: $warning; display: none; }
        & > #entity-reason.-shown { display: block; }
    }
    """

    _shown_entity: Any = None

    def compose(self) -> ComposeResult:
        yield Static("", id="entity-title")
        yield Static("", id="entity-reason")
        yield JsonViewer(id="entity-json")

    def show(self, record: int | None, total: int, entity: dict[str, Any] | None, reason: str | None) -> None:
        title = self.query_one("#entity-title", Static)
        reason_widget = self.query_one("#entity-reason", Static)
        viewer = self.query_one("#entity-json", JsonViewer)
        if record is None or total == 0:
            title.update(Text("Entity · no records yet", style="dim"), layout=False)
            reason_widget.set_class(False, "-shown")
            viewer.clear()
            self._shown_entity = None
            return
        title.update(Text.assemble(("Entity", "bold"), f" · record {record + 1} of {total}",
                                   ("   ctrl+b ◀  ▶ ctrl+n", "dim")), layout=False)
        if entity is None:
            reason_widget.update(Text(f"No entity for this record: {reason or 'dropped'}"), layout=False)
            reason_widget.set_class(True, "-shown")
            viewer.clear()
        else:
            reason_widget.set_class(False, "-shown")
            if entity != self._shown_entity:  # reloading re-lays-out the viewer: only on change
                viewer.load(entity)
        self._shown_entity = entity
