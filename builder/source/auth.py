"""Credentials for the target API the way Ocean Custom sends them, and masking of every secret.

Ocean's handlers (``integrations/custom/http_server/auth/*``) are small but unforgiving:
``basic`` only sets credentials when username AND password are non-empty — Cursor's key-as-
username with an empty password therefore goes out with no credentials at all — ``bearer_token``
and ``api_key`` set a client header, an unknown ``authType`` silently means none, and ``custom``
logs in first and splices values from the login response into every request through
``{{.jq_path}}`` templates. ``plan_auth(config, mode)`` reproduces that for ``mode="ocean"`` and
does what the API needs for ``mode="builder"``, with a note wherever the two differ.

Whatever is sent, ``Secrets`` masks it in everything captured for display: header values, URL
query values, bodies, error text — including derived forms such as the Basic base64 blob.
"""

from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from builder.engine import jqrt

AUTH_TYPES = ("none", "bearer_token", "basic", "api_key", "custom")
MASK = "••••"
#: Headers whose values are credentials whatever they contain.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
                            "api-key", "x-auth-token"})
_SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token", "password", "secret",
                            "client_secret"})
_TEMPLATE = re.compile(r"\{\{\.([^}]+)\}\}")
_AUTH_REQUEST_KEYS = {"endpoint", "method", "headers", "body", "bodyForm", "queryParams",
                      "reauthenticateIntervalSeconds"}
_TEMPLATE_KEYS = {"headers", "queryParams", "body"}
REAUTH_EARLY_SECONDS = 60  # Ocean refreshes a custom-auth login this long before it expires


class AuthError(ValueError):
    """A credential setting that cannot work; one line for the user."""


class Secrets:
    """Every secret value in play, masked wherever captured text could show it."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self.header_names: set[str] = set(SECRET_HEADERS)

    def add(self, value: Any) -> None:
        # Very short values ("", "a") would mask random letters and protect nothing.
        if value is None or isinstance(value, bool):
            return
        text = str(value)
        if len(text) >= 4:
            self._values.add(text)

    def add_header(self, name: str) -> None:
        self.header_names.add(name.lower())

    @property
    def values(self) -> list[str]:
        return sorted(self._values, key=len, reverse=True)  # longest first: a key inside a blob

    def text(self, value: str) -> str:
        for secret in self.values:
            if secret in value:
                value = value.replace(secret, MASK)
        return value

    def header(self, name: str, value: str) -> str:
        if name.lower() in self.header_names:
            scheme, _, rest = value.partition(" ")
            # Keep the scheme ("Basic", "Bearer") — it tells the user which auth went out.
            if rest and scheme.lower() in ("basic", "bearer", "token", "digest"):
                return f"{scheme} {MASK}"
            return MASK
        return self.text(value)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {name: self.header(name, str(value)) for name, value in headers.items()}

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.username or parts.password:
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=f"{MASK}@{netloc}")
        if parts.query:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            masked = [(k, "__MASKED__" if v and (v in self._values or k.lower() in _SECRET_PARAMS) else v)
                      for k, v in pairs]
            if masked != pairs:  # re-encode only when needed: the URL shown should be the URL sent
                parts = parts._replace(query=urlencode(masked).replace("__MASKED__", MASK))
        return self.text(urlunsplit(parts))

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.json(item) for key, item in value.items()}
        return value


@dataclass
class AuthPlan:
    auth_type: str
    headers: dict[str, str] = field(default_factory=dict)  # set on the client (Ocean: client.headers)
    basic: tuple[str, str] | None = None
    custom: CustomAuth | None = None
    secrets: Secrets = field(default_factory=Secrets)
    notes: list[str] = field(default_factory=list)

    @property
    def sends_credentials(self) -> bool:
        return bool(self.headers or self.basic or self.custom)


def _truthy_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def plan_auth(config: Mapping[str, Any], mode: str = "builder") -> AuthPlan:
    """Credentials from resolved integration settings (camelCase spec names, env refs resolved)."""
    raw_type = str(config.get("authType") or "none")
    plan = AuthPlan(raw_type if raw_type in AUTH_TYPES else "none")
    secrets = plan.secrets
    for name in ("apiToken", "password", "apiKey"):
        secrets.add(config.get(name))
    if raw_type not in AUTH_TYPES:
        plan.notes.append(f"authType {raw_type!r} is unknown: Ocean silently sends no credentials "
                          f"(use one of {', '.join(AUTH_TYPES)}; basic auth is 'basic', not 'basic_auth')")
        return plan
    if raw_type == "bearer_token":
        token = _truthy_text(config.get("apiToken"))
        if token:
            plan.headers["Authorization"] = f"Bearer {token}"
        else:
            plan.notes.append("authType bearer_token but apiToken is empty: no Authorization header is sent")
    elif raw_type == "api_key":
        key = _truthy_text(config.get("apiKey"))
        header = _truthy_text(config.get("apiKeyHeader")) or "X-API-Key"
        secrets.add_header(header)
        if key:
            plan.headers[header] = key
        else:
            plan.notes.append(f"authType api_key but apiKey is empty: no {header} header is sent")
    elif raw_type == "basic":
        username = _truthy_text(config.get("username"))
        password = _truthy_text(config.get("password"))
        if not password:
            secrets.add(username)  # key-as-username (Cursor): the username IS the secret
        if username:
            secrets.add(base64.b64encode(f"{username}:{password or ''}".encode()).decode())
        if username and password:
            plan.basic = (username, password)
        elif username and mode != "ocean":
            # What Cursor needs (`curl -u KEY:`); Ocean's BasicAuth handler skips it, see below.
            plan.basic = (username, "")
        if username and not password:
            plan.notes.append("Ocean's basic auth sends no credentials when the password is empty, so the "
                              "deployed integration gets 401; use authType api_key, apiKeyHeader Authorization, "
                              "apiKey 'Basic <base64 of KEY:>'")
        elif not username:
            plan.notes.append("authType basic but username is empty: no credentials are sent")
    elif raw_type == "custom":
        plan.custom = CustomAuth.from_config(config, secrets)
    return plan


def _json_setting(config: Mapping[str, Any], key: str) -> Any:
    value = config.get(key)
    if isinstance(value, str) and value.strip():
        # From an env var or a Helm value the object arrives as JSON text.
        try:
            return json.loads(value)
        except ValueError:
            raise AuthError(f"{key} is not valid JSON") from None
    return value


class CustomAuth:
    """``authType: custom``: a login request, then templates filled from its JSON response."""

    def __init__(self, request: dict[str, Any], template: dict[str, Any], base_url: str, secrets: Secrets) -> None:
        self.request = request
        self.template = template
        self.base_url = base_url
        self.secrets = secrets
        self.response: Any = None
        self.authenticated_at: float | None = None
        self._clock = time.monotonic

    @classmethod
    def from_config(cls, config: Mapping[str, Any], secrets: Secrets) -> CustomAuth:
        request = _json_setting(config, "customAuthRequest")
        template = _json_setting(config, "customAuthRequestTemplate")
        if not isinstance(request, dict) or not request.get("endpoint"):
            raise AuthError("authType custom needs customAuthRequest with at least an endpoint")
        extra = set(request) - _AUTH_REQUEST_KEYS
        if extra:
            raise AuthError(f"customAuthRequest has unknown keys {sorted(extra)}; Ocean rejects the config")
        if request.get("body") and request.get("bodyForm"):
            raise AuthError("customAuthRequest: give body or bodyForm, not both")
        interval = request.get("reauthenticateIntervalSeconds")
        if interval is not None and (not isinstance(interval, int) or isinstance(interval, bool) or interval < 1):
            raise AuthError("customAuthRequest.reauthenticateIntervalSeconds must be a whole number >= 1")
        if not isinstance(template, dict) or not (set(template) & _TEMPLATE_KEYS):
            raise AuthError("authType custom needs customAuthRequestTemplate with headers, queryParams or body")
        for value in _walk_strings(request.get("body")):
            secrets.add(value)  # login bodies carry client secrets and passwords
        if isinstance(request.get("bodyForm"), str):
            for _, value in parse_qsl(request["bodyForm"]):
                secrets.add(value)
        for name in (request.get("headers") or {}):
            secrets.add_header(name)
        for name in (template.get("headers") or {}):
            secrets.add_header(name)
        return cls(request, template, str(config.get("baseUrl") or ""), secrets)

    # -- the login request -------------------------------------------------------------------
    def login_request(self) -> dict[str, Any]:
        """httpx.request keyword arguments for the login call (as Ocean builds them)."""
        endpoint = str(self.request["endpoint"])
        if endpoint.startswith(("http://", "https://")):
            url = endpoint
        else:
            url = f"{self.base_url.rstrip('/')}/{endpoint.lstrip('/')}"
        headers = dict(self.request.get("headers") or {})
        if "Content-Type" not in headers:
            if self.request.get("bodyForm"):
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            elif self.request.get("body"):
                headers["Content-Type"] = "application/json"
        out: dict[str, Any] = {"method": str(self.request.get("method") or "POST").upper(), "url": url,
                               "headers": headers, "params": dict(self.request.get("queryParams") or {})}
        if self.request.get("body"):
            out["json"] = self.request["body"]
        elif self.request.get("bodyForm"):
            out["content"] = self.request["bodyForm"]
        return out

    def accept(self, response_json: Any) -> None:
        self.response = response_json
        self.authenticated_at = self._clock()
        for value in _walk_strings(response_json):
            # Tokens are long; short strings ("Bearer", "3600") would mask ordinary words.
            if len(value) >= 8:
                self.secrets.add(value)

    @property
    def expired(self) -> bool:
        if self.response is None or self.authenticated_at is None:
            return True
        interval = self.request.get("reauthenticateIntervalSeconds")
        if interval is None:
            return False  # Ocean then only re-authenticates on a 401
        return self._clock() - self.authenticated_at >= interval - REAUTH_EARLY_SECONDS

    # -- applying the templates --------------------------------------------------------------
    def apply(self, headers: dict[str, str], params: dict[Any, Any], body: Any) -> tuple[dict, dict, Any]:
        """Template values win over the request's own (Ocean merges them last)."""
        if not self.response:
            return headers, params, body
        evaluated_headers = evaluate_templates(self.template.get("headers") or {}, self.response)
        evaluated_params = evaluate_templates(self.template.get("queryParams") or {}, self.response)
        evaluated_body = evaluate_templates(self.template.get("body") or {}, self.response)
        new_body = body
        if body or evaluated_body:
            if body and not isinstance(body, dict):
                raise AuthError("customAuthRequestTemplate.body can only merge into a JSON object body")
            new_body = {**(body or {}), **evaluated_body}
        return {**headers, **evaluated_headers}, {**params, **evaluated_params}, new_body


def evaluate_template(template: str, response: Any) -> str:
    """``"Bearer {{.access_token}}"`` → ``"Bearer abc"``; a path with no value stays as written."""

    def replace(match: re.Match[str]) -> str:
        path = match.group(1)
        expr = path if path.startswith(".") else f".{path}"
        value = jqrt.first_value(expr, response)
        if value is None:
            return match.group(0)
        return str(value)  # Python's str(), as Ocean: True → "True"

    return _TEMPLATE.sub(replace, template)


def evaluate_templates(data: Mapping[str, Any], response: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str):
            out[key] = evaluate_template(value, response)
        elif isinstance(value, dict):
            out[key] = evaluate_templates(value, response)
        elif isinstance(value, list):
            out[key] = [evaluate_template(item, response) if isinstance(item, str) else item for item in value]
        else:
            out[key] = value
    return out


def _walk_strings(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            found.extend(_walk_strings(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_walk_strings(item))
    return found
