"""Deterministic fault injection for the embedded catalog, so tests can prove "nothing lost".

Faults are counted, not random: "the 2nd and 3rd bulk request get a 429" is what a test needs to
assert exact outcomes. Status faults are answered by the ASGI app; dropped connections cannot be
expressed by an ASGI app (it can only answer), so they live in :class:`FaultyTransport`, which
raises from the transport the way httpx does when a server closes the socket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from builder.net.asgi import ASGIApp


@dataclass
class Fault:
    """Misbehaviour for requests whose path contains ``path`` (and whose method is ``method``).

    The first ``after`` matching requests pass; the next ``times`` get the fault.
    ``kind``: ``"status"`` (answer ``status`` with Port's error body and the headers below) or
    ``"drop"`` (the connection drops; ``after_processing`` = the server did the work but the
    answer was lost, which is what makes retries need idempotent upserts).
    """

    kind: str = "status"
    status: int = 503
    times: int = 1
    after: int = 0
    path: str = ""
    method: str | None = None
    retry_after: str | None = None
    ratelimit_reset: str | None = None
    after_processing: bool = False
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path:
            return self.path in path
        return "/auth/" not in path  # a blanket fault spares the token endpoint

    @property
    def due(self) -> bool:
        return self.seen > self.after and self.fired < self.times

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.retry_after is not None:
            out["retry-after"] = self.retry_after
        if self.ratelimit_reset is not None:
            out["x-ratelimit-reset"] = self.ratelimit_reset
        if self.status == 429:
            out.setdefault("x-ratelimit-limit", "35000")
            out.setdefault("x-ratelimit-remaining", "0")
            out.setdefault("x-ratelimit-period", "300")
        return out


@dataclass
class CatalogFaults:
    """Everything a test can break. ``fired`` lists what happened, in order, for assertions."""

    faults: list[Fault] = field(default_factory=list)
    #: identifier → message: bulk upserts answer 207 with an error for these; single upserts 422.
    reject: dict[str, str] = field(default_factory=dict)
    #: a token is refused (401) after it has authorised this many requests; the next token works.
    token_uses: int | None = None
    fired: list[str] = field(default_factory=list)

    def _take(self, kind: str, method: str, path: str) -> Fault | None:
        # Every matching fault counts the request (so `after` means "the Nth matching request"
        # whatever else fired); the first one due fires.
        chosen = None
        for fault in self.faults:
            if fault.kind == kind and fault.matches(method, path):
                fault.seen += 1
                if chosen is None and fault.due:
                    chosen = fault
        if chosen is not None:
            chosen.fired += 1
        return chosen

    def status_fault(self, method: str, path: str) -> Fault | None:
        fault = self._take("status", method, path)
        if fault is not None:
            self.fired.append(f"{fault.status} {method} {path}")
        return fault

    def drop_fault(self, method: str, path: str) -> Fault | None:
        fault = self._take("drop", method, path)
        if fault is not None:
            self.fired.append(f"drop {method} {path}")
        return fault

    def count(self, prefix: str) -> int:
        return sum(1 for item in self.fired if item.startswith(prefix))


class FaultyTransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` that drops connections as the app's :class:`CatalogFaults` say."""

    def __init__(self, app: ASGIApp, faults: CatalogFaults | None = None, **kwargs: Any) -> None:
        super().__init__(app=app, **kwargs)
        self.faults = faults if faults is not None else getattr(app, "faults", None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.faults.drop_fault(request.method, request.url.path) if self.faults else None
        if fault is None:
            return await super().handle_async_request(request)
        if fault.after_processing:
            response = await super().handle_async_request(request)
            await response.aclose()
            raise httpx.ReadError("connection dropped after the server answered (injected)", request=request)
        raise httpx.RemoteProtocolError("Server disconnected without sending a response. (injected)", request=request)
