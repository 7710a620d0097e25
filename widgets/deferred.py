"""Widgets out of sight at start (in a tab not shown) whose children are composed after the first paint.

The first frame of the builder waits for every widget to be composed, mounted and styled, shown or
not: the Request details (six TextAreas) and the Field editor (a TextArea, two JSON viewers) cost
about a tenth of the start while hidden behind their tabs. Textual's ``Lazy`` defers the widget
itself, so the Build tab could not fill it before it exists; this keeps the widget (and its API)
and defers only its children, right after the first paint, long before a person can open the tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from textual.widget import Widget

    _Base = Widget
else:
    _Base = object


class LatestCalls:
    """Calls of a widget's methods put off until something happens: the latest call of each method is
    kept (each fills the same children from scratch), and they run in the order first asked."""

    def __init__(self) -> None:
        self._calls: dict[str, tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = {}

    def __bool__(self) -> bool:
        return bool(self._calls)

    def keep(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._calls[method.__name__] = (method, args, kwargs)  # a name asked again keeps its place

    def run(self) -> None:
        calls, self._calls = self._calls, {}
        for method, args, kwargs in calls.values():
            method(*args, **kwargs)


class ComposedAfterFirstPaint(_Base):
    """Mixin, before the Textual base class. ``compose`` yields nothing while ``children_ready`` is
    false; the methods that fill the children call :meth:`later` first, which keeps the latest call
    of each and runs them, in the order first asked, once the children are mounted."""

    #: ``compose`` yields the children (from the moment they are being mounted).
    children_ready: bool = False
    #: The children are mounted: the widget's methods fill them directly.
    children_mounted: bool = False

    def later(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """True while the children do not exist yet: ``method(*args, **kwargs)`` then runs once they do
        (replacing an earlier call of the same method: each fills the same children from scratch)."""
        if self.children_mounted:
            return False
        self.__dict__.setdefault("_calls_until_composed", LatestCalls()).keep(method, *args, **kwargs)
        return True

    def _on_mount(self) -> None:
        # Textual calls each class's own handler along the MRO: the widget's on_mount runs too.
        self.call_after_refresh(self._compose_children)

    async def _compose_children(self) -> None:
        if self.children_ready:
            return
        self.children_ready = True
        await self.recompose()
        if not self.is_attached or not self.children:
            return  # removed, or the app is closing and mounted nothing: nothing to fill
        self.children_mounted = True  # calls made while mounting were kept: they run now
        self.__dict__.pop("_calls_until_composed", LatestCalls()).run()
