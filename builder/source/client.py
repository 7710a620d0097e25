"""The HTTP source: fetch a resource's pages exactly as Ocean Custom would, or as the builder can.

``mode="ocean"`` builds every request the way the deployed integration does (reference/
ocean-port.md §1–§2, ``integrations/custom``): URL = baseUrl + '/' + kind, literal
``query_params`` stringified by httpx, ``User-Agent: Port-Ocean-HTTP-Integration/1.0`` under the
selector's headers, ``body`` sent as JSON when truthy (a string body as a JSON *string*),
integration-level pagination in the query string even for POST, path parameters resolved from a
discovery endpoint. ``mode="builder"`` adds the ``x-builder`` extensions: request-time JQ values
(a rolling date window), per-resource pagination that may live in the body, a JQ stop rule.

Every attempt is captured as an ``Exchange`` with secrets masked, failures become one line that
says what to do, and each fetch gets a ``Coverage`` that includes what Ocean's own pagination would
have ingested — replayed over the pages already fetched, fetching live only where Ocean's requests
differ — so "only page 1 was ingested" shows up before deploying. The request itself (URL, parameters, headers,
body, computed values) is built by ``builder.source.request``; this module sends it and walks the pages.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import os
import random
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping

import httpx

from builder.engine import mapping
from builder.source.auth import AuthError, AuthPlan, plan_auth
# Exchange … RetryPolicy moved out of this module; `from builder.source.client import Exchange` keeps working.
from builder.source.exchange import TEXT_CAP, Coverage, Exchange, FetchResult, connect_message, read_response
from builder.net.retry import DEFAULT_REQUEST_DEADLINE, RetryPolicy, retry_after_seconds
from builder.source.pagination import (DEFAULT_MAX_PAGES, OCEAN_MAX_PAGES, PageRequest, Pager, PaginationError,
                                Step, builder_settings, ocean_settings, path_parameter_values)
from builder.source.request import USER_AGENT, Mode, RequestPlan, SourceError, plan_request
from builder.project.model import SECRET_CONFIG_KEYS, Project, Resource, env_ref_name

if TYPE_CHECKING:
    from builder.simulator import SimulatorConfig

#: The deadline of the resource being fetched (``x-builder.requestDeadline``), per task: one Source
#: may fetch two resources at once in the TUI.
_RESOURCE_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("request_deadline", default=None)
_PARAM = re.compile(r"\{(\w+)\}")


@dataclass
class PageState:
    """Where a page-by-page walk (the TUI's next page) stands."""

    plan: RequestPlan
    endpoints: list[tuple[str, dict[str, str]]]
    index: int
    pager: Pager
    request: PageRequest
    page: int = 1


@dataclass
class PageResult:
    exchanges: list[Exchange]
    data: Any
    next_state: PageState | None
    stop: Step | None
    error: str | None
    path_params: dict[str, str] = field(default_factory=dict)


@dataclass
class _Run:
    exchanges: list[Exchange] = field(default_factory=list)
    pages: list[Any] = field(default_factory=list)
    page_params: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    stop: Step = field(default_factory=lambda: Step(None, "single", "no request made"))
    notes: list[str] = field(default_factory=list)


def map_fetch(resource: Resource, pages: list[Any], page_params: list[dict[str, str]] | None = None
              ) -> mapping.MappingResult:
    """``mapping.run`` with the ``__<param>`` values of a path-parameter resource's pages."""
    return mapping.run(resource, pages, page_params=page_params)


def _record_count(resource: Resource, data: Any) -> int:
    return len(mapping.extract_items([data], resource.data_path).records)


def _retry_after(headers: httpx.Headers) -> float | None:
    seconds = retry_after_seconds(headers.get("retry-after"))
    return None if seconds is None else max(0.0, seconds)


async def _notify(callback: Callable[[Exchange], Any] | None, exchange: Exchange) -> None:
    if callback is not None:
        result = callback(exchange)
        if inspect.isawaitable(result):
            await result


class Source:
    def __init__(self, project: Project, *, transport: httpx.AsyncBaseTransport | None = None,
                 env: Mapping[str, str] | None = None, overrides: dict[str, str] | None = None,
                 mode: Mode = "builder", retry: RetryPolicy | None = None,
                 sleep: Callable[[float], Awaitable[Any]] | None = None, now: float | None = None,
                 timeout: float = 30.0, rng: random.Random | None = None,
                 request_deadline: float | None = None) -> None:
        if mode not in ("builder", "ocean"):
            raise ValueError(f"mode must be 'builder' or 'ocean', got {mode!r}")
        self.project = project
        self.mode = mode
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        if request_deadline is not None and not request_deadline > 0:
            raise SourceError(f"the request deadline must be a number of seconds above 0, got {request_deadline!r}")
        #: given (the CLI's --request-deadline): it wins over each resource's x-builder.requestDeadline
        self._deadline_given = request_deadline is not None
        self.request_deadline = DEFAULT_REQUEST_DEADLINE if request_deadline is None else request_deadline
        self.now = time.time() if now is None else now  # one instant per session: stable computed values
        self._sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        self._transport = transport
        self.config = project.resolved_config(os.environ if env is None else env, overrides)
        base_url = str(self.config.get("baseUrl") or "").rstrip("/")
        if not base_url:
            raise SourceError("integration.config.baseUrl is empty: set it to the API's URL (https://api.cursor.com)")
        self.config["baseUrl"] = base_url
        self.cursor = (httpx.URL(base_url).host or "").endswith("cursor.com")  # Cursor-specific hints
        self.key_ref = next((env_ref_name(project.config.get(k)) for k in ("username", *sorted(SECRET_CONFIG_KEYS))
                             if env_ref_name(project.config.get(k))), None)
        try:
            self.auth: dict[str, AuthPlan] = {m: plan_auth(self.config, m) for m in ("builder", "ocean")}
        except AuthError as exc:
            raise SourceError(str(exc)) from None
        verify = self.config.get("verifySsl", True)
        verify = str(verify).strip().lower() not in ("false", "0", "no") if verify is not None else True
        # An explicit transport (demo, tests) is in-process: environment proxies must not reroute it.
        self._client = httpx.AsyncClient(transport=transport, verify=verify, timeout=timeout,
                                         trust_env=transport is None)
        self._cache: dict[tuple[str, str, bytes], Exchange] = {}
        self._log: list[Exchange] = []

    @classmethod
    def demo(cls, project: Project, config: SimulatorConfig | None = None, **kwargs: Any) -> Source:
        """Against the in-process simulator, with its demo key in place of the project's key."""
        from builder.simulator import DEMO_API_KEY

        key = getattr(config, "api_key", None) or DEMO_API_KEY
        overrides = dict(kwargs.pop("overrides", None) or {})
        for setting in ("username", "apiToken", "apiKey"):  # whichever the auth type reads; never a password
            name = env_ref_name(project.config.get(setting))
            if name:
                overrides.setdefault(name, key)
        return cls(project, transport=demo_transport(config), overrides=overrides, **kwargs)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Source:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    # -- request planning ----------------------------------------------------------------------
    def plan(self, resource: Resource, mode: Mode | None = None) -> RequestPlan:
        return plan_request(resource, self.config, self.now, mode or self.mode)

    def _url(self, kind: str) -> str:
        path = kind.lstrip("/")
        if not path:
            raise SourceError("the resource kind (endpoint path) is empty")
        return f"{self.config['baseUrl']}/{path}"

    # -- one request, with retries ---------------------------------------------------------------
    async def _exchange(self, method: str, request: PageRequest, headers: dict[str, str], *, mode: Mode,
                        auth: AuthPlan, page: int | None, purpose: str, on_exchange: Any, cache: bool) -> Exchange:
        params, body = request.params, request.body
        headers = {**auth.headers, **headers}
        if auth.basic:
            import base64

            token = base64.b64encode(f"{auth.basic[0]}:{auth.basic[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        if auth.custom is not None:
            if auth.custom.expired:
                await self._login(auth, on_exchange)
            headers, params, body = auth.custom.apply(headers, params, body)
        secrets = auth.secrets
        relogged = False
        attempt = 0
        while True:
            attempt += 1
            try:
                # params=None, not {}: httpx 0.28 drops a URL's own query when given empty params, and a
                # next link carries all its state there (Ocean's httpx <0.28 kept it).
                built = self._client.build_request(method, request.url, params=params or None, headers=headers,
                                                   json=body if body else None)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError) as exc:
                ex = Exchange(method, secrets.url(request.url), secrets.headers(headers), secrets.json(body),
                              error=f"invalid request URL: {secrets.text(str(exc))} — check baseUrl and kind",
                              page=page, purpose=purpose, mode=mode)
                await self._record(on_exchange, ex)
                return ex
            key = (method, str(built.url), built.content)
            if cache and key in self._cache:
                return self._cache[key]
            ex = Exchange(method, secrets.url(str(built.url)), secrets.headers(dict(built.headers)), secrets.json(body),
                          attempt=attempt, page=page, purpose=purpose, mode=mode)
            started = time.perf_counter()
            retry_after = None
            retryable = False
            try:
                response = await self._bounded(self._client.send(built))
            except TimeoutError:
                # Not retried: a server that trickled for the whole deadline will do it again.
                ex.error = self._deadline_message(built.url.host)
            except httpx.TimeoutException:
                ex.error = (f"timed out after {self.timeout:g}s ({attempt} attempt(s)): {built.url.host} did not "
                            "answer — check the network or proxy, or try again later")
                retryable = True
            except httpx.HTTPError as exc:
                ex.error = connect_message(built.url.host, secrets.text(str(exc) or type(exc).__name__))
                retryable = not ex.error.startswith("TLS")
            else:
                ex.status = response.status_code
                ex.headers = secrets.headers(dict(response.headers))
                ex.size = len(response.content)
                ex.text = secrets.text(response.text[:TEXT_CAP])
                retry_after = _retry_after(response.headers)
                retryable = read_response(ex, response, method, auth, attempt, cursor=self.cursor, key_ref=self.key_ref)
                # httpx keys a Link by rel, else by URL: never None in practice, dropped for the type
                ex.links = {rel: link for rel, link in response.links.items() if rel is not None}
                if (response.status_code == 401 and auth.custom is not None and not relogged):
                    relogged = True  # Ocean re-authenticates once on a 401
                    ex.elapsed_ms = (time.perf_counter() - started) * 1000
                    await self._record(on_exchange, ex)
                    await self._login(auth, on_exchange)
                    headers, params, body = auth.custom.apply(headers, request.params, request.body)
                    continue
            ex.elapsed_ms = (time.perf_counter() - started) * 1000
            if retryable and attempt < self.retry.attempts:
                wait = self.retry.delay(attempt, retry_after, self._rng)
                if wait is not None:
                    ex.retry_in = wait
                    await self._record(on_exchange, ex)
                    await self._sleep(wait)
                    continue
            await self._record(on_exchange, ex)
            if ex.ok:
                self._cache[key] = ex
            return ex

    def deadline_for(self, resource: Resource) -> float:
        """One request's deadline for ``resource``: --request-deadline, else its x-builder.requestDeadline."""
        if self._deadline_given or resource.extensions.request_deadline is None:
            return self.request_deadline
        return float(resource.extensions.request_deadline)

    def _deadline(self) -> float:
        return _RESOURCE_DEADLINE.get() or self.request_deadline

    async def _bounded(self, request: Awaitable[httpx.Response]) -> httpx.Response:
        """``request`` (which reads the whole body) cut at the request deadline: raises TimeoutError."""
        return await asyncio.wait_for(request, self._deadline())

    def _deadline_message(self, host: str) -> str:
        return (f"request stopped at its deadline of {self._deadline():g} s: {host} answered too slowly or "
                "not at all (raise --request-deadline or the resource's x-builder.requestDeadline, or check "
                "the server)")

    async def _record(self, on_exchange: Any, ex: Exchange) -> None:
        self._log.append(ex)  # every attempt, login and retry shows in the result, not just the last
        await _notify(on_exchange, ex)

    def _drain(self) -> list[Exchange]:
        out, self._log = self._log, []
        return out

    async def _login(self, auth: AuthPlan, on_exchange: Any) -> None:
        custom = auth.custom
        assert custom is not None
        spec = custom.login_request()
        started = time.perf_counter()
        secrets = auth.secrets
        ex = Exchange(spec["method"], secrets.url(spec["url"]), secrets.headers(spec["headers"]),
                      secrets.json(spec.get("json") or spec.get("content")), purpose="auth", mode=self.mode)
        try:
            response = await self._bounded(self._client.request(**spec))
            ex.status, ex.size = response.status_code, len(response.content)
            ex.headers = secrets.headers(dict(response.headers))
            response.raise_for_status()
            custom.accept(response.json())
        except TimeoutError:
            ex.error = self._deadline_message(httpx.URL(spec["url"]).host) + " (custom auth login)"
        except (httpx.HTTPError, ValueError) as exc:
            ex.error = (f"custom auth login to {secrets.url(spec['url'])} failed: {secrets.text(str(exc))[:160]} — "
                        "check customAuthRequest")
        ex.elapsed_ms = (time.perf_counter() - started) * 1000
        await self._record(on_exchange, ex)
        if ex.error:
            raise SourceError(ex.error)

    # -- path parameters ---------------------------------------------------------------------
    async def _endpoints(self, resource: Resource, mode: Mode, auth: AuthPlan, run: _Run, on_exchange: Any,
                         cache: bool) -> list[tuple[str, dict[str, str]]]:
        names = _PARAM.findall(resource.kind)
        if not names:
            return [(resource.kind, {})]
        configured = resource.selector.get("path_parameters") or {}
        missing = [name for name in names if name not in configured]
        if missing:
            run.notes.append(f"path parameter(s) {missing} have no path_parameters entry: Ocean requests the "
                             "literal path")
            return [(resource.kind, {})]
        if len(names) > 1:
            run.notes.append(f"only the first path parameter ({names[0]}) is resolved, as in Ocean")
        name, spec = names[0], configured[names[0]]
        # Ocean pages the discovery with its installation's pagination; the deployment plan deploys a
        # resource with query pagination in an installation of its own, so the builder pages it the same way.
        own = resource.extensions.pagination or {}
        settings = ocean_settings(self.config) if mode == "ocean" else builder_settings(
            self.config, own if own and str(own.get("in") or "query") == "query" else None)
        settings.max_pages = OCEAN_MAX_PAGES
        headers = {"User-Agent": USER_AGENT, **(spec.get("headers") or {})}
        pager = Pager(settings, self._url(str(spec.get("endpoint") or "")), spec.get("query_params") or {}, None)
        request: PageRequest | None = pager.first()
        values: list[str] = []
        while request is not None:
            ex = await self._exchange(str(spec.get("method") or "GET").upper(), request, headers, mode=mode,
                                      auth=auth, page=None, purpose="path_parameters",
                                      on_exchange=on_exchange, cache=cache)
            run.exchanges.extend(self._drain())
            if not ex.ok:
                run.error = run.error or f"resolving {{{name}}}: {ex.error}"
                break
            values.extend(path_parameter_values(spec, ex.data))
            request = pager.after(request, ex.data, ex.links).next
        if not values:
            run.notes.append(f"no values found for path parameter {{{name}}}: nothing is requested")
        return [(resource.kind.replace(f"{{{name}}}", value), {name: value}) for value in values]

    # -- whole fetches -------------------------------------------------------------------------
    async def _run(self, resource: Resource, mode: Mode, *, all_pages: bool, max_pages: int | None,
                   on_exchange: Any, cache: bool, auth: AuthPlan) -> _Run:
        run = _Run()
        plan = self.plan(resource, mode)
        run.notes.extend(plan.notes)
        limit = max_pages or plan.settings.max_pages or (OCEAN_MAX_PAGES if mode == "ocean" else DEFAULT_MAX_PAGES)
        plan.settings.max_pages = limit
        for kind, path_params in await self._endpoints(resource, mode, auth, run, on_exchange, cache):
            try:
                pager = Pager(plan.settings, self._url(kind), plan.params, plan.body)
            except PaginationError as exc:
                raise SourceError(str(exc)) from None
            request: PageRequest | None = pager.first()
            while request is not None:
                ex = await self._exchange(plan.method, request, plan.headers, mode=mode, auth=auth,
                                          page=len(run.pages) + 1, purpose="page", on_exchange=on_exchange, cache=cache)
                run.exchanges.extend(self._drain())
                if not ex.ok:
                    run.error = run.error or ex.error
                    run.stop = Step(None, "error", f"the request for page {len(run.pages) + 1} failed")
                    break
                run.pages.append(ex.data)
                run.page_params.append(path_params)
                step = pager.after(request, ex.data, ex.links, _record_count(resource, ex.data))
                run.stop = step
                if step.next is not None and not all_pages:
                    run.stop = Step(None, "first_page_only", "first page only; more pages are available")
                    break
                request = step.next
        return run

    async def fetch(self, resource: Resource | str, *, all_pages: bool = True, max_pages: int | None = None,
                    on_exchange: Callable[[Exchange], Any] | None = None,
                    compare_ocean: bool | None = None) -> FetchResult:
        if isinstance(resource, str):
            resource = self.project.find_resource(resource)
        deadline = _RESOURCE_DEADLINE.set(self.deadline_for(resource))
        try:
            return await self._fetch(resource, all_pages, max_pages, on_exchange, compare_ocean)
        finally:
            _RESOURCE_DEADLINE.reset(deadline)

    async def _fetch(self, resource: Resource, all_pages: bool, max_pages: int | None,
                     on_exchange: Callable[[Exchange], Any] | None, compare_ocean: bool | None) -> FetchResult:
        run = await self._run(resource, self.mode, all_pages=all_pages, max_pages=max_pages,
                              on_exchange=on_exchange, cache=False, auth=self.auth[self.mode])
        coverage = self._coverage(resource, run)
        if self.mode == "ocean":
            coverage.ocean_pages, coverage.ocean_records = coverage.pages, coverage.records
            coverage.ocean_stop_reason, coverage.ocean_never_stops = coverage.stop_reason, coverage.never_stops
        elif compare_ocean if compare_ocean is not None else all_pages:
            await self._compare(resource, coverage)
        if run.error and self.mode == "ocean":
            coverage.notes.append("Ocean only logs a failed request: the pages before it are ingested and the "
                                  "resync's stale-entity deletion still runs, so entities of the missing pages can "
                                  "be deleted from Port (up to entityDeletionThreshold)")
        return FetchResult(resource.name, run.exchanges, run.pages, run.error, coverage, run.page_params, self.mode)

    async def _compare(self, resource: Resource, coverage: Coverage) -> None:
        """Replay Ocean's own pagination; the cache answers every request the builder already made."""
        auth = self.auth["ocean"]
        if not auth.sends_credentials and self.auth["builder"].sends_credentials:
            coverage.notes.append((auth.notes or ["Ocean sends no credentials"])[0]
                                  + " (the Ocean figures assume working credentials)")
            auth = self.auth["builder"]
        if resource.method == "POST" and ocean_settings(self.config).type != "none":
            coverage.notes.append("Ocean does not retry POST requests: a 429 or 5xx on any page ends the resource")
        try:
            ocean = await self._run(resource, "ocean", all_pages=True, max_pages=OCEAN_MAX_PAGES, on_exchange=None,
                                    cache=True, auth=auth)
        except SourceError as exc:
            coverage.ocean_pages, coverage.ocean_records, coverage.ocean_stop_reason = 0, 0, str(exc)
            return
        result = map_fetch(resource, ocean.pages, ocean.page_params)
        coverage.ocean_pages = len(ocean.pages)
        coverage.ocean_records = len(result.records)
        coverage.ocean_stop_reason = ocean.stop.reason if not ocean.error else f"the request fails: {ocean.error}"
        coverage.ocean_never_stops = ocean.stop.never_stops and ocean.stop.code in ("max_pages", "repeated_page")
        for note in ocean.notes:
            if note not in coverage.notes:
                coverage.notes.append(note)

    def _coverage(self, resource: Resource, run: _Run) -> Coverage:
        result = map_fetch(resource, run.pages, run.page_params)
        seen: dict[str, int] = {}
        for entity in result.entities:
            ident = entity.get("identifier")
            key = ident if isinstance(ident, str) else json.dumps(ident, sort_keys=True)
            seen[key] = seen.get(key, 0) + 1
        duplicates = {key: count for key, count in seen.items() if count > 1}
        return Coverage(pages=len(run.pages), records=len(result.records),
                        duplicate_identifiers=sum(count - 1 for count in duplicates.values()),
                        stop_reason=run.stop.reason, stop_code=run.stop.code, entities=len(result.entities),
                        dropped=len(result.dropped) - result.filtered, never_stops=run.stop.never_stops,
                        duplicate_examples=list(duplicates)[:5], notes=list(dict.fromkeys(run.notes)))

    # -- page by page (the TUI) ----------------------------------------------------------------
    async def fetch_page(self, resource: Resource | str, page_state: PageState | None = None, *,
                         on_exchange: Callable[[Exchange], Any] | None = None) -> PageResult:
        if isinstance(resource, str):
            resource = self.project.find_resource(resource)
        deadline = _RESOURCE_DEADLINE.set(self.deadline_for(resource))
        try:
            return await self._fetch_page(resource, page_state, on_exchange)
        finally:
            _RESOURCE_DEADLINE.reset(deadline)

    async def _fetch_page(self, resource: Resource, page_state: PageState | None,
                          on_exchange: Callable[[Exchange], Any] | None) -> PageResult:
        auth = self.auth[self.mode]
        run = _Run()
        if page_state is None:
            plan = self.plan(resource)
            plan.settings.max_pages = plan.settings.max_pages or DEFAULT_MAX_PAGES
            endpoints = await self._endpoints(resource, self.mode, auth, run, on_exchange, False)
            if not endpoints:
                return PageResult(run.exchanges, None, None, None, run.error or "no endpoint to request")
            pager = Pager(plan.settings, self._url(endpoints[0][0]), plan.params, plan.body)
            page_state = PageState(plan, endpoints, 0, pager, pager.first())
        state = page_state
        ex = await self._exchange(state.plan.method, state.request, state.plan.headers, mode=self.mode, auth=auth,
                                  page=state.page, purpose="page", on_exchange=on_exchange, cache=False)
        run.exchanges.extend(self._drain())
        params = state.endpoints[state.index][1]
        if not ex.ok:
            return PageResult(run.exchanges, None, None, Step(None, "error", ex.error or ""), ex.error, params)
        step = state.pager.after(state.request, ex.data, ex.links, _record_count(resource, ex.data))
        next_state = None
        if step.next is not None:
            next_state = PageState(state.plan, state.endpoints, state.index, state.pager, step.next, state.page + 1)
        elif state.index + 1 < len(state.endpoints):
            pager = Pager(state.plan.settings, self._url(state.endpoints[state.index + 1][0]), state.plan.params,
                          state.plan.body)
            next_state = PageState(state.plan, state.endpoints, state.index + 1, pager, pager.first(), state.page + 1)
        return PageResult(run.exchanges, ex.data, next_state, step, None, params)


def demo_transport(config: SimulatorConfig | None = None) -> httpx.ASGITransport:
    """httpx transport to the in-process Cursor simulator (no network, no real key)."""
    from builder.simulator import SimulatorConfig, create_app

    return httpx.ASGITransport(app=create_app(config or SimulatorConfig()))


async def fetch_pages_for_preview(project: Project, resource: Resource | str, demo: bool, *,
                                  request_deadline: float | None = None) -> FetchResult:
    """Every page of one resource for the preview command (raises SourceError on a failed fetch);
    map it with ``map_fetch(resource, result.pages, result.page_params)``."""
    source = (Source.demo(project, request_deadline=request_deadline) if demo
              else Source(project, request_deadline=request_deadline))
    async with source:
        result = await source.fetch(resource, compare_ocean=False)
    if result.error and not result.pages:
        raise SourceError(result.error)
    return result
