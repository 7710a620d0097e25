"""The lint on a table of broken projects: each case names the finding it must produce."""

from __future__ import annotations

import copy
from typing import Any, Callable

import pytest

from builder.engine import mapping
from builder.ship.lint import Finding, endpoint, lint_project
from builder.project.load import parse_project
from builder.project.yamlio import dump

NOW = 1_777_939_200.0  # 2026-05-05T00:00:00Z


def base(kind: str = "/teams/members", **selector: Any) -> dict[str, Any]:
    return {"version": 1,
            "integration": {"identifier": "t", "eventListener": {"type": "POLLING"},
                            "config": {"baseUrl": "https://api.cursor.com", "authType": "api_key",
                                       "apiKeyHeader": "Authorization", "apiKey": "${CURSOR_BASIC_AUTH}"}},
            "port": {"clientId": "${PORT_CLIENT_ID}", "clientSecret": "${PORT_CLIENT_SECRET}"},
            "portAppConfig": {"resources": [{
                "kind": kind, "selector": {"query": "true", "data_path": ".items", **selector},
                "port": {"entity": {"mappings": {"identifier": ".id", "blueprint": '"thing"',
                                                 "properties": {"n": ".n"}}}},
                "x-builder": {"name": "r"}}]},
            "blueprints": [{"identifier": "thing", "title": "Thing",
                            "schema": {"properties": {"n": {"type": "number"}}, "required": []}}]}


def cfg(**values: Any) -> Callable[[dict], None]:
    return lambda d: d["integration"]["config"].update(values)


def res(**values: Any) -> Callable[[dict], None]:
    return lambda d: d["portAppConfig"]["resources"][0].update(values)


def sel(**values: Any) -> Callable[[dict], None]:
    return lambda d: d["portAppConfig"]["resources"][0]["selector"].update(values)


def ext(**values: Any) -> Callable[[dict], None]:
    return lambda d: d["portAppConfig"]["resources"][0]["x-builder"].update(values)


def port(**values: Any) -> Callable[[dict], None]:
    return lambda d: d["portAppConfig"]["resources"][0]["port"].update(values)


def kind(value: str, **selector: Any) -> Callable[[dict], None]:
    return lambda d: d["portAppConfig"]["resources"][0].update(kind=value) or \
        d["portAppConfig"]["resources"][0]["selector"].update(selector)


def lint(changes: list[Callable[[dict], None]], pages: list[Any] | None = None) -> list[Finding]:
    data = copy.deepcopy(base())
    for change in changes:
        change(data)
    project = parse_project(dump(data), "case.yaml")
    results = samples = None
    if pages is not None:
        results = {"r": mapping.run(project.resources[0], pages)}
        samples = {"r": pages}
    return lint_project(project, results=results, samples=samples, now=NOW)


POST = {"method": "POST"}
HAS_NEXT = {"hasMorePath": "pagination.hasNextPage"}
ITEMS = [{"items": [{"id": "a", "n": 1}, {"id": "b", "n": 2}]}]

CASES: list[tuple[str, list[Callable[[dict], None]], list[Any] | None, str, str | None, str]] = [
    # id, changes, pages, severity, resource, code
    ("basic_auth", [cfg(authType="basic_auth")], None, "error", None, "auth-basic-auth"),
    ("auth-unknown", [cfg(authType="oauth2")], None, "error", None, "auth-unknown"),
    # The export deploys the api_key workaround for it: a warning (what is deployed instead, and why).
    ("basic-empty-password", [cfg(authType="basic", username="${CURSOR_API_KEY}")], None, "warning", None,
     "basic-empty-password"),
    ("pagination-unknown", [cfg(paginationType="pages")], None, "error", None, "pagination-unknown"),
    ("page-no-params", [cfg(paginationType="page")], None, "warning", None, "pagination-param-missing"),
    ("cursor-no-params", [cfg(paginationType="cursor", sizeParam="limit")], None, "warning", None,
     "pagination-param-missing"),
    ("timeout", [cfg(timeout="60")], None, "warning", None, "timeout-unused"),
    ("customHeaders", [cfg(customHeaders={"X-A": "1"})], None, "warning", None, "custom-headers-dropped"),
    ("authValue", [cfg(authValue="x")], None, "warning", None, "unknown-setting"),
    ("numeric-setting", [cfg(pageSize=500)], None, "info", None, "setting-not-string"),
    ("raw-examples", [lambda d: d["integration"].update(sendRawDataExamples=False)], None, "warning", None,
     "raw-examples-helm"),
    ("app-snake", [lambda d: d["portAppConfig"].update(delete_dependent_entities=False)], None, "warning", None,
     "app-config-casing"),
    ("items_to_parse", [port(items_to_parse=".files")], None, "error", "r", "items-to-parse-casing"),
    ("dataPath", [sel(dataPath=".x")], None, "error", "r", "selector-casing"),
    ("enable_delete", [res(enable_delete=False)], None, "warning", "r", "app-config-casing"),
    ("body-string", [sel(method="POST", body='{"startDate": ((now | floor) - 86400) * 1000}')], None, "error", "r",
     "body-is-string"),
    ("body-now", [kind("/teams/daily-usage-data", method="POST", body={"startDate": "now"})], None, "error", "r",
     "jq-literal"),
    ("query-jq", [sel(query_params={"startDate": "((now | floor) - 86400)"})], None, "error", "r", "jq-literal"),
    ("computed-body-missing", [kind("/teams/daily-usage-data", **POST),
                               ext(body={"startDate": "(($now|floor) - 86400) * 1000", "endDate": "$now * 1000"})],
     None, "error", "r", "computed-body"),
    ("computed-body-frozen", [kind("/teams/filtered-usage-events", method="POST",
                                   body={"startDate": 1777000000000, "endDate": 1777800000000}),
                              ext(body={"startDate": "(($now|floor) - 86400) * 1000", "endDate": "$now * 1000"})],
     None, "warning", "r", "computed-body"),
    ("computed-query", [kind("/analytics/ai-code/commits"), ext(query={"startDate": "\"7d\""})], None, "error", "r",
     "computed-query"),
    ("pagination-in-body", [kind("/teams/filtered-usage-events", **POST),
                            cfg(paginationType="page", paginationParam="page", sizeParam="pageSize"),
                            ext(pagination={"type": "page", "in": "body", "pageParam": "page"})], None, "error", "r",
     "pagination-in-body"),
    ("per-resource-body", [kind("/teams/filtered-usage-events", method="POST", body={"pageSize": 1000}),
                           ext(pagination={"type": "page", "in": "body", "pageParam": "page"})], None, "error", "r",
     "per-resource-pagination"),
    # Ocean has one pagination per installation: the deployment plan gives the resource its own, and the
    # pagination rules judge that installation's settings (a wrong hasMorePath stops after page 1).
    ("per-resource", [kind("/teams/audit-logs"), ext(pagination={"type": "page", "hasMorePath": "x"})], None,
     "error", "r", "pagination-stops-early"),
    ("per-resource-stop-rule", [kind("/analytics/ai-code/commits"),
                                ext(pagination={"type": "page", "stop": ".page * .pageSize >= .totalCount"})], None,
     "error", "r", "per-resource-pagination"),
    ("per-resource-differs", [kind("/teams/audit-logs"), cfg(paginationType="offset", paginationParam="o",
                                                             sizeParam="s", hasMorePath="h"),
                              ext(pagination={"type": "page"})], None, "error", "r", "pagination-stops-early"),
    ("page-no-signal", [kind("/teams/audit-logs"), cfg(paginationType="page", paginationParam="page",
                                                       sizeParam="pageSize")], None, "error", "r",
     "pagination-stops-early"),
    ("page-ai-code", [kind("/analytics/ai-code/commits"), cfg(paginationType="page", paginationParam="page",
                                                              sizeParam="pageSize", **HAS_NEXT)], None, "error", "r",
     "pagination-stops-early"),
    ("page-body-endpoint", [kind("/teams/filtered-usage-events", **POST),
                            cfg(paginationType="page", paginationParam="page", sizeParam="pageSize", **HAS_NEXT)],
     None, "error", "r", "pagination-never-stops"),
    ("offset-no-has-more", [kind("/teams/audit-logs"), cfg(paginationType="offset", paginationParam="offset",
                                                           sizeParam="pageSize")], None, "error", "r",
     "pagination-never-stops"),
    ("cursor-unknown-endpoint", [kind("/v2/things"), cfg(paginationType="cursor", paginationParam="c",
                                                         sizeParam="l")],
     [{"items": [{"id": "a", "n": 1}], "next_cursor": "x"}], "error", "r", "pagination-stops-early"),
    ("offset-unknown-endpoint", [kind("/v2/things"), cfg(paginationType="offset", paginationParam="o",
                                                         sizeParam="l")],
     [{"items": [{"id": "a", "n": 1}]}], "error", "r", "pagination-never-stops"),
    ("window-30d-query", [kind("/analytics/ai-code/commits", query_params={"startDate": "30d", "endDate": "now"})],
     None, "info", "r", "date-window"),
    ("window-45d-query", [kind("/analytics/ai-code/commits", query_params={"startDate": "45d", "endDate": "0d"})],
     None, "error", "r", "date-window"),
    ("window-computed-31d", [kind("/teams/daily-usage-data", method="POST", body={"page": 1}),
                             ext(body={"startDate": "(($now|floor) - 31 * 86400) * 1000",
                                       "endDate": "($now|floor) * 1000"})], None, "error", "r", "date-window"),
    ("window-literal-30d", [kind("/teams/daily-usage-data", method="POST",
                                 body={"startDate": 1775347200000, "endDate": 1777939200000})], None, "info", "r",
     "date-window"),
    ("enterprise", [kind("/analytics/team/dau")], None, "warning", "r", "enterprise-only"),
    ("data-path-static", [sel(data_path=".data[]")], None, "warning", "r", "data-path-streams"),
    ("data-path-sample", [sel(data_path=".pages[].items")],
     [{"pages": [{"items": [{"id": "a"}]}, {"items": [{"id": "b"}]}]}], "error", "r", "data-path-streams"),
    ("missing-blueprint", [lambda d: d["portAppConfig"]["resources"][0]["port"]["entity"]["mappings"].update(
        blueprint='"other"')], None, "warning", "r", "missing-blueprint"),
    ("collision", [], [{"items": [{"id": "a", "n": 1}, {"id": "a", "n": 2}, {"id": "b", "n": 3}]}], "error", "r",
     "identifier-collision"),
    ("null-tostring", [lambda d: d["portAppConfig"]["resources"][0]["port"]["entity"]["mappings"].update(
        identifier="(.user | tostring) + \"-\" + .day")],
     [{"items": [{"day": "d1", "n": 1}]}], "error", "r", "identifier-null-tostring"),
    ("tostring-static", [lambda d: d["portAppConfig"]["resources"][0]["port"]["entity"]["mappings"].update(
        identifier=".id | tostring")], None, "info", "r", "identifier-null-tostring"),
    ("records-dropped", [], [{"items": [{"id": None, "n": 1}, {"id": "a", "n": 1}]}], "warning", "r",
     "records-dropped"),
    ("entity-invalid", [], [{"items": [{"id": "a", "n": "1"}, {"id": "b c", "n": 2}]}], "error", "r",
     "entity-invalid"),
    ("items-to-parse-expression", [port(itemsToParse="[.members[] | select(.active)]")], None, "error", "r",
     "items-to-parse-expression"),
]


@pytest.mark.parametrize("changes,pages,severity,resource,code", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_broken_project_gets_its_finding(changes, pages, severity: str, resource: str | None, code: str) -> None:
    findings = lint(changes, pages)
    hits = [f for f in findings if f.code == code]
    assert hits, [str(f) for f in findings]
    assert (hits[0].severity, hits[0].resource) == (severity, resource)
    assert hits[0].message and hits[0].consequence and hits[0].fix


def test_a_clean_project_has_no_findings() -> None:
    assert lint([], ITEMS) == []


@pytest.mark.parametrize("changes,absent", [
    ([cfg(authType="basic", username="${K}", password="${P}")], "basic-empty-password"),
    ([kind("/teams/audit-logs"), cfg(paginationType="page", paginationParam="page", sizeParam="pageSize",
                                     **HAS_NEXT)], "pagination-stops-early"),
    ([kind("/teams/audit-logs"), cfg(paginationType="page", paginationParam="page", sizeParam="pageSize",
                                     **HAS_NEXT)], "pagination-never-stops"),
    ([kind("/analytics/ai-code/commits", query_params={"startDate": "7d", "endDate": "now"})], "jq-literal"),
    ([kind("/analytics/ai-code/commits", query_params={"startDate": "7d", "endDate": "now"})], "date-window"),
    ([sel(data_path="[.pages[].items[]]")], "data-path-streams"),
    ([kind("/teams/daily-usage-data", method="POST", body={"startDate": 1777000000000, "endDate": 1777800000000})],
     "computed-body"),
    ([kind("/teams/audit-logs"), cfg(paginationType="page", paginationParam="page", sizeParam="pageSize", **HAS_NEXT),
      ext(pagination={"type": "page"})], "per-resource-pagination"),
    ([port(itemsToParse=".members")], "items-to-parse-expression"),
    ([port(itemsToParse=".members | map(select(.active))")], "items-to-parse-expression"),
    ([port(itemsToParse="[.members[] | select(.active)]", itemsToParseTopLevelTransform=False)],
     "items-to-parse-expression"),
])
def test_correct_setups_are_not_flagged(changes, absent: str) -> None:
    assert absent not in [f.code for f in lint(changes)]


@pytest.mark.parametrize("password", [{"password": ""}, {}], ids=["empty", "missing"])
def test_basic_empty_password_is_a_warning_that_says_what_the_export_deploys(password: dict[str, str]) -> None:
    """Deployed as written (by hand, Port's docs) it sends no auth; the export deploys the header, so the
    lint warns (what is deployed instead, and why) and errs only where the export cannot help."""
    hit = next(f for f in lint([cfg(authType="basic", username="${CURSOR_API_KEY}", **password)])
               if f.code == "basic-empty-password")
    assert hit.severity == "warning" and "401" in hit.consequence
    assert "deploys authType api_key, apiKeyHeader Authorization" in hit.message
    assert "`cursor-builder export`" in hit.fix and "apiKeyHeader: Authorization" in hit.fix
    assert "printf '%s:' \"$CURSOR_API_KEY\" | base64 | tr -d '\\n'" in hit.fix
    no_user = next(f for f in lint([cfg(authType="basic")]) if f.code == "basic-empty-password")
    assert no_user.severity == "error" and "cursor-builder export" not in no_user.fix
    assert no_user.fix.startswith("set username")


def test_computed_body_says_exactly_what_ocean_sends() -> None:
    findings = lint([kind("/teams/daily-usage-data", method="POST", body={"page": 1, "pageSize": 500}),
                     ext(body={"startDate": "(($now|floor) - 86400) * 1000", "endDate": "$now * 1000"})])
    hit = next(f for f in findings if f.code == "computed-body")
    assert 'Ocean sends POST /teams/daily-usage-data with selector.body {"page": 1, "pageSize": 500}' in hit.message
    assert "400" in hit.consequence
    for option in ("freeze the value now", "cursor-builder sync", "native Cursor integration"):
        assert option in hit.fix
    no_body = lint([kind("/teams/daily-usage-data", method="POST"), ext(body={"startDate": "$now"})])
    assert "with no body" in next(f for f in no_body if f.code == "computed-body").message


def test_per_resource_pagination_says_what_ocean_requests() -> None:
    hit = next(f for f in lint([kind("/teams/filtered-usage-events", method="POST", body={"pageSize": 1000}),
                                ext(pagination={"type": "page", "in": "body", "sizeParam": "pageSize"})])
               if f.code == "per-resource-pagination")
    assert "requests one page (pageSize 1000 from the literal body)" in hit.message


def test_per_resource_pagination_is_judged_in_its_plan_installation() -> None:
    def two(d: dict) -> None:
        first = d["portAppConfig"]["resources"][0]
        first.update(kind="/teams/audit-logs")
        first["x-builder"]["pagination"] = {"type": "page", "pageParam": "page", "sizeParam": "pageSize",
                                            "pageSize": 500, "hasMorePath": "pagination.hasNextPage"}
        d["portAppConfig"]["resources"].append({**copy.deepcopy(first), "kind": "/teams/members",
                                                "x-builder": {"name": "plain"}})
    findings = lint([two])
    assert not [f for f in findings if f.severity == "error" and f.resource == "r"], [str(f) for f in findings]
    hit = next(f for f in findings if f.code == "per-resource-pagination" and f.resource == "r")
    assert hit.severity == "info" and "installation t-page-500" in hit.message


def test_facts_shared_by_many_resources_are_one_finding() -> None:
    def two(d: dict) -> None:
        first = d["portAppConfig"]["resources"][0]
        first.update(kind="/analytics/team/dau")
        first["selector"]["query_params"] = {"startDate": "30d", "endDate": "0d"}
        second = copy.deepcopy(first)
        second["x-builder"]["name"] = "r2"
        d["portAppConfig"]["resources"].append(second)

    findings = lint([two])
    assert [(f.code, f.resource) for f in findings if f.code in ("enterprise-only", "date-window")] == [
        ("enterprise-only", None), ("date-window", None)]
    assert "2 resource(s) call Enterprise-only endpoints: r, r2" in findings[0].message


def test_a_frozen_window_says_how_old_it_is() -> None:
    hit = next(f for f in lint([kind("/teams/daily-usage-data", method="POST",
                                     body={"startDate": 1774000000000, "endDate": 1775000000000}),
                                ext(body={"startDate": "$now * 1000", "endDate": "$now * 1000"})])
               if f.code == "computed-body")
    assert "it already ended 34 days ago" in hit.consequence


def test_computed_query_on_a_get_endpoint_suggests_relative_dates() -> None:
    hit = next(f for f in lint([kind("/analytics/ai-code/commits"), ext(query={"startDate": "\"7d\""})])
               if f.code == "computed-query")
    assert "startDate: 30d" in hit.fix


def test_an_items_to_parse_expression_drops_every_item_in_the_preview_too() -> None:
    """The finding says what the engine (Ocean's rules) already does: each parent becomes null."""
    data = copy.deepcopy(base())
    data["portAppConfig"]["resources"][0]["port"]["itemsToParse"] = "[.members[] | select(.active)]"
    resource = parse_project(dump(data)).resources[0]
    result = mapping.run(resource, [{"items": [{"id": "p", "members": [{"active": True, "id": "m"}]}]}])
    assert result.entities == [] and [d.stage for d in result.dropped] == ["items_to_parse"]


def test_findings_are_sorted_errors_first() -> None:
    findings = lint([cfg(timeout="5", authType="basic_auth"), kind("/analytics/team/dau")])
    assert [f.severity for f in findings] == sorted((f.severity for f in findings),
                                                    key=("error", "warning", "info").index)


@pytest.mark.parametrize("kind_,paging,enterprise", [
    ("/teams/members", None, False), ("teams/daily-usage-data", "body", False),
    ("/analytics/by-user/tabs", "query", True),
    ("/analytics/team/leaderboard", "query", True), ("/analytics/team/dau", None, True),
    ("/teams/user-spend-limit", None, True), ("/v1/other", None, None),
])
def test_endpoint_facts(kind_: str, paging: str | None, enterprise: bool | None) -> None:
    found = endpoint(kind_)
    if enterprise is None:
        assert found is None
    else:
        assert found is not None and (found.paging, found.enterprise) == (paging, enterprise)
