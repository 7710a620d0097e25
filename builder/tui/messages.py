"""The app-level messages: how the TUI's state moves between the App and its panes.

Panes never hold the App. A pane that changes shared state posts a message that bubbles up to the
App (``ProjectChanged``, ``SelectionChanged``, ``ResultsChanged``); the App keeps the state in its
reactives (``dirty``, ``selected``, ``result``), whose watchers bring the title, the session and the
tab in view up to date. The App tells a tab's pane by posting it a message that does not bubble
(``TabShown``, ``ResultsUpdated``): a pane that has no handler for it simply ignores it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from builder.engine.mapping import MappingResult


class ProjectChanged(Message):
    """A pane edited the project (not saved yet).

    ``reload``: the Build tab shows the project again (resources, the selected resource's
    request and mapping) — an edit from another tab or a dialog; the Build tab's own edits are
    already on screen."""

    def __init__(self, reload: bool = True) -> None:
        super().__init__()
        self.reload = reload


class SelectionChanged(Message):
    """The Build tab now shows resource number ``index`` of the project."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class ResultsChanged(Message):
    """A new mapping result for the selected resource (also in ``session.results``)."""

    def __init__(self, resource_name: str, result: MappingResult) -> None:
        super().__init__()
        self.resource_name = resource_name
        self.result = result


class TabShown(Message, bubble=False):
    """Sent to a top-level tab's pane each time its tab becomes active (handler ``on_tab_shown``),
    so it can pull fresh state from the session."""


class ResultsUpdated(Message, bubble=False):
    """Sent to the pane of the top-level tab in view when a new mapping result arrives (handler
    ``on_results_updated``); tabs not in view pull theirs when shown."""
