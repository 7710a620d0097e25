"""What the App's controllers (:mod:`~builder.tui.screens.editing`, :mod:`~builder.tui.screens.request_actions`)
ask of the app-wide UI: dialogs, notifications, the bell, the clipboard, work after the next refresh.
Textual's App provides all of it; a controller is given it, it never assumes its host's attributes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.screen import Screen


class Surface(Protocol):
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...

    def push_screen(self, screen: Screen[Any], callback: Callable[[Any], Any] | None = None) -> Any: ...

    def bell(self) -> None: ...

    def copy_to_clipboard(self, text: str) -> None: ...

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool: ...
