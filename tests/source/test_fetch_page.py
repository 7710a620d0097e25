"""Page-by-page fetching (the TUI's next page), the demo source, and the preview hook."""

from __future__ import annotations

import pytest

from builder.net.asgi import Request, Response
from builder.project.presets import load_preset
from builder.simulator import DEMO_API_KEY, SimulatorConfig
from builder.source.client import Source, demo_transport, fetch_pages_for_preview

from .conftest import NOW, NOW_TS, App, make_project, paged_app, resource, run

PAGE = {"paginationType": "page", "paginationParam": "page", "sizeParam": "size", "pageSize": "10"}


def test_fetch_page_walks_forward_until_the_last_page() -> None:
    app = paged_app("page")
    project = make_project(PAGE, [resource()])

    async def go():
        async with Source(project, transport=app.transport()) as source:
            pages, state = [], None
            while True:
                result = await source.fetch_page("items", state)
                pages.append(result)
                state = result.next_state
                if state is None:
                    return pages

    pages = run(go())
    assert [len(p.data["items"]) for p in pages] == [10, 10, 5]
    assert [p.exchanges[-1].page for p in pages] == [1, 2, 3]
    assert pages[-1].stop is not None and pages[-1].stop.code == "no_signal"
    assert [seen.query_string for seen in app.seen] == ["page=1&size=10", "page=2&size=10", "page=3&size=10"]


def test_fetch_page_moves_to_the_next_path_parameter_value() -> None:
    app = App()

    async def teams(request: Request) -> Response:
        return Response.json([{"id": "a"}, {"id": "b"}])

    async def items(request: Request) -> Response:
        return Response.json({"items": [{"id": request.path_params["team"]}]})

    app.router.add("GET", "/teams", teams)
    app.router.add("GET", "/teams/{team}/items", items)
    res = resource("/teams/{team}/items", path_parameters={"team": {"endpoint": "/teams", "data_path": ".",
                                                                    "field": ".id"}})
    project = make_project({}, [res])

    async def go():
        async with Source(project, transport=app.transport()) as source:
            first = await source.fetch_page("items")
            second = await source.fetch_page("items", first.next_state)
            return first, second

    first, second = run(go())
    assert (first.path_params, second.path_params) == ({"team": "a"}, {"team": "b"})
    assert second.data == {"items": [{"id": "b"}]} and second.next_state is None
    assert [e.purpose for e in first.exchanges] == ["path_parameters", "page"]


def test_fetch_page_reports_an_error_without_raising() -> None:
    app = App()

    async def broken(request: Request) -> Response:
        return Response.json({"message": "nope"}, status=404)

    app.router.add("GET", "/items", broken)
    project = make_project({}, [resource()])

    async def go():
        async with Source(project, transport=app.transport()) as source:
            return await source.fetch_page("items")

    result = run(go())
    assert result.error.startswith("404 Not Found") and result.next_state is None and result.data is None


def test_demo_source_uses_the_simulator_key_and_never_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("CURSOR_API_KEY", "crsr_real_key_must_not_be_used_00000000000000000000000000000000")
    project = load_preset("cursor")

    async def go():
        async with Source.demo(project, SimulatorConfig(team_size=2, now=NOW, rate_limits=False),
                               now=NOW_TS) as source:
            assert source.config["username"] == DEMO_API_KEY
            return await source.fetch("members")

    result = run(go())
    assert result.error is None and result.coverage.records == 2


def test_demo_transport_is_an_in_process_asgi_transport() -> None:
    import httpx

    assert isinstance(demo_transport(), httpx.ASGITransport)


def test_fetch_pages_for_preview_returns_every_page_and_raises_one_line() -> None:
    project = load_preset("cursor")
    pages = run(fetch_pages_for_preview(project, "members", demo=True)).pages
    assert len(pages) == 1 and "teamMembers" in pages[0]
    broken = make_project({"baseUrl": "https://api.cursor.com"}, [resource("/teams/nope")])
    from builder.source.request import SourceError

    with pytest.raises(SourceError, match="404 Not Found: GET /teams/nope"):
        run(fetch_pages_for_preview(broken, "items", demo=True))


def test_preview_command_fetches_live_from_the_demo(tmp_path, capsys) -> None:
    from builder.cli import main

    path = tmp_path / "p.yaml"
    assert main(["init", str(path)]) == 0
    capsys.readouterr()
    assert main(["preview", str(path), "-r", "repo-blocklists", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "entities (" in out and "cursor_repo_blocklist" in out
