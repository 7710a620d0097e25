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

import orjson

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


#: ``env`` (the builtin) or ``$ENV`` in the JSON text of the resources: each ``env`` is then kept only
#: when what precedes it cannot continue an identifier (see ``_env_word``).
_ENV_WORD = re.compile(rb"\$ENV\b|env\b", re.ASCII)
#: In JSON text a character before ``env`` is itself or an escape: these end with a letter or digit.
_ESCAPE_AT_END = re.compile(rb"(?:\\[ntrbf]|\\u[0-9a-fA-F]{4})$")


def _env_word(text: bytes, start: int) -> bool:
    """Whether the ``env`` at ``start`` is not the tail of an identifier (``my_env``) or a variable
    (``$env``). Identifier characters are never escaped in JSON, so an escape before it is a boundary."""
    before = text[start - 1:start]
    if not before or not (before.isalnum() or before in (b"_", b"$")):
        return True  # a quote, an operator, a space, a non-ASCII byte, the start: a boundary
    return _ESCAPE_AT_END.search(text[max(0, start - 6):start]) is not None


def reads_environment(project: Project) -> bool:
    """Whether any resource's JQ (mappings, selector, itemsToParse, computed request values) may read
    `env` / `$ENV`: when none can, what they hold changes no value anywhere. A field ``.env``, a key or
    a word in a description also count: they only make the TUI install what was not needed. Runs at
    each keystroke's evaluation: one orjson dump and a search (a walk in Python cost ~1 ms)."""
    text = orjson.dumps([(resource.selector, resource.port, resource.extra, resource.extensions.to_dict())
                         for resource in project.resources], default=str, option=orjson.OPT_NON_STR_KEYS)
    return any(match.group().startswith(b"$") or _env_word(text, match.start())
               for match in _ENV_WORD.finditer(text))


def install(project: Project | None) -> str:
    """Make `env` mean the deployed integration's environment (``{}`` without a project) in this
    process; returns the token ``jqrt.restore_environment`` takes to put the previous one back.

    The one place every entry point goes through: the CLI's commands once the project is loaded,
    the TUI whenever its project may have changed (its evaluation process takes the parent's
    ``jqrt.environment_token()``), so preview, sync, lint, infer and export all see the same."""
    return jqrt.install_environment({} if project is None else deployed_environment(project))
