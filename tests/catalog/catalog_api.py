"""A synchronous face over the in-process catalog, shared by the catalog tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, CatalogFaults, create_app

BLUEPRINT = {
    "identifier": "svc",
    "title": "Service",
    "schema": {
        "properties": {
            "name": {"type": "string"},
            "count": {"type": "number"},
            "flag": {"type": "boolean"},
            "meta": {"type": "object"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "when": {"type": "string", "format": "date-time"},
            "mail": {"type": "string", "format": "email"},
            "link": {"type": "string", "format": "url"},
            "ip4": {"type": "string", "format": "ipv4"},
            "ip6": {"type": "string", "format": "ipv6"},
            "level": {"type": "string", "enum": ["low", "high"]},
            "must": {"type": "string"},
        },
        "required": ["must"],
    },
}


class Api:
    """A synchronous face over the in-process catalog, for table tests."""

    def __init__(self, faults: CatalogFaults | None = None, **kwargs: Any) -> None:
        self.app = create_app(faults=faults, **kwargs)
        self.token: str | None = None

    def call(self, method: str, path: str, *, json: Any = None, params: Any = None, auth: bool = True,
             content: bytes | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://catalog") as c:
                sent = dict(headers or {})
                if auth:
                    if self.token is None:
                        r = await c.post("/v1/auth/access_token",
                                         json={"clientId": LOCAL_CLIENT_ID, "clientSecret": LOCAL_CLIENT_SECRET})
                        self.token = r.json()["accessToken"]
                    sent.setdefault("Authorization", f"Bearer {self.token}")
                return await c.request(method, path, json=json, params=params, content=content, headers=sent)

        return asyncio.run(go())

    def blueprint(self, body: dict[str, Any]) -> httpx.Response:
        return self.call("POST", "/v1/blueprints", json=body)

    def upsert(self, bp: str, entity: Any, **params: str) -> httpx.Response:
        return self.call("POST", f"/v1/blueprints/{bp}/entities", json=entity, params={"upsert": "true", **params})

    def bulk(self, bp: str, entities: list[Any], **params: str) -> httpx.Response:
        return self.call("POST", f"/v1/blueprints/{bp}/entities/bulk", json={"entities": entities},
                         params={"upsert": "true", **params})
