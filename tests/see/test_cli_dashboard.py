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
