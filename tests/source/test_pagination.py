"""Every pagination type against small ASGI servers, with Ocean's exact stop rules (ocean-port.md
§1.1 and §7) and the builder's extensions."""

from __future__ import annotations

import pytest

from builder.source.pagination import PageRequest, Pager, PaginationSettings, builder_settings, nested_value, ocean_settings
from builder.source.client import Source

from .conftest import fetch_items, make_project, paged_app, resource

PAGE = {"paginationType": "page", "paginationParam": "page", "sizeParam": "size", "pageSize": "10"}
OFFSET = {"paginationType": "offset", "paginationParam": "offset", "sizeParam": "limit", "pageSize": "10"}
CURSOR = {"paginationType": "cursor", "paginationParam": "cursor", "sizeParam": "limit", "pageSize": "10"}

# (id, integration config, server style, data_path, pages, records, stop code, query of request 1, of request 2)
OCEAN_CASES = [
    ("none", {}, "page", ".items", 1, 10, "single", "", None),
    ("page/hasMore", PAGE, "page", ".items", 3, 25, "no_signal", "page=1&size=10", "page=2&size=10"),
    ("page/hasMorePath", {**PAGE, "sizeParam": "per_page", "hasMorePath": "meta.has_next"}, "page_meta", ".items",
     3, 25, "has_more_false", "page=1&per_page=10", "page=2&per_page=10"),
    ("page/lastPagePath", {**PAGE, "sizeParam": "per_page", "lastPagePath": "meta.last"}, "page_meta", ".items",
     3, 25, "last_page", "page=1&per_page=10", "page=2&per_page=10"),
    ("page/startPage 0→ list", {**PAGE, "startPage": "1"}, "page_list", ".", 3, 25, "short_list", "page=1&size=10",
     "page=2&size=10"),
    ("offset/has_more", OFFSET, "offset", ".items", 3, 25, "has_more_false", "offset=0&limit=10",
     "offset=10&limit=10"),
    ("offset/list", OFFSET, "offset_list", ".", 3, 25, "short_list", "offset=0&limit=10", "offset=10&limit=10"),
    ("cursor/has_more", CURSOR, "cursor", ".items", 3, 25, "no_cursor", "limit=10", "limit=10&cursor=10"),
    ("next_link", {"paginationType": "next_link"}, "next_link", ".items", 3, 25, "no_next_link", "", "start=10"),
    ("next_link dotted", {"paginationType": "next_link", "nextLinkPath": "links.next"}, "next_link_nested", ".items",
     3, 25, "no_next_link", "", "start=10"),
    ("header_link", {"paginationType": "header_link"}, "header_link", ".items", 3, 25, "no_next_link", "",
     "start=10"),
]


@pytest.mark.parametrize("case", OCEAN_CASES, ids=[c[0] for c in OCEAN_CASES])
def test_ocean_pagination(case: tuple) -> None:
    _, config, style, data_path, pages, records, code, first_query, second_query = case
    app = paged_app(style)
    project = make_project(config, [resource(data_path=data_path)])

    result = fetch_items(project, app, mode="ocean")
    assert result.error is None
    assert (result.coverage.pages, result.coverage.records, result.coverage.stop_code) == (pages, records, code)
    assert app.seen[0].query_string == first_query
    if second_query is not None:
        assert app.seen[1].query_string == second_query
    # mode="ocean" reports itself as the Ocean figures
    assert result.coverage.ocean_records == records


def test_missing_pagination_param_sends_literal_none() -> None:
    """§7.1: without paginationParam/sizeParam Ocean sends ?None=<pageSize> and no page number."""
    app = paged_app("page")
    project = make_project({"paginationType": "page", "pageSize": "10"}, [resource()])

    result = fetch_items(project, app, mode="ocean")
    assert app.seen[0].query_string == app.seen[1].query_string == "None=10"
    assert any("?None=10" in note for note in result.coverage.notes)
    # the server's hasMore stays true, and every later request is the same None=10: a loop, caught
    assert (result.coverage.pages, result.coverage.stop_code) == (2, "repeated_page")
    assert result.coverage.never_stops


def test_missing_pagination_param_builder_uses_intended_names() -> None:
    app = paged_app("page")
    project = make_project({"paginationType": "page", "pageSize": "10"}, [resource()])

    result = fetch_items(project, app)
    assert app.seen[0].query_string == "page=1&size=10"
    assert result.coverage.records == 25
    assert any("?None=10" in note for note in result.coverage.notes)
    # … and the comparison shows Ocean requesting the same None=10 page over and over
    assert result.coverage.ocean_never_stops
    assert "identical" in result.coverage.ocean_stop_reason


def test_cursor_without_has_more_stops_after_first_page() -> None:
    """§7.2: a next cursor alone is not enough for Ocean."""
    app = paged_app("cursor_no_flag")
    project = make_project(CURSOR, [resource()])

    result = fetch_items(project, app)
    cov = result.coverage
    assert (cov.ocean_pages, cov.ocean_records, cov.records) == (1, 10, 10)
    assert "stops after this page" in cov.ocean_stop_reason
    assert len(app.seen) == 1  # the comparison replayed the builder's page from the cache


def test_cursor_without_has_more_fixed_by_has_more_path_in_builder() -> None:
    app = paged_app("cursor_no_flag")
    project = make_project(CURSOR, [resource(x_builder={"pagination": {
        "type": "cursor", "pageParam": "cursor", "sizeParam": "limit", "pageSize": 10, "cursorPath": "next_cursor",
        "stop": ".next_cursor == null"}})])

    cov = fetch_items(project, app).coverage
    assert (cov.pages, cov.records, cov.stop_code) == (3, 25, "stop_jq")
    assert (cov.ocean_pages, cov.ocean_records) == (1, 10)
    assert cov.ocean_missing == 15
    assert any("15 of 25 records would NOT be ingested" in line for line in cov.lines())


def test_offset_without_has_more_never_stops_bounded_and_reported() -> None:
    """§7.2: offset pagination on an object without has_more keeps going forever in Ocean."""
    app = paged_app("offset_no_flag")
    project = make_project(OFFSET, [resource()])

    cov = fetch_items(project, app, mode="ocean", max_pages=8).coverage
    assert cov.pages == 8 and cov.stop_code == "max_pages"
    assert cov.never_stops and cov.ocean_never_stops
    assert any(line.startswith("Ocean would never stop") for line in cov.lines())


def test_offset_without_has_more_builder_stops_on_empty_page() -> None:
    app = paged_app("offset_no_flag")
    project = make_project(OFFSET, [resource()])

    cov = fetch_items(project, app).coverage
    assert (cov.pages, cov.records, cov.stop_code) == (4, 25, "empty_page")
    assert cov.ocean_never_stops and cov.ocean_pages == 25  # OCEAN_MAX_PAGES


def test_server_ignoring_page_param_is_detected_as_a_loop() -> None:
    app = paged_app("ignores_params")
    project = make_project(OFFSET, [resource()])

    cov = fetch_items(project, app, mode="ocean").coverage
    assert cov.stop_code == "repeated_page" and cov.never_stops and cov.pages == 2
    assert "ignores the pagination parameters" in cov.stop_reason


def test_relative_next_link_fails_in_ocean_and_is_followed_by_the_builder() -> None:
    settings = ocean_settings({"paginationType": "next_link"})
    pager = Pager(settings, "https://h/items")
    step = pager.after(pager.first(), {"@odata.nextLink": "/items?start=10"})
    assert step.next is None and step.code == "error" and "relative" in step.reason
    builder = builder_settings({"paginationType": "next_link"}, None)
    step = Pager(builder, "https://h/items").after(PageRequest("https://h/items", {}, None), {"@odata.nextLink": "/items?x=1"})
    assert step.next is not None and step.next.url == "https://h/items?x=1" and step.next.params == {}


def test_body_pagination_and_stop_jq_with_page_variable() -> None:
    """Cursor's /teams/spend: page in the POST body, only totalPages in the answer."""
    settings = builder_settings({}, {"type": "page", "in": "body", "pageParam": "page", "sizeParam": "pageSize",
                                     "pageSize": 2, "stop": "$page >= .totalPages"})
    pager = Pager(settings, "https://h/teams/spend", {}, {"sortBy": "amount"})
    first = pager.first()
    assert first.body == {"sortBy": "amount", "page": 1, "pageSize": 2} and first.params == {}
    step = pager.after(first, {"totalPages": 2, "teamMemberSpend": [{}, {}]}, records=2)
    assert step.next is not None and step.next.body["page"] == 2
    step = pager.after(step.next, {"totalPages": 2, "teamMemberSpend": [{}]}, records=1)
    assert step.next is None and step.code == "stop_jq"


@pytest.mark.parametrize("data,path,expected", [
    ({"a": {"b": True}}, "a.b", True),
    ({"a": [{"b": 1}]}, "a.0.b", None),  # dot paths walk dicts only
    ({"a.b": 1}, "a.b", None),
    ({"a": None}, "a.b", None),
])
def test_dot_paths_are_not_jq(data: dict, path: str, expected: object) -> None:
    assert nested_value(data, path) == expected


def test_page_size_must_be_a_number() -> None:
    project = make_project({"paginationType": "page", "pageSize": "ten"}, [resource()])
    from builder.source.request import SourceError

    with pytest.raises(SourceError, match="pageSize must be a whole number"):
        Source(project, mode="ocean").plan(project.resources[0])


def test_max_pages_setting_bounds_builder_fetch() -> None:
    app = paged_app("page")
    project = make_project(PAGE, [resource(x_builder={"pagination": {
        "type": "page", "pageParam": "page", "sizeParam": "size", "pageSize": 10, "maxPages": 2}})])

    cov = fetch_items(project, app).coverage
    assert (cov.pages, cov.records, cov.stop_code) == (2, 20, "max_pages")
    assert isinstance(PaginationSettings().describe(), str)
