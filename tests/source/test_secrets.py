"""No secret ever appears in what the source captures for display: headers, URLs, bodies,
errors, summaries — in any mode, for any auth type, on success and on failure."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest

from builder.source.auth import MASK, Secrets
from builder.simulator import FaultConfig, SimulatorConfig
from builder.net.retry import RetryPolicy
from builder.source.client import Source, demo_transport

from .conftest import KEY, NOW_TS, Sleeps, make_project, resource, run

CURSOR = {"baseUrl": "https://api.cursor.com", "authType": "basic", "username": "${CURSOR_API_KEY}"}


def captured(result) -> str:
    """Everything the UI and --format json can show, except the API's own response pages."""
    out = json.dumps([e.to_json() for e in result.exchanges]) + json.dumps(result.coverage.to_json())
    out += "".join(e.summary() + e.text for e in result.exchanges) + str(result.error)
    return out


def forms(secret: str) -> list[str]:
    return [secret, base64.b64encode(f"{secret}:".encode()).decode()]


@pytest.mark.parametrize("mode", ["builder", "ocean"])
@pytest.mark.parametrize("key,tier,faults", [
    (KEY, "enterprise", FaultConfig()),
    ("crsr_wrong_0000000000000000000000000000000000000000000000000000000000", "enterprise", FaultConfig()),
    (KEY, "team", FaultConfig()),
    (KEY, "enterprise", FaultConfig(burst=2)),
])
def test_cursor_key_never_captured(sim_config: SimulatorConfig, sleeps: Sleeps, mode: str, key: str, tier: str,
                                   faults: FaultConfig) -> None:
    config = dataclasses.replace(sim_config, tier=tier, faults=faults)
    res = resource("/analytics/ai-code/commits", data_path=".items", identifier=".commitHash",
                   query_params={"startDate": "7d", "endDate": "now"})
    project = make_project(CURSOR, [res])

    async def go():
        async with Source(project, transport=demo_transport(config), env={"CURSOR_API_KEY": key}, mode=mode,
                          sleep=sleeps, now=NOW_TS, retry=RetryPolicy(jitter=0)) as source:
            return await source.fetch("items")

    result = run(go())
    text = captured(result)
    for form in forms(key):
        assert form not in text
    if mode == "builder":
        assert result.exchanges[0].request_headers["authorization"] == f"Basic {MASK}"


@pytest.mark.parametrize("config,env", [
    ({"authType": "bearer_token", "apiToken": "${T}"}, {"T": "tok-secret-value-1"}),
    ({"authType": "api_key", "apiKey": "${T}", "apiKeyHeader": "X-Custom-Key"}, {"T": "tok-secret-value-1"}),
    ({"authType": "basic", "username": "bob", "password": "${T}"}, {"T": "tok-secret-value-1"}),
])
def test_other_auth_types_masked_including_echoes(config: dict, env: dict) -> None:
    """A server that echoes the credential back (in body and headers) is masked too."""
    from builder.net.asgi import Request, Response

    from .conftest import App

    app = App()

    async def echo(request: Request) -> Response:
        creds = request.headers.get("authorization") or request.headers.get("x-custom-key")
        return Response.json({"items": [{"id": 1, "creds": creds}]}, headers={"x-echo": creds or ""})

    app.router.add("GET", "/items", echo)
    project = make_project(config, [resource(query_params={"token": "${T}"})])

    async def go():
        async with Source(project, transport=app.transport(), env=env) as source:
            return await source.fetch("items")

    result = run(go())
    secret = env["T"]
    for form in [secret, base64.b64encode(f"bob:{secret}".encode()).decode()]:
        assert form not in captured(result)


@pytest.mark.parametrize("text,expected", [
    ("key=abcd1234 and abcd1234", f"key={MASK} and {MASK}"),
    ("nothing here", "nothing here"),
])
def test_secrets_text(text: str, expected: str) -> None:
    secrets = Secrets()
    secrets.add("abcd1234")
    secrets.add("ab")  # too short to mask meaningfully; ignored
    assert secrets.text(text) == expected


def test_secrets_url_and_headers() -> None:
    secrets = Secrets()
    secrets.add("s3cr3t-value")
    assert secrets.url("https://u:p@h/x?api_key=zz&q=s3cr3t-value&ok=1") == \
        f"https://{MASK}@h/x?api_key={MASK}&q={MASK}&ok=1"
    assert secrets.headers({"Authorization": "Bearer abc", "Cookie": "a=b", "X-Other": "s3cr3t-value"}) == \
        {"Authorization": f"Bearer {MASK}", "Cookie": MASK, "X-Other": MASK}


def test_project_literal_key_is_refused_on_save() -> None:
    """The source takes keys from the environment; the project file keeps ${ENV} references only."""
    project = make_project(CURSOR, [resource()])
    assert project.config["username"] == "${CURSOR_API_KEY}"
    source = Source(project, env={"CURSOR_API_KEY": KEY})
    assert source.config["username"] == KEY and project.config["username"] == "${CURSOR_API_KEY}"
    run(source.aclose())
