"""Shell and Helm quoting shared by the command exporters.

A secret is written as ``"$VAR"``: the shell of whoever runs the command expands it, so the text
itself (clipboard, terminal scrollback, a committed script) never holds the value.
"""

from __future__ import annotations

import shlex
from typing import Any, Mapping

from builder.yamlio import ProjectError


def env_ref(name: str) -> str:
    return f'"${name}"'


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
