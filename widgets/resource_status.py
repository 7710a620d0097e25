"""A resource's last status as the resource list shows it: plain data, no Textual.

It lives here, beside the widget that draws it, rather than in the TUI state: the session
(``builder.tui.state.session``, no Textual) keeps one per resource and the resource list renders
them, and widgets may import no TUI module. Importing this module loads only ``rich`` (for the
badge's colours), never Textual, so the session stays importable without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text


@dataclass
class ResourceStatus:
    """What the last send and mapping of a resource gave (None before the first send)."""

    records: int = 0
    kept: int = 0
    dropped: int = 0
    field_errors: int = 0
    error: str | None = None  # the request failed (401, rate limit, …): short label

    def badge(self) -> Text:
        """Short enough to sit beside a name: ✗ status, ⚠ entities (something to look at), ✓ entities."""
        if self.error:
            return Text(f"✗ {self.error}", style="red")
        if self.field_errors or self.dropped or (self.records and not self.kept):
            return Text(f"⚠ {self.kept}", style="yellow")
        return Text(f"✓ {self.kept}", style="green")
