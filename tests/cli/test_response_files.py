"""`preview --response` and `infer --response` say which shape they read, or refuse (exit 2, one line);
`fetch --save` writes what both read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.cli import main
from builder.simulator import DEMO_API_KEY

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "presets" / "cursor" / "samples"


@pytest.fixture
def project_file(tmp_path, capsys):
    path = tmp_path / "cursor-builder.yaml"
    assert main(["init", str(path)]) == 0
    capsys.readouterr()
    return path


@pytest.fixture
def saved(project_file, tmp_path, capsys) -> Path:
    path = tmp_path / "members.json"
    assert main(["fetch", str(project_file), "-r", "members", "--demo", "--save", str(path)]) == 0
    assert f"saved 1 page(s) to {path}" in capsys.readouterr().err
    return path


def test_fetch_save_writes_a_sample_that_preview_and_infer_read(project_file, saved, capsys):
    text = saved.read_text()
    assert DEMO_API_KEY not in text and "Authorization" not in text
    document = json.loads(text)
    assert (document["resource"], document["kind"], len(document["pages"])) == ("members", "/teams/members", 1)
    assert main(["preview", str(project_file), "-r", "members", "--response", str(saved), "-v"]) == 0
    captured = capsys.readouterr()
    assert "read as a recorded sample (1 page)" in captured.err and "12 entities" in captured.out
    assert main(["infer", str(project_file), "-r", "members", "--response", str(saved)]) == 0
    captured = capsys.readouterr()
    assert "read as a recorded sample" in captured.err and "from 12 entities" in captured.err


def test_fetch_json_output_and_a_raw_response_are_read(project_file, tmp_path, capsys):
    assert main(["fetch", str(project_file), "-r", "members", "--demo", "--format", "json"]) == 0
    fetched = tmp_path / "fetched.json"
    fetched.write_text(capsys.readouterr().out)
    raw = tmp_path / "raw.json"
    raw.write_text(json.dumps(json.loads(fetched.read_text())["pages"][0]))
    for path, shape in ((fetched, "the output of `fetch --format json`"), (raw, "a raw response")):
        assert main(["preview", str(project_file), "-r", "members", "--response", str(path), "-v"]) == 0
        captured = capsys.readouterr()
        assert f"read as {shape} (1 page)" in captured.err and "12 entities" in captured.out


def _preview_output(project: Path, sample: Path, capsys) -> str:
    assert main(["preview", str(project), "-r", "members", "--response", str(sample), "--format", "json"]) == 0
    return capsys.readouterr().out


REFUSED = [
    ("preview-output", lambda project, sample, capsys: _preview_output(project, sample, capsys),
     "this is the output of `cursor-builder preview`, not a response"),
    ("infer-compare-output", lambda *_: json.dumps({"blueprint": "x", "exists": True, "diff": {}, "problems": [],
                                                   "inferred": {}}),
     "this is the output of `cursor-builder infer --compare`"),
    ("blueprint", lambda *_: json.dumps({"identifier": "cursor_member", "schema": {"properties": {}}}),
     "this is a Port blueprint"),
    ("another-kind", lambda *_: (SAMPLES / "usage-events.json").read_text(),
     "a recorded sample of /teams/filtered-usage-events, not of /teams/members"),
    ("failed-fetch", lambda *_: json.dumps({"resource": "members", "mode": "builder", "error": "401 Unauthorized",
                                           "exchanges": [], "coverage": {}, "pages": []}),
     "holds no page (401 Unauthorized)"),
    ("wrong-body", lambda *_: json.dumps({"usageEvents": [{"a": 1}]}),
     "data_path .teamMembers finds no records in it (it holds: usageEvents)"),
    ("not-json", lambda *_: "{nope", "not valid JSON"),
]


@pytest.mark.parametrize("make, message", [(m, t) for _, m, t in REFUSED], ids=[n for n, _, _ in REFUSED])
@pytest.mark.parametrize("command", ["preview", "infer"])
def test_wrong_files_are_refused_with_what_to_do(project_file, saved, tmp_path, capsys, make, message, command):
    bad = tmp_path / "bad.json"
    bad.write_text(make(project_file, saved, capsys))
    assert main([command, str(project_file), "-r", "members", "--response", str(bad)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert message in lines[-1] and "Traceback" not in captured.err
    assert captured.out == ""


def test_pages_flag_on_one_body_says_to_drop_it(project_file, saved, tmp_path, capsys):
    raw = tmp_path / "raw.json"
    raw.write_text(json.dumps(json.loads(saved.read_text())["pages"][0]))
    assert main(["preview", str(project_file), "-r", "members", "--response", str(raw), "--pages"]) == 2
    assert "--pages expects a JSON list of response bodies; this file is an object (drop --pages" in \
        capsys.readouterr().err


def test_infer_refuses_a_response_that_gives_no_entity(project_file, saved, tmp_path, capsys):
    text = project_file.read_text()
    assert "identifier: .id\n" in text
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("identifier: .id\n", "identifier: .nope\n", 1))
    assert main(["infer", str(broken), "-r", "members", "--response", str(saved)]) == 2
    captured = capsys.readouterr()
    assert "12 records but no entity to infer a blueprint from (identifier is null" in captured.err
    assert captured.out == ""
