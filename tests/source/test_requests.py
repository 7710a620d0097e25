"""Requests are built exactly as Ocean Custom builds them (mode="ocean"), and the builder's
x-builder extensions apply only in mode="builder"."""

from __future__ import annotations

import base64
import json

import pytest

from builder.net.asgi import Request, Response
from builder.source.client import Source, map_fetch
from builder.source.request import USER_AGENT, SourceError, compute_value

from .conftest import NOW_TS, App, make_project, resource, run


def echo_app() -> App:
    app = App()

    async def echo(request: Request) -> Response:
        return Response.json({"items": [{"id": 1, "query": request.query, "team": request.path_params.get("team")}]})

    for method in ("GET", "POST", "PUT"):
        app.router.add(method, "/api/v1/items", echo)
        app.router.add(method, "/items", echo)
        app.router.add(method, "/teams/{team}/items", echo)
    return app


def fetch(project, mode="builder", app=None, **kwargs):
    app = app or echo_app()

    async def go():
        async with Source(project, transport=app.transport(), mode=mode, now=NOW_TS, **kwargs) as source:
            return await source.fetch(project.resources[0].name)

    return run(go()), app


@pytest.mark.parametrize("base_url,kind,path", [
    ("https://api.example.test/", "/api/v1/items", "/api/v1/items"),
    ("https://api.example.test", "api/v1/items", "/api/v1/items"),
    ("https://api.example.test//", "//items", "/items"),
])
def test_url_is_base_url_plus_kind(base_url: str, kind: str, path: str) -> None:
    project = make_project({"baseUrl": base_url}, [resource(kind)])
    result, app = fetch(project, "ocean")
    assert result.error is None and app.seen[0].path == path


@pytest.mark.parametrize("params,query", [
    ({"a": 1, "b": True, "c": None, "d": [1, 2], "e": 1.5, "f": "x y"}, "a=1&b=true&c=&d=1&d=2&e=1.5&f=x y"),
    ({"startDate": "30d", "endDate": "now"}, "startDate=30d&endDate=now"),
])
def test_query_params_are_literal_and_stringified_like_httpx(params: dict, query: str) -> None:
    project = make_project({}, [resource(query_params=params)])
    _, app = fetch(project, "ocean")
    assert app.seen[0].query_string == query


def test_user_agent_is_ocean_s_unless_the_selector_overrides_it() -> None:
    _, app = fetch(make_project({}, [resource()]), "ocean")
    assert app.seen[0].headers["user-agent"] == USER_AGENT
    _, app = fetch(make_project({}, [resource(headers={"User-Agent": "mine", "X-Team": "a"})]), "ocean")
    assert app.seen[0].headers["user-agent"] == "mine" and app.seen[0].headers["x-team"] == "a"


@pytest.mark.parametrize("body,sent", [
    ({"startDate": 1, "page": 2}, {"startDate": 1, "page": 2}),
    ('{"startDate": ((now | floor) - 86400) * 1000}', '{"startDate": ((now | floor) - 86400) * 1000}'),
    ({}, None),  # falsy: no body at all
    (None, None),
])
def test_body_is_sent_as_json_when_truthy_a_string_stays_a_string(body: object, sent: object) -> None:
    project = make_project({}, [resource(method="POST", body=body)])
    result, app = fetch(project, "ocean")
    assert app.seen[0].method == "POST"
    assert app.seen[0].json == sent
    if isinstance(body, str):
        assert any("JSON string" in note for note in result.coverage.notes)


def test_pagination_goes_to_the_query_string_even_for_post_in_ocean() -> None:
    project = make_project({"paginationType": "page", "paginationParam": "page", "sizeParam": "pageSize",
                            "pageSize": "5"}, [resource(method="POST", body={"x": 1})])
    _, app = fetch(project, "ocean")
    assert app.seen[0].query_string == "page=1&pageSize=5" and app.seen[0].json == {"x": 1}


WINDOW = {"startDate": "(($now | floor) - 30 * 86400) * 1000", "endDate": "(now | floor) * 1000"}


def test_computed_body_and_query_apply_in_builder_mode_only() -> None:
    res = resource(method="POST", body={"startDate": 1, "pageSize": 100},
                   x_builder={"body": WINDOW, "query": {"since": '$now | floor | todate'}})
    project = make_project({}, [res])
    _, app = fetch(project, "builder")
    start = (int(NOW_TS) - 30 * 86400) * 1000
    assert app.seen[0].json == {"startDate": start, "pageSize": 100, "endDate": int(NOW_TS) * 1000}
    assert app.seen[0].query_string == "since=2026-05-05T12:00:00Z"
    result, app = fetch(project, "ocean")
    assert app.seen[0].json == {"startDate": 1, "pageSize": 100} and app.seen[0].query_string == ""
    assert any("x-builder extensions are ignored by Ocean" in note for note in result.coverage.notes)


def test_builder_pagination_in_body_while_ocean_uses_the_query() -> None:
    res = resource(method="POST", body={"pageSize": 2},
                   x_builder={"pagination": {"type": "page", "in": "body", "pageParam": "page", "sizeParam": "pageSize",
                                             "pageSize": 2, "stop": "true"}})
    project = make_project({"paginationType": "page", "paginationParam": "p", "sizeParam": "s", "pageSize": "3"}, [res])
    result, app = fetch(project, "builder")
    assert app.seen[0].json == {"pageSize": 2, "page": 1} and app.seen[0].query_string == ""
    # the Ocean comparison asked with query pagination and the literal body
    ocean_requests = [seen for seen in app.seen[1:]]
    assert ocean_requests[0].query_string == "p=1&s=3" and ocean_requests[0].json == {"pageSize": 2}
    assert result.coverage.ocean_pages is not None


@pytest.mark.parametrize("expr,value", [
    ("$now", NOW_TS),
    ("now | floor", int(NOW_TS)),
    ("(($now | floor) - 86400) * 1000", (int(NOW_TS) - 86400) * 1000),
    ("$now | strftime(\"%Y-%m-%d\")", "2026-05-05"),
])
def test_computed_values_use_the_session_clock(expr: str, value: object) -> None:
    assert compute_value(expr, NOW_TS) == value


def test_a_computed_value_error_is_one_line() -> None:
    with pytest.raises(SourceError, match="computed value `.a | tonumber` failed"):
        compute_value(".a | tonumber", NOW_TS) if False else compute_value('"x" | tonumber', NOW_TS)


def test_path_parameters_resolve_the_first_param_with_field_and_filter() -> None:
    app = echo_app()

    async def teams(request: Request) -> Response:
        return Response.json({"teams": [{"id": 1, "active": True}, {"id": 2, "active": False},
                                        {"id": "x", "active": "yes"}, {"id": None, "active": True}]})

    app.router.add("GET", "/teams", teams)
    res = resource("/teams/{team}/items", path_parameters={"team": {
        "endpoint": "/teams", "data_path": ".teams", "field": ".id", "filter": ".active"}})
    project = make_project({}, [res])
    result, app = fetch(project, "ocean", app=app)
    assert [seen.path for seen in app.seen] == ["/teams", "/teams/1/items"]
    assert result.page_params == [{"team": "1"}]
    mapped = map_fetch(project.resources[0], result.pages, result.page_params)
    assert mapped.records[0]["__team"] == "1" and mapped.records[0]["team"] == "1"
    assert [e.purpose for e in result.exchanges] == ["path_parameters", "page"]


def test_missing_path_parameter_config_requests_the_literal_path() -> None:
    result, app = fetch(make_project({}, [resource("/teams/{team}/items")]), "ocean")
    assert app.seen[0].path == "/teams/%7Bteam%7D/items" or app.seen[0].path == "/teams/{team}/items"
    assert any("literal path" in note for note in result.coverage.notes)


@pytest.mark.parametrize("config,header", [
    ({"authType": "bearer_token", "apiToken": "${TOKEN}"}, "Bearer tok-123456"),
    ({"authType": "api_key", "apiKey": "${TOKEN}", "apiKeyHeader": "X-Key"}, None),
    ({"authType": "basic", "username": "${USER}", "password": "${TOKEN}"},
     "Basic " + base64.b64encode(b"alice:tok-123456").decode()),
])
def test_auth_headers_as_ocean(config: dict, header: str | None) -> None:
    env = {"TOKEN": "tok-123456", "USER": "alice"}
    _, app = fetch(make_project(config, [resource()]), "ocean", env=env)
    if config["authType"] == "api_key":
        assert app.seen[0].headers["x-key"] == "tok-123456"
    else:
        assert app.seen[0].headers["authorization"] == header


def test_basic_with_empty_password_sends_nothing_in_ocean_but_works_in_builder() -> None:
    project = make_project({"authType": "basic", "username": "${KEY}", "password": ""}, [resource()])
    result, app = fetch(project, "ocean", env={"KEY": "k-123456"})
    assert "authorization" not in app.seen[0].headers
    result, app = fetch(project, "builder", env={"KEY": "k-123456"})
    assert app.seen[0].headers["authorization"] == "Basic " + base64.b64encode(b"k-123456:").decode()


def test_unknown_auth_type_sends_nothing_and_says_so() -> None:
    project = make_project({"authType": "basic_auth", "username": "u", "password": "${P}"}, [resource()])
    source = Source(project, env={"P": "secret-1"}, mode="ocean")
    assert not source.auth["ocean"].sends_credentials
    assert "basic_auth" in source.auth["ocean"].notes[0]
    run(source.aclose())


def test_custom_auth_logs_in_and_applies_templates() -> None:
    app = echo_app()
    logins = []

    async def login(request: Request) -> Response:
        logins.append(json.loads(request.body))
        return Response.json({"access_token": "tok-abcdef-123456", "expires_in": 3600})

    async def protected(request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer tok-abcdef-123456":
            return Response.json({"message": "no"}, status=401)
        return Response.json({"items": [{"id": 7, "q": request.query, "body": request.json()}]})

    app.router.add("POST", "/oauth/token", login)
    app.router.add("POST", "/secure", protected)
    config = {"authType": "custom",
              "customAuthRequest": {"endpoint": "/oauth/token", "body": {"client_secret": "cs-98765432"}},
              "customAuthRequestTemplate": {"headers": {"Authorization": "Bearer {{.access_token}}"},
                                            "queryParams": {"ttl": "{{.expires_in}}"},
                                            "body": {"missing": "{{.nope}}"}}}
    project = make_project(config, [resource("/secure", method="POST", body={"a": 1})])
    result, app = fetch(project, "ocean", app=app)
    assert result.error is None and logins == [{"client_secret": "cs-98765432"}]
    item = result.pages[0]["items"][0]
    assert item["q"] == [["ttl", "3600"]] and item["body"] == {"a": 1, "missing": "{{.nope}}"}
    dumped = json.dumps(result.to_json())
    assert "tok-abcdef-123456" not in dumped.replace(json.dumps(result.pages), "")
    assert "cs-98765432" not in dumped
    assert [e.purpose for e in result.exchanges] == ["auth", "page"]


def test_empty_base_url_is_a_user_error() -> None:
    with pytest.raises(SourceError, match="baseUrl is empty"):
        Source(make_project({"baseUrl": ""}, [resource()]))
