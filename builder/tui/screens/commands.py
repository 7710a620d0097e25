"""The command palette: every action from :mod:`builder.tui.screens.actions`, plus tab switching and
the commands other tabs contribute. Only actions that make sense right now are listed
(the App's ``check_action`` decides, as it does for the footer)."""

from __future__ import annotations

from functools import partial
from typing import Any, Awaitable, Iterable, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from builder.tui.screens.actions import ACTIONS
from builder.tui.screens.registry import Command


class CommandHost(Protocol):
    """What the palette asks of the app (the App implements it; this module never imports it)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None: ...

    def run_action(self, action: str, default_namespace: Any = None) -> Awaitable[bool]: ...

    def tab_titles(self) -> list[tuple[str, str]]: ...

    def show_tab(self, tab_id: str) -> None: ...

    def tab_commands(self) -> Iterable[Command]: ...


class BuilderCommands(Provider):
    def _commands(self) -> Iterable[Command]:
        app = cast(CommandHost, self.app)
        for action in ACTIONS:
            name, _, args = action.action.partition("(")
            if app.check_action(name, ()) is False:
                continue
            key = f"  ({action.key})" if action.key else ""
            yield action.title, action.help + key, partial(app.run_action, action.action)
        for tab_id, title in app.tab_titles():
            yield f"Go to {title}", f"Show the {title} tab", partial(app.show_tab, tab_id)
        yield from app.tab_commands()

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
