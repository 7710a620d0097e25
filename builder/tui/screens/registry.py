"""Top-level tabs (Build | Blueprint | Export | Sync | Dashboard) and how other screens plug into them.

The Build tab is the app's own. The others live in their own modules, each a :class:`TabModule`:

- ``create_pane(host: TabHost) -> Widget``: the widget that fills the tab, created the first time
  the tab opens (lazily: startup never imports the module, see :func:`tab_available`);
- ``commands(host: TabHost) -> Iterable[(title, help, callback)]``: its command-palette entries.

The App posts the pane :class:`builder.tui.messages.TabShown` each time its tab becomes active and
:class:`builder.tui.messages.ResultsUpdated` when a new mapping result arrives while it is in view
(handlers ``on_tab_shown`` / ``on_results_updated``; a pane without them ignores them). The pane
reads state through :class:`TabHost` (``session``: ``project``, ``resource``, ``results``, ``runs``;
``make_source(project)`` for HTTP) and says it edited the project by posting
:class:`builder.tui.messages.ProjectChanged` (it bubbles up to the App).

To add a tab, add a :class:`TabSpec` to :data:`TABS`; ``key`` (optional) binds a key to it.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol, runtime_checkable

if TYPE_CHECKING:
    from textual.widget import Widget

    from builder.project.model import Project
    from builder.simulator import SimulatorConfig
    from builder.source.client import Source
    from builder.tui.state.session import Session

#: A command-palette entry: (title, help, callback).
Command = tuple[str, str, Callable[[], Any]]


class TabHost(Protocol):
    """What a tab may ask of the app (the App implements it; a tab never imports the App module)."""

    session: Session
    now: float | None  # the instant computed request values ($now) use; fixed in tests
    simulator: SimulatorConfig | None  # the demo simulator's settings (None: the default team)
    test_mode: bool

    def make_source(self, project: Project) -> Source: ...

    def show_tab(self, tab_id: str) -> None: ...

    def tab_pane(self, tab_id: str) -> Widget | None: ...


@runtime_checkable
class TabModule(Protocol):
    """The hook a tab's module implements (see the module docstring)."""

    def create_pane(self, host: TabHost) -> Widget: ...

    def commands(self, host: TabHost) -> Iterable[Command]: ...


@dataclass(frozen=True)
class TabSpec:
    id: str
    title: str
    module: str
    key: str | None = None
    description: str = ""


TABS: list[TabSpec] = [
    TabSpec("blueprint", "Blueprint", "builder.tui.screens.blueprint", None,
            "Infer the Port blueprint from the entities and compare it with the project's"),
    TabSpec("export", "Export", "builder.tui.screens.export", "ctrl+e",
            "port-app-config, blueprints, Helm and Docker commands"),
    TabSpec("sync", "Sync", "builder.tui.screens.sync", "ctrl+y",
            "Plan and apply the entities to Port"),
    TabSpec("dashboard", "Dashboard", "builder.tui.screens.dashboard", "ctrl+d",
            "The project's dashboard (Cursor AI Insights) drawn from the entities, as Port computes it"),
]


def tab_available(spec: TabSpec) -> bool:
    """Whether the tab's module is part of this build, without importing it (a file lookup): the
    app imports a tab's module the first time the tab opens, so startup never pays for it."""
    try:
        return importlib.util.find_spec(spec.module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def load_tab(spec: TabSpec) -> TabModule | None:
    """The tab's module (imported on first use), or None when it is not part of this build. A
    module that is there but is not a :class:`TabModule` is a programming error, said as such."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name == spec.module:
            return None
        raise
    if not isinstance(module, TabModule):
        raise TypeError(f"{spec.module} does not define create_pane(host) and commands(host)")
    return module


def when_pane(app: TabHost, kind: type, tab: str, callback: Callable[[Any], Any], tries: int = 10) -> None:
    """Show ``tab`` and call ``callback(pane)`` once the app has created the pane (on first open
    that happens a few message hops after the tab switch): how a tab's palette commands reach it."""
    app.show_tab(tab)
    # In the DOM is not enough: on first open the pane is queried before its compose has mounted
    # its children (a plan would look for its tables and crash the worker). Textual sets
    # is_mounted once compose and Mount have both run.
    found = [pane for pane in app.query(kind) if pane.is_mounted]
    if found:
        callback(found[0])
    elif tries:
        app.call_after_refresh(when_pane, app, kind, tab, callback, tries - 1)
