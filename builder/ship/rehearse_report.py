"""What a rehearsal observed and how it compares with the preview.

:class:`Recorder` wraps the catalog and the simulator (plain ASGI) and keeps every call Ocean made:
the Cursor requests it fetched and the Port calls it made, with the entities of every upsert.
:func:`compare_installation` then sets, per resource, the preview (the builder's mapping of the same
deployment's fetch, ``Source(mode="ocean")``) against what Ocean sent (the upsert payloads, compared
as JSON text, key order included) and what landed in the catalog.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import unquote

from builder.net.asgi import ASGIApp, Message, Receive, Scope, Send
from builder.port.catalog import CatalogApp, CatalogStore
from builder.project.model import Project, Resource

if TYPE_CHECKING:
    from builder.simulator import SimulatorConfig


@dataclass
class Call:
    method: str
    path: str
    status: int
    body: Any = None  # parsed request body (upserts and API calls only)
    answer: Any = None  # parsed response body (same)


class Recorder:
    """An ASGI app in front of another that records each request (method, path, status, bodies)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls: list[Call] = []

    def reset(self) -> None:
        self.calls = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        answer: list[bytes] = []
        status = [0]

        async def recv() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def snd(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            elif message["type"] == "http.response.body":
                answer.append(message.get("body", b""))
            await send(message)

        raw = scope.get("raw_path") or scope["path"].encode()
        path = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
        # Appended before the answer goes out: a caller that resets after its own request returns
        # never sees that request counted in the next run.
        call = Call(scope["method"], path, 0)
        self.calls.append(call)
        await self.app(scope, recv, snd)
        call.status = status[0]
        if _keeps_bodies(call.method, path):
            call.body, call.answer = _json(b"".join(chunks)), _json(b"".join(answer))


def _keeps_bodies(method: str, path: str) -> bool:
    return not path.startswith("/v1/") or path.endswith("/entities/bulk") or (
        method == "POST" and re.fullmatch(r"/v1/blueprints/[^/]+/entities", path) is not None)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return None


#: Port paths as templates, so the calls can be counted per endpoint.
_TEMPLATES = [
    (re.compile(r"^/v1/integration/[^/]+/ingest/metrics/syncMetrics/resync/[^/]+/kind/[^/]+$"),
     "/v1/integration/{id}/ingest/metrics/syncMetrics/resync/{event}/kind/{kind}"),
    (re.compile(r"^/v1/integration/(?!provision-enabled$)[^/]+/kinds/[^/]+/examples$"),
     "/v1/integration/{id}/kinds/{kind}/examples"),
    (re.compile(r"^/v1/integration/(?!provision-enabled$)[^/]+(/.*)?$"), "/v1/integration/{id}\\1"),
    (re.compile(r"^/v1/blueprints/(?!entities/)[^/]+/entities/(?!bulk$|search$)[^/]+$"),
     "/v1/blueprints/{bp}/entities/{entity}"),
    (re.compile(r"^/v1/blueprints/(?!entities/)[^/]+(/.*)?$"), "/v1/blueprints/{bp}\\1"),
]


def template(path: str) -> str:
    for pattern, replacement in _TEMPLATES:
        if pattern.match(path):
            return pattern.sub(replacement, path)
    return path


@dataclass
class ResourceRun:
    index: int
    name: str
    kind: str
    blueprints: list[str]
    requests: int = 0  # Ocean's requests for this resource's endpoint
    fetched: int = 0  # records Ocean's responses held (after data_path)
    preview: int = 0  # entities in the preview
    preview_requests: int = 0
    sent: int = 0  # of those, sent by Ocean in this run
    # Of those, not sent because Port already held them equal: Ocean's resync compares each batch with
    # Port first (sync_raw ``_map_entities_compared_with_port``), so a second run sends only changes.
    unchanged: int = 0
    landed: int = 0  # of those, in the catalog and equal to the preview
    status: str = "equal"  # equal | differs | error
    difference: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Installation:
    identifier: str
    exit_status: int
    log_path: str
    started: str
    resync_status: str | None = None
    kinds_with_examples: int = 0
    resources: list[ResourceRun] = field(default_factory=list)
    port_calls: dict[str, int] = field(default_factory=dict)  # "METHOD /template" → count
    entity_errors: list[str] = field(default_factory=list)  # per-entity errors Port answered
    extra: list[str] = field(default_factory=list)  # entities Ocean sent that no preview holds

    @property
    def ok(self) -> bool:
        return (self.exit_status == 0 and self.resync_status == "completed" and not self.entity_errors
                and not self.extra and all(r.status == "equal" for r in self.resources))

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "resources"}
        out["ok"] = self.ok
        out["resources"] = [r.to_json() for r in self.resources]
        return out


@dataclass
class RehearsalReport:
    demo: bool
    installations: list[Installation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.installations) and all(i.ok for i in self.installations)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "demo": self.demo, "installations": [i.to_json() for i in self.installations]}

    def lines(self) -> list[str]:
        out: list[str] = []
        for run in self.installations:
            equal = sum(r.status == "equal" for r in run.resources)
            out.append(f"installation {run.identifier}: Ocean exit {run.exit_status}, resync "
                       f"{run.resync_status or 'not reported'}, {equal}/{len(run.resources)} resources delivered "
                       "== preview")
            width = max([len(r.name) for r in run.resources] + [8])
            out.append(f"  {'RESOURCE'.ljust(width)}  {'REQ':>4} {'FETCHED':>7} {'PREVIEW':>7} {'SENT':>6} "
                       f"{'UNCHANGED':>9} {'LANDED':>6}  RESULT")
            for r in run.resources:
                result = r.status if r.difference is None else f"{r.status}: {r.difference}"
                out.append(f"  {r.name.ljust(width)}  {r.requests:>4} {r.fetched:>7} {r.preview:>7} {r.sent:>6} "
                           f"{r.unchanged:>9} {r.landed:>6}  {result}")
            for line in run.extra[:5]:
                out.append(f"  extra: {line}")
            for line in run.entity_errors[:5]:
                out.append(f"  entity error: {line}")
            out.append("  Port calls: " + ", ".join(f"{call} ×{n}" for call, n in run.port_calls.items()))
            out.append(f"  kinds with examples: {run.kinds_with_examples}; Ocean's log: {run.log_path}")
        out.append("delivered == preview for every resource" if self.ok else
                   "the deployment does NOT deliver what the preview shows (see above)")
        return out


# -- comparison --------------------------------------------------------------------------------


def _key(entity: Mapping[str, Any]) -> tuple[str, str]:
    identifier = entity.get("identifier")
    return str(entity.get("blueprint")), identifier if isinstance(identifier, str) else json.dumps(identifier)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Where two JSON values first differ, key order included (the payload is compared as text)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                return f"{path}.{key}: missing"
            found = first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        for key in actual:
            if key not in expected:
                return f"{path}.{key}: unexpected ({_dumps(actual[key])[:60]})"
        if list(expected) != list(actual):
            return f"{path or '.'}: key order {list(actual)} instead of {list(expected)}"
        return None
    if _dumps(expected) != _dumps(actual):
        return f"{path or '.'}: {_dumps(actual)[:60]} instead of {_dumps(expected)[:60]}"
    return None


def _landed_difference(expected: Mapping[str, Any], stored: Mapping[str, Any] | None) -> str | None:
    if stored is None:
        return "did not land"
    for key, value in expected.items():
        if key in ("identifier", "blueprint"):
            continue
        if isinstance(value, dict):
            held = stored.get(key) or {}
            for sub, item in value.items():
                if _dumps(held.get(sub)) != _dumps(item):
                    return f"landed with {key}.{sub} = {_dumps(held.get(sub))[:60]} instead of {_dumps(item)[:60]}"
        elif _dumps(stored.get(key)) != _dumps(value):
            return f"landed with {key} = {_dumps(stored.get(key))[:60]} instead of {_dumps(value)[:60]}"
    return None


def sent_entities(calls: list[Call]) -> tuple[dict[tuple[str, str], dict[str, Any]], list[str]]:
    """(key → the last payload Ocean sent for it, per-entity errors Port answered)."""
    sent: dict[tuple[str, str], dict[str, Any]] = {}
    errors: list[str] = []
    for call in calls:
        if call.method != "POST" or call.body is None:
            continue
        match = re.fullmatch(r"/v1/blueprints/([^/]+)/entities(/bulk)?", call.path)
        if not match:
            continue
        blueprint = unquote(match.group(1))
        payloads = call.body.get("entities", []) if match.group(2) else [call.body]
        for payload in payloads if isinstance(payloads, list) else []:
            if isinstance(payload, dict):
                sent[(blueprint, _key(payload)[1])] = payload
        answer = call.answer if isinstance(call.answer, dict) else {}
        for error in answer.get("errors") or []:
            errors.append(f"{blueprint}/{error.get('identifier')}: {error.get('message')}")
        if call.status >= 400:
            errors.append(f"{call.method} {call.path}: {call.status} {answer.get('message', '')}".strip())
    return sent, errors


def _endpoint_pattern(resource: Resource) -> re.Pattern[str]:
    kind = "/" + resource.kind.lstrip("/")
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(kind)) + "$")


def _fetched(resource: Resource, calls: list[Call]) -> tuple[int, int]:
    from builder.engine import mapping

    pattern = _endpoint_pattern(resource)
    pages = [c.answer for c in calls if c.method == resource.method and pattern.match(c.path.split("?")[0])]
    records = len(mapping.extract_items(pages, resource.data_path).records) if pages else 0
    return len(pages), records


async def preview_entities(project: Project, sim_config: SimulatorConfig | None, env: Mapping[str, str],
                           cancelled: Callable[[], None] | None = None
                           ) -> list[tuple[Resource, list[dict[str, Any]], int, str | None]]:
    """Per resource: (resource, entities the builder previews for the deployed fetch, pages, error)."""
    from builder.source.client import Source, demo_transport, map_fetch

    out = []
    # ``project`` holds the deployed settings with their values: no key substitution here.
    source = Source(project, mode="ocean", env=env,
                    transport=demo_transport(sim_config) if sim_config is not None else None)
    async with source:
        for resource in project.resources:
            if cancelled is not None:
                cancelled()
            result = await source.fetch(resource, all_pages=True)
            mapped = map_fetch(resource, result.pages, result.page_params)
            out.append((resource, list(mapped.entities), len(result.pages), result.error))
    return out


async def compare_installation(run: Installation, project: Project, store: CatalogStore, catalog: CatalogApp,
                               port: Recorder, api: Recorder | None, sim_config: SimulatorConfig | None,
                               env: Mapping[str, str], cancelled: Callable[[], None] | None = None) -> None:
    """Fill ``run`` with the per-resource comparison; ``cancelled`` is called between resources
    before each resource's preview fetch (it raises to stop: a large deployment's preview takes a while)."""
    integration = catalog.integrations.store.get(run.identifier) or {}
    run.resync_status = (integration.get("resyncState") or {}).get("status")
    run.kinds_with_examples = len(catalog.integrations.store.examples(run.identifier))
    run.port_calls = dict(Counter(f"{c.method} {template(c.path.split('?')[0])}" for c in port.calls))
    sent, run.entity_errors = sent_entities(port.calls)
    previewed: set[tuple[str, str]] = set()
    previews = await preview_entities(project, sim_config, env, cancelled)
    for index, (resource, entities, pages, error) in enumerate(previews):
        expected = {_key(e): e for e in entities}
        previewed.update(expected)
        row = ResourceRun(index, resource.name, resource.kind, sorted({k[0] for k in expected}),
                          preview=len(expected), preview_requests=pages)
        if api is not None:
            row.requests, row.fetched = _fetched(resource, api.calls)
        differences: list[str] = []
        if error:
            differences.append(f"the preview's fetch failed: {error}")
        stored = {}
        for blueprint in {k[0] for k in expected}:
            stored.update({(blueprint, i): doc for i, doc in
                           store.get_entities(blueprint, [k[1] for k in expected if k[0] == blueprint]).items()})
        for key, entity in expected.items():
            if key in sent:
                row.sent += 1
                found = first_difference(entity, sent[key])
                if found:
                    differences.append(f"{key[0]}/{key[1]}: sent {found}")
            found = _landed_difference(entity, stored.get(key))
            if found:
                differences.append(f"{key[0]}/{key[1]}: {found}")
            else:
                row.landed += 1
                if key not in sent:
                    row.unchanged += 1
        if differences:
            row.status = "differs"
            row.difference = differences[0] + (f" (+{len(differences) - 1} more)" if len(differences) > 1 else "")
        run.resources.append(row)
    run.extra = [f"{bp}/{ident}" for bp, ident in sent if (bp, ident) not in previewed]
