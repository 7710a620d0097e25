"""Docker: one ``docker run`` of ``ghcr.io/port-labs/port-ocean-custom:latest`` with the env vars
the image really reads (reference/ocean-port.md §5): every integration setting, secrets included,
as ``OCEAN__INTEGRATION__CONFIG__<SNAKE_UPPER>`` — never ``…__SECRETS__…``, which Ocean ignores.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Mapping

from builder.ship.export.settings import CORE_SETTINGS, IMAGE, Deployment, as_ocean_string, deployment
from builder.ship.export.shell import continued, quote_literal, reveal_source, script_head, source_ref

if TYPE_CHECKING:
    from builder.project.model import Project


def docker_env(project: Project, *, reveal_secrets: bool = False,
               env: Mapping[str, str] | None = None) -> list[tuple[str, str | None, str | None]]:
    """(env var, literal value, source variable) in command order; exactly one of the last two is set.

    A source variable's value is read when the command runs; for a setting with ``basic_header``
    (Basic auth with an empty password, deployed as api_key) the value is the Basic header computed
    from that variable, as ``docker_command`` writes it.
    """
    return [(name, value, source) for name, value, source, _ in
            _entries(deployment(project), reveal_secrets, os.environ if env is None else env)]


def _entries(dep: Deployment, reveal_secrets: bool, env: Mapping[str, str]
             ) -> list[tuple[str, str | None, str | None, bool]]:
    """``docker_env`` plus, per entry, whether the value is the Basic header of its source variable."""
    out: list[tuple[str, str | None, str | None, bool]] = []

    def add(name: str, value: Any = None, source: str | None = None, header: bool = False) -> None:
        if source and reveal_secrets:
            out.append((name, reveal_source(source, env, header), None, False))
        elif source:
            out.append((name, None, source, header))
        else:
            out.append((name, value if isinstance(value, str) else as_ocean_string(value), None, False))

    add("OCEAN__PORT__CLIENT_ID", dep.client_id.value, dep.client_id.env)
    add("OCEAN__PORT__CLIENT_SECRET", dep.client_secret.value, dep.client_secret.env)
    add("OCEAN__PORT__BASE_URL", dep.port_base_url)
    add("OCEAN__EVENT_LISTENER", json.dumps(dep.event_listener, separators=(",", ":")))
    add("OCEAN__INTEGRATION__IDENTIFIER", dep.identifier)
    add("OCEAN__INTEGRATION__TYPE", "custom")
    for key, value in dep.core:
        add(CORE_SETTINGS[key][0], value)
    for name, value in dep.extra_env:
        add(name, value)
    for setting in dep.settings:
        if isinstance(setting.value, (dict, list)):
            add(setting.env_name, json.dumps(setting.value, separators=(",", ":")))
        else:
            add(setting.env_name, setting.value, setting.env, setting.basic_header)
    return out


def docker_command(project: Project, *, reveal_secrets: bool = False, env: Mapping[str, str] | None = None) -> str:
    """One ``docker run`` per installation of the deployment plan (one container each)."""
    from builder.ship.deploy_plan import Installation, installation_project, plan_deployment

    plan = plan_deployment(project)
    deps = [deployment(installation_project(project, inst)) for inst in plan.installations] or [deployment(project)]
    env = os.environ if env is None else env
    lines = script_head(f"Run the Ocean Custom integration {deps[0].identifier} with Docker ({IMAGE}).", deps[0],
                        reveal_secrets)
    for dep in deps[1:]:
        lines += [f"# Note: {note}" for note in dep.notes if f"# Note: {note}" not in lines]
    # No installation plan: one deployment of the whole project, with no installation to describe.
    installations: list[Installation | None] = [*plan.installations] or [None]
    for inst, dep in zip(installations, deps):
        if inst is not None and len(deps) > 1:
            lines.append(f"# Installation {dep.identifier} ({inst.pagination.describe()}): {', '.join(inst.resources)}")
        once = str(dep.event_listener.get("type", "")).upper() == "ONCE"
        # ONCE resyncs and exits; any other listener is a long-running service.
        run = ["docker run -i --rm --platform=linux/amd64" if once else
               f"docker run -d --name {quote_literal(dep.identifier)} --restart unless-stopped --platform=linux/amd64"]
        for name, value, source, header in _entries(dep, reveal_secrets, env):
            run.append(f"-e {name}={source_ref(source, header)}" if source else f"-e {name}={quote_literal(value)}")
        run.append(IMAGE)
        lines.append(continued(run))
    return "\n".join(lines) + "\n"
