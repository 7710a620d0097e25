"""Issue #11 row 13 (servers): a body without Content-Length (chunked) is never read past the limit,
and an unauthenticated one is not read at all. The embedded catalog and the Cursor simulator are
driven in-process as ASGI apps with a client that would send bytes for ever.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from builder.port.catalog.app import MAX_BODY_BYTES, create_app
from builder.simulator import SimulatorConfig
from builder.simulator import create_app as create_simulator

CHUNK = 64 * 1024


class EndlessBody:
    """ASGI ``receive`` for a chunked upload that never ends; counts what the app read."""

    def __init__(self) -> None:
        self.read = 0

    async def __call__(self) -> dict[str, Any]:
        self.read += CHUNK
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": True}


def call(app: Any, path: str, headers: list[tuple[bytes, bytes]], body: EndlessBody) -> int:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"host", b"127.0.0.1:8766"), (b"transfer-encoding", b"chunked"), *headers],
             "server": ("127.0.0.1", 8766)}
    asyncio.run(app(scope, body, send))
    return sent[0]["status"]


@pytest.mark.parametrize("path", ["/v1/blueprints", "/v1/blueprints/bp/entities/bulk"])
def test_catalog_refuses_an_unauthenticated_chunked_body_without_reading_it(path):
    body = EndlessBody()
    assert call(create_app(), path, [], body) == 401
    assert body.read == 0


@pytest.mark.parametrize("path, headers", [
    ("/v1/auth/access_token", []),  # the one unauthenticated route
    ("/v1/blueprints/bp/entities/bulk", [(b"authorization", b"Bearer x")]),
])
def test_catalog_stops_reading_a_chunked_body_at_its_limit(path, headers):
    body = EndlessBody()
    assert call(create_app(), path, headers, body) == 413
    assert MAX_BODY_BYTES < body.read <= MAX_BODY_BYTES + CHUNK


def test_simulator_stops_reading_a_chunked_body_at_its_limit():
    from builder.net.asgi import DEFAULT_MAX_BODY

    body = EndlessBody()
    app = create_simulator(SimulatorConfig())
    assert call(app, "/teams/filtered-usage-events", [(b"authorization", b"Basic eDo=")], body) == 413
    assert DEFAULT_MAX_BODY < body.read <= DEFAULT_MAX_BODY + CHUNK
