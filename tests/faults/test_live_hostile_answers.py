"""Issue #11 row 11, live: a server's answer nested 3,000 or 100,000 deep, or holding a 5,000-digit
integer, through `fetch` (table and JSON) and `preview --live`: one line on stderr, exit 2."""

from __future__ import annotations

import pytest

from builder.cli import main
from loopback import serve
from sync_fixtures import PROJECT_YAML

ANSWERS = {
    "nested 3,000 deep": b"[" * 3_000 + b"]" * 3_000,
    "nested 100,000 deep": b'{"teamMembers": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "a 5,000-digit integer": b'{"teamMembers": [{"email": "a@b.c", "name": "A", "role": ' + b"9" * 5_000 + b"}]}",
}
COMMANDS = {
    "fetch": ["fetch", "{project}", "-r", "members"],
    "fetch --format json": ["fetch", "{project}", "-r", "members", "--format", "json"],
    "preview --live": ["preview", "{project}", "-r", "members", "--live"],
}


@pytest.mark.parametrize("answer", ANSWERS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_hostile_live_answer_is_one_line_and_exit_2(answer, command, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CURSOR_API_KEY", "crsr_" + "k" * 64)
    with serve("answer", ANSWERS[answer]) as url:
        project = tmp_path / "p.yaml"
        project.write_text(PROJECT_YAML.replace("https://api.cursor.com", url), encoding="utf-8")
        code = main([part.replace("{project}", str(project)) for part in COMMANDS[command]])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "cannot be read" in err[0], err
