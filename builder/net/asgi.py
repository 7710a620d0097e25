"""A very small ASGI toolkit shared by the Cursor simulator and the embedded Port catalog.

Both servers are plain ASGI callables so that tests and the builder can talk to them in-process
through ``httpx.ASGITransport`` and ``cursor-builder simulate`` / ``catalog serve`` can put them on
loopback with uvicorn. A framework would be one more dependency for ~150 lines of routing.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Generic, MutableMapping, TypeVar
from urllib.parse import parse_qsl

Handler = Callable[["Request"], Awaitable["Response"]]
# The ASGI spec's types (and httpx.ASGITransport's): scope and messages are mutable mappings.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    path_params: dict[str, str] = field(default_factory=dict)

    def query_get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return default

    def query_all(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]

    def json(self) -> Any:
        """The body as JSON; raises ValueError with a readable message when it is not."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except json.JSONDecodeError as exc:
            raise ValueError(f"request body is not valid JSON: {exc.msg}") from exc


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # When set, the body is sent as these pieces with chunked transfer (no content-length), the way
    # a streaming endpoint answers; ``body`` should still hold the joined bytes for ETags and tests.
    chunks: list[bytes] | None = None

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        merged = {"content-type": "application/json"}
        merged.update(headers or {})
        return cls(status, data, merged)

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8",
             headers: dict[str, str] | None = None) -> Response:
        merged = {"content-type": content_type}
        merged.update(headers or {})
        return cls(status, text.encode(), merged)


_PARAM = re.compile(r"\{(\w+)\}")


H = TypeVar("H")


class Router(Generic[H]):
    """Routes ``METHOD /path/{param}`` to handlers of the owner's kind (async ones for the simulator,
    plain functions for the catalog, which runs them under its own lock); 404/405 bodies are the owner's."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], H]] = []

    def add(self, method: str, template: str, handler: H) -> None:
        pattern = "^" + _PARAM.sub(r"(?P<\1>[^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")) + "$"
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def route(self, method: str, template: str) -> Callable[[H], H]:
        def decorator(handler: H) -> H:
            self.add(method, template, handler)
            return handler

        return decorator

    def match(self, method: str, path: str) -> tuple[H | None, dict[str, str], bool]:
        """Return (handler, path params, path_exists_with_other_method)."""
        path_seen = False
        for route_method, pattern, handler in self._routes:
            found = pattern.match(path)
            if not found:
                continue
            path_seen = True
            if route_method == method.upper():
                return handler, found.groupdict(), True
        return None, {}, path_seen


#: The most body a request may carry when the app sets no limit of its own: a chunked upload has no
#: Content-Length to refuse up front, so the read itself must stop (issue #11 row 13).
DEFAULT_MAX_BODY = 16 * 1024 * 1024


class BodyTooLarge(Exception):
    """The body grew past the limit while being read; nothing more of it is read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is over {limit} bytes")
        self.limit = limit


async def read_request(scope: Scope, receive: Receive, *,
                       max_body: int = DEFAULT_MAX_BODY) -> Request:
    """The request with its whole body; raises :class:`BodyTooLarge` as soon as more than ``max_body``
    bytes arrived (with or without a Content-Length)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.request":
            piece = message.get("body", b"")
            size += len(piece)
            if size > max_body:
                raise BodyTooLarge(max_body)
            chunks.append(piece)
            if not message.get("more_body", False):
                break
        elif message["type"] == "http.disconnect":
            break
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return Request(
        method=scope["method"].upper(),
        path=scope["path"],
        query=query,
        headers=headers,
        body=b"".join(chunks),
    )


async def send_response(send: Send, response: Response) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    # 204 and 304 carry no body by definition; a content-length on them upsets strict HTTP stacks.
    bodiless = response.status in (204, 304) or response.status < 200
    if response.chunks is None and not bodiless and not any(name == b"content-length" for name, _ in headers):
        headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    if response.chunks is not None and not bodiless:
        for piece in response.chunks:
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    else:
        await send({"type": "http.response.body", "body": b"" if bodiless else response.body})


async def handle_lifespan(receive: Receive, send: Send) -> None:
    """Accept uvicorn's lifespan protocol; our apps hold no resources that need it."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def dispatch(scope: Scope, receive: Receive, send: Send, respond: Handler, *,
                   raw_path: bool = False, max_body: int = DEFAULT_MAX_BODY) -> None:
    """One ASGI call of our apps: lifespan accepted, other non-HTTP scopes ignored, an HTTP request
    read, answered by ``respond`` and sent. ``raw_path``: route on the undecoded path (``%2F`` kept).
    A body over ``max_body`` is answered 413 without reading the rest of it."""
    if scope["type"] == "lifespan":
        await handle_lifespan(receive, send)
        return
    if scope["type"] != "http":
        return
    try:
        request = await read_request(scope, receive, max_body=max_body)
    except BodyTooLarge as exc:
        await send_response(send, Response.json({"ok": False, "error": "payload_too_large",
                                                 "message": f"{exc}; send at most {exc.limit} bytes"}, 413,
                                                {"connection": "close"}))
        return
    raw = scope.get("raw_path") if raw_path else None
    if raw:
        request.path = raw.decode("latin-1")
    await send_response(send, await respond(request))


# -- serving on loopback (``simulate``, ``catalog serve``) --------------------------------------------


class CannotServe(Exception):
    """uvicorn could not bind (it has logged the cause); the message is one line that says what to do."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as it stands in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host


def serve_loopback(app: ASGIApp, host: str, port: int, on_ready: Callable[[int], Any]) -> bool:
    """Serve ``app`` with uvicorn until Ctrl+C or shutdown; ``on_ready(port)`` once it listens, with the
    real port (``port`` 0 picks a free one). Returns whether the server started; raises
    :class:`CannotServe` when it cannot bind. The caller checks that ``host`` is loopback."""
    import uvicorn  # imported late: only the serving subcommands need a server

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
    original_startup = server.startup

    async def startup(sockets: Any = None) -> None:  # announce once the real port is known (port 0)
        await original_startup(sockets=sockets)
        bound = port
        if server.servers and server.servers[0].sockets:
            bound = server.servers[0].sockets[0].getsockname()[1]
        on_ready(bound)

    server.startup = startup  # type: ignore[method-assign]
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    except (OSError, SystemExit):  # uvicorn exits when it cannot bind; it has logged the cause
        raise CannotServe(f"cannot serve on {host}:{port}; is the port in use? Try another --port "
                          "(0 picks a free one).") from None
    return bool(server.started)
