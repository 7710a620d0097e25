"""Between the HTTP source and the UI: fetch results → page views, failures → plain words.

No Textual here. The pages the UI shows are the source's own exchanges (``builder.source.exchange``), with
the source's one-line errors; this module picks the exchanges worth showing and runs the connection test.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

from builder.project.model import Project, Resource
from builder.source.exchange import Exchange, FetchResult
from builder.tui.state.session import ResourceRun

log = logging.getLogger("cursor-builder")

#: Pages fetched per send when the resource sets no ``x-builder.pagination.maxPages``: enough to
#: check pagination, few enough to stay under Cursor's 20 requests/minute.
INTERACTIVE_MAX_PAGES = 10

#: How the demo shows the origin of its requests: they go to the in-process simulator, whatever
#: the project's base URL says (showing ``https://api.cursor.com`` there would be a lie).
SIMULATOR_ORIGIN = "simulator://in-process"

ENTERPRISE_PROBE = "/analytics/ai-code/commits"
MEMBERS_PROBE = "/teams/members"


def _shown_exchanges(exchanges: list[Exchange]) -> list[Exchange]:
    """One exchange per page (the last attempt), plus failed auth/discovery calls: retries that
    later succeeded are history, not pages."""
    by_page: dict[int, Exchange] = {}
    others = []
    for exchange in exchanges:
        if exchange.purpose == "page":
            by_page[exchange.page or len(by_page) + 1] = exchange
        elif exchange.error:
            others.append(exchange)
    return others + list(by_page.values())


def run_from_fetch(result: FetchResult) -> ResourceRun:
    pages = _shown_exchanges(result.exchanges)
    error = result.error
    if error is None:
        error = next((page.error for page in pages if page.error), None)
    note = result.coverage.stop_reason or ""
    missing = result.coverage.ocean_missing
    if missing:
        note += f" · the deployed integration would miss {missing} records"
    run = ResourceRun(pages, error=error, stop_note=note)
    # Open on the failing page: that is where the user needs to look.
    failing = next((i for i, page in enumerate(pages) if page.error), None)
    run.page_index = failing if failing is not None else 0
    return run


def saved_run(pages: list[Any]) -> ResourceRun:
    """A run from a preset's recorded sample: real data, nothing sent."""
    views = [Exchange(method="", url="", request_headers={}, request_body=None, data=page, size=len(json.dumps(page)))
             for page in pages]
    return ResourceRun(views, saved_sample=True, stop_note="recorded sample from the preset")


def load_saved_sample(project: Project, resource: Resource) -> ResourceRun | None:
    try:
        from builder.project.presets import preset_sample
    except ImportError:
        return None
    for name in (resource.name, resource.kind):
        try:
            pages = preset_sample("cursor", name)
        except Exception:  # no sample for this resource: not an error, just nothing to show
            continue
        if pages:
            return saved_run(list(pages))
    return None


def max_pages(resource: Resource) -> int:
    pagination = resource.extensions.pagination or {}
    try:
        return max(1, int(pagination.get("maxPages") or INTERACTIVE_MAX_PAGES))
    except (TypeError, ValueError):
        return INTERACTIVE_MAX_PAGES


def show_origin(run: ResourceRun, base_url: str, origin: str) -> ResourceRun:
    """Every exchange's URL with the project's base URL replaced by ``origin`` (the simulator)."""
    prefix = urlsplit(base_url)._replace(path="", query="", fragment="").geturl()
    for page in run.pages:
        if prefix and page.url.startswith(prefix):
            page.url = origin + page.url[len(prefix):]
    if run.error and prefix:
        run.error = run.error.replace(prefix, origin)
    return run


async def fetch(make_source: Callable[[Project], Any], project: Project, resource: Resource,
                pages: int | None = None, on_exchange: Callable[[Any], Any] | None = None, *,
                shown_origin: str | None = None) -> ResourceRun:
    """Send a resource's request; every failure comes back as ``run.error``, never as an exception.
    ``shown_origin``: what the URLs say instead of the base URL (the demo's simulator)."""
    run = await _fetch(make_source, project, resource, pages, on_exchange)
    return show_origin(run, project.base_url, shown_origin) if shown_origin else run


async def _fetch(make_source: Callable[[Project], Any], project: Project, resource: Resource,
                 pages: int | None, on_exchange: Callable[[Any], Any] | None) -> ResourceRun:
    try:
        source = make_source(project)
    except Exception as exc:
        log.exception("cannot build the source")
        return ResourceRun([], error=f"Cannot send: {one_line(exc)}")
    try:
        limit = pages or max_pages(resource)
        result = await source.fetch(resource, all_pages=limit > 1, max_pages=limit, on_exchange=on_exchange)
        return run_from_fetch(result)
    except Exception as exc:  # a user-facing failure (bad URL, DNS, TLS …) must not crash the app
        log.exception("fetch failed")
        return ResourceRun([], error=f"Could not send the request: {one_line(exc)}")
    finally:
        closing = getattr(source, "aclose", None)
        if closing is not None:
            try:
                await closing()
            except Exception:
                pass


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _probe(kind: str, query_params: dict[str, str] | None = None) -> Resource:
    selector: dict[str, Any] = {"query": "true"}
    if query_params:
        selector["query_params"] = query_params
    return Resource(kind, selector, {"entity": {"mappings": {"identifier": ".id", "blueprint": '"probe"'}}})


async def test_connection(make_source: Callable[[Project], Any], project: Project,
                          fetcher: Callable[..., Awaitable[ResourceRun]] = fetch, *,
                          where: str | None = None) -> tuple[bool, str]:
    """(ok, sentence): who was reached and whether Enterprise endpoints answer."""
    probe_project = project.copy()
    probe_project.resources = []
    # One page only, and no pagination extension: a test must not spend the rate limit.
    host = where or urlsplit(project.base_url).netloc or project.base_url or "the API"
    members = await fetcher(make_source, probe_project, _probe(MEMBERS_PROBE), 1)
    page = members.pages[0] if members.pages else None
    if members.error or page is None or page.data is None:
        return False, f"Could not reach {host}: {members.error or 'no answer'}"
    team = page.data.get("teamMembers") if isinstance(page.data, dict) else None
    reached = f"Reached {host}: team of {len(team)} members" if isinstance(team, list) else f"Reached {host}"
    enterprise = await fetcher(make_source, probe_project, _probe(ENTERPRISE_PROBE, {"pageSize": "1"}), 1)
    first = enterprise.pages[0] if enterprise.pages else None
    if first is not None and first.status is not None and 200 <= first.status < 300:
        return True, reached + "; Enterprise endpoints available (AI Code Tracking answered)."
    status = first.status if first is not None else None
    why = f"{status}" if status else (enterprise.error or "no answer")
    return True, reached + f"; Enterprise endpoints not available ({why} on {ENTERPRISE_PROBE})."
