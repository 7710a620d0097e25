"""The environment a mapping's `env` / `$ENV` sees in the deployed integration, never this machine's.

port-ocean hands libjq its own process environment unless ``allowEnvironmentVariablesJqAccess`` is
false. The exports pin it false unless the project opts in, so by default a deployed mapping sees
``{}``. With the opt-in it sees the container's environment: the variables the export sets (Port
client secret and Cursor key among them). The preview shows exactly that, each secret as a
placeholder, so a mapping that would send a secret to Port shows it, without ever holding one.
(The image's own variables, PATH and the like, are not known here and are left out.)
"""

from __future__ import annotations

import re

from builder.engine import jqrt
from builder.project.model import Project

ALLOW_ENV = "OCEAN__ALLOW_ENVIRONMENT_VARIABLES_JQ_ACCESS"
#: Names whose literal value is a secret even when the project holds it as a literal.
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|API_KEY$|CREDENTIAL|PRIVATE|HEADERS?$|AUTHORIZATION")


def placeholder(name: str, source: str | None) -> str:
    return f"<secret: ${source}>" if source else f"<secret: {name}>"


def deployed_environment(project: Project) -> dict[str, str]:
    """`env` as the exported integration's mappings see it (secrets as placeholders)."""
    from builder.ship.export.docker import docker_env

    try:
        entries = docker_env(project, env={})  # env={}: never reads this machine's variables
    except Exception:  # a project the export cannot deploy: the safe answer, no environment at all
        return {}
    values = {name: value for name, value, _ in entries}
    if (values.get(ALLOW_ENV) or "true").lower() == "false":
        return {}
    out: dict[str, str] = {}
    for name, value, source in entries:
        out[name] = placeholder(name, source) if source or _SECRET_NAME.search(name) else (value or "")
    return out


#: A JQ that may read the environment: the ``env`` builtin or ``$ENV`` (a field ``.env`` or a word in
#: a string also match: they only make the check install what was not needed).
_READS_ENV = re.compile(r"(?<![\w$])env\b|\$ENV\b")


def reads_environment(project: Project) -> bool:
    """Whether any resource's JQ (mappings, selector, itemsToParse, computed request values) may read
    `env` / `$ENV`: when none can, what they hold changes no value anywhere."""

    def strings(value: object) -> bool:
        if isinstance(value, str):
            return _READS_ENV.search(value) is not None
        if isinstance(value, dict):
            return any(strings(key) or strings(item) for key, item in value.items())
        if isinstance(value, list):
            return any(strings(item) for item in value)
        return False

    # The resource's own dicts, not to_dict(): that deep-copies them, and this runs at each evaluation.
    return any(strings(part) for resource in project.resources
               for part in (resource.selector, resource.port, resource.extra, resource.extensions.to_dict()))


def install(project: Project | None) -> str:
    """Make `env` mean the deployed integration's environment (``{}`` without a project) in this
    process; returns the token ``jqrt.restore_environment`` takes to put the previous one back.

    The one place every entry point goes through: the CLI's commands once the project is loaded,
    the TUI whenever its project may have changed (its evaluation process takes the parent's
    ``jqrt.environment_token()``), so preview, sync, lint, infer and export all see the same."""
    return jqrt.install_environment({} if project is None else deployed_environment(project))
