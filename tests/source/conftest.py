"""Fixtures for the HTTP source: projects from dicts, a fixed clock, recorded sleeps, and small
ASGI servers (built with builder/asgi.py) for the pagination styles Cursor does not use."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import httpx
import pytest

from builder.net.asgi import Request, Response, Router, read_request, send_response
from builder.project.load import parse_project
from builder.project.model import Project
from builder.simulator import SimulatorConfig
from builder.source.client import Source
from builder.source.exchange import FetchResult
from builder.project.yamlio import dump

NOW = datetime(2026, 5, 5, 12, 0, tzinfo=timezone.utc)
NOW_TS = NOW.timestamp()
KEY = "crsr_test_0123456789abcdef0123456789abcdef0123456789abcdef01234567"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def make_project(config: dict[str, Any] | None = None, resources: list[dict[str, Any]] | None = None,
                 blueprints: list[dict[str, Any]] | None = None) -> Project:
    data = {"integration": {"config": {"baseUrl": "https://api.example.test", **(config or {})}},
            "portAppConfig": {"resources": resources or []}, "blueprints": blueprints or []}
    return parse_project(dump(data))


def resource(kind: str = "/items", *, data_path: str | None = ".items", name: str = "items",
             identifier: str = ".id | tostring", **selector: Any) -> dict[str, Any]:
    sel = {"query": "true", **selector}
    if data_path is not None:
        sel["data_path"] = data_path
    out = {"kind": kind, "selector": sel,
           "port": {"entity": {"mappings": {"identifier": identifier, "blueprint": '"item"'}}}}
    ext = sel.pop("x_builder", None)
    out["x-builder"] = {"name": name, **(ext or {})}
    return out


class Sleeps:
    """An injected sleep that records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def sim_config() -> SimulatorConfig:
    return SimulatorConfig(api_key=KEY, team_size=4, days=30, seed=7, now=NOW, rate_limits=False)


@dataclass
class Seen:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def query_string(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self.query)


@dataclass
class App:
    """An ASGI app from a router, recording every request it sees."""

    router: Router = field(default_factory=Router)
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        request = await read_request(scope, receive)
        self.seen.append(Seen(request.method, request.path, request.query, request.headers, request.body))
        handler, params, _ = self.router.match(request.method, request.path)
        if handler is None:
            response = Response.json({"error": "Not Found", "message": "Resource not found"}, status=404)
        else:
            request.path_params = params
            response = await handler(request)
        await send_response(send, response)

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self)


def fetch_items(project: Project, app: App, *, mode: str = "builder", **fetch_kwargs: Any) -> FetchResult:
    """One ``Source.fetch`` of the resource ``items``, served by ``app``."""

    async def go() -> FetchResult:
        async with Source(project, transport=app.transport(), mode=mode) as source:
            return await source.fetch("items", **fetch_kwargs)

    return run(go())


ITEMS = [{"id": i, "name": f"item-{i}"} for i in range(1, 26)]  # 25 items


def paged_app(style: str, total: int = 25) -> App:
    """One endpoint, /items, paginated in ``style``; the data is ITEMS[:total]."""
    app = App()
    items = ITEMS[:total]

    def window(start: int, size: int) -> list[dict[str, Any]]:
        return items[start:start + size]

    async def handler(request: Request) -> Response:
        q = dict(request.query)
        if style == "page":  # {items, hasMore}
            page, size = int(q.get("page", 1)), int(q.get("size", 10))
            chunk = window((page - 1) * size, size)
            return Response.json({"items": chunk, "hasMore": page * size < len(items)})
        if style == "page_meta":  # {items, meta: {has_next}}, the signal needs hasMorePath
            page, size = int(q.get("page", 1)), int(q.get("per_page", 10))
            return Response.json({"items": window((page - 1) * size, size),
                                  "meta": {"has_next": page * size < len(items), "last": page * size >= len(items)}})
        if style == "page_list":  # a bare list
            page, size = int(q.get("page", 1)), int(q.get("size", 10))
            return Response.json(window((page - 1) * size, size))
        if style == "offset":  # {items, has_more}
            offset, limit = int(q.get("offset", 0)), int(q.get("limit", 10))
            return Response.json({"items": window(offset, limit), "has_more": offset + limit < len(items)})
        if style == "offset_no_flag":  # {items, total}: no has_more at all
            offset, limit = int(q.get("offset", 0) or 0), int(q.get("limit", 10) or 10)
            return Response.json({"items": window(offset, limit), "total": len(items), "offset": offset})
        if style == "offset_list":
            offset, limit = int(q.get("offset", 0)), int(q.get("limit", 10))
            return Response.json(window(offset, limit))
        if style in ("cursor", "cursor_no_flag"):
            start, size = int(q.get("cursor", 0) or 0), int(q.get("limit", 10))
            end = start + size
            body: dict[str, Any] = {"items": window(start, size), "next_cursor": str(end) if end < len(items) else None}
            if style == "cursor":
                body["has_more"] = end < len(items)
            return Response.json(body)
        if style == "next_link":
            start = int(q.get("start", 0))
            nxt = f"https://api.example.test/items?start={start + 10}" if start + 10 < len(items) else None
            return Response.json({"items": window(start, 10), "@odata.nextLink": nxt})
        if style == "next_link_nested":
            start = int(q.get("start", 0))
            nxt = f"https://api.example.test/items?start={start + 10}" if start + 10 < len(items) else None
            return Response.json({"items": window(start, 10), "links": {"next": nxt}})
        if style == "header_link":
            start = int(q.get("start", 0))
            headers = {}
            if start + 10 < len(items):
                headers["link"] = f'<https://api.example.test/items?start={start + 10}>; rel="next"'
            return Response.json({"items": window(start, 10)}, headers=headers)
        if style == "ignores_params":  # answers the same page whatever is asked
            return Response.json({"items": window(0, 10)})
        raise AssertionError(style)

    for method in ("GET", "POST"):
        app.router.add(method, "/items", handler)
    return app
