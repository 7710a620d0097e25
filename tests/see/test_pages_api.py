"""``export --format dashboard`` passes the page rules and round-trips through the embedded catalog's
pages API; a sync creates the page once and leaves it alone the second time; the catalog computes
calculation properties on read (and leaves them out on request)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from builder.cli import main
from builder.port.catalog import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET, create_app
from builder.port.client import LOCAL_BASE_URL, PortClient
from builder.project.presets import load_preset
from builder.see.pages import page_problems
from builder.sync.pages import apply_pages

PRESET_FILE = Path(__file__).resolve().parents[2] / "presets" / "cursor" / "project.yaml"
PRESET = load_preset()
BLUEPRINTS = {bp["identifier"]: bp for bp in PRESET.blueprints}


class Api:
    def __init__(self) -> None:
        self.app = create_app()
        self.token: str | None = None

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://c") as c:
                if self.token is None:
                    r = await c.post("/v1/auth/access_token",
                                     json={"clientId": LOCAL_CLIENT_ID, "clientSecret": LOCAL_CLIENT_SECRET})
                    self.token = r.json()["accessToken"]
                return await c.request(method, path, headers={"Authorization": f"Bearer {self.token}"}, **kwargs)

        return asyncio.run(go())


def _exported(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    assert main(["export", str(PRESET_FILE), "--format", "dashboard"]) == 0
    return json.loads(capsys.readouterr().out)


def test_export_passes_the_page_rules_and_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    pages = _exported(capsys)
    assert [p["identifier"] for p in pages] == ["cursor_ai_insights"]
    page = pages[0]
    assert page_problems(page, BLUEPRINTS) == []
    api = Api()
    assert api.call("POST", "/v1/pages", json=page).json() == {"ok": True, "identifier": "cursor_ai_insights"}
    assert api.call("POST", "/v1/pages", json=page).status_code == 409
    stored = api.call("GET", "/v1/pages/cursor_ai_insights").json()["page"]
    assert {k: v for k, v in stored.items() if k not in ("createdAt", "updatedAt", "createdBy", "updatedBy")} == page
    assert [p["identifier"] for p in api.call("GET", "/v1/pages").json()["pages"]] == ["cursor_ai_insights"]
    patched = api.call("PATCH", "/v1/pages/cursor_ai_insights", json={"title": "Cursor (team)"})
    assert patched.status_code == 200 and patched.json()["page"]["widgets"] == page["widgets"]
    broken = json.loads(json.dumps(page))
    broken["widgets"][0]["layout"][0]["columns"][0]["size"] = 5
    answer = api.call("PUT", "/v1/pages/cursor_ai_insights", json=broken)
    assert answer.status_code == 422 and "sum to 13" in answer.json()["message"]
    assert api.call("DELETE", "/v1/pages/cursor_ai_insights").json() == {"ok": True}
    assert api.call("GET", "/v1/pages/cursor_ai_insights").status_code == 404


def test_sync_creates_then_leaves_the_page_alone() -> None:
    app = create_app()

    async def go() -> list[list[str]]:
        client = PortClient(base_url=LOCAL_BASE_URL, client_id=LOCAL_CLIENT_ID, client_secret=LOCAL_CLIENT_SECRET,
                            transport=httpx.ASGITransport(app=app))
        try:
            first = await apply_pages(client, PRESET.dashboards)
            second = await apply_pages(client, PRESET.dashboards)
            changed = [{**PRESET.dashboards[0], "title": "Renamed"}]
            third = await apply_pages(client, changed)
            return [[o.action for o in run] for run in (first, second, third)]
        finally:
            await client.aclose()

    assert asyncio.run(go()) == [["created"], ["unchanged"], ["updated"]]
    assert app.pages.pages.get("cursor_ai_insights")["title"] == "Renamed"


def test_catalog_computes_calculation_properties_on_read() -> None:
    api = Api()
    blueprint = dict(BLUEPRINTS["cursor_user_usage_record"], relations={})
    assert api.call("POST", "/v1/blueprints", json=blueprint).status_code == 201
    entity = {"identifier": "ann-2026-05-01", "title": "ann", "properties": {
        "record_date": "2026-05-01T00:00:00Z", "org": "o", "email": "ann@x.io", "total_accepts": 3, "total_rejects": 1}}
    path = "/v1/blueprints/cursor_user_usage_record/entities"
    assert api.call("POST", path, json=entity, params={"upsert": "true"}).status_code in (200, 201)
    read = api.call("GET", f"{path}/ann-2026-05-01").json()["entity"]
    assert read["properties"]["acceptance_rate"] == 75
    excluded = api.call("GET", f"{path}/ann-2026-05-01", params={"exclude_calculated_properties": "true"})
    assert "acceptance_rate" not in excluded.json()["entity"]["properties"]
    found = api.call("POST", f"{path}/search", json={"limit": 10}).json()["entities"]
    assert found[0]["properties"]["acceptance_rate"] == 75
    stored = api.app.store.get_entity("cursor_user_usage_record", "ann-2026-05-01")
    assert "acceptance_rate" not in stored["properties"]  # computed on read, never stored
