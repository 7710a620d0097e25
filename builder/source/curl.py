"""A request as a ``curl`` command a user can paste: the key as ``$CURSOR_API_KEY``, never its value.

Works from an :class:`~builder.source.exchange.Exchange`, whose URL and headers the source already
masked; a masked credential becomes a reference to the environment variable the project's
credential setting names, so the command runs wherever that variable is set.
"""

from __future__ import annotations

import json
import shlex
from typing import Any, Mapping

from builder.source.auth import MASK

#: Headers curl sets by itself: repeating them only makes the command longer.
_CURL_OWN = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent"})


def _quoted(value: str, key_env: str) -> str:
    """Shell-quote ``value``; a masked secret in it becomes ``$KEY_ENV`` (double quotes, so it expands)."""
    if MASK not in value:
        return shlex.quote(value)
    escaped = "".join("\\" + char if char in '"\\`$' else char for char in value)
    return '"' + escaped.replace(MASK, "$" + key_env) + '"'


def as_curl(method: str, url: str, headers: Mapping[str, str], body: Any, *, auth_type: str,
            key_env: str = "CURSOR_API_KEY", base_url: str | None = None, shown_origin: str | None = None) -> str:
    """``curl`` for one request as sent. ``shown_origin``/``base_url``: a URL shown as the simulator's
    (demo mode) goes back to the project's base URL, the API the command would really call."""
    if shown_origin and base_url and url.startswith(shown_origin):
        url = base_url.rstrip("/") + url[len(shown_origin):]
    lines = [f"curl -X {method.upper()} {_quoted(url, key_env)}" if method.upper() != "GET"
             else f"curl {_quoted(url, key_env)}"]
    for name, value in headers.items():
        lower = name.lower()
        if lower in _CURL_OWN:
            continue
        if lower == "authorization" and auth_type == "basic":
            # Cursor's Basic auth is the key as username, empty password: curl builds the blob itself.
            lines.append(f'-u "${key_env}:"')
            continue
        lines.append("-H " + _quoted(f"{name}: {value}", key_env))
    if body is not None:
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        lines.append("--data-raw " + _quoted(text, key_env))
    return " \\\n  ".join(lines)
