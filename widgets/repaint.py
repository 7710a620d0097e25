"""Repaints that cost what they change, not a layout of the whole screen.

Textual 8 turns a few common updates into work over every widget on screen (~185 in the Build tab),
which made each keystroke and resource switch pay a full layout or a full re-map:

- ``virtual_size`` is a reactive that asks for a layout: a fixed-size widget whose scrollable
  content changes (a JQ field's text, a JSON viewer's lines) reflowed the screen.
  :func:`set_virtual_size` updates the scroll range and scrollbars only.
- A ``ScrollView`` compares the virtual size a layout passes it (its region's) with its own (its
  content's), which never match: every layout of the screen refreshed its scrollbars, whose dirty
  regions spanned the screen, so every widget on it was drawn again. :class:`KeepsScrollbars`
  leaves them alone unless its size changed.
- The content size a layout computes for a container is stored in that same reactive, so the layout
  asks for another one (and another frame) whenever a container's content changed: each resource
  switch paid two or three. :class:`SettlesInOneLayout` keeps what the layout computed.
- The update of a widget the compositor cannot see (in an inactive tab) is taken as a sign its map
  is stale: the next frame rebuilds the map of every widget. :class:`QuietWhileHidden` marks such a
  widget for repainting instead, and Textual repaints it in full when it is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.geometry import Size, Region
from textual.widget import Widget

if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object


def set_virtual_size(widget: Widget, size: Size) -> None:
    """Set the scrollable size of a widget whose own size does not follow its content, without a
    layout. Showing or hiding a scrollbar still lays out (that reactive asks for it)."""
    if widget.virtual_size == size:
        return
    widget.set_reactive(Widget.virtual_size, size)
    if widget.is_mounted:
        widget._scroll_update(size)  # scrollbar ranges, scroll offsets clamped to the new size


def displayed(widget: Widget) -> bool:
    """False when the widget or one of its containers is ``display: none`` (an inactive tab)."""
    node: Any = widget
    while node is not None:
        if not node.display:
            return False
        node = node.parent
    return True


class QuietWhileHidden(_Base):
    """Mixin, before the Textual base class: a repaint of the widget while it is not displayed only
    marks it dirty (its render caches cleared), so showing it draws what it holds now; nothing asks
    the screen for a frame it would not show. Layouts and recomposes go through unchanged."""

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Any:
        if repaint and not layout and not recompose and self.is_mounted and not displayed(self):
            self._set_dirty()
            self.clear_cached_dimensions()
            self._rich_style_cache.clear()
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class KeepsScrollbars(_Base):
    """Mixin, before ``ScrollView``, for a widget that updates its own scroll range whenever its content
    changes (:func:`set_virtual_size`, or OptionList's own ``_scroll_update``): a layout that leaves its
    size as it was leaves its scrollbars alone (#13: two to three frames more per resource switch)."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        if size == self._size and container_size == self.container_size:
            return False
        return super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc]


class SettlesInOneLayout(_Base):
    """Mixin, before the Textual base class: the layout that changes this widget's content size is
    the last one it needs. Textual keeps the content size a layout computes in a reactive that asks
    for another layout of the screen, though the one just made already placed everything at that size:
    one more frame for each resource switch that changes a container's content (#13). Scrollbars still
    follow the new size, and one that appears or goes still asks for its layout."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)  # type: ignore[misc]
