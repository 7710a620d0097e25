"""The deployment plan: installations by pagination, proved against the simulator; the setup script
run against the embedded catalog over loopback."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from builder.ship.deploy_plan import plan_deployment, prove
from builder.ship.export import export_all
from export_helpers import preset_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def proved_preset():
    preset = preset_project()
    if preset is None:
        pytest.skip("no preset")
    return preset, asyncio.run(prove(preset, plan_deployment(preset)))


def test_every_resource_ocean_can_serve_ingests_what_the_builder_fetches(proved_preset) -> None:
    _, plan = proved_preset
    servable = [r for r in plan.resources if r.servable]
    assert len(servable) > 20
    for r in servable:
        assert r.builder_records is not None and r.builder_records > 0, (r.name, r.proof)
        assert r.ocean_records == r.builder_records, (r.name, r.installation, r.proof)
        assert r.severity == "ok"


def test_cloud_agents_are_ingested_past_the_first_cursor_page(proved_preset) -> None:
    _, plan = proved_preset
    agents = plan.resource("cloud-agents")
    assert agents.builder_records is not None and agents.builder_records > 100  # more than one page of limit=100
    assert agents.ocean_records == agents.builder_records and agents.servable
    usage = plan.resource("cloud-agent-usage")
    runs = plan.resource("cloud-agent-runs")
    # one usage entity per run, from the /usage of every agent the paged discovery found
    assert usage.ocean_records == usage.builder_records == runs.builder_records == runs.ocean_records


def test_resources_ocean_cannot_serve_are_named_with_reason_closest_setting_and_alternative(proved_preset) -> None:
    _, plan = proved_preset
    errors = {r.name: r for r in plan.errors()}
    assert {"daily-usage", "spend", "usage-events", "ai-code-changes"} <= set(errors)
    events = errors["usage-events"]
    assert "pagination inside the POST body" in events.problems[0]
    assert events.ocean_records is not None and events.ocean_records < events.builder_records  # proved lost
    assert "pageSize 1000 from the literal body" in events.closest
    assert "cursor-usage-event" in events.alternative  # the native integration covers usage events
    assert "does not cover it" in errors["spend"].alternative


def test_installations_group_resources_by_the_pagination_ocean_expresses(proved_preset) -> None:
    preset, plan = proved_preset
    by_id = {i.identifier: i for i in plan.installations}
    assert list(by_id) == ["cursor-usage", "cursor-usage-page-500", "cursor-usage-page-250", "cursor-usage-cursor-100"]
    assert "audit-logs" in by_id["cursor-usage-page-500"].resources
    # Cloud Agents v1: Ocean's cursor handler reads nextCursor from the response body and stops when it is
    # omitted (hasMorePath nextCursor); the usage kind's agent ids are discovered with the same pagination.
    assert by_id["cursor-usage-cursor-100"].resources == ["cloud-agents", "cloud-agent-runs", "cloud-agent-usage"]
    assert by_id["cursor-usage-cursor-100"].pagination.config() == {
        "paginationType": "cursor", "pageSize": "100", "paginationParam": "cursor", "sizeParam": "limit",
        "cursorPath": "nextCursor", "hasMorePath": "nextCursor"}
    assert by_id["cursor-usage-page-250"].pagination.config() == {
        "paginationType": "page", "pageSize": "250", "paginationParam": "page", "sizeParam": "pageSize",
        "hasMorePath": "pagination.hasNextPage"}
    assert sorted(n for i in plan.installations for n in i.resources) == sorted(preset.resource_names())


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("curl") is None, reason="bash/curl missing")
def test_setup_script_creates_blueprints_and_mappings_in_the_catalog(tmp_path: Path) -> None:
    preset = preset_project()
    if preset is None:
        pytest.skip("no preset")
    script = tmp_path / "setup-port.sh"
    script.write_text(export_all(preset, env={})["setup-port.sh"])
    process = subprocess.Popen([sys.executable, "-m", "builder", "catalog", "serve", "--port", "0", "--db",
                                str(tmp_path / "catalog.db")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, cwd=ROOT)
    try:
        url = process.stdout.readline().split(" at ", 1)[1].split(" ", 1)[0]  # the banner: uvicorn is up
        env = {"PATH": os.environ["PATH"], "PORT_CLIENT_ID": "local-catalog",
               "PORT_CLIENT_SECRET": "local-catalog-secret", "PORT_API_URL": f"{url}/v1"}
        with httpx.Client(base_url=url, trust_env=False) as client:
            # Relation targets outside the project exist in a real Port organisation (_user is built in;
            # the README tells the user to create the others first).
            token = client.post("/v1/auth/access_token",
                                json={"clientId": "local-catalog", "clientSecret": "local-catalog-secret"})
            headers = {"Authorization": f"Bearer {token.json()['accessToken']}"}
            from builder.ship.export import creation_order

            for target in creation_order(preset.blueprints).external_targets:
                made = client.post("/v1/blueprints", headers=headers,
                                   json={"identifier": target, "title": target, "schema": {"properties": {}}})
                assert made.status_code == 201, made.text
        for _ in range(2):  # idempotent: the second run updates what the first created
            done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-2000:]
        with httpx.Client(base_url=url, trust_env=False) as client:
            token = client.post("/v1/auth/access_token",
                                json={"clientId": "local-catalog", "clientSecret": "local-catalog-secret"})
            headers = {"Authorization": f"Bearer {token.json()['accessToken']}"}
            stored = {b["identifier"] for b in client.get("/v1/blueprints", headers=headers).json()["blueprints"]}
            assert {b["identifier"] for b in preset.blueprints} <= stored
            member = client.get("/v1/blueprints/cursor_member", headers=headers).json()["blueprint"]
            assert member["relations"]  # the second pass put the relations back
            for identifier, kinds in (("cursor-usage-page-250", ["/analytics/team/bugbot",
                                                                 "/analytics/team/bugbot-reviews"]),
                                      ("cursor-usage-cursor-100", ["/v1/agents", "/v1/agents",
                                                                   "/v1/agents/{agentId}/usage"])):
                integration = client.get(f"/v1/integration/{identifier}", headers=headers).json()["integration"]
                assert [r["kind"] for r in integration["config"]["resources"]] == kinds  # its own mapping subset
            # the pages landed too, equal to the project's (Port's pages API on the catalog)
            for page in preset.dashboards:
                stored_page = client.get(f"/v1/pages/{page['identifier']}", headers=headers)
                assert stored_page.status_code == 200, stored_page.text
                assert stored_page.json()["page"]["title"] == page["title"]
                assert len(stored_page.json()["page"]["widgets"]) == len(page["widgets"])
        bad = subprocess.run(["bash", str(script)], env={**env, "PORT_CLIENT_SECRET": "wrong"}, capture_output=True,
                             text=True, timeout=60)
        assert bad.returncode == 1 and "POST /auth/access_token failed (HTTP 401)" in bad.stderr
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("user_id,dropped", [(4101, 1), ("user_abc", 0)])
def test_native_daily_usage_identifier_fails_on_a_numeric_user_id(user_id, dropped) -> None:
    from builder.ship.native import compare

    preset = preset_project()
    if preset is None:
        pytest.skip("no preset")
    result = compare(preset.find_resource("daily-usage"), [{"userId": user_id, "day": "2026-05-04"}])
    assert result.native is not None and result.native.kind == "cursor-daily-usage"
    assert (result.checked, result.dropped) == (1, dropped)
    if dropped:
        assert "cannot be added" in result.differences[0]
    assert compare(preset.find_resource("spend")).native is None  # not covered by the native integration


@pytest.mark.parametrize("with_samples", [False, True], ids=["project", "project+samples"])
def test_the_presets_lint_errors_are_exactly_the_plans_unservable_resources(with_samples: bool) -> None:
    """0 errors for everything Ocean can serve (the Basic-auth workaround the export deploys is a warning);
    an error for each resource the plan names as not servable, and for nothing else."""
    from builder.engine import mapping
    from builder.project.presets import preset_sample
    from builder.ship.lint import lint_project

    preset = preset_project()
    if preset is None:
        pytest.skip("no preset")
    samples = {r.name: preset_sample("cursor", r.name) for r in preset.resources} if with_samples else None
    results = {r.name: mapping.run(r, samples[r.name]) for r in preset.resources} if samples else None
    findings = lint_project(preset, results=results, samples=samples)
    errors = [f for f in findings if f.severity == "error"]
    assert [str(f) for f in errors if f.resource is None] == []
    unservable = {r.name for r in plan_deployment(preset).resources if not r.servable}
    assert unservable and {f.resource for f in errors} == unservable
    auth = next(f for f in findings if f.code == "basic-empty-password")
    assert auth.severity == "warning" and "deploys authType api_key" in auth.message


def test_export_format_setup_writes_the_setup_script_alone(tmp_path: Path) -> None:
    preset = preset_project()
    if preset is None:
        pytest.skip("no preset")
    project = tmp_path / "project.yaml"
    project.write_text((ROOT / "presets" / "cursor" / "project.yaml").read_text())
    done = subprocess.run([sys.executable, "-m", "builder", "export", str(project), "--format", "setup", "--out",
                           str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["setup-port.sh"]
    assert (tmp_path / "out" / "setup-port.sh").read_text() == export_all(preset, env={})["setup-port.sh"]
    assert os.access(tmp_path / "out" / "setup-port.sh", os.X_OK)


def test_native_daily_usage_identifier_collides_on_null_user_ids() -> None:
    """Airbyte types userId string-or-null (cursor-api.md §9): the native identifier gives every null-userId
    row of a day the same identifier "-<day>", so Port keeps one of them."""
    from builder.ship.native import compare

    preset = preset_project()
    if preset is None:
        pytest.skip("no preset")
    rows = [{"userId": None, "day": "2026-05-04", "email": "a@x.dev"},
            {"userId": None, "day": "2026-05-04", "email": "b@x.dev"},
            {"userId": "4101", "day": "2026-05-04", "email": "c@x.dev"}]
    result = compare(preset.find_resource("daily-usage"), rows)
    assert (result.checked, result.dropped, result.collided) == (3, 0, 1)
    assert "repeats on 1 of 3 records" in result.differences[0]
