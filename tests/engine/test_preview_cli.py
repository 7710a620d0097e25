"""`cursor-builder preview`: the headless view of the engine, its JSON contract and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = str(FIXTURES / "project.yaml")
MEMBERS = str(FIXTURES / "members.json")
DOC_MAPPINGS = Path(__file__).parents[2].parent / "shared" / "reference" / "port-doc-mappings.yaml"


def test_json_format_prints_exactly_the_entities(capsys):
    assert main(["preview", PROJECT, "--resource", "members", "--response", MEMBERS, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"entities", "dropped", "fields"}
    assert out["entities"][0] == {
        "identifier": "user_8Kq2ZzR1mVbN4xT7pL0sYcWd3e", "blueprint": "cursorMember", "title": "Alice Ng",
        "properties": {"email": "alice@example.com", "role": "owner", "removed": False},
        "relations": {"user": "alice@example.com"},
    }
    assert len(out["entities"]) == 3 and out["dropped"] == []
    assert out["fields"]["properties.email"]["errors"] == 0


def test_table_format_shows_values_and_counts(capsys):
    assert main(["preview", PROJECT, "-r", "members", "--response", MEMBERS, "--record", "2"]) == 0
    out = capsys.readouterr().out
    assert "3 records" in out and "3 entities" in out
    assert '"Carol Iyer"' in out  # record 2's title


def test_bad_jq_is_reported_per_field_not_as_a_crash(tmp_path, capsys):
    text = Path(PROJECT).read_text().replace("role: .role", "role: .role |")
    project = tmp_path / "p.yaml"
    project.write_text(text)
    assert main(["preview", str(project), "-r", "members", "--response", MEMBERS, "--format", "json"]) == 0
    fields = json.loads(capsys.readouterr().out)["fields"]
    assert fields["properties.role"]["errors"] == 3
    assert "syntax error" in fields["properties.role"]["error"]


def test_bare_port_app_config_from_ports_page(tmp_path, capsys):
    response = tmp_path / "events.json"
    response.write_text(json.dumps({"usageEvents": [
        {"timestamp": "1777900012345", "userEmail": "alice@example.com", "model": "gpt-5",
         "kind": "Included in Business", "maxMode": False, "requestsCosts": 1, "isTokenBasedCall": False,
         "isChargeable": False, "isHeadless": False, "chargedCents": 0}]}))
    code = main(["preview", str(DOC_MAPPINGS), "-r", "/teams/filtered-usage-events", "--response", str(response),
                 "--format", "json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    # Port's published mapping uses `.id`, which usage events do not have: every entity is dropped.
    assert out["entities"] == []
    assert out["dropped"][0]["stage"] == "identifier"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["preview", "nope.yaml", "-r", "x", "--response", MEMBERS], "nope.yaml: file not found"),
        (["preview", PROJECT, "-r", "unknown", "--response", MEMBERS], "no resource named 'unknown'"),
        (["preview", PROJECT, "-r", "members", "--response", "missing.json"], "response file not found"),
        (["preview", PROJECT, "-r", "members"], "give a saved response"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_non_json_response_is_a_user_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("<html>oops</html>")
    assert main(["preview", PROJECT, "-r", "members", "--response", str(bad)]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_preview_demo_fetches_from_the_simulator(tmp_path, capsys):
    project = tmp_path / "cursor-builder.yaml"
    assert main(["init", str(project)]) == 0
    capsys.readouterr()
    assert main(["preview", str(project), "-r", "members", "--demo", "--format", "json"]) == 0
    captured = capsys.readouterr()
    entities = json.loads(captured.out)["entities"]
    assert entities and all(e["identifier"].startswith("user_") for e in entities)
    assert "GET" in captured.err and "/teams/members" in captured.err  # the exchange, on stderr
