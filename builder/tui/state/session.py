"""What the builder holds for one editing session, in plain Python (no Textual).

The project is the single source of truth for everything that is saved; the session adds what
is not saved: the fetched pages per resource, the last mapping result, the statuses shown in
the resource list, the typed-in key (memory only), the selected resource and record.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

from builder.source.exchange import Exchange
from builder.project.model import Project, Resource, env_ref_name
from widgets.resource_status import ResourceStatus

#: Which config key carries the secret for each Ocean authType.
SECRET_KEY_FOR_AUTH = {"basic": "username", "bearer_token": "apiToken", "api_key": "apiKey"}
DEFAULT_KEY_ENV = "CURSOR_API_KEY"


@dataclass
class ResourceRun:
    """The pages fetched (or loaded from a saved sample) for one resource."""

    pages: list[Exchange]  # one per page: a sample's pages are exchanges with no status
    error: str | None = None
    saved_sample: bool = False
    stop_note: str = ""
    page_index: int = 0

    @cached_property
    def bodies(self) -> list[Any]:
        """The parsed pages the mapping runs over (failed pages carry no data). One list per run,
        so the evaluator can recognise the same pages by identity."""
        return [page.data for page in self.pages if page.data is not None and page.error is None]

    @property
    def current(self) -> Exchange | None:
        if not self.pages:
            return None
        return self.pages[max(0, min(self.page_index, len(self.pages) - 1))]


@dataclass
class Session:
    project: Project
    demo: bool = False
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    typed_key: str = ""  # never written anywhere: passed to the source as an override only
    runs: dict[str, ResourceRun] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)  # resource name → MappingResult
    statuses: dict[str, ResourceStatus] = field(default_factory=dict)
    selected: int = 0
    record: int = 0
    dirty: bool = False

    # -- resources ---------------------------------------------------------------------------------
    @property
    def resource(self) -> Resource | None:
        if not self.project.resources:
            return None
        self.selected = max(0, min(self.selected, len(self.project.resources) - 1))
        return self.project.resources[self.selected]

    @property
    def run(self) -> ResourceRun | None:
        resource = self.resource
        return self.runs.get(resource.name) if resource else None

    @property
    def result(self) -> Any:
        resource = self.resource
        return self.results.get(resource.name) if resource else None

    def rename(self, resource: Resource, new_name: str) -> None:
        old = resource.name
        resource.extensions.name = new_name
        for table in (self.runs, self.results, self.statuses):
            if old in table:
                table[new_name] = table.pop(old)
        self.dirty = True

    def forget(self, name: str) -> None:
        for table in (self.runs, self.results, self.statuses):
            table.pop(name, None)

    # -- what `env` / `$ENV` mean in a mapping ------------------------------------------------------
    def install_environment(self) -> str:
        """Make `env` / `$ENV` mean the deployed integration's environment for this project, never
        this machine's (builder.ship.environment decides it; secrets are placeholders). Called
        whenever the project may have changed; returns the token the evaluation process installs,
        so both processes evaluate with the same environment."""
        from builder.engine import jqrt
        from builder.ship import environment

        # No JQ of the project reads it: what `env` holds changes no value, and working it out (the
        # export's Docker environment) would cost the start its import (#13). The first JQ that
        # names `env` or `$ENV` installs it, before it is evaluated (every evaluation asks here).
        if not environment.reads_environment(self.project):
            return jqrt.environment_token()
        environment.install(self.project)
        return jqrt.environment_token()

    # -- credentials -------------------------------------------------------------------------------
    @property
    def auth_type(self) -> str:
        return str(self.project.config.get("authType") or "none")

    @property
    def key_env(self) -> str:
        """The environment variable the project's credential refers to (``CURSOR_API_KEY``)."""
        setting = SECRET_KEY_FOR_AUTH.get(self.auth_type)
        name = env_ref_name(self.project.config.get(setting)) if setting else None
        return name or DEFAULT_KEY_ENV

    def overrides(self, demo_key: str | None = None) -> dict[str, str]:
        """Typed values for ``${ENV}`` references: the typed key, or the simulator's in demo mode."""
        if self.typed_key:
            return {self.key_env: self.typed_key}
        if self.demo and demo_key:
            return {self.key_env: demo_key}
        return {}

    def missing_key(self) -> str | None:
        """Why a request cannot authenticate yet (no key anywhere), or None. Sending without one
        would only earn a 401 from Cursor and spend the rate limit."""
        if self.demo or self.typed_key:
            return None
        setting = SECRET_KEY_FOR_AUTH.get(self.auth_type)
        name = env_ref_name(self.project.config.get(setting)) if setting else None
        if name is None or self.env.get(name):
            return None
        return (f"No API key: set ${name} before starting, or type the key under Connection "
                "(it stays in memory and is never saved).")

    def key_source(self) -> str:
        if self.typed_key:
            return "typed (memory only)"
        if self.demo:
            return "demo key (simulator)"
        if self.env.get(self.key_env):
            value = self.env[self.key_env]
            return f"${self.key_env} ••••{value[-4:]}" if len(value) > 8 else f"${self.key_env}"
        return f"type it, or set ${self.key_env}"

    def set_auth_type(self, auth_type: str) -> None:
        """Point the secret setting for ``auth_type`` at the same ``${ENV}`` reference."""
        config = self.project.config
        env_name = self.key_env
        if config.get("authType") == auth_type:
            return
        for key in SECRET_KEY_FOR_AUTH.values():
            if env_ref_name(config.get(key)) == env_name:
                del config[key]
        config["authType"] = auth_type
        setting = SECRET_KEY_FOR_AUTH.get(auth_type)
        if setting:
            config[setting] = "${" + env_name + "}"
        self.dirty = True


# -- reading and writing a resource the way the Build tab edits it ---------------------------------
def set_leaf(mappings: dict[str, Any], path: tuple[Any, ...], expr: str) -> None:
    """Write one mapping leaf; an empty optional field is removed rather than saved as ''."""
    node: Any = mappings
    for part in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            node = node[part]
    last = path[-1]
    if not expr.strip() and len(path) == 1 and last in ("title", "icon", "team"):
        node.pop(last, None)
        return
    node[last] = expr


def get_leaf(mappings: dict[str, Any], path: tuple[Any, ...]) -> str:
    node: Any = mappings
    try:
        for part in path:
            node = node[part]
    except (KeyError, IndexError, TypeError):
        return ""
    return "" if node is None else str(node)


def request_section(resource: Any, section: str) -> Any:
    """The current value of one request-panel section (None when unset or empty)."""
    if section in ("query_params", "headers", "body"):
        value = resource.selector.get(section)
    elif section == "x-query":
        value = resource.extensions.query
    elif section == "x-body":
        value = resource.extensions.body
    else:
        value = resource.extensions.pagination
    return value or None
