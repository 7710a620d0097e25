"""The Port API surface an Ocean integration talks to, on the embedded catalog.

What port-ocean 0.56.2 calls besides blueprints and entities (``clients/port/mixins/integrations.py``,
``organization.py``, ``client.py``, ``entities.py``): the integration object (install with
``POST /v1/integration``, read, patch, patch its mapping), resync state, provisioning and
organisation checks at start-up, kind examples, log and sync-metric ingest (at URLs the integration
object advertises), and the datasource search its reconciliation uses to find stale entities.

Everything Ocean sends is kept in the catalog's database (one database = one organisation) and
readable with :class:`IntegrationStore`: ``catalog ls --integrations`` and the TUI's Sync tab show
it. The shapes are Port's: the answers hold exactly the keys Ocean reads (``integration.config``
is the port-app-config, ``integration.resyncState.updatedAt`` must be present or Ocean aborts the
resync, ``logAttributes.ingestUrl`` …).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import unquote_plus

from builder.net.asgi import Request, Response
from builder.port.catalog.entities import ApiError
from builder.port.catalog.store import CatalogStore, utc_now

if TYPE_CHECKING:
    from builder.port.catalog.app import CatalogApp

_SCHEMA = """
CREATE TABLE IF NOT EXISTS integrations (
    identifier TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS integration_examples (
    identifier TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (identifier, kind)
);
CREATE TABLE IF NOT EXISTS integration_logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    identifier TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS integration_logs_by_id ON integration_logs (identifier, seq);
CREATE TABLE IF NOT EXISTS integration_metrics (
    identifier TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (identifier, key)
);
"""

#: Logs kept per integration (newest win): enough for a resync's story, bounded for a long-lived catalog.
MAX_LOGS = 5000
#: Ocean's own page size for the datasource search is 5000 (entities.py DATASOURCE_ENTITIES_PAGE_SIZE).
DATASOURCE_LIMIT_MAX = 5000
#: Keys Ocean (or a user) may write on the integration object; the rest are Port's own.
_WRITABLE = ("installationAppType", "version", "changelogDestination", "config", "actionsProcessingEnabled",
             "incrementalSyncEnabled", "createPortResourcesOrigin", "arePortResourcesInitialized",
             "processingMode", "oauthBrokerUrl", "spec", "title")


class IntegrationStore:
    """Integrations, their kind examples, logs and sync metrics, in the catalog's SQLite database."""

    def __init__(self, store: CatalogStore) -> None:
        self._store = store
        self.clock = store.clock
        with store.connection() as conn:
            conn.executescript(_SCHEMA)

    # -- integration objects -------------------------------------------------------------------
    def get(self, identifier: str) -> dict[str, Any] | None:
        with self._store.connection() as conn:
            row = conn.execute("SELECT body FROM integrations WHERE identifier = ?", (identifier,)).fetchone()
        return json.loads(row[0]) if row else None

    def all(self) -> list[dict[str, Any]]:
        with self._store.connection() as conn:
            rows = conn.execute("SELECT body FROM integrations ORDER BY identifier").fetchall()
        return [json.loads(row[0]) for row in rows]

    def put(self, body: dict[str, Any]) -> dict[str, Any]:
        stored = dict(body)
        stored["updatedAt"] = self.clock()
        stored.setdefault("createdAt", stored["updatedAt"])
        with self._store.connection() as conn:
            conn.execute("INSERT INTO integrations (identifier, body) VALUES (?, ?) ON CONFLICT (identifier) "
                               "DO UPDATE SET body = excluded.body",
                               (stored["installationId"], json.dumps(stored, ensure_ascii=False)))
        return stored

    def delete(self, identifier: str) -> bool:
        with self._store.connection() as conn:
            gone = conn.execute("DELETE FROM integrations WHERE identifier = ?", (identifier,)).rowcount > 0
            for table in ("integration_examples", "integration_logs", "integration_metrics"):
                conn.execute(f"DELETE FROM {table} WHERE identifier = ?", (identifier,))
        return gone

    # -- what Ocean reports --------------------------------------------------------------------
    def put_examples(self, identifier: str, kind: str, examples: list[Any]) -> None:
        with self._store.connection() as conn:
            conn.execute(
                "INSERT INTO integration_examples (identifier, kind, body, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (identifier, kind) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                (identifier, kind, json.dumps(examples, ensure_ascii=False), self.clock()))

    def examples(self, identifier: str) -> dict[str, list[Any]]:
        """kind → the raw items Ocean sent as that kind's examples (Port's UI shows them)."""
        with self._store.connection() as conn:
            rows = conn.execute("SELECT kind, body FROM integration_examples WHERE identifier = ? "
                                      "ORDER BY kind", (identifier,)).fetchall()
        return {kind: json.loads(body) for kind, body in rows}

    def add_logs(self, identifier: str, logs: list[Any]) -> None:
        with self._store.connection() as conn:
            conn.executemany("INSERT INTO integration_logs (identifier, body) VALUES (?, ?)",
                                   [(identifier, json.dumps(log, ensure_ascii=False)) for log in logs])
            conn.execute("DELETE FROM integration_logs WHERE identifier = ? AND seq <= "
                               "(SELECT seq FROM integration_logs WHERE identifier = ? ORDER BY seq DESC "
                               "LIMIT 1 OFFSET ?)", (identifier, identifier, MAX_LOGS))

    def logs(self, identifier: str, limit: int = 100) -> list[Any]:
        """The newest ``limit`` log records, oldest first."""
        with self._store.connection() as conn:
            rows = conn.execute("SELECT body FROM integration_logs WHERE identifier = ? ORDER BY seq DESC "
                                      "LIMIT ?", (identifier, int(limit))).fetchall()
        return [json.loads(row[0]) for row in reversed(rows)]

    def count_logs(self, identifier: str) -> int:
        with self._store.connection() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM integration_logs WHERE identifier = ?",
                                          (identifier,)).fetchone()[0])

    def put_metrics(self, identifier: str, key: str, body: Any) -> None:
        with self._store.connection() as conn:
            conn.execute(
                "INSERT INTO integration_metrics (identifier, key, body, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (identifier, key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                (identifier, key, json.dumps(body, ensure_ascii=False), self.clock()))

    def metrics(self, identifier: str) -> dict[str, Any]:
        """``syncKindsMetrics`` (the last resync's per-kind list), ``heartbeat`` and per event/kind entries."""
        with self._store.connection() as conn:
            rows = conn.execute("SELECT key, body FROM integration_metrics WHERE identifier = ? ORDER BY key",
                                      (identifier,)).fetchall()
        return {key: json.loads(body) for key, body in rows}

    def summary(self) -> list[dict[str, Any]]:
        """For browsing: one row per integration (``catalog ls --integrations``, the Sync tab)."""
        out = []
        for integration in self.all():
            identifier = integration["installationId"]
            state = integration.get("resyncState") or {}
            out.append({"identifier": identifier, "type": integration.get("installationAppType"),
                        "version": integration.get("version"),
                        "resources": len((integration.get("config") or {}).get("resources") or []),
                        "resyncStatus": state.get("status"), "lastResyncStart": state.get("lastResyncStart"),
                        "lastResyncEnd": state.get("lastResyncEnd"),
                        "kindsWithExamples": len(self.examples(identifier)), "logs": self.count_logs(identifier),
                        "updatedAt": integration.get("updatedAt")})
        return out


def _base_url(request: Request) -> str:
    """The catalog's own URL as the caller reached it: the ingest URLs it advertises must point back here."""
    host = request.headers.get("host") or "localhost"
    return f"http://{host}"


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class IntegrationRoutes:
    """Handlers of the integration routes; ``register`` adds them to a :class:`CatalogApp`'s router."""

    def __init__(self, app: CatalogApp) -> None:
        self.app = app
        self.store = IntegrationStore(app.store)

    def register(self) -> None:
        r = self.app.router.add
        # Literal paths before /v1/integration/{id}: the router takes the first match.
        r("GET", "/v1/integration/provision-enabled", self.provision_enabled)
        r("GET", "/v1/organization", self.organization)
        r("GET", "/v1/integration", self.list)
        r("POST", "/v1/integration", self.create)
        r("GET", "/v1/integration/{id}", self.get)
        r("PATCH", "/v1/integration/{id}", self.patch)
        r("DELETE", "/v1/integration/{id}", self.delete)
        r("PATCH", "/v1/integration/{id}/config", self.patch_config)
        r("PATCH", "/v1/integration/{id}/resync-state", self.resync_state)
        r("GET", "/v1/integration/{id}/resync-request", self.resync_request)
        r("POST", "/v1/integration/{id}/kinds/{kind}/examples", self.post_examples)
        r("GET", "/v1/integration/{id}/kinds/{kind}/examples", self.get_examples)
        r("GET", "/v1/integration/{id}/syncMetrics", self.get_metrics)
        r("POST", "/v1/integration/{id}/ingest/logs", self.ingest_logs)
        r("POST", "/v1/integration/{id}/ingest/metrics/syncMetrics", self.ingest_sync_metrics)
        r("POST", "/v1/integration/{id}/ingest/metrics/heartbeat", self.ingest_heartbeat)
        r("PUT", "/v1/integration/{id}/ingest/metrics/syncMetrics/resync/{event}/kind/{kind}", self.ingest_kind_metrics)
        r("POST", "/v1/blueprints/entities/datasource-entities", self.datasource_entities)

    # -- helpers -------------------------------------------------------------------------------
    def _integration(self, identifier: str) -> dict[str, Any]:
        found = self.store.get(identifier)
        if found is None:
            raise ApiError(404, "not_found", f"integration {identifier!r} was not found")
        return found

    def _answer(self, integration: dict[str, Any], request: Request, status: int = 200) -> Response:
        """The stored object plus the ingest URLs, which depend on how the caller reached the catalog."""
        base = f"{_base_url(request)}/v1/integration/{integration['installationId']}/ingest"
        shown = {**integration, "logAttributes": {"ingestUrl": f"{base}/logs"},
                 "metricAttributes": {"ingestUrl": f"{base}/metrics"},
                 "ingestAttributes": {"ingestUrl": f"{base}/lake"}}
        return Response.json({"ok": True, "integration": shown}, status)

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        body = request.json()
        if not isinstance(body, dict):
            raise ApiError(422, "invalid_request", "the body must be a JSON object")
        return body

    # -- start-up checks -----------------------------------------------------------------------
    def provision_enabled(self, request: Request) -> Response:
        # No integration type is provisioned by this catalog: Ocean falls back to its default setup.
        return Response.json({"ok": True, "integrations": []})

    def organization(self, request: Request) -> Response:
        # No feature flags: in particular no DSP (Port-side processing), so Ocean maps locally.
        return Response.json({"ok": True, "organization": {"id": "local", "name": "Local catalog",
                                                           "featureFlags": [], "isBlocked": False}})

    # -- integration objects -------------------------------------------------------------------
    def list(self, request: Request) -> Response:
        return Response.json({"ok": True, "integrations": self.store.all()})

    def create(self, request: Request) -> Response:
        body = self._body(request)
        identifier = body.get("installationId")
        if not isinstance(identifier, str) or not identifier:
            raise ApiError(422, "invalid_request", "installationId is required")
        if self.store.get(identifier) is not None:
            raise ApiError(409, "identifier_taken", f"integration {identifier!r} already exists")
        config = body.get("config") if isinstance(body.get("config"), dict) else {}
        integration = {"installationId": identifier, "identifier": identifier, "title": identifier,
                       "installationType": "OnPrem", "config": config, "resyncState": None}
        integration.update({k: body[k] for k in _WRITABLE if k in body and k != "config"})
        return self._answer(self.store.put(integration), request, 201)

    def get(self, request: Request) -> Response:
        return self._answer(self._integration(request.path_params["id"]), request)

    def patch(self, request: Request) -> Response:
        integration = self._integration(request.path_params["id"])
        body = self._body(request)
        integration.update({k: body[k] for k in _WRITABLE if k in body})
        return self._answer(self.store.put(integration), request)

    def delete(self, request: Request) -> Response:
        self._integration(request.path_params["id"])
        self.store.delete(request.path_params["id"])
        return Response.json({"ok": True})

    def patch_config(self, request: Request) -> Response:
        integration = self._integration(request.path_params["id"])
        config = self._body(request).get("config")
        if not isinstance(config, dict):
            raise ApiError(422, "invalid_request", "body must be {\"config\": {…port-app-config…}}")
        integration["config"] = config
        return self._answer(self.store.put(integration), request)

    def resync_state(self, request: Request) -> Response:
        integration = self._integration(request.path_params["id"])
        state = {**(integration.get("resyncState") or {}), **self._body(request), "updatedAt": utc_now()}
        integration["resyncState"] = state
        return self._answer(self.store.put(integration), request)

    def resync_request(self, request: Request) -> Response:
        self._integration(request.path_params["id"])
        return Response.json({"ok": True, "request": None})

    # -- what Ocean reports --------------------------------------------------------------------
    def _form_params(self, request: Request) -> dict[str, str]:
        """The path parameters decoded as Ocean encodes them here (``quote_plus``: ``+`` is a space,
        ``%2B`` a plus). The router's parameters are percent-decoded only, which leaves a ``+`` ambiguous,
        so the raw segments are matched again."""
        _, raw, _ = self.app.router.match(request.method, request.path)
        return {name: unquote_plus(value) for name, value in raw.items()}

    def post_examples(self, request: Request) -> Response:
        params = self._form_params(request)
        self._integration(params["id"])
        examples = self._body(request).get("examples")
        if not isinstance(examples, list):
            raise ApiError(422, "invalid_request", "body must be {\"examples\": [ … ]}")
        self.store.put_examples(params["id"], params["kind"], examples)
        return Response.json({"ok": True})

    def get_examples(self, request: Request) -> Response:
        params = self._form_params(request)
        self._integration(params["id"])
        return Response.json({"ok": True, "examples": self.store.examples(params["id"]).get(params["kind"], [])})

    def get_metrics(self, request: Request) -> Response:
        identifier = request.path_params["id"]
        self._integration(identifier)
        return Response.json({"ok": True, "metrics": self.store.metrics(identifier)})

    def ingest_logs(self, request: Request) -> Response:
        identifier = request.path_params["id"]
        self._integration(identifier)
        logs = self._body(request).get("logs")
        if not isinstance(logs, list):
            raise ApiError(422, "invalid_request", "body must be {\"logs\": [ … ]}")
        self.store.add_logs(identifier, logs)
        return Response.json({"ok": True})

    def ingest_sync_metrics(self, request: Request) -> Response:
        identifier = request.path_params["id"]
        self._integration(identifier)
        self.store.put_metrics(identifier, "syncKindsMetrics", self._body(request).get("syncKindsMetrics"))
        return Response.json({"ok": True})

    def ingest_heartbeat(self, request: Request) -> Response:
        identifier = request.path_params["id"]
        self._integration(identifier)
        self.store.put_metrics(identifier, "heartbeat", {"eventId": self._body(request).get("eventId"),
                                                         "at": utc_now()})
        return Response.json({"ok": True})

    def ingest_kind_metrics(self, request: Request) -> Response:
        params = self._form_params(request)
        identifier = params["id"]
        self._integration(identifier)
        key = f"resync/{params['event']}/kind/{params['kind']}"
        self.store.put_metrics(identifier, key, self._body(request).get("syncKindMetrics"))
        return Response.json({"ok": True})

    # -- reconciliation ------------------------------------------------------------------------
    def datasource_entities(self, request: Request) -> Response:
        """Entities written by one integration (User-Agent ``<prefix>…<suffix>``), optionally only
        those last updated before ``before``: what Ocean's reconciliation deletes as stale."""
        from builder.port.catalog.app import _decode_cursor, _encode_cursor

        body = self._body(request)
        prefix, suffix = body.get("datasource_prefix"), body.get("datasource_suffix")
        if not isinstance(prefix, str) or not isinstance(suffix, str):
            raise ApiError(422, "invalid_request", "datasource_prefix and datasource_suffix are required strings")
        limit = body.get("limit", DATASOURCE_LIMIT_MAX)
        if not isinstance(limit, int) or not 1 <= limit <= DATASOURCE_LIMIT_MAX:
            raise ApiError(422, "invalid_request", f"limit must be 1..{DATASOURCE_LIMIT_MAX}")
        before = _parse_time(body.get("before"))
        if body.get("before") is not None and before is None:
            raise ApiError(422, "invalid_request", "before must be an ISO 8601 date-time")
        start = _decode_cursor(body.get("from"))
        selected = list(_by_datasource(self.app.store, prefix, suffix, before))
        page = selected[start:start + limit]
        following = start + limit if start + limit < len(selected) else None
        return Response.json({"ok": True, "entities": page,
                              "next": _encode_cursor(following) if following is not None else None})


def _by_datasource(store: CatalogStore, prefix: str, suffix: str, before: datetime | None
                   ) -> Iterator[dict[str, Any]]:
    for entity in store.iter_entities():
        datasource = entity.pop("$datasource", None) or ""
        if not (datasource.startswith(prefix) and datasource.endswith(suffix)):
            continue
        if before is not None:
            updated = _parse_time(entity.get("updatedAt"))
            if updated is None or updated >= before:
                continue
        yield entity


def register(app: CatalogApp) -> IntegrationRoutes:
    routes = IntegrationRoutes(app)
    routes.register()
    return routes
