"""``cursor-builder dashboard`` headless: every widget of the preset's page filled from the simulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.cli import main

PRESET_FILE = Path(__file__).resolve().parents[2] / "presets" / "cursor" / "project.yaml"
NOW = "2026-05-05T12:00:00Z"


def test_demo_json_fills_all_nine_widgets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", str(PRESET_FILE), "--demo", "--now", NOW, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    widgets = out["dashboards"][0]["widgets"]
    assert len(widgets) == 9
    assert out["options"] == {"timezone": "UTC", "timeRange": "rolling", "nulls": "skip"}
    for widget in widgets:
        assert widget["entities"] > 0, widget["id"]
        if widget["kind"] == "number":
            assert widget["value"] > 0
        elif widget["kind"] == "line":
            assert any(p["value"] for s in widget["series"] for p in s["points"]), widget["id"]
        elif widget["kind"] == "pie":
            assert widget["slices"]
        else:
            assert widget["kind"] == "table" and widget["rows"] and widget["calculated"] == ["acceptance_rate"]


def test_table_format_and_user_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", str(PRESET_FILE), "--demo", "--now", NOW]) == 0
    text = capsys.readouterr().out
    assert "Cursor AI Insights" in text and "acceptance_rate ƒ" in text
    assert main(["dashboard", str(PRESET_FILE), "--demo", "--tz", "Nowhere/Land"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown time zone" in err
    assert main(["dashboard", str(PRESET_FILE), "--page", "nope"]) == 2
    assert "no dashboard 'nope'" in capsys.readouterr().err


def test_sync_creates_the_page_once_and_the_dashboard_reads_the_catalog(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "catalog.db")
    sync = ["sync", str(PRESET_FILE), "--demo", "--target", "local", "--db", db, "-r", "daily-usage-org"]
    assert main(sync) == 0
    assert "page cursor_ai_insights: created" in capsys.readouterr().out
    assert main(sync) == 0
    assert "page cursor_ai_insights: unchanged" in capsys.readouterr().out
    assert main(["dashboard", str(PRESET_FILE), "--from-catalog", "--db", db, "--format", "json"]) == 0
    widgets = {w["id"]: w for w in json.loads(capsys.readouterr().out)["dashboards"][0]["widgets"]}
    assert widgets["totalActiveUsers"]["value"] == widgets["totalActiveUsers"]["entities"] > 0
    assert widgets["userActivityBreakdown"]["entities"] == 0  # that resource was not synced
