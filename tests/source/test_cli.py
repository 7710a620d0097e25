"""`cursor-builder init` and `cursor-builder fetch`, driven through builder.cli.main."""

from __future__ import annotations

import json
import time

import pytest

from builder.cli import main
from builder.project.load import load_project
from builder.simulator import DEMO_API_KEY


@pytest.fixture
def project_file(tmp_path, capsys):
    path = tmp_path / "cursor-builder.yaml"
    assert main(["init", str(path)]) == 0
    capsys.readouterr()
    return path


def test_init_writes_the_cursor_preset_with_a_fresh_window(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    assert main(["init", str(path), "--preset", "cursor"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {path}" in out and "CURSOR_API_KEY" in out
    project = load_project(path)
    assert project.config["username"] == "${CURSOR_API_KEY}"
    end_ms = project.find_resource("usage-events").selector["body"]["endDate"]
    assert abs(end_ms / 1000 - time.time()) < 3600
    assert project.find_resource("usage-events").extensions.pagination["in"] == "body"


@pytest.mark.parametrize("args,message", [
    (["--preset", "nope"], "no preset named 'nope'"),
])
def test_init_user_errors(tmp_path, capsys, args, message):
    assert main(["init", str(tmp_path / "p.yaml"), *args]) == 2
    assert message in capsys.readouterr().err


def test_init_refuses_to_overwrite_without_force(project_file, capsys):
    project_file.write_text("# mine\n")
    assert main(["init", str(project_file)]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert project_file.read_text() == "# mine\n"
    assert main(["init", str(project_file), "--force"]) == 0
    assert "portAppConfig" in project_file.read_text()


def test_fetch_demo_prints_one_line_per_exchange_and_the_coverage(project_file, capsys):
    assert main(["fetch", str(project_file), "--resource", "members", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "GET https://api.cursor.com/teams/members  200" in out
    assert "coverage" in out and "12 records → 12 entities; 0 duplicate identifiers" in out
    assert "Ocean would fetch 1 page(s), 12 records" in out
    assert "Ocean's basic auth sends no credentials" in out


def test_fetch_first_page_only_then_all_pages_with_ocean_comparison(project_file, capsys):
    text = project_file.read_text().replace("pageSize: 500", "pageSize: 40")  # small pages: a real walk
    project_file.write_text(text)
    assert main(["fetch", str(project_file), "-r", "audit-logs", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "first page only" in out and "--all-pages" in out
    assert main(["fetch", str(project_file), "-r", "audit-logs", "--demo", "--all-pages"]) == 0
    out = capsys.readouterr().out
    pages = out.count("GET https://api.cursor.com/teams/audit-logs")
    assert pages >= 2 and "pagination.hasNextPage is false" in out
    assert "Ocean would fetch 1 page(s)" in out and "would NOT be ingested" in out


def test_fetch_json_is_the_whole_result_without_the_key(project_file, capsys):
    assert main(["fetch", str(project_file), "-r", "spend", "--demo", "--format", "json"]) == 0
    raw = capsys.readouterr().out
    data = json.loads(raw)
    assert set(data) >= {"resource", "mode", "exchanges", "coverage", "pages", "error"}
    assert data["exchanges"][0]["request_body"] == {"page": 1, "pageSize": 100}
    assert data["coverage"]["records"] == len(data["pages"][0]["teamMemberSpend"])
    assert DEMO_API_KEY not in raw


def test_fetch_ocean_mode_reproduces_the_deployed_auth_failure(project_file, capsys):
    assert main(["fetch", str(project_file), "-r", "members", "--demo", "--mode", "ocean"]) == 2
    captured = capsys.readouterr()
    assert "401" in captured.out
    assert captured.err.startswith("cursor-builder: 401 Unauthorized: no credentials were sent")
    assert len(captured.err.strip().splitlines()) == 1


def test_fetch_without_the_key_says_what_to_set(project_file, capsys, monkeypatch):
    monkeypatch.delenv("CURSOR_API_KEY", raising=False)
    assert main(["fetch", str(project_file), "-r", "members"]) == 2
    assert "CURSOR_API_KEY is not set" in capsys.readouterr().err


@pytest.mark.parametrize("args,message", [
    (["-r", "nope", "--demo"], "no resource named 'nope'"),
    (["-r", "members", "--demo", "--max-pages", "0"], "--max-pages must be at least 1"),
])
def test_fetch_user_errors(project_file, capsys, args, message):
    assert main(["fetch", str(project_file), *args]) == 2
    assert message in capsys.readouterr().err


def test_fetch_enterprise_endpoint_on_team_tier_is_one_line(tmp_path, capsys):
    """A project whose simulator is team tier: done with the real simulator behind a loopback-free
    ASGI transport through the Source API (the CLI's --demo is always enterprise)."""
    import asyncio

    from builder.project.presets import load_preset
    from builder.simulator import SimulatorConfig
    from builder.source.client import Source

    project = load_preset("cursor")

    async def go():
        async with Source.demo(project, SimulatorConfig(tier="team", team_size=2, rate_limits=False)) as source:
            return await source.fetch("ai-code-commits")

    result = asyncio.run(go())
    assert result.error.startswith("401 Unauthorized on /analytics/ai-code/commits")
    assert "Enterprise" in result.error and "\n" not in result.error
