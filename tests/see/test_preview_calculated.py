"""``preview --format json`` lists calculation properties under their own key: the entities stay
exactly the payloads Ocean sends (tests/oracle compares them with port-ocean)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.cli import main
from builder.engine import mapping
from builder.project.presets import load_preset, preset_sample

PRESET_FILE = Path(__file__).resolve().parents[2] / "presets" / "cursor" / "project.yaml"


def test_calculated_values_are_apart_from_the_entities(capsys: pytest.CaptureFixture[str]) -> None:
    sample = PRESET_FILE.parent / "samples" / "daily-usage.json"
    assert main(["preview", str(PRESET_FILE), "-r", "daily-usage", "--response", str(sample), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    project = load_preset()
    resource = project.find_resource("daily-usage")
    expected = mapping.run(resource, preset_sample("cursor", "daily-usage")).entities
    assert out["entities"] == expected
    assert all("acceptance_rate" not in e["properties"] for e in out["entities"])
    calculated = out["calculated"]
    assert [c["index"] for c in calculated] == list(range(len(expected)))
    for item in calculated:
        props = out["entities"][item["index"]]["properties"]
        accepts, rejects = props.get("total_accepts"), props.get("total_rejects")
        if isinstance(accepts, (int, float)) and isinstance(rejects, (int, float)):
            want = accepts / (accepts + rejects) * 100 if accepts + rejects > 0 else 0
            assert item["properties"]["acceptance_rate"] == pytest.approx(want)


def test_a_streamed_preview_lists_the_same_calculated_values(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    page = json.loads((PRESET_FILE.parent / "samples" / "daily-usage.json").read_text())["pages"][0]
    big = {**page, "data": page["data"] * 30}  # large enough to be streamed in chunks
    streamed_file, whole_file = tmp_path / "big.json", tmp_path / "pages.json"
    streamed_file.write_text(json.dumps(big))
    whole_file.write_text(json.dumps([big]))
    base = ["preview", str(PRESET_FILE), "-r", "daily-usage", "--format", "json"]
    assert main(base + ["--response", str(streamed_file), "-v"]) == 0
    streamed = capsys.readouterr()
    assert "streamed" in streamed.err
    assert main(base + ["--response", str(whole_file), "--pages"]) == 0
    whole = capsys.readouterr().out
    assert streamed.out == whole
    assert len(json.loads(whole)["calculated"]) == len(page["data"]) * 30
