"""What the DEPLOYED Ocean Custom integration will do differently from the builder's preview.

Every rule comes from reading Ocean's code (reference/ocean-port.md §1, §1.1, §7) and Cursor's
documented limits (cursor-api.md §1.3–§1.5). A finding names the resource, says what Ocean will
really do (with the exact literal it will send), the consequence, and a fix — and, where Ocean
Custom cannot express what the user needs, says so and lists the options.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from builder.engine import jqrt
from builder.engine.mapping import deletion_path
from builder.project.model import Project, Resource
from builder.ship import lint_mappings, plan_lint
from builder.ship.deploy_plan import plan_deployment
from builder.ship.export.settings import pin_notes, setting_problems
from builder.source.pagination import PaginationError, Pager, nested_value, ocean_settings
from builder.port.rules import short, validate_entities

SEVERITIES = ("error", "warning", "info")
DAY_MS = 86_400_000
CANNOT_EXPRESS = (
    "Ocean Custom cannot compute values at request time. Options: (1) freeze the value now: write "
    "literal values into selector.{section} (they never move, so re-export before the window ages out); "
    "(2) keep the builder in charge: run `cursor-builder sync` on a schedule (cron / CI) instead of Ocean; "
    "(3) use Port's native Cursor integration, which computes its date window itself.")


@dataclass(frozen=True)
class Finding:
    severity: str  # error | warning | info
    resource: str | None  # resource name; None for integration-level findings
    code: str
    message: str  # what the deployed integration will do
    consequence: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "resource": self.resource, "code": self.code, "message": self.message,
                "consequence": self.consequence, "fix": self.fix}

    def __str__(self) -> str:
        where = f"[{self.resource}] " if self.resource else ""
        return f"{self.severity}: {where}{self.code}: {self.message}"


# -- what we know about the Cursor endpoints (cursor-api.md §1.3–§1.5, §2–§4) -------------------


@dataclass(frozen=True)
class Endpoint:
    paging: str | None = None  # where page/pageSize are read: "body" | "query" | None (not paginated)
    envelope: str = "none"  # how the response says there is more: pagination | top-total | none
    records: str = "data"
    dates: tuple[str, str] | None = None  # the date-window parameter names
    dates_in: str = "body"  # "body" (epoch ms numbers) or "query" (relative / ISO strings)
    dates_required: bool = False
    max_days: int | None = None
    enterprise: bool = False


_ENDPOINTS: dict[str, Endpoint] = {
    "/teams/members": Endpoint(records="teamMembers"),
    "/teams/daily-usage-data": Endpoint("body", "pagination", "data", ("startDate", "endDate"), "body", True, 30),
    "/teams/spend": Endpoint("body", "top-total", "teamMemberSpend"),
    "/teams/filtered-usage-events": Endpoint("body", "pagination", "usageEvents", ("startDate", "endDate"), "body",
                                             False, 30),
    "/teams/audit-logs": Endpoint("query", "pagination", "events", ("startTime", "endTime"), "query", False, 30),
    "/analytics/ai-code/commits": Endpoint("query", "top-total", "items", ("startDate", "endDate"), "query", False,
                                           30, True),
    "/analytics/ai-code/changes": Endpoint("query", "top-total", "items", ("startDate", "endDate"), "query", False,
                                           30, True),
    "/teams/groups": Endpoint(records="groups", enterprise=True),
}


def endpoint(kind: str) -> Endpoint | None:
    kind = "/" + kind.strip().lstrip("/").split("?")[0]
    if kind in _ENDPOINTS:
        return _ENDPOINTS[kind]
    if kind.startswith("/analytics/by-user/"):
        return Endpoint("query", "pagination", "data", ("startDate", "endDate"), "query", False, 30, True)
    if kind.startswith("/analytics/team/"):
        paged = kind.rsplit("/", 1)[-1] in ("leaderboard", "bugbot", "bugbot-reviews")
        return Endpoint("query" if paged else None, "pagination" if paged else "none", "data",
                        ("startDate", "endDate"), "query", False, 30, True)
    if kind.startswith(("/analytics/ai-code/", "/teams/user-spend-limit", "/teams/remove-member", "/teams/groups")):
        return Endpoint(enterprise=True)
    return None


def _envelope(ep: Endpoint, more: bool, page_size: int) -> dict[str, Any]:
    """A representative page-1 response: ``more`` = there are further pages, else it is the last."""
    body: dict[str, Any] = {ep.records: [{} for _ in range(page_size)]}
    if ep.envelope == "pagination":
        body["pagination"] = {"page": 1, "currentPage": 1, "pageSize": page_size, "totalPages": 3 if more else 1,
                              "numPages": 3 if more else 1, "hasNextPage": more, "hasPreviousPage": False}
    elif ep.envelope == "top-total":
        body.update({"page": 1, "pageSize": page_size, "totalCount": page_size * (3 if more else 1),
                     "totalPages": 3 if more else 1})
    return body


def ocean_continues(config: Mapping[str, Any], response: Any) -> bool:
    """Would the deployed integration request another page after this first response?"""
    pager = Pager(ocean_settings(config), "https://lint.invalid/")
    return pager.after(pager.first(), response).next is not None


# -- the lint -----------------------------------------------------------------------------------


class _Lint:
    def __init__(self, project: Project, results: Mapping[str, Any] | None, samples: Mapping[str, Any] | None,
                 now: float | None) -> None:
        self.project = project
        self.results = results or {}
        self.samples = samples or {}
        self.now = time.time() if now is None else now
        self.out: list[Finding] = []
        self.config = project.config
        self.ptype = str(self.config.get("paginationType") or "none")
        self.enterprise: list[str] = []
        self.at_limit: list[str] = []
        self.installed: dict[str, list[str]] = {}  # extra installation → resources the plan puts there
        # Per-resource pagination is judged against the installation the deployment plan gives it.
        self.plan = plan_deployment(project, self.samples)

    def finish(self) -> None:
        # Facts shared by many resources are one finding each, so they do not bury the rest.
        def names(items: list[str]) -> str:
            return ", ".join(items[:6]) + (f" and {len(items) - 6} more" if len(items) > 6 else "")

        if self.enterprise:
            self.add("warning", self.enterprise[0] if len(self.enterprise) == 1 else None, "enterprise-only",
                     f"{len(self.enterprise)} resource(s) call Enterprise-only endpoints: {names(self.enterprise)}",
                     "with a non-Enterprise key those kinds get 401/403: their resync fails and Ocean skips deleting "
                     "stale entities for the whole run", "remove those resources unless the team is on Enterprise")
        for inst in self.plan.installations:
            members = self.installed.get(inst.identifier)
            if members:
                self.add("info", members[0] if len(members) == 1 else None, "per-resource-pagination",
                         f"Ocean has one pagination setting per installation: the deployment plan deploys "
                         f"{len(members)} resource(s) in installation {inst.identifier} (paginationType "
                         f"{inst.pagination.describe()}): {names(members)}. {inst.note()}",
                         "one more Helm release / Docker container to run", "`cursor-builder export` writes it")
        if self.at_limit:
            self.add("info", self.at_limit[0] if len(self.at_limit) == 1 else None, "date-window",
                     f"{len(self.at_limit)} resource(s) ask for exactly the 30-day maximum: {names(self.at_limit)}",
                     "whether the API counts the boundary in is not documented", "use 29 days to be safe")

    def add(self, severity: str, resource: str | None, code: str, message: str, consequence: str, fix: str) -> None:
        self.out.append(Finding(severity, resource, code, message, consequence, fix))

    # integration level: the settings checks live with the settings table (builder.ship.export.settings)
    def settings(self) -> None:
        for severity, code, message, consequence, fix in setting_problems(self.project):
            self.add(severity, None, code, message, consequence, fix)

    # resource level
    def resource(self, res: Resource) -> None:
        ep = endpoint(res.kind)
        self.casing(res)
        self.literals(res, ep)
        for section in ("body", "query"):
            self.computed(res, ep, section)
        self.pagination(res, ep)
        self.data_path(res)
        self.items_to_parse(res)
        self.windows(res, ep)
        if ep and ep.enterprise:
            self.enterprise.append(res.name)
        bp = res.blueprint_literal
        if bp and self.project.blueprints and not self.project.find_blueprint(bp):
            self.add("warning", res.name, "missing-blueprint", f"blueprint {bp!r} is not in the project",
                     "Ocean does not create it: every upsert of this kind fails until it exists in Port",
                     "infer it (cursor-builder infer) or create it in Port first")
        self.identifiers(res)
        self.entities(res, bp)
        lint_mappings.resource_findings(res, self.results, self.add)
        has_error = any(f.resource == res.name and f.severity == "error" for f in self.out)
        plan_lint.resource_findings(self.plan, res, has_error, self.add)

    def casing(self, res: Resource) -> None:
        for key, right in (("items_to_parse", "itemsToParse"), ("items_to_parse_name", "itemsToParseName"),
                           ("items_to_parse_top_level_transform", "itemsToParseTopLevelTransform")):
            if key in res.port:
                self.add("error", res.name, "items-to-parse-casing", f"port.{key} is ignored: Ocean only reads "
                         f"the camelCase {right}", "items are not expanded; each raw item is mapped as it is",
                         f"rename it to {right}")
        for key, right in (("dataPath", "data_path"), ("queryParams", "query_params"),
                           ("pathParameters", "path_parameters")):
            if key in res.selector:
                self.add("error", res.name, "selector-casing", f"selector.{key} is kept but never read: Ocean's "
                         f"selector key is {right}", "the setting has no effect", f"rename it to {right}")
        if "enable_delete" in res.extra:
            self.add("warning", res.name, "app-config-casing", "enable_delete is snake_case",
                     "Ocean reads enableDelete", "rename it to enableDelete")

    def items_to_parse(self, res: Resource) -> None:
        expr = res.items_to_parse
        if not isinstance(expr, str) or not expr.strip() or not res.items_to_parse_top_level_transform:
            return
        if deletion_path(expr) is None:
            # Ocean deletes the parsed path from each parent (extract_jq_deletion_path_revised); with
            # no simple path to find, it deletes `.`: every parent becomes null and is skipped.
            self.add("error", res.name, "items-to-parse-expression",
                     f"itemsToParse {short(expr)} is not a path, so Ocean's top-level transform is `. | del(.)`",
                     "every item becomes null and Ocean skips it: this kind syncs nothing",
                     "write itemsToParse as a path (for example .members), or set "
                     "itemsToParseTopLevelTransform: false")

    def literals(self, res: Resource, ep: Endpoint | None) -> None:
        body = res.selector.get("body")
        if isinstance(body, str):
            self.add("error", res.name, "body-is-string", f"selector.body is a string; Ocean sends it as a JSON "
                     f"string: {short(body, 80)}", "the API gets a quoted string instead of an object (400)",
                     "write body as a YAML mapping" + ("; JQ in it is never evaluated" if _looks_like_jq(body) else ""))
        for section, values in (("body", body if isinstance(body, dict) else {}),
                                ("query_params", res.selector.get("query_params") or {})):
            for key, value in values.items():
                if isinstance(value, str) and _looks_like_jq(value):
                    self.add("error", res.name, "jq-literal", f"selector.{section}.{key} = {short(value)} looks like "
                             "JQ, but Ocean sends it verbatim", "the API receives that text, not a computed value",
                             CANNOT_EXPRESS.format(section=section))
                elif (ep and ep.dates and key in ep.dates and ep.dates_in == "body" and isinstance(value, str)):
                    self.add("error", res.name, "jq-literal", f"selector.{section}.{key} = {short(value)}: {res.kind} "
                             "wants epoch milliseconds (a number)", "the API answers 400",
                             CANNOT_EXPRESS.format(section=section))

    def computed(self, res: Resource, ep: Endpoint | None, section: str) -> None:
        computed: dict[str, str] = getattr(res.extensions, section)
        if not computed:
            return
        field = "body" if section == "body" else "query_params"
        literal = res.selector.get(field)
        sends = "no body" if section == "body" and not literal else (
            f"selector.{field} {short(literal, 200)}" if literal else "no query parameters")
        missing = [k for k in computed if not (isinstance(literal, dict) and k in literal)]
        frozen = [k for k in computed if k not in missing]
        if missing and ep and ep.dates_required and set(missing) & set(ep.dates or ()):
            consequence = f"without {', '.join(missing)} {res.kind} answers 400: nothing is synced"
        elif missing:
            consequence = f"{', '.join(missing)} are not sent: the API uses its defaults"
        else:
            consequence = f"{', '.join(frozen)} stay at their literal values on every resync: the window never moves"
            # No key missing: literal is the dict holding every computed key (the check says so to mypy).
            end = _moment(literal.get(ep.dates[1]), self.now) if ep and ep.dates and isinstance(literal, dict) else None
            if end is not None and self.now * 1000 - end > DAY_MS:
                consequence += f" (it already ended {(self.now * 1000 - end) / DAY_MS:.0f} days ago)"
        hint = ""
        if section == "query" and ep and ep.dates_in == "query":
            hint = " For this GET endpoint the API's own relative dates (e.g. startDate: 30d, endDate: now) are " \
                   "literal values that Ocean can send and that still move: prefer them."
        self.add("error" if missing else "warning", res.name, f"computed-{section}",
                 f"the builder computes {section} {', '.join(computed)} at request time; Ocean sends {res.method} "
                 f"{res.kind} with {sends}", consequence, CANNOT_EXPRESS.format(section=field) + hint)

    def pagination(self, res: Resource, ep: Endpoint | None) -> None:
        xp = res.extensions.pagination or {}
        planned = self.plan.resource(res.name)
        # The resource is deployed in its plan installation: judge Ocean's pagination with its settings.
        cfg = {**self.config, **planned.pagination.config()} if xp else self.config
        ptype = str(cfg.get("paginationType") or "none")
        where = str(xp.get("in") or "query")
        problems = [p for p in planned.problems if "pagination" in p or "stop rule" in p]
        if xp and problems:
            code = "pagination-in-body" if where == "body" and self.ptype != "none" else "per-resource-pagination"
            self.add("error", res.name, code, f"the builder pages {res.kind} itself, which Ocean cannot express: "
                     f"{problems[0]}; in installation {planned.installation} (paginationType none) Ocean "
                     + (planned.closest or "").split(": ")[0], "records beyond the first page are never synced, "
                     "without an error",
                     planned.alternative or "sync from the builder (`cursor-builder sync`) on a schedule")
        elif xp and planned.installation != self.plan.installations[0].identifier:
            # One finding per installation (in finish), not one per resource: they share one fact.
            self.installed.setdefault(planned.installation, []).append(res.name)
        try:
            page_size = ocean_settings(cfg).page_size
        except PaginationError:
            return  # the settings lint and the preview report the bad number
        if ptype == "none" or ptype not in ("page", "offset", "cursor") or not (ep and ep.paging):
            if ptype in ("offset", "cursor") and not ep:
                self.unknown_endpoint(res)
            return
        more = ocean_continues(cfg, _envelope(ep, True, page_size))
        last = ocean_continues(cfg, _envelope(ep, False, page_size))
        signal = ("pagination.hasNextPage" if ep.envelope == "pagination" else
                  "nothing (only totalCount/totalPages; Ocean cannot compute page*pageSize < totalCount)")
        if ep.paging == "body" and more:
            self.add("error", res.name, "pagination-never-stops", f"{res.kind} reads page from the JSON body, but "
                     "Ocean sends it in the query string: every request returns page 1 with hasNextPage true",
                     "Ocean loops on page 1 forever, re-sending the same records", "set paginationType: none and a "
                     "page size large enough for one page in the literal body, or sync from the builder")
        elif not more:
            self.add("error", res.name, "pagination-stops-early", f"with paginationType {ptype} Ocean stops after "
                     f"page 1 of {res.kind}: its has-more signal is {signal}",
                     "every record after the first page is missing in Port, without an error",
                     "set hasMorePath: pagination.hasNextPage" if ep.envelope == "pagination" and ep.paging == "query"
                     else "use the largest page size the API allows so one page holds everything")
        elif last:
            self.add("error", res.name, "pagination-never-stops", f"with paginationType {ptype} Ocean keeps "
                     f"requesting pages of {res.kind} after the last one", "the resync never finishes",
                     "set hasMorePath to the response's has-more flag")

    def unknown_endpoint(self, res: Resource) -> None:
        # Only structural verdicts: the response shape has no signal Ocean could ever stop (or go on) with.
        page = next(iter(self.samples.get(res.name) or []), None)
        if not isinstance(page, dict) or self.config.get("hasMorePath"):
            return
        if self.ptype == "offset" and not ({"has_more", "hasMore"} & set(page)):
            self.add("error", res.name, "pagination-never-stops", "offset pagination on an object response without "
                     "has_more/hasMore and without hasMorePath: Ocean's handler never stops",
                     "the resync never finishes", "set hasMorePath to the response's has-more flag")
        elif self.ptype == "cursor" and not ({"has_more", "hasMore"} & set(page)) and \
                nested_value(page, "meta.has_more") is None:
            self.add("error", res.name, "pagination-stops-early", "cursor pagination without a has-more signal "
                     "(hasMorePath, or has_more/hasMore/meta.has_more in the response): Ocean stops after page 1",
                     "only the first page reaches Port", "set hasMorePath (and cursorPath)")

    def data_path(self, res: Resource) -> None:
        path = res.data_path
        if not path or path.strip().startswith("["):
            return
        for page in (self.samples.get(res.name) or [])[:1]:
            try:
                outputs = jqrt.all_outputs(path, page)
            except (jqrt.JQCompileError, jqrt.JQRuntimeError):
                return
            if len(outputs) > 1:
                self.add("error", res.name, "data-path-streams", f"data_path {path!r} yields {len(outputs)} outputs "
                         "on the sample; Ocean keeps only the first", f"{len(outputs) - 1} of them are never synced",
                         f"wrap it in an array: data_path: '[{path}]'")
            return
        if not jqrt.is_single_output(path):
            self.add("warning", res.name, "data-path-streams", f"data_path {path!r} may yield several outputs; Ocean "
                     "keeps only the first", "records after the first output are silently lost",
                     f"wrap it in an array: data_path: '[{path}]'")

    def windows(self, res: Resource, ep: Endpoint | None) -> None:
        if not (ep and ep.dates and ep.max_days):
            return
        literal = res.selector.get("body") if ep.dates_in == "body" else res.selector.get("query_params")
        literal = literal if isinstance(literal, dict) else {}
        computed = {k: _run(v, self.now) for k, v in {**res.extensions.body, **res.extensions.query}.items()}
        sources = [("literal (what Ocean sends)", literal)]
        if computed:
            sources.insert(0, ("builder's computed", {**literal, **computed}))
        spans = []
        for origin, values in sources:
            start, end = (_moment(values.get(k), self.now) for k in ep.dates)
            if start is not None and end is not None:
                spans.append((origin, (end - start) / DAY_MS))
        worst = max(spans, key=lambda item: item[1], default=None)
        if worst is None or worst[1] < ep.max_days - 1e-6:
            return
        origin, days = worst
        if days <= ep.max_days + 1e-6:
            self.at_limit.append(res.name)  # one finding for all of them, in finish()
            return
        self.add("error", res.name, "date-window", f"the {origin} date window {ep.dates[0]}..{ep.dates[1]} spans "
                 f"{days:g} days; {res.kind} allows at most {ep.max_days}", "the API answers 400 and nothing is "
                 "synced", f"use at most {ep.max_days - 1} days")

    def identifiers(self, res: Resource) -> None:
        expr = res.mappings.get("identifier")
        result = self.results.get(res.name)
        if result is None:
            if isinstance(expr, str) and re.fullmatch(r"\s*\(?\s*\.[\w.\[\]\"]+\s*\|\s*tostring\s*\)?\s*", expr):
                self.add("info", res.name, "identifier-null-tostring", f"identifier {expr!r} uses tostring: a "
                         "missing field becomes the string \"null\", which Ocean keeps",
                         "records without that field collapse into one entity", "guard it: (.x // empty) | tostring")
            return
        ids = [e.get("identifier") for e in result.entities]
        nulls = [i for i in ids if isinstance(i, str) and re.search(r"(^|[^A-Za-z0-9])null($|[^A-Za-z0-9])", i)]
        if nulls:
            self.add("error", res.name, "identifier-null-tostring", f"{len(nulls)} identifiers contain \"null\" "
                     f"(e.g. {short(nulls[0])}): a missing field went through tostring",
                     "those records collide or carry a meaningless identifier", "guard it: (.x // empty) | tostring")
        counts = Counter(i for i in ids if isinstance(i, (str, int, float)))
        dupes = {i: n for i, n in counts.items() if n > 1}
        if dupes:
            lost = sum(n - 1 for n in dupes.values())
            first = max(dupes, key=lambda i: dupes[i])
            self.add("error", res.name, "identifier-collision", f"{len(dupes)} identifiers repeat ({short(first)} "
                     f"×{dupes[first]})",
                     f"Port keeps one entity per identifier: {lost} of {len(ids)} records are lost",
                     "make the identifier unique (add more fields, e.g. timestamp + email + model)")
        stages = Counter(d.stage for d in getattr(result, "dropped", []))
        for stage, count in stages.items():
            sample = next(d.reason for d in result.dropped if d.stage == stage)
            self.add("warning", res.name, "records-dropped", f"{count} records produce no entity at {stage}: {sample}",
                     "they are never synced", "see the record in the Build view (or `cursor-builder preview`)")

    def entities(self, res: Resource, bp: str | None) -> None:
        result = self.results.get(res.name)
        blueprint = self.project.find_blueprint(bp) if bp else None
        if result is None or blueprint is None:
            return
        known = [b["identifier"] for b in self.project.blueprints if isinstance(b.get("identifier"), str)]
        problems = [p for p in validate_entities(result.entities, blueprint, known_blueprints=known)
                    if p.severity == "error" and p.code != "duplicate"]
        groups: dict[tuple[str, str], list[Any]] = {}
        for p in problems:
            groups.setdefault((p.field, p.code), []).append(p)
        for (fieldname, _code), items in groups.items():
            self.add("error", res.name, "entity-invalid", f"{len(items)} entities fail Port's validation at "
                     f"{fieldname}: {items[0].message} (first: record {items[0].index})",
                     "Port rejects those entities (207 errors); Ocean logs them and moves on",
                     "fix the JQ, or adopt the inferred blueprint (Blueprint view / cursor-builder infer)")


_JQ_HINTS = re.compile(r"\|\s*[A-Za-z_.]|\b(now|floor|todate|fromdate|strftime|tostring|tonumber|env)\b\s*[-+*/|)]"
                       r"|[-+*/(]\s*\b(now|floor)\b|^\s*\.[A-Za-z_]|\$ENV|\$__|\(\(")


def _looks_like_jq(text: str) -> bool:
    return bool(_JQ_HINTS.search(text))


def _run(expr: str, now: float) -> Any:
    """A computed request value as the builder sends it (``$now`` and ``now`` bound, as in
    builder.source.request.compute_value); None where it fails."""
    try:
        return jqrt.compile_with(expr, {"now": now}).input_value(None).first()
    except Exception:
        return None


def _moment(value: Any, now: float) -> float | None:
    """A date parameter as epoch ms: numbers (ms, or s for small ones), Nd/Nh/Ns, now/today/yesterday, ISO."""
    now_ms = now * 1000
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        number = float(value)
        return number if number > 1e11 else number * 1000
    text = str(value).strip().lower()
    if text in ("now", "today"):
        return now_ms
    if text == "yesterday":
        return now_ms - DAY_MS
    found = re.fullmatch(r"(\d+)([dhs])", text)
    if found:
        return now_ms - int(found.group(1)) * {"d": DAY_MS, "h": 3_600_000, "s": 1000}[found.group(2)]
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp() * 1000


def lint_project(project: Project, *, results: Mapping[str, Any] | None = None,
                 samples: Mapping[str, Iterable[Any]] | None = None, now: float | None = None) -> list[Finding]:
    """Findings for the whole project, errors first, then by resource order.

    ``results``: resource name → ``MappingResult`` (identifier collisions, dropped records, Port
    validation). ``samples``: resource name → raw response pages (data_path streaming, pagination
    on endpoints the lint does not know). ``now``: epoch seconds for computed date windows.
    """
    lint = _Lint(project, results, {k: list(v) for k, v in (samples or {}).items()}, now)
    lint.settings()
    lint_mappings.integration_findings(project, lint.add)
    from builder.see.pages import page_findings  # the page rules live with the dashboards (builder/see)

    for severity, code, message, consequence, fix in page_findings(project):
        lint.add(severity, None, code, message, consequence, fix)
    for resource in project.resources:
        lint.resource(resource)
    lint.finish()
    names: list[str | None] = [None, *project.resource_names()]  # project-level findings first
    order = {name: i for i, name in enumerate(names)}
    return sorted(lint.out, key=lambda f: (SEVERITIES.index(f.severity), order.get(f.resource, 0)))


def render_text(findings: list[Finding], project: Project | None = None) -> str:
    """The findings as ``cursor-builder lint`` prints them; with ``project``, then why the export
    pins what it pins (said even when the project sets nothing: a pin is not a finding)."""
    pins = "".join(f"pinned by the export: {note}\n" for note in pin_notes(project)) if project else ""
    if not findings:
        return "no findings: the deployed integration will behave like the preview\n" + pins
    lines = []
    for f in findings:
        where = f" [{f.resource}]" if f.resource else ""
        lines.append(f"{f.severity}{where} {f.code}: {f.message}")
        lines.append(f"    consequence: {f.consequence}")
        lines.append(f"    fix: {f.fix}")
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    lines.append(f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info")
    return "\n".join(lines) + "\n" + pins
