"""The app's footer: Textual's Footer, composed again only when the keys it shows change.

Textual's Footer composes its keys again (a widget per key, removed and mounted: ~20 ms, several
times that while the start's other work runs) every time the screen says its bindings may have
changed: five times in the second after start, and at every change of focus, even when the keys stay
the same. At start its keys reached the screen about half a second after the rest, behind those rounds
(#13). This one recomposes at most once per frame, and only when what it would show differs from what
it shows; and its keys are given the footer's compact setting before they mount (each key restyled
itself twice otherwise). Its first keys still come just after the first frame, as Textual's do:
composed before it, they cost that frame 30-50 ms.
"""

from __future__ import annotations

from typing import Any, Iterable

from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class BuilderFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: What the keys on screen were composed from (None: no keys yet).
        self._shown: tuple[Any, ...] | None = None
        self._check_pending = False

    def _keys(self) -> tuple[Any, ...]:
        """Everything the keys are made from: each shown binding with its state, and the footer's own."""
        bindings = tuple((binding, enabled, tooltip) for _, binding, enabled, tooltip
                         in self.screen.active_bindings.values() if binding.show)
        return (bindings, self.compact, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE)

    def compose(self) -> Iterable[Widget]:
        if self._bindings_ready:
            self._shown = self._keys()
        for widget in super().compose():
            # A key starts compact and is then bound to the footer's setting: each change restyled it
            # as it mounted (twice per key, ~11 ms for the footer). Given the setting first, nothing changes.
            # Only the keys bound to it (the command palette's key is not: it stays compact).
            for key in [widget, *getattr(widget, "_pending_children", [])]:
                if isinstance(key, FooterKey) and "compact" in (key._reactive_connect or {}):
                    key.set_reactive(FooterKey.compact, self.compact)
            yield widget

    def bindings_changed(self, screen: Any) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return  # as Textual's Footer: an unfocused terminal's footer waits for the focus to return
        if self._check_pending:
            return  # one check per frame: it composes the bindings as they are when it runs
        if self.is_attached and screen is self.screen:
            self._check_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._check_pending = False
        if self.is_attached and self._keys() != self._shown:
            await self.recompose()
