"""Pagination: which request comes next, and why a fetch stops — Ocean's rules and the builder's.

Ocean Custom's handlers (``integrations/custom/http_server/handlers.py``, summarised in
reference/ocean-port.md §1.1) decide from each response whether to ask for another page. Their
rules have sharp edges that cost users data: a missing ``paginationParam`` is sent as the literal
key ``None``, cursor pagination without a has-more flag stops after page 1, offset pagination on an
object without ``has_more`` never stops. ``ocean=True`` settings reproduce those rules exactly so
the builder can show what the deployed integration will fetch; the builder's own settings
(``x-builder.pagination``) add pagination in the JSON body, a JQ stop condition and a page bound.

No HTTP here: ``Pager`` turns (request, response) into the next request or a stop decision, so
the rules are testable as tables and shared by live fetches and the Ocean comparison.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urljoin

from builder.engine import jqrt

PAGINATION_TYPES = ("none", "page", "offset", "cursor", "next_link", "header_link")

#: The parameter names each handler *intends* when the key is absent from its config dict. Under
#: Ocean's real config model the key is present with value None, so Ocean never uses these.
INTENDED_PARAMS = {"page": ("page", "size"), "offset": ("offset", "limit"), "cursor": ("cursor", "limit")}

DEFAULT_MAX_PAGES = 50  # builder fetches: enough for a preview, bounded against runaway loops
OCEAN_MAX_PAGES = 25  # the Ocean comparison: enough to prove "would never stop"


#: Variables bound in ``x-builder.pagination.stop``: the page number, size, offset and the count of
#: requests so far — Cursor's /teams/spend echoes no page number, so `$page >= .totalPages` needs it.
STOP_VARIABLES = ("page", "pageSize", "offset", "pages")


class PaginationError(ValueError):
    """A pagination setting Ocean (or the builder) cannot run with; one line for the user."""


@dataclass
class PaginationSettings:
    type: str = "none"
    location: str = "query"  # query | body (builder only; Ocean always uses the query string)
    page_param: Any = None  # None is a real value under Ocean: it becomes the query key "None"
    size_param: Any = None
    page_size: int = 100
    start_page: int = 1
    cursor_path: str | None = None
    has_more_path: str | None = None
    last_page_path: str | None = None
    next_link_path: str = "@odata.nextLink"
    header_link_rel: str = "next"
    stop: str | None = None  # builder: JQ on the response, true = last page ($page, $pageSize, $offset bound)
    max_pages: int | None = None
    ocean: bool = True
    origin: str = "integration"  # integration | x-builder, for messages
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.type == "none":
            return "no pagination"
        where = "JSON body" if self.location == "body" else "query string"
        parts = [f"{self.type} pagination ({self.origin}) in the {where}"]
        if self.type in ("page", "offset", "cursor"):
            parts.append(f"{self.page_param}/{self.size_param}={self.page_size}")
        return ", ".join(parts)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if text != "" else None


def _int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        # Ocean calls int() on the setting and the resync crashes; say which setting to fix.
        raise PaginationError(f"{name} must be a whole number, got {value!r}") from None


def ocean_settings(config: Mapping[str, Any]) -> PaginationSettings:
    """Integration-level pagination exactly as the deployed integration reads it.

    ``config`` holds the spec names (camelCase). Ocean's config model fills every declared but
    unset setting with None and the handlers call ``config.get("pagination_param", "page")``: the
    key exists, so they get None, and httpx sends ``?None=<pageSize>``.
    """
    kind = str(config.get("paginationType") or "none")
    settings = PaginationSettings(
        type=kind if kind in PAGINATION_TYPES else "none",
        page_param=_text(config.get("paginationParam")),
        size_param=_text(config.get("sizeParam")),
        page_size=_int(config.get("pageSize"), "pageSize", 100),
        start_page=_int(config.get("startPage"), "startPage", 1),
        cursor_path=_text(config.get("cursorPath")),
        has_more_path=_text(config.get("hasMorePath")),
        last_page_path=_text(config.get("lastPagePath")),
        next_link_path=_text(config.get("nextLinkPath")) or "@odata.nextLink",
        header_link_rel=_text(config.get("headerLinkRel")) or "next",
        ocean=True,
    )
    if kind not in PAGINATION_TYPES:
        settings.warnings.append(f"paginationType {kind!r} is unknown; Ocean silently falls back to no pagination")
    _warn_missing_params(settings)
    return settings


def _warn_missing_params(settings: PaginationSettings) -> None:
    if settings.type not in INTENDED_PARAMS:
        return
    page_name, size_name = INTENDED_PARAMS[settings.type]
    missing = []
    if settings.page_param is None and settings.type != "cursor":
        missing.append("paginationParam")
    if settings.size_param is None:
        missing.append("sizeParam")
    if settings.type == "cursor" and settings.page_param is None:
        missing.append("paginationParam")
    if missing:
        settings.warnings.append(
            f"{' and '.join(missing)} not set: Ocean sends the literal query key 'None' "
            f"(?None={settings.page_size}) instead of {page_name}/{size_name}; set both explicitly")


def builder_settings(config: Mapping[str, Any], extension: Mapping[str, Any] | None) -> PaginationSettings:
    """The builder's pagination: ``x-builder.pagination`` if given, else the integration's with the
    parameter names the handlers intend (the ``?None=`` bug is reported, not reproduced)."""
    if not extension:
        settings = ocean_settings(config)
        settings.ocean = False
        if settings.type in INTENDED_PARAMS:
            page_name, size_name = INTENDED_PARAMS[settings.type]
            settings.page_param = settings.page_param or page_name
            settings.size_param = settings.size_param or size_name
        return settings
    ext = dict(extension)
    kind = str(ext.get("type") or "page")
    if kind not in PAGINATION_TYPES:
        raise PaginationError(f"x-builder.pagination.type {kind!r} is not one of {', '.join(PAGINATION_TYPES)}")
    location = str(ext.get("in") or "query")
    if location not in ("query", "body"):
        raise PaginationError(f"x-builder.pagination.in must be query or body, got {location!r}")
    page_name, size_name = INTENDED_PARAMS.get(kind, ("page", "size"))
    settings = PaginationSettings(
        type=kind,
        location=location,
        page_param=_text(ext.get("pageParam")) or page_name,
        size_param=_text(ext.get("sizeParam")) or size_name,
        page_size=_int(ext.get("pageSize"), "x-builder.pagination.pageSize", 100),
        start_page=_int(ext.get("startPage"), "x-builder.pagination.startPage", 1),
        cursor_path=_text(ext.get("cursorPath")),
        has_more_path=_text(ext.get("hasMorePath")),
        last_page_path=_text(ext.get("lastPagePath")),
        next_link_path=_text(ext.get("nextLinkPath")) or "@odata.nextLink",
        header_link_rel=_text(ext.get("headerLinkRel")) or "next",
        stop=_text(ext.get("stop")),
        max_pages=_int(ext.get("maxPages"), "x-builder.pagination.maxPages", 0) or None,
        ocean=False,
        origin="x-builder",
    )
    if settings.stop:
        try:
            jqrt.compile_with(settings.stop, dict.fromkeys(STOP_VARIABLES))
        except jqrt.JQCompileError as exc:
            raise PaginationError(f"x-builder.pagination.stop does not compile: {exc.message}") from None
    return settings


# -- response paths ------------------------------------------------------------------------------

def nested_value(data: Any, path: str) -> Any:
    """Ocean's ``_get_nested_value``: split on '.', walk dicts only; anything else gives None."""
    value = data
    for key in path.split("."):
        if isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def path_value(data: Any, path: str, ocean: bool) -> Any:
    """Ocean reads dot paths; the builder also accepts JQ (a path that starts with '.')."""
    if not ocean and path.startswith("."):
        return jqrt.first_value(path, data)
    return nested_value(data, path)


def _sub(data: dict, key: str) -> dict:
    # Ocean does `response.get("meta", {}).get(...)`: a non-dict value there would crash it; we
    # treat it as empty and let the lint talk about odd envelopes.
    value = data.get(key, {})
    return value if isinstance(value, dict) else {}


# -- the pager ----------------------------------------------------------------------------------

@dataclass
class PageRequest:
    url: str
    params: dict[Any, Any]
    body: Any
    number: int = 1  # 1-based position of this request within the fetch
    page: int | None = None
    offset: int | None = None
    cursor: Any = None


@dataclass
class Step:
    """The pager's decision after one response."""

    next: PageRequest | None
    code: str = ""  # why it stopped: see STOP_CODES
    reason: str = ""
    never_stops: bool = False  # the deployed integration would keep requesting forever


STOP_CODES = ("single", "has_more_false", "last_page", "no_signal", "short_list", "no_cursor", "list_response",
              "no_next_link", "stop_jq", "empty_page", "repeated_page", "max_pages", "error", "first_page_only")


class Pager:
    """Walks one endpoint's pages. ``first()`` then ``after(request, data, links, records)``."""

    def __init__(self, settings: PaginationSettings, url: str, params: Mapping[Any, Any] | None = None,
                 body: Any = None) -> None:
        self.settings = settings
        self.url = url
        self.params = dict(params or {})
        self.body = body
        self._last_digest: str | None = None
        if settings.location == "body" and settings.type in ("page", "offset", "cursor"):
            if body is not None and not isinstance(body, dict):
                raise PaginationError("pagination in the body needs a JSON object body, "
                                      f"got {type(body).__name__}")

    # Ocean merges pagination keys over the selector's query_params: the pagination keys win.
    def _with(self, values: dict[Any, Any], number: int, **state: Any) -> PageRequest:
        if self.settings.location == "body":
            body = dict(self.body or {})
            body.update(values)
            return PageRequest(self.url, dict(self.params), body, number, **state)
        params = dict(self.params)
        params.update(values)
        return PageRequest(self.url, params, copy.deepcopy(self.body), number, **state)

    def first(self) -> PageRequest:
        s = self.settings
        if s.type == "page":
            return self._with({s.page_param: s.start_page, s.size_param: s.page_size}, 1, page=s.start_page)
        if s.type == "offset":
            return self._with({s.page_param: 0, s.size_param: s.page_size}, 1, offset=0)
        if s.type == "cursor":
            return self._with({s.size_param: s.page_size}, 1)
        return PageRequest(self.url, dict(self.params), copy.deepcopy(self.body), 1)

    def after(self, request: PageRequest, data: Any, links: Mapping[str, Any] | None = None,
              records: int | None = None) -> Step:
        s = self.settings
        step = self._decide(request, data, links or {}, records)
        if step.next is None:
            return step
        # A server that ignores the page parameter (e.g. Ocean's `?None=`) answers with the same
        # page forever; Ocean would never notice, the builder must.
        digest = hashlib.sha1(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
        repeated = digest == self._last_digest
        self._last_digest = digest
        if repeated:
            why = ("is empty again and nothing in it says stop" if records == 0 else
                   "is identical to the page before: the server ignores the pagination parameters")
            return Step(None, "repeated_page", f"page {request.number} {why}; Ocean would keep requesting forever",
                        never_stops=True)
        limit = s.max_pages
        if limit and request.number >= limit:
            return Step(None, "max_pages", f"stopped at the page limit ({limit}); more pages remain: {step.reason}",
                        never_stops=step.never_stops)
        return step

    def _decide(self, request: PageRequest, data: Any, links: Mapping[str, Any], records: int | None) -> Step:
        s = self.settings
        if s.type == "none":
            return Step(None, "single", "no pagination: one request")
        if not s.ocean:
            stop = self._builder_stop(request, data, records)
            if stop is not None:
                return stop
        handler = getattr(self, f"_after_{s.type}")
        return handler(request, data, links)

    def _builder_stop(self, request: PageRequest, data: Any, records: int | None) -> Step | None:
        s = self.settings
        if s.stop:
            outcome = _run_stop(s.stop, data, request, s)
            if outcome.status == "error":
                return Step(None, "error", f"x-builder.pagination.stop failed on page {request.number}: "
                            f"{outcome.error}")
            if outcome.value is True:
                return Step(None, "stop_jq", f"stop condition `{s.stop}` is true on page {request.number}")
            if s.type in ("page", "offset"):
                return Step(self._advance(request), "", f"stop condition `{s.stop}` is false")
            if s.type == "cursor":
                # The stop rule stands in for a has-more flag; a cursor is still needed to go on.
                cursor = self._cursor(data) if isinstance(data, dict) else None
                if not cursor:
                    return Step(None, "no_cursor", f"no next cursor on page {request.number}")
                return Step(self._with({s.size_param: s.page_size, s.page_param: cursor}, request.number + 1,
                                       cursor=cursor), "", f"next cursor {str(cursor)[:40]}")
        if records == 0 and request.number > 1 and s.type in ("page", "offset", "cursor"):
            return Step(None, "empty_page", f"page {request.number} has no records")
        return None

    def _advance(self, request: PageRequest) -> PageRequest:
        s = self.settings
        if s.type == "page":
            page = (request.page if request.page is not None else s.start_page) + 1
            return self._with({s.page_param: page, s.size_param: s.page_size}, request.number + 1, page=page)
        offset = (request.offset or 0) + s.page_size
        return self._with({s.page_param: offset, s.size_param: s.page_size}, request.number + 1, offset=offset)

    def _short_list(self, request: PageRequest, data: list) -> Step:
        s = self.settings
        if len(data) < s.page_size:
            return Step(None, "short_list", f"page {request.number} has {len(data)} items, fewer than "
                        f"pageSize {s.page_size}")
        return Step(self._advance(request), "", f"a full page of {len(data)} items")

    def _has_more_path_step(self, request: PageRequest, data: dict, has_more_path: str) -> Step:
        """hasMorePath, when set, decides for page and offset pagination alike."""
        s = self.settings
        value = path_value(data, has_more_path, s.ocean)
        if not value:
            return Step(None, "has_more_false", f"{has_more_path} is {json.dumps(value)} on page "
                        f"{request.number}")
        return Step(self._advance(request), "", f"{has_more_path} is {json.dumps(value)}")

    def _not_an_object(self, request: PageRequest, data: Any) -> Step:
        """Page and offset pagination on a list or scalar body."""
        if isinstance(data, list):
            return self._short_list(request, data)
        # Ocean only stops on short lists; any other body keeps it going.
        return Step(self._advance(request), "", "the response is neither an object nor a list",
                    never_stops=True)

    def _after_page(self, request: PageRequest, data: Any, links: Mapping[str, Any]) -> Step:
        s = self.settings
        if isinstance(data, dict):
            if s.has_more_path:
                return self._has_more_path_step(request, data, s.has_more_path)
            if s.last_page_path:
                value = path_value(data, s.last_page_path, s.ocean)
                if value:
                    return Step(None, "last_page", f"{s.last_page_path} is {json.dumps(value)} on page "
                                f"{request.number}")
                return Step(self._advance(request), "", f"{s.last_page_path} is {json.dumps(value)}")
            if data.get("next_page") is not None or data.get("next") is not None or data.get("hasMore", False):
                return Step(self._advance(request), "", "the response has next_page/next/hasMore")
            return Step(None, "no_signal", f"page {request.number} has no hasMorePath/lastPagePath value and no "
                        "top-level next_page, next or hasMore")
        return self._not_an_object(request, data)

    def _after_offset(self, request: PageRequest, data: Any, links: Mapping[str, Any]) -> Step:
        s = self.settings
        if isinstance(data, dict):
            if s.has_more_path:
                return self._has_more_path_step(request, data, s.has_more_path)
            if "has_more" in data or "hasMore" in data:
                value = data.get("has_more", data.get("hasMore", True))
                if not value:
                    return Step(None, "has_more_false", f"has_more/hasMore is {json.dumps(value)} on page "
                                f"{request.number}")
                return Step(self._advance(request), "", "has_more/hasMore is true")
            return Step(self._advance(request), "", "the response has no has_more/hasMore and no hasMorePath is "
                        "set: Ocean's offset pagination never stops on object responses", never_stops=True)
        return self._not_an_object(request, data)

    def _after_cursor(self, request: PageRequest, data: Any, links: Mapping[str, Any]) -> Step:
        s = self.settings
        if not isinstance(data, dict):
            return Step(None, "list_response", "cursor pagination stops on a non-object response")
        cursor = self._cursor(data)
        if s.has_more_path:
            has_more = path_value(data, s.has_more_path, s.ocean)
            signal = s.has_more_path
        else:
            # Defaults to False: without a has-more flag Ocean stops after the first page.
            has_more = data.get("has_more", data.get("hasMore", _sub(data, "meta").get("has_more", False)))
            signal = "has_more/hasMore/meta.has_more"
        if not cursor:
            return Step(None, "no_cursor", f"no next cursor on page {request.number}")
        if not has_more:
            if s.has_more_path or any(k in data for k in ("has_more", "hasMore")) or "has_more" in _sub(data, "meta"):
                return Step(None, "has_more_false", f"{signal} is {json.dumps(has_more)} on page {request.number}")
            return Step(None, "no_signal", f"page {request.number} has a next cursor but no {signal} and no "
                        "hasMorePath: Ocean's cursor pagination stops after this page")
        values = {s.size_param: s.page_size, s.page_param: cursor}
        return Step(self._with(values, request.number + 1, cursor=cursor), "", f"next cursor {str(cursor)[:40]}")

    def _cursor(self, data: dict) -> Any:
        s = self.settings
        if s.cursor_path:
            return path_value(data, s.cursor_path, s.ocean)
        return (data.get("next_cursor") or data.get("cursor") or _sub(data, "meta").get("after_cursor")
                or _sub(data, "links").get("next"))

    def _follow(self, request: PageRequest, next_url: Any, what: str) -> Step:
        if not next_url:
            return Step(None, "no_next_link", f"no {what} on page {request.number}")
        url = str(next_url)
        if "://" not in url:
            if self.settings.ocean:
                # Ocean hands the value to httpx as the whole URL; a relative link fails the resync.
                return Step(None, "error", f"{what} {url!r} is relative; Ocean cannot request it (httpx needs an "
                            "absolute URL)")
            url = urljoin(request.url, url)
        # The next URL carries every parameter: later requests send no extra params (body re-sent).
        return Step(PageRequest(url, {}, copy.deepcopy(self.body), request.number + 1), "", f"{what} {url[:80]}")

    def _after_next_link(self, request: PageRequest, data: Any, links: Mapping[str, Any]) -> Step:
        path = self.settings.next_link_path
        next_url = None
        if isinstance(data, dict):
            if path in data:
                next_url = data[path]
            elif "." in path:
                next_url = nested_value(data, path)
        return self._follow(request, next_url, f"next link {path!r}")

    def _after_header_link(self, request: PageRequest, data: Any, links: Mapping[str, Any]) -> Step:
        rel = self.settings.header_link_rel
        entry = links.get(rel) or {}
        return self._follow(request, entry.get("url"), f"Link header rel={rel!r}")


def _run_stop(expr: str, data: Any, request: PageRequest, settings: PaginationSettings) -> jqrt.Outcome:
    try:
        program = jqrt.compile_with(expr, {"page": request.page, "pageSize": settings.page_size,
                                           "offset": request.offset, "pages": request.number})
    except jqrt.JQCompileError as exc:
        return jqrt.Outcome("error", None, exc.message)
    try:
        outputs = iter(program.input_text(json.dumps(data)))
        value = next(outputs, None)
    except Exception as exc:
        return jqrt.Outcome("error", None, jqrt.clean_message(str(exc)))
    return jqrt.Outcome("null" if value is None else "ok", value)


def path_parameter_values(spec: Mapping[str, Any], data: Any) -> list[str]:
    """Values of a ``path_parameters`` entry found in one discovery response, as Ocean's resolver
    picks them: ``data_path`` (first output; a non-list becomes one item), ``field`` → Python
    ``str()``, items whose ``filter`` is not exactly ``true`` skipped. Duplicates are kept."""
    data_path = spec.get("data_path")
    if data_path:
        found = jqrt.first_value(str(data_path), data)
        items = [] if found is None else found if isinstance(found, list) else [found]
    else:
        items = [data]
    values: list[str] = []
    for item in items:
        value = jqrt.first_value(str(spec.get("field") or "."), item)
        if value is None:
            continue
        if spec.get("filter") and jqrt.first_value(str(spec["filter"]), item) is not True:
            continue
        values.append(str(value))  # Python's str(): True → "True", 1.0 → "1.0", as Ocean does
    return values
