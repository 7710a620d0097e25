"""A tab module written to the registry's hook (see builder/screens/registry.py), for its tests."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class FakePane(Static):
    shown = 0

    def on_tab_shown(self) -> None:
        FakePane.shown += 1
        project = self.app.session.project
        self.update(f"{len(project.resources)} resources")


def create_pane(app: Any) -> FakePane:
    return FakePane("", id="fake-pane")


def commands(app: Any):
    yield "Fake: do something", "A command from a plugged-in tab", lambda: app.notify("fake")
