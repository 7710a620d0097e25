"""Port's pages API on the embedded catalog (reference/port-dashboards.md §1.1), and the read-time
computation of calculation and mirror properties on its entity answers (§3.2).

Pages: ``POST /v1/pages`` (201 ``{ok, identifier}``; 409 when the identifier exists),
``GET /v1/pages`` (``{ok, pages}``), ``GET /v1/pages/{id}`` (``{ok, page}``), ``PATCH`` (top-level keys
merged, ``widgets`` replaced whole: Port's partial-update semantics are open, this is our reading),
``PUT`` (replace) and ``DELETE``. A page that breaks the wrapper or layout rules Port enforces is a
422 (builder.port.pages); the widget fields and references are the lint's (builder.see.pages): Port
accepts a widget pointing at nothing and draws it empty.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from builder.net.asgi import Request, Response
from builder.port.calculations import as_read
from builder.port.catalog.entities import ApiError
from builder.port.catalog.store import CatalogStore, utc_now
from builder.port.pages import layout_problems

if TYPE_CHECKING:
    from builder.port.catalog.app import CatalogApp

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    identifier TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
"""
_SERVER_KEYS = ("createdAt", "updatedAt", "createdBy", "updatedBy")


class PageStore:
    """Pages in the catalog's SQLite database (one database = one organisation)."""

    def __init__(self, store: CatalogStore) -> None:
        # The catalog's one connection and lock: pages live beside blueprints and entities.
        self._conn = store._conn
        self._lock = store._lock
        with self._lock:
            self._conn.executescript(_SCHEMA)

    def get(self, identifier: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._conn.execute("SELECT body FROM pages WHERE identifier = ?", (identifier,)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute("SELECT body FROM pages ORDER BY identifier").fetchall()
        return [json.loads(row[0]) for row in rows]

    def put(self, page: dict[str, Any], client: str) -> dict[str, Any]:
        existing = self.get(page["identifier"])
        now = utc_now()
        stored = {k: v for k, v in page.items() if k not in _SERVER_KEYS}
        stored.update(createdAt=existing.get("createdAt", now) if existing else now,
                      createdBy=existing.get("createdBy", client) if existing else client,
                      updatedAt=now, updatedBy=client)
        with self._lock:
            self._conn.execute("INSERT INTO pages (identifier, body) VALUES (?, ?) ON CONFLICT (identifier) "
                               "DO UPDATE SET body = excluded.body", (page["identifier"], json.dumps(stored)))
            self._conn.commit()
        return stored

    def delete(self, identifier: str) -> bool:
        with self._lock:
            gone = self._conn.execute("DELETE FROM pages WHERE identifier = ?", (identifier,)).rowcount > 0
            self._conn.commit()
        return gone


def same_page(mine: Mapping[str, Any], theirs: Mapping[str, Any] | None) -> bool:
    """Would sending ``mine`` leave ``theirs`` (a stored page) as it is? Server keys are ignored."""
    if theirs is None:
        return False
    return all(theirs.get(key) == value for key, value in mine.items() if key not in _SERVER_KEYS)


def _rule_errors(page: Any) -> None:
    if not isinstance(page, dict):
        raise ApiError(422, "invalid_request", "the page must be a JSON object")
    errors = layout_problems(page)
    if errors:
        raise ApiError(422, "invalid_request", "; ".join(f"{where}: {message}" for where, message in errors[:5]))


class PageRoutes:
    def __init__(self, app: CatalogApp) -> None:
        self.app = app
        self.pages = PageStore(app.store)

    def register(self) -> None:
        r = self.app.router.add
        r("GET", "/v1/pages", self.list)
        r("POST", "/v1/pages", self.create)
        r("GET", "/v1/pages/{page}", self.get)
        r("PATCH", "/v1/pages/{page}", self.patch)
        r("PUT", "/v1/pages/{page}", self.put)
        r("DELETE", "/v1/pages/{page}", self.delete)

    def _page(self, identifier: str) -> dict[str, Any]:
        found = self.pages.get(identifier)
        if found is None:
            raise ApiError(404, "not_found", f"page {identifier!r} was not found")
        return found

    def list(self, request: Request) -> Response:
        return Response.json({"ok": True, "pages": self.pages.all()})

    def get(self, request: Request) -> Response:
        return Response.json({"ok": True, "page": self._page(request.path_params["page"])})

    def create(self, request: Request) -> Response:
        body = request.json()
        _rule_errors(body)
        if self.pages.get(body["identifier"]) is not None:
            raise ApiError(409, "identifier_taken", f"page {body['identifier']!r} already exists")
        self.pages.put(body, self.app._client)
        return Response.json({"ok": True, "identifier": body["identifier"]}, 201)

    def patch(self, request: Request) -> Response:
        existing = self._page(request.path_params["page"])
        body = request.json()
        if not isinstance(body, dict):
            raise ApiError(422, "invalid_request", "the page patch must be a JSON object")
        merged = {**existing, **body, "identifier": existing["identifier"]}
        _rule_errors(merged)
        stored = self.pages.put(merged, self.app._client)
        return Response.json({"ok": True, "page": stored})

    def put(self, request: Request) -> Response:
        identifier = request.path_params["page"]
        self._page(identifier)
        body = request.json()
        if isinstance(body, dict) and body.get("identifier", identifier) != identifier:
            raise ApiError(422, "invalid_request", "the identifier in the body differs from the one in the path")
        page = {**body, "identifier": identifier} if isinstance(body, dict) else body
        _rule_errors(page)
        stored = self.pages.put(page, self.app._client)
        return Response.json({"ok": True, "page": stored})

    def delete(self, request: Request) -> Response:
        if not self.pages.delete(request.path_params["page"]):
            raise ApiError(404, "not_found", f"page {request.path_params['page']!r} was not found")
        return Response.json({"ok": True})


def register(app: CatalogApp) -> PageRoutes:
    routes = PageRoutes(app)
    routes.register()
    return routes


# -- entities as Port reads them -------------------------------------------------------------------

def read_entities(store: CatalogStore, entities: Iterable[dict[str, Any]], *,
                  exclude_calculated: bool = False) -> list[dict[str, Any]]:
    """Entities as Port's read APIs return them: mirror and calculation properties computed now
    (never stored), unless ``exclude_calculated_properties`` asked Port to leave calculations out."""
    blueprints: dict[str, dict[str, Any] | None] = {}

    def blueprint(identifier: str) -> dict[str, Any] | None:
        if identifier not in blueprints:
            blueprints[identifier] = store.get_blueprint(identifier)
        return blueprints[identifier]

    out = []
    for entity in entities:
        bp = blueprint(str(entity.get("blueprint")))
        if not bp or not (bp.get("calculationProperties") or bp.get("mirrorProperties")):
            out.append(entity)
            continue
        known = {k: v for k, v in blueprints.items() if v}
        out.append(as_read(bp, entity, blueprints=_Lazy(known, blueprint), resolve=store.get_entity,
                           exclude_calculated=exclude_calculated))
    return out


class _Lazy(dict):
    """Blueprints by identifier, fetched from the store on first use (a mirror path may go anywhere)."""

    def __init__(self, known: dict[str, Any], fetch: Any) -> None:
        super().__init__(known)
        self._fetch = fetch

    def get(self, key: Any, default: Any = None) -> Any:  # noqa: D401 - dict protocol
        if key not in self:
            found = self._fetch(key)
            if found:
                self[key] = found
        return super().get(key, default)
