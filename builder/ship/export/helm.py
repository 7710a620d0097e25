"""Helm: an install command with ``--set`` flags, and the same settings as a ``values.yaml``.

Chart ``port-labs/port-ocean`` with ``integration.type=custom`` (image
``ghcr.io/port-labs/port-ocean-custom``). Plain settings go to ``integration.config.*`` (ConfigMap),
sensitive ones to ``integration.secrets.*`` (a k8s Secret under the same env name). Settings use
``--set-string``: the ConfigMap quotes scalars anyway, and Ocean's spec types them as strings.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any, Mapping

from builder.ship.export.settings import CHART, CHART_REPO, Deployment, deployment
from builder.ship.export.shell import (continued, helm_escape, quote_literal, reveal, reveal_source,
                                  script_head, source_ref)
from builder.project.yamlio import dump

if TYPE_CHECKING:
    from builder.project.model import Project

NAMESPACE = "port-ocean"


def release_name(identifier: str) -> str:
    """A Helm release name (DNS-1123 label, ≤ 53 characters) from the integration identifier."""
    name = re.sub(r"[^a-z0-9-]+", "-", identifier.lower()).strip("-")
    return (name or "ocean-custom")[:53].rstrip("-")


def _flags(dep: Deployment, reveal_secrets: bool, env: Mapping[str, str],
           include: str = "all") -> list[str]:
    """``--set`` flags; ``include`` = all | secrets (the ones a values.yaml leaves out)."""
    flags: list[str] = []

    def literal(flag: str, key: str, value: Any) -> None:
        if include == "all":
            text = value if isinstance(value, str) else json.dumps(value)
            flags.append(f"{flag} {key}={quote_literal(helm_escape(text))}")

    def secret(flag: str, key: str, name: str, header: bool = False) -> None:
        if reveal_secrets:
            flags.append(f"{flag} {key}={quote_literal(helm_escape(reveal_source(name, env, header)))}")
        else:
            flags.append(f"{flag} {key}={source_ref(name, header)}")

    for cred, key in ((dep.client_id, "port.clientId"), (dep.client_secret, "port.clientSecret")):
        if cred.env:
            secret("--set", key, cred.env)
        else:
            literal("--set", key, cred.value)
    literal("--set", "port.baseUrl", dep.port_base_url)
    for key, value in dep.core:
        if key == "sendRawDataExamples" and value is False:
            continue  # handled through extraEnv below
        literal("--set", key, value)
    literal("--set", "integration.identifier", dep.identifier)
    literal("--set", "integration.type", "custom")
    for key, value in dep.event_listener.items():
        literal("--set-json" if isinstance(value, (dict, list)) else "--set",
                f"integration.eventListener.{key}", value)
    for setting in dep.settings:
        section = "secrets" if setting.secret else "config"
        key = f"integration.{section}.{setting.key}"
        if setting.env:
            secret("--set-string", key, setting.env, setting.basic_header)
        elif isinstance(setting.value, (dict, list)):
            if include == "all":
                flags.append(f"--set-json {key}={quote_literal(json.dumps(setting.value, separators=(',', ':')))}")
        elif isinstance(setting.value, bool):
            literal("--set", key, setting.value)
        else:
            literal("--set-string", key, setting.value)
    if include == "all":
        for i, (name, value) in enumerate(_extra_env(dep)):
            flags.append(f"--set extraEnv[{i}].name={name}")
            flags.append(f"--set-string extraEnv[{i}].value={quote_literal(helm_escape(value))}")
    return flags


def _extra_env(dep: Deployment) -> list[tuple[str, str]]:
    """Container env entries: they win over the chart's ConfigMap whatever its template renders."""
    out = list(dep.extra_env)
    if ("sendRawDataExamples", False) in dep.core:
        # The chart renders `sendRawDataExamples | default true`, so false is lost; an env entry wins.
        out.append(("OCEAN__SEND_RAW_DATA_EXAMPLES", "false"))
    return out


def _head(dep: Deployment, reveal_secrets: bool) -> list[str]:
    return script_head(f"Install the Ocean Custom integration {dep.identifier} with Helm (chart {CHART}).", dep,
                       reveal_secrets)


def helm_command(project: Project, *, reveal_secrets: bool = False, env: Mapping[str, str] | None = None) -> str:
    """One ``helm upgrade --install`` per installation of the deployment plan (one release each)."""
    from builder.ship.deploy_plan import Installation, installation_project, plan_deployment

    plan = plan_deployment(project)
    deps = [deployment(installation_project(project, inst)) for inst in plan.installations] or [deployment(project)]
    env = os.environ if env is None else env
    lines = _head(deps[0], reveal_secrets)
    for dep in deps[1:]:
        lines += [f"# Note: {note}" for note in dep.notes if f"# Note: {note}" not in lines]
    lines.append(f"helm repo add --force-update port-labs {CHART_REPO}")
    # No installation plan: one deployment of the whole project, with no installation to describe.
    installations: list[Installation | None] = [*plan.installations] or [None]
    for inst, dep in zip(installations, deps):
        if inst is not None and len(deps) > 1:
            lines.append(f"# Installation {dep.identifier} ({inst.pagination.describe()}): {', '.join(inst.resources)}")
        command = [f"helm upgrade --install {release_name(dep.identifier)} {CHART}",
                   f"--namespace {NAMESPACE} --create-namespace"] + _flags(dep, reveal_secrets, env)
        lines.append(continued(command))
    return "\n".join(lines) + "\n"


def _values(dep: Deployment, reveal_secrets: bool, env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {"port": {}}
    for cred, key in ((dep.client_id, "clientId"), (dep.client_secret, "clientSecret")):
        if cred.value is not None:
            values["port"][key] = cred.value
        elif reveal_secrets and cred.env:
            values["port"][key] = reveal(cred.env, env)
    values["port"]["baseUrl"] = dep.port_base_url
    for key, value in dep.core:
        if not (key == "sendRawDataExamples" and value is False):
            values[key] = value
    integration: dict[str, Any] = {"identifier": dep.identifier, "type": "custom",
                                   "eventListener": dict(dep.event_listener)}
    config: dict[str, Any] = {}
    secrets: dict[str, Any] = {}
    for setting in dep.settings:
        target = secrets if setting.secret else config
        if setting.env is None:
            target[setting.key] = setting.value
        elif reveal_secrets:
            target[setting.key] = reveal_source(setting.env, env, setting.basic_header)
    if config:
        integration["config"] = config
    if secrets:
        integration["secrets"] = secrets
    values["integration"] = integration
    if _extra_env(dep):
        values["extraEnv"] = [{"name": name, "value": value} for name, value in _extra_env(dep)]
    return values


def values_yaml(project: Project, *, reveal_secrets: bool = False, env: Mapping[str, str] | None = None,
                values_file: str | None = None) -> str:
    dep = deployment(project)
    env = os.environ if env is None else env
    secret_flags = [] if reveal_secrets else _flags(dep, False, env, include="secrets")
    install = continued([f"helm upgrade --install {release_name(dep.identifier)} {CHART}",
                         f"--namespace {NAMESPACE} --create-namespace -f {values_file or 'values.yaml'}"]
                        + secret_flags)
    header = [f"# Helm values for chart {CHART}: the Ocean Custom integration {dep.identifier}.",
              "# WARNING: this file contains secrets (exported with --reveal-secrets)." if reveal_secrets else
              "# Secrets are not in this file; pass them from your environment when installing:"]
    header += ["#   " + line for line in install.splitlines()]
    header += [f"# Note: {note}" for note in dep.notes]
    return "\n".join(header) + "\n" + dump(_values(dep, reveal_secrets, env))
