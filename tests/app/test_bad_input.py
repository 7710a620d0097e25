"""Bad input is shown where it happened, in words, and the app stays usable: a 401, an
Enterprise-only endpoint, a rate limit, a timeout, a non-JSON body, a JQ syntax error."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from builder.tui.app import make_app
from builder.simulator import FaultConfig
from builder.net.retry import RetryPolicy
from builder.source.client import Source
from widgets.mapping_table import MappingTable
from widgets.resource_list import ResourceList

from .conftest import SIZE, fixture_project, settle

pytestmark = pytest.mark.anyio


def shown(app, selector: str) -> str:
    return str(app.query_one(selector).render())


async def send(pilot, resource: str) -> None:
    app = pilot.app
    app.query_one(ResourceList).highlighted = app.session.project.resource_names().index(resource)
    await settle(pilot)
    await pilot.press("ctrl+r")
    await settle(pilot)


def assert_usable(app) -> None:
    """No traceback on screen: the Build tab is still there and takes input."""
    assert app.is_running
    assert app.query_one(MappingTable).is_mounted
    assert "Traceback" not in shown(app, "#response-error")


async def test_wrong_key_says_401_and_recovers_when_the_key_is_fixed(demo_app) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = app.query_one("#api-key")
        key.focus()
        await pilot.press(*"crsr_wrong")
        await send(pilot, "members")
        assert "401" in shown(app, "#response-error") and "API key" in shown(app, "#response-error")
        assert "✗ 401" in str(app.query_one(ResourceList).get_option_at_index(0).prompt)
        assert "request failed" in shown(app, "#records-message")
        assert_usable(app)
        # The typed key never reaches the project file.
        assert "crsr_wrong" not in app.session.project.dumps()
        key.value = ""  # back to the demo key
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.session.run.error is None and app.session.result.kept == 12
        assert not app.query_one("#response-error").has_class("-shown")


async def test_enterprise_only_endpoint_on_a_team_plan(demo_app) -> None:
    app = demo_app(tier="team")
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "commits")
        message = shown(app, "#response-error")
        assert "Enterprise" in message
        assert_usable(app)
        await send(pilot, "members")  # the non-Enterprise endpoints still work
        assert app.session.run.error is None


async def test_rate_limit_is_explained_without_waiting_a_minute(demo_app) -> None:
    # 2 a minute: the demo's connection check at start takes one, the first send the other.
    app = demo_app(rate_limits=True, rate_limit_overrides={"admin": 2})
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "members")
        assert app.session.run.error is None
        await pilot.press("ctrl+r")
        await settle(pilot)
        message = shown(app, "#response-error")
        assert "429" in message and "wait" in message
        assert_usable(app)


async def test_non_json_body_is_shown_as_text(demo_app) -> None:
    app = demo_app(faults=FaultConfig(non_json_rate=1.0, non_json_status=502))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "members")
        message = shown(app, "#response-error")
        assert "502" in message and "Bad Gateway" in message
        assert_usable(app)


class _SilentServer(httpx.AsyncBaseTransport):
    """A server that never answers in time: httpx's timeout, without waiting for one."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)


async def test_timeout_is_explained(tmp_path: Path) -> None:
    def source(project):
        return Source(project, transport=_SilentServer(), env={"CURSOR_API_KEY": "k" * 20},
                      retry=RetryPolicy(attempts=1))

    app = make_app(fixture_project(tmp_path), source=source, env={"CURSOR_API_KEY": "k" * 20}, test_mode=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "members")
        message = shown(app, "#response-error")
        assert "timed out" in message
        assert_usable(app)


async def test_jq_syntax_error_in_data_path_and_selector(demo_app) -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "members")
        data_path = app.query_one("#data-path")
        data_path.focus()
        await pilot.press("end", "ctrl+u", *".teamMembers[")
        await settle(pilot)
        assert data_path.has_class("-error")
        assert "data_path" in shown(app, "#records-message")
        await pilot.press("backspace")
        await settle(pilot)
        assert not data_path.has_class("-error") and app.session.result.kept == 12

        selector = app.query_one("#selector")
        selector.focus()
        await pilot.press("end", "ctrl+u", *".role ==")
        await settle(pilot)
        assert selector.has_class("-error")
        assert "selector does not compile" in shown(app, "#records-message")
        await pilot.press("end", "ctrl+u", *'.role == "owner"')
        await settle(pilot)
        result = app.session.result
        assert 0 < result.kept < 12
        assert f"{result.kept} kept" in shown(app, "#kept-count")
        assert_usable(app)


async def test_no_key_is_said_before_anything_is_sent(tmp_path: Path) -> None:
    sent = []

    def source(project):
        sent.append(project)
        raise AssertionError("nothing may be sent without a key")

    app = make_app(fixture_project(tmp_path), source=source, env={}, test_mode=True)  # not demo, no $CURSOR_API_KEY
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "members")
        message = shown(app, "#response-error")
        assert "No API key" in message and "CURSOR_API_KEY" in message
        assert "✗ no key" in str(app.query_one(ResourceList).get_option_at_index(0).prompt)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "No API key" in shown(app, "#connection-result")
        assert not sent
        assert_usable(app)
