"""The App's first screen, and what its first frame can skip of Textual's work.

Both skip work whose result the first frame never uses; after it, the screen behaves as Textual's.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual._compositor import Compositor
from textual.screen import Screen


class FirstLayoutCompositor(Compositor):
    """Textual's compositor, without the second layout of everything inside the screen's first one.

    Laying out, Textual sets each scroll bar's size, which refreshes the bar; a refresh asks where the
    bar is, and with no layout yet the compositor answers by laying out the whole screen, from inside
    the layout it is doing (its map is empty and marked out of date). That inner layout was ~10 ms of
    the first frame (the screen's first layout: 29 → 18 ms median, 12 starts each). With no layout
    yet there is nothing to be out of date: a widget not laid out is "not in layout" (a refresh then
    marks nothing, and the first frame draws the whole screen anyway); the layout being done becomes
    the map, as it always does. Later layouts are Textual's own."""

    def reflow(self, parent: Any, size: Any) -> Any:
        if not self._full_map:
            self._full_map_invalidated = False
        return super().reflow(parent, size)


class BuilderScreen(Screen[None]):
    """The App's first screen. Textual restyles every widget of a screen when it resumes: needed when
    it comes back from under a dialog, but the first time each widget has just been styled as it
    mounted, and the pass over all of them (~200) came before the first frame. Its first layout is
    done once (:class:`FirstLayoutCompositor`)."""

    _resumed = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compositor = FirstLayoutCompositor()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False  # read by Screen's own handler, which Textual calls after this one
