"""The embedded catalog's HTTP face: the subset of Port's REST API that a sync uses.

Same paths, bodies, status codes and rules as Port (reference/ocean-port.md §4): token auth,
blueprints (POST/GET/PATCH/PUT/DELETE), single and bulk upsert with ``upsert`` / ``merge`` /
``create_missing_related_entities``, 207 partial failures, paginated search, single and bulk
delete, a 1 MiB body limit (413) and ``X-Trace-Id`` on every answer. ``PortClient`` talks to it
exactly as it talks to Port, in-process (``httpx.ASGITransport``) or over loopback (uvicorn).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import sqlite3
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import unquote

from builder.net.asgi import Receive, Request, Response, Router, Scope, Send, dispatch, send_response
from builder.net.faults import BAD_JSON, FaultDice, InjectedReset, cut_body
from builder.port.catalog import query as rules_query
from builder.port.catalog.faults import CatalogFaults
from builder.port.catalog.entities import ApiError, EntityWriter, rule_error
from builder.port.catalog.rules import check_blueprint
from builder.port.catalog.store import CatalogStore

#: Credentials the local catalog accepts unless told otherwise. It listens on loopback only and
#: holds demo data, so these are well known on purpose: a sync to "local" needs no setup.
LOCAL_CLIENT_ID = "local-catalog"
LOCAL_CLIENT_SECRET = "local-catalog-secret"

MAX_BODY_BYTES = 1024 * 1024
MAX_BULK_ENTITIES = 20
MAX_BULK_DELETE = 100
TOKEN_TTL_SECONDS = 3 * 3600
SEARCH_LIMIT_DEFAULT = 200
SEARCH_LIMIT_MAX = 1000


@dataclass
class _Token:
    client_id: str
    issued: float
    uses: int = 0


def _flag(request: Request, name: str, default: bool = False) -> bool:
    value = request.query_get(name)
    if value is None:
        return default
    return value.lower() in ("true", "1", "yes")


class CatalogApp:
    """ASGI app over a :class:`CatalogStore`. ``faults`` injects misbehaviour for tests."""

    def __init__(self, store: CatalogStore | None = None, *, client_id: str = LOCAL_CLIENT_ID,
                 client_secret: str = LOCAL_CLIENT_SECRET, faults: CatalogFaults | None = None,
                 clock: Callable[[], float] = time.time, dice: FaultDice | None = None) -> None:
        self.store = store if store is not None else CatalogStore(":memory:")
        self.dice = dice  # random faults from `catalog serve --faults` (builder.net.faults)
        self.client_id = client_id
        self.client_secret = client_secret
        self.faults = faults or CatalogFaults()
        self.writer = EntityWriter(self.store, self.faults)
        self.clock = clock
        self.requests = 0  # how many requests arrived (tests compare bulk vs single)
        self._tokens: dict[str, _Token] = {}
        self._active: dict[str, str] = {}  # client id → its current token
        self._client = client_id
        self.router: Router[Callable[[Request], Response]] = Router()
        r = self.router.add
        r("POST", "/v1/auth/access_token", self.access_token)
        r("GET", "/v1/blueprints", self.list_blueprints)
        r("POST", "/v1/blueprints", self.create_blueprint)
        r("GET", "/v1/blueprints/{bp}", self.get_blueprint)
        r("PATCH", "/v1/blueprints/{bp}", self.patch_blueprint)
        r("PUT", "/v1/blueprints/{bp}", self.put_blueprint)
        r("DELETE", "/v1/blueprints/{bp}", self.delete_blueprint)
        r("DELETE", "/v1/blueprints/{bp}/all-entities", self.delete_all_entities)
        r("GET", "/v1/blueprints/{bp}/entities", self.list_entities)
        r("POST", "/v1/blueprints/{bp}/entities", self.upsert_one)
        r("POST", "/v1/blueprints/{bp}/entities/bulk", self.upsert_bulk)
        r("POST", "/v1/blueprints/{bp}/entities/search", self.search_blueprint)
        r("GET", "/v1/blueprints/{bp}/entities/{entity}", self.get_entity)
        r("DELETE", "/v1/blueprints/{bp}/entities/{entity}", self.delete_entity)
        r("POST", "/v1/blueprints/{bp}/bulk/entities/delete", self.bulk_delete)
        r("POST", "/v1/entities/search", self.search_all)
        # What an Ocean integration calls besides entities (install, resync state, examples, logs …).
        from builder.port.catalog.integrations import register as register_integrations
        self.integrations = register_integrations(self)
        # Port's pages API (dashboards), created by a sync after the blueprints.
        from builder.port.catalog.pages import register as register_pages
        self.pages = register_pages(self)

    # -- ASGI ----------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") == "http":
            refused = _refuse_before_body(scope)
            if refused is not None:  # decided from the headers: a hostile body is never read
                await send_response(send, refused)
                return
        try:
            # Identifiers may hold '/', sent as %2F: route on the raw path, decode each segment after.
            await dispatch(scope, receive, send, self._respond, raw_path=True, max_body=MAX_BODY_BYTES)
        except InjectedReset:
            # The work is done; the answer is lost mid-body. uvicorn closes the connection, and
            # in-process the exception reaches the client as the transport error it stands for.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
            await send({"type": "http.response.body", "body": b'{"ok": tr', "more_body": True})
            raise

    async def _respond(self, request: Request) -> Response:
        draw = self.dice.draw(f"{request.method} {request.path}") if self.dice is not None else None
        if draw is not None and draw.delay_seconds:
            await asyncio.sleep(draw.delay_seconds)
        if draw is not None and draw.status is not None:
            code = "too_many_requests" if draw.status == 429 else "internal_error"
            response = Response.json({"ok": False, "error": code, "message": f"injected fault: {draw.status}"},
                                     draw.status, {"retry-after": "0"} if draw.status == 429 else None)
        else:
            response = self.handle(request)
        if draw is not None and draw.reset:
            raise InjectedReset()
        if draw is not None and response.status < 300 and (draw.badjson or draw.truncate_at is not None):
            body = BAD_JSON if draw.badjson else cut_body(response.body, draw.truncate_at or 0.5)
            response = Response(response.status, body, {"content-type": response.headers.get("content-type", "")})
        response.headers.setdefault("x-trace-id", str(uuid.uuid4()))
        return response

    def handle(self, request: Request) -> Response:
        self.requests += 1
        try:
            fault = self.faults.status_fault(request.method, request.path)
            if fault is not None:
                code = {429: "too_many_requests", 413: "payload_too_large", 401: "unauthorized"}.get(
                    fault.status, "internal_error" if fault.status >= 500 else "injected")
                raise_headers = fault.headers()
                return Response.json({"ok": False, "error": code, "message": f"injected fault: {fault.status}"},
                                     fault.status, raise_headers)
            if len(request.body) > MAX_BODY_BYTES:
                raise ApiError(413, "payload_too_large",
                               f"request body is {len(request.body)} bytes; Port accepts at most {MAX_BODY_BYTES}")
            handler, params, path_exists = self.router.match(request.method, request.path)
            if handler is None:
                if path_exists:
                    raise ApiError(405, "method_not_allowed", f"{request.method} is not allowed on {request.path}")
                raise ApiError(404, "not_found", f"no route {request.method} {request.path}")
            request.path_params = {k: unquote(v) for k, v in params.items()}
            if handler != self.access_token:
                # Handlers never await, so one request at a time sees this.
                self._client = self._authorize(request)
            return handler(request)
        except ApiError as exc:
            return Response.json({"ok": False, "error": exc.code, "message": exc.message}, exc.status)
        except ValueError as exc:  # unreadable JSON
            return Response.json({"ok": False, "error": "invalid_request", "message": str(exc)}, 400)
        except sqlite3.OperationalError as exc:
            # Another program held the database past the busy timeout: a transient answer the
            # client retries; past its retries the records go to the failures file with this reason.
            return Response.json({"ok": False, "error": "database_locked",
                                  "message": f"database locked ({exc}): another program is writing the catalog"},
                                 503, {"retry-after": "1"})

    # -- auth ----------------------------------------------------------------------------------
    def access_token(self, request: Request) -> Response:
        body = request.json()
        if not isinstance(body, dict) or set(body) != {"clientId", "clientSecret"}:
            raise ApiError(422, "invalid_request", "body must be exactly {\"clientId\", \"clientSecret\"}")
        if body["clientId"] != self.client_id or body["clientSecret"] != self.client_secret:
            raise ApiError(401, "unauthorized", "invalid client id or secret")
        now = self.clock()
        current = self._active.get(body["clientId"])
        token = self._tokens.get(current) if current else None
        # Port hands back the same active token until it expires.
        if token is None or not self._token_valid(token, now):
            current = secrets.token_urlsafe(24)
            self._tokens[current] = token = _Token(body["clientId"], now)
            self._active[body["clientId"]] = current
        remaining = int(token.issued + TOKEN_TTL_SECONDS - now)
        return Response.json({"ok": True, "accessToken": current, "expiresIn": remaining, "tokenType": "Bearer"})

    def _token_valid(self, token: _Token, now: float) -> bool:
        if now >= token.issued + TOKEN_TTL_SECONDS:
            return False
        return self.faults.token_uses is None or token.uses < self.faults.token_uses

    def _authorize(self, request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        token = self._tokens.get(value) if scheme.lower() == "bearer" else None
        if token is None:
            raise ApiError(401, "unauthorized", "missing or unknown access token")
        if not self._token_valid(token, self.clock()):
            raise ApiError(401, "unauthorized", "the access token expired")
        token.uses += 1
        return token.client_id

    # -- blueprints ----------------------------------------------------------------------------
    def _blueprint(self, identifier: str) -> dict[str, Any]:
        found = self.store.get_blueprint(identifier)
        if found is None:
            raise ApiError(404, "not_found", f"blueprint {identifier!r} was not found")
        return found

    def list_blueprints(self, request: Request) -> Response:
        return Response.json({"ok": True, "blueprints": self.store.all_blueprints()})

    def get_blueprint(self, request: Request) -> Response:
        return Response.json({"ok": True, "blueprint": self._blueprint(request.path_params["bp"])})

    def _save_blueprint(self, body: dict[str, Any], status: int) -> Response:
        errors = check_blueprint(body, existing_blueprints=self.store.blueprint_ids())
        if errors:
            raise rule_error(errors)
        clean = {k: v for k, v in body.items() if k not in ("createdAt", "updatedAt", "createdBy", "updatedBy")}
        clean.setdefault("relations", {})
        stored, _ = self.store.put_blueprint(clean)
        return Response.json({"ok": True, "blueprint": stored}, status)

    def create_blueprint(self, request: Request) -> Response:
        body = request.json()
        if isinstance(body, dict) and isinstance(body.get("identifier"), str) and \
                self.store.get_blueprint(body["identifier"]) is not None:
            raise ApiError(409, "identifier_taken", f"blueprint {body['identifier']!r} already exists")
        return self._save_blueprint(body, 201)

    def patch_blueprint(self, request: Request) -> Response:
        existing = self._blueprint(request.path_params["bp"])
        body = request.json()
        if not isinstance(body, dict):
            raise ApiError(422, "invalid_request", "the blueprint patch must be a JSON object")
        errors = check_blueprint(body, partial=True)
        if errors:
            raise rule_error(errors)
        merged = dict(existing)
        merged.update(body)
        merged["identifier"] = existing["identifier"]
        return self._save_blueprint(merged, 200)

    def put_blueprint(self, request: Request) -> Response:
        self._blueprint(request.path_params["bp"])
        body = request.json()
        if isinstance(body, dict) and body.get("identifier", request.path_params["bp"]) != request.path_params["bp"]:
            raise ApiError(422, "invalid_request", "the identifier in the body differs from the one in the path")
        if isinstance(body, dict):
            body = {**body, "identifier": request.path_params["bp"]}
        return self._save_blueprint(body, 200)

    def delete_blueprint(self, request: Request) -> Response:
        identifier = request.path_params["bp"]
        self._blueprint(identifier)
        count = self.store.count_entities(identifier)
        if count:
            raise ApiError(409, "has_entities", f"blueprint {identifier!r} still has {count} entities; delete them "
                                                "first (DELETE /v1/blueprints/{id}/all-entities)")
        relating = self.store.blueprints_relating_to(identifier)
        if relating:
            raise ApiError(409, "has_dependents", f"blueprints {', '.join(relating)} have relations to {identifier!r}")
        self.store.delete_blueprint(identifier)
        return Response.json({"ok": True})

    def delete_all_entities(self, request: Request) -> Response:
        identifier = request.path_params["bp"]
        self._blueprint(identifier)
        ids = [e["identifier"] for e in self.store.iter_entities(identifier)]
        self._delete(identifier, ids, delete_dependents=True)
        if _flag(request, "delete_blueprint"):
            relating = self.store.blueprints_relating_to(identifier)
            if relating:
                raise ApiError(409, "has_dependents",
                               f"blueprints {', '.join(relating)} have relations to {identifier!r}")
            self.store.delete_blueprint(identifier)
        return Response.json({"ok": True})

    # -- entities: upsert ----------------------------------------------------------------------
    def upsert_one(self, request: Request) -> Response:
        bp = self._blueprint(request.path_params["bp"])
        results, docs, relations = self._upsert(bp, [request.json()], request)
        status, outcome = results[0]
        if isinstance(outcome, ApiError):
            raise outcome
        self.store.write_entities(bp["identifier"], docs, relations, request.headers.get("user-agent"))
        return Response.json({"ok": True, "entity": docs[0]}, 201 if outcome else 200)

    def upsert_bulk(self, request: Request) -> Response:
        bp = self._blueprint(request.path_params["bp"])
        body = request.json()
        entities = body.get("entities") if isinstance(body, dict) else None
        if not isinstance(entities, list) or not entities:
            raise ApiError(422, "invalid_request", "body must be {\"entities\": [ … ]} with 1 to 20 entities")
        if len(entities) > MAX_BULK_ENTITIES:
            raise ApiError(422, "invalid_request",
                           f"{len(entities)} entities in one bulk request; Port accepts at most {MAX_BULK_ENTITIES}")
        results, docs, relations = self._upsert(bp, entities, request)
        self.store.write_entities(bp["identifier"], docs, relations, request.headers.get("user-agent"))
        ok_items, errors = [], []
        for index, (identifier, outcome) in enumerate(results):
            if isinstance(outcome, ApiError):
                errors.append({"identifier": identifier, "index": index, "statusCode": outcome.status,
                               "error": outcome.code, "message": outcome.message})
            else:
                ok_items.append({"identifier": identifier, "index": index, "created": outcome})
        return Response.json({"ok": not errors, "entities": ok_items, "errors": errors}, 207 if errors else 200)

    def _upsert(self, bp: dict[str, Any], payloads: list[Any], request: Request) -> Any:
        return self.writer.upsert(bp, payloads, upsert=_flag(request, "upsert"), merge=_flag(request, "merge"),
                                  create_missing=_flag(request, "create_missing_related_entities"),
                                  validation_only=_flag(request, "validation_only"), client=self._client,
                                  datasource=request.headers.get("user-agent"))

    # -- entities: read --------------------------------------------------------------------------
    def get_entity(self, request: Request) -> Response:
        bp = request.path_params["bp"]
        self._blueprint(bp)
        found = self.store.get_entity(bp, request.path_params["entity"])
        if found is None:
            raise ApiError(404, "not_found", f"entity {request.path_params['entity']!r} of blueprint {bp!r} "
                                             "was not found")
        return Response.json({"ok": True, "entity": self._read([found], request)[0]})

    def list_entities(self, request: Request) -> Response:
        bp = request.path_params["bp"]
        self._blueprint(bp)
        return Response.json({"ok": True, "entities": self._read(self.store.list_entities(bp, limit=10 ** 9), request)})

    def _read(self, docs: list[dict[str, Any]], request: Request, include: Any = None) -> list[dict[str, Any]]:
        """Calculation and mirror properties, computed on read as Port does (never stored);
        ``exclude_calculated_properties=true`` leaves calculations out, as Port allows."""
        if isinstance(include, list) and include and "properties" not in include:
            return docs  # nothing computed would be returned
        from builder.port.catalog.pages import read_entities
        return read_entities(self.store, docs, exclude_calculated=_flag(request, "exclude_calculated_properties"))

    def _select(self, blueprint: str | None, query: Any) -> list[dict[str, Any]]:
        try:
            rules_query.check_query(query)
            subset = rules_query.identifier_subset(query)
            if blueprint is not None and subset is not None:
                found = self.store.get_entities(blueprint, subset, with_datasource=True)
                candidates = [found[i] for i in sorted(found)]
            else:
                candidates = list(self.store.iter_entities(blueprint))
            return [doc for doc in candidates if rules_query.matches(doc, query)]
        except rules_query.QueryError as exc:
            raise ApiError(422, "invalid_request", str(exc)) from None

    def search_blueprint(self, request: Request) -> Response:
        bp = request.path_params["bp"]
        self._blueprint(bp)
        body = request.json() or {}
        if not isinstance(body, dict):
            raise ApiError(422, "invalid_request", "body must be an object {query, include, exclude, limit, from}")
        limit = body.get("limit", SEARCH_LIMIT_DEFAULT)
        if not isinstance(limit, int) or not 1 <= limit <= SEARCH_LIMIT_MAX:
            raise ApiError(422, "invalid_request", f"limit must be 1..{SEARCH_LIMIT_MAX}")
        start = _decode_cursor(body.get("from"))
        selected = self._select(bp, body.get("query"))
        page = selected[start:start + limit]
        following = start + limit if start + limit < len(selected) else None
        return Response.json({"ok": True, "entities": [_shape(e, body.get("include"), body.get("exclude"))
                                                      for e in self._read(page, request, body.get("include"))],
                              "next": _encode_cursor(following) if following is not None else None})

    def search_all(self, request: Request) -> Response:
        body = request.json() or {}
        blueprint = rules_query.blueprint_of(body)
        include = request.query_all("include") or request.query_all("include[]") or None
        exclude = request.query_all("exclude") or request.query_all("exclude[]") or None
        return Response.json({"ok": True, "entities": [_shape(e, include, exclude)
                                                      for e in self._read(self._select(blueprint, body), request,
                                                                          include)]})

    # -- entities: delete ------------------------------------------------------------------------
    def _delete(self, blueprint: str, identifiers: list[str], delete_dependents: bool) -> list[str]:
        """Delete and, when allowed, cascade to dependents; refuses the whole call otherwise."""
        targets = {(blueprint, i) for i in identifiers}
        frontier = list(targets)
        while frontier:
            bp, ident = frontier.pop()
            for dep in self.store.dependents(bp, [ident]):
                if dep in targets:
                    continue
                if not delete_dependents:
                    raise ApiError(409, "has_dependents",
                                   f"entity {ident!r} has dependent entity {dep[1]!r} of blueprint {dep[0]!r}; "
                                   "pass delete_dependents=true")
                targets.add(dep)
                frontier.append(dep)
        deleted: list[str] = []
        by_bp: dict[str, list[str]] = {}
        for bp, ident in targets:
            by_bp.setdefault(bp, []).append(ident)
        for bp, idents in by_bp.items():
            gone = self.store.delete_entities(bp, idents)
            if bp == blueprint:
                deleted.extend(gone)
        return sorted(deleted)

    def delete_entity(self, request: Request) -> Response:
        bp = request.path_params["bp"]
        self._blueprint(bp)
        identifier = request.path_params["entity"]
        if self.store.get_entity(bp, identifier) is None:
            raise ApiError(404, "not_found", f"entity {identifier!r} of blueprint {bp!r} was not found")
        self._delete(bp, [identifier], _flag(request, "delete_dependents"))
        return Response.json({"ok": True})

    def bulk_delete(self, request: Request) -> Response:
        bp = request.path_params["bp"]
        self._blueprint(bp)
        body = request.json()
        ids = body.get("entities") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not 1 <= len(ids) <= MAX_BULK_DELETE or \
                not all(isinstance(i, str) for i in ids):
            raise ApiError(422, "invalid_request", f"body must be {{\"entities\": [identifiers]}} with 1 to "
                                                   f"{MAX_BULK_DELETE} identifiers")
        deleted = self._delete(bp, ids, _flag(request, "delete_dependents"))
        return Response.json({"ok": True, "deletedEntities": deleted})


def _shape(entity: dict[str, Any], include: Any, exclude: Any) -> dict[str, Any]:
    out = {k: v for k, v in entity.items() if k != "$datasource"}
    if isinstance(include, list) and include:
        # Port takes "properties.email" / "relations.user" as well as top-level keys: Ocean's resync
        # diff asks for exactly the mapped fields and re-sends every entity whose answer lacks them.
        kept: dict[str, Any] = {}
        for path in include:
            key, _, sub = str(path).partition(".")
            if key not in out:
                continue
            if sub and isinstance(out[key], dict):
                if sub in out[key]:
                    kept.setdefault(key, {})[sub] = out[key][sub]
            else:
                kept[key] = out[key]
        out = kept
    if isinstance(exclude, list):
        for path in exclude:
            key, _, sub = str(path).partition(".")
            if sub and isinstance(out.get(key), dict):
                out[key] = {k: v for k, v in out[key].items() if k != sub}
            elif not sub:
                out.pop(key, None)
    return out


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def _decode_cursor(value: Any) -> int:
    if value in (None, ""):
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(str(value).encode()))["o"])
    except Exception:
        raise ApiError(422, "invalid_request", "'from' is not a cursor this catalog returned") from None


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def _refuse_before_body(scope: Scope) -> Response | None:
    """Checks that need only the headers, so a huge or hostile request costs nothing (issue #11 row 13).

    Host must be loopback (or, in-process, the name the client was given): a page in a browser
    that rebinds evil.example to 127.0.0.1 must not reach a catalog whose credentials are public.
    """
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    host = headers.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    server = scope.get("server") or ("",)
    if name and name not in _LOOPBACK_NAMES and not name.startswith("127.") and name != str(server[0]):
        return Response.json({"ok": False, "error": "forbidden_host",
                              "message": f"Host {name!r} is not served: the catalog answers loopback names only"}, 403)
    path = scope.get("path", "")
    if path != "/v1/auth/access_token" and not headers.get("authorization", "").lower().startswith("bearer "):
        return Response.json({"ok": False, "error": "unauthorized", "message": "missing access token"}, 401)
    try:
        length = int(headers.get("content-length") or 0)
    except ValueError:
        return Response.json({"ok": False, "error": "invalid_request", "message": "bad Content-Length"}, 400)
    if length > MAX_BODY_BYTES:
        return Response.json({"ok": False, "error": "payload_too_large",
                              "message": f"request body is {length} bytes; Port accepts at most {MAX_BODY_BYTES}"},
                             413)
    return None


def create_app(store: CatalogStore | str | None = None, **kwargs: Any) -> CatalogApp:
    """An app over ``store`` (a CatalogStore, a database path, or None for an in-memory one)."""
    if store is None or isinstance(store, str):
        store = CatalogStore(store or ":memory:")
    return CatalogApp(store, **kwargs)
