"""Top-level tabs (Build | Blueprint | Export | Sync) and how other screens plug into them.

The Build tab is this package's own. The others live in their own modules, written in their own
issues; a module that is not there yet leaves its tab saying "not available in this build".

**The hook.** A tab module (``builder/screens/blueprint.py``, ``export.py``, ``sync.py``) defines::

    def create_pane(app: BuilderApp) -> Widget:
        '''Return the widget that fills the tab (created the first time the tab is opened).'''

and may define::

    def commands(app: BuilderApp) -> Iterable[tuple[str, str, Callable[[], Any]]]:
        '''(title, help, callback) entries for the command palette.'''

The pane reads the app's state through ``app.session`` (``project``, ``resource``, ``results``:
resource name → ``builder.engine.mapping.MappingResult`` of the last evaluation, ``runs``: fetched
pages) and ``app.make_source(project)`` for HTTP. If the pane has a method ``on_tab_shown()``,
it is called each time its tab becomes active, so it can pull fresh results. A pane that
changes the project calls ``app.project_changed()`` (marks it unsaved, refreshes the Build tab).

To add a tab, add a :class:`TabSpec` to :data:`TABS`; ``key`` (optional) binds a key to it.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from types import ModuleType


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


def load_tab(spec: TabSpec) -> ModuleType | None:
    """The tab's module, or None when it is not part of this build (not written yet)."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name == spec.module:
            return None
        raise
    return module if hasattr(module, "create_pane") else None
