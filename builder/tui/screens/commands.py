"""The command palette: every action from :mod:`builder.tui.screens.actions`, plus tab switching and
the commands other tabs contribute. Only actions that make sense right now are listed
(the App's ``check_action`` decides, as it does for the footer)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Iterable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from builder.tui.screens.actions import ACTIONS

if TYPE_CHECKING:
    from builder.tui.app import BuilderApp


class BuilderCommands(Provider):
    def _commands(self) -> Iterable[tuple[str, str, Callable[[], Any]]]:
        app: BuilderApp = self.app  # type: ignore[assignment]
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
