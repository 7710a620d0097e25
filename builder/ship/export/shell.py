"""Shell and Helm quoting shared by the command exporters.

A secret is written as ``"$VAR"``: the shell of whoever runs the command expands it, so the text
itself (clipboard, terminal scrollback, a committed script) never holds the value. A value derived
from a secret (the Basic header of ``$VAR``) is likewise computed by that shell.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any, Mapping

from builder.ship.export.settings import basic_header
from builder.project.yamlio import ProjectError

if TYPE_CHECKING:
    from builder.ship.export.settings import Deployment


def env_ref(name: str) -> str:
    return f'"${name}"'


def basic_header_ref(name: str) -> str:
    """``"Basic <base64 of $name:>"`` computed by the shell that runs the command.

    Portable: BSD/macOS ``base64`` has no ``-w0`` and GNU's wraps at 76 columns, so the newlines
    are stripped with ``tr`` instead.
    """
    return f'"Basic $(printf \'%s:\' "${name}" | base64 | tr -d \'\\n\')"'


def source_ref(name: str, header: bool = False) -> str:
    """The shell text of a value read from ``$name`` when the command runs (``header``: its Basic header)."""
    return basic_header_ref(name) if header else env_ref(name)


def reveal_source(name: str, env: Mapping[str, str], header: bool = False) -> str:
    """The literal value ``source_ref`` would yield, for ``reveal_secrets``."""
    value = reveal(name, env)
    return basic_header(value) if header else value


def helm_escape(text: str) -> str:
    # helm's --set parser splits on unescaped commas and treats backslashes as escapes.
    return text.replace("\\", "\\\\").replace(",", "\\,")


def quote_literal(value: Any) -> str:
    return shlex.quote(value if isinstance(value, str) else str(value))


def reveal(env_name: str, env: Mapping[str, str]) -> str:
    value = env.get(env_name)
    if not value:
        raise ProjectError(f"cannot reveal secrets: ${env_name} is not set in the environment")
    return value


def require_lines(names: list[str]) -> list[str]:
    """``: "${X:?…}"`` guards: the script stops with a clear message when a variable is missing."""
    return [f': "${{{name}:?export {name} first}}"' for name in names]


def continued(lines: list[str]) -> str:
    """One command over several lines, each argument on its own line."""
    return " \\\n  ".join(lines)


def script_head(purpose: str, dep: Deployment, reveal_secrets: bool) -> list[str]:
    """The opening lines every generated install script shares: what it does, where secrets come
    from, a check that each variable it reads is set, and the deployment notes."""
    lines = ["#!/usr/bin/env bash", f"# {purpose}",
             "# Secrets are read from your shell's environment when this runs; they are not in this text."
             if not reveal_secrets else "# WARNING: this text contains secrets (exported with --reveal-secrets).",
             "set -euo pipefail"]
    if not reveal_secrets:
        lines += require_lines(dep.env_vars_needed())
    lines += [f"# Note: {note}" for note in dep.notes]
    return lines
