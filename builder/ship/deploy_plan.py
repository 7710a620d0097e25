"""The deployment plan: as many Ocean Custom installations as the resources' pagination needs.

Ocean Custom has ONE pagination setting per installation (``integration.config.paginationType``
and its keys), read by every resource. A project whose resources page differently (each in its
``x-builder.pagination``) therefore deploys as several installations: resources whose pagination
Ocean expresses with the same settings share one, each installation is its own Helm release /
Docker container / values file with its own pagination keys and its own port-app-config subset.

What Ocean cannot express at all — pagination inside a POST body, a JQ stop rule with no has-more
or last-page field, a body or query computed at request time — stays in an installation with the
closest setting (one page, the literal body) and is an error that says what it loses and the best
alternative (Port's native Cursor integration where it covers the data, ``builder.ship.native``).

``plan_deployment`` is structural and cheap (the lint and the exports use it); ``prove`` runs
each installation's deployed settings through the source's Ocean mode against the simulator and
counts the records the deployed integration would ingest against what the builder fetches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Mapping

from builder.project.model import Project, Resource
from builder.ship import native
from builder.source.pagination import INTENDED_PARAMS

if TYPE_CHECKING:
    from builder.simulator import SimulatorConfig

#: integration.config keys that make up one installation's pagination, in Ocean's spec order.
PAGINATION_KEYS = ("paginationType", "pageSize", "paginationParam", "sizeParam", "startPage", "cursorPath",
                   "hasMorePath", "lastPagePath", "nextLinkPath", "headerLinkRel")
#: x-builder.pagination key → integration.config key
_FROM_EXTENSION = {"pageSize": "pageSize", "pageParam": "paginationParam", "sizeParam": "sizeParam",
                   "startPage": "startPage", "cursorPath": "cursorPath", "hasMorePath": "hasMorePath",
                   "lastPagePath": "lastPagePath", "nextLinkPath": "nextLinkPath", "headerLinkRel": "headerLinkRel"}
OCEAN_TYPES = ("none", "page", "offset", "cursor", "next_link", "header_link")
DEFAULT_IDENTIFIER = "my-custom-integration"


@dataclass(frozen=True)
class OceanPagination:
    """One installation's pagination settings (integration.config keys → string values)."""

    settings: tuple[tuple[str, str], ...] = (("paginationType", "none"),)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> OceanPagination:
        kind = str(values.get("paginationType") or "none")
        if kind == "none":
            return cls()
        pairs = [(k, str(values[k])) for k in PAGINATION_KEYS if values.get(k) not in (None, "")]
        return cls(tuple(pairs))

    @property
    def type(self) -> str:
        return dict(self.settings).get("paginationType", "none")

    def config(self) -> dict[str, str]:
        return dict(self.settings)

    def describe(self) -> str:
        values = self.config()
        if self.type == "none":
            return "none (one request)"
        parts = [self.type]
        if self.type in INTENDED_PARAMS:
            parts.append(f"{values.get('paginationParam', '?')}/{values.get('sizeParam', '?')}="
                         f"{values.get('pageSize', '100')}")
        for key in ("hasMorePath", "lastPagePath", "cursorPath"):
            if key in values:
                parts.append(f"{key} {values[key]}")
        return ", ".join(parts)

    def slug(self) -> str:
        values = self.config()
        return f"{self.type}-{values['pageSize']}" if "pageSize" in values else self.type.replace("_", "-")


@dataclass
class PlannedResource:
    """One resource in the plan: where it is deployed, what Ocean cannot do, and the proof."""

    name: str
    kind: str
    method: str
    installation: str
    pagination: OceanPagination
    problems: list[str] = field(default_factory=list)  # what Ocean cannot express (each an error)
    closest: str | None = None  # the setting the installation uses instead, and what it loses
    alternative: str | None = None  # the best way to get all of it
    native: native.NativeComparison | None = None
    builder_records: int | None = None  # filled by prove()
    ocean_records: int | None = None
    proof: str | None = None  # the Ocean run's stop reason or error

    @property
    def severity(self) -> str:
        if self.problems:
            return "error"
        if self.builder_records is not None and (self.ocean_records or 0) < self.builder_records:
            return "error"
        return "ok"

    @property
    def servable(self) -> bool:
        return not self.problems

    def coverage(self) -> str:
        if self.builder_records is None:
            return "not run"
        return f"{self.ocean_records or 0} of {self.builder_records}"

    def to_json(self) -> dict[str, Any]:
        return {"resource": self.name, "kind": self.kind, "installation": self.installation,
                "pagination": self.pagination.config(), "severity": self.severity, "problems": list(self.problems),
                "closest": self.closest, "alternative": self.alternative,
                "native": self.native.to_json() if self.native else None,
                "builder_records": self.builder_records, "ocean_records": self.ocean_records, "proof": self.proof}


#: What Ocean Custom's handler of each pagination type does and cannot do (read from
#: ``integrations/custom/http_server/handlers.py`` and ``helpers/endpoint_resolver.py``).
PAGINATION_NOTES = {
    "cursor": ("Ocean reads the next cursor from the JSON response body (cursorPath, a dot path) and sends it as "
               "the query parameter paginationParam, with sizeParam=pageSize on every request; it stops when the "
               "cursor or the hasMorePath value is missing or false, so an API that omits nextCursor on its last "
               "page (Cursor's Cloud Agents API) stops there. It cannot send a cursor in a request body (a POST "
               "paged by cursor in its JSON) or read one from a header, and it pages path_parameters discovery "
               "requests with the same settings."),
    "page": ("Ocean sends paginationParam/sizeParam in the query string (never in a JSON body) and continues while "
             "hasMorePath is true (or lastPagePath false); path_parameters discovery is paged the same way."),
    "offset": ("Ocean sends paginationParam (offset) and sizeParam in the query string and continues while "
               "hasMorePath is true, or until a list response is shorter than pageSize."),
}


@dataclass
class Installation:
    identifier: str
    pagination: OceanPagination
    resources: list[str] = field(default_factory=list)

    def note(self) -> str:
        """What Ocean does with this installation's pagination, and what it cannot."""
        return PAGINATION_NOTES.get(self.pagination.type, "one request per resource (no pagination)")

    def to_json(self) -> dict[str, Any]:
        return {"identifier": self.identifier, "pagination": self.pagination.config(),
                "resources": list(self.resources), "note": self.note()}


@dataclass
class DeployPlan:
    installations: list[Installation]
    resources: list[PlannedResource]

    def resource(self, name: str) -> PlannedResource:
        return next(r for r in self.resources if r.name == name)

    def errors(self) -> list[PlannedResource]:
        return [r for r in self.resources if r.severity == "error"]

    def to_json(self) -> dict[str, Any]:
        return {"installations": [i.to_json() for i in self.installations],
                "resources": [r.to_json() for r in self.resources]}

    def rows(self) -> list[tuple[str, str, str, str, str, str]]:
        """(installation, resource, pagination, ingested vs preview, verdict, native) for tables."""
        out = []
        for inst in self.installations:
            for name in inst.resources:
                r = self.resource(name)
                verdict = "ok" if r.severity == "ok" else "ERROR: " + "; ".join(
                    r.problems or [f"Ocean ingests {r.coverage()} records"])
                out.append((inst.identifier, r.name, inst.pagination.describe(), r.coverage(), verdict,
                            r.native.native.kind if r.native and r.native.native else "-"))
        return out


# -- planning ------------------------------------------------------------------------------------

def base_identifier(project: Project) -> str:
    return str((project.integration or {}).get("identifier") or DEFAULT_IDENTIFIER)


def _extension_pagination(resource: Resource) -> tuple[OceanPagination | None, list[str]]:
    """Ocean settings that page this resource as its x-builder pagination does, or why none can."""
    xp = resource.extensions.pagination or {}
    kind = str(xp.get("type") or "none")
    if str(xp.get("in") or "query") == "body":
        return None, [f"pagination inside the {resource.method} body ({xp.get('pageParam', 'page')}/"
                      f"{xp.get('sizeParam', 'pageSize')}): Ocean puts page parameters in the query string and "
                      "re-sends the body unchanged"]
    if kind not in OCEAN_TYPES:
        return None, [f"pagination type {kind!r} is not one Ocean has"]
    values: dict[str, Any] = {"paginationType": kind}
    for ext_key, key in _FROM_EXTENSION.items():
        if xp.get(ext_key) not in (None, ""):
            values[key] = xp[ext_key]
    if kind in INTENDED_PARAMS:
        page_name, size_name = INTENDED_PARAMS[kind]
        values.setdefault("paginationParam", page_name)  # Ocean sends ?None=… when these are unset
        values.setdefault("sizeParam", size_name)
        values.setdefault("pageSize", 100)
    signal = any(values.get(k) for k in ("hasMorePath", "lastPagePath"))
    if xp.get("stop") and not signal and kind in ("page", "offset", "cursor"):
        return None, [f"the stop rule is a JQ expression ({xp['stop']}) and the response has no has-more or "
                      "last-page field: Ocean's page handler would stop after page 1 (or never)"]
    return OceanPagination.of(values), []


def _computed_problems(resource: Resource) -> list[str]:
    out = []
    for section, field_name in (("body", "body"), ("query", "query_params")):
        computed = getattr(resource.extensions, section)
        if computed:
            out.append(f"{field_name} {', '.join(computed)} computed at request time (a rolling window): Ocean "
                       f"sends the literal selector.{field_name}, which never moves")
    return out


def _closest(resource: Resource, problems: list[str]) -> str:
    parts = []
    if any("pagination" in p or "stop rule" in p for p in problems):
        literal = resource.selector.get("body" if resource.method == "POST" else "query_params")
        size = next((literal.get(k) for k in ("pageSize", "limit", "size") if isinstance(literal, dict)
                     and literal.get(k) is not None), None)
        where = "body" if resource.method == "POST" else "query"
        parts.append("requests one page " + (f"(pageSize {size} from the literal {where})" if size is not None
                                             else "with the API's default page size")
                     + ": records beyond that page are not ingested")
    if any("computed at request time" in p for p in problems):
        parts.append("sends the literal window exported today, frozen: re-export (cursor-builder init/export) "
                     "before it ages out")
    return "; ".join(parts)


def _alternative(resource: Resource, comparison: native.NativeComparison) -> str:
    if comparison.covers and comparison.native is not None:
        text = (f"leave {resource.kind} to Port's native Cursor integration (kind {comparison.native.kind}), which "
                "pages it and moves the window itself")
        if comparison.dropped:
            text += f" — but fix its identifier first: {comparison.differences[0]}"
        return text + "; or run `cursor-builder sync` on a schedule"
    return ("run `cursor-builder sync` on a schedule (cron / CI) for this resource: Port's native Cursor integration "
            "does not cover it")


def plan_deployment(project: Project, samples: Mapping[str, Any] | None = None) -> DeployPlan:
    """Group the resources into installations; ``samples`` (name → raw pages) feed the native check."""
    base = OceanPagination.of(project.config)
    groups: dict[OceanPagination, list[str]] = {base: []}
    planned: list[PlannedResource] = []
    for resource in project.resources:
        problems = _computed_problems(resource)
        if resource.extensions.pagination:
            pagination, pagination_problems = _extension_pagination(resource)
            problems = pagination_problems + problems
            if pagination is None:
                pagination = OceanPagination()  # closest: one request with the literal page size
        else:
            pagination = base
        groups.setdefault(pagination, []).append(resource.name)
        rows = native.native_rows(resource.kind, (samples or {}).get(resource.name) or [])
        comparison = native.compare(resource, rows)
        entry = PlannedResource(resource.name, resource.kind, resource.method, "", pagination, problems,
                                native=comparison)
        if problems:
            entry.closest = _closest(resource, problems)
            entry.alternative = _alternative(resource, comparison)
        planned.append(entry)
    installations: list[Installation] = []
    used: set[str] = set()
    name = base_identifier(project)
    for pagination, names in groups.items():
        if not names and pagination == base and len(groups) > 1:
            continue
        identifier = name if not installations else f"{name}-{pagination.slug()}"
        identifier = _release_safe(identifier)
        candidate, n = identifier, 2
        while candidate in used:
            candidate, n = f"{identifier}-{n}", n + 1
        used.add(candidate)
        installations.append(Installation(candidate, pagination, list(names)))
        for entry in planned:
            if entry.name in names:
                entry.installation = candidate
    return DeployPlan(installations, planned)


def _release_safe(identifier: str) -> str:
    # Each installation is also a Helm release and a container name: keep it a DNS-1123 label.
    text = re.sub(r"[^A-Za-z0-9-]+", "-", identifier).strip("-")
    return text[:53].rstrip("-") or DEFAULT_IDENTIFIER


def installation_project(project: Project, installation: Installation) -> Project:
    """The project one installation deploys: its identifier, its pagination keys, its resources."""
    out = project.copy()
    out.integration["identifier"] = installation.identifier
    config = out.config
    if installation.pagination != OceanPagination.of(config):  # the project's own settings stay as written
        for key in PAGINATION_KEYS:
            config.pop(key, None)
        config.update(installation.pagination.config())
    wanted = set(installation.resources)
    out.resources = [r for r in out.resources if r.name in wanted]
    return out


# -- the proof -----------------------------------------------------------------------------------

_PROOF_KEY = "CURSOR_BUILDER_DEPLOYED_API_KEY"


def deployed_config_project(project: Project, api_key: str) -> tuple[Project, dict[str, str]]:
    """``project`` with the auth the export deploys (Basic with an empty password becomes the
    api_key header), and the overrides that give its secrets the simulator's key."""
    from builder.ship.export.settings import basic_header, basic_without_password

    out = project.copy()
    overrides: dict[str, str] = {}
    if basic_without_password(out.config):
        for key in ("username", "password"):
            out.config.pop(key, None)
        out.config.update({"authType": "api_key", "apiKeyHeader": "Authorization", "apiKey": f"${{{_PROOF_KEY}}}"})
        overrides[_PROOF_KEY] = basic_header(api_key)
    return out, overrides


async def prove(project: Project, plan: DeployPlan, simulator: SimulatorConfig | None = None,
                now: float | None = None) -> DeployPlan:
    """Fetch every resource as the builder does and as its installation's deployed settings do
    (the source's Ocean mode), against the in-process simulator; fill the record counts.

    ``simulator`` is the session's simulator (its team, seed and present: the TUI passes its own, so
    the counts are those of the data on screen, and fixed under a fixed clock); without one, a
    default team whose present is ``now`` (the instant the session's requests use), else the current
    hour. Either way without rate limits: the proof counts pagination, it never waits out a window.

    The literal date windows are refreshed to the simulator's present first, as ``cursor-builder
    init`` does, so both fetches ask for the same window and only pagination can differ.
    """
    from builder.simulator import SimulatorConfig
    from builder.source.client import Source
    from builder.source.request import SourceError, refresh_literal_values

    if simulator is not None:
        config = replace(simulator, rate_limits=False)
    else:
        present = None if now is None else datetime.fromtimestamp(now, timezone.utc)
        config = SimulatorConfig(rate_limits=False, now=present)
    at = config.resolved_now().timestamp() if now is None else now
    current = project.copy()
    refresh_literal_values(current, at)
    async with Source.demo(current, config, now=at) as source:
        for entry in plan.resources:
            try:
                result = await source.fetch(entry.name, compare_ocean=False)
            except SourceError as exc:
                entry.proof = f"builder fetch failed: {exc}"
                continue
            entry.builder_records = result.coverage.records if not result.error else None
            if result.error:
                entry.proof = f"builder fetch failed: {result.error}"
    for installation in plan.installations:
        deployed, overrides = deployed_config_project(installation_project(current, installation), config.api_key)
        async with Source.demo(deployed, config, mode="ocean", now=at, overrides=overrides) as source:
            for name in installation.resources:
                entry = plan.resource(name)
                try:
                    result = await source.fetch(name)
                except SourceError as exc:
                    entry.ocean_records, entry.proof = 0, str(exc)
                    continue
                entry.ocean_records = result.coverage.records
                entry.proof = result.error or result.coverage.stop_reason
    return plan
