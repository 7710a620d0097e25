"""Issue #11 row 11: every command, every hostile input → exit 2 and exactly one line on stderr.

In-process through ``builder.cli.main``: an exception escaping ``main`` fails the test, which is
the traceback a user would have seen.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pytest

from builder.cli import main

SYNC_TESTS = Path(__file__).resolve().parents[1] / "sync"
sys.path.insert(0, str(SYNC_TESTS))
from sync_fixtures import PROJECT_YAML  # noqa: E402

Maker = Callable[[Path], Path]


def write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# Hostile project files (every command loads the project first).
PROJECTS: dict[str, Maker] = {
    "not utf-8": lambda d: write(d / "p.yaml", PROJECT_YAML.encode("utf-8").replace(b"Cursor member", b"Cursor \xff")),
    "yaml 500 deep": lambda d: write(d / "p.yaml", "x: " + "[" * 500 + "]" * 500 + "\n"),
    "alias bomb": lambda d: write(d / "p.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))),
    "duplicate keys": lambda d: write(d / "p.yaml", PROJECT_YAML.replace("version: 1\n", "version: 1\nversion: 1\n")),
    "a directory": lambda d: (d / "dir.yaml").mkdir() or d / "dir.yaml",
}

COMMANDS = {
    "lint": lambda p: ["lint", str(p)],
    "preview": lambda p: ["preview", str(p), "-r", "members", "--demo"],
    "fetch": lambda p: ["fetch", str(p), "-r", "members", "--demo"],
    "infer": lambda p: ["infer", str(p), "-r", "members", "--response", str(p)],
    "export": lambda p: ["export", str(p), "--out", str(p.parent / "out")],
    "sync": lambda p: ["sync", str(p), "--demo", "--db", str(p.parent / "c.db")],
}


def one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("warning:")]
    assert code == 2 and len(lines) == 1, (code, err)


@pytest.mark.parametrize("bad", list(PROJECTS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_hostile_project_files(tmp_path, capsys, monkeypatch, command, bad):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    project = PROJECTS[bad](tmp_path)
    one_line_exit_2(COMMANDS[command](project), capsys)


# Hostile response files (commands that read one).
RESPONSES: dict[str, bytes] = {
    "not utf-8": b'{"teamMembers": [{"name": "\xff\xfe"}]}',
    "json 3,000 deep": b'{"teamMembers": ' + b"[" * 3000 + b"]" * 3000 + b"}",
    "json 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "5,000-digit integer": b'{"teamMembers": [{"n": ' + b"9" * 5000 + b"}]}",
    "a directory": b"",
}


@pytest.mark.parametrize("bad", list(RESPONSES))
@pytest.mark.parametrize("command", ["preview", "infer", "lint"])
def test_hostile_response_files(tmp_path, capsys, command, bad):
    project = write(tmp_path / "p.yaml", PROJECT_YAML)
    response = tmp_path / "r.json"
    if bad == "a directory":
        response.mkdir()
    else:
        write(response, RESPONSES[bad])
    argv = {"preview": ["preview", str(project), "-r", "members", "--response", str(response)],
            "infer": ["infer", str(project), "-r", "members", "--response", str(response)],
            "lint": ["lint", str(project), "--response", f"members={response}"]}[command]
    one_line_exit_2(argv, capsys)


# Hostile databases and failures files (sync and catalog).
DATABASES: dict[str, Maker] = {
    "a directory": lambda d: (d / "db").mkdir() or d / "db",
    "not sqlite": lambda d: write(d / "db", b"this is not a database, just text\n" * 100),
    "missing folder": lambda d: d / "nowhere" / "catalog.db",
}


@pytest.mark.parametrize("bad", list(DATABASES))
@pytest.mark.parametrize("command", ["sync", "catalog ls", "catalog serve"])
def test_hostile_databases(tmp_path, capsys, command, bad):
    project = write(tmp_path / "p.yaml", PROJECT_YAML)
    db = DATABASES[bad](tmp_path)
    argv = {"sync": ["sync", str(project), "--demo", "--db", str(db)],
            "catalog ls": ["catalog", "ls", "--db", str(db)],
            "catalog serve": ["catalog", "serve", "--port", "0", "--db", str(db)]}[command]
    one_line_exit_2(argv, capsys)


def test_retry_failed_given_a_directory(tmp_path, capsys):
    project = write(tmp_path / "p.yaml", PROJECT_YAML)
    one_line_exit_2(["sync", str(project), "--demo", "--db", str(tmp_path / "c.db"), "--retry-failed",
                     str(tmp_path)], capsys)


def test_unknown_top_level_key_is_a_warning_naming_the_nearest_key(tmp_path, capsys):
    project = write(tmp_path / "p.yaml", PROJECT_YAML.replace("blueprints:\n- identifier: cursorMember",
                                                              "bluepritns: []\nblueprints:\n- identifier: cursorMember"))
    main(["lint", str(project)])
    err = capsys.readouterr().err
    assert "warning:" in err and "unknown key 'bluepritns'" in err and "did you mean 'blueprints'" in err


@pytest.mark.parametrize("text, message", [
    (PROJECT_YAML.replace("  identifier: cursor-usage\n", "  identifier: 42\n"), "integration.identifier: must be a string"),
    (PROJECT_YAML.replace("version: 1\n", "version: 1\nport: {}\n"), "duplicate key 'port' (lines 2 and"),
])
def test_project_mistakes_are_one_line_errors(tmp_path, capsys, text, message):
    project = write(tmp_path / "p.yaml", text)
    assert main(["lint", str(project)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("old, new, name, nearest", [
    ("  type: custom\n", "  type: custom\n  scheduledResyncIntervall: 60\n", "integration.scheduledResyncIntervall",
     "scheduledResyncInterval"),
    ("  region: local\n", "  region: local\n  clientID: x\n", "port.clientID", "clientId"),
    ("  - kind: /teams/members\n", "  - kind: /teams/members\n    selectr: {}\n", "portAppConfig.resources.0.selectr",
     "selector"),
    ("    x-builder: {name: members}\n", "    x-builder: {name: members, paginaton: {}}\n",
     "portAppConfig.resources.0.x-builder.paginaton", "pagination"),
    ("      entity:\n", "      itemsToParseNam: x\n      entity:\n",
     "portAppConfig.resources.0.port.itemsToParseNam", "itemsToParseName"),
])
def test_unknown_nested_key_is_a_warning_naming_the_nearest_key(tmp_path, capsys, old, new, name, nearest):
    assert old in PROJECT_YAML
    project = write(tmp_path / "p.yaml", PROJECT_YAML.replace(old, new, 1))
    main(["lint", str(project)])
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, warnings
    assert f"unknown key {name!r}" in warnings[0] and f"did you mean {nearest!r}" in warnings[0]


def test_the_projects_integration_keys_cover_every_setting_the_export_writes():
    from builder.project.load import INTEGRATION_KEYS
    from builder.ship.export.settings import CORE_SETTINGS

    assert set(CORE_SETTINGS) <= INTEGRATION_KEYS


def test_the_preset_loads_without_warnings(recwarn):
    from builder.project.load import ProjectWarning, load_project
    from builder.project.presets import preset_path

    load_project(preset_path("cursor"))  # the project the TUI and `init` start from
    assert not [w for w in recwarn if issubclass(w.category, ProjectWarning)]
