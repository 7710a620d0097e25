"""Issue #11 row 12: one request is bounded as a whole (connect to last byte), not only each read.

A server that trickles a byte every 0.05 s never trips httpx's read timeout; one that never answers
is only cut by the fetch's own --deadline. The request deadline ends both with one line (exit 2:
nothing was fetched), in the CLI and in the Source the TUI builds.
"""

from __future__ import annotations

import asyncio

import pytest

from builder.cli import main
from builder.project.load import parse_project
from builder.source.client import Source
from builder.source.request import SourceError
from loopback import serve
from sync_fixtures import PROJECT_YAML


def _project_file(tmp_path, url: str):
    path = tmp_path / "p.yaml"
    path.write_text(PROJECT_YAML.replace("https://api.cursor.com", url), encoding="utf-8")
    return path


@pytest.mark.parametrize("behaviour", ["trickle", "silent"])
def test_fetch_cuts_one_request_at_its_deadline(behaviour, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CURSOR_API_KEY", "crsr_" + "k" * 64)
    with serve(behaviour) as url:
        # --deadline (the whole fetch) is far away: only the per-request deadline can end this
        code = main(["fetch", str(_project_file(tmp_path, url)), "-r", "members", "--request-deadline", "0.5",
                     "--deadline", "120"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "deadline of 0.5 s" in err[0] and "127.0.0.1" in err[0], err


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_request_deadline_must_be_positive(value, tmp_path, capsys):
    code = main(["fetch", str(_project_file(tmp_path, "http://127.0.0.1:9")), "-r", "members", "--demo",
                 "--request-deadline", value])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--request-deadline" in err[0]


def test_the_tuis_source_is_bounded_too(tmp_path):
    """The TUI's Build tab fetches through BuilderApp.make_source: the same deadline applies."""
    from builder.net.retry import DEFAULT_REQUEST_DEADLINE
    from builder.tui.app import make_app

    project = parse_project(PROJECT_YAML)
    app = make_app(project, env={"CURSOR_API_KEY": "crsr_" + "k" * 64}, test_mode=True)
    source = app.make_source(project)
    try:
        assert source.request_deadline == DEFAULT_REQUEST_DEADLINE
    finally:
        asyncio.run(source.aclose())


def test_source_page_by_page_stops_at_the_deadline(monkeypatch):
    """fetch_page (the TUI's path) goes through the same bounded send."""
    monkeypatch.setenv("CURSOR_API_KEY", "crsr_" + "k" * 64)
    with serve("trickle") as url:
        project = parse_project(PROJECT_YAML.replace("https://api.cursor.com", url))

        async def go():
            async with Source(project, request_deadline=0.3) as source:
                return await source.fetch_page("members")

        result = asyncio.run(go())
    assert result.error and "deadline of 0.3 s" in result.error


def test_source_refuses_a_deadline_that_is_not_positive():
    with pytest.raises(SourceError):
        Source(parse_project(PROJECT_YAML), request_deadline=0)


# -- the deadline as a project setting: x-builder.requestDeadline on the resource ----------------------

def _with_deadline(url: str, seconds: object) -> str:
    """The fixture project against ``url`` with ``x-builder.requestDeadline`` on the members resource."""
    text = PROJECT_YAML.replace("https://api.cursor.com", url)
    out = text.replace("    x-builder: {name: members}\n", f"    x-builder: {{name: members, requestDeadline: {seconds}}}\n")
    assert out != text
    return out


@pytest.mark.parametrize("command, flag, expected", [
    (["fetch"], [], "0.4"),  # the project's deadline applies
    (["fetch"], ["--request-deadline", "0.3"], "0.3"),  # the command line wins over the project
    (["preview", "--live"], [], "0.4"),
    (["preview", "--live"], ["--request-deadline", "0.3"], "0.3"),
    (["preview", "--live", "--format", "json"], ["--request-deadline", "0.3"], "0.3"),
])
def test_the_project_sets_the_request_deadline_and_the_flag_wins(command, flag, expected, tmp_path, capsys,
                                                                  monkeypatch):
    monkeypatch.setenv("CURSOR_API_KEY", "crsr_" + "k" * 64)
    with serve("silent") as url:
        path = tmp_path / "p.yaml"
        path.write_text(_with_deadline(url, 0.4), encoding="utf-8")
        code = main([command[0], str(path), "-r", "members", *command[1:], *flag])
    err = [line for line in capsys.readouterr().err.strip().splitlines() if "deadline" in line]
    assert code == 2
    assert err and f"deadline of {expected} s" in err[-1] and "requestDeadline" in err[-1], err


@pytest.mark.parametrize("value", ["0", "-1", "soon", "true", "[1]"])
def test_a_project_request_deadline_must_be_a_positive_number(value, tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(_with_deadline("http://127.0.0.1:9", value), encoding="utf-8")
    code = main(["lint", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "requestDeadline" in err[0] and "above 0" in err[0], err


def test_preview_live_refuses_a_bad_request_deadline(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text(PROJECT_YAML, encoding="utf-8")
    code = main(["preview", str(path), "-r", "members", "--demo", "--request-deadline", "0"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "--request-deadline" in err[0]


def test_the_project_request_deadline_is_kept_on_save_and_never_exported():
    from builder.project.model import Extensions
    from builder.ship.export.app_config import port_app_config_yaml

    project = parse_project(_with_deadline("https://api.cursor.com", 2.5))
    members = project.find_resource("members")
    assert members.extensions.request_deadline == 2.5
    assert Extensions.from_dict(members.extensions.to_dict()).request_deadline == 2.5
    exported = port_app_config_yaml(project)
    assert "requestDeadline" not in exported and "x-builder" not in exported


def test_the_tuis_fetch_uses_the_project_request_deadline(monkeypatch):
    """BuilderApp.make_source builds a Source without a flag: each resource's own deadline applies
    to the page-by-page fetch (the Build tab) and to a whole fetch."""
    from builder.tui.app import make_app

    with serve("silent") as url:
        project = parse_project(_with_deadline(url, 0.3))
        app = make_app(project, env={"CURSOR_API_KEY": "crsr_" + "k" * 64}, test_mode=True)

        async def go():
            source = app.make_source(project)
            try:
                return await source.fetch_page("members"), await source.fetch("members", compare_ocean=False)
            finally:
                await source.aclose()

        page, whole = asyncio.run(go())
    assert page.error and "deadline of 0.3 s" in page.error
    assert whole.error and "deadline of 0.3 s" in whole.error
