"""`cursor-builder export | lint | infer`: stdout is output only, messages on stderr, exit codes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from builder.cli import main
from builder.ship.export import FORMATS, export_all
from export_helpers import FIXTURES, fixture_project

PROJECT = str(FIXTURES / "cursor-project.yaml")
MEMBERS = {"teamMembers": [
    {"id": "user_1", "name": "Alice Ng", "email": "alice@example.com", "role": "owner", "isRemoved": False},
    {"id": "user_2", "name": "Bob Ruiz", "email": "bob@example.com", "role": "member", "isRemoved": True}]}


@pytest.mark.parametrize("fmt", ["yaml", "blueprints", "helm", "docker", "values", "readme"])
def test_export_one_format_to_stdout(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    assert main(["export", PROJECT, "--format", fmt]) == 0
    out, err = capsys.readouterr()
    assert out == export_all(fixture_project())[FORMATS[fmt]]
    assert "lint error" in err  # the fixture has computed bodies Ocean cannot send


def test_export_defaults_to_the_mapping_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", PROJECT]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == fixture_project().app_config_dict()


def test_export_all_to_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", PROJECT, "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    files = export_all(fixture_project())
    for name, text in files.items():
        assert (tmp_path / "out" / name).read_text() == text
        assert f"wrote {tmp_path / 'out' / name}" in err
    assert (tmp_path / "out" / "helm-install.sh").stat().st_mode & stat.S_IXUSR


def test_export_reveal_writes_owner_only_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("PORT_CLIENT_ID", "PORT_CLIENT_SECRET", "CURSOR_BASIC_AUTH"):
        monkeypatch.setenv(name, f"value-of-{name}")
    assert main(["export", PROJECT, "--out", str(tmp_path), "--format", "docker", "--reveal-secrets"]) == 0
    path = tmp_path / "docker-run.sh"
    assert "value-of-CURSOR_BASIC_AUTH" in path.read_text()
    assert path.stat().st_mode & 0o077 == 0
    assert "contains secrets" in capsys.readouterr().err


def test_export_reveal_with_a_missing_variable_is_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PORT_CLIENT_ID", "id")
    monkeypatch.setenv("PORT_CLIENT_SECRET", "secret")
    monkeypatch.delenv("CURSOR_BASIC_AUTH", raising=False)
    assert main(["export", PROJECT, "--format", "helm", "--reveal-secrets"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "CURSOR_BASIC_AUTH is not set" in err and "Traceback" not in err


def test_export_of_a_missing_project_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["export", str(tmp_path / "nope.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_lint_exit_code_and_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["lint", PROJECT]) == 1
    text = capsys.readouterr().out
    assert "error [daily-usage] computed-body" in text and "consequence:" in text and "fix:" in text
    assert main(["lint", PROJECT, "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert {"severity", "resource", "code", "message", "consequence", "fix"} <= set(findings[0])
    clean = tmp_path / "clean.yaml"
    clean.write_text(yaml.safe_dump({"version": 1, "integration": {"config": {"baseUrl": "https://x.io"}},
                                     "portAppConfig": {"resources": []}}))
    assert main(["lint", str(clean)]) == 0
    assert "no findings" in capsys.readouterr().out


def test_lint_with_a_saved_response_sees_collisions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    response = tmp_path / "members.json"
    twins = {"teamMembers": [MEMBERS["teamMembers"][0], MEMBERS["teamMembers"][0]]}
    response.write_text(json.dumps(twins))
    main(["lint", PROJECT, "--format", "json", "--response", f"members={response}"])
    codes = [(f["resource"], f["code"]) for f in json.loads(capsys.readouterr().out)]
    assert ("members", "identifier-collision") in codes
    assert main(["lint", PROJECT, "--response", "members"]) == 2


def test_infer_prints_the_blueprint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    response = tmp_path / "members.json"
    response.write_text(json.dumps(MEMBERS))
    assert main(["infer", PROJECT, "--resource", "members", "--response", str(response)]) == 0
    out, err = capsys.readouterr()
    blueprint = json.loads(out)
    assert blueprint["identifier"] == "cursorMember"
    assert blueprint["schema"]["properties"]["email"]["format"] == "email"
    assert blueprint["schema"]["properties"]["isRemoved"]["type"] == "boolean"
    assert "inferred cursorMember from 2 entities" in err


def test_infer_compare_shows_diff_and_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    response = tmp_path / "members.json"
    data = json.loads(json.dumps(MEMBERS))
    data["teamMembers"][1]["role"] = "admin"  # not in the blueprint's enum
    response.write_text(json.dumps(data))
    # By default an existing blueprint keeps its own `required` (issue #14 bug 11): no changes, problems shown.
    assert main(["infer", PROJECT, "-r", "members", "--response", str(response), "--compare"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("blueprint cursorMember: changes")
    assert "required" not in out.split("validation against")[0]
    assert "record 1 (\"bob@example.com\"): properties.role:" in out
    # Asked for, `required` is proposed for always-present fields: the diff shows it, problems still shown.
    assert main(["infer", PROJECT, "-r", "members", "--response", str(response), "--compare",
                 "--propose-required"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("blueprint cursorMember: changes")
    assert "~ properties.isRemoved: boolean → boolean, required" in out
    assert "record 1 (\"bob@example.com\"): properties.role:" in out
    assert main(["infer", PROJECT, "-r", "members", "--response", str(response), "--compare", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["exists"] is True and report["problems"][0]["code"] == "enum"


def test_infer_unknown_resource_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    response = tmp_path / "r.json"
    response.write_text("{}")
    assert main(["infer", PROJECT, "-r", "nope", "--response", str(response)]) == 2
    assert "no resource named 'nope'" in capsys.readouterr().err
