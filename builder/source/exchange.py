"""What one HTTP source fetch records and how it words failures.

``Exchange`` is one request/response as the UI shows it (secrets already masked), ``Coverage`` what a
fetch ingested next to what Ocean would, ``FetchResult`` both for one resource; the helpers turn a
response or a connection failure into the one line that says what happened and what to do.
:mod:`builder.source.client` re-exports all of it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from builder.source.auth import AuthPlan

if TYPE_CHECKING:  # httpx is only a type here: the TUI loads this module at start, httpx when it sends
    import httpx

TEXT_CAP = 64 * 1024  # Exchange.text keeps at most this much of a body
_ENTERPRISE_PATHS = ("/analytics/", "/teams/groups", "/teams/user-spend-limit", "/teams/remove-member")


@dataclass
class Exchange:
    method: str
    url: str  # masked
    request_headers: dict[str, str]  # masked
    request_body: Any
    status: int | None = None
    elapsed_ms: float = 0.0
    size: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    data: Any = None
    text: str = ""
    error: str | None = None
    attempt: int = 1
    page: int | None = None
    purpose: str = "page"  # page | path_parameters | auth
    retry_in: float | None = None  # seconds waited before the next attempt
    mode: str = "builder"
    links: dict[str, Any] = field(default_factory=dict, repr=False)  # parsed Link header (header_link)

    @property
    def request_line(self) -> str:
        return f"{self.method} {self.url}"

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    def summary(self) -> str:
        status = str(self.status) if self.status is not None else "---"
        size = f"{self.size / 1024:.1f} KB" if self.size >= 1024 else f"{self.size} B"
        where = f"page {self.page}" if self.page else self.purpose
        line = f"{self.request_line}  {status}  {self.elapsed_ms:.0f} ms  {size}  {where}"
        if self.attempt > 1:
            line += f"  (attempt {self.attempt})"
        if self.retry_in is not None:
            line += f"  → retry in {self.retry_in:.1f}s"
        return line + (f"  ✗ {self.error}" if self.error else "")

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("data", "text", "links")}
        return {**out, "elapsed_ms": round(self.elapsed_ms, 1)}


@dataclass
class Coverage:
    pages: int
    records: int
    duplicate_identifiers: int
    stop_reason: str
    ocean_pages: int | None = None
    ocean_stop_reason: str | None = None
    ocean_records: int | None = None
    stop_code: str = ""
    entities: int = 0
    dropped: int = 0
    never_stops: bool = False
    ocean_never_stops: bool = False
    duplicate_examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ocean_missing(self) -> int | None:
        """Records the deployed integration would not ingest (None when not compared)."""
        if self.ocean_records is None:
            return None
        return max(0, self.records - self.ocean_records)

    def lines(self) -> list[str]:
        out = [f"fetched {self.pages} page(s), {self.records} records → {self.entities} entities"
               + (f", {self.dropped} dropped" if self.dropped else "")
               + f"; {self.duplicate_identifiers} duplicate identifiers"
               + (f" (e.g. {', '.join(self.duplicate_examples[:3])})" if self.duplicate_examples else ""),
               f"stopped: {self.stop_reason}"]
        if self.ocean_pages is not None:
            line = f"Ocean would fetch {self.ocean_pages} page(s), {self.ocean_records} records; {self.ocean_stop_reason}"
            missing = self.ocean_missing
            if self.ocean_never_stops:
                line = f"Ocean would never stop: {self.ocean_stop_reason}"
            elif missing:
                line += f" — {missing} of {self.records} records would NOT be ingested"
            out.append(line)
        out.extend(f"note: {note}" for note in self.notes)
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FetchResult:
    resource: str
    exchanges: list[Exchange]
    pages: list[Any]
    error: str | None
    coverage: Coverage
    page_params: list[dict[str, str]] = field(default_factory=list)  # path parameters of each page
    mode: str = "builder"

    def to_json(self) -> dict[str, Any]:
        return {"resource": self.resource, "mode": self.mode, "error": self.error,
                "exchanges": [e.to_json() for e in self.exchanges], "coverage": self.coverage.to_json(),
                "pages": self.pages}


def api_message(data: Any, text: str) -> str:
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "title"):
            if isinstance(data.get(key), str) and data[key]:
                return data[key]
    return " ".join(text.split())[:120]


def connect_message(host: str, detail: str) -> str:
    if "CERTIFICATE" in detail.upper() or "SSL" in detail.upper():
        return (f"TLS certificate check failed for {host}: {detail} — point SSL_CERT_FILE at your CA bundle, or "
                "set verifySsl: false for a trusted internal host")
    return (f"cannot reach {host}: {detail} — check baseUrl, DNS, proxy settings (HTTPS_PROXY) and the network")


def read_response(ex: Exchange, response: httpx.Response, method: str, auth: AuthPlan, attempt: int, *,
                  cursor: bool, key_ref: str | None) -> bool:
    """Parse the body into ``ex.data``, or put the one-line failure in ``ex.error``; True when the
    failure is worth retrying. ``cursor``: the API is Cursor's (plan and key hints); ``key_ref``: the
    environment variable that holds the key, named in a 401's hint."""
    content_type = response.headers.get("content-type", "")
    text = ex.text
    data = None
    parse_error = None
    unreadable = None  # well-formed as far as we know, but beyond what Python reads (issue #11 row 11)
    if response.content:
        try:
            data = json.loads(response.content)
        except RecursionError:
            unreadable = "nested deeper than a JSON reader goes"
        except json.JSONDecodeError as exc:
            parse_error = exc
        except ValueError as exc:  # an integer of more than 4,300 digits (Python's conversion limit)
            unreadable = str(exc).split(";")[0]
    status = response.status_code
    path = response.request.url.path
    if 200 <= status < 300:
        if not response.content:
            ex.error = f"empty response body (status {status}): nothing to map, and Ocean fails parsing it"
            return False
        if unreadable is not None:
            ex.error = (f"response JSON cannot be read ({ex.size} bytes: {unreadable}): no real API answers "
                        f"this — check baseUrl and kind")
            return False
        if parse_error is not None:
            head = " ".join(text[:60].split())
            if "json" in content_type:
                ex.error = (f"response is not valid JSON ({content_type}, {ex.size} bytes; {parse_error}): the "
                            "body looks cut off — try again")
                return True
            ex.error = (f"response is not JSON ({content_type or 'no content-type'}, {ex.size} bytes, starts "
                        f"with {head!r}) — check baseUrl and kind; a proxy or login page may be answering")
            return False
        ex.data = data
        return False
    message = api_message(data, text)
    # Path-based hints only for Cursor: another API's /analytics/ says nothing about plans.
    enterprise = (cursor and path.startswith(_ENTERPRISE_PATHS)) or "enterprise" in message.lower()
    if status == 401:
        if not auth.sends_credentials:
            hint = auth.notes[0] if auth.notes else "set authType and the key"
            ex.error = f"401 Unauthorized: no credentials were sent — {hint}"
        elif enterprise:
            ex.error = (f"401 Unauthorized on {path} ({message}): Analytics and AI Code endpoints need a Cursor "
                        "Enterprise team, and Cursor answers 401 for a wrong key and a non-Enterprise team alike — "
                        "if /teams/members works with this key, upgrade or remove this resource")
        else:
            where = f"${{{key_ref}}}" if key_ref else "the configured key"
            what = "current team admin key (Cursor dashboard → Settings → API keys)" if cursor else \
                "valid credential"
            ex.error = f"401 Unauthorized ({message}): the API key was rejected — check that {where} holds a {what}"
        return False
    if status == 403:
        if enterprise:
            ex.error = (f"403 Forbidden on {path}: Enterprise access required ({message}) — this endpoint needs "
                        "a Cursor Enterprise team; remove the resource or use an Enterprise team's key")
        else:
            ex.error = (f"403 Forbidden ({message}): the key may not call {path} — it needs the admin:* scope "
                        "(Admin and AI Code APIs)")
        return False
    if status == 429:
        limit = "Cursor allows 20-100 requests a minute per endpoint; " if cursor else ""
        ex.error = (f"429 rate limited ({message}) after {attempt} attempt(s) — {limit}wait a minute, fetch "
                    "fewer pages or raise pageSize")
        return True
    if status >= 500:
        ex.error = f"{status} server error after {attempt} attempt(s) ({message}) — the API is failing; try later"
        return True
    if status == 404:
        ex.error = f"404 Not Found: {method} {path} — check the resource kind (endpoint path) and baseUrl"
    elif status == 405:
        ex.error = f"405 Method Not Allowed: {path} does not accept {method} — set selector.method"
    elif status == 408:
        ex.error = f"408 Request Timeout after {attempt} attempt(s) — try again later"
        return True
    else:
        reason = response.reason_phrase or "error"
        ex.error = f"{status} {reason}: {message} — fix the request (selector body/query_params)"
    return False
