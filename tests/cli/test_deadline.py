"""Issue #11 row 12: a server that never answers cannot hold `fetch` past its --deadline."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from builder.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from sync_fixtures import PROJECT_YAML  # noqa: E402


def test_fetch_stops_at_its_deadline_and_says_so(tmp_path, capsys, monkeypatch):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
    try:
        port = silent.getsockname()[1]
        project = tmp_path / "p.yaml"
        project.write_text(PROJECT_YAML.replace("https://api.cursor.com", f"http://127.0.0.1:{port}"), encoding="utf-8")
        monkeypatch.setenv("CURSOR_API_KEY", "crsr_" + "k" * 64)
        code = main(["fetch", str(project), "-r", "members", "--deadline", "0.5"])
    finally:
        silent.close()
    err = capsys.readouterr().err
    assert code == 1 and "deadline of 0.5 s" in err and len(err.strip().splitlines()) == 1
